import { decodeTupleCursor, encodeTupleCursor } from '../../common/cursor';

/** Keyset position in a post list ordered by (published_at, platform_post_id) descending. */
export interface PostCursor {
  /** published_at as PostgreSQL printed it (exact to the microsecond). */
  publishedAt: string;
  platformPostId: string;
}

export function encodePostCursor(position: PostCursor): string {
  return encodeTupleCursor([position.publishedAt, position.platformPostId]);
}

export function decodePostCursor(cursor: string): PostCursor {
  const [publishedAt, platformPostId] = decodeTupleCursor(
    cursor,
    2,
    ([at, id]) => !Number.isNaN(Date.parse(at)) && id !== '',
  );
  return { publishedAt, platformPostId };
}
