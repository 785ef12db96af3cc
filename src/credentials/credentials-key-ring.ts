import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FactoryProvider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { type KeyRing, generateKeyRingText, parseKeyRing } from './credential-cipher';

/** The parsed key ring (`KeyRing`) the credential cipher uses. */
export const CREDENTIALS_KEY_RING = Symbol('CREDENTIALS_KEY_RING');

export const LOCAL_KEY_RING_FILE = 'credentials-keys.txt';

/**
 * CREDENTIALS_KEYS when set; otherwise a key ring kept in <DATA_DIR>/credentials-keys.txt (mode
 * 0600), created on first start. The local file suits a single host only: replicas that share a
 * database must share CREDENTIALS_KEYS.
 */
export async function loadKeyRing(
  config: Pick<AppConfig, 'credentialsKeys' | 'dataDir'>,
): Promise<KeyRing> {
  if (config.credentialsKeys) return parseKeyRing(config.credentialsKeys);
  const file = path.join(config.dataDir, LOCAL_KEY_RING_FILE);
  try {
    return parseKeyRing(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(config.dataDir, { recursive: true });
  // 'wx' fails if another process created the file meanwhile; then read theirs.
  try {
    await writeFile(file, `${generateKeyRingText()}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return parseKeyRing(await readFile(file, 'utf8'));
}

export const credentialsKeyRingProvider: FactoryProvider<Promise<KeyRing>> = {
  provide: CREDENTIALS_KEY_RING,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => loadKeyRing(config),
};
