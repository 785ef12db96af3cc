import { dayNumber, shanghaiDay } from './dates';
import type { WechatPost } from './activity';
import type { SimAccount, SimPopulation } from './population';
import { hash32, hexDigits, salt, unit } from './rng';
import { wechatPosts } from './truth';

const SALT_MENU = salt('menu');

/** freepublish/batchget: 发布 (publishType 1) pushes only, newest first, published by now. */
export function freepublishBatch(
  population: SimPopulation,
  account: SimAccount,
  now: Date,
  offset: number,
  count: number,
  noContent: boolean,
) {
  const nowMs = now.getTime();
  const opened = dayNumber(account.openedOn);
  const items: WechatPost[][] = [];
  let total = 0;
  for (let day = shanghaiDay(now); day >= opened; day -= 1) {
    const posts = wechatPosts(population, account, day);
    if (posts.length === 0 || posts[0].publishType !== 1 || posts[0].publishedAt > nowMs) continue;
    if (total >= offset && items.length < count) items.push(posts);
    total += 1;
  }
  return {
    total_count: total,
    item_count: items.length,
    item: items.map((posts) => {
      const updateTime = Math.floor(posts[0].publishedAt / 1000);
      return {
        article_id: posts[0].articleId,
        content: {
          news_item: posts.map((post) => ({
            title: post.title,
            author: account.displayName.split('·')[0],
            digest: post.title.slice(0, 54),
            content: noContent ? '' : `<p>${post.title}</p><p>(正文略)</p>`,
            content_source_url: '',
            thumb_media_id: hexDigits(32, population.seed, account.index, post.day, post.position),
            show_cover_pic: 0,
            url: post.url,
            thumb_url: `https://mmbiz.qpic.cn/mmbiz_jpg/${post.msgDataId}/0`,
            need_open_comment: 1,
            only_fans_can_comment: 0,
            is_deleted: false,
          })),
          create_time: updateTime,
          update_time: updateTime,
        },
        update_time: updateTime,
      };
    }),
  };
}

const SERVICE_LINKS = [
  ['预约办理', 'https://zwfw.example.gov.cn/appointment'],
  ['进度查询', 'https://zwfw.example.gov.cn/progress'],
  ['证件办理', 'https://zwfw.example.gov.cn/licence'],
  ['便民缴费', 'https://zwfw.example.gov.cn/payment'],
  ['在线咨询', 'https://zwfw.example.gov.cn/consult'],
] as const;

/** Deterministic custom menu: service accounts usually link to 办事 services. */
export function selfMenu(population: SimPopulation, account: SimAccount) {
  const service = account.wechatType === 'service';
  const hasMenu = unit(population.seed, account.index, SALT_MENU) < (service ? 0.9 : 0.45);
  if (!hasMenu) return { is_menu_open: 0, selfmenu_info: { button: [] } };
  const linkCount = 2 + (hash32(population.seed, account.index, SALT_MENU, 1) % 4);
  const offersServices = service || unit(population.seed, account.index, SALT_MENU, 2) < 0.3;
  const button: unknown[] = [
    {
      type: 'click',
      name: '最新发布',
      key: `NEWS_${account.index}`,
    },
  ];
  if (offersServices) {
    button.push({
      name: '办事服务',
      sub_button: {
        list: SERVICE_LINKS.slice(0, linkCount).map(([name, url]) => ({
          type: 'view',
          name,
          url: `${url}?org=${account.regionCode}`,
        })),
      },
    });
  }
  button.push({
    name: '互动',
    sub_button: {
      list: [
        {
          type: 'view',
          name: '留言建议',
          url: `https://zwfw.example.gov.cn/feedback?org=${account.regionCode}`,
        },
        { type: 'click', name: '联系我们', key: `CONTACT_${account.index}` },
      ],
    },
  });
  return { is_menu_open: 1, selfmenu_info: { button } };
}
