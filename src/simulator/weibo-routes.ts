import type { FastifyInstance, FastifyRequest } from 'fastify';
import { weiboPostsOn } from './activity';
import { dateOfDay, shanghaiDay } from './dates';
import { weiboError, type SimResponse } from './fault-responses';
import { decodeStatusId } from './ids';
import { platformHandler, type RequestIdentity, type SimContext } from './platform-handler';
import type { SimAccount } from './population';
import { statusJson, statusesCount, timeline, userJson, type TimelineQuery } from './weibo-views';

type Query = Record<string, string | undefined>;

const MAX_BATCH = 100;
const OWN_TIMELINE_MAX_COUNT = 100;
/** Commercial user_timeline/other: current docs say count ≤ 25, and ≤ 20 with a time window. */
const OTHER_TIMELINE_MAX_COUNT = 25;
const OTHER_TIMELINE_WINDOW_MAX = 20;

class ParamError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function q(req: FastifyRequest): Query {
  return (req.query ?? {}) as Query;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function intParam(query: Query, name: string, fallback?: number): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ParamError(10017, `invalid parameter value (${name})`);
  return Number(raw);
}

export function registerWeiboRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { population } = ctx;

  const identify = (req: FastifyRequest): RequestIdentity => {
    const query = q(req);
    const owner =
      query.access_token === undefined
        ? undefined
        : population.findByWeiboToken(query.access_token);
    const statusOwners = list(query.ids).map((id) => {
      const index = /^\d+$/.test(id) ? decodeStatusId(Number(id)).index : -1;
      return index >= 0 && index < population.size ? population.account(index).weiboUid : undefined;
    });
    const uids = [owner?.weiboUid, query.uid, ...list(query.uids), ...statusOwners].filter(
      (u): u is string => u !== undefined,
    );
    return { uid: query.uid ?? owner?.weiboUid, uids, token: query.access_token };
  };

  /** Token check, parameter errors, then the answer. */
  const route = (
    path: string,
    handle: (query: Query, owner: SimAccount, now: Date) => SimResponse,
  ): void => {
    const apiPath = path.replace(/^\/2/, '');
    app.get(
      path,
      platformHandler(ctx, 'weibo', identify, (req) => {
        const query = q(req);
        const token = query.access_token;
        if (token === undefined || token === '') {
          return weiboError(apiPath, 400, 10006, 'source paramter (appkey) is missing');
        }
        const owner = population.findByWeiboToken(token);
        if (owner === undefined) return weiboError(apiPath, 401, 21332, 'invalid_access_token');
        try {
          return handle(query, owner, ctx.now());
        } catch (error) {
          if (error instanceof ParamError)
            return weiboError(apiPath, 400, error.code, error.message);
          throw error;
        }
      }),
    );
  };

  route('/2/users/show.json', (query, _owner, now) => {
    if (query.uid === undefined) throw new ParamError(10016, 'miss required parameter (uid)');
    const account = population.findByUid(query.uid);
    if (account === undefined)
      return weiboError('/users/show.json', 400, 20003, 'User does not exists!');
    return ok(userJson(population, account, now, true));
  });

  route('/2/users/counts.json', (query, _owner, now) => {
    const uids = list(query.uids);
    if (uids.length === 0) throw new ParamError(10016, 'miss required parameter (uids)');
    if (uids.length > MAX_BATCH) throw new ParamError(10017, 'invalid parameter value (uids)');
    const rows = uids.flatMap((uid) => {
      const account = population.findByUid(uid);
      if (account === undefined) return [];
      const user = userJson(population, account, now, false);
      return [
        {
          id: user.id,
          followers_count: user.followers_count,
          friends_count: user.friends_count,
          statuses_count: user.statuses_count,
        },
      ];
    });
    return ok(rows);
  });

  const timelineResponse = (account: SimAccount, now: Date, tq: TimelineQuery, trim: boolean) => {
    const user = trim ? undefined : userJson(population, account, now, false);
    const statuses = timeline(population, account, now, tq).map((post) =>
      statusJson(population, account, post, now, user),
    );
    return ok({
      statuses,
      hasvisible: false,
      previous_cursor: 0,
      next_cursor: statuses.length === tq.count ? statuses[statuses.length - 1].id - 1 : 0,
      total_number: statusesCount(population, account, now),
    });
  };

  // Free v2 API: only the authorising user's own posts are returned.
  route('/2/statuses/user_timeline.json', (query, owner, now) => {
    const tq = timelineQuery(query, OWN_TIMELINE_MAX_COUNT);
    if (query.uid !== undefined && query.uid !== owner.weiboUid) {
      return ok({
        statuses: [],
        hasvisible: false,
        previous_cursor: 0,
        next_cursor: 0,
        total_number: 0,
      });
    }
    return timelineResponse(owner, now, tq, query.trim_user === '1');
  });

  // Commercial API (c.api.weibo.com in production): anyone's posts, with a time window.
  route('/2/statuses/user_timeline/other.json', (query, _owner, now) => {
    if (query.uid === undefined) throw new ParamError(10016, 'miss required parameter (uid)');
    const tq = timelineQuery(query, OTHER_TIMELINE_MAX_COUNT);
    const startTime = intParam(query, 'start_time');
    const endTime = intParam(query, 'end_time');
    if (startTime !== undefined) tq.startMs = startTime * 1000;
    if (endTime !== undefined) tq.endMs = endTime * 1000;
    if (startTime !== undefined || endTime !== undefined) {
      tq.count = Math.min(tq.count, OTHER_TIMELINE_WINDOW_MAX);
    }
    const account = population.findByUid(query.uid);
    if (account === undefined) {
      return weiboError('/statuses/user_timeline/other.json', 400, 20003, 'User does not exists!');
    }
    return timelineResponse(account, now, tq, query.trim_user === '1');
  });

  route('/2/statuses/count.json', (query, _owner, now) => {
    const ids = list(query.ids);
    if (ids.length === 0) throw new ParamError(10016, 'miss required parameter (ids)');
    if (ids.length > MAX_BATCH) throw new ParamError(10017, 'invalid parameter value (ids)');
    const rows = ids.flatMap((raw) => {
      if (!/^\d+$/.test(raw)) return [];
      const id = Number(raw);
      const { unixSeconds, index } = decodeStatusId(id);
      if (index >= population.size) return [];
      const account = population.account(index);
      if (account.platform !== 'weibo') return [];
      const day = shanghaiDay(new Date(unixSeconds * 1000));
      const post = weiboPostsOn(population.seed, account, day, dateOfDay(day)).find(
        (p) => p.id === id && p.publishedAt <= now.getTime(),
      );
      if (post === undefined) return [];
      const s = statusJson(population, account, post, now);
      return [
        { id, comments: s.comments_count, reposts: s.reposts_count, attitudes: s.attitudes_count },
      ];
    });
    return ok(rows);
  });
}

function timelineQuery(query: Query, maxCount: number): TimelineQuery {
  const count = intParam(query, 'count', 20) ?? 20;
  const page = intParam(query, 'page', 1) ?? 1;
  if (count < 1 || count > maxCount) throw new ParamError(10017, 'invalid parameter value (count)');
  if (page < 1) throw new ParamError(10017, 'invalid parameter value (page)');
  const sinceId = intParam(query, 'since_id');
  const maxId = intParam(query, 'max_id');
  return {
    count,
    page,
    ...(sinceId === undefined || sinceId === 0 ? {} : { sinceId }),
    ...(maxId === undefined || maxId === 0 ? {} : { maxId }),
  };
}

function ok(body: unknown): SimResponse {
  return { status: 200, body, outcome: 'ok' };
}
