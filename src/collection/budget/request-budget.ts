import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Platform } from '../../accounts/account-taxonomy';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { PlatformError } from '../../platforms/platform-error';
import {
  defaultLeaseChunk,
  grantedByLease,
  nextQuotaDay,
  quotaDayEndSql,
  rateLimitWaitMs,
  windowStartSql,
} from './budget-math';

export { nextQuotaDay } from './budget-math';

export type BlockReason = 'rate_limited' | 'quota_exhausted';

/** One key's shared state, as the health API and metrics show it. */
export interface BudgetState {
  key: string;
  /** Requests taken from the current window by all processes (leased ones count as used). */
  used: number;
  /** The per-window budget (config.budgetPerMinute). */
  limit: number;
  /** Start of the current window (database clock). */
  windowStart: Date;
  /** Set only while the block is in force. */
  blockedUntil: Date | null;
  blockedReason: string | null;
}

/** Tuning and test seams; every field has a production default. */
export interface RequestBudgetOptions {
  /** Length of the fixed budget windows (default 60 000 ms; tests shrink it). */
  windowMs?: number;
  /** Most requests leased at once (default budget/10 between 1 and 20). */
  leaseChunk?: number;
  /**
   * Leased requests unused after this long are dropped (they stay counted as used). Bounds how long
   * a process keeps calling on a lease taken before another process blocked the key. Default 1 s.
   */
  tokenTtlMs?: number;
  /** A locally cached quota block is re-checked in the database at most this often. Default 5 s. */
  blockRecheckMs?: number;
  /** Local state of a key unused this long is dropped. Default 5 min. */
  idleDropMs?: number;
  /** Monotonic local clock in ms, for waits only (windows and blocks follow the database clock). */
  now?: () => number;
}

/** Optional provider token for RequestBudgetOptions. */
export const REQUEST_BUDGET_OPTIONS = Symbol('REQUEST_BUDGET_OPTIONS');

const DEFAULT_WINDOW_MS = 60_000;
const FIRST_LEASE = 8;
const DEFAULT_TOKEN_TTL_MS = 1_000;
const DEFAULT_BLOCK_RECHECK_MS = 5_000;
const DEFAULT_IDLE_DROP_MS = 5 * 60_000;
const SWEEP_INTERVAL_MS = 60_000;
/** Aim a little past a window's end so the next lease lands in the next window. */
const WINDOW_EDGE_MS = 2;

