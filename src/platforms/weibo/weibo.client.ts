import { Logger } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import type { z } from 'zod';
import { createPlatformHttp } from '../http/platform-http';
import { performRequest, type PlatformLogger, type QueryValue } from '../http/perform-request';
import { redactSecrets } from '../http/redact';
import { badDataInfo, invalidArgumentInfo } from '../http/response-schemas';
import { PlatformError, type PlatformErrorInfo } from '../platform-error';
import { parseWeiboError, weiboErrorCode } from './parse-weibo-error';
import {
  quoteLongIds,
  statusCountsSchema,
  timelineSchema,
  userCountsSchema,
  weiboUserSchema,
  type WeiboStatusCounts,
  type WeiboTimeline,
  type WeiboUser,
  type WeiboUserCounts,
} from './weibo.schemas';

export interface WeiboClientOptions {
  /** e.g. https://api.weibo.com or the simulator. */
  baseUrl: string;
  /** Commercial API (c.api.weibo.com); defaults to `baseUrl`, as a simulator serves both. */
  commercialBaseUrl?: string;
  timeoutMs: number;
  maxBodyBytes: number;
  maxSockets?: number;
  logger?: PlatformLogger;
  now?: () => Date;
}

export interface TimelinePage {
  sinceId?: string;
  maxId?: string;
  /** 1..100 (the commercial endpoint documents ≤25 on its current page). */
  count?: number;
  page?: number;
}

export interface OtherTimelinePage extends TimelinePage {
  /** Unix seconds; with a time window the API returns at most 20 posts per query. */
  startTime?: number;
  endTime?: number;
}

type Api = 'open' | 'commercial';

interface WeiboCall<S extends z.ZodTypeAny> {
  api: Api;
  path: string;
  query: Record<string, QueryValue>;
  token: string;
  schema: S;
}

// Timeline page sizes: v2 own timeline ≤ 100; commercial user_timeline/other ≤ 25 (reference §4.2).
const OWN_TIMELINE_MAX_COUNT = 100;
const OTHER_TIMELINE_MAX_COUNT = 25;

/** Batch endpoints (users/counts, statuses/count) take at most 100 ids. */
export const WEIBO_BATCH_SIZE = 100;
const ID = /^\d{1,20}$/;

/** The Sina Weibo open API (v2) plus the commercial other-user timeline. Built by a factory. */
export class WeiboClient {
  private readonly http: Record<Api, AxiosInstance>;
  private readonly logger: PlatformLogger;
  private readonly now: () => Date;

  constructor(options: WeiboClientOptions) {
    const make = (baseUrl: string) =>
      createPlatformHttp({
        baseUrl,
        timeoutMs: options.timeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        keepAlive: true,
        maxSockets: options.maxSockets,
      });
    const open = make(options.baseUrl);
    const commercial =
      options.commercialBaseUrl && options.commercialBaseUrl !== options.baseUrl
        ? make(options.commercialBaseUrl)
        : open;
    this.http = { open, commercial };
    this.logger = options.logger ?? new Logger(WeiboClient.name);
    this.now = options.now ?? (() => new Date());
  }

  async showUser(token: string, uid: string): Promise<WeiboUser> {
    return this.request({
      api: 'open',
      path: '/2/users/show.json',
      query: { uid: this.id('uid', uid) },
      token,
      schema: weiboUserSchema,
    });
  }

  /** Follower/friend/status counts, in chunks of 100 uids, concatenated in request order. */
  async userCounts(token: string, uids: readonly string[]): Promise<WeiboUserCounts[]> {
    const out: WeiboUserCounts[] = [];
    for (const chunk of chunks(uids.map((u) => this.id('uid', u)))) {
      const query = { uids: chunk.join(',') };
      out.push(
        ...(await this.request({
          api: 'open',
          path: '/2/users/counts.json',
          query,
          token,
          schema: userCountsSchema,
        })),
      );
    }
    return out;
  }

