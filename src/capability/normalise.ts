export const NORMALISE_METHODS = ['min-max', 'log', 'percentile'] as const;
export type NormaliseMethod = (typeof NORMALISE_METHODS)[number];

/**
 * Rescales a cohort's raw values (one edition, one tier) to 0–100. null means the region has no
 * account (未开通): it stays null and takes no part in the cohort's range.
 */
export function normaliseCohort(
  values: readonly (number | null)[],
  method: NormaliseMethod = 'min-max',
): (number | null)[] {
  for (const v of values) {
    if (v !== null && !Number.isFinite(v)) throw new RangeError(`raw value ${v} is not a number`);
    if (v !== null && method === 'log' && v < 0) {
      throw new RangeError(`log normalisation needs values ≥ 0, got ${v}`);
    }
  }
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return values.map(() => null);
  const min = Math.min(...present);
  const max = Math.max(...present);
  // No spread (one region, or all equal): nobody trails anybody, so all get 100 — unless the
  // common value is 0, where "full marks for nothing" would mislead.
  if (max === min) return values.map((v) => (v === null ? null : v === 0 ? 0 : 100));

  switch (method) {
    case 'min-max':
      return values.map((v) => (v === null ? null : (100 * (v - min)) / (max - min)));
    case 'log': {
      const lo = Math.log1p(min);
      const span = Math.log1p(max) - lo;
      return values.map((v) => (v === null ? null : (100 * (Math.log1p(v) - lo)) / span));
    }
    case 'percentile':
      return values.map((v) => (v === null ? null : percentRank(v, present)));
  }
}

// Mid-rank percent rank: ties share one score; the lowest value gets 0, the highest 100.
function percentRank(v: number, cohort: readonly number[]): number {
  let below = 0;
  let equal = 0;
  for (const x of cohort) {
    if (x < v) below++;
    else if (x === v) equal++;
  }
  return (100 * (below + (equal - 1) / 2)) / (cohort.length - 1);
}
