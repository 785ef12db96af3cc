import type { Principal } from '../../auth/principal';
import type { CollectionTask } from '../collection-contracts';

/** Injection token of the CollectionDispatcher (implemented by the collection scheduler). */
export const COLLECTION_DISPATCHER = Symbol('COLLECTION_DISPATCHER');

/** A manual run: tasks (default all) for some or all accounts, up to `day`. */
export interface TriggerRequest {
  task?: CollectionTask;
  accountIds?: number[];
  /** YYYY-MM-DD (Asia/Shanghai business day), not in the future. */
  day?: string;
  /** Re-arm dead-lettered accounts (state ok, 0 failures, alerted_at NULL) before enqueueing. */
  reset?: boolean;
}

export interface TriggerResult {
  jobs: number;
  accounts: number;
  tasks: CollectionTask[];
}

export interface BackfillRequest {
  accountIds?: number[];
  /** Days back from yesterday, 1..365. */
  days: number;
}

export interface BackfillResult {
  runId: number;
  accounts: number;
  fromDay: string;
  toDay: string;
  jobs: number;
}

/**
 * What POST /api/v1/collection/trigger and /backfill delegate to. The principal is passed so the
 * implementation can confine account ids to the key's region scope and record who asked.
 */
export interface CollectionDispatcher {
  trigger(request: TriggerRequest, principal: Principal): Promise<TriggerResult>;
  backfill(request: BackfillRequest, principal: Principal): Promise<BackfillResult>;
}
