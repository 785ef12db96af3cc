import {
  Controller,
  Get,
  Headers,
  Param,
  ParseIntPipe,
  Query,
  type StreamableFile,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../auth/access-policy.decorator';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE } from '../exports/export-format';
import { FigureQuery, ReportQuery, ReportResponse } from './report.dto';
import { REPORT_FIGURES } from './report-export';
import { ReportService } from './report.service';

@ApiTags('capability')
@Controller('api/v1/capability/editions/:id')
export class ReportController {
  constructor(private readonly reports: ReportService) {}

  @Get('report')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'The report of one tier (JSON, CSV, XLSX)',
    description:
      'From the stored results: ranking with sub-indices (表2-7/2-8), sub-capability means (图2-20), band distribution with count, share of the tier (not-opened regions in the denominator), band mean and its difference to the tier mean in % (表2-9), ' +
      'difference-trend grades A/B/C/D split +/plain/− (seed 001), Ward clusters on the standardised leaf indicators (k, default 4) with per-cluster means, not-opened and unscored regions, ' +
      'the comparison with compareTo (rank and score changes, newly opened regions, sub-index changes) and, for the prefecture tier, the distribution by province. ' +
      'Scores are taken at their published two decimals. format=csv: UTF-8 with BOM, every table as a titled section (or only table=…); format=xlsx: one sheet per table with Chinese headers and numeric cells, plus a 说明 sheet. ' +
      'A region-scoped key sees only its regions listed; the tier’s aggregates (means, bands, grade cuts, cluster means) are those of the whole tier. results.outdated tells whether inputs changed since the last recompute.',
  })
  @ApiProduces('application/json', CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE)
  @ApiOkResponse({ type: ReportResponse })
  @ApiBadRequestResponse({
    description: 'Missing tier, bad format, k above the scored regions, compareTo = the edition.',
  })
  @ApiNotFoundResponse({ description: 'EDITION_NOT_FOUND (this or the compareTo edition)' })
  @ApiConflictResponse({ description: 'RESULTS_NOT_COMPUTED (this or the compareTo edition)' })
  report(
    @Param('id', ParseIntPipe) id: number,
    @Query() query: ReportQuery,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept?: string,
  ): Promise<Record<string, unknown> | StreamableFile> {
    return this.reports.report(id, query, principal, accept);
  }

  @Get('figures/:file')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'A report figure as SVG',
    description: `file is one of ${REPORT_FIGURES.map((f) => `${f}.svg`).join(', ')}; tier is required. Chinese labels; the region scope applies as in the report.`,
  })
  @ApiProduces('image/svg+xml')
  @ApiOkResponse({ description: 'SVG document', schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: 'EDITION_NOT_FOUND or FIGURE_NOT_FOUND' })
  figure(
    @Param('id', ParseIntPipe) id: number,
    @Param('file') file: string,
    @Query() query: FigureQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StreamableFile> {
    return this.reports.figure(id, file, query, principal);
  }
}
