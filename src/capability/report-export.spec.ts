import { describe, expect, it } from 'vitest';
import { DEFAULT_BANDS } from './bands';
import { type ReportRegion, buildCapabilityReport } from './capability-report';
import { SEED000_FIVE_CAPABILITIES } from './presets';
import { capabilityFigure, capabilityReportTables, sectionedCsv } from './report-export';

const region = (code: string, name: string, total: number | null): ReportRegion => {
  const values = {
    information: total,
    transaction: total,
    participation: total,
    provision: total,
    influence: total,
  };
  return {
    regionCode: code,
    name,
    provinceCode: code,
    provinceName: name,
    accountId: total === null ? null : 1,
    accountName: total === null ? null : `${name}发布`,
    opened: total !== null,
    total,
    subIndices: values,
    leafScores: total === null ? {} : (values as Record<string, number>),
    missing: [],
  };
};

const report = (tier: 'municipality' | 'prefecture' = 'municipality') =>
  buildCapabilityReport({
    tier,
    tree: SEED000_FIVE_CAPABILITIES,
    bands: DEFAULT_BANDS,
    gradeLetters: ['A', 'B', 'C', 'D'],
    regions: [
      region('110000', '北京市', 81.234),
      region('310000', '上海市', 64.1),
      region('500000', '重庆市', null),
    ],
  });

describe('capabilityReportTables', () => {
  it('has the report tables with Chinese headers; comparison and provinces only when present', () => {
    const tables = capabilityReportTables(report(), '服务能力指数');
    expect(tables.map((t) => [t.code, t.table.name])).toEqual([
      ['ranking', '直辖市排名'],
      ['sub_capability_means', '子能力均值'],
      ['band_distribution', '区间分布'],
      ['not_opened', '未开通'],
      ['unscored', '未完成评估'],
      ['grades', '等级划分'],
      ['clusters', '聚类均值'],
    ]);
    const ranking = tables[0].table;
    expect(ranking.columns.map((c) => c.header)).toEqual([
      '排名',
      '地区代码',
      '地区',
      '服务能力指数',
      '信息服务能力',
      '事务服务能力',
      '参与服务能力',
      '服务提供能力',
      '微信影响力',
      '区间',
      '等级',
      '聚类',
      '账号',
    ]);
    expect(ranking.columns.map((c) => c.value(ranking.rows[0]))).toEqual([
      1,
      '110000',
      '北京市',
      81.23,
      81.23,
      81.23,
      81.23,
      81.23,
      81.23,
      '高水平',
      'A',
      1,
      '北京市发布',
    ]);
    const prefecture = capabilityReportTables(report('prefecture'), '指数');
    expect(prefecture.map((t) => t.code)).toContain('province_distribution');
    expect(prefecture[0].table.columns[3].header).toBe('所属省份');
  });

  it('ends the band table with the not-opened line (share of all regions)', () => {
    const bands = capabilityReportTables(report(), '指数').find(
      (t) => t.code === 'band_distribution',
    )!.table;
    const last = bands.rows[bands.rows.length - 1];
    expect(bands.columns.map((c) => c.value(last))).toEqual([
      '未开通',
      null,
      null,
      1,
      33.33,
      null,
      null,
    ]);
  });
});

describe('sectionedCsv', () => {
  it('writes one BOM, then each table under its title, separated by a blank line', () => {
    const csv = sectionedCsv(
      capabilityReportTables(report(), '指数')
        .filter((t) => ['not_opened', 'grades'].includes(t.code))
        .map((t) => t.table),
    );
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8').slice(1);
    expect(text).not.toContain('\uFEFF');
    expect(text.split('\r\n').slice(0, 5)).toEqual([
      '未开通',
      '地区代码,地区,所属省份',
      '500000,重庆市,重庆市',
      '',
      '等级划分',
    ]);
  });
});

describe('capabilityFigure', () => {
  it('draws the three figures from the report', () => {
    const r = report();
    const ranking = capabilityFigure(r, 'ranking', '2019 年版');
    expect(ranking).toContain('<title>2019 年版（直辖市）</title>');
    expect(ranking).toContain('<title>北京市 81.23</title>');
    expect(capabilityFigure(r, 'sub-capability-means', 'x')).toContain('信息服务能力');
    const bands = capabilityFigure(r, 'band-distribution', 'x');
    expect(bands).toContain('未开通');
    expect(bands).toContain('1 (33.33%)');
  });
});
