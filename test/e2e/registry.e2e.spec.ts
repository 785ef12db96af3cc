import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../support/test-app';

describe('registry: organizations and accounts', () => {
  let t: TestApp;
  let db: Client;
  let sichuanKey: string;
  let viewerKey: string;
  const org: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTestApp();
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    sichuanKey = (
      await t.request('POST', '/api/v1/api-keys', {
        json: { name: '四川', role: 'admin', regionCode: '510000' },
      })
    ).body.apiKey;
    viewerKey = (
      await t.request('POST', '/api/v1/api-keys', { json: { name: 'v', role: 'viewer' } })
    ).body.apiKey;
    for (const [key, body] of [
      [
        'scPolice',
        {
          name: '四川省公安厅',
          regionCode: '510000',
          level: 'provincial',
          sector: 'public_security',
        },
      ],
      [
        'cdGov',
        {
          name: '成都市人民政府办公厅',
          regionCode: '510100',
          level: 'municipal',
          sector: 'party_government_office',
        },
      ],
      [
        'bjHealth',
        {
          name: '北京市卫生健康委员会',
          regionCode: '110000',
          level: 'provincial',
          sector: 'health',
        },
      ],
      ['council', { name: '国务院办公厅', level: 'central', sector: 'party_government_office' }],
    ] as const) {
      const res = await t.request('POST', '/api/v1/organizations', { json: body });
      expect(res.status, res.text).toBe(201);
      org[key] = res.body.id;
    }
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const account = (overrides: Record<string, unknown>) => ({
    platform: 'wechat',
    displayName: '四川公安',
    organizationId: org.scPolice,
    wechatType: 'service',
    ...overrides,
  });

  it('creates, reads, updates and closes an account, auditing each change', async () => {
    const created = await t.request('POST', '/api/v1/accounts', {
      json: account({ wechatOriginalId: 'gh_00000000aaaa', tags: ['省级', ' 省级 ', '公安'] }),
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      platform: 'wechat',
      status: 'active',
      verified: false,
      dataSource: 'official_api',
      tags: ['省级', '公安'],
      organization: {
        id: org.scPolice,
        regionCode: '510000',
        regionName: '四川省',
        sector: 'public_security',
      },
    });
    const id = created.body.id as number;

    const updated = await t.request('PATCH', `/api/v1/accounts/${id}`, {
      json: { wechatAppId: 'wx00000000000000aa', verified: true, status: 'paused' },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).toMatchObject({
      wechatAppId: 'wx00000000000000aa',
      verified: true,
      status: 'paused',
    });

    const closed = await t.request('POST', `/api/v1/accounts/${id}/close`, {
      json: { closedOn: '2026-11-01' },
    });
    expect(closed.body).toMatchObject({ status: 'closed', closedOn: '2026-11-01' });
    expect((await t.request('POST', `/api/v1/accounts/${id}/close`, { json: {} })).status).toBe(
      409,
    );

    const reopened = await t.request('PATCH', `/api/v1/accounts/${id}`, {
      json: { status: 'active' },
    });
    expect(reopened.body).toMatchObject({ status: 'active', closedOn: null });
    expect((await t.request('GET', `/api/v1/accounts/${id}`, { key: viewerKey })).body.id).toBe(id);

    const audit = await db.query(
      `SELECT action, actor_name, before, after FROM audit_log WHERE entity_type = 'account' AND entity_id = $1 ORDER BY id`,
      [String(id)],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['create', 'update', 'close', 'update']);
    expect(audit.rows[0].before).toBeNull();
    expect(audit.rows[1].before.status).toBe('active');
    expect(audit.rows[1].after.status).toBe('paused');
    expect(audit.rows[2].after.closed_on).toBe('2026-11-01');
    expect(audit.rows.every((r) => r.actor_name === 'key:initial admin')).toBe(true);
  });

  it('enforces platform-id rules and uniqueness', async () => {
    const weiboWithGh = await t.request('POST', '/api/v1/accounts', {
      json: account({
        platform: 'weibo',
        wechatOriginalId: 'gh_00000000bbbb',
        wechatType: undefined,
      }),
    });
    expect(weiboWithGh.status).toBe(400);
    expect(weiboWithGh.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'wechatOriginalId',
      'weiboUid',
    ]);

    const noId = await t.request('POST', '/api/v1/accounts', { json: account({}) });
    expect(noId.status).toBe(400);

    await t.request('POST', '/api/v1/accounts', {
      json: account({ wechatOriginalId: 'gh_00000000cccc' }),
    });
    const dup = await t.request('POST', '/api/v1/accounts', {
      json: account({ wechatOriginalId: 'gh_00000000cccc' }),
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('PLATFORM_ID_TAKEN');

    const badOrg = await t.request('POST', '/api/v1/accounts', {
      json: account({ wechatOriginalId: 'gh_00000000dddd', organizationId: 999999 }),
    });
    expect(badOrg.status).toBe(400);
    expect(badOrg.body.errors[0].field).toBe('organizationId');
  });

  it('lists with filters and keyset pagination', async () => {
    for (let i = 0; i < 7; i++) {
      const res = await t.request('POST', '/api/v1/accounts', {
        json: {
          platform: 'weibo',
          weiboUid: String(5_000_000 + i),
          displayName: `成都发布 ${i}`,
          organizationId: org.cdGov,
          tags: i % 2 === 0 ? ['even'] : ['odd'],
        },
      });
      expect(res.status, res.text).toBe(201);
    }
    await t.request('POST', '/api/v1/accounts', {
      json: account({
        wechatOriginalId: 'gh_00000000eeee',
        displayName: '健康北京',
        organizationId: org.bjHealth,
      }),
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/api/v1/accounts?platform=weibo&region=510000&sort=displayName&order=desc&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.request('GET', query);
      expect(page.status, page.text).toBe(200);
      seen.push(...page.body.items.map((a: { displayName: string }) => a.displayName));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `成都发布 ${i}`));

    const byPrefecture = await t.request('GET', '/api/v1/accounts?region=510100&limit=100');
    expect(byPrefecture.body.items).toHaveLength(7);
    const even = await t.request('GET', '/api/v1/accounts?tags=even&limit=100');
    expect(even.body.items).toHaveLength(4);
    const health = await t.request('GET', '/api/v1/accounts?sector=health&level=provincial');
    expect(health.body.items.map((a: { displayName: string }) => a.displayName)).toEqual([
      '健康北京',
    ]);
    const search = await t.request('GET', `/api/v1/accounts?q=${encodeURIComponent('发布 3')}`);
    expect(search.body.items).toHaveLength(1);
    const byUid = await t.request('GET', '/api/v1/accounts?q=5000004');
    expect(byUid.body.items[0].weiboUid).toBe('5000004');
    const bySort = await t.request('GET', '/api/v1/accounts?sort=createdAt&order=desc&limit=2');
    const next = await t.request(
      'GET',
      `/api/v1/accounts?sort=createdAt&order=desc&limit=2&cursor=${bySort.body.nextCursor}`,
    );
    expect(next.body.items[0].id).toBeLessThan(bySort.body.items[1].id);

    const bad = await t.request('GET', '/api/v1/accounts?limit=100000&platform=qq&cursor=xyz');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'limit',
      'platform',
    ]);
    expect((await t.request('GET', '/api/v1/accounts?cursor=xyz')).body.errors[0].field).toBe(
      'cursor',
    );
  });

  it('confines a region-scoped key to its subtree', async () => {
    const all = await t.request('GET', '/api/v1/accounts?limit=500', { key: sichuanKey });
    expect(all.body.items.length).toBeGreaterThan(0);
    expect(
      all.body.items.every((a: { organization: { regionCode: string } }) =>
        a.organization.regionCode.startsWith('51'),
      ),
    ).toBe(true);

    const beijing = await t.request('GET', '/api/v1/accounts?region=110000', { key: sichuanKey });
    expect(beijing.body.items).toEqual([]);
    const bjAccount = (await t.request('GET', '/api/v1/accounts?region=110000')).body.items[0];
    expect(
      (await t.request('GET', `/api/v1/accounts/${bjAccount.id}`, { key: sichuanKey })).status,
    ).toBe(404);
    expect(
      (
        await t.request('PATCH', `/api/v1/accounts/${bjAccount.id}`, {
          key: sichuanKey,
          json: { verified: true },
        })
      ).status,
    ).toBe(404);
    expect(
      (await t.request('GET', `/api/v1/organizations/${org.bjHealth}`, { key: sichuanKey })).status,
    ).toBe(404);
    expect(
      (await t.request('GET', `/api/v1/organizations/${org.council}`, { key: sichuanKey })).status,
    ).toBe(404);

    const outside = await t.request('POST', '/api/v1/organizations', {
      key: sichuanKey,
      json: {
        name: '重庆市公安局',
        regionCode: '500000',
        level: 'provincial',
        sector: 'public_security',
      },
    });
    expect(outside.status).toBe(403);
    const inside = await t.request('POST', '/api/v1/organizations', {
      key: sichuanKey,
      json: {
        name: '绵阳市公安局',
        regionCode: '510700',
        level: 'municipal',
        sector: 'public_security',
      },
    });
    expect(inside.status, inside.text).toBe(201);
  });

  it('manages organizations: unique names per region, filters, update, close rules', async () => {
    const dup = await t.request('POST', '/api/v1/organizations', {
      json: {
        name: '四川省公安厅',
        regionCode: '510000',
        level: 'provincial',
        sector: 'public_security',
      },
    });
    expect(dup.status).toBe(409);
    const noRegion = await t.request('POST', '/api/v1/organizations', {
      json: { name: 'X', level: 'municipal', sector: 'other' },
    });
    expect(noRegion.status).toBe(400);
    const unknownRegion = await t.request('POST', '/api/v1/organizations', {
      json: { name: 'X', regionCode: '519999', level: 'municipal', sector: 'other' },
    });
    expect(unknownRegion.body.errors[0].field).toBe('regionCode');

    const child = await t.request('POST', '/api/v1/organizations', {
      json: {
        name: '成都市公安局',
        regionCode: '510100',
        level: 'municipal',
        sector: 'public_security',
        parentId: org.scPolice,
      },
    });
    expect(child.body.parentId).toBe(org.scPolice);
    const children = await t.request('GET', `/api/v1/organizations?parentId=${org.scPolice}`);
    expect(children.body.items.map((o: { name: string }) => o.name)).toEqual(['成都市公安局']);
    const police = await t.request(
      'GET',
      '/api/v1/organizations?sector=public_security&region=510000&sort=name',
    );
    expect(police.body.items.length).toBeGreaterThanOrEqual(2);

    const renamed = await t.request('PATCH', `/api/v1/organizations/${child.body.id}`, {
      json: { name: '成都市公安局（新）' },
    });
    expect(renamed.body.name).toBe('成都市公安局（新）');
    expect(
      (
        await t.request('PATCH', `/api/v1/organizations/${child.body.id}`, {
          json: { parentId: child.body.id },
        })
      ).status,
    ).toBe(400);

    const busy = await t.request('POST', `/api/v1/organizations/${org.cdGov}/close`, { json: {} });
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('ORGANIZATION_HAS_OPEN_ACCOUNTS');
    const impossible = await t.request('POST', `/api/v1/organizations/${child.body.id}/close`, {
      json: { closedOn: '2026-02-30' },
    });
    expect(impossible.status).toBe(400);
    expect(impossible.body.errors[0].field).toBe('closedOn');
    const closed = await t.request('POST', `/api/v1/organizations/${child.body.id}/close`, {
      json: { closedOn: '2026-10-01' },
    });
    expect(closed.body.closedOn).toBe('2026-10-01');
    const onClosed = await t.request('POST', '/api/v1/accounts', {
      json: account({ wechatOriginalId: 'gh_00000000ffff', organizationId: child.body.id }),
    });
    expect(onClosed.status).toBe(400);

    const audit = await db.query(
      `SELECT action FROM audit_log WHERE entity_type = 'organization' AND entity_id = $1 ORDER BY id`,
      [String(child.body.id)],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['create', 'update', 'close']);
  });

  it('lists regions by level and parent', async () => {
    const provinces = await t.request('GET', '/api/v1/regions?level=province');
    expect(provinces.body).toHaveLength(31);
    const sichuan = await t.request('GET', '/api/v1/regions?parent=510000');
    expect(sichuan.body.map((r: { code: string }) => r.code)).toContain('510100');
    expect(sichuan.body.every((r: { parentCode: string }) => r.parentCode === '510000')).toBe(true);
    const chengdu = sichuan.body.find((r: { code: string }) => r.code === '510100');
    expect(chengdu).toMatchObject({
      name: '成都市',
      tier: 'sub_provincial_or_capital_city',
      macroRegion: 'west',
      level: 'prefecture',
    });
    expect((await t.request('GET', '/api/v1/regions?level=county')).status).toBe(400);
  });
});
