import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { isCalendarDate, shanghaiDay } from './dates';
import type { SimContext } from './platform-handler';
import type { SimAccount } from './population';
import { wechatTruth, weiboTruth } from './truth';
import { isDelayed } from './wechat-datacube';

// /__sim/*: fault injection, call log, truth and population for tests and the demo.

type Query = Record<string, string | undefined>;
const MAX_PAGE = 1000;

export function publicAccount(account: SimAccount) {
  // Secrets (appSecret, Weibo token) stay in code: population.account(i).
  const copy: Partial<SimAccount> = { ...account };
  delete copy.appSecret;
  delete copy.weiboAccessToken;
  return copy;
}

export function registerAdminRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { population, faults, callLog } = ctx;

  app.get('/__sim/health', () => ({
    status: 'ok',
    seed: population.seed,
    size: population.size,
    now: ctx.now().toISOString(),
  }));

  app.post('/__sim/faults', async (req, reply) => {
    try {
      return await reply.status(201).send(faults.add(req.body as never));
    } catch (error) {
      if (error instanceof ZodError) {
        return reply.status(400).send({ error: 'invalid fault', issues: error.issues });
      }
      throw error;
    }
  });
  app.get('/__sim/faults', () => ({ faults: faults.list() }));
  app.delete('/__sim/faults', async (_req, reply) => {
    faults.clear();
    return reply.status(204).send();
  });
  app.delete<{ Params: { id: string } }>('/__sim/faults/:id', async (req, reply) =>
    reply.status(faults.remove(Number(req.params.id)) ? 204 : 404).send(),
  );

  app.get('/__sim/calls', async (req, reply) => {
    const query = req.query as Query;
    if (
      query.since !== undefined &&
      !/^\d+$/.test(query.since) &&
      Number.isNaN(Date.parse(query.since))
    ) {
      return reply.status(400).send({ error: 'since must be a sequence number or an ISO time' });
    }
    return { calls: callLog.query(query) };
  });
  app.delete('/__sim/calls', async (_req, reply) => {
    callLog.clear();
    return reply.status(204).send();
  });

  const truth =
    (
      find: (id: string) => SimAccount | undefined,
      build: (account: SimAccount, date: string, lastStatDay: number) => unknown,
    ) =>
    async (req: FastifyRequest<{ Params: { id: string; date: string } }>, reply: FastifyReply) => {
      const account = find(req.params.id);
      if (account === undefined) return reply.status(404).send({ error: 'unknown account' });
      if (!isCalendarDate(req.params.date)) {
        return reply.status(400).send({ error: 'date must be YYYY-MM-DD' });
      }
      return build(account, req.params.date, shanghaiDay(ctx.now()) - 1);
    };

  app.get(
    '/__sim/truth/wechat/:id/:date',
    truth(
      (id) => population.findByAppId(id),
      (account, date, lastStatDay) => ({
        ...wechatTruth(population, account, date, lastStatDay),
        // Relative to the clock: while delayed, datacube withholds this day.
        isDelay: isDelayed(population, account, shanghaiDay(new Date(`${date}T12:00:00+08:00`)), {
          now: ctx.now(),
          today: lastStatDay + 1,
        }),
      }),
    ),
  );
  app.get(
    '/__sim/truth/weibo/:id/:date',
    truth(
      (id) => population.findByUid(id),
      (account, date, lastStatDay) => weiboTruth(population, account, date, lastStatDay),
    ),
  );

  app.get('/__sim/population', async (req, reply) => {
    const query = req.query as Query;
    const offset = Number(query.offset ?? 0);
    const limit = Number(query.limit ?? 100);
    if (
      !Number.isInteger(offset) ||
      offset < 0 ||
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > MAX_PAGE
    ) {
      return reply.status(400).send({ error: `offset ≥ 0 and 1 ≤ limit ≤ ${MAX_PAGE}` });
    }
    const accounts: unknown[] = [];
    for (let i = offset; i < Math.min(population.size, offset + limit); i += 1) {
      accounts.push(publicAccount(population.account(i)));
    }
    return { size: population.size, offset, limit, accounts };
  });
}
