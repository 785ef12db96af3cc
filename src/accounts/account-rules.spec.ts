import { describe, expect, it } from 'vitest';
import { accountIdentityErrors, normalizeTags } from './account-rules';
import { isCalendarDate } from '../common/calendar-date';
import { resolveSector } from './account-taxonomy';

describe('accountIdentityErrors', () => {
  it('accepts WeChat with either id, Weibo with a uid', () => {
    expect(
      accountIdentityErrors({ platform: 'wechat', wechatOriginalId: 'gh_1a2b3c4d5e6f' }),
    ).toEqual([]);
    expect(
      accountIdentityErrors({ platform: 'wechat', wechatAppId: 'wx1234567890abcdef' }),
    ).toEqual([]);
    expect(accountIdentityErrors({ platform: 'weibo', weiboUid: '1234567890' })).toEqual([]);
  });

  it('names the field for each mismatch', () => {
    expect(accountIdentityErrors({ platform: 'wechat' }).map((e) => e.field)).toEqual([
      'wechatOriginalId',
    ]);
    expect(
      accountIdentityErrors({
        platform: 'wechat',
        wechatAppId: 'wx1234567890abcdef',
        weiboUid: '12345',
      }).map((e) => e.field),
    ).toEqual(['weiboUid']);
    expect(
      accountIdentityErrors({
        platform: 'weibo',
        wechatOriginalId: 'gh_1a2b3c4d5e6f',
        wechatType: 'service',
      }).map((e) => e.field),
    ).toEqual(['weiboUid', 'wechatOriginalId', 'wechatType']);
  });
});

describe('isCalendarDate', () => {
  it('accepts real days only', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
  });
});

describe('taxonomy helpers', () => {
  it('normalises tags', () => {
    expect(normalizeTags([' a ', 'b', 'a', ''])).toEqual(['a', 'b']);
  });

  it('resolves sector codes, the seed labels and aliases', () => {
    expect(resolveSector('公安')).toBe('public_security');
    expect(resolveSector('党委/政府办')).toBe('party_government_office');
    expect(resolveSector('食品药品安全')).toBe('food_drug');
    expect(resolveSector('taxation')).toBe('taxation');
    expect(resolveSector('外星')).toBeUndefined();
    for (const label of [
      '公安',
      '医疗卫生',
      '交通',
      '党委/政府办',
      '旅游',
      '文化广电',
      '教育',
      '公积金',
      '食品药品',
      '税务',
      '共青团',
      '人社',
      '其他',
    ]) {
      expect(resolveSector(label), label).toBeDefined();
    }
  });
});
