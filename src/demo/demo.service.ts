import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountImportService } from '../accounts/import/account-import.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { RunningSimulator } from '../simulator';
import { toDemoImportRow } from './demo-registration';

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
  ) {}

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
