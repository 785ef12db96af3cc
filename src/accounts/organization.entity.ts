import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Region } from '../regions/region.entity';
import { ADMIN_LEVELS, SECTORS, sqlList } from './account-taxonomy';
import type { AdminLevel, Sector } from './account-taxonomy';

/** A government body (机关/部门) that owns accounts. */
@Entity({ name: 'organizations' })
@Check('ck_organizations_level', `level IN (${sqlList(ADMIN_LEVELS)})`)
@Check('ck_organizations_sector', `sector IN (${sqlList(SECTORS)})`)
@Check('ck_organizations_region', `region_code IS NOT NULL OR level = 'central'`)
@Index('ux_organizations_name_region', ['name', 'regionCode'], {
  unique: true,
  where: 'region_code IS NOT NULL',
})
@Index('ix_organizations_name_trgm', { synchronize: false })
@Index('ux_organizations_name_central', ['name'], { unique: true, where: 'region_code IS NULL' })
export class Organization {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'text' })
  name!: string;

  @Index('ix_organizations_region_code')
  @Column({ name: 'region_code', type: 'varchar', length: 6, nullable: true })
  regionCode!: string | null;

  @ManyToOne(() => Region, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'region_code', foreignKeyConstraintName: 'fk_organizations_region' })
  region?: Region | null;

  @Column({ type: 'text' })
  level!: AdminLevel;

  @Column({ type: 'text' })
  sector!: Sector;

  @Index('ix_organizations_parent_id')
  @Column({ name: 'parent_id', type: 'integer', nullable: true })
  parentId!: number | null;

  @ManyToOne(() => Organization, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_organizations_parent' })
  parent?: Organization | null;

  /** Set when the body is dissolved or merged (机构撤并); its accounts must be closed first. */
  @Column({ name: 'closed_on', type: 'date', nullable: true })
  closedOn!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
