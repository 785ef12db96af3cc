import type { EntityManager } from 'typeorm';
import type { PlatformErrorClass } from '../platforms/platform-error';
import { type CredentialCipher, CredentialCipherError, type Envelope } from './credential-cipher';
import type { CredentialKind } from './credential-kinds';
import { CredentialsErrorCode, CredentialsException } from './credentials.exception';

/** The stored envelope columns of a credential or token row. */
export interface EnvelopeColumns {
  key_version: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Parameters in column order: key_version, iv, ciphertext, tag. */
export function envelopeParams(e: Envelope): [string, Buffer, Buffer, Buffer] {
  return [e.keyVersion, e.iv, e.ciphertext, e.tag];
}

/** Decrypts stored columns; failures become a domain error naming the row kind, never the data. */
export function decryptColumns(
  cipher: CredentialCipher,
  row: EnvelopeColumns,
  aad: string,
): string {
  try {
    return cipher.decrypt(
      { keyVersion: row.key_version, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag },
      aad,
    );
  } catch (err) {
    if (err instanceof CredentialCipherError) {
      throw new CredentialsException(
        CredentialsErrorCode.Undecryptable,
        `Stored secret (${aad.split(':').slice(0, 2).join(':')}) cannot be decrypted: ${err.message}`,
      );
    }
    throw err;
  }
}

/**
 * Empties a cached token, keeping (or creating) its row, which is the refresh lock. An upsert, not
 * an UPDATE: a refresh that has inserted the row but not committed would be invisible to an UPDATE
 * and could then store a token fetched with the old secret.
 */
export async function clearCachedToken(manager: EntityManager, appId: string): Promise<void> {
  await manager.query(
    `INSERT INTO wechat_access_tokens (app_id) VALUES ($1)
     ON CONFLICT (app_id) DO UPDATE SET key_version = NULL, iv = NULL, ciphertext = NULL,
       tag = NULL, expires_at = NULL`,
    [appId],
  );
}

// An 'auth' failure marks the credential expired, success (null) marks it valid again; other
// classes only note the error.
const RECORD_CHECK = `
  UPDATE platform_credentials SET last_checked_at = now(), last_error_class = $3::text,
    state = CASE WHEN $3::text IS NULL THEN 'valid' WHEN $3::text = 'auth' THEN 'expired' ELSE state END
  WHERE state <> 'revoked'`;

export async function recordAccountCheck(
  manager: EntityManager,
  accountId: number,
  kind: CredentialKind,
  errorClass: PlatformErrorClass | null,
): Promise<void> {
  await manager.query(`${RECORD_CHECK} AND account_id = $1 AND kind = $2`, [
    accountId,
    kind,
    errorClass,
  ]);
}

export async function recordWechatAppCheck(
  manager: EntityManager,
  appId: string,
  errorClass: PlatformErrorClass | null,
): Promise<void> {
  await recordWechatAppChecks(manager, [appId], errorClass);
}

/** The same check result for many app ids, in one statement. */
export async function recordWechatAppChecks(
  manager: EntityManager,
  appIds: readonly string[],
  errorClass: PlatformErrorClass | null,
): Promise<void> {
  if (appIds.length === 0) return;
  await manager.query(`${RECORD_CHECK} AND app_id = ANY($1::text[]) AND kind = $2`, [
    appIds,
    'wechat_app',
    errorClass,
  ]);
}
