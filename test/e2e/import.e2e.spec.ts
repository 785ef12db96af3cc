import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImportRow, toCsv } from '../support/builders';
import { type TestApp, startTestApp } from '../support/test-app';

describe('POST /api/v1/accounts/import', () => {
  let t: TestApp;
  let db: Client;

  beforeAll(async () => {
    t = await startTestApp({ IMPORT_MAX_ROWS: '20000' });
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  /** Everything an import could touch, to prove a rejected file changed nothing. */
  async function tableState(): Promise<string> {
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM organizations) AS organizations,
              (SELECT count(*) FROM audit_log) AS audit,
              (SELECT md5(coalesce(string_agg(a::text, '|' ORDER BY id), '')) FROM accounts a) AS checksum`,
    );
    return JSON.stringify(rows[0]);
  }

  const postCsv = (csv: string, query = '', key?: string) =>
    t.request('POST', `/api/v1/accounts/import${query}`, {
      body: csv,
      headers: { 'content-type': 'text/csv' },
      key,
    });

  it('rejects a file with invalid rows, reports every one, and applies nothing', async () => {
    await postCsv(toCsv([0, 1, 2].map((i) => buildImportRow(i))));
    const before = await tableState();
    const rows = [
      buildImportRow(100),
      buildImportRow(101, { wechatOriginalId: 'gh_bad', platform: 'wechat' }),
      buildImportRow(102),
      buildImportRow(103, { regionCode: '519999' }),
      buildImportRow(104, {
        organizationName: '510100 公安 单位 0',
        regionCode: '510100',
        level: 'county',
        sector: '公安',
      }),
      buildImportRow(105, { wechatOriginalId: buildImportRow(100).wechatOriginalId }),
      buildImportRow(106, { sector: '外星' }),
      buildImportRow(107),
    ];
    const res = await postCsv(toCsv(rows));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('IMPORT_INVALID');
    expect(res.body.message).toContain('5 of 8 rows are invalid');
    expect(res.body.errors.map((e: { row: number; column: string }) => [e.row, e.column])).toEqual([
      [3, 'wechatOriginalId'],
      [3, 'weiboUid'],
      [5, 'regionCode'],
      [6, 'organizationName'],
      [7, 'wechatOriginalId'],
      [8, 'sector'],
    ]);
    expect(res.body.errors.find((e: { row: number }) => e.row === 7).message).toContain('row 2');
    expect(await tableState()).toBe(before);
  });

  it('imports a valid file with BOM, creating organizations, and audits each account', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => buildImportRow(200 + i));
    const res = await postCsv(toCsv(rows));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      dryRun: false,
      rows: 30,
      created: 30,
      updated: 0,
      unchanged: 0,
    });
    expect(res.body.organizationsCreated).toBeGreaterThan(0);

    const expected = buildImportRow(215);
    const stored = await t.request('GET', `/api/v1/accounts?q=${expected.weiboUid}`);
    expect(stored.body.items[0]).toMatchObject({
      displayName: expected.displayName,
      platform: 'weibo',
      verified: false,
      tags: ['重点', '省级'],
      organization: { name: expected.organizationName, regionCode: '440300', sector: 'education' },
    });
    const { rows: audit } = await db.query(
      `SELECT actor_name, after FROM audit_log WHERE action = 'import' AND entity_type = 'account_import' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit[0].actor_name).toBe('key:initial admin');
    expect(audit[0].after.createdAccountIds).toHaveLength(30);
    expect(audit[0].after.createdAccountIds).toContain(stored.body.items[0].id);
    expect(audit[0].after.createdOrganizationIds).toHaveLength(res.body.organizationsCreated);
  });

  it('is idempotent: the same file again changes nothing and writes no audit rows', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => buildImportRow(200 + i));
    const before = await tableState();
    const res = await postCsv(toCsv(rows, false));
    expect(res.body).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 30,
      organizationsCreated: 0,
    });
    expect(await tableState()).toBe(before);
  });

  it('updates accounts matched by any platform id, keeping values the file leaves empty', async () => {
    const original = buildImportRow(202);
    const changed = {
      ...original,
      wechatOriginalId: undefined,
      displayName: '账号 202（改名）',
      tags: '',
    };
    const res = await postCsv(toCsv([changed]));
    expect(res.body).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    const stored = (await t.request('GET', `/api/v1/accounts?q=${original.wechatAppId}`)).body
      .items[0];
    expect(stored).toMatchObject({
      displayName: '账号 202（改名）',
      wechatOriginalId: original.wechatOriginalId,
    });
    const { rows } = await db.query(
      `SELECT before->>'display_name' AS before, after->>'display_name' AS after FROM audit_log
       WHERE action = 'import_update' AND entity_id = $1`,
      [String(stored.id)],
    );
    expect(rows).toEqual([{ before: '账号 202', after: '账号 202（改名）' }]);
  });

  it('validates without applying on dryRun=true', async () => {
    const before = await tableState();
    const res = await postCsv(
      toCsv([buildImportRow(300), buildImportRow(202), buildImportRow(203)]),
      '?dryRun=true',
    );
    expect(res.body).toMatchObject({ dryRun: true, rows: 3, created: 1, updated: 1, unchanged: 1 });
    expect(await tableState()).toBe(before);
    expect((await postCsv('x', '?dryRun=maybe')).status).toBe(400);
  });

  it('accepts JSON bodies and multipart uploads', async () => {
    const json = await t.request('POST', '/api/v1/accounts/import', {
      json: [
        {
          platform: 'weibo',
          weibo_uid: '2000000001',
          displayName: '四川发布',
          organizationName: '四川省人民政府新闻办公室',
          regionCode: '510000',
          level: 'provincial',
          sector: 'publicity',
          tags: ['省级', '发布'],
          verified: true,
        },
      ],
    });
    expect(json.status, json.text).toBe(200);
    expect(json.body.created).toBe(1);

    const form = new FormData();
    form.append(
      'file',
      new Blob([toCsv([buildImportRow(400)])], { type: 'text/csv' }),
      'accounts.csv',
    );
    const multipart = await t.request('POST', '/api/v1/accounts/import', { body: form });
    expect(multipart.status, multipart.text).toBe(200);
    expect(multipart.body.created).toBe(1);

    const wrongType = await t.request('POST', '/api/v1/accounts/import', {
      body: '<xml/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(wrongType.status).toBe(415);
    const empty = await postCsv(`${toCsv([]).trim()}\n`);
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('IMPORT_INVALID');
    const broken = await postCsv('a,b\n"1,2\n');
    expect(broken.body.code).toBe('IMPORT_UNREADABLE');
  });

  it("refuses rows outside a scoped key's region and ids held by two accounts", async () => {
    const key = (
      await t.request('POST', '/api/v1/api-keys', {
        json: { name: 'cd', role: 'admin', regionCode: '510100' },
      })
    ).body.apiKey;
    const res = await postCsv(
      toCsv([
        buildImportRow(500, { regionCode: '510700' }),
        buildImportRow(501, { regionCode: '510100' }),
      ]),
      '',
      key,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 2, column: 'regionCode' })]);

    const a = buildImportRow(204);
    const b = buildImportRow(208);
    const crossed = await postCsv(toCsv([{ ...a, wechatAppId: b.wechatAppId }]));
    expect(crossed.status).toBe(400);
    expect(crossed.body.errors[0].message).toContain('2 different accounts');
  });

  it('imports 10,000 rows in one request', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => buildImportRow(100_000 + i));
    const res = await postCsv(toCsv(rows));
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    expect(res.body).toMatchObject({ rows: 10_000, created: 10_000 });
    const { rows: count } = await db.query(
      `SELECT count(*)::int AS n FROM accounts WHERE display_name LIKE '账号 1_____'`,
    );
    expect(count[0].n).toBe(10_000);
  });
});

describe('import size limit', () => {
  it('refuses a file above IMPORT_MAX_ROWS with 413', async () => {
    const t = await startTestApp({ IMPORT_MAX_ROWS: '5' });
    try {
      const res = await t.request('POST', '/api/v1/accounts/import', {
        body: toCsv(Array.from({ length: 6 }, (_, i) => buildImportRow(i))),
        headers: { 'content-type': 'text/csv' },
      });
      expect(res.status).toBe(413);
      expect(res.body.message).toContain('IMPORT_MAX_ROWS');
    } finally {
      await t.close();
    }
  });
});
