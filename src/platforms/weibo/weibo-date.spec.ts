import { describe, expect, it } from 'vitest';
import { parseWeiboDate } from './weibo-date';

describe('parseWeiboDate', () => {
  it.each([
    ['Tue May 31 17:46:55 +0800 2011', '2011-05-31T09:46:55.000Z'],
    ['Sat Jan 01 00:00:00 +0800 2022', '2021-12-31T16:00:00.000Z'],
    ['Mon Mar 09 23:59:59 -0530 2026', '2026-03-10T05:29:59.000Z'],
    ['Thu Feb 29 12:00:00 +0000 2024', '2024-02-29T12:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseWeiboDate(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '',
    '2011-05-31 17:46:55',
    'Tue Foo 31 17:46:55 +0800 2011',
    'Xyz May 31 17:46:55 +0800 2011',
    'Tue Feb 30 17:46:55 +0800 2011',
    'Tue May 31 24:46:55 +0800 2011',
    'Tue May 31 17:46:55 0800 2011',
  ])('rejects %j', (text) => {
    expect(parseWeiboDate(text)).toBeNull();
  });
});
