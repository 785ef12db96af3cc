import { describe, expect, it } from 'vitest';
import { ResponseCache } from './response-cache';

describe('ResponseCache', () => {
  it('serves a key from memory until its TTL is over', async () => {
    let now = 1_000;
    let computed = 0;
    const cache = new ResponseCache<number>(60_000, 10, () => now);
    const compute = () => Promise.resolve(++computed);
    expect(await cache.get('run:1', compute)).toBe(1);
    now += 59_999;
    expect(await cache.get('run:1', compute)).toBe(1);
    now += 1;
    expect(await cache.get('run:1', compute)).toBe(2);
    expect(await cache.get('run:2', compute)).toBe(3);
  });

  it('shares one computation between concurrent misses', async () => {
    let computed = 0;
    let release!: (v: number) => void;
    const cache = new ResponseCache<number>(1_000, 10);
    const compute = () => {
      computed++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const a = cache.get('k', compute);
    const b = cache.get('k', compute);
    release(7);
    expect(await Promise.all([a, b])).toEqual([7, 7]);
    expect(computed).toBe(1);
  });

  it('forgets failures and evicts the oldest entries beyond its size', async () => {
    const cache = new ResponseCache<number>(1_000, 2);
    await expect(cache.get('bad', () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'db down',
    );
    expect(cache.size).toBe(0);
    expect(await cache.get('bad', () => Promise.resolve(1))).toBe(1);
    await cache.get('b', () => Promise.resolve(2));
    await cache.get('c', () => Promise.resolve(3));
    expect(cache.size).toBe(2);
    expect(await cache.get('bad', () => Promise.resolve(4))).toBe(4);
  });
});
