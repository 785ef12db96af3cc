import {
  WECHAT_APP_ID_PATTERN,
  WECHAT_ORIGINAL_ID_PATTERN,
  WEIBO_UID_PATTERN,
} from '../../accounts/account-rules';
import type { ParsedRecord } from '../../accounts/import/import-parser';
import type { ImportRowError } from '../../accounts/import/import-row.validator';
import { BUSINESS_TIME_ZONE, businessDate } from '../../common/business-date';
import { isCalendarDate } from '../../common/calendar-date';
import {
  ACCOUNT_REF_COLUMNS,
  DAILY_COUNTER_COLUMNS,
  type DailyCounterColumn,
  METRIC_IMPORT_COLUMNS,
  type MetricImportKind,
  POST_COUNTER_COLUMNS,
  type PostCounterColumn,
} from './metric-import-columns';

/** How a row names its account: by id or by any platform id (resolved against the registry). */
export interface AccountRef {
  accountId: number | null;
  wechatAppId: string | null;
  wechatOriginalId: string | null;
  weiboUid: string | null;
}

export interface DailyImportRow {
  row: number;
  ref: AccountRef;
  day: string;
  counters: Record<DailyCounterColumn, number | null>;
}

/** One observation of one post: the post itself and its counters on `observedDay`. */
export interface PostImportRow {
  row: number;
  ref: AccountRef;
  platformPostId: string;
  publishedAt: Date;
  /** Asia/Shanghai date of publishedAt. */
  publishedOn: string;
  position: number | null;
  isRepost: boolean | null;
  title: string | null;
  url: string | null;
  observedDay: string;
  counters: Record<PostCounterColumn, number | null>;
}

/** Weibo launched in 2009; older days are typos, and each month would need a partition. */
export const MIN_METRIC_DAY = '2009-01-01';
/** WeChat shows reads above 100,000 as "10万+"; stored as 100001 so it sorts above 100000. */
export const WAN_PLUS_READS = 100_001;
export const MAX_POST_ID_LENGTH = 200;
export const MAX_TITLE_LENGTH = 1000;
export const MAX_URL_LENGTH = 2000;

const TRUE_WORDS = new Set(['true', '1', 'yes', '是', '转载']);
const FALSE_WORDS = new Set(['false', '0', 'no', '否', '原创']);
// 2026-11-20 08:30[:00[.000]], T or space, optional Z / ±hh:mm; without an offset it is Beijing time.
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Reads one parsed record cell by cell, collecting every problem with its column. */
class RecordReader {
  readonly errors: ImportRowError[] = [];

  constructor(
    private readonly record: ParsedRecord,
    private readonly today: string,
  ) {}

  fail(column: string, message: string): null {
    this.errors.push({ row: this.record.row, column, message });
    return null;
  }

  /** Empty string and null are "not given" in both CSV and JSON. */
  text(column: string): string | null {
    const value = this.record.values[column];
    if (value === undefined || value === null) return null;
    const s = (typeof value === 'string' ? value : JSON.stringify(value)).trim();
    return s.length === 0 ? null : s;
  }

  checkColumns(known: readonly string[]): boolean {
    const invalid = this.record.values.__invalid;
    if (typeof invalid === 'string') return this.fail('*', invalid) ?? false;
    for (const key of Object.keys(this.record.values)) {
      if (!known.includes(key))
        this.fail(key, `unknown column; expected one of ${known.join(', ')}`);
    }
    return true;
  }

