import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildDataSourceOptions } from '../database/data-source-options';
import { createTestDatabase } from '../../test/support/database';
import { CreateScheduleRuns1795327133721 } from '../../migrations/1795327133721-CreateScheduleRuns';
import type { ScheduleDefinition } from './schedule-slots';
import { type Clock, ScheduleTickService, type SlotContext } from './schedule-tick.service';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const REPLICAS = 5;

/** A virtual clock; `skewMs` shifts one replica's view of it. */
class VirtualClock {
  constructor(public t: number) {}
  view(skewMs = 0): Clock {
    return { now: () => new Date(this.t + skewMs) };
  }
}

interface Replica {
  service: ScheduleTickService;
  calls: { slot: Date; backfilled: boolean }[];
}

interface LedgerRow {
  slot: Date;
  claimed_by: string;
  backfilled: boolean;
  outcome: string | null;
}

describe('scheduler of record (PostgreSQL, 5 replicas)', () => {
  const dataSources: DataSource[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    const url = await createTestDatabase();
    for (let i = 0; i < REPLICAS; i++) {
      dataSources.push(await new DataSource(buildDataSourceOptions(url, 2)).initialize());
    }
  });

  afterAll(async () => {
    await Promise.all(dataSources.map((ds) => ds.destroy()));
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  function replicas(
    schedule: ScheduleDefinition,
    clock: VirtualClock,
    skews: number[] = [],
  ): Replica[] {
    return dataSources.map((ds, i) => {
      const calls: Replica['calls'] = [];
      const service = new ScheduleTickService(
        ds,
        clock.view(skews[i] ?? 0),
        [schedule],
        `replica-${i}`,
      );
      service.registerHandler(schedule.name, (slot: Date, { backfilled }: SlotContext) => {
        calls.push({ slot, backfilled });
      });
      return { service, calls };
    });
  }

  const tickAll = (all: Replica[]) => Promise.all(all.map((r) => r.service.tick()));
  const callCount = (all: Replica[]) => all.reduce((n, r) => n + r.calls.length, 0);

  async function ledger(schedule: string): Promise<LedgerRow[]> {
    return dataSources[0].query<LedgerRow[]>(
      `SELECT slot, claimed_by, backfilled, outcome FROM schedule_runs
       WHERE schedule = $1 ORDER BY slot`,
      [schedule],
    );
  }

  it('R3: 100 fire times, 5 replicas ticking concurrently → 100 rows, 0 duplicates, 100 runs', async () => {
    const schedule: ScheduleDefinition = { name: 'r3-every-15', everyMinutes: 15 };
    const t0 = Date.parse('2025-06-01T00:00:05Z');
    const clock = new VirtualClock(t0);
    const all = replicas(schedule, clock);
    for (let i = 0; i < 100; i++) {
      clock.t = t0 + i * 15 * MINUTE;
      await tickAll(all);
    }
    const rows = await ledger(schedule.name);
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.slot.getTime())).size).toBe(100);
    expect(rows.map((r) => r.slot.getTime())).toEqual(
      Array.from({ length: 100 }, (_, i) => t0 - 5_000 + i * 15 * MINUTE),
    );
    expect(rows.every((r) => r.outcome === 'ok' && !r.backfilled)).toBe(true);
    expect(callCount(all)).toBe(100);
    const handled = all.flatMap((r) => r.calls.map((c) => c.slot.getTime()));
    expect(new Set(handled).size).toBe(100);
    // The work is spread over replicas in the ledger as claimed (no replica is special).
    expect(new Set(rows.map((r) => r.claimed_by)).size).toBeGreaterThan(1);
  });

  it('R4: one replica +90 s skewed → one claim per slot and a skew warning; a 1 h rewind re-fires nothing', async () => {
    const schedule: ScheduleDefinition = { name: 'r4-every-minute', everyMinutes: 1 };
    // Starts at real time so that only the skewed replica differs from the database's now().
    const t0 = Date.now();
    const clock = new VirtualClock(t0);
    const warn = vi.spyOn(Logger.prototype, 'warn');
    const all = replicas(schedule, clock, [0, 0, 90_000]);

    // All replicas tick at once from the very first round, on an empty ledger: the one ahead may
    // claim first-ever slot S+2 while another claims S; the next tick of any replica fills S+1.
    await tickAll(all);
    const warned = warn.mock.calls.map(
      ([message]) => (message as { replicaId?: string }).replicaId,
    );
    expect(warned).toEqual(['replica-2']);
    const [skewArg] = warn.mock.calls[0] as [{ skewMs: number }];
    expect(skewArg.skewMs).toBeGreaterThanOrEqual(89_000);
    expect(skewArg.skewMs).toBeLessThanOrEqual(91_000);

    for (let i = 1; i < 60; i++) {
      clock.t = t0 + i * MINUTE;
      await tickAll(all);
    }
    const rows = await ledger(schedule.name);
    const slots = rows.map((r) => r.slot.getTime());
    // Contiguous minutes, each once: no duplicate and no gap although one replica runs ahead.
    expect(slots).toEqual(Array.from({ length: slots.length }, (_, i) => slots[0] + i * MINUTE));
    expect(slots.length).toBeGreaterThanOrEqual(60);
    expect(callCount(all)).toBe(rows.length);
    expect(rows.some((r) => r.claimed_by === 'replica-2')).toBe(true);

    // The system clock rewinds 1 h and replays that hour: nothing is claimed or run again.
    const before = { rows: rows.length, calls: callCount(all) };
    const end = clock.t;
    for (let back = HOUR; back >= MINUTE; back -= MINUTE) {
      clock.t = end - back;
      await tickAll(all);
    }
    expect(await ledger(schedule.name)).toHaveLength(before.rows);
    expect(callCount(all)).toBe(before.calls);
  });

  it('R5: all replicas down 5 h, then one tick backfills exactly the fill window, flagged', async () => {
    const fillWindowMs = 2 * HOUR;
    const schedule: ScheduleDefinition = { name: 'r5-every-15', everyMinutes: 15, fillWindowMs };
    const t0 = Date.parse('2025-06-01T00:00:05Z');
    const clock = new VirtualClock(t0);
    const all = replicas(schedule, clock);
    await tickAll(all);
    expect(await ledger(schedule.name)).toHaveLength(1);

    clock.t = t0 + 5 * HOUR; // down: no ticks
    await tickAll(all); // restart: every replica ticks at once
    const rows = await ledger(schedule.name);
    const restartSlot = t0 - 5_000 + 5 * HOUR;
    const windowStart = clock.t - fillWindowMs;
    const backfilled = rows.filter((r) => r.backfilled).map((r) => r.slot.getTime());
    const expected: number[] = [];
    for (let s = restartSlot - 15 * MINUTE; s >= windowStart; s -= 15 * MINUTE) expected.unshift(s);
    expect(expected).toHaveLength(7); // 03:15 … 04:45; 03:00 is 5 s older than the window
    expect(backfilled).toEqual(expected);
    expect(rows.map((r) => r.slot.getTime())).toEqual([t0 - 5_000, ...expected, restartSlot]);
    expect(rows.find((r) => r.slot.getTime() === restartSlot)?.backfilled).toBe(false);
    expect(callCount(all)).toBe(rows.length);
    expect(all.flatMap((r) => r.calls).filter((c) => c.backfilled)).toHaveLength(7);

    // A second round at the same time changes nothing.
    await tickAll(all);
    expect(await ledger(schedule.name)).toHaveLength(rows.length);
  });

  it('records a failing handler as failed and a schedule without a handler as failed', async () => {
    const schedule: ScheduleDefinition = { name: 'failing', everyMinutes: 5 };
    const clock = new VirtualClock(Date.parse('2025-06-01T00:00:00Z'));
    const throwing = new ScheduleTickService(dataSources[0], clock.view(), [schedule], 'x');
    throwing.registerHandler(schedule.name, () => {
      throw new Error('boom');
    });
    expect(await throwing.tick()).toMatchObject([{ outcome: 'failed' }]);
    clock.t += 5 * MINUTE;
    const bare = new ScheduleTickService(dataSources[0], clock.view(), [schedule], 'y');
    expect(await bare.tick()).toMatchObject([{ outcome: 'failed' }]);
    const rows = await dataSources[0].query<{ outcome: string; error: string }[]>(
      `SELECT outcome, error FROM schedule_runs WHERE schedule = 'failing' ORDER BY slot`,
    );
    expect(rows).toEqual([
      { outcome: 'failed', error: 'boom' },
      { outcome: 'failed', error: 'no handler registered for schedule failing' },
    ]);
  });

  it('migration: rejects an unknown outcome, and down drops the table', async () => {
    await expect(
      dataSources[0].query(
        `INSERT INTO schedule_runs (schedule, slot, claimed_by, finished_at, outcome)
         VALUES ('x', now(), 'r', now(), 'skipped')`,
      ),
    ).rejects.toThrow(/ck_schedule_runs_outcome/);
    const queryRunner = dataSources[0].createQueryRunner();
    try {
      await queryRunner.startTransaction();
      await new CreateScheduleRuns1795327133721().down(queryRunner);
      const [row] = await queryRunner.query(`SELECT to_regclass('schedule_runs') AS t`);
      expect(row.t).toBeNull();
    } finally {
      await queryRunner.rollbackTransaction();
      await queryRunner.release();
    }
  });
});
