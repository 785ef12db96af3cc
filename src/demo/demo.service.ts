import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AccountImportService } from '../accounts/import/account-import.service';
import { CollectionScheduler } from '../collection/collection-scheduler.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CredentialsService } from '../credentials/credentials.service';
import type { RunningSimulator } from '../simulator';
import { simulatorCredentials, toDemoImportRow } from './demo-registration';

export const SIMULATOR = Symbol('SIMULATOR');

const SYSTEM_PRINCIPAL = { apiKeyId: 0, name: 'demo', role: 'admin' as const, regionCode: null };
const SYSTEM_ACTOR = { apiKeyId: null, name: 'system:demo', correlationId: null };

/** Demo mode: registers the simulator's population in the registry (idempotent across restarts). */
@Injectable()
export class DemoService {
  private readonly logger = new Logger(DemoService.name);

  constructor(
    @Inject(SIMULATOR) private readonly simulator: RunningSimulator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly importer: AccountImportService,
    private readonly credentials: CredentialsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() private readonly scheduler?: CollectionScheduler,
  ) {}

  /**
   * Demo start: the simulated population registered, each account given the simulator's
   * credentials (AppID + AppSecret, Weibo token), and the first backfill enqueued.
   */
  async start(): Promise<void> {
    await this.registerPopulation();
    await this.attachCredentials();
    if (this.config.collection.enabled && this.scheduler) {
      const run = await this.scheduler.backfillNewAccounts();
      if (run) {
        this.logger.warn(
          `DEMO MODE: backfilling ${run.accounts} simulated accounts (${this.config.collection.backfillDays} days, run #${run.runId}); ` +
            `progress: GET /api/v1/collection/backfills/${run.runId} and the log`,
        );
      }
    }
  }

  /** The simulator's credentials for every simulated account that has none (set-based). */
  async attachCredentials(): Promise<number> {
    const population = this.simulator.population;
    const rows = await this.dataSource.query<
      { id: number; platform: string; wechat_app_id: string | null; weibo_uid: string | null }[]
    >(
      `SELECT a.id, a.platform, a.wechat_app_id, a.weibo_uid FROM accounts a
       WHERE a.data_source = 'simulated' AND NOT EXISTS (
         SELECT 1 FROM platform_credentials c WHERE c.account_id = a.id AND c.state <> 'revoked')`,
    );
    const items = simulatorCredentials(population, rows);
    let attached = 0;
    for (let i = 0; i < items.length; i += 5_000) {
      attached += await this.credentials.attachMany(items.slice(i, i + 5_000), SYSTEM_ACTOR);
    }
    if (attached > 0)
      this.logger.log(`DEMO MODE: simulator credentials attached to ${attached} accounts`);
    return attached;
  }

  async registerPopulation(): Promise<{ created: number; updated: number; unchanged: number }> {
    const batchSize = Math.min(this.config.importMaxRows, 20_000);
    const totals = { created: 0, updated: 0, unchanged: 0 };
    let batch: Record<string, unknown>[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const result = await this.importer.importAccounts(
        batch,
        'json',
        false,
        SYSTEM_PRINCIPAL,
        SYSTEM_ACTOR,
      );
      totals.created += result.created;
      totals.updated += result.updated;
      totals.unchanged += result.unchanged;
      batch = [];
    };
    for (const account of this.simulator.population.accounts()) {
      batch.push(toDemoImportRow(account));
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    this.logger.warn(
      `DEMO MODE: platform APIs are simulated at ${this.simulator.url}; ${this.simulator.population.size} simulated accounts ` +
        `(data_source=simulated, tag "simulated"): ${totals.created} new, ${totals.updated} updated, ${totals.unchanged} unchanged. ` +
        'Set WECHAT_API_BASE_URL / WEIBO_API_BASE_URL to use the real platforms.',
    );
    return totals;
  }
}
