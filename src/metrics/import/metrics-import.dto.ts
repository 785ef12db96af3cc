import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ImportQuery } from '../../accounts/import/import.dto';
import {
  IMPORT_METRIC_SOURCES,
  type ImportMetricSource,
  METRIC_IMPORT_KINDS,
  type MetricImportKind,
} from './metric-import-columns';

export const MAX_PROVENANCE_LENGTH = 500;

export class MetricsImportQuery extends ImportQuery {
  @ApiPropertyOptional({
    enum: METRIC_IMPORT_KINDS,
    default: 'daily',
    description:
      'daily: one row per account and day; posts: one row per post observation (the post and its counters on observedDay).',
  })
  @IsOptional()
  @IsIn(METRIC_IMPORT_KINDS)
  kind: MetricImportKind = 'daily';

  @ApiPropertyOptional({
    enum: IMPORT_METRIC_SOURCES,
    default: 'manual',
    description:
      'Recorded as each row’s source. official_api and simulated come only from collection.',
  })
  @IsOptional()
  @IsIn(IMPORT_METRIC_SOURCES, { message: 'source must be vendor or manual' })
  source: ImportMetricSource = 'manual';

  @ApiPropertyOptional({
    maxLength: MAX_PROVENANCE_LENGTH,
    description: 'Who supplied the data (vendor, file name, person); kept in the audit row.',
    example: '新榜 export 2026-11',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PROVENANCE_LENGTH)
  provenance?: string;
}

export class WriteCountsResponse {
  @ApiProperty({ description: 'Keys not stored before' }) inserted!: number;
  @ApiProperty({ description: 'Stored keys whose values the file changed' }) changed!: number;
  @ApiProperty({ description: 'Stored keys the file leaves as they are' }) unchanged!: number;
}

export class MetricsImportResultResponse extends WriteCountsResponse {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ enum: METRIC_IMPORT_KINDS }) kind!: MetricImportKind;
  @ApiProperty({ enum: IMPORT_METRIC_SOURCES }) source!: ImportMetricSource;
  @ApiProperty({ description: 'Rows in the file (daily rows, or post observations)' })
  rows!: number;
  @ApiProperty({ description: 'Distinct accounts the file names' }) accounts!: number;
  @ApiPropertyOptional({
    type: WriteCountsResponse,
    description:
      'kind=posts: the posts themselves (inserted/changed/unchanged above count snapshots).',
  })
  posts?: WriteCountsResponse;
}
