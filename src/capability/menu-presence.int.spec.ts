import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/database';
import { AuditService } from '../audit/audit.service';
import type { Actor, Principal } from '../auth/principal';
import { RequestBudget } from '../collection/budget/request-budget';
import type { AppConfig } from '../config/app-config';
import { CredentialCipher, parseKeyRing } from '../credentials/credential-cipher';
import { CredentialsService } from '../credentials/credentials.service';
import { TEST_ACTOR, testPrincipal } from '../credentials/credentials-testing';
import { WechatTokenService } from '../credentials/wechat-token.service';
import { buildDataSourceOptions } from '../database/data-source-options';
import { WechatClient } from '../platforms/wechat/wechat.client';
import type { SimAccount } from '../simulator';
import { type TestSim, startTestSim } from '../simulator/sim-test-kit';
import { selfMenu } from '../simulator/wechat-content';
import { AssessmentsService } from './assessments.service';
import { CohortService } from './cohort.service';
import { EditionsService } from './editions.service';
import type { IndicatorTree } from './indicator-tree';
import { MENU_FULL_ENTRIES } from './menu-presence';
import { MenuSnapshotService } from './menu-snapshots.service';
import { ResultsService } from './results.service';

const ADMIN: Principal = { apiKeyId: 1, name: 'test', role: 'admin', regionCode: null };
const ACTOR: Actor = { apiKeyId: 1, name: 'key:test', correlationId: 'corr-menu' };
const MENU_PATH = '/cgi-bin/get_current_selfmenu_info';

const MENU_TREE: IndicatorTree = {
  code: 'service',
  name: '服务能力',
  children: [
    { code: 'transaction', name: '事务服务能力', weight: 0.5, kind: 'assessed' },
    { code: 'menu', name: '自定义菜单', weight: 0.5, kind: 'measured', source: 'menu_presence' },
  ],
};

/** Entries a reader can tap in the simulator's raw menu, counted independently of countMenu. */
function simEntries(t: TestSim, account: SimAccount): { open: boolean; entries: number } {
  const raw = selfMenu(t.sim.population, account) as {
    is_menu_open: number;
    selfmenu_info: { button: { sub_button?: { list: unknown[] } }[] };
  };
  const entries = raw.selfmenu_info.button.reduce(
    (n, b) => n + Math.max(1, b.sub_button?.list.length ?? 0),
    0,
  );
  return { open: raw.is_menu_open === 1, entries };
}

/**
 * menu_presence end to end: menus read from the simulator over HTTP through the real client,
 * token service and request budget, stored in account_menu_snapshots and scored by the index.
 */
