/**
 * Distribution arithmetic (seeds 002, 003): shares, means and year-on-year growth of grouped
 * account facts. Pure: the service fetches the facts of the period and of the same period a year
 * earlier.
 */
export interface GroupFacts {
  key: string;
  label: string;
  accounts: number;
  /** Accounts with a known follower count at the period end. */
  withFollowers: number;
  /** Sum of followers; null when no account has a count. */
  followers: number | null;
  /** Accounts with ≥ 1,000,000 followers (百万粉丝+). */
  millionFollowerAccounts: number;
  /** Sum of R; null when no account has reads. */
  reads: number | null;
  /** Posts of the period with ≥ 100001 reads at the period's snapshot age; null: no post reads stored. */
  tenWanPlusArticles: number | null;
  /** Accounts whose most-read post (Rmax) is 10万+. */
  tenWanPlusAccounts: number;
}

export interface Growth {
  previous: number | null;
  change: number | null;
  /** change ÷ previous × 100, 2 decimals; null when previous is 0 or unknown. */
  changePct: number | null;
}

export interface DistributionGroup extends Omit<GroupFacts, 'withFollowers'> {
  /** accounts ÷ all accounts × 100, 2 decimals. */
  sharePct: number;
  /** followers ÷ accounts with a count, 2 decimals. */
  meanFollowers: number | null;
  growth: {
    accounts: Growth;
    followers: Growth;
    reads: Growth;
    millionFollowerAccounts: Growth;
    tenWanPlusArticles: Growth;
  } | null;
}

export interface Distribution {
  total: DistributionGroup;
  groups: DistributionGroup[];
}

export const TOTAL_KEY = 'total';

const round2 = (x: number) => Math.round(x * 100) / 100;

const sumNullable = (values: (number | null)[]): number | null =>
  values.some((v) => v !== null) ? values.reduce<number>((s, v) => s + (v ?? 0), 0) : null;

export function totalOf(groups: readonly GroupFacts[]): GroupFacts {
  return {
    key: TOTAL_KEY,
    label: '合计',
    accounts: groups.reduce((s, g) => s + g.accounts, 0),
    withFollowers: groups.reduce((s, g) => s + g.withFollowers, 0),
    followers: sumNullable(groups.map((g) => g.followers)),
    millionFollowerAccounts: groups.reduce((s, g) => s + g.millionFollowerAccounts, 0),
    reads: sumNullable(groups.map((g) => g.reads)),
    tenWanPlusArticles: sumNullable(groups.map((g) => g.tenWanPlusArticles)),
    tenWanPlusAccounts: groups.reduce((s, g) => s + g.tenWanPlusAccounts, 0),
  };
}

export function growthOf(current: number | null, previous: number | null): Growth {
  if (current === null || previous === null) return { previous, change: null, changePct: null };
  const change = current - previous;
  return { previous, change, changePct: previous === 0 ? null : round2((change / previous) * 100) };
}

/** An absent group had no accounts then: counts were 0, sums unknown. */
function absent(key: string): GroupFacts {
  return {
    key,
    label: key,
    accounts: 0,
    withFollowers: 0,
    followers: null,
    millionFollowerAccounts: 0,
    reads: null,
    tenWanPlusArticles: null,
    tenWanPlusAccounts: 0,
  };
}

/**
 * Groups (largest first, then by key) and the total, each with its share of all accounts and,
 * when `lastYear` is given, growth against it. Growth of a group absent a year earlier starts
 * from 0 accounts.
 */
export function buildDistribution(
  current: readonly GroupFacts[],
  lastYear: readonly GroupFacts[] | null,
): Distribution {
  const total = totalOf(current);
  const before = new Map(lastYear?.map((g) => [g.key, g]) ?? []);
  const lastYearTotal = lastYear ? totalOf(lastYear) : null;
  const shape = (g: GroupFacts, previous: GroupFacts | null): DistributionGroup => {
    const { withFollowers, ...facts } = g;
    return {
      ...facts,
      sharePct: total.accounts === 0 ? 0 : round2((g.accounts / total.accounts) * 100),
      meanFollowers:
        g.followers === null || withFollowers === 0 ? null : round2(g.followers / withFollowers),
      growth: previous
        ? {
            accounts: growthOf(g.accounts, previous.accounts),
            followers: growthOf(g.followers, previous.followers),
            reads: growthOf(g.reads, previous.reads),
            millionFollowerAccounts: growthOf(
              g.millionFollowerAccounts,
              previous.millionFollowerAccounts,
            ),
            tenWanPlusArticles: growthOf(g.tenWanPlusArticles, previous.tenWanPlusArticles),
          }
        : null,
    };
  };
  const groups = [...current]
    .sort((a, b) => b.accounts - a.accounts || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((g) => shape(g, lastYear ? (before.get(g.key) ?? absent(g.key)) : null));
  return { total: shape(total, lastYearTotal), groups };
}
