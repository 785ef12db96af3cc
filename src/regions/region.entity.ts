import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MACRO_REGIONS, REGION_LEVELS, REGION_TIERS } from './region-catalog';
import type { MacroRegion, RegionLevel, RegionTier } from './region-catalog';
import { sqlList } from '../accounts/account-taxonomy';

/** GB/T 2260 province- and prefecture-level divisions. */
@Entity({ name: 'regions' })
@Check('ck_regions_level', `level IN (${sqlList(REGION_LEVELS)})`)
@Check('ck_regions_tier', `tier IN (${sqlList(REGION_TIERS)})`)
@Check('ck_regions_macro_region', `macro_region IN (${sqlList(MACRO_REGIONS)})`)
@Check('ck_regions_code', `code ~ '^[0-9]{6}$'`)
export class Region {
  @PrimaryColumn({ type: 'varchar', length: 6 })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  level!: RegionLevel;

  @Index('ix_regions_parent_code')
  @Column({ name: 'parent_code', type: 'varchar', length: 6, nullable: true })
  parentCode!: string | null;

  @ManyToOne(() => Region, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_code', foreignKeyConstraintName: 'fk_regions_parent' })
  parent?: Region | null;

  @Column({ type: 'text' })
  tier!: RegionTier;

  @Column({ name: 'macro_region', type: 'text' })
  macroRegion!: MacroRegion;
}
