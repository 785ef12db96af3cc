import { Inject, Injectable, type StreamableFile } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  type AdminLevel,
  SECTOR_LABELS,
  type Sector,
  type WechatType,
} from '../accounts/account-taxonomy';
import type { Principal } from '../auth/principal';
import { businessDate } from '../common/business-date';
import { type FieldError, ValidationFailedException } from '../common/domain.exception';
import { SqlConditions } from '../common/sql-builder';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { exportFile, negotiateExportFormat } from '../exports/export-format';
import type { ExportTable } from '../exports/table-export';
import { TEN_WAN_PLUS } from '../scoring/formulas/read-count';
import { LEVEL_LABELS, WECHAT_TYPE_LABELS } from '../scoring/leaderboards/labels';
import { toBoardPeriod, toScoreRunResponse } from '../scoring/leaderboards/leaderboard.dto';
import {
  type RegistryFilters,
  SCORED_ACCOUNTS_FROM,
  boardConditions,
  registryConditions,
  whereAll,
} from '../scoring/leaderboards/score-filters';
import { type ScoreBoardKey, collectScorePeriod } from '../scoring/leaderboards/score-period';
import {
  type ScoreRun,
  findScoreRun,
  requireScoreRun,
} from '../scoring/leaderboards/score-run.reader';
import { samePeriodLastYear, snapshotAgeFor } from '../scoring/periods';
import { type GroupFacts, buildDistribution } from './distribution';
import type {
  DistributionGroupResponse,
  DistributionGrouping,
  DistributionQuery,
  DistributionResponse,
} from './distribution.dto';

const MILLION = 1_000_000;

const GROUP_SQL: Record<DistributionGrouping, string> = {
  province: `coalesce(left(o.region_code, 2) || '0000', 'central')`,
  level: 'o.level',
  sector: 'o.sector',
  accountType: `coalesce(a.wechat_type, 'unspecified')`,
};

interface FactsRow {
  key: string;
  name: string | null;
  accounts: number;
  with_followers: number;
  followers: string | null;
  million: number;
  reads: string | null;
  ten_wan_accounts: number;
  ten_wan_articles: number | null;
}

function labelOf(by: DistributionGrouping, row: FactsRow): string {
  switch (by) {
    case 'province':
      return row.key === 'central' ? '中央' : (row.name ?? row.key);
    case 'level':
      return LEVEL_LABELS[row.key as AdminLevel] ?? row.key;
    case 'sector':
      return SECTOR_LABELS[row.key as Sector] ?? row.key;
    case 'accountType':
      return WECHAT_TYPE_LABELS[row.key as WechatType] ?? '未注明';
  }
}

/**
 * Account distributions of a period: counts, shares and followers from the run's account_scores;
 * 10万+ articles from the stored post snapshots at the run's snapshot age (T+7, or T+1 with T+2
 * for days) — the values the run's R and Rmax were computed from — bounded to the period's days
 * and the board's accounts, so partition pruning keeps it to the period's months.
 */
