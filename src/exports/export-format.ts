import { StreamableFile } from '@nestjs/common';
import { type AnyExportTable, tableToCsv, tablesToXlsx } from './table-export';

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export type FileFormat = Exclude<ExportFormat, 'json'>;

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const XLSX_CONTENT_TYPE =
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

const FORMAT_BY_MEDIA_TYPE: Record<string, ExportFormat> = {
  'application/json': 'json',
  'application/*': 'json',
  '*/*': 'json',
  'text/csv': 'csv',
  [XLSX_CONTENT_TYPE]: 'xlsx',
};

/**
 * The response format: an explicit `format` wins; otherwise the most preferred media type of the
 * Accept header that we serve (q-values honoured, ties in header order); JSON by default.
 */
export function negotiateExportFormat(
  format: ExportFormat | undefined,
  accept: string | undefined,
): ExportFormat {
  if (format) return format;
  if (!accept) return 'json';
  const ranges = accept
    .split(',')
    .map((part, index) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { type, quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((r) => r.quality > 0 && FORMAT_BY_MEDIA_TYPE[r.type] !== undefined)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranges.length > 0 ? FORMAT_BY_MEDIA_TYPE[ranges[0].type] : 'json';
}

/**
 * `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987), so Chinese file
 * names survive every browser.
 */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * A file response: CSV of the first table (UTF-8 with BOM) or an XLSX workbook with one sheet per
 * table. `baseName` gets the extension.
 */
export async function exportFile(
  format: FileFormat,
  baseName: string,
  tables: readonly AnyExportTable[],
): Promise<StreamableFile> {
  if (tables.length === 0) throw new RangeError('an export needs at least one table');
  const body = format === 'csv' ? tableToCsv(tables[0]) : await tablesToXlsx(tables);
  return new StreamableFile(body, {
    type: format === 'csv' ? CSV_CONTENT_TYPE : XLSX_CONTENT_TYPE,
    disposition: attachmentDisposition(`${baseName}.${format}`),
    length: body.length,
  });
}

/**
 * A JSON body serialized once (e.g. a cached board), sent as is: for large hot responses the
 * per-request JSON.stringify is most of the serving cost.
 */
export function serializedJson(body: Buffer): StreamableFile {
  return new StreamableFile(body, { type: JSON_CONTENT_TYPE, length: body.length });
}
