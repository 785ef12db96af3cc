import { Module } from '@nestjs/common';
import { MaturityController } from './maturity.controller';
import { MaturityService } from './maturity.service';

/** The maturity matrix over precomputed account_scores (api role). */
@Module({ controllers: [MaturityController], providers: [MaturityService] })
export class MaturityModule {}
