import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ImportQuery } from '../accounts/import/import.dto';
import { CursorPageQuery } from '../common/pagination';
import { MAX_ASSESSOR_LENGTH, MAX_EVIDENCE_LENGTH, MAX_URL_LENGTH } from './assessment-rows';
import { RunResponse } from './results.dto';

export class AssessmentBody {
  @ApiProperty({ minimum: 0, maximum: 100, example: 85 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  score!: number;

  @ApiProperty({ example: '张三（评估组）', description: 'Who assessed it.' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_ASSESSOR_LENGTH)
  assessor!: string;

  @ApiPropertyOptional({ description: 'What was checked (text).', maxLength: MAX_EVIDENCE_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_EVIDENCE_LENGTH)
  evidence?: string;

  @ApiPropertyOptional({
    description: 'Where it can be seen (http/https URL).',
    maxLength: MAX_URL_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  evidenceUrl?: string;

  @ApiPropertyOptional({
    description:
      'When it was assessed: YYYY-MM-DD or YYYY-MM-DD HH:mm[:ss] (Beijing time unless an offset is given); default now.',
    example: '2019-01-15',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  assessedAt?: string;
}

export class RecomputeFlagQuery {
  @ApiPropertyOptional({
    default: false,
    description: 'Recompute the edition’s results in the same request once the change is applied.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'recompute must be true or false' })
  recompute: boolean = false;
}

export class AssessmentImportQuery extends ImportQuery {
  @ApiPropertyOptional({
    default: false,
    description:
      'Recompute the edition’s results in the same transaction once the file is applied.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'recompute must be true or false' })
  recompute: boolean = false;
}

export class AssessmentListQuery extends CursorPageQuery {
  @ApiPropertyOptional({ description: 'Region subtree (510000: 四川 and its prefectures).' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'region must be a 6-digit GB/T 2260 code' })
  region?: string;

  @ApiPropertyOptional({ description: 'Indicator code.' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  indicator?: string;
}

export class AssessmentResponse {
  @ApiProperty() regionCode!: string;
  @ApiProperty() regionName!: string;
  @ApiProperty() indicatorCode!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Name in the current tree; null when the leaf is no longer in it',
  })
  indicatorName!: string | null;
  @ApiProperty() score!: number;
  @ApiProperty() assessor!: string;
  @ApiProperty({ nullable: true, type: String }) evidence!: string | null;
  @ApiProperty({ nullable: true, type: String }) evidenceUrl!: string | null;
  @ApiProperty() assessedAt!: string;
  @ApiProperty({ description: 'API key that entered it' }) enteredBy!: string;
  @ApiProperty() updatedAt!: string;
}

export class AssessmentPage {
  @ApiProperty({ type: [AssessmentResponse] }) items!: AssessmentResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class AssessmentWriteResponse {
  @ApiProperty({ type: AssessmentResponse, nullable: true }) assessment!: AssessmentResponse | null;
  @ApiProperty({ description: 'The score changed (or the assessment is new or deleted)' })
  scoreChanged!: boolean;
  @ApiProperty({ description: 'Existing results were marked outdated' }) resultsOutdated!: boolean;
  @ApiProperty({ type: RunResponse, nullable: true }) recomputed!: RunResponse | null;
}

export class AssessmentImportResponse {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty() rows!: number;
  @ApiProperty({ description: 'New assessments' }) inserted!: number;
  @ApiProperty({ description: 'Stored assessments the file changed' }) changed!: number;
  @ApiProperty({ description: 'Stored assessments the file leaves as they are' })
  unchanged!: number;
  @ApiProperty({ description: 'Assessments whose score is new or different' })
  scoresChanged!: number;
  @ApiProperty({
    description: 'Existing results were (or, in a dry run, would be) marked outdated',
  })
  resultsOutdated!: boolean;
  @ApiProperty({ type: RunResponse, nullable: true }) recomputed!: RunResponse | null;
}

export interface AssessmentRow {
  region_code: string;
  region_name: string;
  indicator_code: string;
  score: number;
  assessor: string;
  evidence: string | null;
  evidence_url: string | null;
  assessed_at: Date;
  entered_by: string;
  updated_at: Date;
}

export function toAssessmentResponse(
  row: AssessmentRow,
  names: ReadonlyMap<string, string>,
): AssessmentResponse {
  return {
    regionCode: row.region_code,
    regionName: row.region_name,
    indicatorCode: row.indicator_code,
    indicatorName: names.get(row.indicator_code) ?? null,
    score: row.score,
    assessor: row.assessor,
    evidence: row.evidence,
    evidenceUrl: row.evidence_url,
    assessedAt: row.assessed_at.toISOString(),
    enteredBy: row.entered_by,
    updatedAt: row.updated_at.toISOString(),
  };
}
