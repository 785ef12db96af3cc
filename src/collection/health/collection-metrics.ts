import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { Platform } from '../../accounts/account-taxonomy';
import { METRICS_REGISTRY, type HttpMetrics } from '../../health/metrics.registry';
import type { PlatformErrorClass } from '../../platforms/platform-error';
import type { CollectionTask } from '../collection-contracts';

export type JobOutcomeLabel = 'ok' | 'retry' | 'failed';

/** How long one database snapshot serves the scrape's gauges (they are read one after another). */
const SNAPSHOT_TTL_MS = 1_000;
/** At most this many `gmm_collection_up` series per scrape (cardinality guard). */
export const MAX_DOWN_SERIES = 5_000;

interface SnapshotRow {
  kind: 'accounts' | 'down' | 'blocked';
  label1: string | null;
  label2: string | null;
  n: number;
}

/**
 * Collection metrics on the app's own prom-client registry (METRICS_REGISTRY), so two apps in one
 * process never share series:
 *
 * - `gmm_collection_jobs_total{task,outcome}`, `gmm_collection_job_duration_seconds{task}`;
 * - `gmm_collection_platform_requests_total{platform}`,
 *   `gmm_collection_platform_request_duration_seconds{platform}`;
 * - `gmm_collection_errors_total{platform,class}`;
 * - gauges read from the database at scrape time (one query, shared by the three gauges):
 *   `gmm_collection_accounts{platform,state}` (active accounts; state `never` = no health row),
 *   `gmm_collection_up{account_id}` — emitted ONLY for active accounts whose up = false, value 0
 *   (R11). Healthy accounts have no series, which keeps cardinality bounded by the number of
 *   broken accounts (and capped at MAX_DOWN_SERIES); alert on `gmm_collection_up == 0`.
 *   `gmm_collection_budget_blocked{reason}`: credentials whose budget is blocked right now.
 *
 * Counters are per process; sum them over replicas in PromQL.
 */
@Injectable()
export class CollectionMetrics {
  private readonly jobs: Counter<'task' | 'outcome'>;
  private readonly jobDuration: Histogram<'task'>;
  private readonly requests: Counter<'platform'>;
  private readonly requestDuration: Histogram<'platform'>;
  private readonly errors: Counter<'platform' | 'class'>;
  private readonly accounts: Gauge<'platform' | 'state'>;
  private readonly up: Gauge<'account_id'>;
  private readonly budgetBlocked: Gauge<'reason'>;
  private snapshot: { at: number; rows: Promise<SnapshotRow[]> } | null = null;

  constructor(
    @Inject(METRICS_REGISTRY) metrics: HttpMetrics,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    const registry = metrics.registry;
    this.jobs = reuse(registry, 'gmm_collection_jobs_total', (name) => {
      return new Counter({
        name,
        help: 'Collection jobs finished, by task and outcome (ok, retry = will be retried, failed)',
        labelNames: ['task', 'outcome'],
        registers: [registry],
      });
    });
    this.jobDuration = reuse(registry, 'gmm_collection_job_duration_seconds', (name) => {
      return new Histogram({
        name,
        help: 'Wall time of one collection job, by task',
        labelNames: ['task'],
        buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
        registers: [registry],
      });
    });
    this.requests = reuse(registry, 'gmm_collection_platform_requests_total', (name) => {
      return new Counter({
        name,
        help: 'Platform API requests made by collection, by platform',
        labelNames: ['platform'],
        registers: [registry],
      });
    });
    this.requestDuration = reuse(
      registry,
      'gmm_collection_platform_request_duration_seconds',
      (name) => {
        return new Histogram({
          name,
          help: 'Platform API request latency, by platform',
          labelNames: ['platform'],
          buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers: [registry],
        });
      },
    );
    this.errors = reuse(registry, 'gmm_collection_errors_total', (name) => {
      return new Counter({
        name,
        help: 'Platform errors met by collection, by platform and error class',
        labelNames: ['platform', 'class'],
        registers: [registry],
      });
    });
    this.accounts = reuse(registry, 'gmm_collection_accounts', (name) => {
      const collect = this.refresh.bind(this);
      return new Gauge({
        name,
        help: 'Active accounts by platform and collection state (never = not collected yet)',
        labelNames: ['platform', 'state'],
        registers: [registry],
        async collect() {
          await collect();
        },
      });
    });
    this.up = reuse(registry, 'gmm_collection_up', (name) => {
      const collect = this.refresh.bind(this);
      return new Gauge({
        name,
        help: 'Collection up per account: emitted only (as 0) for accounts that are down; absent = up',
        labelNames: ['account_id'],
        registers: [registry],
        async collect() {
          await collect();
        },
      });
    });
    this.budgetBlocked = reuse(registry, 'gmm_collection_budget_blocked', (name) => {
      const collect = this.refresh.bind(this);
      return new Gauge({
        name,
        help: 'Credentials whose request budget is blocked now, by reason',
        labelNames: ['reason'],
        registers: [registry],
        async collect() {
          await collect();
        },
      });
    });
  }

