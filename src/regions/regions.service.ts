import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import { type ListRegionsQuery, type RegionResponse, toRegionResponse } from './region.dto';
import { Region } from './region.entity';
import { syncRegions } from './region-sync';

@Injectable()
export class RegionsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RegionsService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const changed = await syncRegions(this.dataSource);
    if (changed > 0) this.logger.log(`regions: ${changed} GB/T 2260 rows inserted or updated`);
  }

  async list(query: ListRegionsQuery): Promise<RegionResponse[]> {
    const where: FindOptionsWhere<Region> = {};
    if (query.level) where.level = query.level;
    if (query.parent) where.parentCode = query.parent;
    if (query.tier) where.tier = query.tier;
    if (query.macroRegion) where.macroRegion = query.macroRegion;
    const regions = await this.dataSource
      .getRepository(Region)
      .find({ where, order: { code: 'ASC' } });
    return regions.map(toRegionResponse);
  }
}
