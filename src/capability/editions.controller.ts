import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../auth/access-policy.decorator';
import { type Actor, CurrentActor, CurrentPrincipal, type Principal } from '../auth/principal';
import { CursorPageQuery } from '../common/pagination';
import {
  CohortChangeResponse,
  CohortResponse,
  RequiredTierQuery,
  SetCohortBody,
  TierQuery,
} from './cohort.dto';
import { CohortService } from './cohort.service';
import {
  CreateEditionBody,
  EditionPage,
  EditionResponse,
  PresetResponse,
  RebuildCohortBody,
  TreeBody,
  TreeQuery,
  TreeResponse,
  UpdateEditionBody,
} from './edition.dto';
import { EditionsService } from './editions.service';
import { ResultsResponse, RunResponse } from './results.dto';
import { ResultsService } from './results.service';

const NATIONAL = 'Editions are national: a region-scoped key gets 403 OUT_OF_REGION_SCOPE.';

@ApiTags('capability')
@Controller('api/v1/capability')
export class EditionsController {
  constructor(
    private readonly editions: EditionsService,
    private readonly cohort: CohortService,
    private readonly results: ResultsService,
  ) {}

  @Get('presets')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Indicator-tree presets',
    description:
      'The trees an edition can start from: seed000-five-capabilities (信息服务, 事务服务, 参与服务, 服务提供, 微信影响力; equal weights) and seed001-three-level (3/9/31 indicators with the seed’s weights).',
  })
  @ApiOkResponse({ type: [PresetResponse] })
  presets(): PresetResponse[] {
    return this.editions.presets();
  }

  @Get('editions')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'List editions',
    description: 'Newest first; keyset pagination with limit and cursor.',
  })
  @ApiOkResponse({ type: EditionPage })
  list(@Query() query: CursorPageQuery): Promise<EditionPage> {
    return this.editions.list(query);
  }

  @Post('editions')
  @RequireRole('analyst')
  @ApiOperation({
    summary: 'Create an edition',
    description:
      'From a preset (preset) or a tree (tree), with the period (period key or periodStart/periodEnd), normalisation (default min-max), WCI formula (default wci-v14.2), bands and grade letters. ' +
      'The cohort is built automatically (cohort=auto: each region’s main 党委/政府办 WeChat account, see README) or left empty. ' +
      `An invalid tree is 400 INDICATOR_TREE_INVALID with every problem as {path, message}. ${NATIONAL}`,
  })
  @ApiCreatedResponse({ type: EditionResponse })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED or INDICATOR_TREE_INVALID' })
  @ApiConflictResponse({ description: 'EDITION_CODE_TAKEN' })
  create(
    @Body() body: CreateEditionBody,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<EditionResponse> {
    return this.editions.create(body, principal, actor);
  }

  @Get('editions/:id')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'One edition',
    description:
      'Settings, tree version, cohort counts and the state of its results (outdated or not).',
  })
  @ApiOkResponse({ type: EditionResponse })
  @ApiNotFoundResponse({ description: 'EDITION_NOT_FOUND' })
  get(@Param('id', ParseIntPipe) id: number): Promise<EditionResponse> {
    return this.editions.get(id);
  }

  @Patch('editions/:id')
  @RequireRole('analyst')
  @ApiOperation({
    summary: 'Change an edition’s settings',
    description:
      'name, period, normalisation, formulaVersion, bands, gradeLetters. A change of period, formula, normalisation or bands marks existing results outdated; a new period re-applies the automatic cohort rule (explicit regions kept). ' +
      NATIONAL,
  })
  @ApiOkResponse({ type: EditionResponse })
  @ApiNotFoundResponse({ description: 'EDITION_NOT_FOUND' })
  update(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: UpdateEditionBody,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<EditionResponse> {
    return this.editions.update(id, body, principal, actor);
  }

  @Delete('editions/:id')
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Delete an edition',
    description: `Deletes the edition with its trees, cohort, assessments and results (audited). ${NATIONAL}`,
  })
  @ApiOkResponse({ type: EditionResponse })
  @ApiNotFoundResponse({ description: 'EDITION_NOT_FOUND' })
  remove(
    @Param('id', ParseIntPipe) id: number,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<EditionResponse> {
    return this.editions.remove(id, principal, actor);
  }

  @Get('editions/:id/tree')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'The indicator tree (a version)',
    description: 'The current version, or ?version=; with every leaf’s effective weight.',
  })
  @ApiOkResponse({ type: TreeResponse })
  @ApiNotFoundResponse({ description: 'EDITION_NOT_FOUND or TREE_VERSION_NOT_FOUND' })
  getTree(@Param('id', ParseIntPipe) id: number, @Query() query: TreeQuery): Promise<TreeResponse> {
    return this.editions.getTree(id, query.version);
  }

  @Put('editions/:id/tree')
  @RequireRole('analyst')
  @ApiOperation({
    summary: 'Replace the indicator tree (new version)',
    description:
      'Sibling weights must sum to 1; leaves are assessed, or measured with a source (influence, update_frequency, days_without_update, timeliness). ' +
      `A tree equal to the current one changes nothing; otherwise it becomes version n+1 and results are marked outdated. 400 INDICATOR_TREE_INVALID lists every problem. ${NATIONAL}`,
  })
  @ApiOkResponse({ type: TreeResponse })
  @ApiBadRequestResponse({ description: 'INDICATOR_TREE_INVALID' })
  putTree(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: TreeBody,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<TreeResponse> {
    return this.editions.putTree(id, body.tree, principal, actor);
  }

  @Get('editions/:id/cohort')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'The cohort: which account represents which region',
    description:
      'Every province and prefecture (≤ 364 rows, not paginated), filtered by tier and by the key’s region scope; account null = 未开通.',
  })
  @ApiOkResponse({ type: CohortResponse })
  cohortList(
    @Param('id', ParseIntPipe) id: number,
    @Query() query: TierQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CohortResponse> {
    return this.cohort.list(id, query.tier, principal);
  }

  @Put('editions/:id/cohort')
  @RequireRole('analyst')
  @ApiOperation({
    summary: 'Set regions of the cohort explicitly',
    description:
      'entries: [{regionCode, accountId|null}] (≤ 400). The account must be a WeChat account of an organization in exactly that region; null marks the region not opened. ' +
      'All or nothing (400 with every entry’s problem); explicit regions survive a rebuild. Changes mark results outdated. Regions outside the key’s scope are refused.',
  })
  @ApiOkResponse({ type: CohortChangeResponse })
  cohortSet(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: SetCohortBody,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<CohortChangeResponse> {
    return this.cohort.setEntries(id, body, principal, actor);
  }

  @Post('editions/:id/cohort/rebuild')
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOperation({
    summary: 'Re-apply the automatic cohort rule',
    description: `keepExplicit (default true) leaves explicit regions alone. Changes mark results outdated. ${NATIONAL}`,
  })
  @ApiOkResponse({ type: CohortChangeResponse })
  cohortRebuild(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: RebuildCohortBody,
    @CurrentPrincipal() principal: Principal,
    @CurrentActor() actor: Actor,
  ): Promise<CohortChangeResponse> {
    return this.cohort.rebuild(id, body.keepExplicit ?? true, principal, actor);
  }

  @Post('editions/:id/recompute')
  @HttpCode(200)
  @RequireRole('analyst')
  @ApiOperation({
    summary: 'Recompute the edition’s results',
    description:
      'Reads the cohort, assessments and measured inputs (WCI of the period from account_scores, activity from posts, custom menus from account_menu_snapshots), computes every region’s total, sub-indices, rank and band per tier, and replaces the results (they record the tree version and normalisation). Clears the outdated flag. When the tree has a menu_presence leaf, the menus due (valid wechat_app credential, no snapshot of the last 30 days) are read from WeChat first; `menus` counts them, and a failed read leaves the leaf missing with its reason in measures.menu.',
  })
  @ApiOkResponse({ type: RunResponse })
  @ApiNotFoundResponse({ description: 'EDITION_NOT_FOUND' })
  recompute(
    @Param('id', ParseIntPipe) id: number,
    @CurrentActor() actor: Actor,
  ): Promise<RunResponse> {
    return this.results.recompute(id, actor.name, 'manual');
  }

  @Get('editions/:id/results')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Results of one tier',
    description:
      'Every region of the tier (≤ 333, not paginated): ranked regions first, then opened regions missing leaves, then not opened; with sub-indices, all node scores, leaf values, measured inputs, tree version and normalisation. ' +
      'results.outdated says whether inputs changed since (an assessment, the tree, the cohort, settings, or the period’s WCI rows). Rows are limited to the key’s region scope. 409 RESULTS_NOT_COMPUTED before the first recompute.',
  })
  @ApiOkResponse({ type: ResultsResponse })
  @ApiConflictResponse({ description: 'RESULTS_NOT_COMPUTED' })
  resultsOf(
    @Param('id', ParseIntPipe) id: number,
    @Query() query: RequiredTierQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ResultsResponse> {
    return this.results.results(id, query.tier, principal);
  }
}
