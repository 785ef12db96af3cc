import { Controller, Get, Headers, Query, type StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../auth/access-policy.decorator';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE } from '../exports/export-format';
import { DistributionQuery, DistributionResponse } from './distribution.dto';
import { DistributionService } from './distribution.service';

@ApiTags('stats')
@Controller('api/v1/stats')
export class StatsController {
  constructor(private readonly distributions: DistributionService) {}

  @Get('distribution')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Account distribution by province, level, sector or account type',
    description:
      'Per group, from the period’s latest finished score run: accounts and share %, total and mean followers (at the period end), accounts with ≥ 1,000,000 followers, total reads, ' +
      '10万+ articles (posts published in the period whose stored snapshot at the run’s age — T+7, or T+1 then T+2 for a day — has ≥ 100001 reads) and accounts with a 10万+ post, ' +
      'and growth against the same period a year earlier (periods.ts samePeriodLastYear; null without a run for it). Filters and the key’s region scope apply; format=csv|xlsx downloads it.',
  })
  @ApiProduces('application/json', CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE)
  @ApiOkResponse({ type: DistributionResponse })
  @ApiBadRequestResponse({ description: 'Bad platform, period, date or grouping.' })
  @ApiNotFoundResponse({
    description: 'No finished score run for the period (run POST /api/v1/scores/recompute).',
  })
  distribution(
    @Query() query: DistributionQuery,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept?: string,
  ): Promise<DistributionResponse | StreamableFile> {
    return this.distributions.distribution(query, principal, accept);
  }
}
