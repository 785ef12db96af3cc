import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Platform } from '../accounts/account-taxonomy';
import { AccountsErrorCode, AccountsException } from '../accounts/accounts.exception';
import { ScopedRows } from '../accounts/scoped-rows';
import { AuditService } from '../audit/audit.service';
import type { Actor, Principal } from '../auth/principal';
import { ValidationFailedException } from '../common/domain.exception';
import { isUniqueViolation } from '../database/pg-errors';
import type { PlatformErrorClass } from '../platforms/platform-error';
import {
  type CredentialRow,
  type CredentialStateResponse,
  type PutCredentialDto,
  SELECT_CREDENTIAL,
  neverAttached,
  toCredentialStateResponse,
} from './credential.dto';
import { CredentialCipher, type Envelope, credentialAad, tokenAad } from './credential-cipher';
import { type CredentialKind, KIND_BY_PLATFORM } from './credential-kinds';
import { credentialInputFor } from './credential-rules';
import {
  type EnvelopeColumns,
  clearCachedToken,
  decryptColumns,
  envelopeParams,
  recordAccountCheck,
} from './credential-store';
import { CredentialsErrorCode, CredentialsException } from './credentials.exception';

interface AccountRef {
  id: number;
  platform: Platform;
  wechat_app_id: string | null;
  region_code: string | null;
}

interface EnvelopeRow extends EnvelopeColumns {
  id: number;
}

export interface ReencryptResult {
  activeVersion: string;
  credentials: number;
  tokens: number;
  /** Rows still on another key version afterwards; 0 means old keys can be removed. */
  remaining: number;
}

const DEFAULT_REENCRYPT_BATCH = 500;

