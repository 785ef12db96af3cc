import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PLATFORMS, type Platform } from '../../accounts/account-taxonomy';
import type { Principal } from '../../auth/principal';
import { businessDate } from '../../common/business-date';
import { ValidationFailedException } from '../../common/domain.exception';
import { encodeCursor } from '../../common/cursor';
import { keyset, type PageQuery, toKeysetPage } from '../../common/pagination';
import { SqlConditions } from '../../common/sql-builder';
import { CLOCK, type Clock } from '../../collection/schedule-tick.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DEFAULT_BCI_VERSION } from '../formulas/bci';
import { type Period, parsePeriodKey } from '../periods';
import type {
  RecomputeResponse,
  RecomputeScoresDto,
  ScoreRunItem,
  ScoreRunPage,
  ScoreRunsQuery,
} from './score-runs.dto';
import { ScoreRunsErrorCode, ScoreRunsException } from './score-runs.exception';
import { resolvePeriod } from './score-periods';
import type { FormulaVersion } from './score-run.sql';
import {
  SELECT_SCORE_RUN,
  ScoreRunService,
  type ScoreRunRow,
  formulaVersionsFor,
  toScoreRunRecord,
} from './score-run.service';

/** The score run endpoints: manual recompute, and the run list and detail. */
@Injectable()
export class ScoreRunsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: ScoreRunService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * POST /api/v1/scores/recompute: the period, for the given or both platforms, synchronously.
   * Ranks are national, so a region-scoped key may not recompute them.
   */
  async recompute(dto: RecomputeScoresDto, principal: Principal): Promise<RecomputeResponse> {
    if (principal.regionCode !== null) {
      throw new ScoreRunsException(
        ScoreRunsErrorCode.OutOfScope,
        'Score runs rank every account nationally; recompute needs a key without a region scope.',
      );
    }
    const { period, platforms } = this.plan(dto);
    const runs: ScoreRunItem[] = [];
    for (const platform of platforms) {
      runs.push(
        await this.runs.run({
          platform,
          period,
          formulaVersion: dto.formulaVersion ?? this.defaultVersion(platform),
          trigger: 'manual',
          requestedBy: `key:${principal.name}`,
        }),
      );
    }
    return { runs };
  }

  private plan(dto: RecomputeScoresDto): { period: Period; platforms: Platform[] } {
    const errors: { field: string; message: string }[] = [];
    if ((dto.date === undefined) === (dto.periodKey === undefined)) {
      errors.push({ field: 'date', message: 'give exactly one of date and periodKey' });
    }
    if (dto.weekStart !== undefined && (dto.periodType !== 'week' || dto.date === undefined)) {
      errors.push({
        field: 'weekStart',
        message: 'weekStart applies to weeks given by date (a periodKey fixes the week start)',
      });
    }
    const platforms = (dto.platform ? [dto.platform] : [...PLATFORMS]).filter(
      (p) => dto.formulaVersion === undefined || formulaVersionsFor(p).includes(dto.formulaVersion),
    );
    if (platforms.length === 0) {
      errors.push({
        field: 'formulaVersion',
        message: `${dto.formulaVersion} is not a formula of ${dto.platform}: WeChat uses wci-*, Weibo bci-2021`,
      });
    }
    if (errors.length > 0) throw new ValidationFailedException(errors);
    const resolved = resolvePeriod(
      dto.periodKey !== undefined
        ? { periodType: dto.periodType, periodKey: dto.periodKey }
        : {
            periodType: dto.periodType,
            date: dto.date as string,
            weekStart: dto.weekStart ?? this.config.scoring.weekStart,
          },
      businessDate(this.clock.now()),
    );
    if ('field' in resolved) throw new ValidationFailedException([resolved]);
    return { period: resolved.period, platforms };
  }

  private defaultVersion(platform: Platform): FormulaVersion {
    return platform === 'wechat' ? this.config.scoring.wciVersion : DEFAULT_BCI_VERSION;
  }

  /** GET /api/v1/scores/runs: newest first, keyset on id. */
  async list(query: ScoreRunsQuery): Promise<ScoreRunPage> {
    const c = new SqlConditions();
    if (query.platform) c.where((p) => `r.platform = ${p}`, query.platform);
    if (query.periodType) c.where((p) => `r.period_type = ${p}`, query.periodType);
    if (query.periodKey) {
      if (parsePeriodKey(query.periodKey) === null) {
        throw new ValidationFailedException([
          { field: 'periodKey', message: `${query.periodKey} is not a canonical period key` },
        ]);
      }
      c.where((p) => `r.period_key = ${p}`, query.periodKey);
    }
    if (query.formulaVersion) c.where((p) => `r.formula_version = ${p}`, query.formulaVersion);
    if (query.status) c.where((p) => `r.status = ${p}`, query.status);
    if (query.trigger) c.where((p) => `r.trigger = ${p}`, query.trigger);
    if (query.from) c.where((p) => `r.period_end >= ${p}::date`, query.from);
    if (query.to) c.where((p) => `r.period_start <= ${p}::date`, query.to);
    const page: PageQuery = { limit: query.limit, cursor: query.cursor, order: 'desc' };
    const { orderBy, cursorSelect } = keyset(
      c,
      { expression: 'r.id', type: 'integer' },
      'r.id',
      page,
    );
    const rows = await this.dataSource.query<(ScoreRunRow & { cursor_value: string })[]>(
      `${SELECT_SCORE_RUN.replace(' FROM score_runs r', `, ${cursorSelect} FROM score_runs r`)}
       ${c.toSql()} ${orderBy}`,
      c.params,
    );
    return toKeysetPage(rows, query.limit, toScoreRunRecord, (last) =>
      encodeCursor({ value: last.cursor_value, id: Number(last.id) }),
    );
  }

  async get(id: number): Promise<ScoreRunItem> {
    const [row] = await this.dataSource.query<ScoreRunRow[]>(
      `${SELECT_SCORE_RUN} WHERE r.id = $1`,
      [id],
    );
    if (!row) {
      throw new ScoreRunsException(
        ScoreRunsErrorCode.RunNotFound,
        `Score run ${id} does not exist.`,
      );
    }
    return toScoreRunRecord(row);
  }
}
