import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/database/free-port';
import { buildImportRow, toCsv } from '../support/builders';

const MAIN = path.resolve('dist/src/main.js');

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startMain(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitReady(port: number, running: Running, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) throw new Error(`exited early:\n${running.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready in time:\n${running.output()}`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// `npm test` builds first (pretest), so dist/ is the code under test.
describe('the built service (npm start)', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let port: number;
  let pgPort: number;

  beforeAll(async () => {
    expect(existsSync(MAIN), `${MAIN} is missing: run npm run build`).toBe(true);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'gmm-main-'));
    port = await freePort();
    pgPort = await freePort();
    // No platform URL: demo mode, with a small simulated population.
    env = {
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      HOST: '127.0.0.1',
      SIMULATOR_SIZE: '300',
      SIMULATOR_LATENCY_MS: '0',
    };
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('first start: embedded PostgreSQL, migrations, one admin key printed and saved 0600; SIGTERM drains and exits 0', async () => {
    const running = startMain(env);
    try {
      await waitReady(port, running);
    } catch (err) {
      running.child.kill('SIGKILL');
      throw err;
    }
    const keyFile = path.join(dataDir, 'admin-api-key.txt');
    const key = (await readFile(keyFile, 'utf8')).trim();
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(running.output()).toContain(key);
    expect(running.output().split(key)).toHaveLength(2);

    // Demo mode: the simulator's population is registered and labelled as simulated.
    expect(running.output()).toContain('DEMO MODE');
    const demo = await fetch(
      `http://127.0.0.1:${port}/api/v1/accounts?dataSource=simulated&limit=500`,
      {
        headers: { 'x-api-key': key },
      },
    );
    const demoPage = (await demo.json()) as {
      items: { tags: string[]; organization: { name: string } }[];
    };
    expect(demoPage.items).toHaveLength(300);
    expect(
      demoPage.items.every(
        (a) => a.tags.includes('simulated') && a.organization.name.endsWith('（模拟）'),
      ),
    ).toBe(true);

    // A long import is in flight when SIGTERM arrives: it must complete, then the process exits 0.
    const csv = toCsv(Array.from({ length: 10_000 }, (_, i) => buildImportRow(i)));
    const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/accounts/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'x-api-key': key },
      body: csv,
    });
    await new Promise((r) => setTimeout(r, 150));
    running.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { created: number }).created).toBe(10_000);
    expect(await running.exited).toBe(0);
    expect(await portOpen(pgPort)).toBe(false);
    expect(running.output()).toContain('shutting down');
    // The key was printed once at first start and never again, though every request carried it.
    expect(running.output().split(key)).toHaveLength(2);
    expect(running.output()).toContain('"url":"/api/v1/accounts/import"');
  });

  it('second start reuses the data directory: no new key, data kept', async () => {
    const running = startMain(env);
    try {
      await waitReady(port, running);
      const key = (await readFile(path.join(dataDir, 'admin-api-key.txt'), 'utf8')).trim();
      expect(running.output()).not.toContain('First start');
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/accounts?limit=1`, {
        headers: { 'x-api-key': key },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(1);
    } finally {
      running.child.kill('SIGTERM');
    }
    expect(await running.exited).toBe(0);
  });

  it('a bad environment value stops boot and names the variable', async () => {
    const running = startMain({ ...env, APP_ROLE: 'scheduler', PORT: 'x' });
    expect(await running.exited).toBe(1);
    expect(running.output()).toContain('APP_ROLE');
    expect(running.output()).toContain('PORT');
    expect(running.output()).toContain('README');
  });
});
