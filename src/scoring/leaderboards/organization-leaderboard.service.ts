import { Inject, Injectable, type StreamableFile } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AdminLevel, Platform, Sector } from '../../accounts/account-taxonomy';
import type { Principal } from '../../auth/principal';
import { businessDate } from '../../common/business-date';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { encodeCursor } from '../../common/cursor';
import { type FieldError, ValidationFailedException } from '../../common/domain.exception';
import { SqlConditions } from '../../common/sql-builder';
import { exportFile, negotiateExportFormat } from '../../exports/export-format';
import type { ExportTable } from '../../exports/table-export';
import { DEFAULT_BCI_VERSION } from '../formulas/bci';
import { type Period, previousPeriod } from '../periods';
import { rankChange } from '../ranking';
import {
  type Normalization,
  type PlatformWeights,
  parsePlatformWeights,
  weightedPlatforms,
} from './composite';
import { LEVEL_LABELS, PLATFORM_LABELS } from './labels';
import { type BoardCursor, decodeBoardCursor, resolveBoardLimit } from './leaderboard-request';
import {
  MAX_LEADERBOARD_PAGE,
  round2,
  toBoardOrganization,
  toBoardPeriod,
  toScoreRunResponse,
} from './leaderboard.dto';
import type {
  OrganizationBoardEntry,
  OrganizationLeaderboardQuery,
  OrganizationLeaderboardResponse,
} from './organization-leaderboard.dto';
import { ResponseCache } from './response-cache';
import {
  type RegistryFilters,
  SCORED_ACCOUNTS_FROM,
  registryConditions,
  whereAll,
} from './score-filters';
import { type ScoreBoardKey, collectScorePeriod } from './score-period';
import { type ScoreRun, findScoreRun, requireScoreRun, scoreRunNotFound } from './score-run.reader';

interface PlatformJson {
  platform: Platform;
  accountId: number;
  displayName: string;
  score: number;
  normalized: number;
  accounts: number;
}

interface OrganizationRow {
  org_id: number;
  org_name: string;
  level: AdminLevel;
  sector: Sector;
  region_code: string | null;
  region_name: string | null;
  province_name: string | null;
  composite: string;
  partial: boolean;
  stale: boolean;
  platforms: PlatformJson[];
  rank: number;
}

interface CompositeInput {
  runs: Partial<Record<Platform, ScoreRun>>;
  periodStart: string;
  key: Pick<ScoreBoardKey, 'periodType' | 'weekStart'>;
  wciVersion: string;
  weights: PlatformWeights;
  normalize: Normalization;
  filters: RegistryFilters;
  principal: Principal;
}

// On the published (2-decimal) score, as the ranks are.
const PUBLISHED = 'round(s.score::numeric, 2)';
const NORMALIZED_SQL: Record<Normalization, string> = {
  percentile: `CASE WHEN count(*) OVER w = 1 THEN 100.0
                    ELSE 100.0 * percent_rank() OVER (w ORDER BY ${PUBLISHED}) END`,
  minmax: `CASE WHEN max(${PUBLISHED}) OVER w = min(${PUBLISHED}) OVER w THEN 100.0
                ELSE 100.0 * (${PUBLISHED} - min(${PUBLISHED}) OVER w)
                     / (max(${PUBLISHED}) OVER w - min(${PUBLISHED}) OVER w) END`,
};

/**
 * The ranked composite of every organization, as SQL: each weighted platform's scored accounts
 * (filters and scope applied) are normalized within the platform, an organization keeps its best
 * account per platform, and the composite is ranked by competition rank on its 2-decimal value,
 * then total reads, max reads and posts of the counted accounts, then organization id.
 */
function compositeSql(c: SqlConditions, input: CompositeInput): string {
  const platforms = weightedPlatforms(input.weights);
  const versions = `CASE s.platform WHEN 'wechat' THEN ${c.param(input.wciVersion)} ELSE ${c.param(DEFAULT_BCI_VERSION)} END`;
  const where = [
    `s.platform = ANY(${c.param(platforms)}::text[])`,
    `s.period_type = ${c.param(input.key.periodType)}`,
    `s.period_start = ${c.param(input.periodStart)}::date`,
    `s.week_start = ${c.param(input.key.weekStart)}`,
    `s.formula_version = ${versions}`,
    's.score IS NOT NULL',
    ...registryConditions(c, input.filters, input.principal),
  ];
  const weight = `CASE platform WHEN 'wechat' THEN ${c.param(input.weights.wechat)}::float8 ELSE ${c.param(input.weights.weibo)}::float8 END`;
  const total = c.param(input.weights.wechat + input.weights.weibo);
  return `
    WITH acc AS (
      SELECT s.platform, s.account_id, a.display_name, o.id AS org_id, s.score, s.total_reads,
             s.max_reads, s.posts, s.rank_score, s.partial, s.stale,
             (${NORMALIZED_SQL[input.normalize]})::float8 AS norm
      ${SCORED_ACCOUNTS_FROM}
      ${whereAll(where)}
      WINDOW w AS (PARTITION BY s.platform)
    ), best AS (
      SELECT DISTINCT ON (org_id, platform) *,
             count(*) OVER (PARTITION BY org_id, platform) AS accounts
      FROM acc
      ORDER BY org_id, platform, norm DESC, rank_score, account_id
    ), orgs AS (
      SELECT org_id, sum(${weight} * norm) / ${total}::float8 AS composite,
             sum(total_reads) AS total_reads, max(max_reads) AS max_reads, sum(posts) AS posts,
             bool_or(partial) AS partial, bool_or(stale) AS stale,
             jsonb_agg(jsonb_build_object('platform', platform, 'accountId', account_id,
                       'displayName', display_name, 'score', score, 'normalized', norm,
                       'accounts', accounts) ORDER BY platform) AS platforms
      FROM best GROUP BY org_id
    )
    SELECT orgs.*, rank() OVER (ORDER BY round(composite::numeric, 2) DESC, total_reads DESC NULLS LAST,
                                max_reads DESC NULLS LAST, posts DESC)::int AS rank
    FROM orgs`;
}

