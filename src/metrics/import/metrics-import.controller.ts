import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ImportErrorResponse } from '../../accounts/import/import.dto';
import { readImportUpload } from '../../accounts/import/import-request';
import { RequireRole } from '../../auth/access-policy.decorator';
import { type Actor, CurrentActor, CurrentPrincipal, type Principal } from '../../auth/principal';
import { METRIC_IMPORT_COLUMNS } from './metric-import-columns';
import { MetricsImportQuery, MetricsImportResultResponse } from './metrics-import.dto';
import { MetricsImportService } from './metrics-import.service';

@ApiTags('metrics')
@Controller('api/v1/metrics')
export class MetricsImportController {
  constructor(private readonly importer: MetricsImportService) {}

  @Post('import')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Import daily account metrics or post metrics (CSV or JSON)',
    description:
      'Manual and vendor data for accounts without credentials, written with the same upserts as collection, in one transaction. ' +
      `kind=daily columns: ${METRIC_IMPORT_COLUMNS.daily.join(', ')}. ` +
      `kind=posts columns (one row per post observation): ${METRIC_IMPORT_COLUMNS.posts.join(', ')}. ` +
      'A row names its account by accountId or any platform id; Chinese headers (账号ID, 日期, 粉丝数, 阅读数, 在看, 发布时间, 标题 …) are accepted. ' +
      'Counters are non-negative whole numbers; an empty cell is NULL (not 0) and keeps a stored value; reads accept 10万+ (stored as 100001). ' +
      'Send text/csv (UTF-8, BOM optional), application/json (array or {rows}) or a multipart file. ' +
      'Any invalid row (including accounts outside the key’s region scope and keys repeated in the file): nothing is applied and every error is returned with its row and column.',
  })
  @ApiConsumes('text/csv', 'application/json', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: MetricsImportResultResponse })
  @ApiBadRequestResponse({ type: ImportErrorResponse })
  @ApiPayloadTooLargeResponse({
    description: 'More rows than IMPORT_MAX_ROWS, or a body over BODY_LIMIT_BYTES.',
  })
  async import(
    @Req() request: FastifyRequest,
    @Query() query: MetricsImportQuery,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<MetricsImportResultResponse> {
    const { content, format } = await readImportUpload(request, query.format);
    return this.importer.importMetrics(content, format, query, principal, actor);
  }
}
