import { Controller, Get, Headers, Query, type StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../../auth/access-policy.decorator';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE } from '../../exports/export-format';
import { LeaderboardQuery, LeaderboardResponse } from './leaderboard.dto';
import { LeaderboardService } from './leaderboard.service';
import {
  OrganizationLeaderboardQuery,
  OrganizationLeaderboardResponse,
} from './organization-leaderboard.dto';
import { OrganizationLeaderboardService } from './organization-leaderboard.service';

const NOT_FOUND =
  'No finished score run for the period (or, without date, for any period); the message says how to run POST /api/v1/scores/recompute.';

@ApiTags('leaderboards')
@Controller('api/v1/leaderboards')
export class LeaderboardsController {
  constructor(
    private readonly accounts: LeaderboardService,
    private readonly organizations: OrganizationLeaderboardService,
  ) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Account leaderboard (WCI, BCI, activity, followers, reads)',
    description:
      'Served from the precomputed account_scores of the latest finished score run of the period (run id, formula version and computedAt in `run`). ' +
      'Competition ranking ("1224"): ties broken by total reads, then max reads, then posts; equal on all share a rank, listed by account id. ' +
      'Unfiltered boards use the stored national rank; with region (whole subtree), tier, level, sector or accountType — or a region-scoped key — the filtered rows are re-ranked with a window function, and the previous period is re-ranked under the same filters. ' +
      'Each row has previousRank and rankChange, the score inputs (R, Rt, Rmax, n, 在看/likes/shares, followers …), activity, and quality flags (partial, stale, dormant, dataAsOf, lagDays) so a low rank caused by failed collection is visible. ' +
      'Accounts without a computable metric (e.g. no post: no WCI) follow the ranked ones with rank null. ' +
      'format=csv (UTF-8 with BOM) or xlsx, or an Accept header, downloads the board with Chinese headers (排名, 账号, 单位, 地区, WCI …). ' +
      'No finished run for the period: 404 SCORE_RUN_NOT_FOUND, whose message says to run POST /api/v1/scores/recompute.',
  })
  @ApiProduces('application/json', CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE)
  @ApiOkResponse({ type: LeaderboardResponse })
  @ApiBadRequestResponse({
    description:
      'Unknown metric, wci on weibo (or bci on wechat), a formula of the other platform, a bad date or period key, limit over 500 (JSON) / 50000 (files), or a bad cursor.',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  accountBoard(
    @Query() query: LeaderboardQuery,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept?: string,
  ): Promise<LeaderboardResponse | StreamableFile> {
    return this.accounts.board(query, principal, accept);
  }

  @Get('organizations')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Organization composite leaderboard across WeChat and Weibo',
    description:
      'For each weighted platform, the scored accounts of the period (filters and region scope applied) are made comparable first: ' +
      'normalize=percentile (default) gives 100 × the share of the platform’s other scored accounts with a lower score (best 100, worst 0, a lone account 100); ' +
      'normalize=minmax gives 100 × (score − min) / (max − min). An organization counts its best account per platform; ' +
      'composite = Σ weight × normalized ÷ Σ weight (weights default wechat:50,weibo:50), a platform without a scored account counting 0 (listed in missingPlatforms). ' +
      'Competition rank on the composite rounded to 2 decimals, ties by total reads, max reads and posts of the counted accounts, then organization id. ' +
      'Every weighted platform needs a finished run for the period. CSV/XLSX as for the account board.',
  })
  @ApiProduces('application/json', CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE)
  @ApiOkResponse({ type: OrganizationLeaderboardResponse })
  @ApiBadRequestResponse({ description: 'Bad weights, date, limit or cursor.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  organizationBoard(
    @Query() query: OrganizationLeaderboardQuery,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept?: string,
  ): Promise<OrganizationLeaderboardResponse | StreamableFile> {
    return this.organizations.board(query, principal, accept);
  }
}
