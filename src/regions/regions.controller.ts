import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/access-policy.decorator';
import { ListRegionsQuery, RegionResponse } from './region.dto';
import { RegionsService } from './regions.service';

@ApiTags('regions')
@Controller('api/v1/regions')
export class RegionsController {
  constructor(private readonly regions: RegionsService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'List GB/T 2260 regions',
    description:
      'The 31 province-level and 333 prefecture-level divisions with tier (直辖市, 省, 自治区, 副省级/省会, 地级市, 自治州, 地区, 盟) and NBS macro-region.',
  })
  @ApiOkResponse({ type: [RegionResponse] })
  list(@Query() query: ListRegionsQuery): Promise<RegionResponse[]> {
    return this.regions.list(query);
  }
}
