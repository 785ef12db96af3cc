import type { ParsedRecord } from '../accounts/import/import-parser';
import type { ImportRowError } from '../accounts/import/import-row.validator';
import { isCalendarDate } from '../common/calendar-date';
import type { IndicatorTree } from './indicator-tree';
import { leafWeights } from './indicator-tree';

/** Columns of an assessment file, and the headers accepted for them (any case, snake_case, Chinese). */
export const ASSESSMENT_COLUMNS = [
  'regionCode',
  'regionName',
  'indicator',
  'score',
  'assessor',
  'evidence',
  'evidenceUrl',
  'assessedAt',
] as const;
export type AssessmentColumn = (typeof ASSESSMENT_COLUMNS)[number];

const CHINESE_HEADERS: [string, AssessmentColumn][] = [
  ['地区代码', 'regionCode'],
  ['行政区划代码', 'regionCode'],
  ['region', 'regionCode'],
  ['地区', 'regionName'],
  ['地区名称', 'regionName'],
  ['指标', 'indicator'],
  ['指标代码', 'indicator'],
  ['indicatorcode', 'indicator'],
  ['indicator_code', 'indicator'],
  ['得分', 'score'],
  ['分数', 'score'],
  ['评估人', 'assessor'],
  ['评估员', 'assessor'],
  ['证据', 'evidence'],
  ['依据', 'evidence'],
  ['说明', 'evidence'],
  ['证据链接', 'evidenceUrl'],
  ['链接', 'evidenceUrl'],
  ['url', 'evidenceUrl'],
  ['评估时间', 'assessedAt'],
  ['评估日期', 'assessedAt'],
];

