import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Actor, Principal } from '../auth/principal';
import { businessDate } from '../common/business-date';
import { ValidationFailedException } from '../common/domain.exception';
import { keyset, type Page, toPage } from '../common/pagination';
import { SqlConditions, likeContains } from '../common/sql-builder';
import { isUniqueViolation } from '../database/pg-errors';
import {
  type AccountResponse,
  type AccountRow,
  type CloseAccountDto,
  type CreateAccountDto,
  type ListAccountsQuery,
  type UpdateAccountDto,
  toAccountResponse,
} from './account.dto';
import { accountIdentityErrors, normalizeTags } from './account-rules';
import { AccountsErrorCode, AccountsException } from './accounts.exception';
import { OrganizationsService } from './organizations.service';
import { addRegionConditions } from '../auth/region-scope';
import { ScopedRows } from './scoped-rows';

export const SELECT_ACCOUNT = `
  SELECT a.id, a.platform, a.wechat_original_id, a.wechat_app_id, a.weibo_uid, a.display_name,
         a.organization_id, a.wechat_type, a.verified, a.status, a.status_changed_at, a.opened_on,
         a.closed_on, a.data_source, a.tags, a.created_at, a.updated_at,
         o.name AS org_name, o.region_code AS org_region_code, r.name AS org_region_name,
         o.level AS org_level, o.sector AS org_sector`;
export const FROM_ACCOUNT = `
  FROM accounts a
  JOIN organizations o ON o.id = a.organization_id
  LEFT JOIN regions r ON r.code = o.region_code`;

const SORTS = {
  id: { expression: 'a.id', type: 'integer' },
  displayName: { expression: 'a.display_name', type: 'text' },
  createdAt: { expression: 'a.created_at', type: 'timestamptz' },
  updatedAt: { expression: 'a.updated_at', type: 'timestamptz' },
} as const;

