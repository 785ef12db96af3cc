import type { FastifyRequest } from 'fastify';
import { AccountsErrorCode, AccountsException } from '../accounts.exception';
import type { ImportFormat } from './import-parser';

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