const ORGANIZATION_COLUMNS = `o.name AS org_name, o.level, o.sector, o.region_code,
  r.name AS region_name, rp.name AS province_name`;

const ORGANIZATION_FROM = `JOIN organizations o ON o.id = ranked.org_id
  LEFT JOIN regions r ON r.code = o.region_code
  LEFT JOIN regions rp ON rp.code = r.parent_code`;

/** Organization-level composite across platforms, from account_scores only. */
@Injectable()
export class OrganizationLeaderboardService {
  private readonly cache = new ResponseCache<OrganizationLeaderboardResponse>(60_000, 200);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async board(
    query: OrganizationLeaderboardQuery,
    principal: Principal,
    accept: string | undefined,
  ): Promise<OrganizationLeaderboardResponse | StreamableFile> {
    const format = negotiateExportFormat(query.format, accept);
    const errors: FieldError[] = [];
    const weights = parsePlatformWeights(query.weights, errors);
    const platforms = weightedPlatforms(weights);
    const wciVersion = query.formulaVersion ?? this.config.scoring.wciVersion;
    const resolved = platforms.map((platform) =>
      collectScorePeriod(
        {
          platform,
          period: query.period,
          date: query.date,
          weekStart: query.weekStart,
          formulaVersion: platform === 'wechat' ? wciVersion : DEFAULT_BCI_VERSION,
        },
        businessDate(),
        this.config.scoring,
        errors,
      ),
    );
    const limit = resolveBoardLimit(query.limit, format, errors);
    const cursor = query.cursor === undefined ? null : decodeBoardCursor(query.cursor);
    if (errors.length > 0) {
      // One message per field: each platform's period is resolved from the same `date`.
      throw new ValidationFailedException(
        errors.filter((e, i) => errors.findIndex((x) => x.message === e.message) === i),
      );
    }
    // The heaviest platform picks the period when none is given; every weighted one must have it.
    const lead = await requireScoreRun(this.db, resolved[0].key, resolved[0].period);
    const runs: Partial<Record<Platform, ScoreRun>> = { [platforms[0]]: lead };
    for (const r of resolved.slice(1)) {
      const run = await findScoreRun(this.db, r.key, lead.period);
      if (!run) throw scoreRunNotFound(r.key, lead.period);
      runs[r.key.platform] = run;
    }
    const input: CompositeInput = {
      runs,
      periodStart: lead.period.start,
      key: resolved[0].key,
      wciVersion,
      weights,
      normalize: query.normalize,
      filters: { region: query.region, tier: query.tier, level: query.level, sector: query.sector },
      principal,
    };
    const compute = () => this.compute(input, lead.period, limit, cursor);
    const cacheKey = JSON.stringify([
      platforms.map((p) => [runs[p]?.id, runs[p]?.previousRunId]),
      principal.regionCode,
      input.key,
      wciVersion,
      weights,
      input.normalize,
      input.filters,
      limit,
      cursor,
    ]);
    const board =
      limit > MAX_LEADERBOARD_PAGE ? await compute() : await this.cache.get(cacheKey, compute);
    if (format === 'json') return board;
    return exportFile(format, `organization-leaderboard-${board.period.key}`, [
      organizationTable(board),
    ]);
  }

