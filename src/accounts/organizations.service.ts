import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Actor, Principal } from '../auth/principal';
import { businessDate } from '../common/business-date';
import { ValidationFailedException } from '../common/domain.exception';
import { keyset, type Page, toPage } from '../common/pagination';
import { SqlConditions, likeContains } from '../common/sql-builder';
import { AccountsErrorCode, AccountsException } from './accounts.exception';
import {
  type CloseOrganizationDto,
  type CreateOrganizationDto,
  type ListOrganizationsQuery,
  type OrganizationResponse,
  type OrganizationRow,
  type UpdateOrganizationDto,
  toOrganizationResponse,
} from './organization.dto';
import { addRegionConditions, inRegionScope } from '../auth/region-scope';
import { ScopedRows } from './scoped-rows';
import { isUniqueViolation } from '../database/pg-errors';

const SELECT_ORGANIZATION = `
  SELECT o.id, o.name, o.region_code, r.name AS region_name, o.level, o.sector, o.parent_id,
         o.closed_on, o.created_at, o.updated_at`;
const FROM_ORGANIZATION = `FROM organizations o LEFT JOIN regions r ON r.code = o.region_code`;

const SORTS = {
  id: { expression: 'o.id', type: 'integer' },
  name: { expression: 'o.name', type: 'text' },
  createdAt: { expression: 'o.created_at', type: 'timestamptz' },
  updatedAt: { expression: 'o.updated_at', type: 'timestamptz' },
} as const;

