import { describe, expect, it } from 'vitest';
import { parseReadCount, TEN_WAN_PLUS } from './read-count';

describe('parseReadCount', () => {
  it('keeps exact counts, as numbers or numeric strings', () => {
    expect(parseReadCount(0)).toBe(0);
    expect(parseReadCount(99999)).toBe(99999);
    expect(parseReadCount(250000)).toBe(250000);
    expect(parseReadCount('12345')).toBe(12345);
    expect(parseReadCount(' 42 ')).toBe(42);
  });

  it('counts every capped display as 100001', () => {
    expect(TEN_WAN_PLUS).toBe(100001);
    for (const shown of ['10万+', '100000+', '10w+', '10W+', ' 10万+ ']) {
      expect(parseReadCount(shown)).toBe(TEN_WAN_PLUS);
    }
  });

  it('returns null for anything else, never 0', () => {
    for (const value of [
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '',
      '  ',
      '-3',
      '1.2万',
      '10万',
      '9万+',
      '1e5',
      '12,345',
      '99999999999999999999',
      null,
      undefined,
      true,
      {},
    ]) {
      expect(parseReadCount(value)).toBeNull();
    }
  });
});
