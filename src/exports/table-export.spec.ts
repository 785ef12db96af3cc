import { Workbook } from 'exceljs';
import { describe, expect, it } from 'vitest';
import { type ExportTable, tableToCsv, tablesToXlsx, uniqueSheetName } from './table-export';

interface Row {
  rank: number | null;
  name: string;
  score: number;
  stale: boolean;
}

const rows: Row[] = [
  { rank: 1, name: '成都发布', score: 812.34, stale: false },
  { rank: null, name: '=HYPERLINK("x")', score: -3, stale: true },
];
const table: ExportTable<Row> = {
  name: '微信排行',
  columns: [
    { header: '排名', value: (r) => r.rank },
    { header: '账号', value: (r) => r.name },
    { header: 'WCI', value: (r) => r.score, numFmt: '0.00' },
    { header: '停更', value: (r) => r.stale },
  ],
  rows,
};

describe('tableToCsv', () => {
  it('starts with a UTF-8 BOM, then the Chinese header, CRLF line ends', () => {
    const csv = tableToCsv(table);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8').slice(1);
    expect(text.split('\r\n')).toEqual([
      '排名,账号,WCI,停更',
      '1,成都发布,812.34,否',
      `,"'=HYPERLINK(""x"")",-3,是`,
      '',
    ]);
  });
});

describe('tablesToXlsx', () => {
  it('writes one sheet per table with numeric cells, read back by exceljs', async () => {
    const second: ExportTable<{ k: string; n: number }> = {
      name: '微信排行',
      columns: [
        { header: '地区', value: (r) => r.k },
        { header: '账号数', value: (r) => r.n },
      ],
      rows: [{ k: '四川省', n: 1563 }],
    };
    const workbook = new Workbook();
    const file = await tablesToXlsx([table, second]);
    // exceljs types a Buffer of an older @types/node.
    await workbook.xlsx.load(file as unknown as Parameters<typeof workbook.xlsx.load>[0]);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['微信排行', '微信排行 (2)']);
    const first = workbook.worksheets[0];
    expect(first.getRow(1).values).toEqual([undefined, '排名', '账号', 'WCI', '停更']);
    expect(first.getCell('A2').value).toBe(1);
    expect(first.getCell('C2').value).toBe(812.34);
    expect(first.getCell('C2').numFmt).toBe('0.00');
    expect(first.getCell('C3').value).toBe(-3);
    expect(first.getCell('A3').value).toBeNull();
    expect(first.getCell('B3').value).toBe('=HYPERLINK("x")');
    expect(first.getCell('D3').value).toBe('是');
    expect(workbook.worksheets[1].getCell('B2').value).toBe(1563);
  });

  it('refuses an empty workbook', async () => {
    await expect(tablesToXlsx([])).rejects.toThrow(RangeError);
  });
});

describe('uniqueSheetName', () => {
  it('removes characters Excel refuses, cuts to 31 characters and de-duplicates', () => {
    const used = new Set<string>();
    expect(uniqueSheetName('a/b:c', used)).toBe('a_b_c');
    expect(uniqueSheetName('A/B:C', used)).toBe('A_B_C (2)');
    const long = 'x'.repeat(40);
    expect(uniqueSheetName(long, used)).toHaveLength(31);
    expect(uniqueSheetName(long, used)).toBe(`${'x'.repeat(27)} (2)`);
    expect(uniqueSheetName('  ', used)).toBe('Sheet');
  });
});
