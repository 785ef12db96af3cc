import { hash32, hexDigits, salt } from './rng';

// Ids embed the account index (masked by the seed) plus a seed-derived check part, so lookups are
// O(1) and ids from another seed or a foreign system are rejected.
const SALT_MASK = salt('id-mask');
const SALT_APPID = salt('appid');
const SALT_ORIGINAL = salt('gh');
const SALT_SECRET = salt('secret');
const SALT_UID = salt('uid');
const SALT_WEIBO_TOKEN = salt('weibo-token');
const UID_BASE = 5_000_000_000;
const UID_STRIDE = 97;
/** Indexes must fit the 6-decimal-digit slot of post ids. */
export const MAX_POPULATION = 1_000_000;

function mask(seed: number): number {
  return hash32(seed, SALT_MASK);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

export function encodeAppId(seed: number, index: number): string {
  return `wx${hex((index ^ mask(seed)) >>> 0, 8)}${hexDigits(8, seed, index, SALT_APPID)}`;
}

export function decodeAppId(seed: number, appId: string): number | undefined {
  const m = /^wx([0-9a-f]{8})([0-9a-f]{8})$/.exec(appId);
  if (m === null) return undefined;
  const index = (parseInt(m[1], 16) ^ mask(seed)) >>> 0;
  return index < MAX_POPULATION && m[2] === hexDigits(8, seed, index, SALT_APPID)
    ? index
    : undefined;
}

export function encodeOriginalId(seed: number, index: number): string {
  const masked = (index ^ mask(seed)) & 0xffffff;
  return `gh_${hex(masked, 6)}${hexDigits(6, seed, index, SALT_ORIGINAL)}`;
}

export function decodeOriginalId(seed: number, originalId: string): number | undefined {
  const m = /^gh_([0-9a-f]{6})([0-9a-f]{6})$/.exec(originalId);
  if (m === null) return undefined;
  const index = (parseInt(m[1], 16) ^ mask(seed)) & 0xffffff;
  return m[2] === hexDigits(6, seed, index, SALT_ORIGINAL) ? index : undefined;
}

export function encodeAppSecret(seed: number, index: number): string {
  return hexDigits(32, seed, index, SALT_SECRET);
}

export function encodeUid(seed: number, index: number): string {
  return String(UID_BASE + index * UID_STRIDE + (hash32(seed, index, SALT_UID) % UID_STRIDE));
}

export function decodeUid(seed: number, uid: string): number | undefined {
  if (!/^\d{10}$/.test(uid)) return undefined;
  const offset = Number(uid) - UID_BASE;
  if (offset < 0) return undefined;
  const index = Math.floor(offset / UID_STRIDE);
  const check = offset % UID_STRIDE;
  return index < MAX_POPULATION && check === hash32(seed, index, SALT_UID) % UID_STRIDE
    ? index
    : undefined;
}

/** Weibo OAuth2 tokens look like `2.00` followed by opaque characters. */
export function encodeWeiboToken(seed: number, index: number): string {
  return `2.00${hex((index ^ mask(seed)) >>> 0, 8)}${hexDigits(24, seed, index, SALT_WEIBO_TOKEN)}`;
}

export function decodeWeiboToken(seed: number, token: string): number | undefined {
  const m = /^2\.00([0-9a-f]{8})([0-9a-f]{24})$/.exec(token);
  if (m === null) return undefined;
  const index = (parseInt(m[1], 16) ^ mask(seed)) >>> 0;
  return index < MAX_POPULATION && m[2] === hexDigits(24, seed, index, SALT_WEIBO_TOKEN)
    ? index
    : undefined;
}

/** WeChat msg_data_id: the publish day and the account index, so msgids stay unique. */
export function encodeMsgDataId(day: number, index: number): number {
  return day * MAX_POPULATION + index;
}

/** Weibo status ids grow with time (since_id/max_id rely on it): unix seconds, then the index. */
export function encodeStatusId(unixSeconds: number, index: number): number {
  return unixSeconds * MAX_POPULATION + index;
}

export function decodeStatusId(id: number): { unixSeconds: number; index: number } {
  return { unixSeconds: Math.floor(id / MAX_POPULATION), index: id % MAX_POPULATION };
}