interface Waiter {
  platform: Platform;
  deadline: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What this process knows about one key. Times are local monotonic ms. */
class KeyState {
  tokens = 0;
  tokensExpireAt = 0;
  leaseSize = 1;
  blockedUntil = 0;
  blockedReason: string | null = null;
  blockCheckedAt = 0;
  exhaustedUntil = 0;
  waiters: Waiter[] = [];
  leasing = false;
  timer: NodeJS.Timeout | null = null;
  lastActive = 0;
}

interface LeaseRow {
  window_start: Date;
  used: number;
  blocked_until: Date | null;
  blocked_reason: string | null;
  db_now: Date;
}

interface BlockRow {
  blocked_until: Date | null;
  blocked_reason: string | null;
  db_now: Date;
}

interface SnapshotRow {
  budget_key: string;
  window_start: Date | null;
  used: number | null;
  blocked_until: Date | null;
  blocked_reason: string | null;
  current_window: Date;
  db_now: Date;
}

/**
 * Takes up to $2 requests from the window of key $1 (budget $3, windows of $4 ms), rolling the
 * window over when it has passed; a key blocked now is left untouched. `used` grows by $2 capped at
 * budget + $2, so the grant can be derived from the returned row (grantedByLease).
 */
const LEASE_SQL = `
INSERT INTO collection_budgets AS b (budget_key, window_start, used, updated_at)
VALUES ($1, ${windowStartSql('now()', '$4')}, $2, now())
ON CONFLICT (budget_key) DO UPDATE SET
  window_start = CASE WHEN b.blocked_until > now() THEN b.window_start
                      ELSE GREATEST(b.window_start, EXCLUDED.window_start) END,
  used = CASE WHEN b.blocked_until > now() THEN b.used
              WHEN b.window_start < EXCLUDED.window_start THEN EXCLUDED.used
              ELSE LEAST(b.used + EXCLUDED.used, $3 + EXCLUDED.used) END,
  blocked_until = CASE WHEN b.blocked_until > now() THEN b.blocked_until END,
  blocked_reason = CASE WHEN b.blocked_until > now() THEN b.blocked_reason END,
  updated_at = now()
RETURNING window_start, used, blocked_until, blocked_reason, now() AS db_now`;

/** Blocks key $1 with reason $2 until `untilSql`, never shortening a longer block in force. */
function extendBlockSql(untilSql: string): string {
  return `
INSERT INTO collection_budgets AS b
  (budget_key, window_start, used, blocked_until, blocked_reason, updated_at)
VALUES ($1, '-infinity', 0, ${untilSql}, $2, now())
ON CONFLICT (budget_key) DO UPDATE SET
  blocked_until = GREATEST(b.blocked_until, EXCLUDED.blocked_until),
  blocked_reason = CASE WHEN b.blocked_until > EXCLUDED.blocked_until THEN b.blocked_reason
                        ELSE EXCLUDED.blocked_reason END,
  updated_at = now()
RETURNING blocked_until, blocked_reason, now() AS db_now`;
}

const RATE_BLOCK_SQL = extendBlockSql(`now() + $3::float8 * interval '1 millisecond'`);
const QUOTA_BLOCK_SQL = extendBlockSql(quotaDayEndSql('now()'));

/** Sets (or, with a past time, clears) the block of key $1 exactly: admin override. */
const SET_BLOCK_SQL = `
INSERT INTO collection_budgets AS b
  (budget_key, window_start, used, blocked_until, blocked_reason, updated_at)
VALUES ($1, '-infinity', 0,
        CASE WHEN $2::timestamptz > now() THEN $2::timestamptz END,
        CASE WHEN $2::timestamptz > now() THEN $3 END, now())
ON CONFLICT (budget_key) DO UPDATE SET
  blocked_until = EXCLUDED.blocked_until,
  blocked_reason = EXCLUDED.blocked_reason,
  updated_at = now()
RETURNING blocked_until, blocked_reason, now() AS db_now`;

const SNAPSHOT_COLUMNS = `b.window_start, b.used, b.blocked_until, b.blocked_reason,
  ${windowStartSql('now()', '$1')} AS current_window, now() AS db_now`;
const SNAPSHOT_ALL_SQL = `SELECT b.budget_key, ${SNAPSHOT_COLUMNS}
  FROM collection_budgets b ORDER BY b.budget_key`;
const SNAPSHOT_KEYS_SQL = `SELECT k.key AS budget_key, ${SNAPSHOT_COLUMNS}
  FROM unnest($2::text[]) AS k(key)
  LEFT JOIN collection_budgets b ON b.budget_key = k.key
  ORDER BY k.key`;

/**
 * Per-credential request budgets shared by every process through `collection_budgets` (R6).
 *
 * Each process leases requests in chunks with one atomic upsert, spends them locally and leases
 * again when empty, so the fixed-window limit holds across processes (leased but unused requests
 * count as used). Blocks (Retry-After / 45011, 45009 until the next quota day) are written to the
 * table and cached locally; every lease re-reads them, so a block set by another process stops
 * this one within one lease (and within `tokenTtlMs`).
 */
@Injectable()
export class RequestBudget implements OnModuleDestroy {
  private readonly logger = new Logger(RequestBudget.name);
  private readonly keys = new Map<string, KeyState>();
  private readonly budget: number;
  private readonly maxWaitMs: number;
  private readonly windowMs: number;
  private readonly chunk: number;
  private readonly tokenTtlMs: number;
  private readonly blockRecheckMs: number;
  private readonly idleDropMs: number;
  private readonly now: () => number;
  private lastSweep: number;
  private destroyed = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(REQUEST_BUDGET_OPTIONS) options: RequestBudgetOptions | null = null,
  ) {
    const o = options ?? {};
    this.budget = config.collection.budgetPerMinute;
    this.maxWaitMs = config.collection.maxWaitSeconds * 1_000;
    this.windowMs = o.windowMs ?? DEFAULT_WINDOW_MS;
    this.chunk = Math.max(1, Math.floor(o.leaseChunk ?? defaultLeaseChunk(this.budget)));
    this.tokenTtlMs = o.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
    this.blockRecheckMs = o.blockRecheckMs ?? DEFAULT_BLOCK_RECHECK_MS;
    this.idleDropMs = o.idleDropMs ?? DEFAULT_IDLE_DROP_MS;
    this.now = o.now ?? (() => performance.now());
    this.lastSweep = this.now();
    if (!(this.budget >= 1) || !(this.windowMs >= 1)) {
      throw new RangeError('budgetPerMinute and windowMs must be at least 1');
    }
  }

