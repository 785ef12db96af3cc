import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  claimSlot,
  claimedSlotsBetween,
  databaseNow,
  finishSlot,
  firstClaimedSlot,
} from './schedule-ledger';
import {
  DEFAULT_FILL_WINDOW_MS,
  type ScheduleDefinition,
  missedSlots,
  slotAt,
  validateSchedules,
} from './schedule-slots';

export interface Clock {
  now(): Date;
}

/** The clock the ticks read (tests inject a virtual one). Default: real time. */
export const CLOCK = Symbol('CLOCK');
/** The schedules of record (ScheduleDefinition[]). Default: none, so the module is inert. */
export const SCHEDULES = Symbol('SCHEDULES');
/** This replica's id, recorded as `claimed_by`. Default: hostname:pid:random. */
export const REPLICA_ID = Symbol('REPLICA_ID');

export const systemClock: Clock = { now: () => new Date() };

export function defaultReplicaId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Every minute on every replica; the ledger decides which replica runs a slot. */
export const COLLECTION_TICK_CRON = '0 * * * * *';
/** R4: warn when this replica's clock and the database's differ by this much. */
export const SKEW_WARNING_MS = 60_000;
/** The skew is measured at most this often (by this replica's clock). */
export const SKEW_CHECK_INTERVAL_MS = 60_000;

export interface SlotContext {
  backfilled: boolean;
}
export type SlotHandler = (slot: Date, context: SlotContext) => Promise<void> | void;

export interface SlotRun {
  schedule: string;
  slot: Date;
  backfilled: boolean;
  outcome: 'ok' | 'failed';
}

@Injectable()
export class ScheduleTickService {
  private readonly logger = new Logger(ScheduleTickService.name);
  private readonly handlers = new Map<string, SlotHandler>();
  private lastSkewCheck: number | null = null;
  private running = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SCHEDULES) private readonly schedules: readonly ScheduleDefinition[],
    @Inject(REPLICA_ID) readonly replicaId: string,
  ) {
    validateSchedules(schedules);
  }

  /** The work for a schedule's slot; one per schedule. Without one, its slots are recorded failed. */
  registerHandler(schedule: string, handler: SlotHandler): void {
    if (!this.schedules.some((s) => s.name === schedule)) {
      throw new RangeError(`unknown schedule: ${schedule}`);
    }
    if (this.handlers.has(schedule)) throw new Error(`handler already registered: ${schedule}`);
    this.handlers.set(schedule, handler);
  }

  /** Claims and runs the due slots this replica wins; never throws. Returns what it ran. */
  @Cron(COLLECTION_TICK_CRON, { name: 'collection-tick' })
  async tick(): Promise<SlotRun[]> {
    if (this.running) {
      this.logger.warn({ replicaId: this.replicaId }, 'previous collection tick still running');
      return [];
    }
    this.running = true;
    try {
      const now = this.clock.now();
      await this.checkSkew(now);
      const runs: SlotRun[] = [];
      for (const schedule of this.schedules) {
        try {
          runs.push(...(await this.runDue(schedule, now)));
        } catch (err) {
          this.logger.error({ err, schedule: schedule.name }, 'schedule tick failed');
        }
      }
      return runs;
    } finally {
      this.running = false;
    }
  }

  /**
   * Every unclaimed slot up to this replica's current one: first the gaps inside the fill window
   * after the first slot ever claimed (backfilled), then the current slot. Claims decide who runs
   * a slot, so a rewound clock re-fires nothing (its slots are claimed) and a replica whose clock
   * is ahead cannot leave a gap behind it: the next tick of any replica fills it (R3–R5).
   */
  private async runDue(schedule: ScheduleDefinition, now: Date): Promise<SlotRun[]> {
    const current = slotAt(schedule, now);
    const first = await firstClaimedSlot(this.dataSource, schedule.name);
    const fill = schedule.fillWindowMs ?? DEFAULT_FILL_WINDOW_MS;
    const candidates = missedSlots(schedule, first, now, fill);
    const oldest = candidates[0] ?? current;
    const claimed = await claimedSlotsBetween(
      this.dataSource,
      schedule.name,
      new Date(oldest.getTime() - 1),
      current,
    );
    const due = [
      ...candidates
        .filter((slot) => !claimed.has(slot.getTime()))
        .map((slot) => ({ slot, backfilled: true })),
      // Nothing older than the first slot ever claimed (a clock rewound past it included).
      ...(claimed.has(current.getTime()) || (first !== null && current.getTime() < first.getTime())
        ? []
        : [{ slot: current, backfilled: false }]),
    ];
    const runs: SlotRun[] = [];
    for (const { slot, backfilled } of due) {
      if (await claimSlot(this.dataSource, schedule.name, slot, this.replicaId, { backfilled })) {
        runs.push(await this.runSlot(schedule.name, slot, backfilled));
      }
    }
    return runs;
  }

  private async runSlot(schedule: string, slot: Date, backfilled: boolean): Promise<SlotRun> {
    const handler = this.handlers.get(schedule);
    let outcome: SlotRun['outcome'] = 'ok';
    let error: string | undefined;
    try {
      if (!handler) throw new Error(`no handler registered for schedule ${schedule}`);
      await handler(slot, { backfilled });
    } catch (err) {
      outcome = 'failed';
      error = err instanceof Error ? err.message : String(err);
      this.logger.error({ err, schedule, slot, backfilled }, 'scheduled run failed');
    }
    await finishSlot(this.dataSource, schedule, slot, outcome, error);
    return { schedule, slot, backfilled, outcome };
  }

  /** R4: a clock ≥ 60 s off the database's is warned about (at most once a minute). */
  private async checkSkew(now: Date): Promise<void> {
    const t = now.getTime();
    // A rewound clock (t < last check) measures again.
    if (
      this.lastSkewCheck !== null &&
      t >= this.lastSkewCheck &&
      t - this.lastSkewCheck < SKEW_CHECK_INTERVAL_MS
    ) {
      return;
    }
    this.lastSkewCheck = t;
    try {
      const skewMs = t - (await databaseNow(this.dataSource)).getTime();
      if (Math.abs(skewMs) >= SKEW_WARNING_MS) {
        this.logger.warn(
          { replicaId: this.replicaId, skewMs },
          `clock differs from the database's by ${Math.round(skewMs / 1000)} s`,
        );
      }
    } catch (err) {
      this.logger.warn({ err }, 'clock skew check failed');
    }
  }
}
