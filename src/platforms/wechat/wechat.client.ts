import { Logger } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import type { z } from 'zod';
import {
  DATACUBE_MAX_SPAN_DAYS,
  spanDays,
  splitDateRange,
  type DatacubeEndpoint,
} from '../date-windows';
import { createPlatformHttp } from '../http/platform-http';
import { performRequest, type PlatformLogger, type QueryValue } from '../http/perform-request';
import { redactSecrets } from '../http/redact';
import { badDataInfo, invalidArgumentInfo } from '../http/response-schemas';
import { PlatformError, type PlatformErrorInfo } from '../platform-error';
import type { WechatTokenSource } from '../wechat-token-source';
import { parseWechatError, wechatErrcode } from './parse-wechat-error';
import {
  articleTotalDetailSchema,
  articleTotalSchema,
  bizSummarySchema,
  publishedBatchSchema,
  selfMenuSchema,
  tokenResponseSchema,
  userCumulateSchema,
  userSummarySchema,
  type WechatArticleTotal,
  type WechatArticleTotalDetail,
  type WechatBizSummary,
  type WechatPublishedBatch,
  type WechatSelfMenu,
  type WechatToken,
  type WechatUserCumulateRow,
  type WechatUserSummaryRow,
} from './wechat.schemas';

export interface WechatClientOptions {
  /** e.g. https://api.weixin.qq.com or the simulator. */
  baseUrl: string;
  timeoutMs: number;
  maxBodyBytes: number;
  maxSockets?: number;
  logger?: PlatformLogger;
  now?: () => Date;
}

interface WechatCall<S extends z.ZodTypeAny> {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  secrets: readonly string[];
  schema: S;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The WeChat Official Account API. Not decorated: the module builds it with a factory from config
 * (`useFactory: (c) => new WechatClient({...})`), and tests construct it directly.
 */
export class WechatClient implements WechatTokenSource {
  private readonly http: AxiosInstance;
  private readonly logger: PlatformLogger;
  private readonly now: () => Date;

  constructor(options: WechatClientOptions) {
    this.http = createPlatformHttp({
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      keepAlive: true,
      maxSockets: options.maxSockets,
    });
    this.logger = options.logger ?? new Logger(WechatClient.name);
    this.now = options.now ?? (() => new Date());
  }

  /** POST /cgi-bin/stable_token: the token the credentials service caches. */
  async fetchStableToken(
    appId: string,
    appSecret: string,
    forceRefresh: boolean,
  ): Promise<WechatToken> {
    this.requireText('appId', appId);
    this.requireText('appSecret', appSecret);
    const token = await this.request({
      method: 'POST',
      path: '/cgi-bin/stable_token',
      body: {
        grant_type: 'client_credential',
        appid: appId,
        secret: appSecret,
        force_refresh: forceRefresh,
      },
      secrets: [appSecret],
      schema: tokenResponseSchema,
    });
    return token;
  }

  /** Legacy GET /cgi-bin/token (2000/day; replaces the previous token). Prefer fetchStableToken. */
  async fetchToken(appId: string, appSecret: string): Promise<WechatToken> {
    this.requireText('appId', appId);
    this.requireText('appSecret', appSecret);
    return this.request({
      method: 'GET',
      path: '/cgi-bin/token',
      query: { grant_type: 'client_credential', appid: appId, secret: appSecret },
      secrets: [appSecret],
      schema: tokenResponseSchema,
    });
  }

  async getUserSummary(token: string, begin: string, end: string): Promise<WechatUserSummaryRow[]> {
    return this.datacube('getusersummary', token, begin, end, userSummarySchema);
  }

  async getUserCumulate(
    token: string,
    begin: string,
    end: string,
  ): Promise<WechatUserCumulateRow[]> {
    return this.datacube('getusercumulate', token, begin, end, userCumulateSchema);
  }

  async getBizSummary(token: string, day: string): Promise<WechatBizSummary> {
    return this.datacube('getbizsummary', token, day, day, bizSummarySchema);
  }

  async getArticleTotalDetail(token: string, day: string): Promise<WechatArticleTotalDetail> {
    return this.datacube('getarticletotaldetail', token, day, day, articleTotalDetailSchema);
  }

  /** Legacy (停止维护) per-article totals for items published on `day`. */
  async getArticleTotal(token: string, day: string): Promise<WechatArticleTotal[]> {
    return this.datacube('getarticletotal', token, day, day, articleTotalSchema);
  }

  async getUserSummaryRange(
    token: string,
    begin: string,
    end: string,
  ): Promise<WechatUserSummaryRow[]> {
    return (
      await this.inWindows('getusersummary', begin, end, (b, e) => this.getUserSummary(token, b, e))
    ).flat();
  }

  async getUserCumulateRange(
    token: string,
    begin: string,
    end: string,
  ): Promise<WechatUserCumulateRow[]> {
    return (
      await this.inWindows('getusercumulate', begin, end, (b, e) =>
        this.getUserCumulate(token, b, e),
      )
    ).flat();
  }