  /** The authorising user's own timeline (the free API serves nobody else's). */
  async userTimeline(token: string, page: TimelinePage = {}): Promise<WeiboTimeline> {
    return this.request({
      api: 'open',
      path: '/2/statuses/user_timeline.json',
      query: this.pageQuery(page, OWN_TIMELINE_MAX_COUNT),
      token,
      schema: timelineSchema,
    });
  }

  /** Commercial C/2/statuses/user_timeline/other: any user's posts. */
  async otherUserTimeline(
    token: string,
    uid: string,
    page: OtherTimelinePage = {},
  ): Promise<WeiboTimeline> {
    const query = {
      uid: this.id('uid', uid),
      ...this.pageQuery(page, OTHER_TIMELINE_MAX_COUNT),
      start_time: this.optionalInt('startTime', page.startTime, 0),
      end_time: this.optionalInt('endTime', page.endTime, 0),
    };
    return this.request({
      api: 'commercial',
      path: '/2/statuses/user_timeline/other.json',
      query,
      token,
      schema: timelineSchema,
    });
  }

  /** Comment/repost/like counts, in chunks of 100 ids, concatenated in request order. */
  async statusCounts(token: string, ids: readonly string[]): Promise<WeiboStatusCounts[]> {
    const out: WeiboStatusCounts[] = [];
    for (const chunk of chunks(ids.map((id) => this.id('id', id)))) {
      const query = { ids: chunk.join(',') };
      out.push(
        ...(await this.request({
          api: 'open',
          path: '/2/statuses/count.json',
          query,
          token,
          schema: statusCountsSchema,
        })),
      );
    }
    return out;
  }

  /** The only place that talks HTTP: call, log, classify, validate. */
  private async request<S extends z.ZodTypeAny>(call: WeiboCall<S>): Promise<z.output<S>> {
    if (typeof call.token !== 'string' || call.token.trim() === '')
      this.fail(invalidArgumentInfo('token is empty'));
    const secrets = [call.token];
    const outcome = await performRequest(this.http[call.api], this.logger, {
      method: 'GET',
      path: call.path,
      query: { access_token: call.token, ...call.query },
      secrets,
      prepareJson: quoteLongIds,
    });
    if (outcome.kind !== 'ok') this.fail(parseWeiboError(outcome, this.now()), secrets);
    if (weiboErrorCode(outcome.body) !== undefined) {
      this.fail(
        parseWeiboError({ kind: 'body', status: outcome.status, body: outcome.body }, this.now()),
        secrets,
      );
    }
    const parsed = call.schema.safeParse(outcome.body);
    if (!parsed.success) this.fail(badDataInfo(parsed.error), secrets);
    return parsed.data as z.output<S>;
  }

  /** `maxCount`: 100 on the own timeline, 25 on the commercial other-user timeline. */
  private pageQuery(page: TimelinePage, maxCount: number): Record<string, QueryValue> {
    return {
      since_id: page.sinceId === undefined ? undefined : this.id('sinceId', page.sinceId),
      max_id: page.maxId === undefined ? undefined : this.id('maxId', page.maxId),
      count: this.optionalInt('count', page.count, 1, maxCount),
      page: this.optionalInt('page', page.page, 1),
    };
  }

  private optionalInt(
    name: string,
    value: number | undefined,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number | undefined {
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.fail(invalidArgumentInfo(`${name} must be an integer from ${min} to ${max}`));
    }
    return value;
  }

  private id(name: string, value: string): string {
    if (typeof value !== 'string' || !ID.test(value))
      this.fail(invalidArgumentInfo(`${name} must be a numeric id`));
    return value;
  }

  private fail(info: PlatformErrorInfo, secrets: readonly string[] = []): never {
    throw new PlatformError('weibo', { ...info, message: redactSecrets(info.message, secrets) });
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += WEIBO_BATCH_SIZE)
    out.push(items.slice(i, i + WEIBO_BATCH_SIZE));
  return out;
}