  jobFinished(task: CollectionTask, outcome: JobOutcomeLabel, seconds: number): void {
    this.jobs.inc({ task, outcome });
    this.jobDuration.observe({ task }, seconds);
  }

  request(platform: Platform, seconds: number): void {
    this.requests.inc({ platform });
    this.requestDuration.observe({ platform }, seconds);
  }

  error(platform: Platform, errorClass: PlatformErrorClass): void {
    this.errors.inc({ platform, class: errorClass });
  }

  /** Fills the three database gauges from one shared snapshot (a failed query leaves them empty). */
  private async refresh(): Promise<void> {
    let rows: SnapshotRow[];
    try {
      rows = await this.read();
    } catch {
      rows = [];
    }
    this.accounts.reset();
    this.up.reset();
    this.budgetBlocked.reset();
    for (const row of rows) {
      if (row.kind === 'accounts') {
        this.accounts.set({ platform: row.label1 ?? '', state: row.label2 ?? 'never' }, row.n);
      } else if (row.kind === 'down') {
        this.up.set({ account_id: row.label1 ?? '' }, 0);
      } else {
        this.budgetBlocked.set({ reason: row.label1 ?? 'unknown' }, row.n);
      }
    }
  }

  private read(): Promise<SnapshotRow[]> {
    const now = Date.now();
    if (this.snapshot && now - this.snapshot.at < SNAPSHOT_TTL_MS) return this.snapshot.rows;
    const rows = this.dataSource.query<SnapshotRow[]>(
      `SELECT 'accounts' AS kind, a.platform AS label1, coalesce(h.state, 'never') AS label2,
              count(*)::integer AS n
         FROM accounts a LEFT JOIN account_collection_health h ON h.account_id = a.id
        WHERE a.status = 'active'
        GROUP BY a.platform, coalesce(h.state, 'never')
       UNION ALL
       (SELECT 'down', h.account_id::text, NULL, 0
          FROM account_collection_health h JOIN accounts a ON a.id = h.account_id
         WHERE NOT h.up AND a.status = 'active'
         ORDER BY h.account_id
         LIMIT ${MAX_DOWN_SERIES})
       UNION ALL
       SELECT 'blocked', coalesce(b.blocked_reason, 'unknown'), NULL, count(*)::integer
         FROM collection_budgets b
        WHERE b.blocked_until > now()
        GROUP BY coalesce(b.blocked_reason, 'unknown')`,
    );
    this.snapshot = { at: now, rows };
    rows.catch(() => {
      if (this.snapshot?.rows === rows) this.snapshot = null;
    });
    return rows;
  }
}

/** The registry's metric of that name if another instance registered it, else a new one. */
function reuse<M extends Metric>(registry: Registry, name: string, create: (name: string) => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create(name);
}
