import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openTestDataSource } from '../../../test/support/database';
import { insertScoreRun } from '../../../test/support/score-fixtures';
import { businessDate } from '../../common/business-date';
import { addDays } from '../../common/calendar-date';
import { periodOf } from '../periods';
import { findScoreRun } from './score-run.reader';
import type { ScoreBoardKey } from './score-period';

const KEY: ScoreBoardKey = {
  platform: 'wechat',
  periodType: 'week',
  formulaVersion: 'wci-v14.2',
  weekStart: 'monday',
};

describe('findScoreRun without a period: the latest closed period first (PostgreSQL)', () => {
  let db: DataSource;
  const today = businessDate();
  // This week is open; the week 3 weeks back ended > 7 days ago (its T+7 counters are in).
  const open = periodOf('week', today);
  const closed = periodOf('week', addDays(today, -21));
  const older = periodOf('week', addDays(today, -28));

  beforeAll(async () => {
    db = await openTestDataSource(await createTestDatabase());
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('serves the only period there is, even while it is open', async () => {
    const openRun = await insertScoreRun(db, { platform: 'wechat', period: open });
    expect((await findScoreRun(db, KEY, null))?.id).toBe(openRun);
  });

  it('prefers the latest closed period to a newer open one, and keeps explicit periods', async () => {
    await insertScoreRun(db, { platform: 'wechat', period: older });
    const closedRun = await insertScoreRun(db, { platform: 'wechat', period: closed });
    const latest = await findScoreRun(db, KEY, null);
    expect(latest?.id).toBe(closedRun);
    expect(latest?.period.key).toBe(closed.key);
    expect((await findScoreRun(db, KEY, open))?.period.key).toBe(open.key);
  });
});
