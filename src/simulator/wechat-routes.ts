import type { FastifyInstance, FastifyRequest } from 'fastify';
import { shanghaiDay } from './dates';
import { wechatError, type SimResponse } from './fault-responses';
import { platformHandler, type RequestIdentity, type SimContext } from './platform-handler';
import type { SimAccount } from './population';
import {
  articleTotal,
  articleTotalDetail,
  bizSummary,
  parseRange,
  userCumulate,
  userSummary,
  type DatacubeClock,
} from './wechat-datacube';
import { freepublishBatch, selfMenu } from './wechat-content';

type Query = Record<string, string | undefined>;
type Body = Record<string, unknown>;

const FREEPUBLISH_DAILY_QUOTA = 100;

function query(req: FastifyRequest): Query {
  return (req.query ?? {}) as Query;
}

function body(req: FastifyRequest): Body {
  const b = req.body;
  return b !== null && typeof b === 'object' ? (b as Body) : {};
}

export function registerWechatRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { population, tokens } = ctx;
  const clock = (): DatacubeClock => ({ now: ctx.now(), today: shanghaiDay(ctx.now()) });
  const freepublishCalls = new Map<number, { day: number; calls: number }>();

  const byToken = (req: FastifyRequest): RequestIdentity => {
    const token = query(req).access_token;
    const owner = token === undefined ? undefined : tokens.ownerOf(token);
    const appId = owner === undefined ? undefined : population.account(owner).wechatAppId;
    return { appId, uids: [], token };
  };
  const byAppId = (appid: unknown): RequestIdentity => ({
    appId: typeof appid === 'string' ? appid : undefined,
    uids: [],
  });

  /** Token check, then the account behind it. */
  const authorised = (
    identity: RequestIdentity,
    then: (account: SimAccount) => SimResponse,
  ): SimResponse => {
    const check = tokens.check(identity.token);
    if (!check.ok) return wechatError(check.errcode, check.errmsg);
    return then(population.account(check.appIndex));
  };

  const credentials = (appid: unknown, secret: unknown): SimAccount | SimResponse => {
    if (typeof appid !== 'string' || appid === '') return wechatError(41002, 'appid missing');
    if (typeof secret !== 'string' || secret === '') return wechatError(41004, 'appsecret missing');
    const account = population.findByAppId(appid);
    if (account === undefined) return wechatError(40013, 'invalid appid');
    if (account.appSecret !== secret) {
      return wechatError(40001, 'AppSecret error or AppSecret not belong to this appid');
    }
    return account;
  };

  app.get(
    '/cgi-bin/token',
    platformHandler(
      ctx,
      'wechat',
      (req) => byAppId(query(req).appid),
      (req) => {
        const q = query(req);
        if (q.grant_type !== 'client_credential') return wechatError(40002, 'invalid grant_type');
        const account = credentials(q.appid, q.secret);
        if ('status' in account) return account;
        return issued(tokens.issueBasic(account.index));
      },
    ),
  );

  app.post(
    '/cgi-bin/stable_token',
    platformHandler(
      ctx,
      'wechat',
      (req) => byAppId(body(req).appid),
      (req) => {
        const b = body(req);
        if (b.grant_type !== 'client_credential') return wechatError(40002, 'invalid grant_type');
        const account = credentials(b.appid, b.secret);
        if ('status' in account) return account;
        return issued(tokens.issueStable(account.index, b.force_refresh === true));
      },
    ),
  );

  // Datacube: verified accounts only; each endpoint has its own span.
  const datacube = (
    path: string,
    maxSpan: number,
    build: (account: SimAccount, days: number[], c: DatacubeClock) => unknown,
  ): void => {
    app.post(
      path,
      platformHandler(ctx, 'wechat', byToken, (req, identity) =>
        authorised(identity, (account) => {
          if (!account.verified) return wechatError(48001, 'api unauthorized');
          const c = clock();
          const range = parseRange(req.body, maxSpan, c);
          if (!range.ok) return range.error;
          return ok(build(account, range.days, c));
        }),
      ),
    );
  };
  const oneDay = (days: number[], f: (day: number) => unknown): unknown =>
    days.length === 0 ? { list: [] } : f(days[0]);

  datacube('/datacube/getusersummary', 7, (a, days) => userSummary(population, a, days));
  datacube('/datacube/getusercumulate', 7, (a, days) => userCumulate(population, a, days));
  datacube('/datacube/getbizsummary', 1, (a, days, c) =>
    oneDay(days, (d) => bizSummary(population, a, d, c)),
  );
  datacube('/datacube/getarticletotaldetail', 1, (a, days, c) =>
    oneDay(days, (d) => articleTotalDetail(population, a, d, c)),
  );
  datacube('/datacube/getarticletotal', 1, (a, days, c) =>
    oneDay(days, (d) => articleTotal(population, a, d, c)),
  );

  app.post(
    '/cgi-bin/freepublish/batchget',
    platformHandler(ctx, 'wechat', byToken, (req, identity) =>
      authorised(identity, (account) => {
        const b = body(req);
        const offset = b.offset ?? 0;
        const count = b.count;
        if (
          typeof offset !== 'number' ||
          !Number.isInteger(offset) ||
          offset < 0 ||
          typeof count !== 'number' ||
          !Number.isInteger(count) ||
          count < 1 ||
          count > 20
        ) {
          return wechatError(40097, 'invalid args');
        }
        const today = shanghaiDay(ctx.now());
        const used = freepublishCalls.get(account.index);
        const calls = used?.day === today ? used.calls : 0;
        if (calls >= FREEPUBLISH_DAILY_QUOTA) {
          return wechatError(45009, 'reach max api daily quota limit');
        }
        freepublishCalls.set(account.index, { day: today, calls: calls + 1 });
        return ok(
          freepublishBatch(population, account, ctx.now(), offset, count, b.no_content === 1),
        );
      }),
    ),
  );

  app.get(
    '/cgi-bin/get_current_selfmenu_info',
    platformHandler(ctx, 'wechat', byToken, (_req, identity) =>
      authorised(identity, (account) => ok(selfMenu(population, account))),
    ),
  );
}

function ok(body: unknown): SimResponse {
  return { status: 200, body, outcome: 'ok' };
}

function issued(result: ReturnType<SimContext['tokens']['issueBasic']>): SimResponse {
  if (!result.ok) return wechatError(result.errcode, result.errmsg);
  return ok({ access_token: result.access_token, expires_in: result.expires_in });
}
