import { describe, expect, it } from 'vitest';
import { compareRankKeys, rankChange, rankEntries, type RankKey } from './ranking';

const entry = (
  id: number,
  score: number,
  totalReads = 1000,
  maxReads = 100,
  posts = 10,
): RankKey => ({
  id,
  score,
  totalReads,
  maxReads,
  posts,
});
const ranks = (entries: RankKey[]) => rankEntries(entries, (e) => e).map((e) => [e.id, e.rank]);

describe('rankEntries', () => {
  it('ranks by score descending', () => {
    expect(ranks([entry(1, 10), entry(2, 30), entry(3, 20)])).toEqual([
      [2, 1],
      [3, 2],
      [1, 3],
    ]);
  });

  it('breaks score ties by total reads, then max reads, then posts', () => {
    expect(
      ranks([
        entry(1, 50, 1000, 100, 10),
        entry(2, 50, 2000, 100, 10),
        entry(3, 50, 1000, 200, 10),
        entry(4, 50, 1000, 200, 12),
      ]),
    ).toEqual([
      [2, 1],
      [4, 2],
      [3, 3],
      [1, 4],
    ]);
  });

  it('entries tied on everything share a rank and the next rank skips (1224)', () => {
    expect(ranks([entry(9, 40), entry(3, 50), entry(7, 50), entry(5, 50), entry(1, 10)])).toEqual([
      [3, 1],
      [5, 1],
      [7, 1],
      [9, 4],
      [1, 5],
    ]);
    expect(ranks([entry(1, 90), entry(4, 80), entry(2, 80), entry(3, 70)])).toEqual([
      [1, 1],
      [2, 2],
      [4, 2],
      [3, 4],
    ]);
  });

  it('orders string ids ascending among ties and keeps the entries own fields', () => {
    const rows = [
      { account: 'b', name: 'B', wci: 5 },
      { account: 'a', name: 'A', wci: 5 },
    ];
    const ranked = rankEntries(rows, (r) => ({
      id: r.account,
      score: r.wci,
      totalReads: 0,
      maxReads: 0,
      posts: 1,
    }));
    expect(ranked).toEqual([
      { account: 'a', name: 'A', wci: 5, rank: 1 },
      { account: 'b', name: 'B', wci: 5, rank: 1 },
    ]);
    expect(rows[0]).not.toHaveProperty('rank');
  });

  it('handles empty input and rejects non-finite keys', () => {
    expect(rankEntries([], (e: RankKey) => e)).toEqual([]);
    expect(() => ranks([entry(1, Number.NaN)])).toThrow(RangeError);
  });

  it('compareRankKeys ignores the id', () => {
    expect(compareRankKeys(entry(1, 5), entry(2, 5))).toBe(0);
  });
});

describe('rankChange', () => {
  it('is positive when moving up, negative when down, null when new', () => {
    expect(rankChange(3, 7)).toBe(4);
    expect(rankChange(7, 3)).toBe(-4);
    expect(rankChange(5, 5)).toBe(0);
    expect(rankChange(1, null)).toBeNull();
  });
});
