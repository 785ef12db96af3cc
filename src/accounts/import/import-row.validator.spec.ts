import { describe, expect, it } from 'vitest';
import { parseImportFile, UnreadableImportError } from './import-parser';
import {
  IMPORT_ALIASES,
  duplicateIdErrors,
  validateImportRecord,
  type ImportRow,
} from './import-row.validator';

const HEADER =
  'platform,wechatOriginalId,wechatAppId,weiboUid,displayName,organizationName,regionCode,level,sector,wechatType,verified,tags';

function validateCsv(csv: string) {
  return parseImportFile(csv, 'csv', IMPORT_ALIASES).map(validateImportRecord);
}

describe('parseImportFile', () => {
  it('reads CSV with and without a BOM, numbering rows as a spreadsheet does', () => {
    const body = `${HEADER}\nwechat,gh_1a2b3c4d5e6f,,,成都发布,成都市政府办,510100,municipal,党委/政府办,subscription,true,"a;b"\n`;
    for (const text of [body, `\uFEFF${body}`]) {
      const [record] = parseImportFile(Buffer.from(text, 'utf8'), 'csv', IMPORT_ALIASES);
      expect(record.row).toBe(2);
      expect(record.values.platform).toBe('wechat');
      expect(Object.keys(record.values)[0]).toBe('platform');
    }
  });

  it('maps Chinese and snake_case headers to fields', () => {
    const [record] = parseImportFile(
      '平台,原始ID,账号名称,wechat_app_id\n微信,gh_1a2b3c4d5e6f,四川发布,wx1234567890abcdef\n',
      'csv',
      IMPORT_ALIASES,
    );
    expect(record.values).toEqual({
      platform: '微信',
      wechatOriginalId: 'gh_1a2b3c4d5e6f',
      displayName: '四川发布',
      wechatAppId: 'wx1234567890abcdef',
    });
  });

  it('reads JSON arrays and { rows }, and rejects other shapes', () => {
    expect(parseImportFile('[{"platform":"weibo"}]', 'json', IMPORT_ALIASES)[0]).toEqual({
      row: 1,
      values: { platform: 'weibo' },
    });
    expect(parseImportFile({ rows: [{}, {}] }, 'json', IMPORT_ALIASES)).toHaveLength(2);
    expect(() => parseImportFile('{"a":1}', 'json', IMPORT_ALIASES)).toThrow(UnreadableImportError);
    expect(() => parseImportFile('[1,', 'json', IMPORT_ALIASES)).toThrow(UnreadableImportError);
    expect(() => parseImportFile('a,b\n"1,2\n', 'csv', IMPORT_ALIASES)).toThrow(
      UnreadableImportError,
    );
    expect(() => parseImportFile('platform,platform\n1,2\n', 'csv', IMPORT_ALIASES)).toThrow(
      /more than once/,
    );
  });

  it('reports a line with the wrong number of cells as that row, counting blank lines', () => {
    const records = parseImportFile('a,b\n1,2\n\n1,2,3\n', 'csv', IMPORT_ALIASES);
    expect(records).toEqual([
      { row: 2, values: { a: '1', b: '2' } },
      { row: 4, values: { __invalid: 'has 3 cells; the header has 2' } },
    ]);
    expect(validateImportRecord(records[1]).errors).toEqual([
      { row: 4, column: '*', message: 'has 3 cells; the header has 2' },
    ]);
  });
});

describe('validateImportRecord', () => {
  it('normalises a valid row, accepting Chinese value words', () => {
    const [result] = validateCsv(
      '平台,原始ID,账号名称,单位,地区代码,行政级别,领域,类型,认证,标签\n微信,gh_1a2b3c4d5e6f,成都发布,成都市政府办,510100,市级,党委/政府办,服务号,是,政务；发布\n',
    );
    expect(result.errors).toEqual([]);
    expect(result.row).toMatchObject({
      row: 2,
      platform: 'wechat',
      level: 'municipal',
      sector: 'party_government_office',
      wechatType: 'service',
      verified: true,
      tags: ['政务', '发布'],
      status: null,
      dataSource: null,
    });
  });

  it('reports every problem of a row with its column', () => {
    const [result] = validateCsv(
      `${HEADER},colour\nweibo,gh_bad,wx123,abc,,,5101,galactic,外星,,maybe,,red\n`,
    );
    expect(result.row).toBeUndefined();
    const columns = result.errors.map((e) => e.column).sort();
    expect(columns).toEqual(
      [
        'colour',
        'displayName',
        'level',
        'organizationName',
        'regionCode',
        'sector',
        'verified',
        'wechatAppId',
        'wechatOriginalId',
        'weiboUid',
      ].sort(),
    );
    expect(result.errors.every((e) => e.row === 2 && e.message.length > 0)).toBe(true);
  });

  it('applies the platform identity rule', () => {
    const [result] = validateCsv(
      `${HEADER}\nweibo,gh_1a2b3c4d5e6f,,,X,Org,510000,provincial,公安,,,\n`,
    );
    expect(result.errors.map((e) => e.column).sort()).toEqual(['wechatOriginalId', 'weiboUid']);
  });

  it('needs a region unless the organization is central, and no region for an organizationId row', () => {
    const [central, provincial, byId] = validateCsv(
      `${HEADER},organizationId\nweibo,,,12345678,国务院,国务院办公厅,,central,党委/政府办,,,,\nweibo,,,12345679,X,Y,,provincial,公安,,,,\nweibo,,,12345670,Z,,,,,,,,42\n`,
    );
    expect(central.errors).toEqual([]);
    expect(provincial.errors.map((e) => e.column)).toEqual(['regionCode']);
    expect(byId.errors).toEqual([]);
    expect(byId.row?.organizationId).toBe(42);
  });

  it('finds platform ids repeated within the file', () => {
    const rows = [
      { row: 2, wechatOriginalId: 'gh_aaaaaaaaaaaa', wechatAppId: null, weiboUid: null },
      { row: 3, wechatOriginalId: 'gh_bbbbbbbbbbbb', wechatAppId: null, weiboUid: null },
      { row: 4, wechatOriginalId: 'gh_aaaaaaaaaaaa', wechatAppId: null, weiboUid: null },
    ] as ImportRow[];
    expect(duplicateIdErrors(rows)).toEqual([
      { row: 4, column: 'wechatOriginalId', message: '"gh_aaaaaaaaaaaa" also appears in row 2' },
    ]);
  });
});