export const ASSESSMENT_ALIASES: ReadonlyMap<string, string> = new Map([
  ...ASSESSMENT_COLUMNS.flatMap((c): [string, string][] => [
    [c.toLowerCase(), c],
    [c.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`), c],
  ]),
  ...CHINESE_HEADERS,
]);

export const MAX_ASSESSOR_LENGTH = 100;
export const MAX_EVIDENCE_LENGTH = 2000;
export const MAX_URL_LENGTH = 2000;

/** One valid assessment, normalised. */
export interface AssessmentInput {
  row: number;
  regionCode: string;
  indicatorCode: string;
  score: number;
  assessor: string;
  evidence: string | null;
  evidenceUrl: string | null;
  /** null: now, for a new or changed assessment. */
  assessedAt: Date | null;
}

// 2019-01-15, or 2019-01-15 08:30[:00[.000]] with T or space and an optional Z / ±hh:mm;
// without an offset it is Beijing time.
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const SCORE = /^(?:100(?:\.0+)?|\d{1,2}(?:\.\d+)?)$/;
const REGION_CODE = /^\d{6}$/;

/**
 * Maps an indicator as written in a file (its code, or its Chinese name when that is unique among
 * the tree's leaves) to the code of an assessed leaf; measured leaves are refused by name.
 */
export function indicatorResolver(
  tree: IndicatorTree,
): (value: string) => string | { error: string } {
  const leaves = leafWeights(tree);
  const byCode = new Map(leaves.map((l) => [l.code, l]));
  const byName = new Map<string, (typeof leaves)[number][]>();
  for (const l of leaves) byName.set(l.name, [...(byName.get(l.name) ?? []), l]);
  return (value) => {
    const named = byName.get(value);
    const leaf = byCode.get(value) ?? (named?.length === 1 ? named[0] : undefined);
    if (leaf === undefined) {
      return named && named.length > 1
        ? {
            error: `"${value}" names ${named.length} indicators; use the code (${named.map((l) => l.code).join(', ')})`,
          }
        : { error: `"${value}" is not a leaf indicator of the edition's tree` };
    }
    if (leaf.kind === 'measured') {
      return { error: `${leaf.code} (${leaf.name}) is measured from stored data, not assessed` };
    }
    return leaf.code;
  };
}

/**
 * Checks every record without I/O: known columns, a region code, an assessed leaf of the tree, a
 * score 0–100, an assessor, optional evidence text or http(s) URL and time (not in the future),
 * and each (region, indicator) once per file. Every problem is reported with its row and column.
 */
export function validateAssessmentRecords(
  records: readonly ParsedRecord[],
  resolve: (value: string) => string | { error: string },
  now: Date,
): { rows: AssessmentInput[]; errors: ImportRowError[] } {
  const rows: AssessmentInput[] = [];
  const errors: ImportRowError[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    const fail = (column: string, message: string): null => {
      errors.push({ row: record.row, column, message });
      return null;
    };
    const text = (column: AssessmentColumn): string | null => {
      const v = record.values[column];
      if (v === undefined || v === null) return null;
      const s = (
        typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v)
      ).trim();
      return s.length === 0 ? null : s;
    };
    const before = errors.length;
    const invalid = record.values.__invalid;
    if (typeof invalid === 'string') {
      fail('*', invalid);
      continue;
    }
    for (const key of Object.keys(record.values)) {
      if (!(ASSESSMENT_COLUMNS as readonly string[]).includes(key)) {
        fail(key, `unknown column; expected ${ASSESSMENT_COLUMNS.join(', ')}`);
      }
    }
    const regionCode = text('regionCode');
    if (regionCode === null) fail('regionCode', 'is required');
    else if (!REGION_CODE.test(regionCode))
      fail('regionCode', `"${regionCode}" is not a 6-digit region code`);

    const indicatorText = text('indicator');
    let indicatorCode: string | null = null;
    if (indicatorText === null) fail('indicator', 'is required (code or name of an assessed leaf)');
    else {
      const resolved = resolve(indicatorText);
      if (typeof resolved === 'string') indicatorCode = resolved;
      else fail('indicator', resolved.error);
    }

    let score: number | null = null;
    const rawScore = record.values.score;
    if (typeof rawScore === 'number') {
      if (Number.isFinite(rawScore) && rawScore >= 0 && rawScore <= 100) score = rawScore;
      else fail('score', `${rawScore} is not a score from 0 to 100`);
    } else {
      const s = text('score');
      if (s === null) fail('score', 'is required (0–100)');
      else if (!SCORE.test(s)) fail('score', `"${s}" is not a score from 0 to 100`);
      else score = Number(s);
    }

    const assessor = text('assessor');
    if (assessor === null) fail('assessor', 'is required: who assessed it');
    else if (assessor.length > MAX_ASSESSOR_LENGTH) {
      fail('assessor', `is longer than ${MAX_ASSESSOR_LENGTH} characters`);
    }
    const evidence = text('evidence');
    if (evidence !== null && evidence.length > MAX_EVIDENCE_LENGTH) {
      fail('evidence', `is longer than ${MAX_EVIDENCE_LENGTH} characters`);
    }
    const evidenceUrl = text('evidenceUrl');
    if (evidenceUrl !== null && !isHttpUrl(evidenceUrl)) {
      fail(
        'evidenceUrl',
        `"${evidenceUrl.slice(0, 80)}" is not an http(s) URL of at most ${MAX_URL_LENGTH} characters`,
      );
    }
    const assessedAt = parseAssessedAt(text('assessedAt'), now, fail);

    if (regionCode !== null && indicatorCode !== null) {
      const key = `${regionCode}/${indicatorCode}`;
      const first = seen.get(key);
      if (first !== undefined) {
        fail('indicator', `${indicatorCode} of ${regionCode} is also assessed on row ${first}`);
      } else seen.set(key, record.row);
    }
    if (errors.length === before) {
      rows.push({
        row: record.row,
        regionCode: regionCode!,
        indicatorCode: indicatorCode!,
        score: score!,
        assessor: assessor!,
        evidence,
        evidenceUrl,
        assessedAt: assessedAt === undefined ? null : assessedAt,
      });
    }
  }
  return { rows, errors };
}

export function isHttpUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** undefined: not given; null: given and invalid (reported). */
export function parseAssessedAt(
  raw: string | null,
  now: Date,
  fail: (column: string, message: string) => null,
): Date | null | undefined {
  if (raw === null) return undefined;
  const m = DATE_TIME.exec(raw);
  if (!m || !isCalendarDate(m[1])) {
    return fail(
      'assessedAt',
      `"${raw}" is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DD HH:mm[:ss], Beijing time unless an offset is given)`,
    );
  }
  const offset = m[6] ?? '+08:00';
  const at = new Date(
    `${m[1]}T${m[2] ?? '00'}:${m[3] ?? '00'}:${m[4] ?? '00'}${m[5] ?? ''}${offset}`,
  );
  if (Number.isNaN(at.getTime())) return fail('assessedAt', `"${raw}" is not a valid time`);
  if (at.getTime() > now.getTime() + 5 * 60_000)
    return fail('assessedAt', `${raw} is in the future`);
  return at;
}
