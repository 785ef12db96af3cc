import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../../test/support/database';
import { AuditService } from '../../audit/audit.service';
import { upsertPostSnapshots } from '../../metrics/metric-writers';
import { periodOf, type PeriodType } from '../periods';
import { ScoreChangesService, changedFields } from './score-changes.service';
import { ScoreRunService } from './score-run.service';
import {
  createScoringAccounts,
  ensureScoringPartitions,
  storedScores,
  writeDailyRange,
  writePosts,
  writeSnapshots,
} from './score-testing';

/*
 * R24 on PostgreSQL: a raw value of an already scored period changes (through the real metric
 * writer) → the trigger records it with old and new values → the consumer recomputes exactly the
 * scored periods it touches, once, and writes an audit row with old value, new value and cause.
 */

interface AuditRow {
  action: string;
  entity_type: string;
  entity_id: string;
  actor_name: string;
  before: {
    periodKey: string;
    changes: { table: string; accountId: number; values: Record<string, unknown> | null }[];
  };
  after: {
    periodKey: string;
    cause: string;
    changes: { values: Record<string, unknown>; cause: string }[];
  };
}

describe('change-triggered recompute (PostgreSQL)', () => {
  let db: DataSource;
  let runs: ScoreRunService;
  let changes: ScoreChangesService;
  let a: number;
  let b: number;
  const day = '2026-10-14'; // a Wednesday of 2026-W42

  const score = (type: PeriodType, date: string) =>
    runs.run({
      platform: 'wechat',
      period: periodOf(type, date),
      formulaVersion: 'wci-v14.2',
      trigger: 'schedule',
      requestedBy: 'test',
    });
  const pending = () =>
    db.query<
      {
        id: string;
        source_table: string;
        operation: string;
        old_values: Record<string, unknown> | null;
        new_values: Record<string, unknown>;
        cause: string;
        day: string;
      }[]
    >(
      `SELECT id, source_table, operation, old_values, new_values, cause, day::text AS day
         FROM score_invalidations WHERE consumed_at IS NULL ORDER BY id`,
    );
  const runCount = async () =>
    (await db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM score_runs`))[0].n;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await openTestDataSource(await createTestDatabase());
    runs = new ScoreRunService(db);
    changes = new ScoreChangesService(db, runs, new AuditService());
    await ensureScoringPartitions(db, '2026-09-01', '2026-11-30');
    [a, b] = await createScoringAccounts(db, 'wechat', 2);
    await writePosts(db, [{ accountId: a, id: 'p1', day }]);
    await writeSnapshots(db, [
      {
        accountId: a,
        platformPostId: 'p1',
        publishedOn: day,
        age: 1,
        reads: 500,
        zaikan: 5,
        likes: 5,
        shares: 5,
      },
      {
        accountId: a,
        platformPostId: 'p1',
        publishedOn: day,
        age: 7,
        reads: 900,
        zaikan: 9,
        likes: 9,
        shares: 9,
      },
    ]);
    await writeDailyRange(db, [a, b], '2026-09-30', '2026-10-31');
    for (const [type, date] of [
      ['day', day],
      ['week', day],
      ['week', '2026-10-21'],
      ['month', day],
    ] as const) {
      expect((await score(type, date)).status).toBe('done');
    }
  });

  afterAll(async () => {
    await db.destroy();
  });

  it('writes made before any period was scored are not changes', async () => {
    expect(await pending()).toEqual([]);
  });

  it('a replay of the same values records nothing', async () => {
    const written = await writeSnapshots(db, [
      {
        accountId: a,
        platformPostId: 'p1',
        publishedOn: day,
        age: 1,
        reads: 500,
        zaikan: 5,
        likes: 5,
        shares: 5,
      },
    ]);
    expect(written).toBe(0);
    expect(await pending()).toEqual([]);
  });

  it('a corrected T+1 read count: one change row, one recompute per scored period that holds it, one audit row each', async () => {
    const before = await runCount();
    await upsertPostSnapshots(db.manager, [
      {
        accountId: a,
        platformPostId: 'p1',
        publishedOn: day,
        observedDay: '2026-10-15',
        reads: 650,
        source: 'vendor',
      },
    ]);
    const [change, ...more] = await pending();
    expect(more).toEqual([]);
    expect(change).toMatchObject({
      source_table: 'post_metric_snapshots',
      operation: 'UPDATE',
      day,
      cause: 'post_metric_snapshots value changed (source vendor)',
    });
    expect(changedFields(change.old_values, change.new_values).sort()).toEqual(['reads', 'source']);
    expect(change.old_values?.reads).toBe(500);
    expect(change.new_values.reads).toBe(650);

    const result = await changes.recomputeChanged();
    expect(result.changes).toBe(1);
    // Exactly the scored periods containing the day: the day, its week, its month (not W43).
    expect(result.runs.map((r) => `${r.periodType} ${r.periodKey} ${r.trigger}`)).toEqual([
      'day 2026-10-14 data_change',
      'week 2026-W42 data_change',
      'month 2026-10 data_change',
    ]);
    expect(result.runs.every((r) => r.status === 'done' && r.formulaVersion === 'wci-v14.2')).toBe(
      true,
    );
    expect(await runCount()).toBe(before + 3);
    // The day uses T+1: changed; the week and month use T+7: recomputed, nothing rewritten.
    expect(result.runs.map((r) => r.accounts)).toEqual([1, 0, 0]);
    const [dayScore] = await storedScores(db, 'day', day, { accountIds: [a] });
    expect(dayScore.total_reads).toBe('650');

    const audit = await db.query<AuditRow[]>(
      `SELECT action, entity_type, entity_id, actor_name, before, after FROM audit_log
        WHERE action = 'score.recompute' ORDER BY id`,
    );
    expect(audit).toHaveLength(3);
    expect(audit.map((r) => r.entity_id)).toEqual(result.runs.map((r) => String(r.id)));
    expect(audit[0]).toMatchObject({ entity_type: 'score_run', actor_name: 'system:scoring' });
    expect(audit[0].before.changes[0]).toMatchObject({
      table: 'post_metric_snapshots',
      accountId: a,
      values: { reads: 500, source: 'official_api' },
    });
    expect(audit[0].after.changes[0]).toMatchObject({
      values: { reads: 650, source: 'vendor' },
      cause: 'post_metric_snapshots value changed (source vendor)',
    });
    expect(audit[0].after.cause).toContain('post_metric_snapshots value changed');

    // Consumed: a second pass recomputes nothing.
    expect(await changes.recomputeChanged()).toEqual({ changes: 0, runs: [] });
  });

  it('a writer-given cause, and a post added before a later scored period (its days since last post)', async () => {
    await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('gmm.score_change_cause', 'manual correction #7', true)`);
      await tx.query(
        `INSERT INTO posts (account_id, published_on, platform_post_id, published_at, position, source)
         VALUES ($1, '2026-10-16', 'late', '2026-10-16T02:00:00Z', 1, 'manual')`,
        [b],
      );
    });
    const [change] = await pending();
    expect(change).toMatchObject({
      source_table: 'posts',
      operation: 'INSERT',
      cause: 'manual correction #7',
    });
    expect(change.old_values).toBeNull();
    const [w43Before] = await storedScores(db, 'week', '2026-10-19', { accountIds: [b] });
    expect(w43Before.days_since_last_post).toBeNull();

    const result = await changes.recomputeChanged();
    expect(result.runs.map((r) => `${r.periodType} ${r.periodKey}`)).toEqual([
      'week 2026-W42',
      'week 2026-W43', // no post of B in it, but its days since last post moved
      'month 2026-10',
    ]);
    const [w43] = await storedScores(db, 'week', '2026-10-19', { accountIds: [b] });
    expect(w43.days_since_last_post).toBe(9);
    const [audit] = await db.query<AuditRow[]>(
      `SELECT before, after FROM audit_log WHERE action = 'score.recompute' AND entity_id = $1`,
      [String(result.runs[1].id)],
    );
    expect(audit.before.changes[0].values).toBeNull();
    expect(audit.after.changes[0]).toMatchObject({
      cause: 'manual correction #7',
      values: { platform_post_id: 'late' },
    });
  });

  it('a change on a day of no scored period is consumed without a run', async () => {
    const before = await runCount();
    await writeSnapshots(db, [
      { accountId: a, platformPostId: 'p0', publishedOn: '2026-09-10', age: 1, reads: 1 },
    ]);
    expect(await pending()).toHaveLength(1);
    expect(await changes.recomputeChanged()).toMatchObject({ changes: 1, runs: [] });
    expect(await runCount()).toBe(before);
  });
});
