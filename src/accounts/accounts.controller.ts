import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { RequireRole } from '../auth/access-policy.decorator';
import { type Actor, CurrentActor, CurrentPrincipal, type Principal } from '../auth/principal';
import {
  AccountPage,
  AccountResponse,
  CloseAccountDto,
  CreateAccountDto,
  ListAccountsQuery,
  UpdateAccountDto,
} from './account.dto';
import { AccountsService } from './accounts.service';
import { AccountImportService } from './import/account-import.service';
import { ImportErrorResponse, ImportQuery, ImportResultResponse } from './import/import.dto';
import { IMPORT_COLUMNS } from './import/import-row.validator';
import { readImportUpload } from './import/import-request';

@ApiTags('accounts')
@Controller('api/v1/accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly importer: AccountImportService,
  ) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'List accounts',
    description:
      'Filters: platform, region subtree, level, sector, status, type, data source, tags, text. Keyset pagination.',
  })
  @ApiOkResponse({ type: AccountPage })
  list(
    @Query() query: ListAccountsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AccountPage> {
    return this.accounts.list(query, principal);
  }

  @Post('import')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Bulk import accounts (CSV or JSON)',
    description:
      `Creates or updates accounts (matched by any platform id) and creates missing organizations, in one transaction. ` +
      `Columns: ${IMPORT_COLUMNS.join(', ')} (Chinese headers such as 平台, 原始ID, 账号名称, 单位, 地区代码, 行政级别, 领域 are accepted). ` +
      'Send text/csv (UTF-8, BOM optional), application/json (array or {rows}) or a multipart file. ' +
      'Any invalid row: nothing is applied and every error is returned with its row and column.',
  })
  @ApiConsumes('text/csv', 'application/json', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: ImportResultResponse })
  @ApiBadRequestResponse({ type: ImportErrorResponse })
  async import(
    @Req() request: FastifyRequest,
    @Query() query: ImportQuery,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<ImportResultResponse> {
    const { content, format } = await readImportUpload(request, query.format);
    return this.importer.importAccounts(content, format, query.dryRun, principal, actor);
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Get an account',
    description: 'With its organization and region. 404 outside the key’s region scope.',
  })
  @ApiOkResponse({ type: AccountResponse })
  @ApiNotFoundResponse({ description: 'No such account in the key’s region scope.' })
  get(
    @Param('id', ParseIntPipe) id: number,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AccountResponse> {
    return this.accounts.get(id, principal);
  }

  @Post()
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Register an account',
    description: 'Platform ids are unique. Audited.',
  })
  @ApiCreatedResponse({ type: AccountResponse })
  create(
    @Body() dto: CreateAccountDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<AccountResponse> {
    return this.accounts.create(dto, principal, actor);
  }

  @Patch(':id')
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Update an account',
    description:
      'Only the fields sent change; status active/paused reopens a closed account. Audited.',
  })
  @ApiOkResponse({ type: AccountResponse })
  update(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: UpdateAccountDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<AccountResponse> {
    return this.accounts.update(id, dto, principal, actor);
  }

  @Post(':id/close')
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Close an account',
    description: 'Stops collection; history is kept. Audited.',
  })
  @ApiOkResponse({ type: AccountResponse })
  close(
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: CloseAccountDto,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<AccountResponse> {
    return this.accounts.close(id, dto, principal, actor);
  }
}
