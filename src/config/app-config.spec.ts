import { describe, expect, it } from 'vitest';
import { ConfigValidationError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig({});
    expect(config.role).toBe('all');
    expect(config.http.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('names every bad variable and its value', () => {
    const attempt = () =>
      loadConfig({ APP_ROLE: 'scheduler', PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    expect(attempt).toThrow(ConfigValidationError);
    try {
      attempt();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('APP_ROLE');
      expect(message).toContain('"scheduler"');
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect((err as ConfigValidationError).issues).toHaveLength(3);
    }
  });

  it('never echoes the value of a secret variable', () => {
    const canary = 'postgres://u:canary-password@h/db?x=';
    for (const [name, value] of [
      ['ADMIN_API_KEY', 'canary-secret'],
      ['CREDENTIALS_KEYS', 'v1:canary-secret'],
      ['DATABASE_URL', canary.replace('postgres', 'mysql')],
    ]) {
      let message = '';
      try {
        loadConfig({ [name]: value });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain(name);
      expect(message).not.toContain('canary');
    }
  });

  it('runs the simulator (demo) only when no platform base URL is configured', () => {
    expect(loadConfig({}).platforms).toMatchObject({ demo: true });
    const real = loadConfig({ WEIBO_API_BASE_URL: 'http://sim:4100/' }).platforms;
    expect(real).toMatchObject({
      demo: false,
      wechatBaseUrl: 'https://api.weixin.qq.com',
      weiboBaseUrl: 'http://sim:4100',
      weiboCommercialBaseUrl: 'http://sim:4100',
    });
    expect(() => loadConfig({ WECHAT_API_BASE_URL: 'ftp://x' })).toThrow(/WECHAT_API_BASE_URL/);
    expect(loadConfig({ WEIBO_COMMERCIAL_API_BASE_URL: 'https://c.example' }).platforms.demo).toBe(
      false,
    );
  });

  it('reads simulator faults as JSON and validates them', () => {
    const faults = loadConfig({
      SIMULATOR_FAULTS: '[{"scope":"global","kind":"rate_limit","count":2}]',
    }).simulator.faults;
    expect(faults).toEqual([
      expect.objectContaining({ scope: 'global', kind: 'rate_limit', count: 2 }),
    ]);
    expect(() => loadConfig({ SIMULATOR_FAULTS: '[{"kind":"meteor"}]' })).toThrow(
      /SIMULATOR_FAULTS/,
    );
    expect(() => loadConfig({ SIMULATOR_FAULTS: 'nope' })).toThrow(/JSON array/);
  });

  it('validates the credential key ring format', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ CREDENTIALS_KEYS: `v1:${key},v2:${key}` }).credentialsKeys).toBe(
      `v1:${key},v2:${key}`,
    );
    expect(() => loadConfig({ CREDENTIALS_KEYS: 'v1:short' })).toThrow(/CREDENTIALS_KEYS/);
    expect(() => loadConfig({ CREDENTIALS_KEYS: `v1:${key},v1:${key}` })).toThrow(
      /CREDENTIALS_KEYS/,
    );
    expect(() => loadConfig({ SIMULATOR_SIZE: '300001' })).toThrow(/SIMULATOR_SIZE/);
  });
});
