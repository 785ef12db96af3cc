import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../common/cursor';
import { ValidationFailedException } from '../../common/domain.exception';
import type { LeaderboardQuery } from './leaderboard.dto';
import { resolveLeaderboardRequest } from './leaderboard-request';

const TODAY = '2026-12-02';
const DEFAULTS = { wciVersion: 'wci-v14.2', weekStart: 'monday' } as const;

const query = (q: Partial<LeaderboardQuery>): LeaderboardQuery => ({
  platform: 'wechat',
  period: 'week',
  ...q,
});

function fields(q: Partial<LeaderboardQuery>, format: 'json' | 'csv' = 'json'): string[] {
  try {
    resolveLeaderboardRequest(query(q), format, TODAY, DEFAULTS);
  } catch (err) {
    if (err instanceof ValidationFailedException) {
      return (err.details as { errors: { field: string; message: string }[] }).errors.map(
        (e) => `${e.field}: ${e.message}`,
      );
    }
    throw err;
  }
  return [];
}

describe('resolveLeaderboardRequest', () => {
  it('ranks by the platform index by default, 50 rows a JSON page', () => {
    const wechat = resolveLeaderboardRequest(query({}), 'json', TODAY, DEFAULTS);
    expect(wechat).toMatchObject({ metric: 'wci', limit: 50, cursor: null, period: null });
    const weibo = resolveLeaderboardRequest(query({ platform: 'weibo' }), 'json', TODAY, DEFAULTS);
    expect(weibo.metric).toBe('bci');
  });

  it('refuses wci on weibo, bci on wechat and accountType on weibo, all at once', () => {
    expect(fields({ platform: 'weibo', metric: 'wci', accountType: 'service' })).toEqual([
      'metric: wci is the WeChat index; a weibo board ranks by bci, activity, followers or reads',
      'accountType: accountType (订阅号/服务号) applies to WeChat accounts only',
    ]);
    expect(fields({ metric: 'bci' })).toEqual([
      'metric: bci is the Weibo index; a wechat board ranks by wci, activity, followers or reads',
    ]);
  });

  it('caps JSON pages at 500; a download takes the whole board by default', () => {
    expect(fields({ limit: 501 })).toEqual([
      'limit: limit must not be greater than 500 for a JSON page; a csv or xlsx download takes up to 50000',
    ]);
    expect(resolveLeaderboardRequest(query({}), 'csv', TODAY, DEFAULTS).limit).toBe(50_000);
    expect(resolveLeaderboardRequest(query({ limit: 2000 }), 'csv', TODAY, DEFAULTS).limit).toBe(
      2000,
    );
  });

  it('decodes its own cursors and refuses others', () => {
    const cursor = encodeCursor({ value: 12, id: 345 });
    expect(resolveLeaderboardRequest(query({ cursor }), 'json', TODAY, DEFAULTS).cursor).toEqual({
      rank: 12,
      id: 345,
    });
    const unranked = encodeCursor({ value: null, id: 9 });
    expect(
      resolveLeaderboardRequest(query({ cursor: unranked }), 'json', TODAY, DEFAULTS).cursor,
    ).toEqual({ rank: null, id: 9 });
    expect(fields({ cursor: encodeCursor({ value: 'x', id: 1 }) })[0]).toMatch(/^cursor: /);
    expect(fields({ cursor: 'garbage' })[0]).toMatch(/^cursor: /);
  });
});
