import { describe, expect, it } from 'vitest';
import {
  XLSX_CONTENT_TYPE,
  attachmentDisposition,
  exportFile,
  negotiateExportFormat,
} from './export-format';

describe('negotiateExportFormat', () => {
  it('takes an explicit format over the Accept header', () => {
    expect(negotiateExportFormat('csv', XLSX_CONTENT_TYPE)).toBe('csv');
  });

  it('reads the Accept header with q-values, JSON by default', () => {
    expect(negotiateExportFormat(undefined, undefined)).toBe('json');
    expect(negotiateExportFormat(undefined, 'text/csv')).toBe('csv');
    expect(negotiateExportFormat(undefined, `${XLSX_CONTENT_TYPE}`)).toBe('xlsx');
    expect(negotiateExportFormat(undefined, 'text/csv;q=0.5, application/json')).toBe('json');
    expect(
      negotiateExportFormat(undefined, `text/html, ${XLSX_CONTENT_TYPE};q=0.9, */*;q=0.1`),
    ).toBe('xlsx');
    expect(negotiateExportFormat(undefined, 'text/csv;q=0')).toBe('json');
    expect(negotiateExportFormat(undefined, 'image/png')).toBe('json');
    expect(negotiateExportFormat(undefined, '*/*')).toBe('json');
  });
});

describe('attachmentDisposition', () => {
  it('gives an ASCII fallback and the UTF-8 name', () => {
    expect(attachmentDisposition('排行-2026-W48.csv')).toBe(
      `attachment; filename="__-2026-W48.csv"; filename*=UTF-8''${encodeURIComponent('排行-2026-W48.csv')}`,
    );
  });
});

describe('exportFile', () => {
  it('sets the content type, disposition and length', async () => {
    const file = await exportFile('csv', 'board', [
      { name: 't', columns: [{ header: '排名', value: () => 1 }], rows: [{}] },
    ]);
    expect(file.getHeaders()).toMatchObject({
      type: 'text/csv; charset=utf-8',
      disposition: expect.stringContaining('filename="board.csv"') as string,
    });
    expect(file.getHeaders().length).toBe(Buffer.from('\uFEFF排名\r\n1\r\n').length);
  });
});
