import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const VERSION_PATTERN = /^v[0-9]+$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;

/** Every listed key can decrypt; the last listed (`activeVersion`) encrypts. */
export interface KeyRing {
  readonly activeVersion: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** What is stored for one secret (RELIABILITY.md R21). */
export interface Envelope {
  keyVersion: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Never carries plaintext, key material or ciphertext in its message. */
export class CredentialCipherError extends Error {}

/**
 * Parses `v1:<base64 of 32 bytes>,v2:<…>` (the CREDENTIALS_KEYS format). Messages name the
 * offending entry by position and version only, never by key material.
 */
export function parseKeyRing(text: string): KeyRing {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) {
    throw new CredentialCipherError(
      'key ring is empty: expected v<n>:<base64 of 32 bytes>[,v<n>:<…>]',
    );
  }
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const where = `key ring entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      throw new CredentialCipherError(`${where} has no "<version>:" prefix`);
    }
    const version = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!VERSION_PATTERN.test(version)) {
      throw new CredentialCipherError(`${where}: version must look like v1, v2, …`);
    }
    if (keys.has(version)) {
      throw new CredentialCipherError(`${where}: version ${version} is listed twice`);
    }
    const key = Buffer.from(encoded, 'base64');
    if (!BASE64_PATTERN.test(encoded) || key.toString('base64') !== encoded) {
      throw new CredentialCipherError(`${where} (${version}): key is not canonical base64`);
    }
    if (key.length !== KEY_BYTES) {
      throw new CredentialCipherError(
        `${where} (${version}): key must be ${KEY_BYTES} bytes, got ${key.length} (use openssl rand -base64 32)`,
      );
    }
    keys.set(version, key);
  });
  return { activeVersion: [...keys.keys()].at(-1)!, keys };
}

/** Generates a one-key ring text (`v1:<base64>`), for a local development key file. */
export function generateKeyRingText(version = 'v1'): string {
  return `${version}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/** AAD binding a credential's secret to its row: a ciphertext moved to another row fails. */
export function credentialAad(id: number, kind: string): string {
  return `credential:${id}:${kind}`;
}

/** AAD binding a cached access token to its app id. */
export function tokenAad(appId: string): string {
  return `token:${appId}`;
}

/** AES-256-GCM with a random 96-bit IV per encryption and a full 128-bit tag. */
export class CredentialCipher {
  constructor(private readonly ring: KeyRing) {}

  get activeVersion(): string {
    return this.ring.activeVersion;
  }

  encrypt(plaintext: string, aad: string): Envelope {
    const key = this.ring.keys.get(this.ring.activeVersion)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyVersion: this.ring.activeVersion, iv, ciphertext, tag: cipher.getAuthTag() };
  }

  decrypt(envelope: Envelope, aad: string): string {
    const key = this.ring.keys.get(envelope.keyVersion);
    if (!key) {
      throw new CredentialCipherError(
        `key version ${envelope.keyVersion} is not in the key ring (have ${[...this.ring.keys.keys()].join(', ')}); add it back to CREDENTIALS_KEYS`,
      );
    }
    if (envelope.iv.length !== IV_BYTES) {
      throw new CredentialCipherError(`IV must be ${IV_BYTES} bytes, got ${envelope.iv.length}`);
    }
    // GCM accepts short tags unless told otherwise; a 4-byte tag is forgeable (R21).
    if (envelope.tag.length !== TAG_BYTES) {
      throw new CredentialCipherError(
        `authentication tag must be ${TAG_BYTES} bytes, got ${envelope.tag.length}`,
      );
    }
    const decipher = createDecipheriv(ALGORITHM, key, envelope.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(envelope.tag);
    try {
      return Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new CredentialCipherError(
        'decryption failed: wrong key, wrong row (AAD) or tampered ciphertext',
      );
    }
  }
}
