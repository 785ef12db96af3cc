import type {
  AccountStatus,
  AdminLevel,
  DataSource,
  Platform,
  Sector,
  WechatType,
} from '../account-taxonomy';
import {
  ADMIN_LEVELS,
  DATA_SOURCES,
  PLATFORMS,
  WECHAT_TYPES,
  resolveSector,
} from '../account-taxonomy';
import {
  MAX_NAME_LENGTH,
  MAX_TAGS,
  MAX_TAG_LENGTH,
  REGION_CODE_PATTERN,
  WECHAT_APP_ID_PATTERN,
  WECHAT_ORIGINAL_ID_PATTERN,
  WEIBO_UID_PATTERN,
  accountIdentityErrors,
  normalizeTags,
} from '../account-rules';
import type { ParsedRecord } from './import-parser';
import { isCalendarDate } from '../../common/calendar-date';

export interface ImportRowError {
  row: number;
  column: string;
  message: string;
}

/** A valid import row, normalised. Optional fields left undefined keep an existing account's value. */
export interface ImportRow {
  row: number;
  platform: Platform;
  wechatOriginalId: string | null;
  wechatAppId: string | null;
  weiboUid: string | null;
  displayName: string;
  organizationId: number | null;
  organizationName: string | null;
  regionCode: string | null;
  level: AdminLevel | null;
  sector: Sector | null;
  wechatType: WechatType | null;
  verified: boolean | null;
  status: Exclude<AccountStatus, 'closed'> | null;
  openedOn: string | null;
  dataSource: DataSource | null;
  tags: string[] | null;
}

export const IMPORT_COLUMNS = [
  'platform',
  'wechatOriginalId',
  'wechatAppId',
  'weiboUid',
  'displayName',
  'organizationId',
  'organizationName',
  'regionCode',
  'level',
  'sector',
  'wechatType',
  'verified',
  'status',
  'openedOn',
  'dataSource',
  'tags',
] as const;

const ALIAS_LIST: [string, (typeof IMPORT_COLUMNS)[number]][] = [
  ['平台', 'platform'],
  ['原始id', 'wechatOriginalId'],
  ['appid', 'wechatAppId'],
  ['微博uid', 'weiboUid'],
  ['uid', 'weiboUid'],
  ['账号名称', 'displayName'],
  ['名称', 'displayName'],
  ['单位id', 'organizationId'],
  ['单位', 'organizationName'],
  ['主办单位', 'organizationName'],
  ['organization', 'organizationName'],
  ['地区代码', 'regionCode'],
  ['行政区划代码', 'regionCode'],
  ['region', 'regionCode'],
  ['行政级别', 'level'],
  ['级别', 'level'],
  ['领域', 'sector'],
  ['行业', 'sector'],
  ['账号类型', 'wechatType'],
  ['类型', 'wechatType'],
  ['认证', 'verified'],
  ['状态', 'status'],
  ['开通日期', 'openedOn'],
  ['数据来源', 'dataSource'],
  ['标签', 'tags'],
];

