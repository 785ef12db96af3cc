import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_POLICY, type AccessPolicy } from '../../src/auth/access-policy.decorator';
import { type TestApp, startTestApp } from '../support/test-app';

interface RouteInfo {
  method: string;
  path: string;
  policy: AccessPolicy | undefined;
  handler: string;
}

/** Every route Nest registered, with the policy the guard will read for it. */
function enumerateRoutes(t: TestApp): RouteInfo[] {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = t.app.get(Reflector);
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || !wrapper.metatype) continue;
    const prefix = String(Reflect.getMetadata(PATH_METADATA, wrapper.metatype) ?? '');
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
      const handler = instance[name] as (...args: unknown[]) => unknown;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const policy = reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [
        handler,
        wrapper.metatype,
      ]);
      const full = `/${[prefix, path].filter((p) => p && p !== '/').join('/')}`.replace(
        /\/+/g,
        '/',
      );
      routes.push({ method, path: full, policy, handler: `${wrapper.name}.${name}` });
    }
  }
  return routes;
}

// A nonexistent id: allowed calls end in 404, never touching real rows (e.g. revoking our own key).
const concrete = (path: string) => path.replace(/:id\b/g, '999999');

describe('authentication and authorization', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  const keys: Record<string, string> = {};
  let revokedKeyId = 0;

  beforeAll(async () => {
    t = await startTestApp();
    routes = enumerateRoutes(t);
    for (const role of ['viewer', 'analyst', 'admin'] as const) {
      const created = await t.request('POST', '/api/v1/api-keys', {
        json: { name: `${role} key`, role },
      });
      expect(created.status).toBe(201);
      keys[role] = created.body.apiKey;
    }
    const revoked = await t.request('POST', '/api/v1/api-keys', {
      json: { name: 'to revoke', role: 'admin' },
    });
    keys.revoked = revoked.body.apiKey;
    revokedKeyId = revoked.body.id;
    expect((await t.request('DELETE', `/api/v1/api-keys/${revokedKeyId}`)).status).toBe(200);
    const expired = await t.request('POST', '/api/v1/api-keys', {
      json: { name: 'expired', role: 'admin', expiresAt: '2020-01-01T00:00:00Z' },
    });
    keys.expired = expired.body.apiKey;
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds the routes and every one declares an access policy (deny by default)', () => {
    expect(routes.length).toBeGreaterThanOrEqual(17);
    const missing = routes.filter((r) => r.policy === undefined).map((r) => r.handler);
    expect(missing).toEqual([]);
  });

  it('only health and metrics are public', () => {
    const open = routes
      .filter((r) => r.policy?.kind === 'public')
      .map((r) => r.path)
      .sort();
    expect(open).toEqual(['/health/live', '/health/ready', '/metrics']);
  });

  it('refuses every protected route without a key, with a malformed, revoked or expired key', async () => {
    for (const route of routes.filter((r) => r.policy?.kind === 'role')) {
      for (const [label, key, code] of [
        ['none', null, 'AUTH_MISSING_KEY'],
        ['malformed', 'not-a-key', 'AUTH_INVALID_KEY'],
        ['unknown', 'gmm_zzzzzzzz_' + 'A'.repeat(43), 'AUTH_INVALID_KEY'],
        ['revoked', keys.revoked, 'AUTH_REVOKED_KEY'],
        ['expired', keys.expired, 'AUTH_EXPIRED_KEY'],
      ] as const) {
        const res = await t.request(route.method, concrete(route.path), { key });
        expect(res.status, `${route.method} ${route.path} with ${label} key`).toBe(401);
        expect(res.body.code).toBe(code);
        expect(res.body.correlationId).toEqual(expect.any(String));
      }
    }
  });

  it('enforces the role of each route for viewer, analyst and admin keys', async () => {
    const rank = { viewer: 0, analyst: 1, admin: 2 } as const;
    for (const route of routes) {
      if (route.policy?.kind !== 'role') continue;
      for (const role of ['viewer', 'analyst', 'admin'] as const) {
        const res = await t.request(route.method, concrete(route.path), {
          key: keys[role],
          json: route.method === 'GET' ? undefined : {},
        });
        const allowed = rank[role] >= rank[route.policy.role];
        if (allowed) {
          expect([401, 403], `${role} on ${route.method} ${route.path}: ${res.text}`).not.toContain(
            res.status,
          );
        } else {
          expect(res.status, `${role} on ${route.method} ${route.path}`).toBe(403);
          expect(res.body.code).toBe('AUTH_INSUFFICIENT_ROLE');
        }
      }
    }
  });

  it('accepts the key as a bearer token too', async () => {
    const res = await t.request('GET', '/api/v1/regions?level=province', {
      key: null,
      headers: { authorization: `Bearer ${keys.viewer}` },
    });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(31);
  });

  it('never returns key hashes, and shows a new key only once', async () => {
    const list = await t.request('GET', '/api/v1/api-keys');
    expect(list.status).toBe(200);
    expect(list.text).not.toMatch(/secretHash|secret_hash|apiKey"/);
    expect(list.text).not.toContain(keys.viewer.split('_')[2]);
  });

  it('rejects unknown fields (mass assignment) and bad values with per-field errors', async () => {
    const res = await t.request('POST', '/api/v1/api-keys', {
      json: { name: 'x', role: 'root', isAdmin: true, regionCode: '51' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'isAdmin',
      'regionCode',
      'role',
    ]);
  });

  it('confines a region-scoped admin to keys inside its region', async () => {
    const scoped = await t.request('POST', '/api/v1/api-keys', {
      json: { name: '四川 admin', role: 'admin', regionCode: '510000' },
    });
    const sichuan = scoped.body.apiKey as string;
    const unscoped = await t.request('POST', '/api/v1/api-keys', {
      key: sichuan,
      json: { name: 'escalate', role: 'admin' },
    });
    expect(unscoped.status).toBe(403);
    expect(unscoped.body.code).toBe('AUTH_OUT_OF_SCOPE');
    const beijing = await t.request('POST', '/api/v1/api-keys', {
      key: sichuan,
      json: { name: 'bj', role: 'viewer', regionCode: '110000' },
    });
    expect(beijing.status).toBe(403);
    const chengdu = await t.request('POST', '/api/v1/api-keys', {
      key: sichuan,
      json: { name: 'cd', role: 'viewer', regionCode: '510100' },
    });
    expect(chengdu.status).toBe(201);

    const visible = await t.request('GET', '/api/v1/api-keys', { key: sichuan });
    expect(visible.body.map((k: { regionCode: string }) => k.regionCode).sort()).toEqual([
      '510000',
      '510100',
    ]);
    const initialAdminId = (await t.request('GET', '/api/v1/api-keys')).body[0].id;
    expect(
      (await t.request('DELETE', `/api/v1/api-keys/${initialAdminId}`, { key: sichuan })).status,
    ).toBe(404);
    expect(
      (await t.request('DELETE', `/api/v1/api-keys/${chengdu.body.id}`, { key: sichuan })).status,
    ).toBe(200);
  });

  it('refuses to revoke the last working unscoped admin key', async () => {
    const all = (await t.request('GET', '/api/v1/api-keys')).body as {
      id: number;
      role: string;
      regionCode: string | null;
      revokedAt: string | null;
      name: string;
    }[];
    const admins = all.filter(
      (k) =>
        k.role === 'admin' && k.regionCode === null && k.revokedAt === null && k.name !== 'expired',
    );
    // Revoke every other unscoped admin key, then the initial one is the last.
    for (const k of admins.filter((k) => k.name !== 'initial admin')) {
      expect((await t.request('DELETE', `/api/v1/api-keys/${k.id}`)).status).toBe(200);
    }
    const initial = admins.find((k) => k.name === 'initial admin')!;
    const last = await t.request('DELETE', `/api/v1/api-keys/${initial.id}`);
    expect(last.status).toBe(409);
    expect(last.body.code).toBe('API_KEY_LAST_ADMIN');
    expect((await t.request('GET', '/api/v1/api-keys')).status).toBe(200);
  });

  it('exposes no secret or hash field in any response schema', async () => {
    const docs = await t.request('GET', '/docs-json', { key: null });
    const properties = JSON.stringify(docs.body.components.schemas);
    expect(properties).not.toMatch(
      /"(secretHash|secret_hash|secret|password|appSecret|ciphertext)"/,
    );
    expect(docs.body.components.schemas.CreatedApiKeyResponse.properties.apiKey).toBeDefined();
  });

  it('refuses a body above BODY_LIMIT_BYTES with 413', async () => {
    const small = await startTestApp({ BODY_LIMIT_BYTES: '1024' });
    try {
      const res = await small.request('POST', '/api/v1/accounts/import', {
        body: 'x'.repeat(4096),
        headers: { 'content-type': 'text/csv' },
      });
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  it('keeps a caller request id and returns it', async () => {
    const res = await t.request('GET', '/api/v1/accounts', {
      key: null,
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect(res.body.correlationId).toBe('trace-123');
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    const metrics = await t.request('GET', '/metrics', { key: null });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_request_duration_seconds_bucket');
    const docs = await t.request('GET', '/docs-json', { key: null });
    expect(docs.status).toBe(200);
    const operations = Object.values(
      docs.body.paths as Record<string, Record<string, { summary?: string }>>,
    ).flatMap((p) => Object.values(p));
    expect(operations.length).toBeGreaterThanOrEqual(routes.length - 3);
    expect(operations.filter((o) => !o.summary)).toEqual([]);
  });
});
