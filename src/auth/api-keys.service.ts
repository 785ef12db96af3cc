import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuditService } from '../audit/audit.service';
import { ValidationFailedException } from '../common/domain.exception';
import { ApiKey } from './api-key.entity';
import { type CreateApiKeyDto, toApiKeyResponse } from './api-key.dto';
import type { ApiKeyResponse, CreatedApiKeyResponse } from './api-key.dto';
import { generateApiKey, hashSecret, parseApiKey, secretMatches } from './api-key-format';
import { AuthErrorCode, AuthException } from './auth.exception';
import type { Actor, Principal } from './principal';
import { inRegionScope } from './region-scope';

const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * A verified key row is reused this long without reading the database: a revocation or an expiry
 * set by another replica takes effect within it (one revoked here takes effect at once).
 */
export const API_KEY_CACHE_TTL_MS = 5_000;
const API_KEY_CACHE_ENTRIES = 10_000;
// Serialises first-start key creation across replicas.
const BOOTSTRAP_LOCK_KEY = 7_466_202;
export const ADMIN_KEY_FILE = 'admin-api-key.txt';

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  /** keyId → a row whose secret matched, valid when read; the secret is checked on every use. */
  private readonly verified = new Map<string, { key: ApiKey; at: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async authenticate(raw: string | undefined): Promise<Principal> {
    if (!raw) {
      throw new AuthException(
        AuthErrorCode.MissingKey,
        'An API key is required: send it as "X-API-Key: <key>" or "Authorization: Bearer <key>".',
      );
    }
    const parsed = parseApiKey(raw);
    if (!parsed) {
      throw new AuthException(AuthErrorCode.InvalidKey, 'The API key is malformed.');
    }
    const now = Date.now();
    const cached = this.verified.get(parsed.keyId);
    const fresh = cached !== undefined && now - cached.at < API_KEY_CACHE_TTL_MS;
    const key = fresh
      ? cached.key
      : await this.dataSource.getRepository(ApiKey).findOneBy({ keyId: parsed.keyId });
    if (!key || !secretMatches(parsed.secret, key.secretHash)) {
      throw new AuthException(AuthErrorCode.InvalidKey, 'The API key is not valid.');
    }
    if (key.revokedAt) {
      this.verified.delete(parsed.keyId);
      throw new AuthException(AuthErrorCode.RevokedKey, 'The API key has been revoked.');
    }
    if (key.expiresAt && key.expiresAt.getTime() <= now) {
      this.verified.delete(parsed.keyId);
      throw new AuthException(AuthErrorCode.ExpiredKey, 'The API key has expired.');
    }
    if (!fresh) this.remember(key, now);
    if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      key.lastUsedAt = new Date(now);
      this.dataSource
        .query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [key.id])
        .catch((err: unknown) => this.logger.warn({ err }, 'could not record key use'));
    }
    return { apiKeyId: key.id, name: key.name, role: key.role, regionCode: key.regionCode };
  }

  private remember(key: ApiKey, now: number): void {
    this.verified.delete(key.keyId);
    this.verified.set(key.keyId, { key, at: now });
    if (this.verified.size > API_KEY_CACHE_ENTRIES) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
  }

  /** A region-scoped admin sees and manages only keys confined to its own subtree. */
  async list(principal: Principal): Promise<ApiKeyResponse[]> {
    const keys = await this.dataSource.getRepository(ApiKey).find({ order: { id: 'ASC' } });
    return keys.filter((k) => keyInScope(principal, k)).map(toApiKeyResponse);
  }

  async create(
    dto: CreateApiKeyDto,
    principal: Principal,
    actor: Actor,
  ): Promise<CreatedApiKeyResponse> {
    if (!inRegionScope(principal, dto.regionCode ?? null)) {
      throw new AuthException(
        AuthErrorCode.OutOfScope,
        `Your key is limited to region ${principal.regionCode}: new keys must carry a regionCode inside it.`,
      );
    }
    return this.dataSource.transaction(async (manager) => {
      if (dto.regionCode) {
        const found = await manager.query<unknown[]>('SELECT 1 FROM regions WHERE code = $1', [
          dto.regionCode,
        ]);
        if (found.length === 0) {
          throw new ValidationFailedException([
            {
              field: 'regionCode',
              message: `${dto.regionCode} is not a known province- or prefecture-level code; see GET /api/v1/regions`,
            },
          ]);
        }
      }
      const generated = generateApiKey();
      const key = await manager.getRepository(ApiKey).save({
        keyId: generated.keyId,
        secretHash: generated.secretHash,
        name: dto.name,
        role: dto.role,
        regionCode: dto.regionCode ?? null,
        expiresAt: dto.expiresAt ? new Date(dto.expiresAt) : null,
        createdBy: actor.apiKeyId,
      });
      const response = toApiKeyResponse(key);
      await this.audit.record(manager, actor, [
        {
          action: 'create',
          entityType: 'api_key',
          entityId: key.id,
          before: null,
          after: response,
        },
      ]);
      return { ...response, apiKey: generated.plaintext };
    });
  }

  async revoke(id: number, principal: Principal, actor: Actor): Promise<ApiKeyResponse> {
    let revokedKeyId: string | undefined;
    const revoked = await this.dataSource.transaction(async (manager) => {
      // Serialised with other key changes so two admins cannot revoke the last two admin keys at once.
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
      const repo = manager.getRepository(ApiKey);
      const key = await repo.findOne({ where: { id } });
      if (!key || !keyInScope(principal, key)) {
        throw new AuthException(AuthErrorCode.KeyNotFound, `API key ${id} does not exist.`);
      }
      if (!key.revokedAt && key.role === 'admin' && key.regionCode === null) {
        const [{ others }] = await manager.query<{ others: number }[]>(
          `SELECT count(*)::int AS others FROM api_keys
           WHERE role = 'admin' AND region_code IS NULL AND revoked_at IS NULL
             AND (expires_at IS NULL OR expires_at > now()) AND id <> $1`,
          [id],
        );
        if (others === 0) {
          throw new AuthException(
            AuthErrorCode.LastAdminKey,
            'This is the last working unscoped admin key; create another admin key before revoking it.',
          );
        }
      }
      const before = toApiKeyResponse(key);
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        await repo.save(key);
      }
      revokedKeyId = key.keyId;
      const after = toApiKeyResponse(key);
      await this.audit.record(manager, actor, [
        { action: 'revoke', entityType: 'api_key', entityId: key.id, before, after },
      ]);
      return after;
    });
    // After the commit, so no request can re-read the row as still valid in between.
    if (revokedKeyId !== undefined) this.verified.delete(revokedKeyId);
    return revoked;
  }

  /**
   * On first start (no key at all) creates an admin key: the one given in ADMIN_API_KEY, or a new
   * one that is printed once and written to <DATA_DIR>/admin-api-key.txt (mode 0600).
   */
  async ensureInitialAdminKey(): Promise<void> {
    const created = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
      const [{ count }] = await manager.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM api_keys',
      );
      if (count > 0) return null;
      const given = this.config.bootstrapAdminKey
        ? parseApiKey(this.config.bootstrapAdminKey)
        : null;
      const generated = given ? null : generateApiKey();
      const keyId = given?.keyId ?? generated!.keyId;
      const secretHash = given ? hashSecret(given.secret) : generated!.secretHash;
      const key = await manager
        .getRepository(ApiKey)
        .save({ keyId, secretHash, name: 'initial admin', role: 'admin' as const });
      await this.audit.record(manager, { apiKeyId: null, name: 'system', correlationId: null }, [
        {
          action: 'create',
          entityType: 'api_key',
          entityId: key.id,
          before: null,
          after: toApiKeyResponse(key),
        },
      ]);
      return generated?.plaintext ?? null;
    });
    if (created === null) return;
    await mkdir(this.config.dataDir, { recursive: true });
    const file = path.join(this.config.dataDir, ADMIN_KEY_FILE);
    await writeFile(file, `${created}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    // Shown exactly once, outside the JSON log stream, so an operator sees it at first start.
    process.stdout.write(
      `\n  First start: created an admin API key (also saved to ${file}, mode 0600):\n\n    ${created}\n\n`,
    );
  }
}

function keyInScope(principal: Principal, key: ApiKey): boolean {
  return inRegionScope(principal, key.regionCode);
}
