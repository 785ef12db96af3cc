import Papa from 'papaparse';

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
      throw new UnreadableImportError(
        'A JSON import is an array of account objects, or { "rows": [...] }.',
      );
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
    throw new UnreadableImportError(
      'A CSV import must be sent as text/csv or as a multipart file.',
    );
  }
  return parseCsv(content.toString('utf8').replace(/^\uFEFF/, ''), canonical);
}

function parseCsv(text: string, canonical: (key: string) => string): ParsedRecord[] {
  // Telling papaparse the line ending spares it a scan of the first megabyte.
  const newline = text.includes('\r\n') ? '\r\n' : text.includes('\n') ? '\n' : undefined;
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false, newline });
  // A one-column file has no delimiter to detect; that is not an error.
  const fatal = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (fatal) {
    const at = fatal.row === undefined ? '' : ` (row ${fatal.row + 1})`;
    throw new UnreadableImportError(`The file is not readable CSV${at}: ${fatal.message}`);
  }
  const [header = [], ...lines] = parsed.data;
  const columns = header.map(canonical);
  const repeated = columns.find((c, i) => columns.indexOf(c) !== i);
  if (repeated !== undefined) {
    throw new UnreadableImportError(
      `The column "${repeated}" appears more than once in the header.`,
    );
  }
  const records: ParsedRecord[] = [];
  lines.forEach((cells, index) => {
    // Row numbers count every line as a spreadsheet does, the header being row 1.
    const row = index + 2;
    if (cells.length === 1 && cells[0].trim() === '') return;
    if (cells.length !== columns.length) {
      records.push({
        row,
        values: { __invalid: `has ${cells.length} cells; the header has ${columns.length}` },
      });
      return;
    }
    const values: Record<string, unknown> = {};
    columns.forEach((column, i) => (values[column] = cells[i].trim()));
    records.push({ row, values });
  });
  return records;
}