  /**
   * Runs one platform request under the budget of `key` (e.g. `wechat:<appId>`): waits out rate
   * blocks and full windows within config.maxWaitSeconds (in total per call), else throws a
   * transient `rate_limit_wait_over_cap`; a quota block throws `quota_exhausted` /
   * `budget_quota_blocked` without calling fn. A `rate_limited` error from fn blocks the key for
   * Retry-After (60 s by default) and retries within the cap; `quota_exhausted` blocks it until the
   * next quota day and is rethrown; other errors pass through.
   */
  async call<T>(platform: Platform, key: string, fn: () => Promise<T>): Promise<T> {
    const deadline = this.now() + this.maxWaitMs;
    for (;;) {
      const waiting = this.acquire(platform, key, deadline);
      if (waiting) await waiting;
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error;
        if (error.errorClass === 'rate_limited') {
          const until = await this.blockAfterRateLimit(
            key,
            rateLimitWaitMs(error.retryAfterSeconds),
          );
          if (until > deadline) throw this.overCap(platform, key, until - this.now());
          continue;
        }
        if (error.errorClass === 'quota_exhausted') {
          await this.blockAfterQuotaExhausted(key);
        }
        throw error;
      }
    }
  }

  /** Blocks a key until a time (admin or tests); a past time lifts the block. */
  async block(key: string, until: Date, reason: BlockReason): Promise<void> {
    const rows = await this.dataSource.query<BlockRow[]>(SET_BLOCK_SQL, [key, until, reason]);
    const st = this.state(key);
    const { blocked_until: blockedUntil, blocked_reason: blockedReason, db_now: dbNow } = rows[0];
    const recv = this.now();
    if (blockedUntil !== null && blockedUntil.getTime() > dbNow.getTime()) {
      st.blockedUntil = recv + (blockedUntil.getTime() - dbNow.getTime());
      st.blockedReason = blockedReason;
      st.blockCheckedAt = recv;
      st.tokens = 0;
    } else {
      st.blockedUntil = 0;
      st.blockedReason = null;
    }
    this.pump(key, st);
  }

  /** Current state of keys (all stored keys when omitted), by the database clock. */
  async snapshot(keys?: string[]): Promise<BudgetState[]> {
    const rows =
      keys === undefined
        ? await this.dataSource.query<SnapshotRow[]>(SNAPSHOT_ALL_SQL, [this.windowMs])
        : await this.dataSource.query<SnapshotRow[]>(SNAPSHOT_KEYS_SQL, [
            this.windowMs,
            [...new Set(keys)],
          ]);
    return rows.map((r) => {
      const current =
        r.window_start !== null && r.window_start.getTime() === r.current_window.getTime();
      const blocked = r.blocked_until !== null && r.blocked_until.getTime() > r.db_now.getTime();
      return {
        key: r.budget_key,
        used: current ? Math.min(r.used ?? 0, this.budget) : 0,
        limit: this.budget,
        windowStart: r.current_window,
        blockedUntil: blocked ? r.blocked_until : null,
        blockedReason: blocked ? r.blocked_reason : null,
      };
    });
  }

  onModuleDestroy(): void {
    this.destroyed = true;
    for (const [key, st] of this.keys) {
      if (st.timer) clearTimeout(st.timer);
      st.timer = null;
      this.rejectAll(st, new Error(`request budget ${key}: shutting down`));
    }
    this.keys.clear();
  }

  /** Takes one request of `key`: synchronously when a leased one is at hand, else a promise. */
  private acquire(platform: Platform, key: string, deadline: number): Promise<void> | undefined {
    if (this.destroyed) return Promise.reject(new Error('request budget: shutting down'));
    const now = this.now();
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(now);
    const st = this.state(key);
    st.lastActive = now;
    if (
      st.waiters.length === 0 &&
      st.tokens > 0 &&
      now < st.tokensExpireAt &&
      st.blockedUntil <= now
    ) {
      st.tokens--;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      st.waiters.push({ platform, deadline, resolve, reject });
      this.pump(key, st);
    });
  }

  /** Serves, rejects or schedules the waiters of a key; starts a lease when one is needed. */
  private pump(key: string, st: KeyState): void {
    if (st.leasing || this.destroyed) return;
    const now = this.now();
    if (st.tokens > 0 && now >= st.tokensExpireAt) {
      st.tokens = 0;
      st.leaseSize = 1; // leased more than demand: lease less next time
    }
    if (st.blockedUntil > now) {
      st.tokens = 0;
      if (st.blockedReason === 'quota_exhausted') {
        if (now - st.blockCheckedAt < this.blockRecheckMs) {
          for (const w of st.waiters.splice(0)) w.reject(this.quotaBlocked(w.platform, key));
          return;
        }
        // A cached quota block is re-checked by a lease (an admin may have lifted it).
      } else {
        this.waitUntil(key, st, st.blockedUntil, now);
        return;
      }
    }
    while (st.waiters.length > 0 && st.tokens > 0) {
      st.tokens--;
      st.waiters.shift()!.resolve();
    }
    if (st.waiters.length === 0) return;
    if (st.exhaustedUntil > now) {
      this.waitUntil(key, st, st.exhaustedUntil, now);
      return;
    }
    void this.lease(key, st);
  }

  /** Waiters whose cap ends before `until` fail now; the rest are woken at `until`. */
  private waitUntil(key: string, st: KeyState, until: number, now: number): void {
    const keep: Waiter[] = [];
    for (const w of st.waiters) {
      if (w.deadline < until) w.reject(this.overCap(w.platform, key, until - now));
      else keep.push(w);
    }
    st.waiters = keep;
    if (st.timer) clearTimeout(st.timer);
    st.timer = null;
    if (keep.length === 0) return;
    st.timer = setTimeout(
      () => {
        st.timer = null;
        this.pump(key, st);
      },
      Math.max(1, Math.ceil(until - now)),
    );
  }

  private async lease(key: string, st: KeyState): Promise<void> {
    st.leasing = true;
    const sent = this.now();
    // Grow the lease while the previous one was spent before it expired (steady demand).
    // (The first lease of a key keeps its starting size.)
    if (st.tokensExpireAt !== 0) {
      st.leaseSize = sent < st.tokensExpireAt ? Math.min(this.chunk, st.leaseSize * 2) : 1;
    }
    const asked = Math.min(this.chunk, Math.max(st.waiters.length, st.leaseSize));
    try {
      const rows = await this.dataSource.query<LeaseRow[]>(LEASE_SQL, [
        key,
        asked,
        this.budget,
        this.windowMs,
      ]);
      this.applyLease(st, rows[0], asked, sent, this.now());
    } catch (error) {
      this.rejectAll(st, error);
    } finally {
      st.leasing = false;
    }
    this.pump(key, st);
  }

  private applyLease(st: KeyState, row: LeaseRow, asked: number, sent: number, recv: number) {
    const dbNow = row.db_now.getTime();
    if (row.blocked_until !== null && row.blocked_until.getTime() > dbNow) {
      // Conservative: the block is taken to end as late as it can by the local clock.
      st.blockedUntil = recv + (row.blocked_until.getTime() - dbNow);
      st.blockedReason = row.blocked_reason;
      st.blockCheckedAt = recv;
      st.tokens = 0;
      return;
    }
    st.blockedUntil = 0;
    st.blockedReason = null;
    const windowLeft = row.window_start.getTime() + this.windowMs - dbNow;
    const granted = grantedByLease(row.used, asked, this.budget);
    // Conservative: leased requests expire as early as the window can end by the local clock.
    st.tokens = granted;
    st.tokensExpireAt = sent + Math.min(windowLeft, this.tokenTtlMs);
    if (granted < asked) st.exhaustedUntil = recv + windowLeft + WINDOW_EDGE_MS;
  }

  /** Blocks the key here at once and in the table; returns the local end of the block. */
  private async blockAfterRateLimit(key: string, waitMs: number): Promise<number> {
    const st = this.state(key);
    this.extendLocalBlock(st, this.now() + waitMs, 'rate_limited');
    try {
      const rows = await this.dataSource.query<BlockRow[]>(RATE_BLOCK_SQL, [
        key,
        'rate_limited',
        waitMs,
      ]);
      this.applyBlockRow(st, rows[0]);
    } catch (error) {
      this.logger.warn(`could not store the rate-limit block of ${key}: ${String(error)}`);
    }
    this.pump(key, st);
    return st.blockedUntil;
  }

  private async blockAfterQuotaExhausted(key: string): Promise<void> {
    const st = this.state(key);
    const wall = Date.now();
    this.extendLocalBlock(
      st,
      this.now() + (nextQuotaDay(new Date(wall)).getTime() - wall),
      'quota_exhausted',
    );
    try {
      const rows = await this.dataSource.query<BlockRow[]>(QUOTA_BLOCK_SQL, [
        key,
        'quota_exhausted',
      ]);
      this.applyBlockRow(st, rows[0]);
    } catch (error) {
      this.logger.warn(`could not store the quota block of ${key}: ${String(error)}`);
    }
    this.pump(key, st);
  }

  private extendLocalBlock(st: KeyState, until: number, reason: string): void {
    st.tokens = 0;
    st.blockCheckedAt = this.now();
    if (until >= st.blockedUntil) {
      st.blockedUntil = until;
      st.blockedReason = reason;
    }
  }

  private applyBlockRow(st: KeyState, row: BlockRow): void {
    if (row.blocked_until === null) return;
    const until = this.now() + (row.blocked_until.getTime() - row.db_now.getTime());
    this.extendLocalBlock(st, until, row.blocked_reason ?? 'rate_limited');
  }

  private rejectAll(st: KeyState, error: unknown): void {
    for (const w of st.waiters.splice(0)) w.reject(error);
  }

  private state(key: string): KeyState {
    let st = this.keys.get(key);
    if (!st) {
      st = new KeyState();
      // A key's first lease covers a typical run (a WeChat account's daily run is ~8 requests),
      // so a quiet key costs one lease, not four doubling ones.
      st.leaseSize = Math.min(this.chunk, FIRST_LEASE);
      st.lastActive = this.now();
      this.keys.set(key, st);
    }
    return st;
  }

  /** Drops the local state of idle keys (the table keeps their blocks). */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, st] of this.keys) {
      if (
        st.waiters.length === 0 &&
        !st.leasing &&
        st.timer === null &&
        now - st.lastActive >= this.idleDropMs
      ) {
        this.keys.delete(key);
      }
    }
  }

  private overCap(platform: Platform, key: string, waitMs: number): PlatformError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1_000));
    return new PlatformError(platform, {
      errorClass: 'transient',
      code: 'rate_limit_wait_over_cap',
      message: `request budget ${key}: a wait of ${seconds} s exceeds the cap of ${this.maxWaitMs / 1_000} s`,
      retryAfterSeconds: seconds,
    });
  }

  private quotaBlocked(platform: Platform, key: string): PlatformError {
    return new PlatformError(platform, {
      errorClass: 'quota_exhausted',
      code: 'budget_quota_blocked',
      message: `request budget ${key}: daily quota exhausted, blocked until the next quota day`,
    });
  }
}
