/**
 * One "process" of the token single-flight test (test/process/token-single-flight.process.spec.ts):
 * its own pool and WechatTokenService, `count` concurrent getAccessToken calls against the
 * simulator. Prints the distinct tokens it received as JSON. Runs compiled, from dist/.
 */
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CredentialCipher, parseKeyRing } from '../../src/credentials/credential-cipher';
import { WechatTokenService } from '../../src/credentials/wechat-token.service';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { WechatClient } from '../../src/platforms/wechat/wechat.client';

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const [databaseUrl, simulatorUrl, appId, keyRing, count] = process.argv.slice(2);
  const dataSource = await new DataSource(buildDataSourceOptions(databaseUrl, 10)).initialize();
  try {
    const client = new WechatClient({
      baseUrl: simulatorUrl,
      timeoutMs: 5_000,
      maxBodyBytes: 1 << 20,
    });
    const service = new WechatTokenService(
      dataSource,
      new CredentialCipher(parseKeyRing(keyRing)),
      client,
    );
    const tokens = await Promise.all(
      Array.from({ length: Number(count) }, () => service.getAccessToken(appId)),
    );
    process.stdout.write(`\nRESULT ${JSON.stringify([...new Set(tokens)])}\n`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err));
  process.exit(1);
});
