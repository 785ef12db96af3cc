import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/database';
import { AuditService } from '../audit/audit.service';
import type { Actor, Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from '../database/data-source-options';
import {
  CapabilityRecomputeScheduler,
  RECOMPUTE_SCHEDULE,
  SCHEDULER_ACTOR,
} from './capability-recompute.scheduler';
import { insertScoreFixtures } from './capability-testing';
import { CohortService } from './cohort.service';
import { EditionsService } from './editions.service';
import { ResultsService } from './results.service';

const ADMIN: Principal = { apiKeyId: 1, name: 'test', role: 'admin', regionCode: null };
const ACTOR: Actor = { apiKeyId: 1, name: 'key:test', correlationId: 'corr-tick' };
const EVERY_MINUTES = 5;
const SLOT_MS = EVERY_MINUTES * 60_000;
const CONFIG = {
  capability: { recomputeSchedule: true, recomputeEveryMinutes: EVERY_MINUTES },
} as AppConfig;

/** The background recompute on the schedule_runs ledger, on PostgreSQL. */
describe('background recompute of outdated capability results', () => {
  let ds: DataSource;
  let editions: EditionsService;
  let results: ResultsService;
  // A virtual clock inside the current 5-minute slot (near the database's clock: no skew warning).
  const clock = { at: Math.floor(Date.now() / SLOT_MS) * SLOT_MS + 1_000 };
  const virtual = { now: () => new Date(clock.at) };
  let accountId = 0;
  let outdated = 0;
  let current = 0;
  let neverComputed = 0;

  const replica = (id: string) => {
    const scheduler = new CapabilityRecomputeScheduler(ds, CONFIG, results, virtual, id);
    scheduler.onModuleInit();
    return scheduler;
  };
  const runsOf = async (editionId: number) =>
    (
      await ds.query<{ trigger: string; requested_by: string }[]>(
        `SELECT trigger, requested_by FROM capability_runs WHERE edition_id = $1 ORDER BY id`,
        [editionId],
      )
    ).map((r) => `${r.trigger}:${r.requested_by}`);
  const isOutdated = async (editionId: number) => (await results.state(editionId)).state.outdated;

  beforeAll(async () => {
    ds = await new DataSource(buildDataSourceOptions(await createTestDatabase(), 6)).initialize();
    const audit = new AuditService();
    editions = new EditionsService(ds, new CohortService(ds, audit), audit);
    results = new ResultsService(ds);
    const [org] = await ds.query<{ id: number }[]>(
      `INSERT INTO organizations (name, region_code, level, sector)
       VALUES ('四川省人民政府办公厅', '510000', 'provincial', 'party_government_office') RETURNING id`,
    );
    const [account] = await ds.query<{ id: number }[]>(
      `INSERT INTO accounts (platform, wechat_original_id, display_name, organization_id)
       VALUES ('wechat', 'gh_000000tick01', '四川发布', $1) RETURNING id`,
      [org.id],
    );
    accountId = account.id;
    const create = async (code: string) =>
      (
        await editions.create(
          { code, name: code, period: '2025', preset: 'seed000-five-capabilities' },
          ADMIN,
          ACTOR,
        )
      ).id;
    outdated = await create('tick-outdated');
    current = await create('tick-current');
    neverComputed = await create('tick-never');
    await results.recompute(outdated, 'key:test', 'manual');
    await results.recompute(current, 'key:test', 'manual');
    await editions.update(outdated, { normalisation: 'log' }, ADMIN, ACTOR);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  it('recomputes an outdated edition once per slot; a second tick does nothing', async () => {
    expect(await isOutdated(outdated)).toBe(true);
    const a = replica('replica-a');
    const runs = await a.tick();
    expect(runs).toEqual([
      { schedule: RECOMPUTE_SCHEDULE, slot: expect.any(Date), backfilled: false, outcome: 'ok' },
    ]);
    expect(await runsOf(outdated)).toEqual(['manual:key:test', `input_change:${SCHEDULER_ACTOR}`]);
    expect(await isOutdated(outdated)).toBe(false);
    expect((await results.state(outdated)).state.normalisation).toBe('log');
    // Untouched: results that match their inputs, and an edition never computed.
    expect(await runsOf(current)).toEqual(['manual:key:test']);
    expect(await runsOf(neverComputed)).toEqual([]);

    // Same slot: already claimed.
    expect(await a.tick()).toEqual([]);
    // Next slot: claimed and run, but nothing is outdated any more.
    clock.at += SLOT_MS;
    expect(await a.tick()).toMatchObject([{ outcome: 'ok' }]);
    expect(await runsOf(outdated)).toHaveLength(2);
    expect(await runsOf(current)).toHaveLength(1);
  });

  it('recomputes after the WCI rows of the period are rewritten', async () => {
    await insertScoreFixtures(ds, [
      {
        accountId,
        periodType: 'year',
        periodStart: '2025-01-01',
        periodEnd: '2025-12-31',
        wci: 321,
      },
    ]);
    expect(await isOutdated(current)).toBe(true);
    clock.at += SLOT_MS;
    await replica('replica-a').tick();
    expect(await runsOf(current)).toEqual(['manual:key:test', `input_change:${SCHEDULER_ACTOR}`]);
    expect(await isOutdated(current)).toBe(false);
    const row = (await results.results(current, 'province', ADMIN)).items.find(
      (r) => r.regionCode === '510000',
    );
    expect(row?.measures).toMatchObject({ wci: 321 });
  });

  it('two replicas ticking together recompute it once', async () => {
    await editions.update(outdated, { normalisation: 'percentile' }, ADMIN, ACTOR);
    const before = (await runsOf(outdated)).length;
    clock.at += SLOT_MS;
    const [b, c] = [replica('replica-b'), replica('replica-c')];
    const [ranB, ranC] = await Promise.all([b.tick(), c.tick()]);
    expect(ranB.length + ranC.length).toBe(1);
    expect(await runsOf(outdated)).toHaveLength(before + 1);
    expect(await isOutdated(outdated)).toBe(false);
    const claims = await ds.query<{ claimed_by: string; outcome: string }[]>(
      `SELECT claimed_by, outcome FROM schedule_runs WHERE schedule = $1 AND slot = $2`,
      [RECOMPUTE_SCHEDULE, new Date(Math.floor(clock.at / SLOT_MS) * SLOT_MS)],
    );
    expect(claims).toEqual([
      { claimed_by: ranB.length === 1 ? 'replica-b' : 'replica-c', outcome: 'ok' },
    ]);
  });

  it('is inert when the schedule is off', async () => {
    await editions.update(outdated, { normalisation: 'min-max' }, ADMIN, ACTOR);
    clock.at += SLOT_MS;
    const off = new CapabilityRecomputeScheduler(
      ds,
      {
        capability: { recomputeSchedule: false, recomputeEveryMinutes: EVERY_MINUTES },
      } as AppConfig,
      results,
      virtual,
      'replica-off',
    );
    off.onModuleInit();
    expect(await off.tick()).toEqual([]);
    expect(await isOutdated(outdated)).toBe(true);
  });
});
