import type { SimAccount } from './population';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './server';

// Shared by the simulator's HTTP specs: a simulator on a clock the test can move.

export const FROZEN_NOW = '2026-11-22T02:00:00Z'; // 10:00 in Shanghai

export interface TestSim {
  sim: RunningSimulator;
  clock: { now: Date };
  advance(ms: number): void;
}

export async function startTestSim(options: SimulatorOptions = {}): Promise<TestSim> {
  const clock = { now: new Date(FROZEN_NOW) };
  const sim = await startSimulator({ latencyMs: 0, size: 2000, now: () => clock.now, ...options });
  return {
    sim,
    clock,
    advance: (ms) => {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
}

export function findAccount(sim: RunningSimulator, test: (a: SimAccount) => boolean): SimAccount {
  for (const account of sim.population.accounts()) if (test(account)) return account;
  throw new Error('no such account in the population');
}

/** Response bodies in specs are untyped JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function json(res: Response): Promise<Json> {
  return res.json();
}

export async function getJson(url: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