@Injectable()
export class OrganizationsService {
  private readonly rows = new ScopedRows<OrganizationRow>({
    select: SELECT_ORGANIZATION,
    from: FROM_ORGANIZATION,
    alias: 'o',
    regionOf: (row) => row.region_code,
    notFound: (id) =>
      new AccountsException(
        AccountsErrorCode.OrganizationNotFound,
        `Organization ${id} does not exist.`,
      ),
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(
    query: ListOrganizationsQuery,
    principal: Principal,
  ): Promise<Page<OrganizationResponse>> {
    const c = new SqlConditions();
    addRegionConditions(c, 'o.region_code', principal, query.region);
    if (query.level) c.where((p) => `o.level = ${p}`, query.level);
    if (query.sector) c.where((p) => `o.sector = ${p}`, query.sector);
    if (query.parentId !== undefined) c.where((p) => `o.parent_id = ${p}`, query.parentId);
    if (query.q) c.where((p) => `o.name ILIKE ${p}`, likeContains(query.q));
    if (query.status)
      c.where(() => `o.closed_on IS ${query.status === 'closed' ? 'NOT ' : ''}NULL`);
    const { orderBy, cursorSelect } = keyset(c, SORTS[query.sort], 'o.id', query);
    const rows = await this.dataSource.query<(OrganizationRow & { cursor_value: string })[]>(
      `${SELECT_ORGANIZATION}, ${cursorSelect} ${FROM_ORGANIZATION} ${c.toSql()} ${orderBy}`,
      c.params,
    );
    return toPage(rows, query.limit, toOrganizationResponse);
  }

  async get(id: number, principal: Principal): Promise<OrganizationResponse> {
    return toOrganizationResponse(await this.rows.visible(this.dataSource.manager, id, principal));
  }

  async create(
    dto: CreateOrganizationDto,
    principal: Principal,
    actor: Actor,
  ): Promise<OrganizationResponse> {
    return this.dataSource.transaction(async (manager) => {
      await this.checkPlacement(manager, dto.regionCode ?? null, dto.parentId ?? null, principal);
      const [{ id }] = await manager
        .query<{ id: number }[]>(
          `INSERT INTO organizations (name, region_code, level, sector, parent_id)
           VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [dto.name.trim(), dto.regionCode ?? null, dto.level, dto.sector, dto.parentId ?? null],
        )
        .catch((err: unknown) => {
          throw isUniqueViolation(err)
            ? new AccountsException(
                AccountsErrorCode.OrganizationExists,
                `An organization named "${dto.name}" already exists in region ${dto.regionCode ?? '(central)'}.`,
              )
            : err;
        });
      const row = await this.rows.reload(manager, id);
      await this.audit.record(manager, actor, [
        {
          action: 'create',
          entityType: 'organization',
          entityId: id,
          before: null,
          after: row.snapshot,
        },
      ]);
      return toOrganizationResponse(row);
    });
  }

  async update(
    id: number,
    dto: UpdateOrganizationDto,
    principal: Principal,
    actor: Actor,
  ): Promise<OrganizationResponse> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.rows.visible(manager, id, principal, true);
      const next = {
        name: dto.name?.trim() ?? current.name,
        region_code: dto.regionCode !== undefined ? dto.regionCode : current.region_code,
        level: dto.level ?? current.level,
        sector: dto.sector ?? current.sector,
        parent_id: dto.parentId !== undefined ? dto.parentId : current.parent_id,
      };
      if (next.region_code === null && next.level !== 'central') {
        throw new ValidationFailedException([
          { field: 'regionCode', message: 'regionCode is required unless level is central' },
        ]);
      }
      if (next.parent_id === id) {
        throw new ValidationFailedException([
          { field: 'parentId', message: 'an organization cannot be its own parent' },
        ]);
      }
      await this.checkPlacement(manager, next.region_code, next.parent_id, principal);
      await manager
        .query(
          `UPDATE organizations SET name = $2, region_code = $3, level = $4, sector = $5, parent_id = $6, updated_at = now()
           WHERE id = $1`,
          [id, next.name, next.region_code, next.level, next.sector, next.parent_id],
        )
        .catch((err: unknown) => {
          throw isUniqueViolation(err)
            ? new AccountsException(
                AccountsErrorCode.OrganizationExists,
                `An organization named "${next.name}" already exists there.`,
              )
            : err;
        });
      const row = await this.rows.reload(manager, id);
      await this.audit.record(manager, actor, [
        {
          action: 'update',
          entityType: 'organization',
          entityId: id,
          before: current.snapshot,
          after: row.snapshot,
        },
      ]);
      return toOrganizationResponse(row);
    });
  }

  async close(
    id: number,
    dto: CloseOrganizationDto,
    principal: Principal,
    actor: Actor,
  ): Promise<OrganizationResponse> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.rows.visible(manager, id, principal, true);
      if (current.closed_on) {
        throw new AccountsException(
          AccountsErrorCode.AlreadyClosed,
          `Organization ${id} was closed on ${current.closed_on}.`,
        );
      }
      const [{ open }] = await manager.query<{ open: number }[]>(
        `SELECT count(*)::int AS open FROM accounts WHERE organization_id = $1 AND status <> 'closed'`,
        [id],
      );
      if (open > 0) {
        throw new AccountsException(
          AccountsErrorCode.OrganizationHasOpenAccounts,
          `Organization ${id} still has ${open} open account(s); close them first (POST /api/v1/accounts/{id}/close).`,
        );
      }
      await manager.query(
        `UPDATE organizations SET closed_on = $2, updated_at = now() WHERE id = $1`,
        [id, dto.closedOn ?? businessDate()],
      );
      const row = await this.rows.reload(manager, id);
      await this.audit.record(manager, actor, [
        {
          action: 'close',
          entityType: 'organization',
          entityId: id,
          before: current.snapshot,
          after: row.snapshot,
        },
      ]);
      return toOrganizationResponse(row);
    });
  }

  /**
   * An organization a request refers to in `field`: one the key cannot see is reported as a
   * validation error of that field, exactly like a missing one (no existence leak).
   */
  async findReferenced(
    manager: EntityManager,
    id: number,
    principal: Principal,
    field: string,
  ): Promise<OrganizationRow> {
    try {
      return await this.rows.visible(manager, id, principal);
    } catch (err) {
      if (err instanceof AccountsException && err.code === AccountsErrorCode.OrganizationNotFound) {
        throw new ValidationFailedException([
          { field, message: `organization ${id} does not exist` },
        ]);
      }
      throw err;
    }
  }

  private async checkPlacement(
    manager: EntityManager,
    regionCode: string | null,
    parentId: number | null,
    principal: Principal,
  ): Promise<void> {
    if (regionCode !== null) {
      const found = await manager.query<unknown[]>('SELECT 1 FROM regions WHERE code = $1', [
        regionCode,
      ]);
      if (found.length === 0) {
        throw new ValidationFailedException([
          {
            field: 'regionCode',
            message: `${regionCode} is not a province- or prefecture-level code; see GET /api/v1/regions`,
          },
        ]);
      }
    }
    if (!inRegionScope(principal, regionCode)) {
      throw new AccountsException(
        AccountsErrorCode.OutOfScope,
        `Your key is limited to region ${principal.regionCode}; ${regionCode ?? 'central bodies'} is outside it.`,
      );
    }
    if (parentId !== null) await this.findReferenced(manager, parentId, principal, 'parentId');
  }
}
