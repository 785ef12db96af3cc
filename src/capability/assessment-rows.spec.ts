import { describe, expect, it } from 'vitest';
import { parseImportFile } from '../accounts/import/import-parser';
import {
  ASSESSMENT_ALIASES,
  indicatorResolver,
  validateAssessmentRecords,
} from './assessment-rows';
import type { IndicatorTree } from './indicator-tree';
import { SEED000_FIVE_CAPABILITIES } from './presets';

const NOW = new Date('2026-12-01T08:00:00Z');
const resolve = indicatorResolver(SEED000_FIVE_CAPABILITIES);
const parse = (csv: string) => parseImportFile(csv, 'csv', ASSESSMENT_ALIASES);

describe('indicatorResolver', () => {
  it('takes a leaf code or its unique Chinese name; refuses measured and unknown leaves', () => {
    expect(resolve('transaction')).toBe('transaction');
    expect(resolve('事务服务能力')).toBe('transaction');
    expect(resolve('微信影响力')).toEqual({ error: expect.stringContaining('is measured') });
    expect(resolve('nope')).toEqual({
      error: `"nope" is not a leaf indicator of the edition's tree`,
    });
  });

  it('asks for the code when a name is not unique', () => {
    const tree: IndicatorTree = {
      code: 't',
      name: '树',
      children: [
        {
          code: 'a',
          name: '甲',
          weight: 0.5,
          children: [{ code: 'a_edu', name: '教育', weight: 1, kind: 'assessed' }],
        },
        {
          code: 'b',
          name: '乙',
          weight: 0.5,
          children: [{ code: 'b_edu', name: '教育', weight: 1, kind: 'assessed' }],
        },
      ],
    };
    expect(indicatorResolver(tree)('教育')).toEqual({
      error: '"教育" names 2 indicators; use the code (a_edu, b_edu)',
    });
    expect(indicatorResolver(tree)('b_edu')).toBe('b_edu');
  });
});

describe('validateAssessmentRecords', () => {
  it('reads Chinese headers, a BOM and quoted evidence; a date is Beijing midnight', () => {
    const records = parse(
      '\uFEFF地区代码,地区,指标,得分,评估人,证据,证据链接,评估时间\r\n' +
        '110000,北京市,信息服务能力,85.5,张三,"首页, 菜单",https://example.org/a,2019-01-15\r\n' +
        '110000,北京市,provision,100,张三,,,2019-01-15 09:30:00+08:00\r\n',
    );
    const { rows, errors } = validateAssessmentRecords(records, resolve, NOW);
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      {
        row: 2,
        regionCode: '110000',
        indicatorCode: 'information',
        score: 85.5,
        assessor: '张三',
        evidence: '首页, 菜单',
        evidenceUrl: 'https://example.org/a',
        assessedAt: new Date('2019-01-14T16:00:00Z'),
      },
      {
        row: 3,
        regionCode: '110000',
        indicatorCode: 'provision',
        score: 100,
        assessor: '张三',
        evidence: null,
        evidenceUrl: null,
        assessedAt: new Date('2019-01-15T01:30:00Z'),
      },
    ]);
  });

  it('reports every problem of every row with its column', () => {
    const records = parse(
      [
        'regionCode,indicator,score,assessor,evidenceUrl,assessedAt,remark',
        '11000,information,101,,javascript:alert(1),2019-02-30,x',
        '110000,transaction,-1,李四,,,',
        '110000,transaction,60,李四,,2027-01-01,',
        '110000',
      ].join('\n'),
    );
    const { rows, errors } = validateAssessmentRecords(records, resolve, NOW);
    expect(rows).toEqual([]);
    expect(errors).toEqual([
      { row: 2, column: 'remark', message: expect.stringContaining('unknown column') },
      { row: 2, column: 'regionCode', message: '"11000" is not a 6-digit region code' },
      { row: 2, column: 'score', message: '"101" is not a score from 0 to 100' },
      { row: 2, column: 'assessor', message: 'is required: who assessed it' },
      { row: 2, column: 'evidenceUrl', message: expect.stringContaining('is not an http(s) URL') },
      { row: 2, column: 'assessedAt', message: expect.stringContaining('is not a date') },
      { row: 3, column: 'remark', message: expect.stringContaining('unknown column') },
      { row: 3, column: 'score', message: '"-1" is not a score from 0 to 100' },
      { row: 4, column: 'remark', message: expect.stringContaining('unknown column') },
      { row: 4, column: 'assessedAt', message: '2027-01-01 is in the future' },
      { row: 4, column: 'indicator', message: 'transaction of 110000 is also assessed on row 3' },
      { row: 5, column: '*', message: 'has 1 cells; the header has 7' },
    ]);
  });

  it('takes JSON numbers for scores and refuses out-of-range ones', () => {
    const records = parseImportFile(
      [
        { regionCode: '310000', indicator: 'information', score: 0, assessor: '王五' },
        { regionCode: '310000', indicator: 'transaction', score: 100.5, assessor: '王五' },
      ],
      'json',
      ASSESSMENT_ALIASES,
    );
    const { rows, errors } = validateAssessmentRecords(records, resolve, NOW);
    expect(rows.map((r) => [r.indicatorCode, r.score, r.assessedAt])).toEqual([
      ['information', 0, null],
    ]);
    expect(errors).toEqual([
      { row: 2, column: 'score', message: '100.5 is not a score from 0 to 100' },
    ]);
  });
});
