import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../src/app.module';
import { generateApiKey } from '../../src/auth/api-key-format';
import { ApiKeysService } from '../../src/auth/api-keys.service';
import type { Principal } from '../../src/auth/principal';
import { businessDate } from '../../src/common/business-date';
import { addDays } from '../../src/common/calendar-date';
import { buildValidationPipe } from '../../src/common/validation';
import { loadConfig } from '../../src/config/app-config';
import {
  COLLECTION_DISPATCHER,
  type CollectionDispatcher,
} from '../../src/collection/health/collection-dispatcher';
import { backfillProgress } from '../../src/collection/health/collection-health.service';
import { CollectionMetrics } from '../../src/collection/health/collection-metrics';
import { createMetricsRegistry } from '../../src/health/metrics.registry';
import { createTestDatabase } from '../support/database';
import { type RequestOptions, type TestResponse, apiRequester } from '../support/test-app';

/*
 * The collection health API over HTTP. The app is built here like src/app.factory.ts does
 * (Fastify, the global validation pipe, the real AppModule with its guard and error filter), with
 * the collection dispatcher overridden by a fake that records calls.
 */

interface HealthApp {
  app: NestFastifyApplication;
  databaseUrl: string;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

interface DispatchCall {
  kind: 'trigger' | 'backfill';
  request: unknown;
  principal: Principal;
}

async function startHealthApp(dispatcher?: CollectionDispatcher): Promise<HealthApp> {
  const databaseUrl = await createTestDatabase();
  const adminKey = generateApiKey().plaintext;
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'gmm-health-')),
    ADMIN_API_KEY: adminKey,
    COLLECTION_ENABLED: 'false',
    COLLECTION_BACKFILL_DAYS: '30',
    WECHAT_API_BASE_URL: 'http://127.0.0.1:9',
    WEIBO_API_BASE_URL: 'http://127.0.0.1:9',
  });
  const metrics = createMetricsRegistry();
  // The real AppModule (it wires CollectionHealthModule with the real dispatcher); the dispatcher
  // is replaced by a fake that records calls, or by nothing (503).
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.register({ config, databaseUrl, metrics })],
  })
    .overrideProvider(COLLECTION_DISPATCHER)
    .useValue(dispatcher ?? null)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: false,
    abortOnError: false,
  });
  app.useGlobalPipes(buildValidationPipe());
  await app.init();
  await app.get(ApiKeysService).ensureInitialAdminKey();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    app,
    databaseUrl,
    request: apiRequester(baseUrl, adminKey),
    close: () => app.close(),
  };
}