@Injectable()
export class DistributionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async distribution(
    query: DistributionQuery,
    principal: Principal,
    accept: string | undefined,
  ): Promise<DistributionResponse | StreamableFile> {
    const format = negotiateExportFormat(query.format, accept);
    const errors: FieldError[] = [];
    const resolved = collectScorePeriod(query, businessDate(), this.config.scoring, errors);
    if (query.by === 'accountType' && query.platform !== 'wechat') {
      errors.push({
        field: 'by',
        message: 'accountType (订阅号/服务号) groups WeChat accounts only',
      });
    }
    if (errors.length > 0) throw new ValidationFailedException(errors);
    const run = await requireScoreRun(this.db, resolved.key, resolved.period);
    const lastYear = samePeriodLastYear(run.period);
    const lastYearRun = await findScoreRun(this.db, resolved.key, lastYear);
    const filters: RegistryFilters = {
      region: query.region,
      tier: query.tier,
      level: query.level,
      sector: query.sector,
    };
    const [current, before] = await Promise.all([
      this.facts(resolved.key, run, query.by, filters, principal),
      lastYearRun ? this.facts(resolved.key, lastYearRun, query.by, filters, principal) : null,
    ]);
    const { total, groups } = buildDistribution(current, before);
    const response: DistributionResponse = {
      platform: resolved.key.platform,
      by: query.by,
      period: toBoardPeriod(run.period, resolved.key.weekStart),
      run: toScoreRunResponse(run),
      lastYearPeriod: toBoardPeriod(lastYear, resolved.key.weekStart),
      lastYearRun: lastYearRun ? toScoreRunResponse(lastYearRun) : null,
      total,
      groups,
    };
    if (format === 'json') return response;
    return exportFile(
      format,
      `distribution-${response.platform}-${query.by}-${response.period.key}`,
      [distributionTable(response)],
    );
  }

  private async facts(
    key: ScoreBoardKey,
    run: ScoreRun,
    by: DistributionGrouping,
    filters: RegistryFilters,
    principal: Principal,
  ): Promise<GroupFacts[]> {
    const c = new SqlConditions();
    const period = run.period;
    const where = [
      ...boardConditions(c, key, period.start),
      ...registryConditions(c, filters, principal),
    ];
    const ages = [run.snapshotAge, snapshotAgeFor(period.type).fallbackAge].filter(
      (a): a is number => a !== null && a !== undefined,
    );
    const agesParam = c.param([...new Set(ages)]);
    const rows = await this.db.query<FactsRow[]>(
      `WITH base AS (
         SELECT s.account_id, ${GROUP_SQL[by]} AS key, s.followers, s.total_reads, s.max_reads
         ${SCORED_ACCOUNTS_FROM}
         ${whereAll(where)}
       ), posts AS (
         -- One value per post: the preferred age, else the fallback age.
         SELECT DISTINCT ON (ps.account_id, ps.platform_post_id) ps.account_id, ps.reads
         FROM post_metric_snapshots ps
         WHERE ps.account_id IN (SELECT account_id FROM base)
           AND ps.published_on BETWEEN ${c.param(period.start)}::date AND ${c.param(period.end)}::date
           AND ps.observed_day BETWEEN ${c.param(period.start)}::date + ${c.param(Math.min(...ages))}::int
                                   AND ${c.param(period.end)}::date + ${c.param(Math.max(...ages))}::int
           AND ps.age_days = ANY(${agesParam}::int[])
         ORDER BY ps.account_id, ps.platform_post_id, (ps.age_days = ${c.param(run.snapshotAge)}) DESC
       ), ten_wan AS (
         SELECT account_id, (count(*) FILTER (WHERE reads >= ${c.param(TEN_WAN_PLUS)}))::int AS n,
                count(reads)::int AS with_reads
         FROM posts GROUP BY account_id
       )
       SELECT g.*, rg.name FROM (
         SELECT b.key, count(*)::int AS accounts, count(b.followers)::int AS with_followers,
                sum(b.followers) AS followers,
                (count(*) FILTER (WHERE b.followers >= ${c.param(MILLION)}))::int AS million,
                sum(b.total_reads) AS reads,
                (count(*) FILTER (WHERE b.max_reads >= ${c.param(TEN_WAN_PLUS)}))::int AS ten_wan_accounts,
                (CASE WHEN sum(t.with_reads) > 0 THEN sum(t.n) END)::int AS ten_wan_articles
         FROM base b LEFT JOIN ten_wan t ON t.account_id = b.account_id
         GROUP BY b.key
       ) g LEFT JOIN regions rg ON rg.code = g.key`,
      c.params,
    );
    return rows.map((r) => ({
      key: r.key,
      label: labelOf(by, r),
      accounts: r.accounts,
      withFollowers: r.with_followers,
      followers: r.followers === null ? null : Number(r.followers),
      millionFollowerAccounts: r.million,
      reads: r.reads === null ? null : Number(r.reads),
      tenWanPlusArticles: r.ten_wan_articles,
      tenWanPlusAccounts: r.ten_wan_accounts,
    }));
  }
}

const BY_LABELS: Record<DistributionGrouping, string> = {
  province: '省份',
  level: '行政级别',
  sector: '领域',
  accountType: '账号类型',
};

function distributionTable(d: DistributionResponse): ExportTable<DistributionGroupResponse> {
  return {
    name: `分布 ${BY_LABELS[d.by]} ${d.period.key}`,
    columns: [
      { header: BY_LABELS[d.by], value: (g) => g.label },
      { header: '代码', value: (g) => g.key },
      { header: '账号数', value: (g) => g.accounts },
      { header: '占比(%)', value: (g) => g.sharePct, numFmt: '0.00' },
      { header: '粉丝总数', value: (g) => g.followers, numFmt: '#,##0' },
      { header: '平均粉丝数', value: (g) => g.meanFollowers, numFmt: '#,##0.00' },
      { header: '百万粉丝账号数', value: (g) => g.millionFollowerAccounts },
      { header: '总阅读数', value: (g) => g.reads, numFmt: '#,##0' },
      { header: '10万+文章数', value: (g) => g.tenWanPlusArticles },
      { header: '10万+账号数', value: (g) => g.tenWanPlusAccounts },
      { header: '账号数同比增长', value: (g) => g.growth?.accounts.change },
      { header: '账号数同比(%)', value: (g) => g.growth?.accounts.changePct, numFmt: '0.00' },
      { header: '粉丝同比增长', value: (g) => g.growth?.followers.change, numFmt: '#,##0' },
      { header: '阅读同比增长', value: (g) => g.growth?.reads.change, numFmt: '#,##0' },
      { header: '10万+同比增长', value: (g) => g.growth?.tenWanPlusArticles.change },
    ],
    rows: [...d.groups, d.total],
  };
}