/** Header → field: canonical names (any case), snake_case and the Chinese headers of provincial lists. */
export const IMPORT_ALIASES: ReadonlyMap<string, string> = new Map([
  ...IMPORT_COLUMNS.flatMap((c) => [
    [c.toLowerCase(), c] as [string, string],
    [c.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`), c] as [string, string],
  ]),
  ...ALIAS_LIST,
]);

const PLATFORM_WORDS = new Map<string, Platform>([
  ...PLATFORMS.map((p) => [p, p] as [string, Platform]),
  ['微信', 'wechat'],
  ['公众号', 'wechat'],
  ['微博', 'weibo'],
]);
const LEVEL_WORDS = new Map<string, AdminLevel>([
  ...ADMIN_LEVELS.map((l) => [l, l] as [string, AdminLevel]),
  ['中央', 'central'],
  ['省级', 'provincial'],
  ['省', 'provincial'],
  ['市级', 'municipal'],
  ['地市级', 'municipal'],
  ['市', 'municipal'],
  ['县级', 'county'],
  ['区县级', 'county'],
  ['县', 'county'],
  ['乡镇', 'township'],
  ['乡镇级', 'township'],
]);
const WECHAT_TYPE_WORDS = new Map<string, WechatType>([
  ...WECHAT_TYPES.map((t) => [t, t] as [string, WechatType]),
  ['订阅号', 'subscription'],
  ['服务号', 'service'],
]);
const BOOLEAN_WORDS = new Map<string, boolean>([
  ['true', true],
  ['1', true],
  ['yes', true],
  ['是', true],
  ['已认证', true],
  ['false', false],
  ['0', false],
  ['no', false],
  ['否', false],
  ['未认证', false],
]);
const STATUS_WORDS = new Map<string, 'active' | 'paused'>([
  ['active', 'active'],
  ['正常', 'active'],
  ['paused', 'paused'],
  ['暂停', 'paused'],
]);
const DATA_SOURCE_SET = new Set<string>(DATA_SOURCES);
const KNOWN_COLUMNS = new Set<string>(IMPORT_COLUMNS);

/** Empty string and null are "not given" in both CSV and JSON. */
function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  // Numbers and booleans from JSON become their text; objects are shown as JSON, so the field's
  // own rule rejects them legibly.
  const s = (typeof value === 'string' ? value : JSON.stringify(value)).trim();
  return s.length === 0 ? null : s;
}

/**
 * Validates one record without I/O. Every problem of the row is reported, each with its column.
 */
export function validateImportRecord(record: ParsedRecord): {
  row?: ImportRow;
  errors: ImportRowError[];
} {
  const errors: ImportRowError[] = [];
  const fail = (column: string, message: string): null => {
    errors.push({ row: record.row, column, message });
    return null;
  };
  const v = record.values;
  if (typeof v.__invalid === 'string')
    return { errors: [{ row: record.row, column: '*', message: v.__invalid }] };
  for (const key of Object.keys(v)) {
    if (!KNOWN_COLUMNS.has(key))
      fail(key, `unknown column; expected one of ${IMPORT_COLUMNS.join(', ')}`);
  }

  const mapped = <T>(
    column: string,
    words: ReadonlyMap<string, T>,
    required: boolean,
  ): T | null => {
    const raw = text(v[column]);
    if (raw === null) return required ? fail(column, 'is required') : null;
    return (
      words.get(raw.toLowerCase()) ??
      words.get(raw) ??
      fail(column, `"${raw}" is not one of ${[...words.keys()].join(', ')}`)
    );
  };
  const patterned = (column: string, pattern: RegExp, hint: string): string | null => {
    const raw = text(v[column]);
    if (raw === null) return null;
    return pattern.test(raw) ? raw : fail(column, `"${raw}" ${hint}`);
  };

  const platform = mapped('platform', PLATFORM_WORDS, true);
  const wechatOriginalId = patterned(
    'wechatOriginalId',
    WECHAT_ORIGINAL_ID_PATTERN,
    'is not a WeChat original id (gh_…)',
  );
  const wechatAppId = patterned(
    'wechatAppId',
    WECHAT_APP_ID_PATTERN,
    'is not a WeChat AppID (wx + 16 hex digits)',
  );
  const weiboUid = patterned('weiboUid', WEIBO_UID_PATTERN, 'is not a numeric Weibo uid');
  const wechatType = mapped('wechatType', WECHAT_TYPE_WORDS, false);

  const displayName = text(v.displayName);
  if (displayName === null) fail('displayName', 'is required');
  else if (displayName.length > MAX_NAME_LENGTH)
    fail('displayName', `is longer than ${MAX_NAME_LENGTH} characters`);

  let organizationId: number | null = null;
  const rawOrgId = text(v.organizationId);
  if (rawOrgId !== null) {
    organizationId = /^[1-9][0-9]{0,9}$/.test(rawOrgId)
      ? Number(rawOrgId)
      : fail('organizationId', `"${rawOrgId}" is not an id`);
  }
  const organizationName = text(v.organizationName);
  const level = mapped('level', LEVEL_WORDS, organizationId === null);
  const rawSector = text(v.sector);
  let sector: Sector | null = null;
  if (rawSector !== null) {
    sector = resolveSector(rawSector) ?? fail('sector', `"${rawSector}" is not a known sector`);
  } else if (organizationId === null) {
    fail('sector', 'is required when organizationId is not given');
  }
  if (organizationId === null && organizationName === null) {
    fail(
      'organizationName',
      'give organizationName (with regionCode, level, sector) or organizationId',
    );
  } else if (organizationName !== null && organizationName.length > MAX_NAME_LENGTH) {
    fail('organizationName', `is longer than ${MAX_NAME_LENGTH} characters`);
  }
  const regionCode = patterned(
    'regionCode',
    REGION_CODE_PATTERN,
    'is not a 6-digit GB/T 2260 code',
  );
  if (
    regionCode === null &&
    text(v.regionCode) === null &&
    organizationId === null &&
    level !== null &&
    level !== 'central'
  ) {
    fail('regionCode', 'is required unless level is central');
  }

  const verified = mapped('verified', BOOLEAN_WORDS, false);
  const status = mapped('status', STATUS_WORDS, false);
  const openedOn = text(v.openedOn);
  if (openedOn !== null && !isCalendarDate(openedOn))
    fail('openedOn', `"${openedOn}" is not a date (YYYY-MM-DD)`);
  const rawSource = text(v.dataSource);
  const dataSource =
    rawSource === null
      ? null
      : DATA_SOURCE_SET.has(rawSource)
        ? (rawSource as DataSource)
        : fail('dataSource', `"${rawSource}" is not one of ${DATA_SOURCES.join(', ')}`);

  let tags: string[] | null = null;
  const rawTags = v.tags;
  if (Array.isArray(rawTags)) {
    tags = rawTags.every((t) => typeof t === 'string')
      ? normalizeTags(rawTags)
      : fail('tags', 'must be strings');
  } else if (text(rawTags) !== null) {
    tags = normalizeTags(text(rawTags)!.split(/[;|；，,]/));
  }
  if (tags && tags.length > MAX_TAGS) fail('tags', `at most ${MAX_TAGS} tags`);
  if (tags?.some((t) => t.length > MAX_TAG_LENGTH))
    fail('tags', `a tag is at most ${MAX_TAG_LENGTH} characters`);

  if (platform !== null) {
    for (const e of accountIdentityErrors({
      platform,
      wechatOriginalId,
      wechatAppId,
      weiboUid,
      wechatType,
    })) {
      if (!errors.some((x) => x.column === e.field)) fail(e.field, e.message);
    }
  }
  if (errors.length > 0 || platform === null || displayName === null) return { errors };
  return {
    errors,
    row: {
      row: record.row,
      platform,
      wechatOriginalId,
      wechatAppId,
      weiboUid,
      displayName,
      organizationId,
      organizationName,
      regionCode,
      level,
      sector,
      wechatType,
      verified,
      status,
      openedOn,
      dataSource,
      tags,
    },
  };
}

/** Platform ids must be unique within the file too. */
export function duplicateIdErrors(rows: readonly ImportRow[]): ImportRowError[] {
  const errors: ImportRowError[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    for (const [column, value] of [
      ['wechatOriginalId', r.wechatOriginalId],
      ['wechatAppId', r.wechatAppId],
      ['weiboUid', r.weiboUid],
    ] as const) {
      if (value === null) continue;
      const key = `${column}:${value}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, r.row);
      else errors.push({ row: r.row, column, message: `"${value}" also appears in row ${first}` });
    }
  }
  return errors;
}
