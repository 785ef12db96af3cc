import { stringify } from 'csv-stringify/sync';
import { Workbook } from 'exceljs';

/** A cell as exported: numbers stay numbers, booleans become 是/否, null/undefined an empty cell. */
export type ExportCell = string | number | boolean | null | undefined;

export interface ExportColumn<R> {
  /** Column header as printed (Chinese, e.g. 排名, 账号, 单位). */
  header: string;
  value: (row: R) => ExportCell;
  /** Excel number format of the column, e.g. '0.00' or '#,##0'. */
  numFmt?: string;
  /** Column width in characters (XLSX); default from the header. */
  width?: number;
}

export interface ExportTable<R> {
  /** Sheet name in an XLSX workbook (made valid and unique there); also a file-name hint. */
  name: string;
  columns: readonly ExportColumn<R>[];
  rows: readonly R[];
}

/** Rows of heterogeneous tables in one workbook. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyExportTable = ExportTable<any>;

const MAX_SHEET_NAME = 31;

function cellValue(value: ExportCell): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return value;
}

/**
 * CSV, UTF-8 with a BOM (so Excel opens Chinese text correctly), CRLF line ends, the header row
 * first. Text cells that start with = + - @ are prefixed with ' so a spreadsheet never runs them
 * as formulas (OWASP CSV injection); numbers are written plainly, negative ones included.
 */
export function tableToCsv<R>(table: ExportTable<R>): Buffer {
  const records: (string | number | null)[][] = [
    table.columns.map((c) => c.header),
    ...table.rows.map((row) => table.columns.map((c) => cellValue(c.value(row)))),
  ];
  const text = stringify(records, {
    bom: true,
    record_delimiter: 'windows',
    escape_formulas: true,
  });
  return Buffer.from(text, 'utf8');
}

/** One worksheet per table, header row bold and frozen; numbers are numeric cells. */
export async function tablesToXlsx(tables: readonly AnyExportTable[]): Promise<Buffer> {
  if (tables.length === 0) throw new RangeError('an XLSX export needs at least one table');
  const workbook = new Workbook();
  workbook.creator = 'gov-media-monitor';
  const used = new Set<string>();
  for (const table of tables) {
    const sheet = workbook.addWorksheet(uniqueSheetName(table.name, used), {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    sheet.columns = table.columns.map((c, i) => ({
      header: c.header,
      key: `c${i}`,
      width: c.width ?? Math.max(8, c.header.length * 2 + 2),
      style: c.numFmt ? { numFmt: c.numFmt } : {},
    }));
    sheet.getRow(1).font = { bold: true };
    for (const row of table.rows) {
      sheet.addRow(table.columns.map((c) => cellValue(c.value(row))));
    }
  }
  const buffer = await workbook.xlsx.writeBuffer();
  return Buffer.from(buffer);
}

/** Excel refuses sheet names over 31 characters, with []:*?/\ or repeated (case-insensitively). */
export function uniqueSheetName(name: string, used: Set<string>): string {
  const base = (name.replace(/[[\]:*?/\\]/g, '_').trim() || 'Sheet').slice(0, MAX_SHEET_NAME);
  let candidate = base;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    candidate = `${base.slice(0, MAX_SHEET_NAME - suffix.length)}${suffix}`;
  }
  used.add(candidate.toLowerCase());
  return candidate;
}
