import { describe, expect, it } from 'vitest';
import type { FieldError } from '../common/domain.exception';
import { parseThresholdRule, thresholdRuleName } from './maturity-request';

describe('parseThresholdRule', () => {
  it('reads median (default), mean and fixed x,y thresholds', () => {
    const errors: FieldError[] = [];
    expect(parseThresholdRule(undefined, errors)).toBe('median');
    expect(parseThresholdRule('mean', errors)).toBe('mean');
    expect(parseThresholdRule('1000, 2.5', errors)).toEqual({ x: 1000, y: 2.5 });
    expect(errors).toEqual([]);
    expect(thresholdRuleName({ x: 1, y: 2 })).toBe('fixed');
  });

  it('explains anything else', () => {
    const errors: FieldError[] = [];
    expect(parseThresholdRule('average', errors)).toBe('median');
    expect(parseThresholdRule('1000', errors)).toBe('median');
    expect(parseThresholdRule('-1,2', errors)).toBe('median');
    expect(errors.map((e) => e.field)).toEqual(['threshold', 'threshold', 'threshold']);
    expect(errors[0].message).toMatch(/median, mean or "<accounts>,<activity>"/);
  });
});
