import { Injectable, StreamableFile } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { inRegionScope } from '../auth/region-scope';
import { ValidationFailedException } from '../common/domain.exception';
import {
  CSV_CONTENT_TYPE,
  attachmentDisposition,
  exportFile,
  negotiateExportFormat,
} from '../exports/export-format';
import { type AnyExportTable, tableToCsv } from '../exports/table-export';
import { CapabilityErrorCode, CapabilityException } from './capability.exception';
import {
  type CapabilityReport,
  ClusterCountError,
  type ReportRegion,
  buildCapabilityReport,
} from './capability-report';
import { type EditionRow, loadTree, periodKind } from './capability-store';
import type { CapabilityTier } from './edition-results';
import type { FigureQuery, ReportQuery } from './report.dto';
import {
  REPORT_FIGURES,
  type ReportFigure,
  capabilityFigure,
  capabilityReportTables,
  sectionedCsv,
} from './report-export';
import type { ResultsStateDto } from './results.dto';
import { ResultsService, type StoredResultRow } from './results.service';

const TOTAL_HEADER = '服务能力指数';

/** The report of one tier of an edition (JSON, CSV, XLSX) and its SVG figures, from stored results. */
@Injectable()
export class ReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly results: ResultsService,
  ) {}

  async report(
    editionId: number,
    query: ReportQuery,
    principal: Principal,
    accept: string | undefined,
  ): Promise<Record<string, unknown> | StreamableFile> {
    const format = negotiateExportFormat(query.format, accept);
    const { edition, state, report } = await this.build(
      editionId,
      query.tier,
      principal,
      query.k,
      query.compareTo,
    );
    const meta = {
      edition: editionMeta(edition),
      results: state,
      scope: principal.regionCode,
    };
    if (format === 'json') return { ...meta, ...report };

    const coded = capabilityReportTables(report, TOTAL_HEADER);
    const chosen = query.table ? coded.filter((t) => t.code === query.table) : coded;
    if (chosen.length === 0) {
      throw new ValidationFailedException([
        {
          field: 'table',
          message: `this report has no ${query.table} table (compareTo, or the prefecture tier, adds some)`,
        },
      ]);
    }
    const tables: AnyExportTable[] = chosen.map((t) => t.table);
    if (!query.table) tables.push(infoTable(edition, state, report, principal));
    const baseName = `${edition.code}-${report.tierLabel}-政务微信服务能力指数${query.table ? `-${query.table}` : ''}`;
    if (format === 'xlsx') return exportFile('xlsx', baseName, tables);
    const body = tables.length === 1 ? tableToCsv(tables[0]) : sectionedCsv(tables);
    return new StreamableFile(body, {
      type: CSV_CONTENT_TYPE,
      disposition: attachmentDisposition(`${baseName}.csv`),
      length: body.length,
    });
  }

  async figure(
    editionId: number,
    file: string,
    query: FigureQuery,
    principal: Principal,
  ): Promise<StreamableFile> {
    const name = /^(.+)\.svg$/.exec(file)?.[1];
    if (name === undefined || !(REPORT_FIGURES as readonly string[]).includes(name)) {
      throw new CapabilityException(
        CapabilityErrorCode.FigureNotFound,
        `No figure ${file}; figures are ${REPORT_FIGURES.map((f) => `${f}.svg`).join(', ')}.`,
      );
    }
    const { edition, report } = await this.build(
      editionId,
      query.tier,
      principal,
      query.k,
      undefined,
    );
    // A file, so an error on the way is still rendered as JSON (no SVG content type set early).
    const svg = Buffer.from(capabilityFigure(report, name as ReportFigure, edition.name), 'utf8');
    return new StreamableFile(svg, {
      type: 'image/svg+xml; charset=utf-8',
      disposition: `inline; filename="${edition.code}-${query.tier}-${name}.svg"`,
      length: svg.length,
    });
  }

  private async build(
    editionId: number,
    tier: CapabilityTier,
    principal: Principal,
    k: number | undefined,
    compareTo: number | undefined,
  ): Promise<{ edition: EditionRow; state: ResultsStateDto; report: CapabilityReport }> {
    if (compareTo === editionId) {
      throw new ValidationFailedException([
        { field: 'compareTo', message: 'compare with another edition, not the edition itself' },
      ]);
    }
    const { edition, state } = await this.results.state(editionId);
    const tree = await loadTree(this.dataSource.manager, edition.id, state.treeVersion);
    const regions = (await this.results.storedRows(edition.id, tier)).map(toReportRegion);
    let previous: Parameters<typeof buildCapabilityReport>[0]['previous'];
    if (compareTo !== undefined) {
      const other = await this.results.state(compareTo);
      previous = {
        edition: { id: other.edition.id, code: other.edition.code, name: other.edition.name },
        regions: (await this.results.storedRows(compareTo, tier)).map(toReportRegion),
      };
    }
    try {
      const report = buildCapabilityReport({
        tier,
        tree,
        bands: edition.bands,
        gradeLetters: edition.grade_letters,
        regions,
        previous,
        k,
        visible: (code) => inRegionScope(principal, code),
      });
      return { edition, state, report };
    } catch (err) {
      if (err instanceof ClusterCountError) {
        throw new ValidationFailedException([{ field: 'k', message: err.message }]);
      }
      throw err;
    }
  }
}

function toReportRegion(r: StoredResultRow): ReportRegion {
  return {
    regionCode: r.region_code,
    name: r.name,
    provinceCode: r.province_code,
    provinceName: r.province_name,
    accountId: r.account_id,
    accountName: r.account_name,
    opened: r.opened,
    total: r.total,
    subIndices: r.sub_indices,
    leafScores: r.leaf_scores,
    missing: r.missing,
  };
}

function editionMeta(edition: EditionRow): Record<string, unknown> {
  return {
    id: edition.id,
    code: edition.code,
    name: edition.name,
    period: {
      kind: periodKind(edition),
      key: edition.period_key,
      start: edition.period_start,
      end: edition.period_end,
    },
  };
}

/** 说明: what the file holds, so an exported report describes itself. */
function infoTable(
  edition: EditionRow,
  state: ResultsStateDto,
  report: CapabilityReport,
  principal: Principal,
): AnyExportTable {
  const rows: [string, string | number][] = [
    ['版本', `${edition.code} ${edition.name}`],
    ['评估周期', `${edition.period_start} 至 ${edition.period_end}`],
    ['层级', report.tierLabel],
    ['地区数', report.regions],
    ['计算时间', state.computedAt],
    ['计算批次', state.runId],
    ['指标体系版本', state.treeVersion],
    ['影响力归一化', state.normalisation],
    ['WCI 公式', state.formulaVersion],
    ['结果已过期', state.outdated ? '是' : '否'],
    ['过期原因', state.outdatedReasons.join('; ')],
    ['地区范围', principal.regionCode ?? '全国'],
  ];
  return {
    name: '说明',
    columns: [
      { header: '项目', value: (r: [string, string | number]) => r[0] },
      { header: '内容', value: (r: [string, string | number]) => r[1] },
    ],
    rows,
  };
}