  /** A non-negative whole number, or null for an empty cell (never 0 in its place). */
  counter(column: string, wanPlus = false): number | null {
    const value = this.record.values[column];
    if (typeof value === 'number') {
      return Number.isSafeInteger(value) && value >= 0
        ? value
        : this.fail(column, `${value} is not a non-negative whole number`);
    }
    const raw = this.text(column);
    if (raw === null) return null;
    if (wanPlus && /^(10万\+|100000\+)$/.test(raw)) return WAN_PLUS_READS;
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      return this.fail(
        column,
        `"${raw}" is not a non-negative whole number${wanPlus ? ' (or 10万+)' : ''}`,
      );
    }
    return Number(raw);
  }

  day(column: string, required: boolean): string | null {
    const raw = this.text(column);
    if (raw === null) return required ? this.fail(column, 'is required') : null;
    if (!isCalendarDate(raw)) return this.fail(column, `"${raw}" is not a date (YYYY-MM-DD)`);
    if (raw < MIN_METRIC_DAY) return this.fail(column, `${raw} is before ${MIN_METRIC_DAY}`);
    if (raw > this.today)
      return this.fail(column, `${raw} is in the future (today is ${this.today})`);
    return raw;
  }

  dateTime(column: string): Date | null {
    const raw = this.text(column);
    if (raw === null) return this.fail(column, 'is required');
    const m = DATE_TIME.exec(raw);
    if (!m || !isCalendarDate(m[1])) {
      return this.fail(
        column,
        `"${raw}" is not a date and time (YYYY-MM-DD HH:mm[:ss], Beijing time unless an offset is given)`,
      );
    }
    const offset = m[6] ?? '+08:00';
    return new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}${m[5] ?? ''}${offset}`);
  }

  pattern(column: string, pattern: RegExp, hint: string): string | null {
    const raw = this.text(column);
    if (raw === null) return null;
    return pattern.test(raw) ? raw : this.fail(column, `"${raw}" ${hint}`);
  }

  accountRef(): AccountRef {
    const rawId = this.text('accountId');
    const ref: AccountRef = {
      accountId:
        rawId === null
          ? null
          : /^[1-9][0-9]{0,9}$/.test(rawId) && Number(rawId) <= 2_147_483_647
            ? Number(rawId)
            : this.fail('accountId', `"${rawId}" is not an account id`),
      wechatAppId: this.pattern(
        'wechatAppId',
        WECHAT_APP_ID_PATTERN,
        'is not a WeChat AppID (wx + 16 hex digits)',
      ),
      wechatOriginalId: this.pattern(
        'wechatOriginalId',
        WECHAT_ORIGINAL_ID_PATTERN,
        'is not a WeChat original id (gh_…)',
      ),
      weiboUid: this.pattern('weiboUid', WEIBO_UID_PATTERN, 'is not a numeric Weibo uid'),
    };
    if (ACCOUNT_REF_COLUMNS.every((c) => this.text(c) === null)) {
      this.fail('accountId', `give one of ${ACCOUNT_REF_COLUMNS.join(', ')}`);
    }
    return ref;
  }
}

function counters<C extends string>(
  reader: RecordReader,
  columns: readonly C[],
): Record<C, number | null> {
  return Object.fromEntries(columns.map((c) => [c, reader.counter(c, c === 'reads')])) as Record<
    C,
    number | null
  >;
}

/** One row of daily account metrics (kind=daily), checked without I/O. */
export function validateDailyRecord(
  record: ParsedRecord,
  today: string,
): { row?: DailyImportRow; errors: ImportRowError[] } {
  const reader = new RecordReader(record, today);
  if (!reader.checkColumns(METRIC_IMPORT_COLUMNS.daily)) return { errors: reader.errors };
  const ref = reader.accountRef();
  const day = reader.day('day', true);
  const values = counters(reader, DAILY_COUNTER_COLUMNS);
  if (reader.errors.length > 0 || day === null) return { errors: reader.errors };
  return { errors: [], row: { row: record.row, ref, day, counters: values } };
}

/** One post observation (kind=posts), checked without I/O. */
export function validatePostRecord(
  record: ParsedRecord,
  today: string,
): { row?: PostImportRow; errors: ImportRowError[] } {
  const reader = new RecordReader(record, today);
  if (!reader.checkColumns(METRIC_IMPORT_COLUMNS.posts)) return { errors: reader.errors };
  const ref = reader.accountRef();
  const platformPostId = reader.text('platformPostId');
  if (platformPostId === null) reader.fail('platformPostId', 'is required');
  else if (platformPostId.length > MAX_POST_ID_LENGTH)
    reader.fail('platformPostId', `is longer than ${MAX_POST_ID_LENGTH} characters`);
  const publishedAt = reader.dateTime('publishedAt');
  const publishedOn = publishedAt ? businessDate(publishedAt) : null;
  if (publishedOn !== null && publishedOn > today)
    reader.fail('publishedAt', `is in the future (today is ${today}, ${BUSINESS_TIME_ZONE})`);

  let position: number | null = null;
  const rawPosition = reader.text('position');
  if (rawPosition === '头条') position = 1;
  else if (rawPosition !== null) {
    position = /^[1-9][0-9]{0,3}$/.test(rawPosition)
      ? Number(rawPosition)
      : reader.fail('position', `"${rawPosition}" is not a position (1 = 头条, 2, 3, …)`);
  }
  let isRepost: boolean | null = null;
  const rawRepost = reader.text('isRepost')?.toLowerCase() ?? null;
  if (rawRepost !== null) {
    isRepost = TRUE_WORDS.has(rawRepost)
      ? true
      : FALSE_WORDS.has(rawRepost)
        ? false
        : reader.fail('isRepost', `"${rawRepost}" is not one of true/false, 是/否, 转载/原创`);
  }
  const title = reader.text('title');
  if (title !== null && title.length > MAX_TITLE_LENGTH)
    reader.fail('title', `is longer than ${MAX_TITLE_LENGTH} characters`);
  const url = reader.text('url');
  if (url !== null && (!/^https?:\/\/\S+$/i.test(url) || url.length > MAX_URL_LENGTH))
    reader.fail('url', `is not an http(s) URL of at most ${MAX_URL_LENGTH} characters`);
  const observedDay = reader.day('observedDay', true);
  if (observedDay !== null && publishedOn !== null && observedDay < publishedOn)
    reader.fail('observedDay', `${observedDay} is before the publication day ${publishedOn}`);
  const values = counters(reader, POST_COUNTER_COLUMNS);

  if (
    reader.errors.length > 0 ||
    platformPostId === null ||
    publishedAt === null ||
    publishedOn === null ||
    observedDay === null
  ) {
    return { errors: reader.errors };
  }
  return {
    errors: [],
    row: {
      row: record.row,
      ref,
      platformPostId,
      publishedAt,
      publishedOn,
      position,
      isRepost,
      title,
      url,
      observedDay,
      counters: values,
    },
  };
}

/** Validates every record of a file; returns the valid rows and every error. */
export function validateMetricRecords(
  kind: MetricImportKind,
  records: ParsedRecord[],
  today: string,
): { daily: DailyImportRow[]; posts: PostImportRow[]; errors: ImportRowError[] } {
  const daily: DailyImportRow[] = [];
  const posts: PostImportRow[] = [];
  const errors: ImportRowError[] = [];
  for (const record of records) {
    if (kind === 'daily') {
      const result = validateDailyRecord(record, today);
      errors.push(...result.errors);
      if (result.row) daily.push(result.row);
    } else {
      const result = validatePostRecord(record, today);
      errors.push(...result.errors);
      if (result.row) posts.push(result.row);
    }
  }
  return { daily, posts, errors };
}
