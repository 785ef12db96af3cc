export const PLATFORMS = ['wechat', 'weibo'] as const;
export type Platform = (typeof PLATFORMS)[number];

// 中央 / 省级 / 地市级 / 区县级 / 乡镇
export const ADMIN_LEVELS = ['central', 'provincial', 'municipal', 'county', 'township'] as const;
export type AdminLevel = (typeof ADMIN_LEVELS)[number];

export const WECHAT_TYPES = ['subscription', 'service'] as const; // 订阅号 / 服务号
export type WechatType = (typeof WECHAT_TYPES)[number];

export const ACCOUNT_STATUSES = ['active', 'paused', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const DATA_SOURCES = ['official_api', 'vendor', 'manual', 'simulated'] as const;
export type DataSource = (typeof DATA_SOURCES)[number];

/** Sector taxonomy: codes are stored, Chinese labels are accepted on import and shown in exports. */
export const SECTOR_LABELS = {
  public_security: '公安',
  health: '医疗卫生',
  transport: '交通',
  party_government_office: '党委/政府办',
  tourism: '旅游',
  culture_media: '文化广电',
  education: '教育',
  housing_fund: '公积金',
  food_drug: '食品药品',
  taxation: '税务',
  youth_league: '共青团',
  human_resources: '人社',
  publicity: '宣传',
  court: '法院',
  procuratorate: '检察',
  justice: '司法',
  fire_rescue: '消防',
  emergency: '应急管理',
  civil_affairs: '民政',
  commerce: '商务',
  statistics: '统计',
  environment: '生态环境',
  market_regulation: '市场监管',
  agriculture: '农业农村',
  other: '其他',
} as const;
export type Sector = keyof typeof SECTOR_LABELS;
export const SECTORS = Object.keys(SECTOR_LABELS) as Sector[];

const SECTOR_BY_LABEL = new Map<string, Sector>(
  SECTORS.flatMap((code) => [
    [code, code],
    [SECTOR_LABELS[code], code],
  ]),
);
// Common alternative spellings seen in provincial lists.
for (const [alias, code] of [
  ['医疗', 'health'],
  ['卫生健康', 'health'],
  ['卫健', 'health'],
  ['党委', 'party_government_office'],
  ['政府办', 'party_government_office'],
  ['发布', 'party_government_office'],
  ['文化', 'culture_media'],
  ['广电', 'culture_media'],
  ['食品药品安全', 'food_drug'],
  ['人社', 'human_resources'],
  ['人力资源社会保障', 'human_resources'],
] as const) {
  SECTOR_BY_LABEL.set(alias, code);
}

/** Resolves a sector code or its Chinese label (as found in provincial spreadsheets). */
export function resolveSector(value: string): Sector | undefined {
  return SECTOR_BY_LABEL.get(value.trim());
}

/** SQL `IN (...)` list for CHECK constraints built from the same constants. */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}
