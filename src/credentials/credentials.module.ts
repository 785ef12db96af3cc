import { type DynamicModule, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import type { KeyRing } from './credential-cipher';
import { CredentialCipher } from './credential-cipher';
import { CREDENTIALS_KEY_RING, credentialsKeyRingProvider } from './credentials-key-ring';
import { CredentialsController } from './credentials.controller';
import { CredentialsService } from './credentials.service';
import { TOKEN_MEMO_MS, WECHAT_TOKEN_MEMO_MS, WechatTokenService } from './wechat-token.service';

export interface CredentialsModuleOptions {
  /** Modules exporting what `tokenSource` needs (e.g. the WeChat client's module). */
  imports?: ModuleMetadata['imports'];
  /**
   * Provides WECHAT_TOKEN_SOURCE here (tests). Default: none, the global PlatformsModule exports
   * it (`useExisting: WechatClient`).
   */
  tokenSource?: Provider;
  /** Serve the admin endpoints (api/all roles); workers need only the services. Default true. */
  http?: boolean;
  /** How long a process reuses a token it has read (ms); default TOKEN_MEMO_MS, 0 = never. */
  tokenMemoMs?: number;
  /** A fixed key ring (tests); default: CREDENTIALS_KEYS or <DATA_DIR>/credentials-keys.txt. */
  keyRing?: KeyRing;
}

/**
 * Encrypted platform credentials and the single-flight WeChat token service. Needs APP_CONFIG
 * (global ConfigModule), TypeORM's DataSource, the global AuditModule and WECHAT_TOKEN_SOURCE
 * (global PlatformsModule, unless `tokenSource` is given).
 */
@Module({})
export class CredentialsModule {
  static register(options: CredentialsModuleOptions = {}): DynamicModule {
    return {
      module: CredentialsModule,
      // Global: the collection workers share this one WechatTokenService (one per process).
      global: true,
      imports: options.imports ?? [],
      controllers: options.http === false ? [] : [CredentialsController],
      providers: [
        options.keyRing
          ? { provide: CREDENTIALS_KEY_RING, useValue: options.keyRing }
          : credentialsKeyRingProvider,
        {
          provide: CredentialCipher,
          inject: [CREDENTIALS_KEY_RING],
          useFactory: (ring: KeyRing) => new CredentialCipher(ring),
        },
        ...(options.tokenSource ? [options.tokenSource] : []),
        CredentialsService,
        { provide: WECHAT_TOKEN_MEMO_MS, useValue: options.tokenMemoMs ?? TOKEN_MEMO_MS },
        WechatTokenService,
      ],
      exports: [CREDENTIALS_KEY_RING, CredentialCipher, CredentialsService, WechatTokenService],
    };
  }
}
