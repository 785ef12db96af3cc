/** Columns of the metrics import files and the headers accepted for them (any case, snake_case, Chinese). */

export const METRIC_IMPORT_KINDS = ['daily', 'posts'] as const;
export type MetricImportKind = (typeof METRIC_IMPORT_KINDS)[number];

/** Sources an import may claim; official_api and simulated rows come only from collection. */
export const IMPORT_METRIC_SOURCES = ['vendor', 'manual'] as const;
export type ImportMetricSource = (typeof IMPORT_METRIC_SOURCES)[number];

export const ACCOUNT_REF_COLUMNS = [
  'accountId',
  'wechatAppId',
  'wechatOriginalId',
  'weiboUid',
] as const;

export const POST_COUNTER_COLUMNS = [
  'reads',
  'shares',
  'likes',
  'zaikan', // 在看
  'comments',
  'reposts',
  'favourites',
] as const;
export type PostCounterColumn = (typeof POST_COUNTER_COLUMNS)[number];

export const DAILY_COUNTER_COLUMNS = [
  'followers',
  'newFollowers',
  'cancelledFollowers',
  'posts',
  ...POST_COUNTER_COLUMNS,
] as const;
export type DailyCounterColumn = (typeof DAILY_COUNTER_COLUMNS)[number];

export const DAILY_IMPORT_COLUMNS = [...ACCOUNT_REF_COLUMNS, 'day', ...DAILY_COUNTER_COLUMNS];

export const POST_IMPORT_COLUMNS = [
  ...ACCOUNT_REF_COLUMNS,
  'platformPostId',
  'publishedAt',
  'position',
  'isRepost',
  'title',
  'url',
  'observedDay',
  ...POST_COUNTER_COLUMNS,
];

const REF_HEADERS: [string, string][] = [
  ['账号id', 'accountId'],
  ['appid', 'wechatAppId'],
  ['原始id', 'wechatOriginalId'],
  ['微博uid', 'weiboUid'],
  ['uid', 'weiboUid'],
];

const COUNTER_HEADERS: [string, string][] = [
  ['阅读数', 'reads'],
  ['阅读', 'reads'],
  ['阅读量', 'reads'],
  ['分享数', 'shares'],
  ['分享', 'shares'],
  ['点赞数', 'likes'],
  ['点赞', 'likes'],
  ['在看数', 'zaikan'],
  ['在看', 'zaikan'],
  ['评论数', 'comments'],
  ['评论', 'comments'],
  ['转发数', 'reposts'],
  ['转发', 'reposts'],
  ['收藏数', 'favourites'],
  ['收藏', 'favourites'],
];

const DAILY_HEADERS: [string, string][] = [
  ['日期', 'day'],
  ['统计日期', 'day'],
  ['粉丝数', 'followers'],
  ['累计关注', 'followers'],
  ['累计关注人数', 'followers'],
  ['新增关注', 'newFollowers'],
  ['新增关注人数', 'newFollowers'],
  ['取消关注', 'cancelledFollowers'],
  ['取消关注人数', 'cancelledFollowers'],
  ['发文数', 'posts'],
  ['发布数', 'posts'],
];

const POST_HEADERS: [string, string][] = [
  ['文章id', 'platformPostId'],
  ['微博id', 'platformPostId'],
  ['帖子id', 'platformPostId'],
  ['发布时间', 'publishedAt'],
  ['位置', 'position'],
  ['推送位置', 'position'],
  ['是否转载', 'isRepost'],
  ['转载', 'isRepost'],
  ['标题', 'title'],
  ['链接', 'url'],
  ['统计日期', 'observedDay'],
  ['观测日期', 'observedDay'],
  ['日期', 'observedDay'],
];

function headerMap(columns: readonly string[], chinese: [string, string][]): Map<string, string> {
  const snake = (c: string) => c.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
  return new Map([
    ...columns.flatMap((c): [string, string][] => [
      [c.toLowerCase(), c],
      [snake(c), c],
    ]),
    ...chinese,
  ]);
}

/** Header → column, per kind. */
export const METRIC_IMPORT_ALIASES: Record<MetricImportKind, ReadonlyMap<string, string>> = {
  daily: headerMap(DAILY_IMPORT_COLUMNS, [...REF_HEADERS, ...COUNTER_HEADERS, ...DAILY_HEADERS]),
  posts: headerMap(POST_IMPORT_COLUMNS, [...REF_HEADERS, ...COUNTER_HEADERS, ...POST_HEADERS]),
};

export const METRIC_IMPORT_COLUMNS: Record<MetricImportKind, readonly string[]> = {
  daily: DAILY_IMPORT_COLUMNS,
  posts: POST_IMPORT_COLUMNS,
};
