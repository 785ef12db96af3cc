import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { generateApiKey } from '../../src/auth/api-key-format';
import { loadConfig } from '../../src/config/app-config';
import { createTestDatabase } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  adminKey: string;
  databaseUrl: string;
  /** fetch against the app over a real socket, with the admin key unless `key` is given. */
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  key?: string | null;
  json?: unknown;
  body?: string | Buffer | FormData;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** Boots the real application on its own database copy, listening on an ephemeral port. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = await createTestDatabase();
  const adminKey = generateApiKey().plaintext;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gmm-app-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    ADMIN_API_KEY: adminKey,
    // No demo simulator unless a test asks for it: port 9 (discard) refuses connections.
    COLLECTION_ENABLED: 'false',
    WECHAT_API_BASE_URL: 'http://127.0.0.1:9',
    WEIBO_API_BASE_URL: 'http://127.0.0.1:9',
    ...env,
  });
  const app = await createApp(config, databaseUrl);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    baseUrl,
    adminKey,
    databaseUrl,
    request: apiRequester(baseUrl, adminKey),
    close: () => app.close(),
  };
}

/** fetch against an app over a real socket, with `adminKey` unless a request gives `key`. */
export function apiRequester(baseUrl: string, adminKey: string): TestApp['request'] {
  return async (method, urlPath, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? adminKey : options.key;
    if (key !== null) headers['x-api-key'] = key;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${baseUrl}${urlPath}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
}
