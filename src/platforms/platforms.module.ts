import { Global, Logger, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { WechatClient } from './wechat/wechat.client';
import { WECHAT_TOKEN_SOURCE } from './wechat-token-source';
import { WeiboClient } from './weibo/weibo.client';

/** Keep-alive sockets per host: one per collection slot, so requests never queue for a socket. */
function socketsFor(config: AppConfig): number {
  return Math.max(16, config.collection.concurrency);
}

/** One client per platform, built from config (in demo mode the base URLs are the simulator's). */
@Global()
@Module({
  providers: [
    {
      provide: WechatClient,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new WechatClient({
          baseUrl: config.platforms.wechatBaseUrl,
          timeoutMs: config.platforms.timeoutMs,
          maxBodyBytes: config.platforms.maxBodyBytes,
          maxSockets: socketsFor(config),
          logger: new Logger(WechatClient.name),
        }),
    },
    {
      provide: WeiboClient,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new WeiboClient({
          baseUrl: config.platforms.weiboBaseUrl,
          commercialBaseUrl: config.platforms.weiboCommercialBaseUrl,
          timeoutMs: config.platforms.timeoutMs,
          maxBodyBytes: config.platforms.maxBodyBytes,
          maxSockets: socketsFor(config),
          logger: new Logger(WeiboClient.name),
        }),
    },
    { provide: WECHAT_TOKEN_SOURCE, useExisting: WechatClient },
  ],
  exports: [WechatClient, WeiboClient, WECHAT_TOKEN_SOURCE],
})
export class PlatformsModule {}
