import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, Principal } from '../../auth/principal';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { AuditService } from '../../audit/audit.service';
import type { ImportFormat } from './import-parser';
import { readImportRecords, rejectRowErrors } from './import-request';
import { type Resolution, resolveImportRows } from './import-resolution';
import { writeImportRows } from './import-writer';
import {
  IMPORT_ALIASES,
  type ImportRow,
  type ImportRowError,
  duplicateIdErrors,
  validateImportRecord,
} from './import-row.validator';

export interface ImportResult {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  organizationsCreated: number;
}

class DryRunRollback extends Error {
  constructor(readonly result: ImportResult) {
    super('dry run');
  }
}

// Imports run one at a time, so two files cannot race to create the same organisation or account.
const IMPORT_LOCK_KEY = 7_466_203;

/**
 * Bulk registration from CSV or JSON. All or nothing: any invalid row (by itself or against the
 * database) applies nothing and every row's errors are returned. Writes are set-based.
 */
@Injectable()
export class AccountImportService {
  private readonly logger = new Logger(AccountImportService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async importAccounts(
    content: Buffer | string | object,
    format: ImportFormat,
    dryRun: boolean,
    principal: Principal,
    actor: Actor,
  ): Promise<ImportResult> {
    const started = Date.now();
    const records = readImportRecords(content, format, IMPORT_ALIASES, this.config.importMaxRows);
    const errors: ImportRowError[] = [];
    const rows: ImportRow[] = [];
    for (const record of records) {
      const result = validateImportRecord(record);
      errors.push(...result.errors);
      if (result.row) rows.push(result.row);
    }
    errors.push(...duplicateIdErrors(rows));

    let result: ImportResult;
    try {
      result = await this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK_KEY]);
        const resolution = await resolveImportRows(manager, rows, principal, errors);
        rejectRowErrors(errors, records.length);
        const applied = await this.apply(manager, rows, resolution, actor, format);
        // A dry run does the real work, so its counts are exact, then rolls it back.
        if (dryRun) throw new DryRunRollback({ ...applied, dryRun: true });
        return applied;
      });
    } catch (err) {
      if (!(err instanceof DryRunRollback)) throw err;
      result = err.result;
    }
    this.logger.log(
      { ...result, ms: Date.now() - started, format },
      `account import: ${result.rows} rows (${result.created} new, ${result.updated} updated)${dryRun ? ' [dry run]' : ''}`,
    );
    return result;
  }

  private async apply(
    manager: EntityManager,
    rows: ImportRow[],
    resolution: Resolution,
    actor: Actor,
    format: ImportFormat,
  ): Promise<ImportResult> {
    const written = await writeImportRows(manager, rows, resolution, actor);
    const result: ImportResult = {
      dryRun: false,
      rows: rows.length,
      created: written.createdAccountIds.length,
      updated: written.updatedAccountIds.length,
      unchanged: written.matchedAccounts - written.updatedAccountIds.length,
      organizationsCreated: written.createdOrganizationIds.length,
    };
    // Creations are audited by this one row listing the new ids: they overwrite nothing, and a
    // row per account would double the write (measured ~150 ms per 10k rows).
    if (result.created + result.updated + result.organizationsCreated > 0) {
      await this.audit.record(manager, actor, [
        {
          action: 'import',
          entityType: 'account_import',
          entityId: actor.correlationId ?? `import-${Date.now()}`,
          before: null,
          after: { ...result, format, ...written },
        },
      ]);
    }
    return result;
  }
}
