import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../test/support/database';
import { AuditService } from '../audit/audit.service';
import { loadConfig } from '../config/app-config';
import { API_KEY_CACHE_TTL_MS, ApiKeysService } from './api-keys.service';
import { AuthErrorCode, AuthException } from './auth.exception';

const ACTOR = { apiKeyId: null, name: 'test', correlationId: null };
const ADMIN = { apiKeyId: 0, name: 'test', role: 'admin' as const, regionCode: null };

async function codeOf(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt;
    return 'ok';
  } catch (err) {
    if (err instanceof AuthException) return err.code;
    throw err;
  }
}

describe('API key cache', () => {
  let db: DataSource;
  let service: ApiKeysService;

  beforeAll(async () => {
    db = await openTestDataSource(await createTestDatabase());
    service = new ApiKeysService(db, loadConfig({}), new AuditService());
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await db?.destroy();
  });

  // Another replica revoking the key: only the database changes.
  const revokeElsewhere = (id: number) =>
    db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [id]);

  it('reuses a verified key for its TTL; a revocation elsewhere takes effect after it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const created = await service.create({ name: 'viewer', role: 'viewer' }, ADMIN, ACTOR);
    expect(await codeOf(service.authenticate(created.apiKey))).toBe('ok');
    await revokeElsewhere(created.id);
    vi.setSystemTime(Date.now() + API_KEY_CACHE_TTL_MS - 1);
    expect(await codeOf(service.authenticate(created.apiKey))).toBe('ok');
    vi.setSystemTime(Date.now() + 1);
    expect(await codeOf(service.authenticate(created.apiKey))).toBe(AuthErrorCode.RevokedKey);
    // Refused keys are not kept: still refused later.
    expect(await codeOf(service.authenticate(created.apiKey))).toBe(AuthErrorCode.RevokedKey);
  });

  it('a key revoked through this process is refused at once', async () => {
    const created = await service.create({ name: 'analyst', role: 'analyst' }, ADMIN, ACTOR);
    expect(await codeOf(service.authenticate(created.apiKey))).toBe('ok');
    await service.revoke(created.id, ADMIN, ACTOR);
    expect(await codeOf(service.authenticate(created.apiKey))).toBe(AuthErrorCode.RevokedKey);
  });

  it('checks the secret and the expiry on every use, cached or not', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const expiresAt = new Date(Date.now() + 2_000).toISOString();
    const created = await service.create(
      { name: 'short', role: 'viewer', expiresAt },
      ADMIN,
      ACTOR,
    );
    expect(await codeOf(service.authenticate(created.apiKey))).toBe('ok');
    const [prefix, keyId, secret] = created.apiKey.split('_');
    const wrong = `${prefix}_${keyId}_${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(await codeOf(service.authenticate(wrong))).toBe(AuthErrorCode.InvalidKey);
    vi.setSystemTime(Date.now() + 2_000);
    expect(await codeOf(service.authenticate(created.apiKey))).toBe(AuthErrorCode.ExpiredKey);
  });
});
