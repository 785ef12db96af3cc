import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateCapability1795600000000 } from '../../migrations/1795600000000-CreateCapability';
import { createTestDatabase } from '../../test/support/database';
import { AuditService } from '../audit/audit.service';
import type { Actor, Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from '../database/data-source-options';
import { AssessmentsService } from './assessments.service';
import { insertScoreFixtures } from './capability-testing';
import { CohortService } from './cohort.service';
import type { CreateEditionBody } from './edition.dto';
import { EditionsService } from './editions.service';
import type { IndicatorTree } from './indicator-tree';
import { SEED001_THREE_LEVEL } from './presets';
import { ReportService } from './report.service';
import { ResultsService } from './results.service';

const ADMIN: Principal = { apiKeyId: 1, name: 'test', role: 'admin', regionCode: null };
const SICHUAN: Principal = { apiKeyId: 2, name: 'sichuan', role: 'analyst', regionCode: '510000' };
const ACTOR: Actor = { apiKeyId: 1, name: 'key:test', correlationId: 'corr-1' };

const ACTIVITY_TREE: IndicatorTree = {
  code: 'activity',
  name: '测量指标',
  children: [
    { code: 'influence', name: '微信影响力', weight: 0.4, kind: 'measured', source: 'influence' },
    { code: 'freq', name: '更新频率', weight: 0.2, kind: 'measured', source: 'update_frequency' },
    {
      code: 'gap',
      name: '连续未更新',
      weight: 0.2,
      kind: 'measured',
      source: 'days_without_update',
    },
    { code: 'timely', name: '及时性', weight: 0.2, kind: 'measured', source: 'timeliness' },
  ],
};

/** Expects a domain error: its HTTP status, code and (optionally) its details. */
async function rejection(
  promise: Promise<unknown>,
): Promise<{ status: number; code: string; details: any }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { status: number; code: string; details?: unknown };
    return { status: e.status, code: e.code, details: e.details };
  }
  throw new Error('expected a rejection');
}

