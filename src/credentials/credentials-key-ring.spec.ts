import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_KEY_RING_FILE, loadKeyRing } from './credentials-key-ring';

describe('loadKeyRing', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gmm-keys-'));
    dirs.push(dir);
    return path.join(dir, 'data');
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('uses CREDENTIALS_KEYS when set', async () => {
    const text = `v1:${randomBytes(32).toString('base64')},v3:${randomBytes(32).toString('base64')}`;
    const ring = await loadKeyRing({ credentialsKeys: text, dataDir: await tempDir() });
    expect(ring.activeVersion).toBe('v3');
  });

  it('otherwise creates one local key (mode 0600) and reuses it', async () => {
    const dataDir = await tempDir();
    const first = await loadKeyRing({ credentialsKeys: undefined, dataDir });
    const file = path.join(dataDir, LOCAL_KEY_RING_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^v1:[A-Za-z0-9+/]{43}=\n$/);
    const again = await loadKeyRing({ credentialsKeys: undefined, dataDir });
    expect(again.keys.get('v1')!.equals(first.keys.get('v1')!)).toBe(true);
  });
});
