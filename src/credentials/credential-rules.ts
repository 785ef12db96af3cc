import type { Platform } from '../accounts/account-taxonomy';
import type { FieldError } from '../common/domain.exception';
import type { PutCredentialDto } from './credential.dto';

export type CredentialInput =
  | { kind: 'wechat_app'; appId: string; secret: string; expiresAt: null }
  | { kind: 'weibo_token'; appId: null; secret: string; expiresAt: Date | null };

const FIELDS_BY_PLATFORM: Record<Platform, (keyof PutCredentialDto)[]> = {
  wechat: ['appId', 'appSecret'],
  weibo: ['accessToken', 'expiresAt'],
};

/**
 * Which body is valid depends on the account's platform. Returns one error per offending field;
 * messages name fields, never values.
 */
export function credentialInputFor(
  platform: Platform,
  dto: PutCredentialDto,
  account: { wechatAppId: string | null },
  now: Date = new Date(),
): { input: CredentialInput; errors: [] } | { input: null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const allowed = FIELDS_BY_PLATFORM[platform];
  for (const field of Object.keys(FIELDS_BY_PLATFORM) as Platform[]) {
    if (field === platform) continue;
    for (const key of FIELDS_BY_PLATFORM[field]) {
      if (dto[key] !== undefined && !allowed.includes(key)) {
        errors.push({
          field: key,
          message: `${key} is for ${field} accounts; this account is on ${platform}`,
        });
      }
    }
  }
  const required = (key: keyof PutCredentialDto) => {
    if (dto[key] === undefined)
      errors.push({ field: key, message: `${key} is required for ${platform} accounts` });
  };
  switch (platform) {
    case 'wechat': {
      required('appId');
      required('appSecret');
      if (
        dto.appId !== undefined &&
        account.wechatAppId !== null &&
        dto.appId !== account.wechatAppId
      ) {
        errors.push({
          field: 'appId',
          message: `appId must be the account's registered AppID ${account.wechatAppId}; change the account first`,
        });
      }
      if (errors.length > 0) return { input: null, errors };
      return {
        input: { kind: 'wechat_app', appId: dto.appId!, secret: dto.appSecret!, expiresAt: null },
        errors: [],
      };
    }
    case 'weibo': {
      required('accessToken');
      const expiresAt = dto.expiresAt === undefined ? null : new Date(dto.expiresAt);
      if (expiresAt && expiresAt.getTime() <= now.getTime()) {
        errors.push({
          field: 'expiresAt',
          message: 'expiresAt is in the past; the token has already expired',
        });
      }
      if (errors.length > 0) return { input: null, errors };
      return {
        input: { kind: 'weibo_token', appId: null, secret: dto.accessToken!, expiresAt },
        errors: [],
      };
    }
  }
}
