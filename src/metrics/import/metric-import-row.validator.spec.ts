import { describe, expect, it } from 'vitest';
import { METRIC_IMPORT_ALIASES } from './metric-import-columns';
import { planDailyRows, planPostRows } from './metric-import-plan';
import {
  WAN_PLUS_READS,
  validateDailyRecord,
  validateMetricRecords,
  validatePostRecord,
} from './metric-import-row.validator';
import { parseImportFile } from '../../accounts/import/import-parser';

const TODAY = '2026-11-21';
const daily = (values: Record<string, unknown>, row = 2) =>
  validateDailyRecord({ row, values }, TODAY);
const post = (values: Record<string, unknown>, row = 2) =>
  validatePostRecord({ row, values }, TODAY);
const columns = (errors: { column: string }[]) => errors.map((e) => e.column);

describe('daily metric rows', () => {
  it('reads Chinese headers with a BOM; empty cells are null, never 0', () => {
    const csv = '\uFEFF账号ID,日期,粉丝数,新增关注,阅读数,在看\r\n7,2026-11-20,1200,,10万+,0\r\n';
    const [record] = parseImportFile(csv, 'csv', METRIC_IMPORT_ALIASES.daily);
    const { row, errors } = validateDailyRecord(record, TODAY);
    expect(errors).toEqual([]);
    expect(row).toMatchObject({
      row: 2,
      ref: { accountId: 7, wechatAppId: null },
      day: '2026-11-20',
      counters: {
        followers: 1200,
        newFollowers: null,
        reads: WAN_PLUS_READS,
        zaikan: 0,
        likes: null,
      },
    });
  });

  it('takes JSON numbers and strings alike', () => {
    const { row } = daily({ weiboUid: 1234567890, day: '2026-11-20', reads: 5, shares: '6' });
    expect(row?.ref.weiboUid).toBe('1234567890');
    expect(row?.counters).toMatchObject({ reads: 5, shares: 6 });
  });

  it('reports every problem of a row with its column', () => {
    const { row, errors } = daily({
      day: '2026-11-31',
      reads: '-3',
      likes: 1.5,
      shares: '10万+',
      wechatAppId: 'wx123',
      colour: 'red',
    });
    expect(row).toBeUndefined();
    expect(columns(errors).sort()).toEqual([
      'colour',
      'day',
      'likes',
      'reads',
      'shares',
      'wechatAppId',
    ]);
    expect(errors.find((e) => e.column === 'shares')?.message).toContain(
      'not a non-negative whole',
    );
  });

  it('needs an account reference and a day that is not in the future', () => {
    expect(columns(daily({ day: '2026-11-20' }).errors)).toEqual(['accountId']);
    expect(daily({ accountId: 1, day: '2026-11-22' }).errors[0].message).toContain('future');
    expect(daily({ accountId: 1, day: '2001-01-01' }).errors[0].message).toContain('before 2009');
    expect(daily({ accountId: 1 }).errors[0]).toEqual({
      row: 2,
      column: 'day',
      message: 'is required',
    });
  });

  it('reports a ragged CSV line as an error of its row', () => {
    const { errors } = validateMetricRecords(
      'daily',
      [{ row: 4, values: { __invalid: 'has 2 cells' } }],
      TODAY,
    );
    expect(errors).toEqual([{ row: 4, column: '*', message: 'has 2 cells' }]);
  });
});

describe('post metric rows', () => {
  const base = {
    wechatOriginalId: 'gh_0123456789ab',
    platformPostId: '2247483650_1',
    publishedAt: '2026-11-20 07:30',
    observedDay: '2026-11-21',
  };

  it('reads Beijing time when no offset is given, and derives the publication day', () => {
    const { row, errors } = post({
      ...base,
      publishedAt: '2026-11-20 07:30',
      position: '头条',
      isRepost: '原创',
    });
    expect(errors).toEqual([]);
    expect(row?.publishedAt.toISOString()).toBe('2026-11-19T23:30:00.000Z');
    expect(row?.publishedOn).toBe('2026-11-20');
    expect(row).toMatchObject({ position: 1, isRepost: false });
    expect(post({ ...base, publishedAt: '2026-11-19T23:30:00Z' }).row?.publishedOn).toBe(
      '2026-11-20',
    );
  });

  it('refuses an observation before publication and bad post fields', () => {
    const { errors } = post({
      ...base,
      observedDay: '2026-11-19',
      position: '0',
      isRepost: 'maybe',
      url: 'javascript:alert(1)',
      reads: 'lots',
    });
    expect(columns(errors).sort()).toEqual(['isRepost', 'observedDay', 'position', 'reads', 'url']);
    expect(columns(post({ ...base, publishedAt: '20/11/2026' }).errors)).toEqual(['publishedAt']);
    expect(columns(post({ ...base, platformPostId: '' }).errors)).toEqual(['platformPostId']);
  });
});

describe('planning', () => {
  it('makes a repeated account and day a row error', () => {
    const rows = [2, 3, 4].map(
      (r) => daily({ accountId: 1, day: r === 4 ? '2026-11-19' : '2026-11-20' }, r).row!,
    );
    const planned = planDailyRows(rows, [5, 5, 5], 'manual');
    expect(planned.daily.map((d) => [d.accountId, d.day, d.source])).toEqual([
      [5, '2026-11-20', 'manual'],
      [5, '2026-11-19', 'manual'],
    ]);
    expect(planned.errors).toEqual([
      { row: 3, column: 'day', message: 'account 5 on 2026-11-20 also appears in row 2' },
    ]);
  });

  it('writes a post once for several observations, and refuses disagreeing rows', () => {
    const p = {
      wechatAppId: 'wx0123456789abcdef',
      platformPostId: 'a',
      publishedAt: '2026-11-18 08:00',
    };
    const rows = [
      post({ ...p, observedDay: '2026-11-19', reads: '10' }, 2).row!,
      post({ ...p, observedDay: '2026-11-20', reads: '20', title: '标题' }, 3).row!,
      post({ ...p, observedDay: '2026-11-20', reads: '21' }, 4).row!,
      post({ ...p, observedDay: '2026-11-18', publishedAt: '2026-11-18 09:00' }, 5).row!,
      post({ ...p, observedDay: '2026-11-21', title: '另一个' }, 6).row!,
    ];
    const planned = planPostRows(rows, [9, 9, 9, 9, 9], 'vendor');
    expect(planned.posts).toHaveLength(1);
    expect(planned.posts[0]).toMatchObject({
      accountId: 9,
      platformPostId: 'a',
      title: '标题',
      source: 'vendor',
    });
    expect(planned.snapshots.map((s) => [s.observedDay, s.reads])).toEqual([
      ['2026-11-19', 10],
      ['2026-11-20', 20],
      ['2026-11-21', null],
    ]);
    expect(columns(planned.errors)).toEqual(['observedDay', 'publishedAt', 'title']);
    expect(planned.errors.map((e) => e.row)).toEqual([4, 5, 6]);
  });

  it('skips rows whose account did not resolve', () => {
    const row = daily({ accountId: 1, day: '2026-11-20' }).row!;
    expect(planDailyRows([row], [null], 'manual')).toEqual({ daily: [], errors: [] });
  });
});
