import { parse } from 'csv-parse/sync';

export type ImportFormat = 'csv' | 'json';

export interface ParsedRecord {
  /** Row number shown to the user: the spreadsheet row for CSV (header = 1), the 1-based item for JSON. */
  row: number;
  values: Record<string, unknown>;
}

export class UnreadableImportError extends Error {}

/**
 * Turns a CSV (UTF-8, optional BOM, header row) or JSON (array of objects, or `{ "rows": [...] }`)
 * file into records keyed by canonical field name. Unknown columns are kept, so the validator can
 * report them by name.
 */
export function parseImportFile(
  content: Buffer | string | object,
  format: ImportFormat,
  aliases: ReadonlyMap<string, string>,
): ParsedRecord[] {
  const canonical = (key: string): string => aliases.get(key.trim().toLowerCase()) ?? key.trim();
  if (format === 'json') {
    let data: unknown = content;
    if (typeof content === 'string' || Buffer.isBuffer(content)) {
      try {
        data = JSON.parse(content.toString('utf8').replace(/^\uFEFF/, ''));
      } catch (err) {
        throw new UnreadableImportError(`The file is not valid JSON: ${(err as Error).message}`);
      }
    }
    const items = Array.isArray(data) ? data : (data as { rows?: unknown } | null)?.rows;
    if (!Array.isArray(items)) {
      throw new UnreadableImportError('A JSON import is an array of account objects, or { "rows": [...] }.');
    }
    return items.map((item: unknown, index) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        return { row: index + 1, values: { __invalid: 'each item must be an object' } };
      }
      const values: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(item)) values[canonical(key)] = value;
      return { row: index + 1, values };
    });
  }
  if (typeof content !== 'string' && !Buffer.isBuffer(content)) {
    throw new UnreadableImportError('A CSV import must be sent as text/csv or as a multipart file.');
  }
  try {
    const rows = parse(content, {
      bom: true,
      columns: (header: string[]) => header.map(canonical),
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as { record: Record<string, string>; info: { records: number } }[];
    // records + 1: the row as a spreadsheet shows it, the header being row 1.
    return rows.map(({ record, info }) => ({ row: info.records + 1, values: record }));
  } catch (err) {
    throw new UnreadableImportError(`The file is not readable CSV: ${(err as Error).message}`);
  }
}
