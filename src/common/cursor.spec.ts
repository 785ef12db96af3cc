import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';
import { ValidationFailedException } from './domain.exception';
import { businessDate } from './business-date';
import { likeContains } from './sql-builder';

describe('cursor', () => {
  it('round-trips sort value and id', () => {
    for (const position of [
      { value: '四川公安', id: 7 },
      { value: 12, id: 12 },
      { value: '2026-11-22 08:00:00.123456+00', id: 3 },
    ]) {
      expect(decodeCursor(encodeCursor(position))).toEqual(position);
    }
  });

  it('rejects cursors it did not issue', () => {
    for (const bad of [
      '',
      'not-base64!',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('["x", 1.5]').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(ValidationFailedException);
    }
  });
});

describe('businessDate', () => {
  it('uses the Asia/Shanghai calendar day', () => {
    expect(businessDate(new Date('2026-11-21T15:59:59Z'))).toBe('2026-11-21');
    expect(businessDate(new Date('2026-11-21T16:00:00Z'))).toBe('2026-11-22');
    expect(businessDate(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
  });
});

describe('likeContains', () => {
  it('escapes LIKE wildcards', () => {
    expect(likeContains('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
