import { Module } from '@nestjs/common';
import { DistributionService } from './distribution.service';
import { StatsController } from './stats.controller';

/** Distributions of accounts over precomputed account_scores (api role). */
@Module({ controllers: [StatsController], providers: [DistributionService] })
export class StatsModule {}
