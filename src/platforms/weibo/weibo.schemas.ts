import { z } from 'zod';
import { countSchema, optionalCountSchema } from '../http/response-schemas';
import { parseWeiboDate } from './weibo-date';

const MAX_ROWS = 10_000;
const text = (max = 2_000) => z.string().max(max);

/**
 * Status ids exceed 2^53, so JSON.parse would silently round them; quote long integers under id
 * keys before parsing. An escaped quote (inside a string value) is left alone.
 */
export function quoteLongIds(json: string): string {
  return json.replace(
    /(?<!\\)"(id|mid|uid|since_id|max_id|next_cursor|previous_cursor)"(\s*:\s*)(-?\d{16,})/g,
    '"$1"$2"$3"',
  );
}

export const weiboIdSchema = z
  .union([
    z.string().regex(/^\d{1,20}$/),
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  ])
  .transform(String);

const weiboDateSchema = z.string().transform((value, ctx) => {
  const date = parseWeiboDate(value);
  if (!date) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'not a Weibo date' });
    return z.NEVER;
  }
  return date;
});

export const weiboUserSchema = z
  .object({
    id: weiboIdSchema,
    idstr: z
      .string()
      .regex(/^\d{1,20}$/)
      .optional(),
    screen_name: text(100),
    name: text(100).optional(),
    location: text(200).optional(),
    description: text(5_000).optional(),
    profile_image_url: text().optional(),
    followers_count: countSchema,
    friends_count: countSchema,
    statuses_count: countSchema,
    favourites_count: optionalCountSchema,
    bi_followers_count: optionalCountSchema,
    created_at: weiboDateSchema,
    verified: z.boolean().optional(),
    verified_type: z.number().int().min(-1).max(1_000).optional(),
    verified_reason: text(500).optional(),
  })
  .transform((u) => ({
    id: u.idstr ?? u.id,
    screenName: u.screen_name,
    name: u.name,
    location: u.location,
    description: u.description,
    profileImageUrl: u.profile_image_url,
    followersCount: u.followers_count,
    friendsCount: u.friends_count,
    statusesCount: u.statuses_count,
    favouritesCount: u.favourites_count,
    biFollowersCount: u.bi_followers_count,
    createdAt: u.created_at,
    verified: u.verified ?? false,
    // −1 普通用户, 0 名人, 1 政府, 2 企业, 3 媒体, …
    verifiedType: u.verified_type,
    verifiedReason: u.verified_reason,
  }));
export type WeiboUser = z.output<typeof weiboUserSchema>;

export const userCountsSchema = z
  .array(
    z.object({
      id: weiboIdSchema,
      followers_count: countSchema,
      friends_count: countSchema,
      statuses_count: countSchema,
    }),
  )
  .max(100)
  .transform((rows) =>
    rows.map((r) => ({
      uid: r.id,
      followersCount: r.followers_count,
      friendsCount: r.friends_count,
      statusesCount: r.statuses_count,
    })),
  );
export type WeiboUserCounts = z.output<typeof userCountsSchema>[number];

const statusSchema = z
  .object({
    id: weiboIdSchema,
    idstr: z
      .string()
      .regex(/^\d{1,20}$/)
      .optional(),
    mid: weiboIdSchema.optional(),
    created_at: weiboDateSchema,
    text: text(20_000),
    source: text().optional(),
    reposts_count: countSchema,
    comments_count: countSchema,
    attitudes_count: optionalCountSchema,
    user: z.object({ id: weiboIdSchema, idstr: z.string().optional() }).optional(),
    retweeted_status: z.object({}).passthrough().optional(),
  })
  .transform((s) => ({
    id: s.idstr ?? s.id,
    mid: s.mid,
    createdAt: s.created_at,
    text: s.text,
    source: s.source,
    repostsCount: s.reposts_count,
    commentsCount: s.comments_count,
    attitudesCount: s.attitudes_count,
    userId: s.user ? (s.user.idstr ?? s.user.id) : undefined,
    isRepost: s.retweeted_status !== undefined,
  }));
export type WeiboStatus = z.output<typeof statusSchema>;

export const timelineSchema = z
  .object({
    statuses: z.array(statusSchema).max(MAX_ROWS),
    total_number: optionalCountSchema,
  })
  .transform((t) => ({ statuses: t.statuses, totalNumber: t.total_number }));
export type WeiboTimeline = z.output<typeof timelineSchema>;

export const statusCountsSchema = z
  .array(
    z.object({
      id: weiboIdSchema,
      comments: countSchema,
      reposts: countSchema,
      attitudes: optionalCountSchema,
    }),
  )
  .max(100)
  .transform((rows) =>
    rows.map((r) => ({
      id: r.id,
      commentsCount: r.comments,
      repostsCount: r.reposts,
      attitudesCount: r.attitudes,
    })),
  );
export type WeiboStatusCounts = z.output<typeof statusCountsSchema>[number];
