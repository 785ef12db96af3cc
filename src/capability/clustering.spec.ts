import { describe, expect, it } from 'vitest';
import { clusterWard, type ClusterRow } from './clustering';

// Deterministic noise in [0, 1).
const lcg = (seed: number): (() => number) => {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return s / 2 ** 32;
  };
};

const partition = (groups: string[][]): string[] =>
  groups.map((g) => [...g].sort().join(',')).sort();

// Textbook Ward: repeatedly merge the pair whose union raises the within-cluster sum of squares
// least, Δ = nᵢnⱼ/(nᵢ+nⱼ)·‖cᵢ − cⱼ‖².
const bruteForceWard = (points: number[][], ids: string[], k: number): string[][] => {
  let clusters = points.map((p, i) => ({ ids: [ids[i]], n: 1, c: p }));
  while (clusters.length > k) {
    let best = { i: 0, j: 1, cost: Infinity };
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const a = clusters[i];
        const b = clusters[j];
        const d2 = a.c.reduce((s, x, d) => s + (x - b.c[d]) ** 2, 0);
        const cost = ((a.n * b.n) / (a.n + b.n)) * d2;
        if (cost < best.cost) best = { i, j, cost };
      }
    }
    const a = clusters[best.i];
    const b = clusters[best.j];
    const merged = {
      ids: [...a.ids, ...b.ids],
      n: a.n + b.n,
      c: a.c.map((x, d) => (a.n * x + b.n * b.c[d]) / (a.n + b.n)),
    };
    clusters = clusters.filter((_, i) => i !== best.i && i !== best.j).concat(merged);
  }
  return clusters.map((c) => c.ids);
};

describe('clusterWard', () => {
  it('recovers four well-separated blobs, numbered by descending mean total', () => {
    const rnd = lcg(7);
    const centres = [
      [0, 0, 0],
      [10, 0, 0],
      [0, 10, 0],
      [0, 0, 10],
    ];
    const totals = [30, 90, 50, 70];
    const rows: ClusterRow[] = [];
    for (let i = 0; i < 40; i++) {
      const blob = (i * 7) % 4; // interleaved, not grouped
      rows.push({
        id: `b${blob}-${i}`,
        values: centres[blob].map((x) => x + rnd() - 0.5),
        total: totals[blob] + rnd(),
      });
    }
    const result = clusterWard(rows);
    expect(result.clusters.map((c) => c.size)).toEqual([10, 10, 10, 10]);
    // 1 = blob 1 (total 90), 2 = blob 3 (70), 3 = blob 2 (50), 4 = blob 0 (30)
    expect(result.clusters.map((c) => new Set(c.ids.map((id) => id.slice(0, 2))))).toEqual([
      new Set(['b1']),
      new Set(['b3']),
      new Set(['b2']),
      new Set(['b0']),
    ]);
    expect(result.assignments.find((a) => a.id === 'b1-3')!.cluster).toBe(1);
    // The mean table is in raw units.
    expect(result.clusters[0].means.map((m) => Math.round(m) + 0)).toEqual([10, 0, 0]);
    expect(result.clusters[0].totalMean).toBeGreaterThan(90);
    expect(result.droppedIndicators).toEqual([]);
  });

  it('matches textbook Ward (merge of least added variance) at every k', () => {
    const rnd = lcg(42);
    const points = Array.from({ length: 15 }, () => [rnd() * 10, rnd() * 10, rnd() * 10]);
    const ids = points.map((_, i) => `p${i}`);
    const rows = points.map((values, i) => ({ id: ids[i], values }));
    for (let k = 1; k <= 8; k++) {
      const ours = clusterWard(rows, { k, standardise: false }).clusters.map((c) => c.ids);
      expect(partition(ours)).toEqual(partition(bruteForceWard(points, ids, k)));
    }
  });

  it('standardises, so an indicator on a 1000× scale does not drown the others', () => {
    // Two groups differ on x and y (scale 1); n is unrelated noise on a scale of 1000.
    const rows: ClusterRow[] = [];
    for (let i = 0; i < 20; i++) {
      const group = i % 2;
      const jitter = (i % 5) * 0.02;
      rows.push({
        id: `g${group}-${i}`,
        values: [group + jitter, group - jitter, (i * 53) % 1000],
      });
    }
    const byGroup = (standardise: boolean): string[] =>
      partition(clusterWard(rows, { k: 2, standardise }).clusters.map((c) => c.ids));
    const truth = partition([0, 1].map((g) => rows.filter((_, i) => i % 2 === g).map((r) => r.id)));
    expect(byGroup(true)).toEqual(truth);
    expect(byGroup(false)).not.toEqual(truth);
  });

  it('drops constant indicators, fills missing values when told, numbers by mean z-score', () => {
    const rows: ClusterRow[] = [
      { id: 'low', values: [1, 5, null] },
      { id: 'high', values: [9, 5, 8] },
      { id: 'mid', values: [5, 5, 4] },
    ];
    expect(() => clusterWard(rows, { k: 3 })).toThrow('lacks indicator 2: set missingValue');
    const result = clusterWard(rows, { k: 3, missingValue: 0 });
    expect(result.droppedIndicators).toEqual([1]);
    expect(result.clusters.map((c) => c.ids)).toEqual([['high'], ['mid'], ['low']]);
    expect(result.clusters[2].means).toEqual([1, 5, 0]);
    expect(result.clusters[0].totalMean).toBeNull();
  });

  it('handles one region, k = 1 and refuses what it cannot do', () => {
    expect(clusterWard([{ id: 'only', values: [3] }], { k: 1 }).assignments).toEqual([
      { id: 'only', cluster: 1 },
    ]);
    const same = [
      { id: 'a', values: [1, 2] },
      { id: 'b', values: [1, 2] },
    ];
    expect(clusterWard(same, { k: 1 }).clusters[0].ids).toEqual(['a', 'b']);
    expect(() => clusterWard(same, { k: 2 })).toThrow('every indicator is constant');
    expect(() => clusterWard(same, { k: 3 })).toThrow('k must be an integer from 1 to');
    expect(() => clusterWard([])).toThrow('at least one region');
    expect(() =>
      clusterWard(
        [
          { id: 'a', values: [1, 2] },
          { id: 'b', values: [1] },
        ],
        { k: 1 },
      ),
    ).toThrow('b has 1 indicators, expected 2');
  });
});
