import { Body, Controller, Get, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../../auth/access-policy.decorator';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import {
  RecomputeResponse,
  RecomputeScoresDto,
  ScoreRunItem,
  ScoreRunPage,
  ScoreRunsQuery,
} from './score-runs.dto';
import { ScoreRunsService } from './score-runs.service';

@ApiTags('scores')
@Controller('api/v1/scores')
export class ScoreRunsController {
  constructor(private readonly scores: ScoreRunsService) {}

  @Post('recompute')
  @RequireRole('analyst')
  @ApiOperation({
    summary: 'Recompute scores of a period',
    description:
      'Scores one period now from stored snapshots (never live API calls), synchronously, for one platform or both: ' +
      'periodType plus either a date in the period (weekStart for weeks, default SCORING_WEEK_START) or its periodKey; ' +
      'formulaVersion defaults to SCORING_WCI_VERSION (WeChat) / bci-2021 (Weibo). Works for any past period; a recompute ' +
      'over unchanged inputs rewrites nothing (accounts = 0). Needs a key without region scope (ranks are national). Returns the runs.',
  })
  @ApiCreatedResponse({ type: RecomputeResponse })
  @ApiBadRequestResponse({
    description: 'Invalid period, period in the future, or a formula of the other platform.',
  })
  recompute(
    @Body() dto: RecomputeScoresDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RecomputeResponse> {
    return this.scores.recompute(dto, principal);
  }

  @Get('runs')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Score runs',
    description:
      'Score runs newest first, keyset-paginated: platform, period (type, key, start and end), week start, formula and activity versions, ' +
      'snapshot age, trigger (schedule, manual, data_change), status, rows written and accounts scored, cause, timing. ' +
      'Filters: platform, periodType, periodKey, formulaVersion, status, trigger, from/to (periods overlapping the range).',
  })
  @ApiOkResponse({ type: ScoreRunPage })
  @ApiBadRequestResponse({ description: 'Invalid filter or cursor.' })
  list(@Query() query: ScoreRunsQuery): Promise<ScoreRunPage> {
    return this.scores.list(query);
  }

  @Get('runs/:id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'A score run', description: 'One score run by id.' })
  @ApiOkResponse({ type: ScoreRunItem })
  @ApiNotFoundResponse({ description: 'No such score run.' })
  get(@Param('id', ParseIntPipe) id: number): Promise<ScoreRunItem> {
    return this.scores.get(id);
  }
}