  async getBizSummaryRange(token: string, begin: string, end: string): Promise<WechatBizSummary> {
    const parts = await this.inWindows('getbizsummary', begin, end, (b) =>
      this.getBizSummary(token, b),
    );
    return { isDelay: parts.some((p) => p.isDelay), rows: parts.flatMap((p) => p.rows) };
  }

  async getArticleTotalDetailRange(
    token: string,
    begin: string,
    end: string,
  ): Promise<WechatArticleTotalDetail> {
    const parts = await this.inWindows('getarticletotaldetail', begin, end, (b) =>
      this.getArticleTotalDetail(token, b),
    );
    return { isDelay: parts.some((p) => p.isDelay), articles: parts.flatMap((p) => p.articles) };
  }

  /** POST /cgi-bin/freepublish/batchget (发布 items only, not 群发; 100 calls/day). */
  async batchGetPublished(
    token: string,
    offset: number,
    count: number,
  ): Promise<WechatPublishedBatch> {
    if (!Number.isInteger(offset) || offset < 0)
      this.fail(invalidArgumentInfo('offset must be an integer ≥ 0'));
    if (!Number.isInteger(count) || count < 1 || count > 20) {
      this.fail(invalidArgumentInfo('count must be an integer from 1 to 20'));
    }
    return this.request({
      method: 'POST',
      path: '/cgi-bin/freepublish/batchget',
      query: { access_token: this.requireText('token', token) },
      body: { offset, count, no_content: 1 },
      secrets: [token],
      schema: publishedBatchSchema,
    });
  }

  async getCurrentSelfMenu(token: string): Promise<WechatSelfMenu> {
    return this.request({
      method: 'GET',
      path: '/cgi-bin/get_current_selfmenu_info',
      query: { access_token: this.requireText('token', token) },
      secrets: [token],
      schema: selfMenuSchema,
    });
  }

  private async datacube<S extends z.ZodTypeAny>(
    endpoint: DatacubeEndpoint,
    token: string,
    begin: string,
    end: string,
    schema: S,
  ): Promise<z.output<S>> {
    this.requireText('token', token);
    this.requireSpan(endpoint, begin, end);
    return this.request({
      method: 'POST',
      path: `/datacube/${endpoint}`,
      query: { access_token: token },
      body: { begin_date: begin, end_date: end },
      secrets: [token],
      schema,
    });
  }

  /** Sequential on purpose: windows of one account share its per-minute quota. */
  private async inWindows<T>(
    endpoint: DatacubeEndpoint,
    begin: string,
    end: string,
    fetch: (begin: string, end: string) => Promise<T>,
  ): Promise<T[]> {
    this.requireSpan(endpoint, begin, end, Number.POSITIVE_INFINITY);
    const results: T[] = [];
    for (const window of splitDateRange(begin, end, DATACUBE_MAX_SPAN_DAYS[endpoint])) {
      results.push(await fetch(window.begin, window.end));
    }
    return results;
  }

  /** The only place that talks HTTP: call, log, classify, validate. */
  private async request<S extends z.ZodTypeAny>(call: WechatCall<S>): Promise<z.output<S>> {
    const outcome = await performRequest(this.http, this.logger, call);
    if (outcome.kind !== 'ok') this.fail(parseWechatError(outcome, this.now()), call.secrets);
    // WeChat reports errors as HTTP 200 with errcode ≠ 0.
    if (wechatErrcode(outcome.body) !== undefined) {
      this.fail(
        parseWechatError({ kind: 'body', status: outcome.status, body: outcome.body }, this.now()),
        call.secrets,
      );
    }
    const parsed = call.schema.safeParse(outcome.body);
    if (!parsed.success) this.fail(badDataInfo(parsed.error), call.secrets);
    return parsed.data as z.output<S>;
  }

  private requireSpan(
    endpoint: DatacubeEndpoint,
    begin: string,
    end: string,
    max: number = DATACUBE_MAX_SPAN_DAYS[endpoint],
  ): void {
    let days: number;
    try {
      days = ISO_DAY.test(begin) && ISO_DAY.test(end) ? spanDays({ begin, end }) : Number.NaN;
    } catch {
      days = Number.NaN;
    }
    if (!(days >= 1 && days <= max)) {
      this.fail(
        invalidArgumentInfo(
          `${endpoint}: ${begin}..${end} must be calendar days, begin ≤ end, at most ${max} days`,
        ),
      );
    }
  }

  private requireText(name: string, value: string): string {
    if (typeof value !== 'string' || value.trim() === '')
      this.fail(invalidArgumentInfo(`${name} is empty`));
    return value;
  }

  private fail(info: PlatformErrorInfo, secrets: readonly string[] = []): never {
    throw new PlatformError('wechat', { ...info, message: redactSecrets(info.message, secrets) });
  }
}
