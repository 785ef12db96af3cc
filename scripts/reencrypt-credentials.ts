/**
 * Key rotation (npm run credentials:reencrypt): re-encrypts every stored credential and cached
 * token with the active key of CREDENTIALS_KEYS (the last one listed). Run it after appending a
 * new key; when it reports `remaining: 0`, the old key can be removed from CREDENTIALS_KEYS.
 * Uses DATABASE_URL, or the embedded database under DATA_DIR like npm start.
 */
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service';
import { ConfigValidationError, loadConfig } from '../src/config/app-config';
import { CredentialCipher } from '../src/credentials/credential-cipher';
import { loadKeyRing } from '../src/credentials/credentials-key-ring';
import { CredentialsService } from '../src/credentials/credentials.service';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { openDatabase } from '../src/database/open-database';

async function main(): Promise<number> {
  Logger.overrideLogger(['error', 'warn']);
  const config = loadConfig();
  const db = await openDatabase(config, (m) => console.error(m));
  const dataSource = await new DataSource(buildDataSourceOptions(db.url, 2)).initialize();
  try {
    const cipher = new CredentialCipher(await loadKeyRing(config));
    const result = await new CredentialsService(
      dataSource,
      cipher,
      new AuditService(),
    ).reencryptAll();
    console.log(JSON.stringify(result));
    return result.remaining === 0 ? 0 : 1;
  } finally {
    await dataSource.destroy();
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigValidationError ? err.message : err);
    process.exit(2);
  },
);
