import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ImportErrorResponse } from '../accounts/import/import.dto';
import { readImportUpload } from '../accounts/import/import-request';
import { RequireRole } from '../auth/access-policy.decorator';
import { type Actor, CurrentActor, CurrentPrincipal, type Principal } from '../auth/principal';
import { ASSESSMENT_COLUMNS } from './assessment-rows';
import {
  AssessmentBody,
  AssessmentImportQuery,
  AssessmentImportResponse,
  AssessmentListQuery,
  AssessmentPage,
  AssessmentWriteResponse,
  RecomputeFlagQuery,
} from './assessment.dto';
import { AssessmentsService } from './assessments.service';

@ApiTags('capability')
@Controller('api/v1/capability/editions/:id/assessments')
export class AssessmentsController {
  constructor(private readonly assessments: AssessmentsService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'List assessments',
    description:
      'By region code, then indicator; keyset pagination (limit, cursor); filters region (subtree) and indicator; limited to the key’s region scope.',
  })
  @ApiOkResponse({ type: AssessmentPage })
  list(
    @Param('id', ParseIntPipe) id: number,
    @Query() query: AssessmentListQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AssessmentPage> {
    return this.assessments.list(id, query, principal);
  }

  @Post('import')
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOperation({
    summary: 'Import assessments (CSV or JSON)',
    description:
      `Columns: ${ASSESSMENT_COLUMNS.join(', ')} (Chinese headers 地区代码, 地区, 指标, 得分, 评估人, 证据, 证据链接, 评估时间 are accepted; regionName is informative). ` +
      'indicator is the code of an assessed leaf of the current tree, or its name when unique; score 0–100; assessor required; evidence text and/or an http(s) evidenceUrl; assessedAt optional (default now). ' +
      'The region must be in the cohort with an account and inside the key’s region scope. Any invalid row: nothing is applied and every error is returned as {row, column, message}. ' +
      'dryRun=true counts without writing; recompute=true recomputes the results in the same transaction. A changed score marks existing results outdated.',
  })
  @ApiConsumes('text/csv', 'application/json', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: AssessmentImportResponse })
  @ApiBadRequestResponse({ type: ImportErrorResponse })
  @ApiPayloadTooLargeResponse({
    description: 'More rows than IMPORT_MAX_ROWS, or a body over BODY_LIMIT_BYTES.',
  })
  async import(
    @Param('id', ParseIntPipe) id: number,
    @Req() request: FastifyRequest,
    @Query() query: AssessmentImportQuery,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<AssessmentImportResponse> {
    const { content, format } = await readImportUpload(request, query.format);
    return this.assessments.importFile(id, content, format, query, principal, actor);
  }

  @Put(':regionCode/:indicatorCode')
  @RequireRole('analyst')
  @ApiOperation({
    summary: 'Enter or change one assessment',
    description:
      'Same rules as the import. A new or different score marks existing results outdated (recompute=true recomputes at once). 404 for a region that is not a province or prefecture, 409 REGION_NOT_OPENED for a region without an account, 403 outside the key’s scope.',
  })
  @ApiOkResponse({ type: AssessmentWriteResponse })
  @ApiNotFoundResponse({ description: 'EDITION_NOT_FOUND or REGION_NOT_FOUND' })
  @ApiConflictResponse({ description: 'REGION_NOT_OPENED' })
  put(
    @Param('id', ParseIntPipe) id: number,
    @Param('regionCode') regionCode: string,
    @Param('indicatorCode') indicatorCode: string,
    @Body() body: AssessmentBody,
    @Query() query: RecomputeFlagQuery,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<AssessmentWriteResponse> {
    return this.assessments.put(
      id,
      regionCode,
      indicatorCode,
      body,
      query.recompute,
      principal,
      actor,
    );
  }

  @Delete(':regionCode/:indicatorCode')
  @RequireRole('analyst')
  @ApiOperation({
    summary: 'Delete one assessment',
    description: 'Marks existing results outdated (recompute=true recomputes at once).',
  })
  @ApiOkResponse({ type: AssessmentWriteResponse })
  @ApiNotFoundResponse({ description: 'EDITION_NOT_FOUND or ASSESSMENT_NOT_FOUND' })
  remove(
    @Param('id', ParseIntPipe) id: number,
    @Param('regionCode') regionCode: string,
    @Param('indicatorCode') indicatorCode: string,
    @Query() query: RecomputeFlagQuery,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<AssessmentWriteResponse> {
    return this.assessments.remove(
      id,
      regionCode,
      indicatorCode,
      query.recompute,
      principal,
      actor,
    );
  }
}
