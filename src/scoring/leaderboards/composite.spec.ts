import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../common/domain.exception';
import { compositeScore, parsePlatformWeights, weightedPlatforms } from './composite';

describe('parsePlatformWeights', () => {
  const parse = (text: string | undefined) => {
    const errors: FieldError[] = [];
    return { weights: parsePlatformWeights(text, errors), errors: errors.map((e) => e.message) };
  };

  it('defaults to WeChat 50 / Weibo 50 and reads explicit weights', () => {
    expect(parse(undefined)).toEqual({ weights: { wechat: 50, weibo: 50 }, errors: [] });
    expect(parse('wechat:70, weibo:30')).toEqual({
      weights: { wechat: 70, weibo: 30 },
      errors: [],
    });
    expect(parse('weibo:1.5')).toEqual({ weights: { wechat: 0, weibo: 1.5 }, errors: [] });
  });

  it('refuses unknown platforms, repeats, bad numbers and an all-zero set', () => {
    expect(parse('douyin:10').errors).toEqual(['douyin is not a platform; use wechat, weibo']);
    expect(parse('wechat:1,wechat:2').errors).toEqual(['wechat is weighted twice']);
    expect(parse('wechat:-1').errors[0]).toMatch(/must look like wechat:50,weibo:50/);
    expect(parse('wechat:0,weibo:0').errors).toEqual(['at least one weight must be above 0']);
  });
});

describe('compositeScore', () => {
  it('weights the normalized scores and counts a missing platform as 0', () => {
    const w = { wechat: 50, weibo: 50 };
    expect(compositeScore({ wechat: 80, weibo: 40 }, w)).toBe(60);
    expect(compositeScore({ wechat: 80 }, w)).toBe(40);
    expect(compositeScore({ wechat: 80, weibo: 40 }, { wechat: 3, weibo: 1 })).toBe(70);
  });

  it('lists the weighted platforms, heaviest first', () => {
    expect(weightedPlatforms({ wechat: 50, weibo: 50 })).toEqual(['wechat', 'weibo']);
    expect(weightedPlatforms({ wechat: 10, weibo: 90 })).toEqual(['weibo', 'wechat']);
    expect(weightedPlatforms({ wechat: 0, weibo: 90 })).toEqual(['weibo']);
  });
});
