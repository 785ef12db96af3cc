import { describe, expect, it } from 'vitest';
import { BCI_FORMULAS, computeBci, DEFAULT_BCI_VERSION } from './bci';

const VECTOR = { posts: 100, reposts: 5000, comments: 3000, likes: 20000 };

describe('computeBci', () => {
  it('reproduces the reference test vector of §2.1', () => {
    // (0.2·ln 101 + 0.8·(0.4·ln 5001 + 0.4·ln 3001 + 0.2·ln 20001)) × 160 = 1247.248…
    const result = computeBci(VECTOR);
    expect(result.value).toBeCloseTo(1247.248, 3);
    expect(result.version).toBe(DEFAULT_BCI_VERSION);
    expect(result.inputsUsed).toEqual(['posts', 'reposts', 'comments', 'likes']);
    expect(result.inputsMissing).toEqual([]);
  });

  it('is defined for 0 posts: 0 with no interactions, positive when older posts are shared', () => {
    expect(computeBci({ posts: 0, reposts: 0, comments: 0, likes: 0 }).value).toBe(0);
    const value = computeBci({ ...VECTOR, posts: 0 }).value ?? 0;
    expect(value).toBeCloseTo(1247.248 - 0.2 * Math.log(101) * 160, 3);
  });

  it('drops a missing interaction and re-normalises W2, never reading it as 0', () => {
    const result = computeBci({ ...VECTOR, likes: null });
    const w2 = 0.5 * Math.log(5001) + 0.5 * Math.log(3001);
    expect(result.value).toBeCloseTo((0.2 * Math.log(101) + 0.8 * w2) * 160, 9);
    expect(result.inputsMissing).toEqual(['likes']);
    expect(result.inputsUsed).toEqual(['posts', 'reposts', 'comments']);
    expect(result.value).not.toBeCloseTo(computeBci({ ...VECTOR, likes: 0 }).value ?? 0, 0);
  });

  it('is null when no interaction is known', () => {
    const result = computeBci({ posts: 10, reposts: null, comments: null, likes: null });
    expect(result.value).toBeNull();
    expect(result.reason).toBe('interactions_missing');
    expect(result.inputsMissing).toEqual(['reposts', 'comments', 'likes']);
  });

  it('has weights that sum to 1 and rejects impossible inputs', () => {
    const f = BCI_FORMULAS['bci-2021'];
    expect(f.activityWeight + f.spreadWeight).toBeCloseTo(1, 12);
    expect(f.spreadWeights.reposts + f.spreadWeights.comments + f.spreadWeights.likes).toBeCloseTo(
      1,
      12,
    );
    expect(() => computeBci({ ...VECTOR, posts: -1 })).toThrow(RangeError);
    expect(() => computeBci({ ...VECTOR, posts: 1.5 })).toThrow(RangeError);
    expect(() => computeBci({ ...VECTOR, likes: -1 })).toThrow(RangeError);
    expect(() => computeBci({ ...VECTOR, comments: Number.NaN })).toThrow(RangeError);
  });
});
