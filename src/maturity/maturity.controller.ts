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
import { MaturityMatrixQuery, MaturityMatrixResponse } from './maturity.dto';
import { MaturityService } from './maturity.service';

@ApiTags('maturity')
@Controller('api/v1/maturity-matrix')
export class MaturityController {
  constructor(private readonly maturity: MaturityService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Maturity matrix (政务微信成熟矩阵) by sector, region or level',
    description:
      'Per group, from the precomputed account_scores of the period’s latest finished run: x = accounts, y = user activity ' +
      '(default the median reads per post per 1,000 followers; activity=activity_score|mean_score|reads_per_follower). ' +
      'Both axes split at the median of the groups (threshold=mean, or fixed "<accounts>,<activity>"); a value equal to its threshold counts as high. ' +
      'Quadrants as seed 003 names them: many+high active 活跃, few+high potential 潜力, few+low dormant 待激活, many+low to_promote 待推广. ' +
      'Each group has its previous-period quadrant (same rule) and its movement. Filters and the key’s region scope apply; format=csv|xlsx downloads it.',
  })
  @ApiProduces('application/json', CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE)
  @ApiOkResponse({ type: MaturityMatrixResponse })
  @ApiBadRequestResponse({ description: 'Bad platform, period, date, threshold or measure.' })
  @ApiNotFoundResponse({
    description: 'No finished score run for the period (run POST /api/v1/scores/recompute).',
  })
  matrix(
    @Query() query: MaturityMatrixQuery,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept?: string,
  ): Promise<MaturityMatrixResponse | StreamableFile> {
    return this.maturity.matrix(query, principal, accept);
  }
}
