import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { EXPORT_FORMATS, type ExportFormat } from '../exports/export-format';
import { RequiredTierQuery } from './cohort.dto';
import { REPORT_TABLES, type ReportTableCode } from './report-export';

export const MAX_CLUSTERS = 20;

export class ReportQuery extends RequiredTierQuery {
  @ApiPropertyOptional({
    enum: EXPORT_FORMATS,
    description:
      'json (default), csv (UTF-8 with BOM, one section per table) or xlsx (one sheet per table); an Accept header works too.',
  })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;

  @ApiPropertyOptional({
    description: 'Edition id to compare with (rank and score changes, newly opened regions).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  compareTo?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_CLUSTERS,
    description: 'Ward clusters (default 4, or fewer when fewer regions have a total).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_CLUSTERS)
  k?: number;

  @ApiPropertyOptional({ enum: REPORT_TABLES, description: 'csv/xlsx: only this table.' })
  @IsOptional()
  @IsIn(REPORT_TABLES)
  table?: ReportTableCode;
}

export class FigureQuery extends RequiredTierQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_CLUSTERS })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_CLUSTERS)
  k?: number;
}

export class ReportResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'id, code, name, period',
  })
  edition!: object;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'runId, computedAt, treeVersion, normalisation, formulaVersion, outdated, outdatedReasons',
  })
  results!: object;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'The key’s region scope: listed regions are limited to it; aggregates are the tier’s',
  })
  scope!: string | null;
  @ApiProperty() tier!: string;
  @ApiProperty() tierLabel!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: 'First-level indicators: code, name, weight',
  })
  subCapabilities!: object[];
  @ApiProperty({ description: 'Regions of the tier (not opened included)' }) regions!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: '表2-7/2-8: rank, region, total, sub-indices, band, grade, cluster',
  })
  ranking!: object[];
  @ApiProperty({ type: 'array', items: { type: 'object' } }) notOpened!: object[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: 'Opened regions still missing leaves',
  })
  unscored!: object[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: '图2-20: mean of each sub-capability',
  })
  subCapabilityMeans!: object[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      '表2-9: count, share (not-opened in the denominator), band mean, relative to the tier mean %',
  })
  bandDistribution!: object;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Difference-trend grades A/B/C/D with +/plain/− thresholds',
  })
  grades!: object;
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'Ward clusters on the standardised leaf indicators: per-cluster means and members',
  })
  clustering!: object | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true }) comparison!:
    object | null;
  @ApiProperty({
    type: 'array',
    nullable: true,
    items: { type: 'object' },
    description: 'Prefecture tier: band counts per province',
  })
  provinceDistribution!: object[] | null;
}
