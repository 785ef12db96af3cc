import { Account } from '../accounts/account.entity';
import { Organization } from '../accounts/organization.entity';
import { AuditLog } from '../audit/audit-log.entity';
import { ApiKey } from '../auth/api-key.entity';
import { PlatformCredential } from '../credentials/platform-credential.entity';
import { WechatAccessToken } from '../credentials/wechat-access-token.entity';
import { Region } from '../regions/region.entity';

export const ENTITIES = [
  Region,
  Organization,
  Account,
  AuditLog,
  ApiKey,
  PlatformCredential,
  WechatAccessToken,
];
