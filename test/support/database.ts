import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { buildDataSourceOptions } from '../../src/database/data-source-options';

const TEMPLATE_DATABASE = 'gmm_template';

/** A fresh copy of the migrated template database for one test file; returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const serverUrl = inject('pgServerUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function openTestDataSource(url: string): Promise<DataSource> {
  const dataSource = new DataSource(buildDataSourceOptions(url, 4));
  return dataSource.initialize();
}
