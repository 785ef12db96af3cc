import type { DataSource } from 'typeorm';
import type { DailyMetricRow, PostRow, PostSnapshotRow } from '../../metrics/metric-rows';
import { upsertDailyMetrics, upsertPostSnapshots, upsertPosts } from '../../metrics/metric-writers';
import { type Bookmark, addBackfillProgress, advanceBookmarks } from '../bookmarks';

/** One account's chunk: its rows, the bookmark they complete, and backfill progress. */
export interface ChunkWrite {
  daily: DailyMetricRow[];
  posts: PostRow[];
  snapshots: PostSnapshotRow[];
  bookmark: Omit<Bookmark, 'cursor'> & { cursor?: string | null };
  backfillRunId?: number;
  days: number;
}

interface Pending {
  write: ChunkWrite;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for collection writes: the chunks of accounts that finish at about the same time
 * are written in ONE transaction (one upsert per table, one bookmark statement), and each caller's
 * promise settles when that transaction has committed. Rows and their bookmarks still commit
 * together (R1); a failed transaction rejects every chunk in it, and their jobs retry. An account
 * waits for its chunk's commit before fetching the next, so a batch never holds one account twice.
 */
export class WriteBatcher {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly maxBatch = 50,
    private readonly maxDelayMs = 10,
  ) {}

  write(write: ChunkWrite): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // One chunk per account in a batch (its keys must not repeat in one upsert): a second chunk
    // of the same account (two runs of one job overlapping) waits for the next batch.
    const seen = new Set<number>();
    const batch: Pending[] = [];
    const later: Pending[] = [];
    for (const p of this.pending) {
      const account = p.write.bookmark.accountId;
      if (seen.has(account) || batch.length >= this.maxBatch) later.push(p);
      else {
        seen.add(account);
        batch.push(p);
      }
    }
    this.pending = later;
    if (later.length > 0) this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
    if (batch.length === 0) return;
    this.commit(batch.map((p) => p.write)).then(
      () => batch.forEach((p) => p.resolve()),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  }

  private async commit(writes: ChunkWrite[]): Promise<void> {
    const progress = new Map<number, number>();
    for (const w of writes) {
      if (w.backfillRunId !== undefined && w.days > 0) {
        progress.set(w.backfillRunId, (progress.get(w.backfillRunId) ?? 0) + w.days);
      }
    }
    await this.dataSource.transaction(async (tx) => {
      await upsertDailyMetrics(
        tx,
        writes.flatMap((w) => w.daily),
      );
      await upsertPosts(
        tx,
        writes.flatMap((w) => w.posts),
      );
      await upsertPostSnapshots(
        tx,
        writes.flatMap((w) => w.snapshots),
      );
      await advanceBookmarks(
        tx,
        writes.map((w) => w.bookmark),
      );
      for (const [runId, days] of progress) await addBackfillProgress(tx, runId, days);
    });
  }
}