describe('collection health API over HTTP', () => {
  let t: HealthApp;
  let bare: HealthApp;
  let db: Client;
  let viewerKey: string;
  let sichuanKey: string;
  const calls: DispatchCall[] = [];
  const ids: Record<string, number> = {};
  const today = businessDate();
  const yesterday = addDays(today, -1);

  const fakeDispatcher: CollectionDispatcher = {
    trigger(request, principal) {
      calls.push({ kind: 'trigger', request, principal });
      return Promise.resolve({
        jobs: 3,
        accounts: request.accountIds?.length ?? 5,
        tasks: request.task ? [request.task] : ['wechat.daily', 'weibo.followers'],
      });
    },
    backfill(request, principal) {
      calls.push({ kind: 'backfill', request, principal });
      return Promise.resolve({
        runId: 42,
        accounts: request.accountIds?.length ?? 5,
        fromDay: addDays(yesterday, 1 - request.days),
        toDay: yesterday,
        jobs: 7,
      });
    },
  };

  beforeAll(async () => {
    [t, bare] = await Promise.all([startHealthApp(fakeDispatcher), startHealthApp()]);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();

    const org = async (name: string, regionCode: string | null) => {
      const response = await t.request('POST', '/api/v1/organizations', {
        json: {
          name,
          ...(regionCode ? { regionCode, level: 'municipal' } : { level: 'central' }),
          sector: 'public_security',
        },
      });
      expect(response.status, response.text).toBe(201);
      return response.body.id as number;
    };
    const sichuan = await org('成都市公安局', '510100');
    const guangdong = await org('广州市公安局', '440100');
    const central = await org('公安部', null);

    let uid = 0;
    const account = async (
      name: string,
      platform: 'wechat' | 'weibo',
      organizationId: number,
      status = 'active',
    ) => {
      uid++;
      const [row] = (
        await db.query<{ id: number }>(
          `INSERT INTO accounts (platform, wechat_app_id, weibo_uid, display_name, organization_id, status, closed_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [
            platform,
            platform === 'wechat' ? `wx${String(uid).padStart(16, '0')}` : null,
            platform === 'weibo' ? String(6_000_000_000 + uid) : null,
            name,
            organizationId,
            status,
            status === 'closed' ? today : null,
          ],
        )
      ).rows;
      ids[name] = row.id;
    };
    await account('成都发布', 'wechat', sichuan);
    await account('平安成都', 'weibo', sichuan);
    await account('广州公安', 'weibo', guangdong);
    await account('广州发布', 'wechat', guangdong);
    await account('公安部发布', 'wechat', central);
    await account('已关闭', 'weibo', sichuan, 'closed');

    const health = (
      name: string,
      state: string,
      up: boolean,
      dataAsOf: string | null,
      failures = 0,
      error: [string, string] | null = null,
    ) =>
      db.query(
        `INSERT INTO account_collection_health (account_id, state, up, data_as_of, consecutive_failures,
           last_error_class, last_error_code, last_error_message, last_error_at, last_success_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END, now())`,
        [
          ids[name],
          state,
          up,
          dataAsOf,
          failures,
          error?.[0],
          error?.[1],
          error ? 'api unauthorized' : null,
        ],
      );
    await health('成都发布', 'ok', true, yesterday);
    await health('平安成都', 'failing', false, addDays(today, -10), 2, ['permission', '48001']);
    await health('广州公安', 'dead', false, addDays(today, -20), 5, ['permission', '50002']);
    await health('广州发布', 'quota_exhausted', true, yesterday, 0, ['quota_exhausted', '45009']);
    await health('已关闭', 'failing', false, null, 3, ['auth', '21327']);
    await db.query(
      `INSERT INTO platform_credentials (account_id, kind, app_id, key_version, iv, ciphertext, tag)
       VALUES ($1, 'wechat_app', 'wx0000000000000001', 'v1', $2, $3, $4)`,
      [ids['成都发布'], Buffer.alloc(12, 1), Buffer.from('cipher'), Buffer.alloc(16, 2)],
    );
    await db.query(
      `INSERT INTO platform_credentials (account_id, kind, state, revoked_at)
       VALUES ($1, 'weibo_token', 'revoked', now())`,
      [ids['平安成都']],
    );

    const key = async (role: string, regionCode?: string) => {
      const response = await t.request('POST', '/api/v1/api-keys', {
        json: {
          name: `${role} ${regionCode ?? 'all'}`,
          role,
          ...(regionCode ? { regionCode } : {}),
        },
      });
      expect(response.status, response.text).toBe(201);
      return response.body.apiKey as string;
    };
    viewerKey = await key('viewer');
    sichuanKey = await key('viewer', '510000');
  });

  afterAll(async () => {
    await db?.end();
    await Promise.all([t?.close(), bare?.close()]);
  });

  describe('GET /api/v1/collection/health', () => {
    it('summarizes active accounts by platform and by province', async () => {
      const response = await t.request('GET', '/api/v1/collection/health', { key: viewerKey });
      expect(response.status, response.text).toBe(200);
      const body = response.body;
      expect(body.staleBefore).toBe(yesterday);
      expect(Date.parse(body.generatedAt)).not.toBeNaN();
      expect(body.byPlatform).toEqual([
        {
          platform: 'wechat',
          total: 3,
          ok: 1,
          failing: 0,
          quotaExhausted: 1,
          dead: 0,
          never: 1,
          up: 2,
          down: 0,
          stale: 1,
          oldestDataAsOf: yesterday,
          newestDataAsOf: yesterday,
        },
        {
          platform: 'weibo',
          total: 2,
          ok: 0,
          failing: 1,
          quotaExhausted: 0,
          dead: 1,
          never: 0,
          up: 0,
          down: 2,
          stale: 2,
          oldestDataAsOf: addDays(today, -20),
          newestDataAsOf: addDays(today, -10),
        },
      ]);
      const provinces = body.byProvince.map((p: { regionCode: string | null; total: number }) => [
        p.regionCode,
        p.total,
      ]);
      expect(provinces).toEqual([
        [null, 1],
        ['440000', 2],
        ['510000', 2],
      ]);
      const sichuan = body.byProvince.find(
        (p: { regionCode: string }) => p.regionCode === '510000',
      );
      expect(sichuan).toMatchObject({ ok: 1, failing: 1, up: 1, down: 1, stale: 1 });
      expect(sichuan.regionName).toBeTruthy();
    });

    it('lists accounts with health, staleness, last error and credential state', async () => {
      const response = await t.request('GET', '/api/v1/collection/health?limit=500', {
        key: viewerKey,
      });
      const items = response.body.accounts.items;
      expect(items.map((i: { accountId: number }) => i.accountId)).toEqual(
        ['成都发布', '平安成都', '广州公安', '广州发布', '公安部发布'].map((n) => ids[n]),
      );
      const byName = Object.fromEntries(
        items.map((i: { displayName: string }) => [i.displayName, i]),
      );
      expect(byName['成都发布']).toMatchObject({
        platform: 'wechat',
        regionCode: '510100',
        state: 'ok',
        up: true,
        dataAsOf: yesterday,
        stale: false,
        consecutiveFailures: 0,
        credentialState: 'valid',
        lastErrorClass: null,
      });
      expect(byName['平安成都']).toMatchObject({
        state: 'failing',
        up: false,
        stale: true,
        lastErrorClass: 'permission',
        lastErrorCode: '48001',
        consecutiveFailures: 2,
        credentialState: 'revoked',
      });
      expect(Date.parse(byName['平安成都'].lastErrorAt)).not.toBeNaN();
      expect(byName['公安部发布']).toMatchObject({
        state: 'never',
        up: null,
        dataAsOf: null,
        stale: true,
        regionCode: null,
        credentialState: 'never',
      });
      expect(response.text).not.toContain('cipher');
    });

    it('filters by state, platform and region', async () => {
      const names = async (query: string, key = viewerKey) => {
        const response = await t.request('GET', `/api/v1/collection/health?${query}`, { key });
        expect(response.status, response.text).toBe(200);
        return response.body.accounts.items.map((i: { displayName: string }) => i.displayName);
      };
      expect(await names('state=never')).toEqual(['公安部发布']);
      expect(await names('state=dead')).toEqual(['广州公安']);
      expect(await names('state=quota_exhausted')).toEqual(['广州发布']);
      expect(await names('platform=weibo')).toEqual(['平安成都', '广州公安']);
      expect(await names('region=440000')).toEqual(['广州公安', '广州发布']);
      expect(await names('region=440100&platform=wechat')).toEqual(['广州发布']);
      const summary = await t.request('GET', '/api/v1/collection/health?platform=weibo', {
        key: viewerKey,
      });
      expect(summary.body.byPlatform.map((p: { platform: string }) => p.platform)).toEqual([
        'weibo',
      ]);
    });

    it('confines a region-scoped key to its subtree', async () => {
      const response = await t.request('GET', '/api/v1/collection/health', { key: sichuanKey });
      expect(response.status).toBe(200);
      expect(
        response.body.accounts.items.map((i: { displayName: string }) => i.displayName),
      ).toEqual(['成都发布', '平安成都']);
      expect(response.body.byProvince.map((p: { regionCode: string }) => p.regionCode)).toEqual([
        '510000',
      ]);
      expect(
        response.body.byPlatform.reduce((n: number, p: { total: number }) => n + p.total, 0),
      ).toBe(2);
      const outside = await t.request('GET', '/api/v1/collection/health?region=440000', {
        key: sichuanKey,
      });
      expect(outside.body.accounts.items).toEqual([]);
      expect(outside.body.byPlatform).toEqual([]);
    });

    it('paginates with keyset cursors in both orders', async () => {
      for (const order of ['asc', 'desc']) {
        const seen: number[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query = `limit=2&order=${order}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const response = await t.request('GET', `/api/v1/collection/health?${query}`, {
            key: viewerKey,
          });
          expect(response.status, response.text).toBe(200);
          expect(response.body.accounts.items.length).toBeLessThanOrEqual(2);
          seen.push(...response.body.accounts.items.map((i: { accountId: number }) => i.accountId));
          cursor = response.body.accounts.nextCursor;
          pages++;
        } while (cursor && pages < 10);
        expect(pages).toBe(3);
        const all = ['成都发布', '平安成都', '广州公安', '广州发布', '公安部发布'].map(
          (n) => ids[n],
        );
        expect(seen).toEqual(order === 'asc' ? all : [...all].reverse());
      }
    });

    it('rejects bad filters and cursors with field errors, and requires a key', async () => {
      for (const [query, field] of [
        ['state=broken', 'state'],
        ['platform=douyin', 'platform'],
        ['region=51', 'region'],
        ['limit=0', 'limit'],
        ['cursor=garbage', 'cursor'],
        ['bogus=1', 'bogus'],
      ]) {
        const response = await t.request('GET', `/api/v1/collection/health?${query}`, {
          key: viewerKey,
        });
        expect(response.status, query).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
        expect(response.body.correlationId).toBeTruthy();
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect((await t.request('GET', '/api/v1/collection/health', { key: null })).status).toBe(401);
    });
  });

  describe('GET /api/v1/collection/runs', () => {
    beforeAll(async () => {
      await db.query(
        `INSERT INTO schedule_runs (schedule, slot, claimed_by, claimed_at, backfilled, finished_at, outcome, error)
         VALUES
          ('wechat.daily', '2026-11-20T01:00:00Z', 'r1', '2026-11-20T01:00:01Z', false, '2026-11-20T01:05:01Z', 'ok', NULL),
          ('wechat.daily', '2026-11-21T01:00:00Z', 'r2', '2026-11-21T01:00:02Z', true, '2026-11-21T01:00:12Z', 'failed', 'boom'),
          ('wechat.daily', '2026-11-22T01:00:00Z', 'r1', '2026-11-22T01:00:01Z', false, NULL, NULL, NULL),
          ('weibo.posts', '2026-11-22T01:00:00Z', 'r3', '2026-11-22T01:00:01Z', false, '2026-11-22T01:00:03.5Z', 'ok', NULL),
          ('weibo.posts', '2026-11-22T01:15:00Z', 'r3', '2026-11-22T01:15:01Z', false, NULL, NULL, NULL)`,
      );
    });

    const runs = async (query = '') => {
      const response = await t.request('GET', `/api/v1/collection/runs?${query}`, {
        key: viewerKey,
      });
      expect(response.status, response.text).toBe(200);
      return response.body;
    };

    it('lists the ledger newest first with outcome and duration', async () => {
      const body = await runs();
      expect(
        body.items.map((r: { schedule: string; slot: string }) => `${r.schedule}@${r.slot}`),
      ).toEqual([
        'weibo.posts@2026-11-22T01:15:00.000Z',
        'weibo.posts@2026-11-22T01:00:00.000Z',
        'wechat.daily@2026-11-22T01:00:00.000Z',
        'wechat.daily@2026-11-21T01:00:00.000Z',
        'wechat.daily@2026-11-20T01:00:00.000Z',
      ]);
      expect(body.nextCursor).toBeNull();
      expect(body.items[1]).toMatchObject({ outcome: 'ok', durationSeconds: 2.5, claimedBy: 'r3' });
      expect(body.items[3]).toMatchObject({
        outcome: 'failed',
        error: 'boom',
        backfilled: true,
        durationSeconds: 10,
      });
      expect(body.items[0]).toMatchObject({
        outcome: 'running',
        finishedAt: null,
        durationSeconds: null,
      });
    });

    it('filters by schedule and outcome (running = unfinished)', async () => {
      expect(
        (await runs('outcome=running')).items.map((r: { claimedBy: string }) => r.claimedBy),
      ).toEqual(['r3', 'r1']);
      expect((await runs('schedule=wechat.daily&outcome=ok')).items).toHaveLength(1);
      expect((await runs('schedule=weibo.posts')).items).toHaveLength(2);
      expect((await runs('schedule=nope')).items).toEqual([]);
    });

    it('paginates across equal slots without gaps or repeats', async () => {
      const all = (await runs()).items.map(
        (r: { schedule: string; slot: string }) => r.schedule + r.slot,
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const body = await runs(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        seen.push(
          ...body.items.map((r: { schedule: string; slot: string }) => r.schedule + r.slot),
        );
        cursor = body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
    });

    it('rejects a bad outcome or cursor', async () => {
      for (const query of [
        'outcome=done',
        'cursor=abc',
        `cursor=${Buffer.from('["x","y"]').toString('base64url')}`,
      ]) {
        const response = await t.request('GET', `/api/v1/collection/runs?${query}`, {
          key: viewerKey,
        });
        expect(response.status, query).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
    });
  });

  describe('backfills', () => {
    const runIds: Record<string, number> = {};
    beforeAll(async () => {
      const insert = async (
        name: string,
        total: number,
        done: number,
        ageSeconds: number,
        finishedAfter: number | null,
      ) => {
        const { rows } = await db.query<{ id: number }>(
          `INSERT INTO backfill_runs (requested_by, from_day, to_day, accounts, total_days, done_days, created_at, finished_at)
           VALUES ('key:admin', '2026-08-24', '2026-11-21', 10, $1, $2, now() - make_interval(secs => $3),
                   CASE WHEN $4::float8 IS NULL THEN NULL ELSE now() - make_interval(secs => $3) + make_interval(secs => $4::float8) END)
           RETURNING id`,
          [total, done, ageSeconds, finishedAfter],
        );
        runIds[name] = rows[0].id;
      };
      await insert('finished', 900, 900, 500, 50);
      await insert('running', 1000, 250, 100, null);
      await insert('stuck', 1000, 0, 100, null);
    });

    it('reports progress: percent, rate and ETA', async () => {
      const running = await t.request('GET', `/api/v1/collection/backfills/${runIds.running}`, {
        key: viewerKey,
      });
      expect(running.status, running.text).toBe(200);
      expect(running.body).toMatchObject({
        id: runIds.running,
        requestedBy: 'key:admin',
        fromDay: '2026-08-24',
        toDay: '2026-11-21',
        accounts: 10,
        totalDays: 1000,
        doneDays: 250,
        percent: 25,
        finishedAt: null,
      });
      expect(running.body.daysPerSecond).toBeCloseTo(2.5, 1);
      expect(running.body.etaSeconds).toBeGreaterThanOrEqual(295);
      expect(running.body.etaSeconds).toBeLessThanOrEqual(305);

      const stuck = await t.request('GET', `/api/v1/collection/backfills/${runIds.stuck}`, {
        key: viewerKey,
      });
      expect(stuck.body).toMatchObject({ percent: 0, daysPerSecond: 0, etaSeconds: null });

      const finished = await t.request('GET', `/api/v1/collection/backfills/${runIds.finished}`, {
        key: viewerKey,
      });
      expect(finished.body).toMatchObject({ percent: 100, daysPerSecond: 18, etaSeconds: 0 });
      expect(Date.parse(finished.body.finishedAt)).not.toBeNaN();
    });

    it('lists runs newest first with keyset pagination', async () => {
      const first = await t.request('GET', '/api/v1/collection/backfills?limit=2', {
        key: viewerKey,
      });
      expect(first.status, first.text).toBe(200);
      expect(first.body.items.map((r: { id: number }) => r.id)).toEqual([
        runIds.stuck,
        runIds.running,
      ]);
      const second = await t.request(
        'GET',
        `/api/v1/collection/backfills?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
        { key: viewerKey },
      );
      expect(second.body.items.map((r: { id: number }) => r.id)).toEqual([runIds.finished]);
      expect(second.body.nextCursor).toBeNull();
    });

    it('answers 404 for an unknown run and 400 for a bad id', async () => {
      const missing = await t.request('GET', '/api/v1/collection/backfills/999999', {
        key: viewerKey,
      });
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 'BACKFILL_NOT_FOUND' });
      expect(missing.body.correlationId).toBeTruthy();
      expect(
        (await t.request('GET', '/api/v1/collection/backfills/abc', { key: viewerKey })).status,
      ).toBe(400);
    });

    it('computes progress edge cases', () => {
      expect(
        backfillProgress({ totalDays: 0, doneDays: 0, elapsedSeconds: 0, finished: true }),
      ).toEqual({
        percent: 100,
        daysPerSecond: 0,
        etaSeconds: 0,
      });
      expect(
        backfillProgress({ totalDays: 3, doneDays: 1, elapsedSeconds: 0, finished: false }),
      ).toEqual({
        percent: 33.33,
        daysPerSecond: 0,
        etaSeconds: null,
      });
      expect(
        backfillProgress({ totalDays: 10, doneDays: 4, elapsedSeconds: 2, finished: false }),
      ).toEqual({
        percent: 40,
        daysPerSecond: 2,
        etaSeconds: 3,
      });
    });
  });

  describe('POST trigger and backfill', () => {
    it('triggers through the dispatcher and answers 202 with its result', async () => {
      calls.length = 0;
      const all = await t.request('POST', '/api/v1/collection/trigger', { json: {} });
      expect(all.status, all.text).toBe(202);
      expect(all.body).toEqual({
        jobs: 3,
        accounts: 5,
        tasks: ['wechat.daily', 'weibo.followers'],
      });
      const some = await t.request('POST', '/api/v1/collection/trigger', {
        json: { task: 'weibo.posts', accountIds: [3, 1, 3], day: yesterday, reset: true },
      });
      expect(some.status, some.text).toBe(202);
      expect(some.body).toEqual({ jobs: 3, accounts: 2, tasks: ['weibo.posts'] });
      expect(calls).toHaveLength(2);
      expect(calls[0].request).toEqual({});
      expect(calls[1].request).toEqual({
        task: 'weibo.posts',
        accountIds: [3, 1],
        day: yesterday,
        reset: true,
      });
      expect(calls[1].principal).toMatchObject({ role: 'admin', regionCode: null });
    });

    it('starts a backfill with the configured default days', async () => {
      calls.length = 0;
      const response = await t.request('POST', '/api/v1/collection/backfill', { json: {} });
      expect(response.status, response.text).toBe(202);
      expect(response.body).toEqual({
        runId: 42,
        accounts: 5,
        fromDay: addDays(yesterday, -29),
        toDay: yesterday,
        jobs: 7,
      });
      expect(calls[0].request).toEqual({ days: 30 });
      const some = await t.request('POST', '/api/v1/collection/backfill', {
        json: { accountIds: [7], days: 365 },
      });
      expect(some.status).toBe(202);
      expect(calls[1].request).toEqual({ accountIds: [7], days: 365 });
    });

    it('rejects each invalid trigger field with 400 naming it', async () => {
      calls.length = 0;
      const cases: [Record<string, unknown>, string][] = [
        [{ task: 'wechat.hourly' }, 'task'],
        [{ accountIds: 'all' }, 'accountIds'],
        [{ accountIds: [] }, 'accountIds'],
        [{ accountIds: [1.5] }, 'accountIds'],
        [{ accountIds: [0] }, 'accountIds'],
        [{ accountIds: Array.from({ length: 10_001 }, (_, i) => i + 1) }, 'accountIds'],
        [{ day: '2026-02-30' }, 'day'],
        [{ day: '20261121' }, 'day'],
        [{ day: addDays(today, 1) }, 'day'],
        [{ reset: 'yes' }, 'reset'],
        [{ isAdmin: true }, 'isAdmin'],
      ];
      for (const [json, field] of cases) {
        const response = await t.request('POST', '/api/v1/collection/trigger', { json });
        expect(response.status, JSON.stringify(json).slice(0, 80)).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(calls).toHaveLength(0);
    });

    it('rejects each invalid backfill field with 400 naming it', async () => {
      calls.length = 0;
      const cases: [Record<string, unknown>, string][] = [
        [{ days: 0 }, 'days'],
        [{ days: 366 }, 'days'],
        [{ days: 1.5 }, 'days'],
        [{ days: '30' }, 'days'],
        [{ accountIds: ['1'] }, 'accountIds'],
        [{ fromDay: '2026-01-01' }, 'fromDay'],
      ];
      for (const [json, field] of cases) {
        const response = await t.request('POST', '/api/v1/collection/backfill', { json });
        expect(response.status, JSON.stringify(json)).toBe(400);
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(calls).toHaveLength(0);
    });

    it('requires the admin role', async () => {
      for (const route of ['trigger', 'backfill']) {
        const viewer = await t.request('POST', `/api/v1/collection/${route}`, {
          json: {},
          key: viewerKey,
        });
        expect(viewer.status).toBe(403);
        const anonymous = await t.request('POST', `/api/v1/collection/${route}`, {
          json: {},
          key: null,
        });
        expect(anonymous.status).toBe(401);
      }
    });

    it('answers 503 where no dispatcher is configured', async () => {
      const response = await bare.request('POST', '/api/v1/collection/trigger', { json: {} });
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ code: 'COLLECTION_DISPATCH_UNAVAILABLE' });
    });
  });

  describe('metrics', () => {
    it('exposes the collection series on /metrics, per app registry', async () => {
      await db.query(
        `INSERT INTO collection_budgets (budget_key, blocked_until, blocked_reason)
         VALUES ('wechat:wx1', now() + interval '1 hour', '45009'), ('wechat:wx2', now() - interval '1 hour', '45009'),
                ('weibo:t1', now() + interval '1 minute', 'retry_after')`,
      );
      const metrics = t.app.get(CollectionMetrics);
      metrics.jobFinished('wechat.daily', 'ok', 1.5);
      metrics.jobFinished('wechat.daily', 'retry', 0.2);
      metrics.request('wechat', 0.02);
      metrics.error('weibo', 'permission');

      const response = await t.request('GET', '/metrics', { key: null });
      expect(response.status).toBe(200);
      const text = response.text;
      const sample = (name: string, labels: Record<string, string>) => {
        const line = text
          .split('\n')
          .find(
            (l) =>
              l.startsWith(`${name}{`) &&
              Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
          );
        return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
      };
      expect(sample('gmm_collection_jobs_total', { task: 'wechat.daily', outcome: 'ok' })).toBe(1);
      expect(sample('gmm_collection_jobs_total', { task: 'wechat.daily', outcome: 'retry' })).toBe(
        1,
      );
      expect(sample('gmm_collection_job_duration_seconds_count', { task: 'wechat.daily' })).toBe(2);
      expect(sample('gmm_collection_platform_requests_total', { platform: 'wechat' })).toBe(1);
      expect(
        sample('gmm_collection_platform_request_duration_seconds_count', { platform: 'wechat' }),
      ).toBe(1);
      expect(
        sample('gmm_collection_errors_total', { platform: 'weibo', class: 'permission' }),
      ).toBe(1);
      expect(sample('gmm_collection_accounts', { platform: 'wechat', state: 'never' })).toBe(1);
      expect(sample('gmm_collection_accounts', { platform: 'weibo', state: 'dead' })).toBe(1);
      expect(sample('gmm_collection_accounts', { platform: 'wechat', state: 'ok' })).toBe(1);
      // Only active accounts that are down get a gmm_collection_up series (value 0).
      expect(sample('gmm_collection_up', { account_id: String(ids['平安成都']) })).toBe(0);
      expect(sample('gmm_collection_up', { account_id: String(ids['广州公安']) })).toBe(0);
      expect(sample('gmm_collection_up', { account_id: String(ids['成都发布']) })).toBeUndefined();
      expect(sample('gmm_collection_up', { account_id: String(ids['已关闭']) })).toBeUndefined();
      expect(sample('gmm_collection_budget_blocked', { reason: '45009' })).toBe(1);
      expect(sample('gmm_collection_budget_blocked', { reason: 'retry_after' })).toBe(1);

      // The other app has its own registry: none of these counts leak into it.
      const other = await bare.request('GET', '/metrics', { key: null });
      expect(other.text).toContain('# TYPE gmm_collection_jobs_total counter');
      expect(other.text).not.toMatch(/^gmm_collection_jobs_total\{/m);
      expect(other.text).not.toMatch(/^gmm_collection_up\{/m);
    });
  });

  it('documents every collection operation in OpenAPI', () => {
    const document = SwaggerModule.createDocument(t.app, new DocumentBuilder().build());
    const operations = Object.entries(document.paths)
      .filter(([route]) => route.startsWith('/api/v1/collection'))
      .flatMap(([route, item]) =>
        (['get', 'post'] as const).flatMap((method) =>
          item[method] ? [[`${method} ${route}`, item[method]] as const] : [],
        ),
      );
    expect(operations.map(([name]) => name).sort()).toEqual([
      'get /api/v1/collection/backfills',
      'get /api/v1/collection/backfills/{id}',
      'get /api/v1/collection/health',
      'get /api/v1/collection/runs',
      'post /api/v1/collection/backfill',
      'post /api/v1/collection/trigger',
    ]);
    for (const [name, operation] of operations) {
      expect(operation?.tags, name).toEqual(['collection']);
      expect(operation?.summary, name).toBeTruthy();
      expect(operation?.description, name).toBeTruthy();
    }
  });
});
