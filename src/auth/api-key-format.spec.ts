import { describe, expect, it } from 'vitest';
import { generateApiKey, hashSecret, parseApiKey, secretMatches } from './api-key-format';
import { roleSatisfies } from './roles';

describe('API key format', () => {
  it('generates keys that parse back and match their stored hash', () => {
    const key = generateApiKey();
    const parsed = parseApiKey(key.plaintext);
    expect(parsed?.keyId).toBe(key.keyId);
    expect(secretMatches(parsed!.secret, key.secretHash)).toBe(true);
    expect(key.secretHash.equals(hashSecret(parsed!.secret))).toBe(true);
    expect(key.secretHash.toString('utf8')).not.toContain(parsed!.secret);
  });

  it('rejects a wrong secret and malformed keys', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(secretMatches(parseApiKey(b.plaintext)!.secret, a.secretHash)).toBe(false);
    for (const bad of [
      '',
      'gmm_',
      'gmm_ABCDEFGH_' + 'x'.repeat(43),
      'xyz_abcdefgh_' + 'x'.repeat(43),
      a.plaintext + 'x',
    ]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });

  it('orders roles admin ⊇ analyst ⊇ viewer', () => {
    expect(roleSatisfies('admin', 'viewer')).toBe(true);
    expect(roleSatisfies('analyst', 'viewer')).toBe(true);
    expect(roleSatisfies('viewer', 'analyst')).toBe(false);
    expect(roleSatisfies('analyst', 'admin')).toBe(false);
  });
});
