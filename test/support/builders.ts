/** Builders for import files: one valid row per index, deterministic. */
export interface ImportRowInput {
  platform: string;
  wechatOriginalId?: string;
  wechatAppId?: string;
  weiboUid?: string;
  displayName: string;
  organizationName?: string;
  regionCode?: string;
  level?: string;
  sector?: string;
  wechatType?: string;
  verified?: string;
  tags?: string;
}

export const IMPORT_HEADER = [
  'platform',
  'wechatOriginalId',
  'wechatAppId',
  'weiboUid',
  'displayName',
  'organizationName',
  'regionCode',
  'level',
  'sector',
  'wechatType',
  'verified',
  'tags',
] as const;

const PREFECTURES = ['510100', '510700', '511000', '513300', '110000', '440300'];
const SECTORS = ['公安', '医疗卫生', '交通', '党委/政府办', '旅游', '教育'];

export function buildImportRow(i: number, overrides: Partial<ImportRowInput> = {}): ImportRowInput {
  const wechat = i % 3 !== 2;
  const region = PREFECTURES[i % PREFECTURES.length];
  const sector = SECTORS[i % SECTORS.length];
  return {
    platform: wechat ? 'wechat' : 'weibo',
    wechatOriginalId: wechat ? `gh_${i.toString(16).padStart(12, '0')}` : undefined,
    wechatAppId: wechat && i % 2 === 0 ? `wx${i.toString(16).padStart(16, '0')}` : undefined,
    weiboUid: wechat ? undefined : String(1_000_000_000 + i),
    displayName: `账号 ${i}`,
    organizationName: `${region} ${sector} 单位 ${i % 40}`,
    regionCode: region,
    level: region.endsWith('0000') ? 'provincial' : 'municipal',
    sector,
    wechatType: wechat ? (i % 10 < 3 ? '服务号' : '订阅号') : undefined,
    verified: i % 4 === 0 ? '是' : '否',
    tags: i % 5 === 0 ? '重点;省级' : '',
    ...overrides,
  };
}

/** CSV with a UTF-8 BOM, quoting every cell. */
export function toCsv(rows: ImportRowInput[], bom = true): string {
  const quote = (v: string | undefined) => `"${(v ?? '').replace(/"/g, '""')}"`;
  const lines = [
    IMPORT_HEADER.join(','),
    ...rows.map((r) => IMPORT_HEADER.map((h) => quote(r[h])).join(',')),
  ];
  return `${bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
}
