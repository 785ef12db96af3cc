import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken, type CallLog } from './call-log';
import {
  corruptCounts,
  faultResponse,
  truncateJson,
  wechatError,
  type SimPlatform,
  type SimResponse,
} from './fault-responses';
import type { Fault, FaultController } from './faults';
import type { SimPopulation } from './population';
import type { WechatTokenStore } from './tokens';

export interface SimLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

export interface SimContext {
  population: SimPopulation;
  faults: FaultController;
  callLog: CallLog;
  tokens: WechatTokenStore;
  now: () => Date;
  /** Replies held open by hang/slow_drip, ended on close. */
  held: Set<ServerResponse>;
  timers: Set<NodeJS.Timeout>;
  logger?: SimLogger;
}

export interface RequestIdentity {
  appId?: string;
  uid?: string;
  /** Every uid the request concerns, for uid-scoped faults. */
  uids: string[];
  token?: string;
}

type Identify = (req: FastifyRequest) => RequestIdentity;
type Handle = (req: FastifyRequest, identity: RequestIdentity) => SimResponse;

/** Marks bodies that were not JSON, so handlers can answer like the platform. */
export const INVALID_JSON = Object.freeze({ __invalidJson: true });

const DEFAULT_DRIP_MS = 1000;
const DEFAULT_OVERSIZED_MB = 50;

/** Wraps a platform endpoint: identity, faults, call log, then the answer. */
export function platformHandler(
  ctx: SimContext,
  platform: SimPlatform,
  identify: Identify,
  handle: Handle,
) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const identity = identify(req);
    const path = req.url.split('?')[0];
    const fault = ctx.faults.take({ path, appId: identity.appId, uids: identity.uids });
    const log = (status: number, outcome: string): void => {
      ctx.callLog.record({
        time: ctx.now().toISOString(),
        method: req.method,
        path,
        platform,
        ...(identity.appId === undefined ? {} : { appId: identity.appId }),
        ...(identity.uid === undefined ? {} : { uid: identity.uid }),
        ...(identity.token === undefined || identity.token === ''
          ? {}
          : { tokenHash: hashToken(identity.token) }),
        status,
        outcome,
        ...(fault === undefined ? {} : { fault: fault.kind }),
      });
    };

    if (fault?.kind === 'hang') {
      log(0, 'hang');
      reply.hijack();
      ctx.held.add(reply.raw);
      reply.raw.on('close', () => ctx.held.delete(reply.raw));
      return;
    }
    if (fault?.kind === 'oversized') {
      log(200, 'oversized');
      await reply
        .status(200)
        .header('content-type', 'application/json')
        .send(oversizedBody(fault.sizeMb ?? DEFAULT_OVERSIZED_MB));
      return;
    }
    const response = isReplacing(fault)
      ? faultResponse(platform, path, fault)
      : platform === 'wechat' && req.body === INVALID_JSON
        ? wechatError(47001, 'data format error')
        : handle(req, identity);
    log(response.status, response.outcome);

    if (fault?.kind === 'slow_drip') {
      drip(ctx, reply, response, fault.intervalMs ?? DEFAULT_DRIP_MS);
      return;
    }
    let body: unknown = response.body;
    if (fault?.kind === 'bad_data') body = corruptCounts(body, fault.variant);
    reply.status(response.status).headers(response.headers ?? {});
    if (fault?.kind === 'malformed_json') {
      await reply.header('content-type', 'application/json').send(truncateJson(body));
      return;
    }
    await reply.send(body);
  };
}

function isReplacing(fault: Fault | undefined): fault is Fault {
  if (fault === undefined) return false;
  switch (fault.kind) {
    case 'hang':
    case 'slow_drip':
    case 'malformed_json':
    case 'oversized':
    case 'bad_data':
      return false;
    case 'rate_limit':
    case 'quota':
    case 'token_expired':
    case 'server_error':
    case 'redirect':
    case 'permission':
      return true;
  }
}

function serialise(response: SimResponse): { text: string; contentType: string } {
  if (typeof response.body === 'string') {
    return { text: response.body, contentType: response.headers?.['content-type'] ?? 'text/plain' };
  }
  return { text: JSON.stringify(response.body), contentType: 'application/json; charset=utf-8' };
}

/** Sends the real body one byte per interval. */
function drip(ctx: SimContext, reply: FastifyReply, response: SimResponse, intervalMs: number) {
  const { text, contentType } = serialise(response);
  const bytes = Buffer.from(text);
  reply.hijack();
  const res = reply.raw;
  ctx.held.add(res);
  res.writeHead(response.status, {
    ...response.headers,
    'content-type': contentType,
    'content-length': String(bytes.length),
  });
  let offset = 0;
  const timer = setInterval(() => {
    if (res.destroyed || offset >= bytes.length) {
      clearInterval(timer);
      ctx.timers.delete(timer);
      ctx.held.delete(res);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(bytes.subarray(offset, offset + 1));
    offset += 1;
  }, intervalMs);
  ctx.timers.add(timer);
  res.on('close', () => {
    clearInterval(timer);
    ctx.timers.delete(timer);
    ctx.held.delete(res);
  });
}

/** A valid JSON document of roughly `sizeMb` MB, streamed in chunks (never held in memory). */
function oversizedBody(sizeMb: number): Readable {
  const item = '{"ref_date":"2026-01-01","user_source":0,"new_user":1,"cancel_user":0},';
  const chunk = item.repeat(Math.ceil(65_536 / item.length));
  const target = Math.floor(sizeMb * 1024 * 1024);
  let sent = 0;
  return Readable.from(
    (function* () {
      yield '{"list":[';
      sent += 9;
      while (sent < target) {
        yield chunk;
        sent += chunk.length;
      }
      yield `${item.slice(0, -1)}]}`;
    })(),
  );
}