  private async compute(
    input: CompositeInput,
    period: Period,
    limit: number,
    cursor: BoardCursor | null,
  ): Promise<OrganizationLeaderboardResponse> {
    const platforms = weightedPlatforms(input.weights);
    const previous = previousPeriod(period);
    const previousAvailable = platforms.every(
      (p) => (input.runs[p]?.previousRunId ?? null) !== null,
    );

    const c = new SqlConditions();
    const composite = compositeSql(c, input);
    const page: string[] = [];
    if (cursor) {
      page.push(
        `(ranked.rank > ${c.param(cursor.rank ?? 0)} OR (ranked.rank = ${c.param(cursor.rank ?? 0)} AND ranked.org_id > ${c.param(cursor.id)}))`,
      );
    }
    const [rows, [{ organizations }]] = await Promise.all([
      this.db.query<OrganizationRow[]>(
        `WITH ranked AS (${composite})
         SELECT ranked.*, ${ORGANIZATION_COLUMNS}
         FROM ranked ${ORGANIZATION_FROM}
         ${whereAll(page)}
         ORDER BY ranked.rank, ranked.org_id
         LIMIT ${limit + 1}`,
        c.params,
      ),
      this.countOrganizations(input),
    ]);
    const hasMore = rows.length > limit;
    const pageRows = hasMore ? rows.slice(0, limit) : rows;
    const previousRanks = previousAvailable
      ? await this.previousRanks(
          { ...input, periodStart: previous.start },
          pageRows.map((r) => r.org_id),
        )
      : new Map<number, number>();
    const last = pageRows.at(-1);
    return {
      period: toBoardPeriod(period, input.key.weekStart),
      previousPeriod: toBoardPeriod(previous, input.key.weekStart),
      previousAvailable,
      weights: input.weights,
      normalize: input.normalize,
      runs: {
        wechat: input.runs.wechat ? toScoreRunResponse(input.runs.wechat) : null,
        weibo: input.runs.weibo ? toScoreRunResponse(input.runs.weibo) : null,
      },
      organizations,
      items: pageRows.map((r) => toOrganizationEntry(r, platforms, input.weights, previousRanks)),
      nextCursor: hasMore && last ? encodeCursor({ value: last.rank, id: last.org_id }) : null,
    };
  }

  private async countOrganizations(input: CompositeInput): Promise<[{ organizations: number }]> {
    const c = new SqlConditions();
    const composite = compositeSql(c, input);
    return this.db.query(
      `SELECT count(*)::int AS organizations FROM (${composite}) ranked`,
      c.params,
    );
  }

  private async previousRanks(
    input: CompositeInput,
    orgIds: number[],
  ): Promise<Map<number, number>> {
    if (orgIds.length === 0) return new Map();
    const c = new SqlConditions();
    const composite = compositeSql(c, input);
    const rows = await this.db.query<{ org_id: number; rank: number }[]>(
      `SELECT org_id, rank FROM (${composite}) ranked WHERE org_id = ANY(${c.param(orgIds)}::int[])`,
      c.params,
    );
    return new Map(rows.map((r) => [r.org_id, r.rank]));
  }
}

function toOrganizationEntry(
  r: OrganizationRow,
  platforms: Platform[],
  weights: PlatformWeights,
  previousRanks: Map<number, number>,
): OrganizationBoardEntry {
  const byPlatform = new Map(r.platforms.map((p) => [p.platform, p]));
  const previousRank = previousRanks.get(r.org_id) ?? null;
  return {
    rank: r.rank,
    previousRank,
    rankChange: rankChange(r.rank, previousRank),
    organization: toBoardOrganization(r),
    composite: round2(Number(r.composite)),
    platforms: platforms.map((platform) => {
      const p = byPlatform.get(platform);
      return {
        platform,
        weight: weights[platform],
        normalized: p ? round2(p.normalized) : null,
        score: p?.score ?? null,
        accountId: p?.accountId ?? null,
        displayName: p?.displayName ?? null,
        accounts: p?.accounts ?? 0,
      };
    }),
    missingPlatforms: platforms.filter((p) => !byPlatform.has(p)),
    partial: r.partial,
    stale: r.stale,
  };
}

function organizationTable(
  board: OrganizationLeaderboardResponse,
): ExportTable<OrganizationBoardEntry> {
  const platforms = (Object.keys(board.weights) as Platform[]).filter((p) => board.weights[p] > 0);
  return {
    name: `单位综合排行 ${board.period.key}`,
    columns: [
      { header: '排名', value: (e) => e.rank },
      { header: '上期排名', value: (e) => e.previousRank },
      { header: '排名变化', value: (e) => e.rankChange },
      { header: '单位', value: (e) => e.organization.name },
      { header: '地区', value: (e) => e.organization.region?.label ?? '中央' },
      { header: '级别', value: (e) => LEVEL_LABELS[e.organization.level] },
      { header: '领域', value: (e) => e.organization.sectorLabel },
      { header: '综合得分', value: (e) => e.composite, numFmt: '0.00' },
      ...platforms.flatMap((platform) => {
        const label = PLATFORM_LABELS[platform];
        const of = (e: OrganizationBoardEntry) => e.platforms.find((p) => p.platform === platform);
        return [
          { header: `${label}账号`, value: (e: OrganizationBoardEntry) => of(e)?.displayName },
          {
            header: platform === 'wechat' ? 'WCI' : 'BCI',
            value: (e: OrganizationBoardEntry) => of(e)?.score,
            numFmt: '0.00',
          },
          {
            header: `${label}标准化得分`,
            value: (e: OrganizationBoardEntry) => of(e)?.normalized,
            numFmt: '0.00',
          },
        ];
      }),
      { header: '数据不完整', value: (e) => e.partial },
      { header: '停更', value: (e) => e.stale },
    ],
    rows: board.items,
  };
}
