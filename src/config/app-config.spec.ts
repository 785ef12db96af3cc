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

  it('rejects an ADMIN_API_KEY that is not a gmm key without echoing a valid one', () => {
    expect(() => loadConfig({ ADMIN_API_KEY: 'secret' })).toThrow(/ADMIN_API_KEY/);
  });
});
