import { Controller, Get, Param, ParseIntPipe, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../../auth/access-policy.decorator';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import {
  AccountMetricsQuery,
  AccountMetricsResponse,
  AccountPostsQuery,
  PostPage,
} from './account-metrics.dto';
import { AccountMetricsService } from './account-metrics.service';

@ApiTags('metrics')
@Controller('api/v1/accounts')
export class AccountMetricsController {
  constructor(private readonly metrics: AccountMetricsService) {}

  @Get(':id/metrics')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Daily, weekly or monthly metrics of an account',
    description:
      'Stored account_daily_metrics aggregated per day, ISO week (Monday–Sunday) or calendar month of Asia/Shanghai business dates. ' +
      'Default range: the 30 days ending yesterday. Every period is listed, gaps included (daysWithData 0, metrics null). ' +
      'followers is the last value in the period; other metrics are sums that stay null when no day has them (null is never 0). ' +
      'dataAsOf, lagDays and the collection health show how current the data is. 404 outside the key’s region scope.',
  })
  @ApiOkResponse({ type: AccountMetricsResponse })
  @ApiBadRequestResponse({
    description: 'Bad dates, from after to, or a range too long for the granularity.',
  })
  @ApiNotFoundResponse({ description: 'No such account in the key’s region scope.' })
  getMetrics(
    @Param('id', ParseIntPipe) id: number,
    @Query() query: AccountMetricsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AccountMetricsResponse> {
    return this.metrics.getMetrics(id, query, principal);
  }

  @Get(':id/posts')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Posts of an account with their latest counters',
    description:
      'Newest first (published_at, then post id), keyset pagination with limit and cursor; from/to filter by the Asia/Shanghai publication day. ' +
      'Each post carries its position in the push (1 = 头条), repost flag, and the latest stored snapshot of its counters with its age in days. ' +
      '404 outside the key’s region scope.',
  })
  @ApiOkResponse({ type: PostPage })
  @ApiNotFoundResponse({ description: 'No such account in the key’s region scope.' })
  listPosts(
    @Param('id', ParseIntPipe) id: number,
    @Query() query: AccountPostsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PostPage> {
    return this.metrics.listPosts(id, query, principal);
  }
}
