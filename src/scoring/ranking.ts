/**
 * What an entry is ranked on. `score` should be the published (rounded) score, so that accounts
 * that look tied are tied. Tie-breaks follow reference §5.4 (no published rule exists).
 */
export interface RankKey {
  id: string | number;
  score: number;
  totalReads: number;
  maxReads: number;
  posts: number;
}

export type Ranked<T> = T & { rank: number };

const TIE_BREAKS = ['score', 'totalReads', 'maxReads', 'posts'] as const;

/** Descending on score, total reads, max reads, posts; 0 when tied on all of them. */
export function compareRankKeys(a: RankKey, b: RankKey): number {
  for (const field of TIE_BREAKS) {
    if (a[field] !== b[field]) return b[field] - a[field];
  }
  return 0;
}

/**
 * Competition ranking ("1224"): entries tied on every rank key share a rank and the next rank
 * skips. Id ascending only orders tied entries in the output. Entries without a score (no WCI)
 * must be left out by the caller.
 */
export function rankEntries<T extends object>(
  entries: readonly T[],
  keyOf: (entry: T) => RankKey,
): Ranked<T>[] {
  const keyed = entries.map((entry) => ({ entry, key: checked(keyOf(entry)) }));
  keyed.sort((a, b) => compareRankKeys(a.key, b.key) || compareIds(a.key.id, b.key.id));
  let rank = 0;
  return keyed.map(({ entry, key }, index) => {
    if (index === 0 || compareRankKeys(keyed[index - 1].key, key) !== 0) rank = index + 1;
    return { ...entry, rank };
  });
}

/** Places moved up since the previous period (negative: down); null for a newcomer. */
export function rankChange(rank: number, previousRank: number | null): number | null {
  return previousRank === null ? null : previousRank - rank;
}

function compareIds(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function checked(key: RankKey): RankKey {
  for (const field of TIE_BREAKS) {
    if (!Number.isFinite(key[field])) {
      throw new RangeError(`rank key ${field} of ${key.id} must be a finite number`);
    }
  }
  return key;
}
