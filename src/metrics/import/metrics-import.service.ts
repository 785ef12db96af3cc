import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { ImportFormat } from '../../accounts/import/import-parser';
import { readImportRecords, rejectRowErrors } from '../../accounts/import/import-request';
import { AuditService } from '../../audit/audit.service';
import type { Actor, Principal } from '../../auth/principal';
import { businessDate } from '../../common/business-date';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { DailyMetricRow, PostRow, PostSnapshotRow } from '../metric-rows';
import { upsertDailyMetrics, upsertPostSnapshots, upsertPosts } from '../metric-writers';
import { METRIC_IMPORT_ALIASES } from './metric-import-columns';
import { planDailyRows, planPostRows } from './metric-import-plan';
import { validateMetricRecords } from './metric-import-row.validator';
import type {
  MetricsImportQuery,
  MetricsImportResultResponse,
  WriteCountsResponse,
} from './metrics-import.dto';
import { resolveAccountRefs } from './resolve-account-refs';

/** Metrics imports run one at a time, so the inserted/changed counts are exact. */
const METRICS_IMPORT_LOCK_KEY = 7_466_204;

type Plan =
  | { kind: 'daily'; daily: DailyMetricRow[] }
  | { kind: 'posts'; posts: PostRow[]; snapshots: PostSnapshotRow[] };

/** Carries a dry run's exact counts out of the transaction it rolls back. */
class RollbackDryRun extends Error {
  constructor(readonly result: MetricsImportResultResponse) {
    super('dry run');
  }
}

/**
 * Daily account metrics or post observations from a vendor or a person, for accounts without
 * credentials. The account import's rule: any invalid row (by itself or against the registry)
 * applies nothing and every error is reported. Writes go through the collection's upserts.
 */
@Injectable()
export class MetricsImportService {
  private readonly logger = new Logger(MetricsImportService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async importMetrics(
    content: Buffer | string | object,
    format: ImportFormat,
    query: MetricsImportQuery,
    principal: Principal,
    actor: Actor,
  ): Promise<MetricsImportResultResponse> {
    const started = Date.now();
    const { kind, source } = query;
    const records = readImportRecords(
      content,
      format,
      METRIC_IMPORT_ALIASES[kind],
      this.config.importMaxRows,
    );
    const valid = validateMetricRecords(kind, records, businessDate());
    const errors = valid.errors;
    const refs = kind === 'daily' ? valid.daily : valid.posts;

    let result: MetricsImportResultResponse;
    try {
      result = await this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [METRICS_IMPORT_LOCK_KEY]);
        const accountIds = await resolveAccountRefs(manager, refs, principal, errors);
        let plan: Plan;
        if (kind === 'daily') {
          const planned = planDailyRows(valid.daily, accountIds, source);
          errors.push(...planned.errors);
          plan = { kind, daily: planned.daily };
        } else {
          const planned = planPostRows(valid.posts, accountIds, source);
          errors.push(...planned.errors);
          plan = { kind, posts: planned.posts, snapshots: planned.snapshots };
        }
        rejectRowErrors(errors, records.length);
        const applied: MetricsImportResultResponse = {
          dryRun: query.dryRun,
          kind,
          source,
          rows: records.length,
          accounts: new Set(accountIds).size,
          ...(await this.write(manager, plan)),
        };
        if (query.dryRun) throw new RollbackDryRun(applied);
        await this.recordAudit(manager, actor, applied, format, query.provenance ?? null);
        return applied;
      });
    } catch (err) {
      if (!(err instanceof RollbackDryRun)) throw err;
      result = err.result;
    }
    this.logger.log(
      { ...result, ms: Date.now() - started, format, provenance: query.provenance },
      `metrics import (${kind}, ${source}): ${result.rows} rows, ${result.inserted} new, ${result.changed} changed${query.dryRun ? ' [dry run]' : ''}`,
    );
    return result;
  }

  private async write(
    manager: EntityManager,
    plan: Plan,
  ): Promise<WriteCountsResponse & { posts?: WriteCountsResponse }> {
    if (plan.kind === 'daily') {
      const { daily } = plan;
      const stored = await countStored(manager, 'account_daily_metrics', 'day', [
        ['account_id', 'int', daily.map((r) => r.accountId)],
        ['day', 'date', daily.map((r) => r.day)],
      ]);
      return writeCounts(daily.length, stored, await upsertDailyMetrics(manager, daily));
    }
    const { posts, snapshots } = plan;
    const postsStored = await countStored(manager, 'posts', 'published_on', [
      ['account_id', 'int', posts.map((r) => r.accountId)],
      ['published_on', 'date', posts.map((r) => businessDate(r.publishedAt))],
      ['platform_post_id', 'text', posts.map((r) => r.platformPostId)],
    ]);
    const snapshotsStored = await countStored(manager, 'post_metric_snapshots', 'observed_day', [
      ['account_id', 'int', snapshots.map((r) => r.accountId)],
      ['observed_day', 'date', snapshots.map((r) => r.observedDay)],
      ['platform_post_id', 'text', snapshots.map((r) => r.platformPostId)],
    ]);
    const postCounts = writeCounts(posts.length, postsStored, await upsertPosts(manager, posts));
    return {
      ...writeCounts(
        snapshots.length,
        snapshotsStored,
        await upsertPostSnapshots(manager, snapshots),
      ),
      posts: postCounts,
    };
  }

  private async recordAudit(
    manager: EntityManager,
    actor: Actor,
    result: MetricsImportResultResponse,
    format: ImportFormat,
    provenance: string | null,
  ): Promise<void> {
    const changedAnything =
      result.inserted +
      result.changed +
      (result.posts?.inserted ?? 0) +
      (result.posts?.changed ?? 0);
    // Like the account import: a file that changes nothing leaves no audit row.
    if (changedAnything === 0) return;
    await this.audit.record(manager, actor, [
      {
        action: 'import',
        entityType: 'metrics_import',
        entityId: actor.correlationId ?? `metrics-import-${Date.now()}`,
        before: null,
        after: { ...result, format, provenance },
      },
    ]);
  }
}

/** The writers count inserted + changed rows together; the keys stored before split them. */
function writeCounts(rows: number, storedBefore: number, written: number): WriteCountsResponse {
  const inserted = rows - storedBefore;
  return { inserted, changed: written - inserted, unchanged: rows - written };
}

/** How many of the (unique) keys are stored already; the time bounds let the planner prune months. */
async function countStored(
  manager: EntityManager,
  table: 'account_daily_metrics' | 'posts' | 'post_metric_snapshots',
  timeColumn: string,
  key: [column: string, type: 'int' | 'date' | 'text', values: (number | string)[]][],
): Promise<number> {
  const times = key.find(([column]) => column === timeColumn)![2] as string[];
  if (times.length === 0) return 0;
  const columns = key.map(([column]) => column).join(', ');
  const arrays = key.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  const [row] = await manager.query<{ n: number }[]>(
    `SELECT count(*)::int AS n
     FROM ${table} t JOIN unnest(${arrays}) AS k(${columns}) USING (${columns})
     WHERE t.${timeColumn} BETWEEN $${key.length + 1}::date AND $${key.length + 2}::date`,
    [
      ...key.map(([, , values]) => values),
      times.reduce((a, b) => (a < b ? a : b)),
      times.reduce((a, b) => (a > b ? a : b)),
    ],
  );
  return row.n;
}