describe('capability index (PostgreSQL)', () => {
  let ds: DataSource;
  let editions: EditionsService;
  let cohort: CohortService;
  let results: ResultsService;
  let assessments: AssessmentsService;
  let reports: ReportService;
  const id: Record<string, number> = {};

  async function org(
    name: string,
    region: string,
    level: string,
    sector = 'party_government_office',
  ) {
    const [row] = await ds.query<{ id: number }[]>(
      `INSERT INTO organizations (name, region_code, level, sector) VALUES ($1, $2, $3, $4) RETURNING id`,
      [name, region, level, sector],
    );
    return row.id;
  }
  async function account(
    key: string,
    organizationId: number,
    options: { platform?: string; closedOn?: string; followers?: number } = {},
  ) {
    const wechat = (options.platform ?? 'wechat') === 'wechat';
    const [row] = await ds.query<{ id: number }[]>(
      `INSERT INTO accounts (platform, wechat_original_id, weibo_uid, display_name, organization_id, status, closed_on)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        options.platform ?? 'wechat',
        wechat ? `gh_${key.padStart(12, '0')}` : null,
        wechat ? null : String(3_000_000_000 + Object.keys(id).length),
        key,
        organizationId,
        options.closedOn ? 'closed' : 'active',
        options.closedOn ?? null,
      ],
    );
    id[key] = row.id;
    if (options.followers !== undefined) {
      await ds.query(
        `INSERT INTO account_daily_metrics (account_id, day, followers, source) VALUES ($1, '2025-12-20', $2, 'manual')`,
        [row.id, options.followers],
      );
    }
    return row.id;
  }
  const create = (body: Partial<CreateEditionBody>, principal = ADMIN) =>
    editions.create(
      {
        code: 'x',
        name: '测试版',
        period: '2025',
        preset: 'seed000-five-capabilities',
        ...body,
      },
      principal,
      ACTOR,
    );
  const csv = (lines: string[]) => `regionCode,indicator,score,assessor\n${lines.join('\n')}\n`;
  const importCsv = (editionId: number, text: string, dryRun = false, principal = ADMIN) =>
    assessments.importFile(editionId, text, 'csv', { dryRun, recompute: false }, principal, ACTOR);
  const editionRow = async (editionId: number) =>
    (
      await ds.query<
        { results_outdated: boolean; outdated_reason: string | null; tree_version: number }[]
      >(
        `SELECT results_outdated, outdated_reason, tree_version FROM capability_editions WHERE id = $1`,
        [editionId],
      )
    )[0];

  beforeAll(async () => {
    ds = await new DataSource(buildDataSourceOptions(await createTestDatabase(), 4)).initialize();
    for (const table of ['account_daily_metrics', 'posts']) {
      for (const month of ['2025-01-01', '2025-02-01', '2025-03-01', '2025-12-01']) {
        await ds.query(`SELECT metrics_ensure_month_partition($1, $2::date)`, [table, month]);
      }
    }
    const audit = new AuditService();
    cohort = new CohortService(ds, audit);
    editions = new EditionsService(ds, cohort, audit);
    results = new ResultsService(ds);
    assessments = new AssessmentsService(ds, { importMaxRows: 1000 } as AppConfig, audit, results);
    reports = new ReportService(ds, results);

    // 北京: a provincial and a (bigger) municipal government account: provincial wins.
    await account('bj_city', await org('北京市人民政府', '110000', 'provincial'), {
      followers: 100,
    });
    await account('bj_muni', await org('北京市东城区政府', '110000', 'municipal'), {
      followers: 9000,
    });
    await account(
      'bj_police',
      await org('北京市公安局', '110000', 'provincial', 'public_security'),
      {
        followers: 99999,
      },
    );
    // 上海: only a municipal-level one, which a municipality accepts.
    await account('sh_muni', await org('上海市政府办公厅', '310000', 'municipal'));
    // 成都: two accounts of government offices; the one with most followers at the period end.
    const chengdu = await org('成都市人民政府', '510100', 'municipal');
    await account('cd_small', chengdu, { followers: 5000 });
    await account('cd_big', chengdu, { followers: 12000 });
    await account('cd_weibo', chengdu, { platform: 'weibo' });
    // 绵阳: closed before the period, so not opened.
    await account('my_closed', await org('绵阳市人民政府', '510700', 'municipal'), {
      closedOn: '2024-06-30',
    });
    // Accounts for the measured-inputs edition (set explicitly).
    await account('zg_gov', await org('自贡市人民政府', '510300', 'municipal'));
    await account('pzh_gov', await org('攀枝花市人民政府', '510400', 'municipal'));
    await account('lz_gov', await org('泸州市人民政府', '510500', 'municipal'));
    await account('dy_gov', await org('德阳市人民政府', '510600', 'municipal'));
    await account('sc_gov', await org('四川省人民政府', '510000', 'provincial'));
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  describe('editions', () => {
    it('creates, lists with keyset pages, reads, changes and deletes editions', async () => {
      const a = await create({
        code: 'crud-a',
        preset: 'seed001-three-level',
        period: undefined,
        periodStart: '2018-12-01',
        periodEnd: '2019-01-31',
      });
      expect(a).toMatchObject({
        code: 'crud-a',
        preset: 'seed001-three-level',
        period: { kind: 'custom', key: null, start: '2018-12-01', end: '2019-01-31' },
        gradeLetters: ['A', 'B', 'C', 'D'],
        treeVersion: 1,
        results: null,
      });
      expect((await editions.getTree(a.id, undefined)).tree).toEqual(SEED001_THREE_LEVEL);
      const b = await create({ code: 'crud-b' });
      const c = await create({ code: 'crud-c' });
      const first = await editions.list({ limit: 2 });
      expect(first.items.map((e) => e.code)).toEqual(['crud-c', 'crud-b']);
      const second = await editions.list({ limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((e) => e.code)).toEqual(['crud-a']);
      expect(second.nextCursor).toBeNull();

      const renamed = await editions.update(b.id, { name: '改名' }, ADMIN, ACTOR);
      expect(renamed).toMatchObject({ name: '改名', period: b.period });
      const audit = await ds.query<{ action: string }[]>(
        `SELECT action FROM audit_log WHERE entity_type = 'capability_edition' AND entity_id = $1 ORDER BY id`,
        [String(b.id)],
      );
      expect(audit.map((r) => r.action)).toEqual(['create', 'update']);

      expect(await rejection(create({ code: 'crud-b' }))).toMatchObject({
        status: 409,
        code: 'EDITION_CODE_TAKEN',
      });
      expect(await rejection(create({ code: 'scoped' }, SICHUAN))).toMatchObject({
        status: 403,
        code: 'OUT_OF_REGION_SCOPE',
      });
      expect(await rejection(create({ code: 'both', tree: {} }))).toMatchObject({
        status: 400,
        code: 'VALIDATION_FAILED',
        details: { errors: [{ field: 'tree', message: 'give a preset or a tree, not both' }] },
      });
      expect(
        await rejection(
          create({
            code: 'bands',
            bands: [
              { code: 'a', label: 'A', min: 50 },
              { code: 'b', label: 'B', min: 50 },
            ],
          }),
        ),
      ).toMatchObject({
        status: 400,
        details: { errors: [{ field: 'bands', message: expect.stringContaining('share min 50') }] },
      });

      await editions.remove(c.id, ADMIN, ACTOR);
      expect(await rejection(editions.get(c.id))).toMatchObject({
        status: 404,
        code: 'EDITION_NOT_FOUND',
      });
      expect(
        Number(
          (
            await ds.query(`SELECT count(*) FROM capability_cohort WHERE edition_id = $1`, [c.id])
          )[0].count,
        ),
      ).toBe(0);
    });

    it('refuses invalid trees with 400 INDICATOR_TREE_INVALID; a new tree is a new version', async () => {
      const bad = await rejection(
        create({
          code: 'tree-bad',
          preset: undefined,
          tree: {
            code: 'root',
            name: '根',
            children: [
              { code: 'a', name: '甲', weight: 0.6, kind: 'assessed' },
              { code: 'a', name: '乙', weight: 0.6, kind: 'measured', source: 7 },
            ],
          },
        }),
      );
      expect(bad).toMatchObject({ status: 400, code: 'INDICATOR_TREE_INVALID' });
      // Shape problems first: the weight rules are checked on a well-formed tree only.
      expect(bad.details.errors).toEqual([{ path: 'root/a', message: 'source must be a string' }]);
      const sums = await rejection(
        create({
          code: 'tree-sum',
          preset: undefined,
          tree: {
            code: 'root',
            name: '根',
            children: [
              { code: 'a', name: '甲', weight: 0.6, kind: 'assessed' },
              { code: 'a', name: '乙', weight: 0.6, kind: 'assessed' },
            ],
          },
        }),
      );
      expect(sums.details.errors).toEqual([
        {
          path: 'root',
          message: 'weights of the children sum to 1.2: adjust them so they sum to 1',
        },
        { path: 'root/a', message: 'code "a" is also used at root/a' },
      ]);
      expect(await ds.query(`SELECT 1 FROM capability_editions WHERE code LIKE 'tree-%'`)).toEqual(
        [],
      );

      const e = await create({ code: 'tree-ok' });
      const same = await editions.putTree(
        e.id,
        JSON.parse(JSON.stringify((await editions.getTree(e.id, 1)).tree)),
        ADMIN,
        ACTOR,
      );
      expect(same.version).toBe(1);
      const next = await editions.putTree(e.id, ACTIVITY_TREE as never, ADMIN, ACTOR);
      expect(next).toMatchObject({ version: 2, current: true });
      expect((await editions.getTree(e.id, 1)).current).toBe(false);
      expect((await editions.getTree(e.id, undefined)).tree).toEqual(ACTIVITY_TREE);
      expect(await rejection(editions.putTree(e.id, { code: 'x' }, ADMIN, ACTOR))).toMatchObject({
        status: 400,
        code: 'INDICATOR_TREE_INVALID',
      });
      expect((await editionRow(e.id)).tree_version).toBe(2);
      expect(await rejection(editions.getTree(e.id, 9))).toMatchObject({
        status: 404,
        code: 'TREE_VERSION_NOT_FOUND',
      });
    });
  });

  describe('cohort', () => {
    it('builds the automatic cohort: government office, level, open in the period, most followers', async () => {
      const e = await create({ code: 'cohort-auto' });
      const list = await cohort.list(e.id, undefined, ADMIN);
      expect(list.items).toHaveLength(364);
      const accountOf = (code: string) =>
        list.items.find((i) => i.regionCode === code)?.account?.displayName ?? null;
      expect(accountOf('110000')).toBe('bj_city');
      expect(accountOf('310000')).toBe('sh_muni');
      expect(accountOf('510100')).toBe('cd_big');
      expect(accountOf('510700')).toBeNull();
      expect(accountOf('510000')).toBe('sc_gov');
      expect(list.items.find((i) => i.regionCode === '120000')).toMatchObject({
        opened: false,
        tier: 'municipality',
      });
      expect(e.cohort).toEqual({ regions: 364, opened: 8, explicit: 0 });

      const scoped = await cohort.list(e.id, 'prefecture', SICHUAN);
      expect(
        scoped.items.every((i) => i.regionCode.startsWith('51') && i.tier === 'prefecture'),
      ).toBe(true);
      expect(scoped.items).toHaveLength(21);
    });

    it('sets regions explicitly (all or nothing) and keeps them through a rebuild', async () => {
      const e = await create({ code: 'cohort-explicit' });
      const refused = await rejection(
        cohort.setEntries(
          e.id,
          {
            entries: [
              { regionCode: '510100', accountId: id.cd_small },
              { regionCode: '510100', accountId: id.bj_city },
              { regionCode: '999999', accountId: null },
              { regionCode: '510700', accountId: id.cd_weibo },
            ],
          },
          ADMIN,
          ACTOR,
        ),
      );
      expect(refused.details.errors).toEqual([
        { field: 'entries.1.regionCode', message: '510100 appears twice' },
        {
          field: 'entries.1.accountId',
          message: `account ${id.bj_city} belongs to an organization of region 110000, not 510100`,
        },
        { field: 'entries.2.regionCode', message: '999999 is not a province or prefecture code' },
        { field: 'entries.3.accountId', message: `account ${id.cd_weibo} is not a WeChat account` },
      ]);
      const outside = await rejection(
        cohort.setEntries(
          e.id,
          { entries: [{ regionCode: '110000', accountId: null }] },
          SICHUAN,
          ACTOR,
        ),
      );
      expect(outside.details.errors).toEqual([
        { field: 'entries.0.regionCode', message: "110000 is outside the key's region scope" },
      ]);
      const auto = await cohort.list(e.id, 'prefecture', ADMIN);
      expect(auto.items.find((i) => i.regionCode === '510100')!.account!.displayName).toBe(
        'cd_big',
      );

      expect(
        await cohort.setEntries(
          e.id,
          { entries: [{ regionCode: '510100', accountId: id.cd_small }] },
          SICHUAN,
          ACTOR,
        ),
      ).toEqual({ changed: 1, resultsOutdated: false });
      expect(await cohort.rebuild(e.id, true, ADMIN, ACTOR)).toEqual({
        changed: 0,
        resultsOutdated: false,
      });
      const kept = await cohort.list(e.id, 'prefecture', ADMIN);
      expect(kept.items.find((i) => i.regionCode === '510100')).toMatchObject({
        source: 'explicit',
        account: { displayName: 'cd_small' },
      });
      expect(await cohort.rebuild(e.id, false, ADMIN, ACTOR)).toEqual({
        changed: 1,
        resultsOutdated: false,
      });
      expect(await rejection(cohort.rebuild(e.id, true, SICHUAN, ACTOR))).toMatchObject({
        status: 403,
      });
    });
  });

  describe('assessments, recompute and the outdated flag', () => {
    let editionId = 0;
    const full = (region: string, a: number, b: number, c: number, d: number) => [
      `${region},information,${a},评估组`,
      `${region},transaction,${b},评估组`,
      `${region},participation,${c},评估组`,
      `${region},provision,${d},评估组`,
    ];
    const count = async () =>
      Number(
        (
          await ds.query(`SELECT count(*) FROM capability_assessments WHERE edition_id = $1`, [
            editionId,
          ])
        )[0].count,
      );

    beforeAll(async () => {
      editionId = (await create({ code: 'assess' })).id;
      await insertScoreFixtures(ds, [
        {
          accountId: id.bj_city,
          periodType: 'year',
          periodStart: '2025-01-01',
          periodEnd: '2025-12-31',
          wci: 900,
        },
        {
          accountId: id.sh_muni,
          periodType: 'year',
          periodStart: '2025-01-01',
          periodEnd: '2025-12-31',
          wci: 300,
        },
      ]);
    });

    it('a file with any invalid row applies nothing and reports every error', async () => {
      const refused = await rejection(
        importCsv(
          editionId,
          csv([
            ...full('110000', 90, 80, 70, 60),
            '510700,information,50,评估组',
            '120000,transaction,abc,评估组',
          ]),
        ),
      );
      expect(refused).toMatchObject({ status: 400, code: 'IMPORT_INVALID' });
      expect(refused.details.errors).toEqual([
        { row: 6, column: 'regionCode', message: expect.stringContaining('510700 has no account') },
        { row: 7, column: 'score', message: '"abc" is not a score from 0 to 100' },
      ]);
      expect(await count()).toBe(0);
      const scoped = await rejection(
        importCsv(editionId, csv(full('110000', 1, 1, 1, 1)), false, SICHUAN),
      );
      expect(scoped.details.errors).toHaveLength(4);
      expect(await count()).toBe(0);
    });

    it('a dry run counts without writing; a re-import of the same file changes nothing', async () => {
      const file = csv([...full('110000', 90, 80, 70, 60), ...full('310000', 85, 70, 75, 60)]);
      expect(await importCsv(editionId, file, true)).toMatchObject({
        dryRun: true,
        inserted: 8,
        changed: 0,
      });
      expect(await count()).toBe(0);
      expect(await importCsv(editionId, file)).toMatchObject({
        inserted: 8,
        changed: 0,
        unchanged: 0,
        scoresChanged: 8,
        resultsOutdated: false,
      });
      expect(await importCsv(editionId, file)).toMatchObject({
        inserted: 0,
        changed: 0,
        unchanged: 8,
        scoresChanged: 0,
      });
      const [audit] = await ds.query<{ after: { inserted: unknown[] } }[]>(
        `SELECT after FROM audit_log WHERE entity_type = 'capability_assessment_import' ORDER BY id DESC LIMIT 1`,
      );
      expect(audit.after.inserted).toHaveLength(8);
    });

    it('recomputes results per tier, recording the tree version and normalisation', async () => {
      const run = await results.recompute(editionId, 'key:test', 'manual');
      expect(run.tiers[0]).toEqual({ tier: 'municipality', regions: 4, opened: 2, scored: 2 });
      const municipal = await results.results(editionId, 'municipality', ADMIN);
      expect(
        municipal.items.map((r) => [
          r.regionCode,
          r.rank,
          r.band,
          r.total === null ? null : Math.round(r.total * 100) / 100,
        ]),
      ).toEqual([
        ['110000', 1, 'high', 80],
        ['310000', 2, 'lower', 58],
        ['120000', null, null, null],
        ['500000', null, null, null],
      ]);
      expect(municipal.items[0]).toMatchObject({
        treeVersion: 1,
        normalisation: 'min-max',
        formulaVersion: 'wci-v14.2',
        measures: { wci: 900, wciBasis: 'year', influence: 100 },
      });
      // 四川 has an account but no assessments: opened, unscored, every assessed leaf missing.
      const provinces = await results.results(editionId, 'province', ADMIN);
      expect(provinces.items.find((r) => r.regionCode === '510000')).toMatchObject({
        opened: true,
        total: null,
        missing: ['information', 'transaction', 'participation', 'provision', 'influence'],
      });
      expect(provinces.results.outdated).toBe(false);
      const stored = await ds.query(
        `SELECT DISTINCT tree_version, normalisation, run_id FROM capability_results WHERE edition_id = $1`,
        [editionId],
      );
      expect(stored).toEqual([{ tree_version: 1, normalisation: 'min-max', run_id: run.runId }]);
    });

    it('a changed score marks results outdated until recomputed; evidence-only changes do not', async () => {
      const evidenceOnly = await assessments.put(
        editionId,
        '110000',
        'information',
        { score: 90, assessor: '评估组', evidence: '补充说明' },
        false,
        ADMIN,
        ACTOR,
      );
      expect(evidenceOnly).toMatchObject({ scoreChanged: false, resultsOutdated: false });
      expect((await editionRow(editionId)).results_outdated).toBe(false);

      const changed = await importCsv(editionId, csv(['310000,transaction,100,评估组']));
      expect(changed).toMatchObject({ changed: 1, scoresChanged: 1, resultsOutdated: true });
      expect(await editionRow(editionId)).toMatchObject({
        results_outdated: true,
        outdated_reason: 'assessments import changed 1 scores (key:test)',
      });
      const stale = await results.results(editionId, 'municipality', ADMIN);
      expect(stale.results).toMatchObject({
        outdated: true,
        outdatedReasons: ['assessments import changed 1 scores (key:test)'],
      });
      expect(stale.items[1].total).toBeCloseTo(58, 9);

      await results.recompute(editionId, 'key:test', 'manual');
      const fresh = await results.results(editionId, 'municipality', ADMIN);
      expect(fresh.results.outdated).toBe(false);
      expect(fresh.items[1].total).toBeCloseTo(64, 9);

      const removed = await assessments.remove(
        editionId,
        '310000',
        'transaction',
        true,
        ADMIN,
        ACTOR,
      );
      expect(removed).toMatchObject({
        scoreChanged: true,
        resultsOutdated: false,
        recomputed: { scored: 1 },
      });
      expect(
        await rejection(
          assessments.remove(editionId, '310000', 'transaction', false, ADMIN, ACTOR),
        ),
      ).toMatchObject({
        status: 404,
        code: 'ASSESSMENT_NOT_FOUND',
      });
      expect(
        await rejection(
          assessments.put(
            editionId,
            '510700',
            'information',
            { score: 1, assessor: 'x' },
            false,
            ADMIN,
            ACTOR,
          ),
        ),
      ).toMatchObject({
        status: 409,
        code: 'REGION_NOT_OPENED',
      });
      expect(
        await rejection(
          assessments.put(
            editionId,
            '110000',
            'information',
            { score: 1, assessor: 'x' },
            false,
            SICHUAN,
            ACTOR,
          ),
        ),
      ).toMatchObject({
        status: 403,
        code: 'OUT_OF_REGION_SCOPE',
      });
    });

    it('settings, tree and cohort changes mark results outdated; a name change does not', async () => {
      const fresh = async () => {
        await results.recompute(editionId, 'key:test', 'manual');
        expect((await editionRow(editionId)).results_outdated).toBe(false);
      };
      await fresh();
      await editions.update(editionId, { name: '新名字' }, ADMIN, ACTOR);
      expect((await editionRow(editionId)).results_outdated).toBe(false);
      await editions.update(editionId, { normalisation: 'percentile' }, ADMIN, ACTOR);
      expect(await editionRow(editionId)).toMatchObject({
        results_outdated: true,
        outdated_reason: 'normalisation changed to percentile',
      });
      await fresh();
      expect((await results.results(editionId, 'municipality', ADMIN)).items[0].normalisation).toBe(
        'percentile',
      );
      await cohort.setEntries(
        editionId,
        { entries: [{ regionCode: '310000', accountId: null }] },
        ADMIN,
        ACTOR,
      );
      expect(await editionRow(editionId)).toMatchObject({
        results_outdated: true,
        outdated_reason: 'cohort changed for 1 regions',
      });
      await fresh();
      await editions.putTree(editionId, ACTIVITY_TREE as never, ADMIN, ACTOR);
      expect(await editionRow(editionId)).toMatchObject({
        results_outdated: true,
        outdated_reason: 'indicator tree changed to version 2',
      });
      await fresh();
      // A score run rewriting the period's WCI rows after the results is noticed on read.
      await insertScoreFixtures(ds, [
        {
          accountId: id.bj_city,
          periodType: 'year',
          periodStart: '2025-01-01',
          periodEnd: '2025-12-31',
          wci: 950,
        },
      ]);
      const state = await results.results(editionId, 'municipality', ADMIN);
      expect(state.results.outdated).toBe(true);
      expect(state.results.outdatedReasons).toEqual([
        expect.stringContaining('WCI scores of the period were rewritten'),
      ]);
    });
  });

  describe('measured inputs', () => {
    it('reads the WCI of the period (exact row, else monthly mean) and activity from posts', async () => {
      const e = await create({
        code: 'measured',
        period: '2025-Q1',
        preset: undefined,
        tree: ACTIVITY_TREE as never,
      });
      await cohort.setEntries(
        e.id,
        {
          entries: [
            { regionCode: '510300', accountId: id.zg_gov },
            { regionCode: '510400', accountId: id.pzh_gov },
            { regionCode: '510500', accountId: id.lz_gov },
            { regionCode: '510600', accountId: id.dy_gov },
          ],
        },
        ADMIN,
        ACTOR,
      );
      await insertScoreFixtures(ds, [
        {
          accountId: id.zg_gov,
          periodType: 'quarter',
          periodStart: '2025-01-01',
          periodEnd: '2025-03-31',
          wci: 500,
        },
        {
          accountId: id.pzh_gov,
          periodType: 'quarter',
          periodStart: '2025-01-01',
          periodEnd: '2025-03-31',
          wci: 300,
        },
        // 泸州: no quarter row: the mean of its months inside the quarter; a month without posts is 0.
        {
          accountId: id.lz_gov,
          periodType: 'month',
          periodStart: '2025-01-01',
          periodEnd: '2025-01-31',
          wci: 200,
        },
        {
          accountId: id.lz_gov,
          periodType: 'month',
          periodStart: '2025-02-01',
          periodEnd: '2025-02-28',
          wci: null,
          posts: 0,
        },
        {
          accountId: id.lz_gov,
          periodType: 'month',
          periodStart: '2025-03-01',
          periodEnd: '2025-03-31',
          wci: null,
          posts: 4,
        },
        {
          accountId: id.lz_gov,
          periodType: 'month',
          periodStart: '2025-04-01',
          periodEnd: '2025-04-30',
          wci: 900,
        },
      ]);
      // 自贡 posts every day; 攀枝花 on the first and the last day; 泸州 never (but has data); 德阳 has nothing.
      await ds.query(
        `INSERT INTO posts (account_id, published_on, platform_post_id, published_at, source)
         SELECT $1::int, d::date, 'p' || to_char(d, 'YYYYMMDD'), (d::date + time '12:00') AT TIME ZONE 'Asia/Shanghai', 'manual'
         FROM generate_series('2025-01-01'::date, '2025-03-31'::date, interval '1 day') AS d
         UNION ALL
         SELECT $2::int, d, 'p' || to_char(d, 'YYYYMMDD'), (d + time '12:00') AT TIME ZONE 'Asia/Shanghai', 'manual'
         FROM unnest(ARRAY['2025-01-01'::date, '2025-03-31'::date]) AS d`,
        [id.zg_gov, id.pzh_gov],
      );
      await ds.query(
        `INSERT INTO account_daily_metrics (account_id, day, followers, source) VALUES ($1, '2025-02-10', 10, 'manual')`,
        [id.lz_gov],
      );
      await results.recompute(e.id, 'key:test', 'manual');
      const rows = new Map(
        (await results.results(e.id, 'prefecture', ADMIN)).items.map((r) => [r.regionCode, r]),
      );

      expect(rows.get('510300')).toMatchObject({
        rank: 1,
        leafScores: { influence: 100, freq: 100, gap: 100, timely: 100 },
        measures: {
          wci: 500,
          wciBasis: 'quarter',
          activeDays: 90,
          longestGapDays: 0,
          weeksWithPost: 14,
          measuredDays: 90,
          measuredWeeks: 14,
        },
      });
      expect(rows.get('510300')!.total).toBeCloseTo(100, 9);
      const pzh = rows.get('510400')!;
      expect(pzh.measures).toMatchObject({
        wci: 300,
        activeDays: 2,
        longestGapDays: 88,
        weeksWithPost: 2,
      });
      expect(pzh.leafScores.influence).toBeCloseTo((100 * (300 - 100)) / (500 - 100), 9);
      expect(pzh.leafScores.freq).toBeCloseTo((100 * 2) / 90, 9);
      expect(pzh.leafScores.gap).toBe(0);
      expect(pzh.leafScores.timely).toBeCloseTo((100 * 2) / 14, 9);
      expect(pzh.rank).toBe(2);
      expect(rows.get('510500')).toMatchObject({
        rank: 3,
        total: 0,
        measures: {
          wci: 100,
          wciBasis: 'monthly_mean',
          wciMonths: 2,
          activeDays: 0,
          // Collected from 2025-02-10 only: measured from then (50 days, 8 weeks).
          longestGapDays: 50,
          weeksWithPost: 0,
          measuredFrom: '2025-02-10',
          measuredDays: 50,
          measuredWeeks: 8,
        },
      });
      expect(rows.get('510600')).toMatchObject({
        opened: true,
        total: null,
        missing: ['influence', 'freq', 'gap', 'timely'],
        measures: { wci: null, activeDays: null },
      });

      const report = (await reports.report(
        e.id,
        { tier: 'prefecture' },
        SICHUAN,
        undefined,
      )) as Record<string, any>;
      expect(report.ranking.map((r: { regionCode: string }) => r.regionCode)).toEqual([
        '510300',
        '510400',
        '510500',
      ]);
      expect(
        report.unscored.map((r: { regionCode: string; missing: string[] }) => [
          r.regionCode,
          r.missing.length,
        ]),
      ).toEqual([
        ['510100', 4], // 成都 (automatic cohort) has no data in the quarter
        ['510600', 4],
      ]);
      expect(report.provinceDistribution).toHaveLength(1);
    });
  });
});

describe('CreateCapability migration (PostgreSQL)', () => {
  it('down drops the capability tables; up restores them', async () => {
    const dataSource = await new DataSource(
      buildDataSourceOptions(await createTestDatabase(), 2),
    ).initialize();
    const runner = dataSource.createQueryRunner();
    const tables = async () =>
      (
        await dataSource.query<{ relname: string }[]>(
          `SELECT relname FROM pg_class WHERE relname LIKE 'capability\\_%' AND relkind = 'r' ORDER BY relname`,
        )
      ).map((r) => r.relname);
    const all = [
      'capability_assessments',
      'capability_cohort',
      'capability_editions',
      'capability_results',
      'capability_runs',
      'capability_trees',
    ];
    try {
      expect(await tables()).toEqual(all);
      const migration = new CreateCapability1795600000000();
      await migration.down(runner);
      expect(await tables()).toEqual([]);
      await migration.up(runner);
      expect(await tables()).toEqual(all);
    } finally {
      await runner.release();
      await dataSource.destroy();
    }
  });
});
