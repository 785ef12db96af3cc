import { Inject, Injectable, type StreamableFile } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SECTOR_LABELS, type AdminLevel, type Sector } from '../accounts/account-taxonomy';
import type { Principal } from '../auth/principal';
import { businessDate } from '../common/business-date';
import { type FieldError, ValidationFailedException } from '../common/domain.exception';
import { SqlConditions } from '../common/sql-builder';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { exportFile, negotiateExportFormat } from '../exports/export-format';
import type { AnyExportTable } from '../exports/table-export';
import { LEVEL_LABELS } from '../scoring/leaderboards/labels';
import { toBoardPeriod, toScoreRunResponse } from '../scoring/leaderboards/leaderboard.dto';
import {
  type RegistryFilters,
  SCORED_ACCOUNTS_FROM,
  boardConditions,
  registryConditions,
  whereAll,
} from '../scoring/leaderboards/score-filters';
import { type ScoreBoardKey, collectScorePeriod } from '../scoring/leaderboards/score-period';
import { requireScoreRun } from '../scoring/leaderboards/score-run.reader';
import { previousPeriod } from '../scoring/periods';
import {
  ACTIVITY_MEASURE_LABELS,
  type ActivityMeasure,
  type MaturityGrouping,
  parseThresholdRule,
  thresholdRuleName,
} from './maturity-request';
import type {
  MaturityGroupResponse,
  MaturityMatrixQuery,
  MaturityMatrixResponse,
} from './maturity.dto';
import {
  type MaturityMatrix,
  QUADRANT_LABELS,
  type ThresholdRule,
  buildMaturityMatrix,
  movement,
} from './quadrant';

const MEASURED: Record<ActivityMeasure, string> = {
  reads_per_post_per_1k_followers: 's.posts > 0 AND s.followers > 0 AND s.total_reads IS NOT NULL',
  activity_score: 'true',
  mean_score: 's.score IS NOT NULL',
  reads_per_follower: 's.followers > 0 AND s.total_reads IS NOT NULL',
};

const MEASURE_SQL: Record<ActivityMeasure, string> = {
  reads_per_post_per_1k_followers: `percentile_cont(0.5) WITHIN GROUP (
      ORDER BY s.total_reads::float8 / s.posts / (s.followers / 1000.0))`,
  activity_score: 'percentile_cont(0.5) WITHIN GROUP (ORDER BY s.activity_score)',
  mean_score: 'avg(s.score)',
  reads_per_follower:
    'percentile_cont(0.5) WITHIN GROUP (ORDER BY s.total_reads::float8 / s.followers)',
};

interface GroupRow {
  key: string;
  name: string | null;
  accounts: number;
  measured: number;
  activity: number | null;
}

type Group = GroupRow & { label: string };

/** Provinces, unless the board is narrowed to a region: then the organizations' own regions. */
function groupExpression(groupBy: MaturityGrouping, narrowed: boolean): string {
  switch (groupBy) {
    case 'sector':
      return 'o.sector';
    case 'level':
      return 'o.level';
    case 'region':
      return narrowed
        ? `coalesce(o.region_code, 'central')`
        : `coalesce(left(o.region_code, 2) || '0000', 'central')`;
  }
}

function labelOf(groupBy: MaturityGrouping, row: GroupRow): string {
  switch (groupBy) {
    case 'sector':
      return SECTOR_LABELS[row.key as Sector] ?? row.key;
    case 'level':
      return LEVEL_LABELS[row.key as AdminLevel] ?? row.key;
    case 'region':
      return row.key === 'central' ? '中央' : (row.name ?? row.key);
  }
}

