import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate } from '../common/calendar-date';
import { WCI_VERSIONS, type WciVersion } from '../scoring/formulas/wci';
import type { Band } from './bands';
import { type EditionRow, periodKind } from './capability-store';
import { EDITION_PERIOD_KINDS, type EditionPeriodKind } from './edition-period';
import { NORMALISE_METHODS, type NormaliseMethod } from './normalise';
import { INDICATOR_PRESETS, type IndicatorPresetCode } from './presets';

export const PRESET_CODES = Object.keys(INDICATOR_PRESETS) as IndicatorPresetCode[];
export const COHORT_START = ['auto', 'empty'] as const;

export class BandDto implements Band {
  @ApiProperty({ example: 'high' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,29}$/, { message: 'code must be lower-case letters, digits or _' })
  code!: string;

  @ApiProperty({ example: '高水平' })
  @IsString()
  @MinLength(1)
  @MaxLength(20)
  label!: string;

  @ApiProperty({
    example: 80,
    description: 'Lowest total in the band (the lowest band also takes anything below).',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  min!: number;
}

/** Fields an edition's settings share between create and update. */
class EditionSettings {
  @ApiPropertyOptional({
    description:
      "Evaluation period as a key: a year ('2019'), quarter ('2019-Q4') or month ('2019-11'). Or give periodStart and periodEnd.",
    example: '2019',
  })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  period?: string;

  @ApiPropertyOptional({
    example: '2018-12-01',
    description: 'Custom period start (with periodEnd).',
  })
  @IsOptional()
  @IsCalendarDate()
  periodStart?: string;

  @ApiPropertyOptional({ example: '2019-01-31', description: 'Custom period end, inclusive.' })
  @IsOptional()
  @IsCalendarDate()
  periodEnd?: string;

  @ApiPropertyOptional({
    enum: NORMALISE_METHODS,
    default: 'min-max',
    description: 'How the WCI becomes the 0–100 influence leaf within each tier’s cohort.',
  })
  @IsOptional()
  @IsIn(NORMALISE_METHODS)
  normalisation?: NormaliseMethod;

  @ApiPropertyOptional({
    enum: WCI_VERSIONS,
    default: 'wci-v14.2',
    description: 'WCI formula version read from account_scores.',
  })
  @IsOptional()
  @IsIn(WCI_VERSIONS)
  formulaVersion?: WciVersion;

  @ApiPropertyOptional({
    type: [BandDto],
    description:
      'Bands, default 高水平 ≥ 80, 较高水平 70–80, 中等水平 60–70, 较低水平 40–60, 低水平 < 40.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => BandDto)
  bands?: BandDto[];

  @ApiPropertyOptional({
    type: [String],
    example: ['A', 'B', 'C', 'D'],
    description: 'Grade letters, best first; every grade but the last splits into +, plain and −.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Matches(/^[A-Z]{1,3}$/, { each: true, message: 'each grade letter is 1–3 capital letters' })
  gradeLetters?: string[];
}

export class CreateEditionBody extends EditionSettings {
  @ApiProperty({
    example: '2019',
    description: 'Unique short code: letters, digits, . _ - (≤ 40).',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, {
    message: 'code must be letters, digits, . _ or - (at most 40), starting with a letter or digit',
  })
  code!: string;

  @ApiProperty({ example: '2019 年省市政府政务微信服务能力指数' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({
    enum: PRESET_CODES,
    description: 'Start from a preset tree (or send tree).',
  })
  @IsOptional()
  @IsIn(PRESET_CODES)
  preset?: IndicatorPresetCode;

  @ApiPropertyOptional({
    description:
      'Indicator tree: { code, name, children: [{ code, name, weight, children? | kind, source? }] }.',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  tree?: Record<string, unknown>;

  @ApiPropertyOptional({
    enum: COHORT_START,
    default: 'auto',
    description:
      'auto: each region’s main government WeChat account (see README); empty: every region starts not opened.',
  })
  @IsOptional()
  @IsIn(COHORT_START)
  cohort?: (typeof COHORT_START)[number];
}

export class UpdateEditionBody extends EditionSettings {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;
}

export class TreeBody {
  @ApiProperty({
    description:
      'The new indicator tree; becomes the next version when it differs from the current one.',
    type: 'object',
    additionalProperties: true,
  })
  @IsObject()
  tree!: Record<string, unknown>;
}

export class TreeQuery {
  @ApiPropertyOptional({ description: 'A tree version (default: the current one).', minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

export class RebuildCohortBody {
  @ApiPropertyOptional({ default: true, description: 'Leave regions set explicitly as they are.' })
  @IsOptional()
  @IsBoolean()
  keepExplicit?: boolean;
}

export class PeriodResponse {
  @ApiProperty({ enum: EDITION_PERIOD_KINDS }) kind!: EditionPeriodKind;
  @ApiProperty({ nullable: true, type: String, example: '2019' }) key!: string | null;
  @ApiProperty({ example: '2019-01-01' }) start!: string;
  @ApiProperty({ example: '2019-12-31' }) end!: string;
}

export class ResultsStateResponse {
  @ApiProperty() runId!: number;
  @ApiProperty() computedAt!: string;
  @ApiProperty() treeVersion!: number;
  @ApiProperty({ enum: NORMALISE_METHODS }) normalisation!: string;
  @ApiProperty({ description: 'Inputs changed after the results were computed.' })
  outdated!: boolean;
  @ApiProperty({ nullable: true, type: String }) outdatedReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) outdatedAt!: string | null;
}

export class CohortSummaryResponse {
  @ApiProperty() regions!: number;
  @ApiProperty({ description: 'Regions with an account' }) opened!: number;
  @ApiProperty({ description: 'Regions set explicitly' }) explicit!: number;
}

export class EditionResponse {
  @ApiProperty() id!: number;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: PeriodResponse }) period!: PeriodResponse;
  @ApiProperty({ enum: WCI_VERSIONS }) formulaVersion!: string;
  @ApiProperty({ enum: NORMALISE_METHODS }) normalisation!: NormaliseMethod;
  @ApiProperty({ type: [BandDto] }) bands!: Band[];
  @ApiProperty({ type: [String] }) gradeLetters!: string[];
  @ApiProperty({ nullable: true, type: String, enum: PRESET_CODES }) preset!: string | null;
  @ApiProperty() treeVersion!: number;
  @ApiProperty({ type: ResultsStateResponse, nullable: true })
  results!: ResultsStateResponse | null;
  @ApiProperty({ type: CohortSummaryResponse }) cohort!: CohortSummaryResponse;
  @ApiProperty() createdBy!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class EditionPage {
  @ApiProperty({ type: [EditionResponse] }) items!: EditionResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TreeResponse {
  @ApiProperty() editionId!: number;
  @ApiProperty() version!: number;
  @ApiProperty({ description: 'Whether this is the edition’s current version.' }) current!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) tree!: object;
  @ApiProperty({
    description: 'Every leaf with its effective weight (product of the weights on its path).',
    type: 'array',
    items: { type: 'object' },
  })
  leaves!: object[];
}

export class PresetResponse {
  @ApiProperty({ enum: PRESET_CODES }) code!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) tree!: object;
}

export function toEditionResponse(row: EditionRow): EditionResponse {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    period: {
      kind: periodKind(row),
      key: row.period_key,
      start: row.period_start,
      end: row.period_end,
    },
    formulaVersion: row.formula_version,
    normalisation: row.normalisation,
    bands: row.bands.map((b) => ({ code: b.code, label: b.label, min: b.min })),
    gradeLetters: row.grade_letters,
    preset: row.preset,
    treeVersion: row.tree_version,
    results:
      row.results_run_id === null
        ? null
        : {
            runId: row.results_run_id,
            computedAt: row.run_finished_at!.toISOString(),
            treeVersion: row.run_tree_version!,
            normalisation: row.run_normalisation!,
            outdated: row.results_outdated,
            outdatedReason: row.outdated_reason,
            outdatedAt: row.outdated_at?.toISOString() ?? null,
          },
    cohort: {
      regions: row.cohort_regions,
      opened: row.cohort_opened,
      explicit: row.cohort_explicit,
    },
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
