import { type AnyExportTable, type ExportColumn, tableToCsv } from '../exports/table-export';
import type { CapabilityReport, RankingEntry } from './capability-report';
import { published } from './edition-results';
import { bandDistributionSvg, rankingBarsSvg, subCapabilityMeansSvg } from './figures';

export const REPORT_TABLES = [
  'ranking',
  'sub_capability_means',
  'band_distribution',
  'not_opened',
  'unscored',
  'grades',
  'clusters',
  'comparison',
  'province_distribution',
] as const;
export type ReportTableCode = (typeof REPORT_TABLES)[number];

export const REPORT_FIGURES = ['ranking', 'sub-capability-means', 'band-distribution'] as const;
export type ReportFigure = (typeof REPORT_FIGURES)[number];

export interface CodedTable {
  code: ReportTableCode;
  table: AnyExportTable;
}

const STATUS_LABELS: Record<string, string> = {
  continuing: '连续参评',
  newly_opened: '新开通',
  closed: '已关闭',
  not_opened: '未开通',
  not_in_previous: '上版未参评',
};

const SCORE = '0.00';

/** Score columns are written at the published two decimals (CSV prints numbers as they are). */
function col<R>(header: string, value: ExportColumn<R>['value'], numFmt?: string): ExportColumn<R> {
  const cell: ExportColumn<R>['value'] =
    numFmt === SCORE
      ? (row) => {
          const v = value(row);
          return typeof v === 'number' ? published(v) : v;
        }
      : value;
  return { header, value: cell, ...(numFmt ? { numFmt } : {}) };
}

/**
 * The report as export tables with Chinese headers (one XLSX sheet each); tables without content
 * for this report (no comparison asked, not the prefecture tier) are left out.
 */
export function capabilityReportTables(report: CapabilityReport, title: string): CodedTable[] {
  const tables: CodedTable[] = [];
  const prefecture = report.tier === 'prefecture';
  tables.push({
    code: 'ranking',
    table: {
      name: `${report.tierLabel}排名`,
      columns: [
        col<RankingEntry>('排名', (r) => r.rank),
        col<RankingEntry>('地区代码', (r) => r.regionCode),
        col<RankingEntry>('地区', (r) => r.name),
        ...(prefecture ? [col<RankingEntry>('所属省份', (r) => r.provinceName)] : []),
        col<RankingEntry>(title, (r) => r.total, SCORE),
        ...report.subCapabilities.map((c) =>
          col<RankingEntry>(c.name, (r) => r.subIndices[c.code], SCORE),
        ),
        col<RankingEntry>('区间', (r) => r.bandLabel),
        col<RankingEntry>('等级', (r) => r.subgrade),
        col<RankingEntry>('聚类', (r) => r.cluster),
        col<RankingEntry>('账号', (r) => r.accountName),
      ],
      rows: report.ranking,
    },
  });
  tables.push({
    code: 'sub_capability_means',
    table: {
      name: '子能力均值',
      columns: [
        col<CapabilityReport['subCapabilityMeans'][number]>('子能力', (r) => r.name),
        col<CapabilityReport['subCapabilityMeans'][number]>('代码', (r) => r.code),
        col<CapabilityReport['subCapabilityMeans'][number]>('权重', (r) => r.weight, '0.00%'),
        col<CapabilityReport['subCapabilityMeans'][number]>('均值', (r) => r.mean, SCORE),
        col<CapabilityReport['subCapabilityMeans'][number]>('地区数', (r) => r.count),
      ],
      rows: report.subCapabilityMeans,
    },
  });
  const bd = report.bandDistribution;
  type BandLine = {
    label: string;
    min: number | null;
    max: number | null;
    count: number;
    share: number;
    mean: number | null;
    relative: number | null;
  };
  const bandLines: BandLine[] = [
    ...bd.rows.map((b) => ({
      label: b.label,
      min: b.min,
      max: b.max,
      count: b.count,
      share: b.sharePctRounded,
      mean: b.mean,
      relative: b.relativeToTierMeanPct,
    })),
    {
      label: '未开通',
      min: null,
      max: null,
      count: bd.notOpened.count,
      share: bd.notOpened.sharePctRounded,
      mean: null,
      relative: null,
    },
  ];
  tables.push({
    code: 'band_distribution',
    table: {
      name: '区间分布',
      columns: [
        col<BandLine>('区间', (r) => r.label),
        col<BandLine>('下限', (r) => r.min),
        col<BandLine>('上限', (r) => r.max),
        col<BandLine>('数量', (r) => r.count),
        col<BandLine>('占比(%)', (r) => r.share, SCORE),
        col<BandLine>('区间均值', (r) => r.mean, SCORE),
        col<BandLine>('较平均水平(%)', (r) => r.relative, SCORE),
      ],
      rows: bandLines,
    },
  });
  type Region = CapabilityReport['notOpened'][number];
  tables.push({
    code: 'not_opened',
    table: {
      name: '未开通',
      columns: [
        col<Region>('地区代码', (r) => r.regionCode),
        col<Region>('地区', (r) => r.name),
        col<Region>('所属省份', (r) => r.provinceName),
      ],
      rows: report.notOpened,
    },
  });
  type Unscored = CapabilityReport['unscored'][number];
  tables.push({
    code: 'unscored',
    table: {
      name: '未完成评估',
      columns: [
        col<Unscored>('地区代码', (r) => r.regionCode),
        col<Unscored>('地区', (r) => r.name),
        col<Unscored>('所属省份', (r) => r.provinceName),
        col<Unscored>('缺少指标', (r) => r.missing.join('; ')),
      ],
      rows: report.unscored,
    },
  });
  type Grade = CapabilityReport['grades']['bands'][number];
  tables.push({
    code: 'grades',
    table: {
      name: '等级划分',
      columns: [
        col<Grade>('等级', (r) => r.grade),
        col<Grade>('数量', (r) => r.count),
        col<Grade>('分界点', (r) => r.lowerCut, SCORE),
        col<Grade>('最高分', (r) => r.top, SCORE),
        col<Grade>('+ 起点', (r) => r.thresholds?.plus ?? null, SCORE),
        col<Grade>('中 起点', (r) => r.thresholds?.plain ?? null, SCORE),
        col<Grade>('− 起点', (r) => r.thresholds?.minus ?? null, SCORE),
      ],
      rows: report.grades.bands,
    },
  });
  if (report.clustering !== null) {
    type Cluster = NonNullable<CapabilityReport['clustering']>['clusters'][number];
    tables.push({
      code: 'clusters',
      table: {
        name: '聚类均值',
        columns: [
          col<Cluster>('类别', (r) => r.cluster),
          col<Cluster>('地区数', (r) => r.size),
          col<Cluster>('总指数均值', (r) => r.totalMean, SCORE),
          ...report.clustering.indicators.map((i) =>
            col<Cluster>(i.name, (r) => r.means[i.code], SCORE),
          ),
        ],
        rows: report.clustering.clusters,
      },
    });
  }
  if (report.comparison !== null) {
    type Change = NonNullable<CapabilityReport['comparison']>['rows'][number];
    tables.push({
      code: 'comparison',
      table: {
        name: `对比${report.comparison.previousEdition.code}`,
        columns: [
          col<Change>('地区代码', (r) => r.regionCode),
          col<Change>('地区', (r) => r.name),
          col<Change>('状态', (r) => STATUS_LABELS[r.status] ?? r.status),
          col<Change>('排名', (r) => r.rank),
          col<Change>('上版排名', (r) => r.previousRank),
          col<Change>('排名变化', (r) => r.rankChange),
          col<Change>('总指数', (r) => r.total, SCORE),
          col<Change>('上版总指数', (r) => r.previousTotal, SCORE),
          col<Change>('总指数变化', (r) => r.totalChange, SCORE),
          ...report.subCapabilities.map((c) =>
            col<Change>(`${c.name}变化`, (r) => r.subIndexChanges[c.code] ?? null, SCORE),
          ),
        ],
        rows: report.comparison.rows,
      },
    });
  }
  if (report.provinceDistribution !== null) {
    type Province = NonNullable<CapabilityReport['provinceDistribution']>[number];
    tables.push({
      code: 'province_distribution',
      table: {
        name: '地域分布',
        columns: [
          col<Province>('省份代码', (r) => r.provinceCode),
          col<Province>('省份', (r) => r.provinceName),
          ...bd.rows.map((b) => col<Province>(b.label, (r) => r.counts[b.code] ?? 0)),
          col<Province>('未开通', (r) => r.notOpened),
          col<Province>('未完成评估', (r) => r.unscored),
          col<Province>('合计', (r) => r.total),
        ],
        rows: report.provinceDistribution,
      },
    });
  }
  return tables;
}

