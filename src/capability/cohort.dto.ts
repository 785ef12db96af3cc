import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CAPABILITY_TIERS, type CapabilityTier } from './edition-results';

export class TierQuery {
  @ApiPropertyOptional({
    enum: CAPABILITY_TIERS,
    description: '直辖市, 省级 (省 + 自治区) or 地级.',
  })
  @IsOptional()
  @IsIn(CAPABILITY_TIERS)
  tier?: CapabilityTier;
}

export class RequiredTierQuery {
  @ApiProperty({ enum: CAPABILITY_TIERS, description: '直辖市, 省级 (省 + 自治区) or 地级.' })
  @IsIn(CAPABILITY_TIERS, { message: `tier must be one of ${CAPABILITY_TIERS.join(', ')}` })
  tier!: CapabilityTier;
}

export class CohortEntryBody {
  @ApiProperty({ example: '510000' })
  @Matches(/^\d{6}$/, { message: 'regionCode must be a 6-digit GB/T 2260 code' })
  regionCode!: string;

  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'The WeChat account that represents the region; null: the region has none (未开通).',
  })
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  accountId!: number | null;
}

export class SetCohortBody {
  @ApiProperty({ type: [CohortEntryBody] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(400)
  @ValidateNested({ each: true })
  @Type(() => CohortEntryBody)
  entries!: CohortEntryBody[];
}

export class CohortAccountResponse {
  @ApiProperty() id!: number;
  @ApiProperty() displayName!: string;
  @ApiProperty({ nullable: true, type: String }) wechatOriginalId!: string | null;
  @ApiProperty({ nullable: true, type: String }) wechatAppId!: string | null;
  @ApiProperty() status!: string;
  @ApiProperty() organizationName!: string;
}

export class CohortEntryResponse {
  @ApiProperty() regionCode!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CAPABILITY_TIERS }) tier!: CapabilityTier;
  @ApiProperty() provinceCode!: string;
  @ApiProperty() provinceName!: string;
  @ApiProperty({ description: 'false: 未开通 (still counted in shares)' }) opened!: boolean;
  @ApiProperty({ enum: ['auto', 'explicit'] }) source!: string;
  @ApiProperty({ type: CohortAccountResponse, nullable: true })
  account!: CohortAccountResponse | null;
}

export class CohortResponse {
  @ApiProperty() editionId!: number;
  @ApiProperty({ type: [CohortEntryResponse] }) items!: CohortEntryResponse[];
}

export class CohortChangeResponse {
  @ApiProperty({ description: 'Regions whose account changed' }) changed!: number;
  @ApiProperty({ description: 'Whether existing results were marked outdated' })
  resultsOutdated!: boolean;
}

export interface CohortRow {
  region_code: string;
  name: string;
  tier: CapabilityTier;
  province_code: string;
  province_name: string;
  account_id: number | null;
  source: string;
  account_name: string | null;
  wechat_original_id: string | null;
  wechat_app_id: string | null;
  account_status: string | null;
  organization_name: string | null;
}

export function toCohortEntry(row: CohortRow): CohortEntryResponse {
  return {
    regionCode: row.region_code,
    name: row.name,
    tier: row.tier,
    provinceCode: row.province_code,
    provinceName: row.province_name,
    opened: row.account_id !== null,
    source: row.source,
    account:
      row.account_id === null
        ? null
        : {
            id: row.account_id,
            displayName: row.account_name!,
            wechatOriginalId: row.wechat_original_id,
            wechatAppId: row.wechat_app_id,
            status: row.account_status!,
            organizationName: row.organization_name!,
          },
  };
}
