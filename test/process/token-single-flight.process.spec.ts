import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../../src/audit/audit.service';
import {
  CredentialCipher,
  generateKeyRingText,
  parseKeyRing,
} from '../../src/credentials/credential-cipher';
import { TEST_ACTOR, seedAccount, testPrincipal } from '../../src/credentials/credentials-testing';
import { CredentialsService } from '../../src/credentials/credentials.service';
import { findAccount, startTestSim, type TestSim } from '../../src/simulator/sim-test-kit';
import { createTestDatabase, openTestDataSource } from '../support/database';

const run = promisify(execFile);
const WORKER = path.resolve('dist/test/support/token-race.worker.js');

describe('WeChat token single flight across processes (R8)', () => {
  let t: TestSim;
  let databaseUrl: string;
  const keyRing = generateKeyRingText();

  beforeAll(async () => {
    expect(existsSync(WORKER), `${WORKER} is missing: run npm run build`).toBe(true);
    t = await startTestSim({ latencyMs: 20 });
    databaseUrl = await createTestDatabase();
  });
  afterAll(async () => {
    await t.sim.close();
  });

  it('50 concurrent callers in 3 processes make exactly 1 stable_token call', async () => {
    const simAccount = findAccount(t.sim, (a) => a.platform === 'wechat');
    const dataSource = await openTestDataSource(databaseUrl);
    try {
      const { id } = await seedAccount(dataSource, 'wechat', {
        wechatAppId: simAccount.wechatAppId!,
      });
      const credentials = new CredentialsService(
        dataSource,
        new CredentialCipher(parseKeyRing(keyRing)),
        new AuditService(),
      );
      await credentials.put(
        id,
        { appId: simAccount.wechatAppId!, appSecret: simAccount.appSecret! },
        testPrincipal(),
        TEST_ACTOR,
      );
    } finally {
      await dataSource.destroy();
    }
    t.sim.callLog.clear();

    const outputs = await Promise.all(
      [17, 17, 16].map((count) =>
        run(process.execPath, [
          WORKER,
          databaseUrl,
          t.sim.url,
          simAccount.wechatAppId!,
          keyRing,
          String(count),
        ]),
      ),
    );
    const result = (stdout: string) => JSON.parse(/^RESULT (.*)$/m.exec(stdout)![1]) as string[];
    const tokens = new Set(outputs.flatMap((o) => result(o.stdout)));
    expect(tokens.size).toBe(1);
    const fetches = t.sim.callLog.query({ path: '/cgi-bin/stable_token' });
    expect(fetches).toHaveLength(1);
    const [only] = [...tokens];
    expect(JSON.stringify(t.sim.callLog.query())).not.toContain(only);
  });
});