@Injectable()
export class AccountsService {
  private readonly rows = new ScopedRows<AccountRow>({
    select: SELECT_ACCOUNT,
    from: FROM_ACCOUNT,
    alias: 'a',
    regionOf: (row) => row.org_region_code,
    notFound: (id) =>
      new AccountsException(AccountsErrorCode.AccountNotFound, `Account ${id} does not exist.`),
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListAccountsQuery, principal: Principal): Promise<Page<AccountResponse>> {
    const c = new SqlConditions();
    addRegionConditions(c, 'o.region_code', principal, query.region);
    if (query.platform) c.where((p) => `a.platform = ${p}`, query.platform);
    if (query.level) c.where((p) => `o.level = ${p}`, query.level);
    if (query.sector) c.where((p) => `o.sector = ${p}`, query.sector);
    if (query.status) c.where((p) => `a.status = ${p}`, query.status);
    if (query.wechatType) c.where((p) => `a.wechat_type = ${p}`, query.wechatType);
    if (query.dataSource) c.where((p) => `a.data_source = ${p}`, query.dataSource);
    if (query.organizationId !== undefined)
      c.where((p) => `a.organization_id = ${p}`, query.organizationId);
    if (query.tags?.length) c.where((p) => `a.tags @> ${p}::text[]`, query.tags);
    if (query.q) {
      c.where(
        (like, exact) =>
          `(a.display_name ILIKE ${like} OR a.wechat_original_id = ${exact} OR a.wechat_app_id = ${exact} OR a.weibo_uid = ${exact})`,
        likeContains(query.q),
        query.q.trim(),
      );
    }
    const { orderBy, cursorSelect } = keyset(c, SORTS[query.sort], 'a.id', query);
    const rows = await this.dataSource.query<(AccountRow & { cursor_value: string })[]>(
      `${SELECT_ACCOUNT}, ${cursorSelect} ${FROM_ACCOUNT} ${c.toSql()} ${orderBy}`,
      c.params,
    );
    return toPage(rows, query.limit, toAccountResponse);
  }

  async get(id: number, principal: Principal): Promise<AccountResponse> {
    return toAccountResponse(await this.rows.visible(this.dataSource.manager, id, principal));
  }

  async create(
    dto: CreateAccountDto,
    principal: Principal,
    actor: Actor,
  ): Promise<AccountResponse> {
    this.checkFields(dto);
    return this.dataSource.transaction(async (manager) => {
      await this.checkOrganization(manager, dto.organizationId, principal);
      const [{ id }] = await this.writeOrConflict(() =>
        manager.query<{ id: number }[]>(
          `INSERT INTO accounts (platform, wechat_original_id, wechat_app_id, weibo_uid, display_name,
             organization_id, wechat_type, verified, status, opened_on, data_source, tags)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
          [
            dto.platform,
            dto.wechatOriginalId ?? null,
            dto.wechatAppId ?? null,
            dto.weiboUid ?? null,
            dto.displayName.trim(),
            dto.organizationId,
            dto.wechatType ?? null,
            dto.verified ?? false,
            dto.status ?? 'active',
            dto.openedOn ?? null,
            dto.dataSource ?? 'official_api',
            normalizeTags(dto.tags ?? []),
          ],
        ),
      );
      const row = await this.rows.reload(manager, id);
      await this.audit.record(manager, actor, [
        {
          action: 'create',
          entityType: 'account',
          entityId: id,
          before: null,
          after: row.snapshot,
        },
      ]);
      return toAccountResponse(row);
    });
  }

  async update(
    id: number,
    dto: UpdateAccountDto,
    principal: Principal,
    actor: Actor,
  ): Promise<AccountResponse> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.rows.visible(manager, id, principal, true);
      if (current.status === 'closed' && dto.status === undefined) {
        throw new AccountsException(
          AccountsErrorCode.AlreadyClosed,
          `Account ${id} is closed; set status to active or paused to reopen it.`,
        );
      }
      const pick = <K extends keyof UpdateAccountDto, T>(key: K, fallback: T) =>
        dto[key] !== undefined ? dto[key] : fallback;
      const next = {
        wechatOriginalId: pick('wechatOriginalId', current.wechat_original_id),
        wechatAppId: pick('wechatAppId', current.wechat_app_id),
        weiboUid: pick('weiboUid', current.weibo_uid),
        wechatType: pick('wechatType', current.wechat_type),
      };
      this.checkFields({ platform: current.platform, ...next });
      const organizationId = dto.organizationId ?? current.organization_id;
      if (organizationId !== current.organization_id) {
        await this.checkOrganization(manager, organizationId, principal);
      }
      const status = dto.status ?? current.status;
      await this.writeOrConflict(() =>
        manager.query(
          `UPDATE accounts SET wechat_original_id = $2, wechat_app_id = $3, weibo_uid = $4,
             display_name = $5, organization_id = $6, wechat_type = $7, verified = $8, status = $9,
             status_changed_at = CASE WHEN status IS DISTINCT FROM $9 THEN now() ELSE status_changed_at END,
             closed_on = CASE WHEN $9 = 'closed' THEN closed_on END,
             opened_on = $10, data_source = $11, tags = $12, updated_at = now()
           WHERE id = $1`,
          [
            id,
            next.wechatOriginalId,
            next.wechatAppId,
            next.weiboUid,
            dto.displayName?.trim() ?? current.display_name,
            organizationId,
            next.wechatType,
            dto.verified ?? current.verified,
            status,
            pick('openedOn', current.opened_on),
            dto.dataSource ?? current.data_source,
            dto.tags ? normalizeTags(dto.tags) : current.tags,
          ],
        ),
      );
      const row = await this.rows.reload(manager, id);
      await this.audit.record(manager, actor, [
        {
          action: 'update',
          entityType: 'account',
          entityId: id,
          before: current.snapshot,
          after: row.snapshot,
        },
      ]);
      return toAccountResponse(row);
    });
  }

  async close(
    id: number,
    dto: CloseAccountDto,
    principal: Principal,
    actor: Actor,
  ): Promise<AccountResponse> {
    return this.dataSource.transaction(async (manager) => {
      const current = await this.rows.visible(manager, id, principal, true);
      if (current.status === 'closed') {
        throw new AccountsException(
          AccountsErrorCode.AlreadyClosed,
          `Account ${id} was closed on ${current.closed_on}.`,
        );
      }
      await manager.query(
        `UPDATE accounts SET status = 'closed', closed_on = $2, status_changed_at = now(), updated_at = now()
         WHERE id = $1`,
        [id, dto.closedOn ?? businessDate()],
      );
      const row = await this.rows.reload(manager, id);
      await this.audit.record(manager, actor, [
        {
          action: 'close',
          entityType: 'account',
          entityId: id,
          before: current.snapshot,
          after: row.snapshot,
        },
      ]);
      return toAccountResponse(row);
    });
  }

  private checkFields(input: Parameters<typeof accountIdentityErrors>[0]): void {
    const errors = accountIdentityErrors(input);
    if (errors.length > 0) throw new ValidationFailedException(errors);
  }

  private async checkOrganization(
    manager: EntityManager,
    organizationId: number,
    principal: Principal,
  ): Promise<void> {
    const org = await this.organizations.findReferenced(
      manager,
      organizationId,
      principal,
      'organizationId',
    );
    if (org.closed_on) {
      throw new ValidationFailedException([
        {
          field: 'organizationId',
          message: `organization ${organizationId} was closed on ${org.closed_on}`,
        },
      ]);
    }
  }

  private async writeOrConflict<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new AccountsException(
          AccountsErrorCode.PlatformIdTaken,
          'Another account already has this platform id; find it with GET /api/v1/accounts?q=<id>.',
        );
      }
      throw err;
    }
  }
}
