import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/database';
import { AuditService } from '../../audit/audit.service';
import type { Clock } from '../../collection/schedule-tick.service';
import { loadConfig } from '../../config/app-config';
import { buildDataSourceOptions } from '../../database/data-source-options';
import { ScoreChangesService } from './score-changes.service';
import { ScoreRunService } from './score-run.service';
import { ScoreScheduler } from './score-scheduler.service';
import {
  createScoringAccounts,
  ensureScoringPartitions,
  writeDailyRange,
  writePosts,
  writeSnapshots,
} from './score-testing';

/*
 * The score schedules on PostgreSQL with a virtual clock: what the daily slot scores, the deferral
 * while a backfill runs, the sweep after a backfill finishes (once across two replicas).
 */

const NOW = new Date('2026-12-01T02:05:00Z'); // 10:05 Asia/Shanghai, Tuesday

describe('score scheduler (PostgreSQL, virtual clock, 2 replicas)', () => {
  const dataSources: DataSource[] = [];
  const schedulers: ScoreScheduler[] = [];
  let db: DataSource;
  const clock: Clock = { now: () => NOW };

  beforeAll(async () => {
    Logger.overrideLogger(false);
    const url = await createTestDatabase();
    const config = loadConfig({
      SCORING_SCHEDULE: 'true',
      SCORING_DAILY_AT: '10:00',
      SCORING_CHANGES_EVERY_MINUTES: '10',
    });
    for (let i = 0; i < 2; i++) {
      const ds = await new DataSource(buildDataSourceOptions(url, 3)).initialize();
      dataSources.push(ds);
      const runs = new ScoreRunService(ds);
      const scheduler = new ScoreScheduler(
        ds,
        config,
        runs,
        new ScoreChangesService(ds, runs, new AuditService()),
        clock,
        `replica-${i}`,
      );
      scheduler.onModuleInit();
      schedulers.push(scheduler);
    }
    db = dataSources[0];
    await ensureScoringPartitions(db, '2026-11-01', '2026-12-31');
    const ids = await createScoringAccounts(db, 'wechat', 3);
    await writeDailyRange(db, ids, '2026-11-19', '2026-11-30');
    await writePosts(db, [
      { accountId: ids[0], id: 'x1', day: '2026-11-25' },
      { accountId: ids[1], id: 'x2', day: '2026-11-30' },
    ]);
    await writeSnapshots(db, [
      { accountId: ids[0], platformPostId: 'x1', publishedOn: '2026-11-25', age: 1, reads: 10 },
    ]);
  });

  afterAll(async () => {
    await Promise.all(dataSources.map((ds) => ds.destroy()));
  });

  const keys = (runs: { periodType: string; periodKey: string }[]) =>
    runs.map((r) => `${r.periodType} ${r.periodKey}`);

  it('the daily slot waits while a backfill runs (its sweep will score)', async () => {
    const [backfill] = await db.query<{ id: number }[]>(
      `INSERT INTO backfill_runs (requested_by, from_day, to_day, accounts, total_days)
       VALUES ('test', '2026-11-19', '2026-12-01', 3, 36) RETURNING id`,
    );
    expect(await schedulers[0].scoreScheduled(NOW)).toEqual([]);
    await db.query(`UPDATE backfill_runs SET done_days = 36, finished_at = now() WHERE id = $1`, [
      backfill.id,
    ]);
  });

  it('sweeps a finished backfill once across replicas: every period overlapping its range, oldest first', async () => {
    const swept = await Promise.all(schedulers.map((s) => s.sweepFinishedBackfills()));
    expect(swept.sort()).toEqual([0, 1]);
    const runs = await db.query<
      { period_type: string; period_key: string; status: string; cause: string }[]
    >(`SELECT period_type, period_key, status, cause FROM score_runs ORDER BY id`);
    expect(runs.every((r) => r.status === 'done' && r.cause.endsWith('finished'))).toBe(true);
    const days = Array.from(
      { length: 12 },
      (_, i) => `day 2026-11-${String(19 + i).padStart(2, '0')}`,
    );
    expect(runs.map((r) => `${r.period_type} ${r.period_key}`)).toEqual([
      ...days,
      'week 2026-W47',
      'week 2026-W48',
      'week 2026-W49',
      'month 2026-11',
      'quarter 2026-Q4',
      'year 2026',
    ]);
    const ledger = await db.query<{ schedule: string; outcome: string }[]>(
      `SELECT schedule, outcome FROM schedule_runs WHERE schedule LIKE 'score.backfill#%'`,
    );
    expect(ledger).toHaveLength(1);
    expect(ledger[0].outcome).toBe('ok');
    expect(await schedulers[0].sweepFinishedBackfills()).toBe(0);
  });

  it('the daily slot: yesterday, the current and previous week/month/quarter/year with data — once across replicas', async () => {
    await Promise.all(schedulers.map((s) => s.tick()));
    const runs = await db.query<{ period_type: string; period_key: string; trigger: string }[]>(
      `SELECT period_type, period_key, trigger FROM score_runs WHERE cause = 'daily schedule 2026-12-01' ORDER BY id`,
    );
    expect(keys(runs.map((r) => ({ periodType: r.period_type, periodKey: r.period_key })))).toEqual(
      [
        'day 2026-11-30',
        'week 2026-W48',
        'week 2026-W49',
        'month 2026-11',
        'quarter 2026-Q4',
        'year 2026',
      ],
    );
    expect(runs.every((r) => r.trigger === 'schedule')).toBe(true);
    const ledger = await db.query<{ schedule: string; outcome: string }[]>(
      `SELECT schedule, outcome FROM schedule_runs WHERE schedule IN ('score.daily', 'score.changes') ORDER BY schedule`,
    );
    expect(ledger).toEqual([
      { schedule: 'score.changes', outcome: 'ok' },
      { schedule: 'score.daily', outcome: 'ok' },
    ]);
  });
});
