import { z } from 'zod';
import { countSchema, isoDaySchema, optionalCountSchema } from '../http/response-schemas';

// Generous bounds: a week of user sources is < 100 rows; anything near these is hostile (R23).
const MAX_ROWS = 10_000;
const rows = <T extends z.ZodTypeAny>(item: T) => z.array(item).max(MAX_ROWS);
const text = (max = 2_000) => z.string().max(max);

export const tokenResponseSchema = z
  .object({
    access_token: z.string().min(1).max(2_048),
    expires_in: z.number().int().positive().max(86_400),
  })
  .transform((r) => ({ accessToken: r.access_token, expiresInSeconds: r.expires_in }));
export type WechatToken = z.output<typeof tokenResponseSchema>;

export const userSummarySchema = z
  .object({
    list: rows(
      z.object({
        ref_date: isoDaySchema,
        user_source: z.number().int().nonnegative(),
        new_user: countSchema,
        cancel_user: countSchema,
      }),
    ),
  })
  .transform((r) =>
    r.list.map((row) => ({
      refDate: row.ref_date,
      userSource: row.user_source,
      newUser: row.new_user,
      cancelUser: row.cancel_user,
    })),
  );
export type WechatUserSummaryRow = z.output<typeof userSummarySchema>[number];

export const userCumulateSchema = z
  .object({ list: rows(z.object({ ref_date: isoDaySchema, cumulate_user: countSchema })) })
  .transform((r) =>
    r.list.map((row) => ({ refDate: row.ref_date, cumulateUser: row.cumulate_user })),
  );
export type WechatUserCumulateRow = z.output<typeof userCumulateSchema>[number];

const engagementFields = {
  read_user: countSchema,
  share_user: countSchema,
  zaikan_user: optionalCountSchema, // 在看 / 爱心赞
  like_user: optionalCountSchema, // 拇指赞
  comment_count: optionalCountSchema,
  collection_user: optionalCountSchema,
};
const toEngagement = (d: z.output<z.ZodObject<typeof engagementFields>>) => ({
  readUser: d.read_user,
  shareUser: d.share_user,
  zaikanUser: d.zaikan_user,
  likeUser: d.like_user,
  commentCount: d.comment_count,
  collectionUser: d.collection_user,
});
export type WechatEngagement = ReturnType<typeof toEngagement>;

export const bizSummarySchema = z
  .object({
    is_delay: z.boolean().optional(),
    list: rows(z.object({ ref_date: isoDaySchema, detail: z.object(engagementFields) })),
  })
  .transform((r) => ({
    isDelay: r.is_delay ?? false,
    rows: r.list.map((row) => ({ refDate: row.ref_date, ...toEngagement(row.detail) })),
  }));
export type WechatBizSummary = z.output<typeof bizSummarySchema>;

export const articleTotalDetailSchema = z
  .object({
    is_delay: z.boolean().optional(),
    list: rows(
      z.object({
        ref_date: isoDaySchema,
        msgid: text(200),
        publish_type: z.number().int().nonnegative().optional(),
        detail_list: rows(z.object({ stat_date: isoDaySchema, ...engagementFields })),
      }),
    ),
  })
  .transform((r) => ({
    isDelay: r.is_delay ?? false,
    articles: r.list.map((a) => ({
      publishDate: a.ref_date,
      msgid: a.msgid,
      publishType: a.publish_type,
      stats: a.detail_list.map((d) => ({ statDate: d.stat_date, ...toEngagement(d) })),
    })),
  }));
export type WechatArticleTotalDetail = z.output<typeof articleTotalDetailSchema>;

export const articleTotalSchema = z
  .object({
    list: rows(
      z.object({
        ref_date: isoDaySchema,
        msgid: text(200),
        title: text(),
        details: rows(
          z.object({
            stat_date: isoDaySchema,
            target_user: countSchema,
            int_page_read_user: countSchema,
            int_page_read_count: countSchema,
            ori_page_read_user: countSchema,
            ori_page_read_count: countSchema,
            share_user: countSchema,
            share_count: countSchema,
            add_to_fav_user: countSchema,
            add_to_fav_count: countSchema,
          }),
        ),
      }),
    ),
  })
  .transform((r) =>
    r.list.map((a) => ({
      publishDate: a.ref_date,
      msgid: a.msgid,
      title: a.title,
      stats: a.details.map((d) => ({
        statDate: d.stat_date,
        targetUser: d.target_user,
        intPageReadUser: d.int_page_read_user,
        intPageReadCount: d.int_page_read_count,
        oriPageReadUser: d.ori_page_read_user,
        oriPageReadCount: d.ori_page_read_count,
        shareUser: d.share_user,
        shareCount: d.share_count,
        addToFavUser: d.add_to_fav_user,
        addToFavCount: d.add_to_fav_count,
      })),
    })),
  );
export type WechatArticleTotal = z.output<typeof articleTotalSchema>[number];

export const publishedBatchSchema = z
  .object({
    total_count: countSchema,
    item_count: countSchema,
    item: z
      .array(
        z.object({
          article_id: text(200),
          update_time: z.number().int().nonnegative(),
          content: z.object({
            news_item: rows(
              z.object({
                title: text(),
                author: text().optional(),
                digest: text(10_000).optional(),
                url: text(),
                thumb_url: text().optional(),
                is_deleted: z.boolean().optional(),
              }),
            ),
          }),
        }),
      )
      .max(20),
  })
  .transform((r) => ({
    totalCount: r.total_count,
    itemCount: r.item_count,
    items: r.item.map((i) => ({
      articleId: i.article_id,
      updatedAt: new Date(i.update_time * 1000),
      newsItems: i.content.news_item.map((n) => ({
        title: n.title,
        author: n.author,
        digest: n.digest,
        url: n.url,
        thumbUrl: n.thumb_url,
        isDeleted: n.is_deleted ?? false,
      })),
    })),
  }));
export type WechatPublishedBatch = z.output<typeof publishedBatchSchema>;

const menuButton = z.object({
  type: text(50).optional(),
  name: text(200),
  key: text().optional(),
  value: text().optional(),
  url: text().optional(),
});
export const selfMenuSchema = z
  .object({
    is_menu_open: z.union([z.literal(0), z.literal(1)]),
    selfmenu_info: z
      .object({
        button: z
          .array(
            menuButton.extend({
              sub_button: z.object({ list: z.array(menuButton).max(50) }).optional(),
            }),
          )
          .max(50),
      })
      .optional(),
  })
  .transform((r) => ({
    isMenuOpen: r.is_menu_open === 1,
    buttons: (r.selfmenu_info?.button ?? []).map(({ sub_button, ...b }) => ({
      ...b,
      subButtons: sub_button?.list ?? [],
    })),
  }));
export type WechatSelfMenu = z.output<typeof selfMenuSchema>;
