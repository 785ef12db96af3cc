import { describe, expect, it } from 'vitest';
import type { Sector } from '../accounts/account-taxonomy';
import { buildMaturityMatrix, mean, median, movement, quadrantOf, type Quadrant } from './quadrant';

// Constructed so that the median split reproduces seed 003 (公安 and 医疗 counts as in the white
// paper). 法院 and 民政 are extra "many & low" groups: with 12 groups a median split cannot put
// only 5 on the "many" side.
const SECTORS: { sector: Sector; accounts: number; activity: number; seed: Quadrant | null }[] = [
  { sector: 'public_security', accounts: 7860, activity: 8.0, seed: 'active' },
  { sector: 'health', accounts: 7164, activity: 7.5, seed: 'active' },
  { sector: 'party_government_office', accounts: 3000, activity: 6.0, seed: 'active' },
  { sector: 'youth_league', accounts: 2500, activity: 2.0, seed: 'to_promote' },
  { sector: 'human_resources', accounts: 2200, activity: 2.5, seed: 'to_promote' },
  { sector: 'court', accounts: 1800, activity: 1.5, seed: null },
  { sector: 'civil_affairs', accounts: 1500, activity: 1.8, seed: null },
  { sector: 'transport', accounts: 900, activity: 9.0, seed: 'potential' },
  { sector: 'tourism', accounts: 700, activity: 8.5, seed: 'potential' },
  { sector: 'culture_media', accounts: 600, activity: 7.0, seed: 'potential' },
  { sector: 'education', accounts: 800, activity: 6.5, seed: 'potential' },
  { sector: 'housing_fund', accounts: 300, activity: 1.0, seed: 'dormant' },
  { sector: 'food_drug', accounts: 200, activity: 1.2, seed: 'dormant' },
  { sector: 'taxation', accounts: 400, activity: 0.8, seed: 'dormant' },
];

describe('median and mean', () => {
  it('median of odd and even sets, unsorted input left alone; empty → null', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNull();
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBeNull();
  });
});

describe('buildMaturityMatrix', () => {
  it('places the sectors of seed 003 in the seed quadrants with median thresholds', () => {
    const matrix = buildMaturityMatrix(SECTORS);
    expect(matrix.thresholds).toEqual({ x: (1500 + 900) / 2, y: (6.0 + 2.5) / 2 });
    for (const g of matrix.groups) {
      expect([g.sector, g.quadrant]).toEqual([g.sector, g.seed ?? 'to_promote']);
    }
  });

  it('accepts explicit thresholds', () => {
    const seeded = SECTORS.filter((s) => s.seed !== null);
    const matrix = buildMaturityMatrix(seeded, { x: 1000, y: 4 });
    expect(matrix.thresholds).toEqual({ x: 1000, y: 4 });
    expect(matrix.groups.map((g) => g.quadrant)).toEqual(seeded.map((s) => s.seed));
  });

  it('mean thresholds follow large groups', () => {
    const groups = [
      { accounts: 100, activity: 1 },
      { accounts: 10, activity: 2 },
      { accounts: 10, activity: 3 },
      { accounts: 0, activity: 10 },
    ];
    const byMean = buildMaturityMatrix(groups, 'mean');
    expect(byMean.thresholds).toEqual({ x: 30, y: 4 });
    expect(byMean.groups.map((g) => g.quadrant)).toEqual([
      'to_promote',
      'dormant',
      'dormant',
      'potential',
    ]);
    const byMedian = buildMaturityMatrix(groups);
    expect(byMedian.thresholds).toEqual({ x: 10, y: 2.5 });
    expect(byMedian.groups.map((g) => g.quadrant)).toEqual([
      'to_promote',
      'to_promote',
      'active',
      'potential',
    ]);
  });

  it('a value equal to the threshold counts as high', () => {
    expect(quadrantOf(10, 5, { x: 10, y: 5 })).toBe('active');
    expect(quadrantOf(9.99, 5, { x: 10, y: 5 })).toBe('potential');
    expect(quadrantOf(10, 4.99, { x: 10, y: 5 })).toBe('to_promote');
    expect(quadrantOf(9, 4, { x: 10, y: 5 })).toBe('dormant');
    // Odd count: the median group itself lands on the upper side of both axes.
    const odd = buildMaturityMatrix([
      { accounts: 1, activity: 1 },
      { accounts: 2, activity: 2 },
      { accounts: 3, activity: 3 },
    ]);
    expect(odd.groups.map((g) => g.quadrant)).toEqual(['dormant', 'active', 'active']);
  });

  it('groups without activity data get no quadrant and do not move the thresholds', () => {
    const matrix = buildMaturityMatrix([
      { accounts: 1, activity: 1 },
      { accounts: 3, activity: 3 },
      { accounts: 1000, activity: null },
    ]);
    expect(matrix.thresholds).toEqual({ x: 2, y: 2 });
    expect(matrix.groups.map((g) => g.quadrant)).toEqual(['dormant', 'active', null]);
    expect(buildMaturityMatrix([{ accounts: 5, activity: null }])).toEqual({
      thresholds: null,
      groups: [{ accounts: 5, activity: null, quadrant: null }],
    });
    expect(() => buildMaturityMatrix([{ accounts: Number.NaN, activity: 1 }])).toThrow(RangeError);
  });
});

describe('movement', () => {
  it('classifies moves between quadrants', () => {
    expect(movement(null, 'dormant')).toBe('new');
    expect(movement('active', 'active')).toBe('same');
    expect(movement('dormant', 'potential')).toBe('up');
    expect(movement('dormant', 'active')).toBe('up');
    expect(movement('to_promote', 'active')).toBe('up');
    expect(movement('active', 'to_promote')).toBe('down');
    expect(movement('potential', 'dormant')).toBe('down');
    expect(movement('potential', 'to_promote')).toBe('sideways');
    expect(movement('to_promote', 'potential')).toBe('sideways');
  });
});
