/**
 * How the credentials' token service obtains WeChat access tokens; implemented by the WeChat
 * client (`POST /cgi-bin/stable_token`). Kept as an interface so credentials do not depend on
 * the HTTP client's construction.
 */
export interface WechatTokenSource {
  fetchStableToken(
    appId: string,
    appSecret: string,
    forceRefresh: boolean,
  ): Promise<{ accessToken: string; expiresInSeconds: number }>;
}

export const WECHAT_TOKEN_SOURCE = Symbol('WECHAT_TOKEN_SOURCE');
