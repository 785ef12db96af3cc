import { SECTOR_LABELS, type AdminLevel } from '../accounts/account-taxonomy';
import type { SimAccount } from '../simulator';

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
