import { SECTOR_LABELS, type AdminLevel } from '../accounts/account-taxonomy';
import type { CredentialKind } from '../credentials/credential-kinds';
import type { SimAccount, SimPopulation } from '../simulator';

const LEVEL_LABELS: Record<AdminLevel, string> = {
  central: '中央',
  provincial: '省级',
  municipal: '市级',
  county: '县级',
  township: '乡镇',
};

export const DEMO_TAG = 'simulated';

/**
 * One import row per simulated account, labelled as simulated (data source, tag and a （模拟）
 * suffix on the organisation). Organisations group accounts by region, level and sector.
 */
export function toDemoImportRow(account: SimAccount): Record<string, unknown> {
  return {
    platform: account.platform,
    wechatOriginalId: account.wechatOriginalId ?? null,
    wechatAppId: account.wechatAppId ?? null,
    weiboUid: account.weiboUid ?? null,
    displayName: account.displayName,
    organizationName: `${account.regionName}${LEVEL_LABELS[account.level]}${SECTOR_LABELS[account.sector]}（模拟）`,
    regionCode: account.regionCode,
    level: account.level,
    sector: account.sector,
    wechatType: account.wechatType ?? null,
    verified: account.verified,
    openedOn: account.openedOn,
    dataSource: 'simulated',
    tags: [DEMO_TAG],
  };
}

export interface SimCredential {
  accountId: number;
  kind: CredentialKind;
  appId: string | null;
  secret: string;
}

/** The simulator's credentials (AppID + AppSecret, Weibo token) for registered accounts. */
export function simulatorCredentials(
  population: SimPopulation,
  accounts: readonly {
    id: number;
    platform: string;
    wechat_app_id: string | null;
    weibo_uid: string | null;
  }[],
): SimCredential[] {
  const items: SimCredential[] = [];
  for (const row of accounts) {
    if (row.platform === 'wechat' && row.wechat_app_id) {
      const secret = population.findByAppId(row.wechat_app_id)?.appSecret;
      if (secret) {
        items.push({ accountId: row.id, kind: 'wechat_app', appId: row.wechat_app_id, secret });
      }
    } else if (row.platform === 'weibo' && row.weibo_uid) {
      const secret = population.findByUid(row.weibo_uid)?.weiboAccessToken;
      if (secret) items.push({ accountId: row.id, kind: 'weibo_token', appId: null, secret });
    }
  }
  return items;
}
