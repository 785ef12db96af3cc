import { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/database';
import { buildDataSourceOptions } from '../../database/data-source-options';
import type { PlatformErrorClass } from '../../platforms/platform-error';
import type { AccountOutcome } from '../collection-contracts';
import { MAX_ERROR_MESSAGE, recordOutcomes, sanitizeErrorMessage } from './collection-health';

const DEAD_AFTER = 5;

interface HealthRow {
  account_id: number;
  state: string;
  up: boolean;
  data_as_of: string | null;
  consecutive_failures: number;
  last_error_class: string | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: Date | null;
  last_success_at: Date | null;
  alerted_at: Date | null;
}

const fail = (
  accountId: number,
  errorClass: PlatformErrorClass,
  code = '48001',
  message = 'api unauthorized',
): AccountOutcome => ({ accountId, ok: false, errorClass, code, message, retryable: false });
const ok = (accountId: number, dataAsOf?: string): AccountOutcome => ({
  accountId,
  ok: true,
  ...(dataAsOf ? { dataAsOf } : {}),
});

describe('recordOutcomes (PostgreSQL)', () => {
  let ds: DataSource;
  let orgId: number;
  let nextUid = 1;

  beforeAll(async () => {
    ds = await new DataSource(buildDataSourceOptions(await createTestDatabase(), 4)).initialize();
    const [org] = await ds.query<{ id: number }[]>(
      `INSERT INTO organizations (name, level, sector) VALUES ('国务院办公厅', 'central', 'party_government_office') RETURNING id`,
    );
    orgId = org.id;
  });
  afterAll(async () => {
    await ds.destroy();
  });

  async function accounts(n: number): Promise<number[]> {
    const uids = Array.from({ length: n }, () => String(5_000_000_000 + nextUid++));
    const rows = await ds.query<{ id: number }[]>(
      `INSERT INTO accounts (platform, weibo_uid, display_name, organization_id)
       SELECT 'weibo', uid, '账号' || uid, $2 FROM unnest($1::text[]) AS uid RETURNING id`,
      [uids, orgId],
    );
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  const record = (outcomes: AccountOutcome[], deadAfter = DEAD_AFTER) =>
    recordOutcomes(ds.manager, outcomes, deadAfter);

  async function health(id: number): Promise<HealthRow> {
    const [row] = await ds.query<HealthRow[]>(
      `SELECT *, data_as_of::text AS data_as_of FROM account_collection_health WHERE account_id = $1`,
      [id],
    );
    return row;
  }

  let id: number;
  beforeEach(async () => {
    [id] = await accounts(1);
  });

  it('records a first success: ok, up, data_as_of, no alert', async () => {
    expect(await record([ok(id, '2026-11-20')])).toEqual([]);
    expect(await health(id)).toMatchObject({
      state: 'ok',
      up: true,
      data_as_of: '2026-11-20',
      consecutive_failures: 0,
      alerted_at: null,
    });
    expect((await health(id)).last_success_at).toBeInstanceOf(Date);
  });

  it('ok → failing on a permanent error alerts once; repeated failures never alert again', async () => {
    await record([ok(id, '2026-11-20')]);
    const first = await record([fail(id, 'permission', '48001', 'api unauthorized')]);
    expect(first).toEqual([
      expect.objectContaining({
        accountId: id,
        platform: 'weibo',
        state: 'failing',
        previousState: 'ok',
        errorClass: 'permission',
        code: '48001',
        message: 'api unauthorized',
        consecutiveFailures: 1,
        alert: true,
        becameDead: false,
      }),
    ]);
    const row = await health(id);
    expect(row).toMatchObject({ state: 'failing', up: false, last_error_class: 'permission' });
    expect(row.alerted_at).toBeInstanceOf(Date);
    expect(row.data_as_of).toBe('2026-11-20');

    for (let i = 2; i < DEAD_AFTER; i++) {
      expect(await record([fail(id, 'permission')])).toEqual([]);
    }
    expect((await health(id)).consecutive_failures).toBe(DEAD_AFTER - 1);
  });

  it('dead-letters after N consecutive failures: one alert in total, one became-dead line', async () => {
    const results = [];
    for (let i = 0; i < DEAD_AFTER + 2; i++) results.push(await record([fail(id, 'permission')]));
    const alerts = results.flat().filter((t) => t.alert);
    expect(alerts).toHaveLength(1);
    const dead = results.flat().filter((t) => t.becameDead);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      state: 'dead',
      previousState: 'failing',
      consecutiveFailures: DEAD_AFTER,
      alert: false,
    });
    expect(results[DEAD_AFTER - 1]).toEqual([dead[0]]);
    expect(await health(id)).toMatchObject({
      state: 'dead',
      up: false,
      consecutive_failures: DEAD_AFTER + 2,
    });
  });

  it('transient errors mark failing only from the 3rd in a row (one alert), and dead at N', async () => {
    expect(await record([fail(id, 'transient', '-1', 'system busy')])).toEqual([]);
    expect(await health(id)).toMatchObject({ state: 'ok', up: true, consecutive_failures: 1 });
    expect(await record([fail(id, 'rate_limited', 'http_429', 'slow down')])).toEqual([]);
    const third = await record([fail(id, 'transient', '-1', 'system busy')]);
    expect(third).toMatchObject([{ state: 'failing', alert: true, consecutiveFailures: 3 }]);
    expect(await record([fail(id, 'transient')])).toEqual([]);
    const fifth = await record([fail(id, 'transient')]);
    expect(fifth).toMatchObject([{ state: 'dead', alert: false, becameDead: true }]);
  });

  it('a new account failing permanently alerts on its first outcome; dead at once when N = 1', async () => {
    const [a, b] = await accounts(2);
    expect(await record([fail(a, 'config', '40013', 'invalid appid')])).toMatchObject([
      { accountId: a, state: 'failing', previousState: null, alert: true, becameDead: false },
    ]);
    expect(await record([fail(b, 'auth', '21327', 'expired token')], 1)).toMatchObject([
      { accountId: b, state: 'dead', previousState: null, alert: true, becameDead: true },
    ]);
  });

  it('quota_exhausted neither counts towards dead-letter nor changes up', async () => {
    await record([ok(id)]);
    for (let i = 0; i < DEAD_AFTER * 2; i++) {
      expect(
        await record([fail(id, 'quota_exhausted', '45009', 'reach max api daily quota limit')]),
      ).toEqual([]);
    }
    expect(await health(id)).toMatchObject({
      state: 'quota_exhausted',
      up: true,
      consecutive_failures: 0,
      last_error_code: '45009',
      alerted_at: null,
    });
    // While failing (down), quota keeps it down, keeps the count and does not re-alert.
    await record([fail(id, 'permission')]);
    expect(await record([fail(id, 'quota_exhausted', '45009')])).toEqual([]);
    expect(await health(id)).toMatchObject({
      state: 'quota_exhausted',
      up: false,
      consecutive_failures: 1,
    });
    expect((await health(id)).alerted_at).not.toBeNull();
  });

  it('a success recovers (up, 0 failures, alert re-armed) and the next failure alerts again', async () => {
    await record([ok(id, '2026-11-19')]);
    expect(await record([fail(id, 'unknown', '99999', 'weird')])).toMatchObject([{ alert: true }]);
    expect(await record([ok(id, '2026-11-20')])).toEqual([]);
    const row = await health(id);
    expect(row).toMatchObject({
      state: 'ok',
      up: true,
      consecutive_failures: 0,
      alerted_at: null,
      data_as_of: '2026-11-20',
      last_error_class: 'unknown',
    });
    expect(await record([fail(id, 'not_found', '20003', 'user does not exist')])).toMatchObject([
      { alert: true, previousState: 'ok' },
    ]);
    // A dead account recovers too.
    for (let i = 0; i < DEAD_AFTER; i++) await record([fail(id, 'permission')]);
    expect((await health(id)).state).toBe('dead');
    await record([ok(id)]);
    expect(await health(id)).toMatchObject({ state: 'ok', up: true, alerted_at: null });
  });

  it('data_as_of never moves backwards; failures and successes without a day keep it', async () => {
    await record([ok(id, '2026-11-20')]);
    await record([ok(id, '2026-11-01')]);
    expect((await health(id)).data_as_of).toBe('2026-11-20');
    await record([ok(id)]);
    await record([fail(id, 'transient')]);
    expect((await health(id)).data_as_of).toBe('2026-11-20');
    await record([ok(id, '2026-11-21')]);
    expect((await health(id)).data_as_of).toBe('2026-11-21');
  });

  it('stores the error message sanitized and truncated to 500 characters', async () => {
    const long = `失败 access_token=SECRETCANARY123&x=1 \u0000${'长'.repeat(800)}`;
    await record([fail(id, 'permission', '48001', long)]);
    const stored = (await health(id)).last_error_message ?? '';
    expect([...stored]).toHaveLength(MAX_ERROR_MESSAGE);
    expect(stored).not.toContain('SECRETCANARY');
    expect(stored).toContain('access_token=[redacted]');
    expect(sanitizeErrorMessage('short')).toBe('short');
  });

  it('records 1,000 outcomes in one call and ignores unknown accounts', async () => {
    const ids = await accounts(1000);
    const outcomes: AccountOutcome[] = ids.map((accountId, i) =>
      i % 10 === 0
        ? fail(accountId, 'permission')
        : i % 10 === 1
          ? fail(accountId, 'transient')
          : ok(accountId, '2026-11-21'),
    );
    outcomes.push(ok(2_000_000_000, '2026-11-21'));
    const started = Date.now();
    const transitions = await record(outcomes);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(transitions).toHaveLength(100);
    expect(transitions.every((t) => t.alert && t.state === 'failing')).toBe(true);
    const [counts] = await ds.query<{ ok: number; failing: number; total: number }[]>(
      `SELECT count(*) FILTER (WHERE state = 'ok')::int AS ok,
              count(*) FILTER (WHERE state = 'failing')::int AS failing, count(*)::int AS total
         FROM account_collection_health WHERE account_id = ANY($1)`,
      [ids],
    );
    expect(counts).toEqual({ ok: 900, failing: 100, total: 1000 });
    // Replaying the same job: nothing alerts a second time.
    expect(await record(outcomes)).toEqual([]);
  });

  it('the last outcome wins for an account listed twice', async () => {
    expect(await record([fail(id, 'permission'), ok(id, '2026-11-21')])).toEqual([]);
    expect(await health(id)).toMatchObject({ state: 'ok', data_as_of: '2026-11-21' });
  });

  it('concurrent jobs failing the same accounts alert each account exactly once', async () => {
    const ids = await accounts(50);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, job) =>
        ds.transaction((manager) =>
          recordOutcomes(
            manager,
            (job % 2 ? [...ids].reverse() : ids).map((a) => fail(a, 'permission')),
            DEAD_AFTER,
          ),
        ),
      ),
    );
    const alerts = results.flat().filter((t) => t.alert);
    expect(alerts).toHaveLength(50);
    expect(new Set(alerts.map((t) => t.accountId)).size).toBe(50);
  });

  it('does nothing for an empty batch and rejects a bad threshold', async () => {
    expect(await record([])).toEqual([]);
    await expect(record([ok(id)], 0)).rejects.toThrow(RangeError);
  });
});
