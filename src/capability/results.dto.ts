import { ApiProperty } from '@nestjs/swagger';
import { CAPABILITY_TIERS, type CapabilityTier } from './edition-results';
import { NORMALISE_METHODS } from './normalise';

export class TierCountsResponse {
  @ApiProperty({ enum: CAPABILITY_TIERS }) tier!: CapabilityTier;
  @ApiProperty() regions!: number;
  @ApiProperty({ description: 'Regions with an account' }) opened!: number;
  @ApiProperty({ description: 'Opened regions with a total (every leaf has a value)' })
  scored!: number;
}

export class MenuReadsResponse {
  @ApiProperty({
    description: 'Cohort accounts with a valid wechat_app credential and no fresh menu snapshot',
  })
  due!: number;
  @ApiProperty({ description: 'Menus read and stored' }) read!: number;
  @ApiProperty({ description: 'Reads that failed (the leaf stays missing, with the reason)' })
  failed!: number;
}

export class RunResponse {
  @ApiProperty() runId!: number;
  @ApiProperty() editionId!: number;
  @ApiProperty() treeVersion!: number;
  @ApiProperty({ enum: NORMALISE_METHODS }) normalisation!: string;
  @ApiProperty() formulaVersion!: string;
  @ApiProperty({ enum: ['manual', 'input_change'] }) trigger!: string;
  @ApiProperty() requestedBy!: string;
  @ApiProperty() regions!: number;
  @ApiProperty() scored!: number;
  @ApiProperty({ type: [TierCountsResponse] }) tiers!: TierCountsResponse[];
  @ApiProperty() computedAt!: string;
  @ApiProperty() ms!: number;
  @ApiProperty({
    type: MenuReadsResponse,
    nullable: true,
    description:
      'Custom menus read (get_current_selfmenu_info) before this run; null when the tree has no menu_presence leaf or nothing read them',
  })
  menus!: MenuReadsResponse | null;
}

export class ResultRowResponse {
  @ApiProperty() regionCode!: string;
  @ApiProperty() name!: string;
  @ApiProperty() provinceCode!: string;
  @ApiProperty() provinceName!: string;
  @ApiProperty({ nullable: true, type: Number }) accountId!: number | null;
  @ApiProperty({ nullable: true, type: String }) accountName!: string | null;
  @ApiProperty() opened!: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'Total index 0–100 (full precision)' })
  total!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Competition rank in the tier on the 2-decimal total',
  })
  rank!: number | null;
  @ApiProperty({ nullable: true, type: String }) band!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number', nullable: true },
    description: 'First-level indicator → score',
  })
  subIndices!: Record<string, number | null>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number', nullable: true },
    description: 'Every node → score',
  })
  nodes!: Record<string, number | null>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Leaf values used',
  })
  leafScores!: Record<string, number>;
  @ApiProperty({ type: [String], description: 'Leaves without a value (total waits for them)' })
  missing!: string[];
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description:
      'Raw measured inputs (WCI and basis, active days, longest gap, weeks with a post, normalised influence)',
  })
  measures!: object | null;
  @ApiProperty() treeVersion!: number;
  @ApiProperty({ enum: NORMALISE_METHODS }) normalisation!: string;
  @ApiProperty() formulaVersion!: string;
}

export class ResultsStateDto {
  @ApiProperty() runId!: number;
  @ApiProperty() computedAt!: string;
  @ApiProperty() treeVersion!: number;
  @ApiProperty({ enum: NORMALISE_METHODS }) normalisation!: string;
  @ApiProperty() formulaVersion!: string;
  @ApiProperty() outdated!: boolean;
  @ApiProperty({ type: [String] }) outdatedReasons!: string[];
}

export class ResultsResponse {
  @ApiProperty() editionId!: number;
  @ApiProperty({ enum: CAPABILITY_TIERS }) tier!: CapabilityTier;
  @ApiProperty({ type: ResultsStateDto }) results!: ResultsStateDto;
  @ApiProperty({
    type: [ResultRowResponse],
    description: 'Ranked regions first, then unscored, then not opened',
  })
  items!: ResultRowResponse[];
}
