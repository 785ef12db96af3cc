import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pLimit from 'p-limit';
import type { DataSource, EntityManager } from 'typeorm';
import { RequestBudget } from '../collection/budget/request-budget';
import { CLOCK, type Clock } from '../collection/schedule-tick.service';
import { businessDate } from '../common/business-date';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { WechatTokenService } from '../credentials/wechat-token.service';
import { PlatformError } from '../platforms/platform-error';
import { WechatClient } from '../platforms/wechat/wechat.client';
import type { WechatSelfMenu } from '../platforms/wechat/wechat.schemas';
import type { EditionRow } from './capability-store';
import {
  type MenuCounts,
  type MenuObservation,
  PERMANENT_MENU_ERRORS,
  countMenu,
  menuObservation,
  menuWindow,
} from './menu-presence';
import {
  DUE_MENU_ACCOUNTS_SQL,
  MENU_EVIDENCE_SQL,
  type MenuEvidenceRow,
  UPSERT_MENU_SNAPSHOTS_SQL,
} from './menu-snapshots.sql';

/** Menu reads of one recompute run at once (each waits on the shared per-app budget anyway). */
export const MENU_READ_CONCURRENCY = 8;
/** Longest error message kept with a failed read. */
const MAX_ERROR_MESSAGE = 500;

/** What one recompute read (`menus` in its response). */
export interface MenuReadSummary {
  /** Cohort accounts with a credential and no fresh snapshot. */
  due: number;
  read: number;
  failed: number;
}

type Period = Pick<EditionRow, 'period_start' | 'period_end'>;

type MenuRead =
  | { accountId: number; ok: true; counts: MenuCounts; menu: WechatSelfMenu }
  | { accountId: number; ok: false; errorClass: string; code: string | null; message: string };

/**
 * Custom-menu snapshots (get_current_selfmenu_info) of an edition's cohort, for the menu_presence
 * leaf: read where the account has a valid wechat_app credential and no fresh snapshot, through
 * the shared token service and request budget, and stored per account and day. A failed read is
 * stored as such (its reason shows in the results); it never fails the recompute.
 */
@Injectable()
export class MenuSnapshotService {
  private readonly logger = new Logger(MenuSnapshotService.name);
  private readonly source: 'simulated' | 'official_api';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly client: WechatClient,
    private readonly tokens: WechatTokenService,
    private readonly budget: RequestBudget,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.source = config.platforms.demo ? 'simulated' : 'official_api';
  }

  /** The business day snapshots are taken on. */
  today(): string {
    return businessDate(this.clock.now());
  }

  /** Reads and stores the menus due for the edition's cohort; never throws. */
  async collectDue(edition: Pick<EditionRow, 'id' | 'code'> & Period): Promise<MenuReadSummary> {
    const summary: MenuReadSummary = { due: 0, read: 0, failed: 0 };
    const today = this.today();
    const window = menuWindow({ start: edition.period_start, end: edition.period_end }, today);
    if (!window.open) return summary;
    try {
      const due = await this.dataSource.query<{ account_id: number; app_id: string }[]>(
        DUE_MENU_ACCOUNTS_SQL,
        [edition.id, window.freshFrom, today, PERMANENT_MENU_ERRORS],
      );
      summary.due = due.length;
      if (due.length === 0) return summary;
      await this.tokens.prefetch(due.map((d) => d.app_id));
      const limit = pLimit(MENU_READ_CONCURRENCY);
      const reads = await Promise.all(
        due.map((d) => limit(() => this.readMenu(d.account_id, d.app_id))),
      );
      await this.store(today, reads);
      const failures = reads.filter((r) => !r.ok);
      summary.read = reads.length - failures.length;
      summary.failed = failures.length;
      const byClass: Record<string, number> = {};
      for (const f of failures) byClass[f.errorClass] = (byClass[f.errorClass] ?? 0) + 1;
      this.logger.log(
        { editionId: edition.id, ...summary, failures: byClass },
        `capability edition ${edition.code}: ${summary.read}/${summary.due} custom menus read` +
          (failures.length > 0 ? `, ${failures.length} failed` : ''),
      );
    } catch (err) {
      // Whatever was not stored stays missing, with its reason; the recompute goes on.
      this.logger.warn(
        { err, editionId: edition.id },
        `capability edition ${edition.code}: reading custom menus failed`,
      );
    }
    return summary;
  }

  private async readMenu(accountId: number, appId: string): Promise<MenuRead> {
    try {
      const menu = await this.tokens.withToken(appId, (token) =>
        this.budget.call('wechat', `wechat:${appId}`, () => this.client.getCurrentSelfMenu(token)),
      );
      return { accountId, ok: true, counts: countMenu(menu), menu };
    } catch (err) {
      if (err instanceof PlatformError) {
        return {
          accountId,
          ok: false,
          errorClass: err.errorClass,
          code: err.code,
          message: err.message.slice(0, MAX_ERROR_MESSAGE),
        };
      }
      return {
        accountId,
        ok: false,
        errorClass: 'unknown',
        code: null,
        message: (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_MESSAGE),
      };
    }
  }

  private async store(day: string, reads: readonly MenuRead[]): Promise<void> {
    const ok = (r: MenuRead) => (r.ok ? r : null);
    const bad = (r: MenuRead) => (r.ok ? null : r);
    await this.dataSource.query(UPSERT_MENU_SNAPSHOTS_SQL, [
      day,
      reads.map((r) => r.accountId),
      reads.map((r) => ok(r)?.counts.isMenuOpen ?? null),
      reads.map((r) => ok(r)?.counts.buttons ?? null),
      reads.map((r) => ok(r)?.counts.subButtons ?? null),
      reads.map((r) => ok(r)?.counts.entries ?? null),
      reads.map((r) => {
        const o = ok(r);
        return o === null ? null : JSON.stringify(o.menu);
      }),
      reads.map(() => this.source),
      reads.map((r) => bad(r)?.errorClass ?? null),
      reads.map((r) => bad(r)?.code ?? null),
      reads.map((r) => bad(r)?.message ?? null),
    ]);
  }
}

/** The menu observation of each account for an edition's period, from storage only. */
export async function loadMenuObservations(
  manager: EntityManager,
  accountIds: readonly number[],
  period: Period,
  today: string,
): Promise<Map<number, MenuObservation>> {
  const out = new Map<number, MenuObservation>();
  if (accountIds.length === 0) return out;
  const window = menuWindow({ start: period.period_start, end: period.period_end }, today);
  const rows = await manager.query<MenuEvidenceRow[]>(MENU_EVIDENCE_SQL, [
    accountIds,
    window.from,
    window.to,
  ]);
  for (const row of rows) {
    out.set(
      row.account_id,
      menuObservation(
        {
          snapshot:
            row.observed_on === null || row.is_menu_open === null
              ? null
              : {
                  observedOn: row.observed_on,
                  isMenuOpen: row.is_menu_open,
                  buttons: row.buttons ?? 0,
                  subButtons: row.sub_buttons ?? 0,
                  entries: row.entries ?? 0,
                },
          failure:
            row.failed_on === null
              ? null
              : {
                  observedOn: row.failed_on,
                  errorClass: row.error_class ?? 'unknown',
                  code: row.error_code,
                  message: row.error_message ?? '',
                },
          hasCredential: row.has_credential,
        },
        window,
        today,
      ),
    );
  }
  return out;
}
