import type { AdminLevel, Platform, WechatType } from '../../accounts/account-taxonomy';
import type { RegionTier } from '../../regions/region-catalog';

/** Chinese labels for exports and grouped statistics. */
export const PLATFORM_LABELS: Record<Platform, string> = { wechat: '微信', weibo: '微博' };

export const LEVEL_LABELS: Record<AdminLevel, string> = {
  central: '中央',
  provincial: '省级',
  municipal: '地市级',
  county: '区县级',
  township: '乡镇',
};

export const WECHAT_TYPE_LABELS: Record<WechatType, string> = {
  subscription: '订阅号',
  service: '服务号',
};

export const TIER_LABELS: Record<RegionTier, string> = {
  municipality: '直辖市',
  province: '省',
  autonomous_region: '自治区',
  sub_provincial_or_capital_city: '副省级/省会城市',
  prefecture_city: '地级市',
  autonomous_prefecture: '自治州',
  prefecture: '地区',
  league: '盟',
};

/** Label of an organization's region: "四川省 成都市" for a prefecture, the name for a province. */
export function regionLabel(regionName: string | null, provinceName: string | null): string | null {
  if (regionName === null) return null;
  return provinceName === null ? regionName : `${provinceName} ${regionName}`;
}
