import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PATTERN = /^gmm_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface ParsedApiKey {
  keyId: string;
  secret: string;
}

/** Keys look like `gmm_<8-char public id>_<43-char base64url secret of 32 random bytes>`. */
export function parseApiKey(raw: string): ParsedApiKey | null {
  const match = KEY_PATTERN.exec(raw.trim());
  return match ? { keyId: match[1], secret: match[2] } : null;
}

export function generateApiKey(): { plaintext: string; keyId: string; secretHash: Buffer } {
  const idBytes = randomBytes(8);
  const keyId = Array.from(idBytes, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { plaintext: `gmm_${keyId}_${secret}`, keyId, secretHash: hashSecret(secret) };
}

/** 256 bits of randomness make a fast hash sufficient (no password stretching needed). */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}
