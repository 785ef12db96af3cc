import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Optional,
  Param,
  ParseIntPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireRole } from '../../auth/access-policy.decorator';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { businessDate } from '../../common/business-date';
import { ValidationFailedException } from '../../common/domain.exception';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { COLLECTION_DISPATCHER, type CollectionDispatcher } from './collection-dispatcher';
import {
  BackfillDto,
  BackfillResponse,
  BackfillRunItem,
  BackfillRunPage,
  BackfillRunsQuery,
  CollectionHealthQuery,
  CollectionHealthResponse,
  ScheduleRunPage,
  ScheduleRunsQuery,
  TriggerCollectionDto,
  TriggerResponse,
} from './collection-health.dto';
import {
  CollectionHealthErrorCode,
  CollectionHealthException,
  CollectionHealthService,
} from './collection-health.service';

@ApiTags('collection')
@Controller('api/v1/collection')
export class CollectionHealthController {
  constructor(
    private readonly health: CollectionHealthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional()
    @Inject(COLLECTION_DISPATCHER)
    private readonly dispatcher: CollectionDispatcher | null = null,
  ) {}

  @Get('health')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Collection health',
    description:
      'Summary of active accounts by platform and by province (counts per state, up/down, stale, oldest and newest data_as_of) ' +
      'and a keyset-paginated per-account list (up, data_as_of, stale flag, last error, consecutive failures, credential state). ' +
      'Filters: platform, region subtree (both apply to the summary too) and state (list only; never = not collected yet). ' +
      'Region-scoped keys see only their subtree. Daily data older than yesterday (Asia/Shanghai) is stale.',
  })
  @ApiOkResponse({ type: CollectionHealthResponse })
  @ApiBadRequestResponse({ description: 'Invalid filter or cursor.' })
  getHealth(
    @Query() query: CollectionHealthQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CollectionHealthResponse> {
    return this.health.health(query, principal);
  }

  @Get('runs')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Scheduled runs',
    description:
      'The scheduler-of-record ledger (one row per schedule and slot), newest slot first, keyset-paginated. ' +
      'Filter by schedule and outcome (ok, failed, running = not finished, or its replica died).',
  })
  @ApiOkResponse({ type: ScheduleRunPage })
  @ApiBadRequestResponse({ description: 'Invalid filter or cursor.' })
  runs(@Query() query: ScheduleRunsQuery): Promise<ScheduleRunPage> {
    return this.health.runs(query);
  }

  @Get('backfills')
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'Backfill runs',
    description:
      'Newest first, keyset-paginated, with progress: account-days done of total, percent, rate (account-days/s since creation) and ETA.',
  })
  @ApiOkResponse({ type: BackfillRunPage })
  backfills(@Query() query: BackfillRunsQuery): Promise<BackfillRunPage> {
    return this.health.backfills(query);
  }

  @Get('backfills/:id')
  @RequireRole('viewer')
  @ApiOperation({ summary: 'A backfill run', description: 'One run with its progress.' })
  @ApiOkResponse({ type: BackfillRunItem })
  @ApiNotFoundResponse({ description: 'No such backfill run.' })
  backfill(@Param('id', ParseIntPipe) id: number): Promise<BackfillRunItem> {
    return this.health.backfill(id);
  }

  @Post('trigger')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Trigger collection now',
    description:
      'Enqueues collection jobs for one task (default: all) and some accounts (default: all active accounts in the key’s scope), ' +
      'up to a business day (default: the task’s usual day). reset=true re-arms dead-lettered accounts first. Returns 202 with the jobs enqueued.',
  })
  @ApiAcceptedResponse({ type: TriggerResponse })
  @ApiBadRequestResponse({ description: 'Invalid or unknown fields.' })
  @ApiServiceUnavailableResponse({ description: 'This process does not dispatch collection.' })
  trigger(
    @Body() dto: TriggerCollectionDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TriggerResponse> {
    if (dto.day !== undefined && dto.day > businessDate()) {
      throw new ValidationFailedException([
        { field: 'day', message: 'day must not be after today (Asia/Shanghai)' },
      ]);
    }
    return this.requireDispatcher().trigger(
      {
        ...(dto.task !== undefined ? { task: dto.task } : {}),
        ...(dto.accountIds !== undefined ? { accountIds: [...new Set(dto.accountIds)] } : {}),
        ...(dto.day !== undefined ? { day: dto.day } : {}),
        ...(dto.reset !== undefined ? { reset: dto.reset } : {}),
      },
      principal,
    );
  }

  @Post('backfill')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Start a backfill',
    description:
      'Collects the last `days` business days (default BACKFILL_DAYS, at most 365) for some accounts (default: all active accounts in the key’s scope). ' +
      'Returns 202 with the backfill run to follow at GET /api/v1/collection/backfills/{runId}.',
  })
  @ApiAcceptedResponse({ type: BackfillResponse })
  @ApiBadRequestResponse({ description: 'Invalid or unknown fields.' })
  @ApiServiceUnavailableResponse({ description: 'This process does not dispatch collection.' })
  startBackfill(
    @Body() dto: BackfillDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<BackfillResponse> {
    return this.requireDispatcher().backfill(
      {
        ...(dto.accountIds !== undefined ? { accountIds: [...new Set(dto.accountIds)] } : {}),
        days: dto.days ?? this.config.collection.backfillDays,
      },
      principal,
    );
  }

  private requireDispatcher(): CollectionDispatcher {
    if (!this.dispatcher) {
      throw new CollectionHealthException(
        CollectionHealthErrorCode.DispatchUnavailable,
        HttpStatus.SERVICE_UNAVAILABLE,
        'Collection dispatch is not configured on this process.',
      );
    }
    return this.dispatcher;
  }
}
