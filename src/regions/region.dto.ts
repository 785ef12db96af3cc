import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { MACRO_REGIONS, REGION_LEVELS, REGION_TIERS } from './region-catalog';
import type { MacroRegion, RegionLevel, RegionTier } from './region-catalog';
import type { Region } from './region.entity';

export class ListRegionsQuery {
  @ApiPropertyOptional({ enum: REGION_LEVELS, description: 'province (省级) or prefecture (地级)' })
  @IsOptional()
  @IsIn(REGION_LEVELS)
  level?: RegionLevel;

  @ApiPropertyOptional({ description: 'Only the direct children of this code', example: '510000' })
  @IsOptional()
  @Matches(/^[0-9]{6}$/, { message: 'parent must be a 6-digit GB/T 2260 code' })
  parent?: string;

  @ApiPropertyOptional({ enum: REGION_TIERS })
  @IsOptional()
  @IsIn(REGION_TIERS)
  tier?: RegionTier;

  @ApiPropertyOptional({
    enum: MACRO_REGIONS,
    description: '东部 east, 中部 central, 西部 west, 东北 northeast',
  })
  @IsOptional()
  @IsIn(MACRO_REGIONS)
  macroRegion?: MacroRegion;
}

export class RegionResponse {
  @ApiProperty({ example: '510100' }) code!: string;
  @ApiProperty({ example: '成都市' }) name!: string;
  @ApiProperty({ enum: REGION_LEVELS }) level!: RegionLevel;
  @ApiProperty({ nullable: true, type: String, example: '510000' }) parentCode!: string | null;
  @ApiProperty({ enum: REGION_TIERS }) tier!: RegionTier;
  @ApiProperty({ enum: MACRO_REGIONS }) macroRegion!: MacroRegion;
}

export function toRegionResponse(region: Region): RegionResponse {
  return {
    code: region.code,
    name: region.name,
    level: region.level,
    parentCode: region.parentCode,
    tier: region.tier,
    macroRegion: region.macroRegion,
  };
}