/** Attach, rotate, revoke and describe an account's platform credential; secrets never leave. */
@Injectable()
export class CredentialsService {
  private readonly accounts = new ScopedRows<AccountRef>({
    select: 'SELECT a.id, a.platform, a.wechat_app_id, o.region_code',
    from: 'FROM accounts a JOIN organizations o ON o.id = a.organization_id',
    alias: 'a',
    regionOf: (row) => row.region_code,
    notFound: (id) =>
      new AccountsException(AccountsErrorCode.AccountNotFound, `Account ${id} does not exist.`),
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: CredentialCipher,
    private readonly audit: AuditService,
  ) {}

  async get(accountId: number, principal: Principal): Promise<CredentialStateResponse> {
    const manager = this.dataSource.manager;
    const account = await this.accounts.visible(manager, accountId, principal);
    const kind = KIND_BY_PLATFORM[account.platform];
    const [latest] = await manager.query<CredentialRow[]>(
      `${SELECT_CREDENTIAL} WHERE c.account_id = $1 AND c.kind = $2
       ORDER BY (c.state <> 'revoked') DESC, c.id DESC LIMIT 1`,
      [accountId, kind],
    );
    return latest ? toCredentialStateResponse(latest) : neverAttached(accountId, kind);
  }

  /** Attaches a credential, or rotates the live one in place (same row, new envelope). */
  async put(
    accountId: number,
    dto: PutCredentialDto,
    principal: Principal,
    actor: Actor,
  ): Promise<CredentialStateResponse> {
    return this.dataSource.transaction(async (manager) => {
      // Locking the account serialises concurrent PUT/DELETE on it.
      const account = await this.accounts.visible(manager, accountId, principal, true);
      const checked = credentialInputFor(account.platform, dto, {
        wechatAppId: account.wechat_app_id,
      });
      if (!checked.input) throw new ValidationFailedException(checked.errors);
      const input = checked.input;
      const current = await this.live(manager, accountId, input.kind);
      const id = current?.id ?? (await this.nextId(manager));
      const envelope = this.cipher.encrypt(input.secret, credentialAad(id, input.kind));
      await this.writeOrConflict(async () => {
        if (current) {
          await manager.query(
            `UPDATE platform_credentials SET app_id = $2, key_version = $3, iv = $4, ciphertext = $5,
               tag = $6, state = 'valid', expires_at = $7, last_error_class = NULL,
               last_checked_at = NULL, rotated_at = now()
             WHERE id = $1`,
            [id, input.appId, ...envelopeParams(envelope), input.expiresAt],
          );
        } else {
          await manager.query(
            `INSERT INTO platform_credentials (id, account_id, kind, app_id, key_version, iv, ciphertext, tag, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [id, accountId, input.kind, input.appId, ...envelopeParams(envelope), input.expiresAt],
          );
        }
      });
      // A new secret (or app) must not keep serving a token obtained with the old one.
      for (const appId of new Set([current?.app_id, input.appId])) {
        if (appId) await clearCachedToken(manager, appId);
      }
      const after = await this.reload(manager, id);
      await this.audit.record(manager, actor, [
        {
          action: current ? 'rotate' : 'attach',
          entityType: 'platform_credential',
          entityId: id,
          before: current ? toCredentialStateResponse(current) : null,
          after,
        },
      ]);
      return after;
    });
  }

  /** Revokes the live credential and wipes its envelope; the row stays for history. */
  async revoke(
    accountId: number,
    principal: Principal,
    actor: Actor,
  ): Promise<CredentialStateResponse> {
    return this.dataSource.transaction(async (manager) => {
      const account = await this.accounts.visible(manager, accountId, principal, true);
      const current = await this.live(manager, accountId, KIND_BY_PLATFORM[account.platform]);
      if (!current) {
        throw new CredentialsException(
          CredentialsErrorCode.CredentialNotFound,
          `Account ${accountId} has no credential to revoke.`,
        );
      }
      await manager.query(
        `UPDATE platform_credentials SET state = 'revoked', revoked_at = now(),
           key_version = NULL, iv = NULL, ciphertext = NULL, tag = NULL
         WHERE id = $1`,
        [current.id],
      );
      if (current.app_id) await clearCachedToken(manager, current.app_id);
      const after = await this.reload(manager, current.id);
      await this.audit.record(manager, actor, [
        {
          action: 'revoke',
          entityType: 'platform_credential',
          entityId: current.id,
          before: toCredentialStateResponse(current),
          after,
        },
      ]);
      return after;
    });
  }

  /**
   * Attaches credentials to many accounts at once (the demo's simulated population), set-based:
   * accounts that already hold a live credential of the kind are left alone. One audit row lists
   * the accounts. Trusted input only (no per-field validation): not exposed over HTTP.
   */
  async attachMany(
    items: readonly {
      accountId: number;
      kind: CredentialKind;
      appId: string | null;
      secret: string;
    }[],
    actor: Actor,
  ): Promise<number> {
    if (items.length === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      const live = await manager.query<{ account_id: number; kind: string }[]>(
        `SELECT account_id, kind FROM platform_credentials
         WHERE account_id = ANY($1::int[]) AND state <> 'revoked'`,
        [items.map((i) => i.accountId)],
      );
      const held = new Set(live.map((r) => `${r.account_id}:${r.kind}`));
      const fresh = items.filter((i) => !held.has(`${i.accountId}:${i.kind}`));
      if (fresh.length === 0) return 0;
      const ids = await manager.query<{ id: number }[]>(
        `SELECT nextval(pg_get_serial_sequence('platform_credentials', 'id'))::int AS id
         FROM generate_series(1, $1)`,
        [fresh.length],
      );
      const envelopes = fresh.map((item, k) =>
        this.cipher.encrypt(item.secret, credentialAad(ids[k].id, item.kind)),
      );
      await manager.query(
        `INSERT INTO platform_credentials (id, account_id, kind, app_id, key_version, iv, ciphertext, tag)
         SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::bytea[], $8::bytea[])`,
        [
          ids.map((r) => r.id),
          fresh.map((i) => i.accountId),
          fresh.map((i) => i.kind),
          fresh.map((i) => i.appId),
          ...[0, 1, 2, 3].map((k) => envelopes.map((e) => envelopeParams(e)[k])),
        ],
      );
      await this.audit.record(manager, actor, [
        {
          action: 'attach_many',
          entityType: 'platform_credential',
          entityId: `batch-${ids[0].id}`,
          before: null,
          after: { accounts: fresh.map((i) => i.accountId) },
        },
      ]);
      return fresh.length;
    });
  }

  /** The decrypted Weibo access token of an account (for the Weibo collector). */
  async weiboAccessToken(accountId: number): Promise<string> {
    const [row] = await this.dataSource.query<(EnvelopeRow & { kind: CredentialKind })[]>(
      `SELECT id, kind, key_version, iv, ciphertext, tag FROM platform_credentials
       WHERE account_id = $1 AND kind = 'weibo_token' AND state <> 'revoked'`,
      [accountId],
    );
    if (!row) {
      throw new CredentialsException(
        CredentialsErrorCode.CredentialNotFound,
        `Account ${accountId} has no Weibo access token.`,
      );
    }
    return decryptColumns(this.cipher, row, credentialAad(row.id, row.kind));
  }

  /**
   * Records the outcome of using an account's live credential: an 'auth' failure marks it expired,
   * success (null) marks it valid again; other classes only note the error.
   */
  async recordCheck(
    accountId: number,
    kind: CredentialKind,
    errorClass: PlatformErrorClass | null,
  ): Promise<void> {
    await recordAccountCheck(this.dataSource.manager, accountId, kind, errorClass);
  }

  /**
   * Key rotation job: re-encrypts every envelope not on the active key version, in batches of
   * `batchSize` rows per transaction (one UPDATE … FROM unnest per batch).
   */
  async reencryptAll(batchSize = DEFAULT_REENCRYPT_BATCH): Promise<ReencryptResult> {
    const active = this.cipher.activeVersion;
    const credentials = await this.reencryptTable(
      `SELECT id, kind, key_version, iv, ciphertext, tag FROM platform_credentials
       WHERE ciphertext IS NOT NULL AND key_version <> $1 ORDER BY id LIMIT $2 FOR UPDATE`,
      (row: EnvelopeRow & { kind: CredentialKind }) => ({
        key: row.id,
        aad: credentialAad(row.id, row.kind),
      }),
      `UPDATE platform_credentials p SET key_version = $1, iv = u.iv, ciphertext = u.ciphertext, tag = u.tag
       FROM unnest($2::int[], $3::bytea[], $4::bytea[], $5::bytea[]) AS u(id, iv, ciphertext, tag)
       WHERE p.id = u.id`,
      batchSize,
    );
    const tokens = await this.reencryptTable(
      `SELECT app_id, key_version, iv, ciphertext, tag FROM wechat_access_tokens
       WHERE ciphertext IS NOT NULL AND key_version <> $1 ORDER BY app_id LIMIT $2 FOR UPDATE`,
      (row: EnvelopeColumns & { app_id: string }) => ({
        key: row.app_id,
        aad: tokenAad(row.app_id),
      }),
      `UPDATE wechat_access_tokens t SET key_version = $1, iv = u.iv, ciphertext = u.ciphertext, tag = u.tag
       FROM unnest($2::text[], $3::bytea[], $4::bytea[], $5::bytea[]) AS u(app_id, iv, ciphertext, tag)
       WHERE t.app_id = u.app_id`,
      batchSize,
    );
    const [{ remaining }] = await this.dataSource.query<{ remaining: number }[]>(
      `SELECT (SELECT count(*) FROM platform_credentials WHERE ciphertext IS NOT NULL AND key_version <> $1)::int
            + (SELECT count(*) FROM wechat_access_tokens WHERE ciphertext IS NOT NULL AND key_version <> $1)::int
         AS remaining`,
      [active],
    );
    return { activeVersion: active, credentials, tokens, remaining };
  }

  private async reencryptTable<R extends EnvelopeColumns, K extends number | string>(
    selectSql: string,
    identify: (row: R) => { key: K; aad: string },
    updateSql: string,
    batchSize: number,
  ): Promise<number> {
    const active = this.cipher.activeVersion;
    let total = 0;
    for (;;) {
      const moved = await this.dataSource.transaction(async (manager) => {
        const rows = await manager.query<R[]>(selectSql, [active, batchSize]);
        if (rows.length === 0) return 0;
        const keys: K[] = [];
        const envelopes: Envelope[] = [];
        for (const row of rows) {
          const { key, aad } = identify(row);
          keys.push(key);
          envelopes.push(this.cipher.encrypt(decryptColumns(this.cipher, row, aad), aad));
        }
        await manager.query(updateSql, [
          active,
          keys,
          envelopes.map((e) => e.iv),
          envelopes.map((e) => e.ciphertext),
          envelopes.map((e) => e.tag),
        ]);
        return rows.length;
      });
      total += moved;
      if (moved < batchSize) return total;
    }
  }

  private async live(
    manager: EntityManager,
    accountId: number,
    kind: CredentialKind,
  ): Promise<CredentialRow | null> {
    const [row] = await manager.query<CredentialRow[]>(
      `${SELECT_CREDENTIAL} WHERE c.account_id = $1 AND c.kind = $2 AND c.state <> 'revoked' FOR UPDATE OF c`,
      [accountId, kind],
    );
    return row ?? null;
  }

  private async reload(manager: EntityManager, id: number): Promise<CredentialStateResponse> {
    const [row] = await manager.query<CredentialRow[]>(`${SELECT_CREDENTIAL} WHERE c.id = $1`, [
      id,
    ]);
    if (!row) throw new Error(`platform_credentials ${id} vanished inside its own transaction`);
    return toCredentialStateResponse(row);
  }

  /** The row id is needed before INSERT: it is part of the AAD. */
  private async nextId(manager: EntityManager): Promise<number> {
    const [{ id }] = await manager.query<{ id: number }[]>(
      `SELECT nextval(pg_get_serial_sequence('platform_credentials', 'id'))::int AS id`,
    );
    return id;
  }

  private async writeOrConflict(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new CredentialsException(
          CredentialsErrorCode.AppIdTaken,
          'Another account already holds a live credential for this AppID; revoke it there first.',
        );
      }
      throw err;
    }
  }
}
