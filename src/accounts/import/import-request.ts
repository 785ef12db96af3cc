import type { FastifyRequest } from 'fastify';
import { AccountsErrorCode, AccountsException } from '../accounts.exception';
import {
  type ImportFormat,
  type ParsedRecord,
  UnreadableImportError,
  parseImportFile,
} from './import-parser';
import type { ImportRowError } from './import-row.validator';

/** Reads an import upload: text/csv or application/json body, or a multipart file. */
export async function readImportUpload(
  request: FastifyRequest,
  override: ImportFormat | undefined,
): Promise<{ content: Buffer | string | object; format: ImportFormat }> {
  if (request.isMultipart()) {
    const file = await request.file();
    if (!file) {
      throw new AccountsException(
        AccountsErrorCode.ImportUnreadable,
        'The multipart request has no file in it.',
      );
    }
    const content = await file.toBuffer();
    const byName =
      /\.json$/i.test(file.filename) || file.mimetype === 'application/json' ? 'json' : 'csv';
    return { content, format: override ?? byName };
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const format: ImportFormat | undefined =
    override ??
    (type === 'application/json'
      ? 'json'
      : type === 'text/csv' || type === 'text/plain'
        ? 'csv'
        : undefined);
  if (!format || request.body === undefined || request.body === null) {
    throw new AccountsException(
      AccountsErrorCode.ImportUnreadable,
      'Send the file as text/csv, application/json or as a file in multipart/form-data.',
    );
  }
  return { content: request.body, format };
}

/**
 * Parses an import file into records, mapping parse failures, an empty file and a file over
 * IMPORT_MAX_ROWS to the import error codes.
 */
export function readImportRecords(
  content: Buffer | string | object,
  format: ImportFormat,
  aliases: ReadonlyMap<string, string>,
  maxRows: number,
): ParsedRecord[] {
  let records: ParsedRecord[];
  try {
    records = parseImportFile(content, format, aliases);
  } catch (err) {
    if (err instanceof UnreadableImportError) {
      throw new AccountsException(AccountsErrorCode.ImportUnreadable, err.message);
    }
    throw err;
  }
  if (records.length === 0) {
    throw new AccountsException(AccountsErrorCode.ImportInvalid, 'The file has no rows.', {
      errors: [],
    });
  }
  if (records.length > maxRows) {
    throw new AccountsException(
      AccountsErrorCode.ImportTooLarge,
      `The file has ${records.length} rows; the limit is ${maxRows} (IMPORT_MAX_ROWS). Split it.`,
    );
  }
  return records;
}

/** All or nothing: any row error rejects the whole file, listing every error in row order. */
export function rejectRowErrors(errors: ImportRowError[], totalRows: number): void {
  if (errors.length === 0) return;
  errors.sort((a, b) => a.row - b.row);
  const invalidRows = new Set(errors.map((e) => e.row)).size;
  throw new AccountsException(
    AccountsErrorCode.ImportInvalid,
    `${invalidRows} of ${totalRows} rows are invalid; nothing was applied. Fix them and upload the file again.`,
    { errors },
  );
}
