import { createHash } from 'node:crypto';

export interface CallRecord {
  seq: number;
  time: string;
  method: string;
  path: string;
  platform: 'wechat' | 'weibo';
  appId?: string;
  uid?: string;
  /** First 12 hex digits of SHA-256 of the token: enough to correlate, useless to replay. */
  tokenHash?: string;
  /** HTTP status sent (0 when the fault never answers). */
  status: number;
  /** 'ok', or the platform error code, or the fault's outcome. */
  outcome: string;
  fault?: string;
}

export interface CallQuery {
  /** ISO time (inclusive) or a sequence number (exclusive). */
  since?: string;
  appId?: string;
  uid?: string;
  path?: string;
}

const MAX_RECORDS = 200_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

export class CallLog {
  private records: CallRecord[] = [];
  private seq = 0;

  record(entry: Omit<CallRecord, 'seq'>): CallRecord {
    this.seq += 1;
    const record = { seq: this.seq, ...entry };
    this.records.push(record);
    // Bounded: drop the oldest tenth at once rather than shifting on every call.
    if (this.records.length > MAX_RECORDS) this.records = this.records.slice(MAX_RECORDS / 10);
    return record;
  }

  query(q: CallQuery = {}): CallRecord[] {
    let sinceSeq: number | undefined;
    let sinceTime: string | undefined;
    if (q.since !== undefined && q.since !== '') {
      if (/^\d+$/.test(q.since)) sinceSeq = Number(q.since);
      else sinceTime = new Date(q.since).toISOString();
    }
    return this.records.filter(
      (r) =>
        (sinceSeq === undefined || r.seq > sinceSeq) &&
        (sinceTime === undefined || r.time >= sinceTime) &&
        (q.appId === undefined || r.appId === q.appId) &&
        (q.uid === undefined || r.uid === q.uid) &&
        (q.path === undefined || r.path.startsWith(q.path)),
    );
  }

  clear(): void {
    this.records = [];
  }

  get size(): number {
    return this.records.length;
  }
}
