import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsCalendarDate } from '../common/calendar-date';
import { PageMeta, PageQuery } from '../common/pagination';
import { ADMIN_LEVELS, SECTORS, SECTOR_LABELS } from './account-taxonomy';
import type { AdminLevel, Sector } from './account-taxonomy';
import { MAX_NAME_LENGTH, REGION_CODE_PATTERN } from './account-rules';

export class CreateOrganizationDto {
  @ApiProperty({ example: '四川省公安厅', maxLength: MAX_NAME_LENGTH })
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  name!: string;

  @ApiPropertyOptional({
    example: '510000',
    description: 'GB/T 2260 province or prefecture code; required unless level is central.',
  })
  @ValidateIf((o: CreateOrganizationDto) => o.level !== 'central' || o.regionCode !== undefined)
  @Matches(REGION_CODE_PATTERN, { message: 'regionCode must be a 6-digit GB/T 2260 code' })
  regionCode?: string;

  @ApiProperty({ enum: ADMIN_LEVELS, description: '中央 / 省级 / 地市级 / 区县级 / 乡镇' })
  @IsIn(ADMIN_LEVELS)
  level!: AdminLevel;

  @ApiProperty({ enum: SECTORS, description: `Sector codes: ${JSON.stringify(SECTOR_LABELS)}` })
  @IsIn(SECTORS)
  sector!: Sector;

  @ApiPropertyOptional({ description: 'Parent organization id (上级单位)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  parentId?: number;
}

export class UpdateOrganizationDto extends PartialType(CreateOrganizationDto) {}

export class CloseOrganizationDto {
  @ApiPropertyOptional({ description: 'Date closed (YYYY-MM-DD, Asia/Shanghai); default today.' })
  @IsOptional()
  @IsCalendarDate()
  closedOn?: string;
}

export const ORGANIZATION_SORTS = ['id', 'name', 'createdAt', 'updatedAt'] as const;

/** Filters shared by the organization and account lists (for accounts: their organization's). */
export class RegistryFilterQuery extends PageQuery {
  @ApiPropertyOptional({
    description: 'Region code; matches its whole subtree.',
    example: '510000',
  })
  @IsOptional()
  @Matches(REGION_CODE_PATTERN, { message: 'region must be a 6-digit GB/T 2260 code' })
  region?: string;

  @ApiPropertyOptional({
    enum: ADMIN_LEVELS,
    description: 'Administrative level of the organization',
  })
  @IsOptional()
  @IsIn(ADMIN_LEVELS)
  level?: AdminLevel;

  @ApiPropertyOptional({ enum: SECTORS, description: 'Sector of the organization' })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: Sector;
}

export class ListOrganizationsQuery extends RegistryFilterQuery {
  @ApiPropertyOptional({ description: 'Only direct children of this organization' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  parentId?: number;

  @ApiPropertyOptional({ description: 'Substring of the name' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  @ApiPropertyOptional({ enum: ['open', 'closed'], description: 'Default: both' })
  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: 'open' | 'closed';

  @ApiPropertyOptional({ enum: ORGANIZATION_SORTS, default: 'id' })
  @IsOptional()
  @IsIn(ORGANIZATION_SORTS)
  sort: (typeof ORGANIZATION_SORTS)[number] = 'id';
}

export class OrganizationResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) regionCode!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '四川省' }) regionName!: string | null;
  @ApiProperty({ enum: ADMIN_LEVELS }) level!: AdminLevel;
  @ApiProperty({ enum: SECTORS }) sector!: Sector;
  @ApiProperty({ example: '公安' }) sectorLabel!: string;
  @ApiProperty({ nullable: true, type: Number }) parentId!: number | null;
  @ApiProperty({ nullable: true, type: String }) closedOn!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class OrganizationPage extends PageMeta {
  @ApiProperty({ type: [OrganizationResponse] }) items!: OrganizationResponse[];
}

export interface OrganizationRow {
  id: number;
  name: string;
  region_code: string | null;
  region_name: string | null;
  level: AdminLevel;
  sector: Sector;
  parent_id: number | null;
  closed_on: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toOrganizationResponse(row: OrganizationRow): OrganizationResponse {
  return {
    id: row.id,
    name: row.name,
    regionCode: row.region_code,
    regionName: row.region_name,
    level: row.level,
    sector: row.sector,
    sectorLabel: SECTOR_LABELS[row.sector],
    parentId: row.parent_id,
    closedOn: row.closed_on,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