/**
 * Every table in one CSV (UTF-8 with one BOM): each preceded by its title line and followed by a
 * blank line, so a spreadsheet shows the sections one under another.
 */
export function sectionedCsv(tables: readonly AnyExportTable[]): Buffer {
  const parts: Buffer[] = [];
  tables.forEach((table, i) => {
    const title = tableToCsv({
      name: table.name,
      columns: [{ header: table.name, value: () => null }],
      rows: [],
    });
    const body = tableToCsv(table);
    // tableToCsv starts every chunk with a BOM; the file keeps only the first.
    parts.push(i === 0 ? title : stripBom(title), stripBom(body), Buffer.from('\r\n'));
  });
  return Buffer.concat(parts);
}

function stripBom(b: Buffer): Buffer {
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}

/** The report's figures as SVG (ranking bars, sub-capability means, band distribution). */
export function capabilityFigure(
  report: CapabilityReport,
  figure: ReportFigure,
  title: string,
): string {
  switch (figure) {
    case 'ranking':
      return rankingBarsSvg(
        report.ranking.map((r) => ({ label: r.name, value: r.total })),
        {
          title: `${title}（${report.tierLabel}）`,
          valueAxisLabel: '指数',
          categoryAxisLabel: '地区',
        },
      );
    case 'sub-capability-means':
      return subCapabilityMeansSvg(
        report.subCapabilityMeans.map((m) => ({ label: m.name, value: m.mean ?? 0 })),
        { title: `${report.tierLabel}子能力总体指数` },
      );
    case 'band-distribution':
      return bandDistributionSvg(
        [
          ...report.bandDistribution.rows.map((b) => ({
            label: b.label,
            count: b.count,
            sharePct: b.sharePct,
          })),
          {
            label: '未开通',
            count: report.bandDistribution.notOpened.count,
            sharePct: report.bandDistribution.notOpened.sharePct,
          },
        ],
        { title: `${report.tierLabel}指数区间分布` },
      );
  }
}
