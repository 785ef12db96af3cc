import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import axios from 'axios';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { HealthTransition } from './collection-health';

/** Overrides of the webhook timing (tests). */
export const ALERT_NOTIFIER_TIMING = Symbol('ALERT_NOTIFIER_TIMING');

export interface AlertNotifierTiming {
  /** Per attempt: connect, idle and overall deadline. Default 5 s. */
  timeoutMs: number;
  /** Pause before the one retry. Default 1 s. */
  retryDelayMs: number;
}

const DEFAULT_TIMING: AlertNotifierTiming = { timeoutMs: 5_000, retryDelayMs: 1_000 };

/** The webhook body: one per notify() call, i.e. one per job that produced transitions. */
export interface CollectionAlertBody {
  event: 'collection.failing';
  accounts: {
    accountId: number;
    platform: string;
    displayName?: string;
    state: string;
    errorClass: string;
    code: string;
    message: string;
    consecutiveFailures: number;
  }[];
  /** ISO 8601 instant of the notification. */
  at: string;
}

/**
 * Sends the healthy→failing alert (R17: exactly once per transition; recordOutcomes decides which
 * transitions alert). With ALERT_WEBHOOK_URL set: one JSON POST per call, 5 s deadline, redirects
 * never followed, one retry; a failure is logged and never thrown into the job. Without a URL:
 * one warn line per call. Neither the body nor the logs carry tokens or secrets; the webhook URL
 * itself (which often holds an access token) is logged by origin only.
 */
@Injectable()
export class AlertNotifier {
  private readonly logger = new Logger(AlertNotifier.name);
  private readonly timing: AlertNotifierTiming;
  private readonly httpAgent = new http.Agent({ keepAlive: false });
  private readonly httpsAgent = new https.Agent({ keepAlive: false });

  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'collection'>,
    @Optional() @Inject(ALERT_NOTIFIER_TIMING) timing?: Partial<AlertNotifierTiming>,
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  /** Alerts the transitions with `alert: true`; resolves true when delivered (or nothing to send). */
  async notify(transitions: readonly HealthTransition[]): Promise<boolean> {
    const alerting = transitions.filter((t) => t.alert);
    if (alerting.length === 0) return true;
    const body = buildAlertBody(alerting);
    const summary = {
      accounts: alerting.length,
      accountIds: alerting.slice(0, 20).map((t) => t.accountId),
    };
    const url = this.config.collection.alertWebhookUrl;
    if (!url) {
      this.logger.warn(
        { ...summary, event: body.event },
        `${alerting.length} account(s) started failing; ALERT_WEBHOOK_URL is not set`,
      );
      return false;
    }
    const target = safeOrigin(url);
    let lastError = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      if (attempt > 1) await sleep(this.timing.retryDelayMs);
      try {
        const response = await axios.post(url, body, {
          timeout: this.timing.timeoutMs,
          signal: AbortSignal.timeout(this.timing.timeoutMs),
          maxRedirects: 0,
          validateStatus: () => true,
          responseType: 'text',
          transformResponse: [(data: unknown) => data],
          maxContentLength: 64 * 1024,
          httpAgent: this.httpAgent,
          httpsAgent: this.httpsAgent,
          headers: { 'Content-Type': 'application/json' },
        });
        if (response.status >= 200 && response.status < 300) {
          this.logger.log({ ...summary, target, attempt }, 'collection alert sent');
          return true;
        }
        lastError = `HTTP ${response.status}`;
      } catch (error) {
        // Never log the error object: axios errors carry the request config and URL.
        lastError = describeTransportError(error);
      }
    }
    this.logger.error(
      { ...summary, target, error: lastError },
      `collection alert webhook failed after 2 attempts: ${lastError}`,
    );
    return false;
  }
}

export function buildAlertBody(
  transitions: readonly HealthTransition[],
  at: Date = new Date(),
): CollectionAlertBody {
  return {
    event: 'collection.failing',
    accounts: transitions.map((t) => ({
      accountId: t.accountId,
      platform: t.platform,
      ...(t.displayName ? { displayName: t.displayName } : {}),
      state: t.state,
      errorClass: t.errorClass,
      code: t.code,
      message: t.message,
      consecutiveFailures: t.consecutiveFailures,
    })),
    at: at.toISOString(),
  };
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}

function describeTransportError(error: unknown): string {
  if (axios.isAxiosError(error)) {
    if (axios.isCancel(error) || error.code === 'ECONNABORTED' || error.code === 'ERR_CANCELED') {
      return 'timeout';
    }
    return error.code ?? 'transport error';
  }
  return error instanceof Error ? error.name : 'unknown error';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
