import { Module } from '@nestjs/common';
import { LeaderboardsController } from './leaderboards.controller';
import { LeaderboardService } from './leaderboard.service';
import { OrganizationLeaderboardService } from './organization-leaderboard.service';

/** Leaderboards over precomputed account_scores (api role). */
@Module({
  controllers: [LeaderboardsController],
  providers: [LeaderboardService, OrganizationLeaderboardService],
})
export class LeaderboardsModule {}
