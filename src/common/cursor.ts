import { ValidationFailedException } from './domain.exception';

/** Opaque keyset cursor: the sort value and id of the last row of the previous page. */
export interface CursorPosition {
  value: string | number | null;
  id: number;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.value, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === 'string' || typeof parsed[0] === 'number' || parsed[0] === null) &&
      Number.isInteger(parsed[1])
    ) {
      return { value: parsed[0] as CursorPosition['value'], id: parsed[1] as number };
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationFailedException([
    {
      field: 'cursor',
      message: 'cursor is not one this API issued; use nextCursor from a previous page',
    },
  ]);
}