describe('menu_presence from get_current_selfmenu_info (simulator, PostgreSQL)', () => {
  let t: TestSim;
  let ds: DataSource;
  let budget: RequestBudget;
  let results: ResultsService;
  let editions: EditionsService;
  let assessments: AssessmentsService;
  /** Region → simulator account of its government account. */
  const sims: Record<string, SimAccount> = {};
  const menuCalls = () => t.sim.callLog.query({ path: MENU_PATH }).length;

  beforeAll(async () => {
    t = await startTestSim({ size: 400 });
    ds = await new DataSource(buildDataSourceOptions(await createTestDatabase(), 8)).initialize();
    const client = new WechatClient({
      baseUrl: t.sim.url,
      timeoutMs: 5_000,
      maxBodyBytes: 4 << 20,
      now: () => t.clock.now,
      logger: { log: () => undefined, warn: () => undefined },
    });
    const cipher = new CredentialCipher(parseKeyRing(`v1:${randomBytes(32).toString('base64')}`));
    const audit = new AuditService();
    const credentials = new CredentialsService(ds, cipher, audit);
    const tokens = new WechatTokenService(ds, cipher, client);
    const config = {
      platforms: { demo: true },
      collection: { budgetPerMinute: 1_200, maxWaitSeconds: 5 },
    } as AppConfig;
    budget = new RequestBudget(ds, config);
    const menus = new MenuSnapshotService(ds, client, tokens, budget, config, {
      now: () => t.clock.now,
    });
    results = new ResultsService(ds, menus);
    editions = new EditionsService(ds, new CohortService(ds, audit), audit);
    assessments = new AssessmentsService(ds, { importMaxRows: 100 } as AppConfig, audit, results);

    const wechat = [...t.sim.population.accounts()].filter((a) => a.platform === 'wechat');
    const pick = (test: (m: { open: boolean; entries: number }) => boolean, not: SimAccount[]) => {
      const found = wechat.find((a) => !not.includes(a) && test(simEntries(t, a)));
      if (!found) throw new Error('no such simulator account');
      return found;
    };
    const taken: SimAccount[] = [];
    const take = (region: string, test: (m: { open: boolean; entries: number }) => boolean) => {
      sims[region] = pick(test, taken);
      taken.push(sims[region]);
    };
    take('510300', (m) => m.open && m.entries >= MENU_FULL_ENTRIES); // 自贡: full menu
    take('510400', (m) => m.open && m.entries < MENU_FULL_ENTRIES); // 攀枝花: a small menu
    take('510500', (m) => !m.open); // 泸州: no menu
    take('510600', (m) => m.open); // 德阳: reads fail with 48001
    take('510700', () => true); // 绵阳: no credential stored

    for (const [region, sim] of Object.entries(sims)) {
      const [org] = await ds.query<{ id: number }[]>(
        `INSERT INTO organizations (name, region_code, level, sector)
         VALUES ($1, $2, 'municipal', 'party_government_office') RETURNING id`,
        [`${region} 人民政府办公室`, region],
      );
      const [account] = await ds.query<{ id: number }[]>(
        `INSERT INTO accounts (platform, wechat_original_id, wechat_app_id, display_name, organization_id, data_source)
         VALUES ('wechat', $1, $2, $3, $4, 'simulated') RETURNING id`,
        [sim.wechatOriginalId, sim.wechatAppId, sim.displayName, org.id],
      );
      if (region !== '510700') {
        await credentials.put(
          account.id,
          { appId: sim.wechatAppId, appSecret: sim.appSecret },
          testPrincipal(),
          TEST_ACTOR,
        );
      }
    }
    t.sim.faults.add({
      scope: { appId: sims['510600'].wechatAppId! },
      kind: 'permission',
      path: MENU_PATH,
    });
  });

  afterAll(async () => {
    budget?.onModuleDestroy();
    await ds?.destroy();
    await t?.sim.close();
  });

  it('scores menus by the rule, 0 without one, and reports failures as missing with the reason', async () => {
    const e = await editions.create(
      { code: 'menu-2026', name: '菜单', period: '2026', tree: { ...MENU_TREE } },
      ADMIN,
      ACTOR,
    );
    t.sim.callLog.clear();
    const run = await results.recompute(e.id, 'key:test', 'manual');
    expect(run.menus).toEqual({ due: 4, read: 3, failed: 1 });
    expect(menuCalls()).toBe(4);
    // Through the shared per-credential budget (collection_budgets), one key per app id.
    const keys = await ds.query<{ budget_key: string }[]>(
      `SELECT budget_key FROM collection_budgets ORDER BY budget_key`,
    );
    expect(keys.map((k) => k.budget_key)).toEqual(
      ['510300', '510400', '510500', '510600'].map((r) => `wechat:${sims[r].wechatAppId}`).sort(),
    );

    const rows = new Map(
      (await results.results(e.id, 'prefecture', ADMIN)).items.map((r) => [r.regionCode, r]),
    );
    const small = simEntries(t, sims['510400']).entries;
    expect(rows.get('510300')).toMatchObject({
      leafScores: { menu: 100 },
      missing: ['transaction'],
      measures: {
        menu: {
          observedOn: '2026-11-22',
          isMenuOpen: true,
          entries: simEntries(t, sims['510300']).entries,
          missingReason: null,
        },
      },
    });
    expect(rows.get('510400')!.leafScores.menu).toBeCloseTo((100 * small) / MENU_FULL_ENTRIES, 9);
    expect(rows.get('510500')).toMatchObject({
      leafScores: { menu: 0 },
      measures: { menu: { isMenuOpen: false, entries: 0 } },
    });
    expect(rows.get('510600')).toMatchObject({
      leafScores: {},
      missing: ['transaction', 'menu'],
      measures: {
        menu: {
          observedOn: null,
          missingReason: expect.stringContaining(
            'get_current_selfmenu_info failed on 2026-11-22: permission 48001',
          ),
        },
      },
    });
    expect(rows.get('510700')).toMatchObject({
      missing: ['transaction', 'menu'],
      measures: {
        menu: { missingReason: expect.stringMatching(/^no valid wechat_app credential/) },
      },
    });

    const stored = await ds.query<
      { region: string; is_menu_open: boolean | null; error: string }[]
    >(
      `SELECT o.region_code AS region, s.is_menu_open, s.error_class || ':' || coalesce(s.error_code, '') AS error,
              s.source, s.observed_day::text AS day
       FROM account_menu_snapshots s JOIN accounts a ON a.id = s.account_id
       JOIN organizations o ON o.id = a.organization_id ORDER BY o.region_code`,
    );
    expect(stored).toEqual([
      { region: '510300', is_menu_open: true, error: null, source: 'simulated', day: '2026-11-22' },
      { region: '510400', is_menu_open: true, error: null, source: 'simulated', day: '2026-11-22' },
      {
        region: '510500',
        is_menu_open: false,
        error: null,
        source: 'simulated',
        day: '2026-11-22',
      },
      {
        region: '510600',
        is_menu_open: null,
        error: 'permission:48001',
        source: 'simulated',
        day: '2026-11-22',
      },
    ]);

    // Assessed scores complete the totals: 0.5 × 80 + 0.5 × menu.
    const csv = Object.keys(sims).map((region) => `${region},transaction,80,评估组`);
    await assessments.importFile(
      e.id,
      `regionCode,indicator,score,assessor\n${csv.join('\n')}\n`,
      'csv',
      { dryRun: false, recompute: false },
      ADMIN,
      ACTOR,
    );
    // Second recompute: the snapshots are fresh and the 48001 is permanent today, so no call.
    const again = await results.recompute(e.id, 'key:test', 'manual');
    expect(again.menus).toEqual({ due: 0, read: 0, failed: 0 });
    expect(menuCalls()).toBe(4);
    const totals = new Map(
      (await results.results(e.id, 'prefecture', ADMIN)).items.map((r) => [r.regionCode, r.total]),
    );
    expect(totals.get('510300')).toBeCloseTo(90, 9);
    expect(totals.get('510400')).toBeCloseTo(40 + (50 * small) / MENU_FULL_ENTRIES, 9);
    expect(totals.get('510500')).toBeCloseTo(40, 9);
    expect(totals.get('510600')).toBeNull();
    expect(totals.get('510700')).toBeNull();
  });

  it('reads a transient failure again and replaces it; trees without the leaf read nothing', async () => {
    const other = await editions.create(
      { code: 'menu-q4', name: '菜单 Q4', period: '2026-Q4', tree: { ...MENU_TREE } },
      ADMIN,
      ACTOR,
    );
    // The snapshots of 2026-11-22 are fresh for this edition too: shared per account and day.
    t.sim.callLog.clear();
    expect((await results.recompute(other.id, 'key:test', 'manual')).menus).toEqual({
      due: 0,
      read: 0,
      failed: 0,
    });
    expect(menuCalls()).toBe(0);

    // Next day: 德阳's permission is granted, but the first read hits a 503.
    t.advance(24 * 60 * 60 * 1000);
    t.sim.faults.clear();
    const deyang = { appId: sims['510600'].wechatAppId! };
    t.sim.faults.add({
      scope: deyang,
      kind: 'server_error',
      status: 503,
      path: MENU_PATH,
      count: 1,
    });
    const failed = await results.recompute(other.id, 'key:test', 'manual');
    expect(failed.menus).toEqual({ due: 1, read: 0, failed: 1 });
    const [row] = await ds.query<{ error_class: string }[]>(
      `SELECT error_class FROM account_menu_snapshots WHERE observed_day = '2026-11-23'`,
    );
    expect(row.error_class).toBe('transient');
    // Transient: read again by the next recompute, and the success replaces the failure.
    const retried = await results.recompute(other.id, 'key:test', 'manual');
    expect(retried.menus).toEqual({ due: 1, read: 1, failed: 0 });
    const rows = new Map(
      (await results.results(other.id, 'prefecture', ADMIN)).items.map((r) => [r.regionCode, r]),
    );
    expect(rows.get('510600')!.measures).toMatchObject({
      menu: { observedOn: '2026-11-23', isMenuOpen: true, missingReason: null },
    });
    expect(rows.get('510600')!.leafScores.menu).toBeGreaterThan(0);

    const preset = await editions.create(
      { code: 'no-menu', name: '无菜单', period: '2026', preset: 'seed000-five-capabilities' },
      ADMIN,
      ACTOR,
    );
    const calls = menuCalls();
    const plain = await results.recompute(preset.id, 'key:test', 'manual');
    expect(plain.menus).toBeNull();
    expect(menuCalls()).toBe(calls);
    expect(
      (await results.results(preset.id, 'prefecture', ADMIN)).items.find(
        (r) => r.regionCode === '510300',
      )!.measures,
    ).not.toHaveProperty('menu');
  });
});
