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
  throw invalidCursor();
}

/** Opaque keyset cursor over text values, e.g. a timestamp as PostgreSQL printed it and a text id. */
export function encodeTupleCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** Decodes a tuple cursor of `length` strings that `valid` accepts; 400 otherwise. */
export function decodeTupleCursor(
  cursor: string,
  length: number,
  valid: (values: string[]) => boolean,
): string[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === length &&
      parsed.every((v) => typeof v === 'string') &&
      valid(parsed)
    ) {
      return parsed;
    }
  } catch {
    // fall through to the validation error
  }
  throw invalidCursor();
}

function invalidCursor(): ValidationFailedException {
  return new ValidationFailedException([
    {
      field: 'cursor',
      message: 'cursor is not one this API issued; use nextCursor from a previous page',
    },
  ]);
}
