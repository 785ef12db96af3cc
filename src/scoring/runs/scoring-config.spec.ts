import { describe, expect, it } from 'vitest';
import { ConfigValidationError, loadConfig } from '../../config/app-config';

describe('scoring configuration (SCORING_*)', () => {
  it('defaults: wci-v14.2, Monday weeks, 10:00, every 10 minutes, on where collection schedules run', () => {
    expect(loadConfig({}).scoring).toEqual({
      wciVersion: 'wci-v14.2',
      weekStart: 'monday',
      schedule: true,
      dailyAt: '10:00',
      changesEveryMinutes: 10,
    });
    expect(loadConfig({ COLLECTION_ENABLED: 'false' }).scoring.schedule).toBe(false);
    expect(loadConfig({ COLLECTION_SCHEDULES: 'false' }).scoring.schedule).toBe(false);
  });

  it('SCORING_SCHEDULE overrides; the others are validated', () => {
    expect(
      loadConfig({ COLLECTION_ENABLED: 'false', SCORING_SCHEDULE: 'true' }).scoring.schedule,
    ).toBe(true);
    expect(loadConfig({ SCORING_SCHEDULE: 'false' }).scoring.schedule).toBe(false);
    const config = loadConfig({
      SCORING_WCI_VERSION: 'wci-v13',
      SCORING_WEEK_START: 'sunday',
      SCORING_DAILY_AT: '11:30',
      SCORING_CHANGES_EVERY_MINUTES: '15',
    }).scoring;
    expect(config).toMatchObject({
      wciVersion: 'wci-v13',
      weekStart: 'sunday',
      dailyAt: '11:30',
      changesEveryMinutes: 15,
    });
    for (const env of [
      { SCORING_WCI_VERSION: 'wci-v99' },
      { SCORING_WEEK_START: 'friday' },
      { SCORING_DAILY_AT: '25:00' },
      { SCORING_CHANGES_EVERY_MINUTES: '7' },
      { SCORING_SCHEDULE: 'yes' },
    ]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigValidationError);
    }
  });
});
