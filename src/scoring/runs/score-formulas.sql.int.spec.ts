import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../../test/support/database';
import { computeActivity } from '../formulas/activity';
import { computeBci, type BciInputs } from '../formulas/bci';
import { WCI_VERSIONS, computeWci, type WciInputs } from '../formulas/wci';
import { addDays } from '../../common/calendar-date';
import { activitySql, bciSql, layered, wciSql } from './score-formulas.sql';

/*
 * The SQL mirrors of the formulas against the TypeScript originals, on PostgreSQL: the reference
 * vectors (reference §1.6, §2.1) and seeded random inputs with NULLs, zeros and 10万+ values.
 * Equality is to 1e-12 relative: both sides do the same float8 operations in the same order, only
 * ln() may differ in its last bit between glibc and V8.
 */

const WCI_COLS = ['r', 'rt', 'rmax', 'z', 'zt', 'zmax', 'l', 'lt', 'lmax', 're', 'ret', 'remax'];
const WCI_SYMBOLS = [
  'R',
  'Rt',
  'Rmax',
  'Z',
  'Zt',
  'Zmax',
  'L',
  'Lt',
  'Lmax',
  'RE',
  'REt',
  'REmax',
] as const;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function close(actual: number | null, expected: number | null): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  const tolerance = Math.max(Math.abs(expected), 1) * 1e-12;
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tolerance);
}

