import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, startTestApp } from '../support/test-app';

describe('app smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is live and ready', async () => {
    expect((await t.request('GET', '/health/live', { key: null })).status).toBe(200);
    const ready = await t.request('GET', '/health/ready', { key: null });
    expect(ready.body).toEqual({ status: 'ok', database: 'up' });
  });
});
