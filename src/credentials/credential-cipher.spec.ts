import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CredentialCipher,
  CredentialCipherError,
  type Envelope,
  credentialAad,
  generateKeyRingText,
  parseKeyRing,
  tokenAad,
} from './credential-cipher';

const key = () => randomBytes(32).toString('base64');
const CANARY = 'CANARY-appsecret-7f3a9c1e5b2d4f60a8e1c3b5d7f90123';

function flipped(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] ^= 0x01;
  return copy;
}

describe('parseKeyRing', () => {
  it('takes the last listed version as active and keeps every key', () => {
    const ring = parseKeyRing(`v1:${key()}, v2:${key()}`);
    expect(ring.activeVersion).toBe('v2');
    expect([...ring.keys.keys()]).toEqual(['v1', 'v2']);
    expect(parseKeyRing(generateKeyRingText('v7')).activeVersion).toBe('v7');
  });

  it('names the problem without echoing key material', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    const cases: [string, RegExp][] = [
      ['', /empty/],
      [' , ', /empty/],
      [key(), /entry 1 has no "<version>:" prefix/],
      [`x1:${key()}`, /entry 1: version must look like v1/],
      [`v1:${key()},v1:${key()}`, /entry 2: version v1 is listed twice/],
      [`v1:${short}`, /entry 1 \(v1\): key must be 32 bytes, got 16/],
      [`v1:${key().slice(0, -1)}!`, /not canonical base64/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseKeyRing(text);
      } catch (err) {
        error = err;
      }
      expect(error, text).toBeInstanceOf(CredentialCipherError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(short);
    }
  });
});

describe('CredentialCipher', () => {
  const cipher = new CredentialCipher(parseKeyRing(`v1:${key()}`));
  const aad = credentialAad(1, 'wechat_app');

  it('round-trips with a 12-byte IV and a 16-byte tag', () => {
    const envelope = cipher.encrypt('密钥 secret ✓', aad);
    expect(envelope.keyVersion).toBe('v1');
    expect(envelope.iv).toHaveLength(12);
    expect(envelope.tag).toHaveLength(16);
    expect(cipher.decrypt(envelope, aad)).toBe('密钥 secret ✓');
    expect(cipher.decrypt(cipher.encrypt('', aad), aad)).toBe('');
  });

  it('fails on every single-byte flip of ciphertext, IV or tag', () => {
    const envelope = cipher.encrypt(CANARY, aad);
    let attempts = 0;
    for (const part of ['ciphertext', 'iv', 'tag'] as const) {
      for (let i = 0; i < envelope[part].length; i++) {
        const tampered: Envelope = { ...envelope, [part]: flipped(envelope[part], i) };
        expect(() => cipher.decrypt(tampered, aad)).toThrow(CredentialCipherError);
        attempts++;
      }
    }
    expect(attempts).toBe(CANARY.length + 12 + 16);
  });

  it('fails when an envelope is moved to another row (AAD)', () => {
    const a = cipher.encrypt('secret-of-row-1', credentialAad(1, 'wechat_app'));
    const b = cipher.encrypt('secret-of-row-2', credentialAad(2, 'wechat_app'));
    expect(() => cipher.decrypt(a, credentialAad(2, 'wechat_app'))).toThrow(/AAD/);
    expect(() => cipher.decrypt(b, credentialAad(1, 'wechat_app'))).toThrow(/AAD/);
    expect(() => cipher.decrypt(a, credentialAad(1, 'weibo_token'))).toThrow(/AAD/);
    expect(() => cipher.decrypt(a, tokenAad('wx1'))).toThrow(/AAD/);
  });

  it('rejects a truncated tag explicitly, even one that prefixes the real tag', () => {
    const envelope = cipher.encrypt(CANARY, aad);
    for (const length of [0, 4, 8, 12, 15]) {
      expect(() =>
        cipher.decrypt({ ...envelope, tag: envelope.tag.subarray(0, length) }, aad),
      ).toThrow(`authentication tag must be 16 bytes, got ${length}`);
    }
    expect(() => cipher.decrypt({ ...envelope, iv: envelope.iv.subarray(0, 8) }, aad)).toThrow(
      /IV must be 12 bytes/,
    );
  });

  it('says which key version is missing', () => {
    const other = new CredentialCipher(parseKeyRing(`v9:${key()}`));
    expect(() => other.decrypt(cipher.encrypt('x', aad), aad)).toThrow(
      /key version v1 is not in the key ring \(have v9\)/,
    );
  });

  it('decrypts older versions after rotation and encrypts with the newest', () => {
    const v1 = key();
    const old = new CredentialCipher(parseKeyRing(`v1:${v1}`));
    const envelope = old.encrypt(CANARY, aad);
    const rotated = new CredentialCipher(parseKeyRing(`v1:${v1},v2:${key()}`));
    expect(rotated.decrypt(envelope, aad)).toBe(CANARY);
    const fresh = rotated.encrypt(CANARY, aad);
    expect(fresh.keyVersion).toBe('v2');
    expect(() => old.decrypt(fresh, aad)).toThrow(/v2 is not in the key ring/);
  });

  it('never lets the canary appear in the envelope bytes', () => {
    for (let i = 0; i < 200; i++) {
      const envelope = cipher.encrypt(CANARY, aad);
      const bytes = Buffer.concat([
        Buffer.from(envelope.keyVersion),
        envelope.iv,
        envelope.ciphertext,
        envelope.tag,
      ]);
      expect(bytes.includes(CANARY)).toBe(false);
      expect(bytes.toString('base64')).not.toContain(CANARY);
      expect(bytes.toString('hex')).not.toContain(Buffer.from(CANARY).toString('hex'));
      // No 8-byte run of the plaintext survives.
      for (let j = 0; j + 8 <= CANARY.length; j += 8) {
        expect(bytes.includes(CANARY.slice(j, j + 8))).toBe(false);
      }
    }
  });

  it('draws no repeated IV in 10^6 encryptions', () => {
    const started = performance.now();
    const seen = new Set<string>();
    const count = 1_000_000;
    for (let i = 0; i < count; i++) {
      seen.add(cipher.encrypt('x', aad).iv.toString('base64'));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`10^6 encryptions in ${seconds.toFixed(1)} s`);
    expect(seen.size).toBe(count);
  }, 120_000);
});