describe('score formulas in SQL == src/scoring/formulas (PostgreSQL)', () => {
  let db: DataSource;

  beforeAll(async () => {
    db = await openTestDataSource(await createTestDatabase());
  });
  afterAll(async () => {
    await db.destroy();
  });

  async function wciInSql(version: (typeof WCI_VERSIONS)[number], rows: WciInputs[]) {
    const sql = wciSql(version, 'd');
    const columns = ['d', 'n', ...WCI_COLS];
    const arrays = [
      rows.map((r) => r.d),
      rows.map((r) => r.n),
      ...WCI_SYMBOLS.map((s) => rows.map((r) => r[s])),
    ];
    return db.query<{ score: number | null; used: string[]; missing: string[] }[]>(
      `SELECT ${sql.score} AS score, ${sql.inputsUsed} AS used, ${sql.inputsMissing} AS missing
         FROM ${layered(
           `unnest(${columns.map((_, i) => `$${i + 1}::bigint[]`).join(', ')}) WITH ORDINALITY AS v(${columns.join(', ')}, ord)`,
           sql.layers,
         )}
        ORDER BY ord`,
      arrays,
    );
  }

  const reference: WciInputs = {
    d: 7,
    n: 14,
    R: 70000,
    Z: 700,
    L: 1400,
    RE: 2100,
    Rt: 49000,
    Zt: 490,
    Lt: 980,
    REt: 1470,
    Rmax: 12000,
    Zmax: 150,
    Lmax: 300,
    REmax: 400,
  };

  it('reproduces the reference vectors (§1.6) for every WCI version', async () => {
    const expected = { 'wci-v13': 734.777, 'wci-v14.2': 882.388, 'wci-v14.2-blog': 766.338 };
    for (const version of WCI_VERSIONS) {
      const [row] = await wciInSql(version, [reference]);
      const ts = computeWci(reference, version);
      expect(row.score).toBeCloseTo(expected[version], 3);
      close(row.score, ts.value);
      expect(row.used).toEqual(ts.inputsUsed);
      expect(row.missing).toEqual(ts.inputsMissing);
    }
  });

  it('matches computeWci on random inputs with NULLs (missing), zeros and 10万+', async () => {
    const random = rng(20261201);
    const value = (max: number) => {
      const x = random();
      if (x < 0.1) return null;
      if (x < 0.15) return 0;
      if (x < 0.2) return 100001;
      return Math.floor(random() * max);
    };
    const rows: WciInputs[] = [];
    for (let i = 0; i < 2_000; i++) {
      const metric = (max: number) => {
        // A metric is missing as a whole (all three NULL) or not at all, like the run's columns.
        const sum = value(max);
        if (sum === null) return [null, null, null] as const;
        const head = Math.floor(sum * random());
        return [sum, head, Math.min(sum, Math.floor(random() * max))] as const;
      };
      const [R, Rt, Rmax] = random() < 0.03 ? [null, null, null] : metric(2_000_000);
      const [Z, Zt, Zmax] = metric(50_000);
      const [L, Lt, Lmax] = metric(50_000);
      const [RE, REt, REmax] = metric(80_000);
      const d = [1, 7, 30, 91, 92, 365][i % 6];
      rows.push({
        d,
        n: random() < 0.05 ? 0 : 1 + Math.floor(random() * 400),
        R,
        Rt,
        Rmax,
        Z,
        Zt,
        Zmax,
        L,
        Lt,
        Lmax,
        RE,
        REt,
        REmax,
      });
    }
    for (const version of WCI_VERSIONS) {
      const result = await wciInSql(version, rows);
      rows.forEach((inputs, i) => {
        const ts = computeWci(inputs, version);
        close(result[i].score, ts.value);
        expect(result[i].used).toEqual(ts.inputsUsed);
        expect(result[i].missing).toEqual(ts.inputsMissing);
      });
    }
  });

  async function bciInSql(rows: BciInputs[]) {
    const sql = bciSql('bci-2021');
    return db.query<{ score: number | null; used: string[]; missing: string[] }[]>(
      `SELECT ${sql.score} AS score, ${sql.inputsUsed} AS used, ${sql.inputsMissing} AS missing
         FROM ${layered(
           'unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS v(n, reposts, comments, l, ord)',
           sql.layers,
         )}
        ORDER BY ord`,
      [
        rows.map((r) => r.posts),
        rows.map((r) => r.reposts),
        rows.map((r) => r.comments),
        rows.map((r) => r.likes),
      ],
    );
  }

  it('matches computeBci on the reference vector (§2.1) and random inputs', async () => {
    const [row] = await bciInSql([{ posts: 100, reposts: 5000, comments: 3000, likes: 20000 }]);
    expect(row.score).toBeCloseTo(1247.25, 2);
    const random = rng(7);
    const maybe = (max: number) => (random() < 0.15 ? null : Math.floor(random() * max));
    const rows: BciInputs[] = Array.from({ length: 2_000 }, () => ({
      posts: Math.floor(random() * 300),
      reposts: maybe(100_000),
      comments: maybe(50_000),
      likes: maybe(500_000),
    }));
    const result = await bciInSql(rows);
    rows.forEach((inputs, i) => {
      const ts = computeBci(inputs);
      close(result[i].score, ts.value);
      expect(result[i].used).toEqual(ts.inputsUsed);
      expect(result[i].missing).toEqual(ts.inputsMissing);
    });
  });

  it('matches computeActivity (activity-v1) bit for bit, stale and dormant included', async () => {
    const random = rng(99);
    const start = '2026-01-01';
    const results = Array.from({ length: 1_000 }, () => {
      const days = [1, 7, 28, 30, 31, 90, 365][Math.floor(random() * 7)];
      const end = addDays(start, days - 1);
      const postDays = Array.from(
        { length: Math.floor(random() * 2 * days) * (random() < 0.3 ? 0 : 1) },
        () => addDays(start, Math.floor(random() * days)),
      );
      const before = random() < 0.3 ? null : addDays(start, -1 - Math.floor(random() * 200));
      return computeActivity({ start, end }, { postDays, lastPostDay: before, interactions: null });
    });
    const sql = activitySql('days');
    const rows = await db.query<{ score: number; stale: boolean; dormant: boolean }[]>(
      `SELECT ${sql.score} AS score, ${sql.stale} AS stale, ${sql.dormant} AS dormant
         FROM unnest($1::int[], $2::int[], $3::int[], $4::int[]) WITH ORDINALITY
              AS v(days, active_days, n, days_since_last_post, ord)
        ORDER BY ord`,
      [
        results.map((a) => a.days),
        results.map((a) => a.activeDays),
        results.map((a) => a.posts),
        results.map((a) => a.daysSinceLastPost),
      ],
    );
    expect(results.some((a) => a.dormant && a.daysSinceLastPost !== null)).toBe(true);
    expect(results.some((a) => a.stale && !a.dormant)).toBe(true);
    results.forEach((ts, i) => {
      expect(rows[i].score).toBe(ts.score);
      expect(rows[i].stale).toBe(ts.stale);
      expect(rows[i].dormant).toBe(ts.dormant);
    });
  });
});
