import { describe, expect, it } from 'vitest';
import {
  parseRetryAfter,
  secondsUntilNextBusinessMidnight,
  secondsUntilNextHour,
} from './platform-failure';
import { redactSecrets, redactUrl } from './redact';

describe('redactSecrets', () => {
  it('replaces every occurrence, raw and URL-encoded, longest first', () => {
    expect(redactSecrets('a=s3cr/t&b=s3cr%2Ft s3cr/t', ['s3cr/t'])).toBe(
      'a=[redacted]&b=[redacted] [redacted]',
    );
    expect(redactSecrets('abcdef', ['abc', 'abcdef'])).toBe('[redacted]');
    expect(redactSecrets('nothing here', ['', 'zzz'])).toBe('nothing here');
  });
});

describe('redactUrl', () => {
  it('removes sensitive query values by name (any case) and other secrets by value', () => {
    expect(redactUrl('/t?grant_type=client_credential&AppID=wx1&secret=s&x=KEY', ['KEY'])).toBe(
      '/t?grant_type=client_credential&AppID=[redacted]&secret=[redacted]&x=[redacted]',
    );
    expect(redactUrl('/p/KEY', ['KEY'])).toBe('/p/[redacted]');
  });
});

describe('wait helpers', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  it.each([
    ['20', 20],
    [' 0 ', 0],
    ['Tue, 10 Mar 2026 12:00:30 GMT', 30],
    ['Tue, 10 Mar 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('Retry-After %j → %s', (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });

  it('counts to Shanghai midnight and to the next hour', () => {
    expect(secondsUntilNextBusinessMidnight(new Date('2026-03-10T16:00:01Z'))).toBe(86_399);
    expect(secondsUntilNextHour(new Date('2026-03-10T12:59:00Z'))).toBe(60);
  });
});
