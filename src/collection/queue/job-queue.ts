import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { JOB_QUEUE_SCHEMA } from '../../../migrations/1795400000000-CreateCollectionState';
import {
  COLLECTION_TASKS,
  type CollectionJobData,
  type CollectionTask,
  queueName,
} from '../collection-contracts';

/** Jobs whose every attempt failed land here (pg-boss dead letter), for inspection. */
export const DEAD_LETTER_QUEUE = 'collect.dead';

export interface JobQueueOptions {
  databaseUrl: string;
  /** Attempts per job (retryLimit = attempts − 1), with exponential backoff from retryDelaySeconds. */
  maxAttempts: number;
  retryDelaySeconds: number;
  /** An active job not finished after this long is expired and retried (a crashed worker, R1). */
  expireSeconds: number;
  /** How often pg-boss's supervisor expires and archives jobs. */
  maintenanceSeconds: number;
  poolSize: number;
}

export interface QueuedJob {
  data: CollectionJobData;
  /** Not before this instant (load spreading, R10). */
  startAfter?: Date;
}

export interface FetchedJob {
  id: string;
  task: CollectionTask;
  data: CollectionJobData;
  retryCount: number;
  retryLimit: number;
}

/**
 * The job key of a batch: the same task, window and accounts give the same key (and the same job
 * id), so a replayed fan-out inserts nothing (`INSERT … ON CONFLICT DO NOTHING` in pg-boss).
 */
export function jobKey(data: CollectionJobData): string {
  const ids = [...data.accountIds].sort((a, b) => a - b).join(',');
  const accounts = createHash('sha256').update(ids).digest('hex').slice(0, 16);
  return [data.task, data.fromDay ?? '', data.throughDay, data.backfillRunId ?? '', accounts].join(
    '|',
  );
}

/** A UUID derived from the job key (version nibble 5, RFC 4122 variant). */
export function jobId(key: string): string {
  const h = createHash('sha256').update(key).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * pg-boss 10 for collection jobs: one queue per task, installed by the migrations (started with
 * `migrate: false`). Jobs are enqueued with one `insert()` per fan-out and fetched in batches.
 */
export class JobQueue {
  private readonly logger = new Logger(JobQueue.name);
  private boss: PgBoss | null = null;
  private starting: Promise<PgBoss> | null = null;

  constructor(private readonly options: JobQueueOptions) {}

  async start(): Promise<void> {
    await this.ready();
  }

  private ready(): Promise<PgBoss> {
    if (this.boss) return Promise.resolve(this.boss);
    this.starting ??= this.open();
    return this.starting;
  }

  private async open(): Promise<PgBoss> {
    const o = this.options;
    const boss = new PgBoss({
      connectionString: o.databaseUrl,
      schema: JOB_QUEUE_SCHEMA,
      migrate: false,
      schedule: false,
      supervise: true,
      max: o.poolSize,
      application_name: 'gmm-jobs',
      maintenanceIntervalSeconds: o.maintenanceSeconds,
      monitorStateIntervalSeconds: Math.max(o.maintenanceSeconds, 10),
    });
    boss.on('error', (err) => this.logger.warn({ err }, 'job queue error'));
    await boss.start();
    await this.ensureQueue(boss, DEAD_LETTER_QUEUE, {});
    for (const task of COLLECTION_TASKS) {
      await this.ensureQueue(boss, queueName(task), {
        retryLimit: o.maxAttempts - 1,
        retryDelay: o.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: o.expireSeconds,
        deadLetter: DEAD_LETTER_QUEUE,
      });
    }
    this.boss = boss;
    return boss;
  }

  private async ensureQueue(
    boss: PgBoss,
    name: string,
    options: Omit<PgBoss.Queue, 'name'>,
  ): Promise<void> {
    const existing = await boss.getQueue(name);
    if (existing) {
      await boss.updateQueue(name, { name, ...options });
      return;
    }
    try {
      await boss.createQueue(name, { name, policy: 'standard', ...options });
    } catch (err) {
      // Another process created it between our check and our create.
      if (!(await boss.getQueue(name))) throw err;
    }
  }

  /**
   * Enqueues jobs in one insert per queue; jobs already held (same key: queued, running, or done
   * and not yet archived) are not added again. Returns how many were added.
   */
  async enqueue(jobs: readonly QueuedJob[]): Promise<number> {
    if (jobs.length === 0) return 0;
    const boss = await this.ready();
    const inserts: PgBoss.JobInsert[] = jobs.map(({ data, startAfter }) => {
      const key = jobKey(data);
      return {
        id: jobId(key),
        name: queueName(data.task),
        data,
        singletonKey: key,
        startAfter: startAfter?.toISOString(),
      };
    });
    // pg-boss groups by nothing: one statement per call, so insert per queue name in one call each.
    const byQueue = new Map<string, PgBoss.JobInsert[]>();
    for (const insert of inserts) {
      const list = byQueue.get(insert.name) ?? [];
      list.push(insert);
      byQueue.set(insert.name, list);
    }
    // pg-boss's insert skips ids it holds (ON CONFLICT DO NOTHING) silently: count the new ones.
    const held = await boss
      .getDb()
      .executeSql(
        `SELECT count(*)::int AS n FROM ${JOB_QUEUE_SCHEMA}.job WHERE id = ANY($1::uuid[])`,
        [inserts.map((i) => i.id)],
      );
    for (const list of byQueue.values()) await boss.insert(list);
    return inserts.length - (held.rows[0] as { n: number }).n;
  }

  /** Takes up to `batchSize` ready jobs of a task (marks them active). */
  async fetch(task: CollectionTask, batchSize: number): Promise<FetchedJob[]> {
    const boss = await this.ready();
    const jobs = await boss.fetch<CollectionJobData>(queueName(task), {
      batchSize,
      includeMetadata: true,
    });
    return jobs.map((j) => ({
      id: j.id,
      task,
      data: j.data,
      retryCount: j.retryCount,
      retryLimit: j.retryLimit,
    }));
  }

  async complete(task: CollectionTask, id: string, output: object): Promise<void> {
    const boss = await this.ready();
    await boss.complete(queueName(task), id, output);
  }

  async fail(task: CollectionTask, id: string, output: object): Promise<void> {
    const boss = await this.ready();
    await boss.fail(queueName(task), id, output);
  }

  /** Jobs waiting or running, per task (for logs and the health API). */
  async backlog(): Promise<Record<string, number>> {
    const boss = await this.ready();
    const out: Record<string, number> = {};
    for (const task of COLLECTION_TASKS) {
      out[task] = await boss.getQueueSize(queueName(task));
    }
    return out;
  }

  async stop(): Promise<void> {
    const boss = this.boss ?? (this.starting ? await this.starting.catch(() => null) : null);
    this.boss = null;
    this.starting = null;
    if (boss) await boss.stop({ graceful: false, wait: true, close: true });
  }
}
