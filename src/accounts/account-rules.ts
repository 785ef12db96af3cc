import type { FieldError } from '../common/domain.exception';
import type { Platform, WechatType } from './account-taxonomy';

// 原始ID: "gh_" + 12 hex digits in practice; allow some slack for legacy ids.
export const WECHAT_ORIGINAL_ID_PATTERN = /^gh_[A-Za-z0-9]{6,32}$/;
export const WECHAT_APP_ID_PATTERN = /^wx[0-9a-f]{16}$/;
export const WEIBO_UID_PATTERN = /^[1-9][0-9]{4,15}$/;
export const REGION_CODE_PATTERN = /^[0-9]{6}$/;
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 40;
export const MAX_NAME_LENGTH = 200;

export interface AccountIdentity {
  platform: Platform;
  wechatOriginalId?: string | null;
  wechatAppId?: string | null;
  weiboUid?: string | null;
  wechatType?: WechatType | null;
}

/** Cross-field rule: which platform ids an account of each platform must and must not have. */
export function accountIdentityErrors(a: AccountIdentity): FieldError[] {
  const errors: FieldError[] = [];
  if (a.platform === 'wechat') {
    if (!a.wechatOriginalId && !a.wechatAppId) {
      errors.push({
        field: 'wechatOriginalId',
        message: 'a WeChat account needs its original id (gh_…) or its AppID (wx…)',
      });
    }
    if (a.weiboUid)
      errors.push({ field: 'weiboUid', message: 'a WeChat account has no Weibo uid' });
  } else {
    if (!a.weiboUid) errors.push({ field: 'weiboUid', message: 'a Weibo account needs its uid' });
    for (const field of ['wechatOriginalId', 'wechatAppId', 'wechatType'] as const) {
      if (a[field]) errors.push({ field, message: `a Weibo account has no ${field}` });
    }
  }
  return errors;
}

/** Tags: trimmed, non-empty, de-duplicated, order kept. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))];
}
