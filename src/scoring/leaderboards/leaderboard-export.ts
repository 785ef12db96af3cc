import type { ExportColumn, ExportTable } from '../../exports/table-export';
import { LEVEL_LABELS, PLATFORM_LABELS } from './labels';
import type { LeaderboardEntry, LeaderboardMetric, LeaderboardResponse } from './leaderboard.dto';

const PERIOD_LABELS = { day: '日榜', week: '周榜', month: '月榜', quarter: '季榜', year: '年榜' };

export const METRIC_LABELS: Record<LeaderboardMetric, string> = {
  wci: 'WCI',
  bci: 'BCI',
  activity: '活跃度',
  followers: '粉丝数',
  reads: '阅读数',
};

type Column = ExportColumn<LeaderboardEntry>;

const col = (header: string, value: Column['value'], numFmt?: string): Column => ({
  header,
  value,
  ...(numFmt ? { numFmt } : {}),
});

/** The board as one table with Chinese headers; the ranked metric's column follows 领域. */
export function leaderboardTable(board: LeaderboardResponse): ExportTable<LeaderboardEntry> {
  const wechat = board.platform === 'wechat';
  const scoreHeader = wechat ? 'WCI' : 'BCI';
  const interactions: Column[] = wechat
    ? [
        col('在看数', (e) => e.inputs.zaikan),
        col('点赞数', (e) => e.inputs.likes),
        col('分享数', (e) => e.inputs.shares),
      ]
    : [
        col('转发数', (e) => e.inputs.reposts),
        col('评论数', (e) => e.inputs.comments),
        col('点赞数', (e) => e.inputs.likes),
      ];
  const measures: Record<LeaderboardMetric, Column> = {
    wci: col(scoreHeader, (e) => e.score, '0.00'),
    bci: col(scoreHeader, (e) => e.score, '0.00'),
    activity: col('活跃度', (e) => e.activityScore, '0.0'),
    followers: col('粉丝数', (e) => e.inputs.followers, '#,##0'),
    reads: col('总阅读数', (e) => e.inputs.totalReads, '#,##0'),
  };
  const scoreMetric: LeaderboardMetric = wechat ? 'wci' : 'bci';
  const order: LeaderboardMetric[] = [
    board.metric,
    ...([scoreMetric, 'activity', 'followers', 'reads'] as const).filter((m) => m !== board.metric),
  ];
  const columns: Column[] = [
    col('排名', (e) => e.rank),
    col('上期排名', (e) => e.previousRank),
    col('排名变化', (e) => e.rankChange),
    col('账号', (e) => e.account.displayName),
    col('单位', (e) => e.account.organization.name),
    col('地区', (e) => e.account.organization.region?.label ?? '中央'),
    col('级别', (e) => LEVEL_LABELS[e.account.organization.level]),
    col('领域', (e) => e.account.organization.sectorLabel),
    ...order.map((m) => measures[m]),
    col('发文数', (e) => e.inputs.posts),
    col('头条数', (e) => e.inputs.headlinePosts),
    col('活跃天数', (e) => e.inputs.activeDays),
    col('头条阅读数', (e) => e.inputs.headlineReads, '#,##0'),
    col('最高阅读数', (e) => e.inputs.maxReads, '#,##0'),
    col('平均阅读数', (e) => e.inputs.avgReads, '#,##0.00'),
    ...interactions,
    col('粉丝增长', (e) => e.inputs.followersChange, '#,##0'),
    col('距上次发文天数', (e) => e.daysSinceLastPost),
    col('停更', (e) => e.quality.stale),
    col('数据不完整', (e) => e.quality.partial),
    col('数据截至', (e) => e.quality.dataAsOf),
    col('账号ID', (e) => e.account.id),
  ];
  return {
    name: `${PLATFORM_LABELS[board.platform]}${METRIC_LABELS[board.metric]}${PERIOD_LABELS[board.period.type as keyof typeof PERIOD_LABELS]} ${board.period.key}`,
    columns,
    rows: board.items,
  };
}

export function leaderboardFileName(board: LeaderboardResponse): string {
  return `leaderboard-${board.platform}-${board.metric}-${board.period.key}`;
}