/** 政务微信成熟矩阵 from precomputed account_scores, with src/maturity/quadrant.ts deciding. */
@Injectable()
export class MaturityService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async matrix(
    query: MaturityMatrixQuery,
    principal: Principal,
    accept: string | undefined,
  ): Promise<MaturityMatrixResponse | StreamableFile> {
    const format = negotiateExportFormat(query.format, accept);
    const errors: FieldError[] = [];
    const resolved = collectScorePeriod(query, businessDate(), this.config.scoring, errors);
    const rule = parseThresholdRule(query.threshold, errors);
    if (errors.length > 0) throw new ValidationFailedException(errors);
    const run = await requireScoreRun(this.db, resolved.key, resolved.period);
    const filters: RegistryFilters = {
      region: query.region,
      tier: query.tier,
      level: query.level,
      sector: query.sector,
    };
    const narrowed = filters.region !== undefined || principal.regionCode !== null;
    const facts = (periodStart: string) =>
      this.groups(
        resolved.key,
        periodStart,
        query.groupBy,
        query.activity,
        narrowed,
        filters,
        principal,
      );
    const previous = previousPeriod(run.period);
    const [current, before] = await Promise.all([
      facts(run.period.start),
      run.previousRunId === null ? Promise.resolve(null) : facts(previous.start),
    ]);
    const matrix = buildMaturityMatrix(current, rule);
    const previousMatrix = before === null ? null : buildMaturityMatrix(before, rule);
    const response: MaturityMatrixResponse = {
      platform: resolved.key.platform,
      period: toBoardPeriod(run.period, resolved.key.weekStart),
      previousPeriod: toBoardPeriod(previous, resolved.key.weekStart),
      previousAvailable: previousMatrix !== null,
      run: toScoreRunResponse(run),
      groupBy: query.groupBy,
      activity: { code: query.activity, ...ACTIVITY_MEASURE_LABELS[query.activity] },
      thresholdRule: thresholdRuleName(rule),
      thresholds: matrix.thresholds,
      previousThresholds: previousMatrix?.thresholds ?? null,
      groups: toGroupResponses(matrix, previousMatrix),
    };
    if (format === 'json') return response;
    return exportFile(format, `maturity-matrix-${response.platform}-${response.period.key}`, [
      ...maturityTables(response, rule),
    ]);
  }

  private async groups(
    key: ScoreBoardKey,
    periodStart: string,
    groupBy: MaturityGrouping,
    measure: ActivityMeasure,
    narrowed: boolean,
    filters: RegistryFilters,
    principal: Principal,
  ): Promise<Group[]> {
    const c = new SqlConditions();
    const where = [
      ...boardConditions(c, key, periodStart),
      ...registryConditions(c, filters, principal),
    ];
    const rows = await this.db.query<GroupRow[]>(
      `SELECT g.key, g.accounts, g.measured, g.activity, rg.name
       FROM (
         SELECT ${groupExpression(groupBy, narrowed)} AS key, count(*)::int AS accounts,
                (count(*) FILTER (WHERE ${MEASURED[measure]}))::int AS measured,
                (${MEASURE_SQL[measure]} FILTER (WHERE ${MEASURED[measure]}))::float8 AS activity
         ${SCORED_ACCOUNTS_FROM}
         ${whereAll(where)}
         GROUP BY 1
       ) g
       LEFT JOIN regions rg ON rg.code = g.key
       ORDER BY g.accounts DESC, g.key`,
      c.params,
    );
    return rows.map((row) => ({ ...row, label: labelOf(groupBy, row) }));
  }
}

function toGroupResponses(
  matrix: MaturityMatrix<Group>,
  previous: MaturityMatrix<Group> | null,
): MaturityGroupResponse[] {
  const before = new Map(previous?.groups.map((g) => [g.key, g]) ?? []);
  return matrix.groups.map((g) => {
    const p = before.get(g.key);
    return {
      key: g.key,
      label: g.label,
      accounts: g.accounts,
      measuredAccounts: g.measured,
      activity: g.activity,
      quadrant: g.quadrant,
      quadrantLabel: g.quadrant === null ? null : QUADRANT_LABELS[g.quadrant],
      previous: p
        ? {
            accounts: p.accounts,
            activity: p.activity,
            quadrant: p.quadrant,
            quadrantLabel: p.quadrant === null ? null : QUADRANT_LABELS[p.quadrant],
          }
        : null,
      movement:
        g.quadrant === null || previous === null ? null : movement(p?.quadrant ?? null, g.quadrant),
    };
  });
}

const MOVEMENT_LABELS = { new: '新进', same: '不变', up: '上升', down: '下降', sideways: '横移' };

function maturityTables(m: MaturityMatrixResponse, rule: ThresholdRule): AnyExportTable[] {
  const groups: AnyExportTable = {
    name: `成熟矩阵 ${m.period.key}`,
    columns: [
      { header: '分组', value: (g: MaturityGroupResponse) => g.label },
      { header: '代码', value: (g: MaturityGroupResponse) => g.key },
      { header: '账号数', value: (g: MaturityGroupResponse) => g.accounts },
      { header: m.activity.label, value: (g: MaturityGroupResponse) => g.activity, numFmt: '0.00' },
      { header: '计入账号数', value: (g: MaturityGroupResponse) => g.measuredAccounts },
      { header: '象限', value: (g: MaturityGroupResponse) => g.quadrantLabel },
      { header: '上期象限', value: (g: MaturityGroupResponse) => g.previous?.quadrantLabel },
      {
        header: '变化',
        value: (g: MaturityGroupResponse) => (g.movement ? MOVEMENT_LABELS[g.movement] : null),
      },
    ],
    rows: m.groups,
  };
  const thresholds: AnyExportTable = {
    name: '阈值',
    columns: [
      {
        header: '规则',
        value: () => (typeof rule === 'object' ? '固定' : rule === 'median' ? '中位数' : '平均数'),
      },
      { header: '账号数阈值', value: () => m.thresholds?.x },
      { header: '活跃度阈值', value: () => m.thresholds?.y, numFmt: '0.00' },
    ],
    rows: [{}],
  };
  return [groups, thresholds];
}
