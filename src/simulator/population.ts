import {
  SECTOR_LABELS,
  type AdminLevel,
  type Platform,
  type Sector,
  type WechatType,
} from '../accounts/account-taxonomy';
import { buildRegionCatalog, type RegionSeed } from '../regions/region-catalog';
import { addDays, dateOfDay, dayNumber } from './dates';
import {
  MAX_POPULATION,
  decodeAppId,
  decodeOriginalId,
  decodeUid,
  decodeWeiboToken,
  encodeAppId,
  encodeAppSecret,
  encodeOriginalId,
  encodeUid,
  encodeWeiboToken,
} from './ids';
import { hash32, normal, pickWeighted, salt, unit } from './rng';

export interface SimAccount {
  index: number;
  platform: Platform;
  wechatAppId?: string;
  wechatOriginalId?: string;
  appSecret?: string;
  weiboUid?: string;
  weiboAccessToken?: string;
  displayName: string;
  regionCode: string;
  regionName: string;
  level: AdminLevel;
  sector: Sector;
  wechatType?: WechatType;
  verified: boolean;
  openedOn: string;
  /** Asymptotic follower count of the growth curve. */
  followerScale: number;
  /** Days for the curve to reach half its scale. */
  followerHalfLifeDays: number;
  postsPerWeek: number;
  dormant: boolean;
  /** First day without posts, for dormant accounts. */
  dormantSince?: string;
}

export interface SimPopulationOptions {
  seed?: number;
  size?: number;
  /** Day before which dormant accounts fell silent (≥ 90 days); startSimulator passes today. */
  anchorDate?: string;
}

export const DEFAULT_ANCHOR_DATE = '2026-11-22';
const WECHAT_SHARE = 0.55;
const SERVICE_SHARE = 0.3;
const DORMANT_SHARE = 0.08;
const WECHAT_OPENED_FROM = '2013-01-01';
const WEIBO_OPENED_FROM = '2011-01-01';

const LEVEL_WEIGHTS: Record<AdminLevel, number> = {
  central: 1,
  provincial: 14,
  municipal: 38,
  county: 42,
  township: 5,
};

// 白皮书 2015: 公安 + 医疗 = 36.7% of 政务微信.
const WECHAT_SECTOR_WEIGHTS: Record<Sector, number> = {
  public_security: 22,
  health: 15,
  party_government_office: 8,
  publicity: 6,
  transport: 5,
  tourism: 4,
  culture_media: 4,
  education: 4,
  youth_league: 4,
  housing_fund: 3,
  human_resources: 3,
  court: 3,
  food_drug: 2,
  taxation: 2,
  procuratorate: 2,
  justice: 2,
  fire_rescue: 2,
  emergency: 2,
  civil_affairs: 1,
  commerce: 1,
  statistics: 1,
  environment: 1,
  market_regulation: 1,
  agriculture: 1,
  other: 1,
};

const WEIBO_SECTOR_WEIGHTS: Record<Sector, number> = {
  ...WECHAT_SECTOR_WEIGHTS,
  public_security: 20,
  health: 8,
  publicity: 12,
  party_government_office: 10,
  court: 5,
  procuratorate: 4,
  fire_rescue: 4,
};

const SECTOR_POSTS_PER_WEEK: Partial<Record<Sector, number>> = {
  public_security: 10,
  health: 7,
  party_government_office: 12,
  publicity: 14,
  transport: 6,
  culture_media: 6,
  tourism: 5,
  education: 5,
  court: 5,
  fire_rescue: 5,
  emergency: 5,
};

const LEVEL_FOLLOWER_MEDIAN: Record<AdminLevel, number> = {
  central: 2_000_000,
  provincial: 250_000,
  municipal: 50_000,
  county: 8_000,
  township: 1_500,
};

const LEVEL_ACTIVITY: Record<AdminLevel, number> = {
  central: 1.5,
  provincial: 1.3,
  municipal: 1,
  county: 0.8,
  township: 0.5,
};

const SECTOR_NAME: Partial<Record<Sector, string>> = { party_government_office: '党政' };
const NAME_SUFFIXES = ['发布', '在线', '之窗', '微讯', '资讯', '服务', ''];
const CN_DIGITS = '〇一二三四五六七八九';

interface ProvinceEntry {
  province: RegionSeed;
  prefectures: RegionSeed[];
  cumulativeWeight: number;
}

let provinceTable: { entries: ProvinceEntry[]; totalWeight: number } | undefined;

function provinces(): { entries: ProvinceEntry[]; totalWeight: number } {
  if (provinceTable === undefined) {
    const catalog = buildRegionCatalog();
    let cumulative = 0;
    const entries = catalog
      .filter((r) => r.level === 'province')
      .map((province) => {
        // 白皮书: eastern provinces hold most 政务微信.
        cumulative += province.macroRegion === 'east' ? 2 : 1;
        return {
          province,
          prefectures: catalog.filter((r) => r.parentCode === province.code),
          cumulativeWeight: cumulative,
        };
      });
    provinceTable = { entries, totalWeight: cumulative };
  }
  return provinceTable;
}

const S = {
  platform: salt('platform'),
  level: salt('level'),
  province: salt('province'),
  prefecture: salt('prefecture'),
  sector: salt('sector'),
  type: salt('wechat-type'),
  verified: salt('verified'),
  opened: salt('opened'),
  followers: salt('followers'),
  halfLife: salt('half-life'),
  activity: salt('activity'),
  dormant: salt('dormant'),
  suffix: salt('suffix'),
};

export class SimPopulation {
  readonly seed: number;
  readonly size: number;
  readonly anchorDate: string;
  private readonly cache = new Map<number, SimAccount>();

  constructor(options: SimPopulationOptions = {}) {
    this.seed = options.seed ?? 1;
    this.size = options.size ?? 2000;
    this.anchorDate = options.anchorDate ?? DEFAULT_ANCHOR_DATE;
    if (!Number.isInteger(this.size) || this.size < 1 || this.size > MAX_POPULATION) {
      throw new RangeError(`size must be an integer in 1..${MAX_POPULATION}`);
    }
  }

  account(index: number): SimAccount {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`account index ${index} outside 0..${this.size - 1}`);
    }
    let account = this.cache.get(index);
    if (account === undefined) {
      // A bounded memo: HTTP handlers look the same few accounts up repeatedly.
      if (this.cache.size >= 10_000) this.cache.clear();
      account = this.derive(index);
      this.cache.set(index, account);
    }
    return account;
  }

  *accounts(): Generator<SimAccount> {
    for (let i = 0; i < this.size; i += 1) yield this.account(i);
  }

  findByAppId(appId: string): SimAccount | undefined {
    return this.ofPlatform(decodeAppId(this.seed, appId), 'wechat');
  }

  findByOriginalId(originalId: string): SimAccount | undefined {
    return this.ofPlatform(decodeOriginalId(this.seed, originalId), 'wechat');
  }

  findByUid(uid: string | number): SimAccount | undefined {
    return this.ofPlatform(decodeUid(this.seed, String(uid)), 'weibo');
  }

  findByWeiboToken(token: string): SimAccount | undefined {
    return this.ofPlatform(decodeWeiboToken(this.seed, token), 'weibo');
  }

  private ofPlatform(index: number | undefined, platform: Platform): SimAccount | undefined {
    if (index === undefined || index >= this.size) return undefined;
    const account = this.account(index);
    return account.platform === platform ? account : undefined;
  }

  private derive(index: number): SimAccount {
    const seed = this.seed;
    const platform: Platform = unit(seed, index, S.platform) < WECHAT_SHARE ? 'wechat' : 'weibo';
    const level = pickWeighted(LEVEL_WEIGHTS, unit(seed, index, S.level));
    const { regionCode, regionName, namePrefix } = this.pickRegion(index, level);
    const sector = pickWeighted(
      platform === 'wechat' ? WECHAT_SECTOR_WEIGHTS : WEIBO_SECTOR_WEIGHTS,
      unit(seed, index, S.sector),
    );
    const verified = unit(seed, index, S.verified) < (platform === 'wechat' ? 0.9 : 0.93);

    const openedFrom = dayNumber(platform === 'wechat' ? WECHAT_OPENED_FROM : WEIBO_OPENED_FROM);
    // A fixed end, not the anchor: an account's identity must not change with the day it is served.
    const openedTo = dayNumber(DEFAULT_ANCHOR_DATE) - 400;
    const openedOn = dateOfDay(
      openedFrom + Math.floor(unit(seed, index, S.opened) * (openedTo - openedFrom)),
    );

    const sectorBoost = sector === 'public_security' || sector === 'publicity' ? 1.5 : 1;
    const platformBoost = platform === 'weibo' ? 1.5 : 1;
    const followerScale = Math.min(
      40_000_000,
      Math.round(
        LEVEL_FOLLOWER_MEDIAN[level] *
          sectorBoost *
          platformBoost *
          Math.exp(1.1 * normal(seed, index, S.followers)),
      ) + 50,
    );
    const followerHalfLifeDays = 200 + Math.floor(unit(seed, index, S.halfLife) * 600);

    const baseRate = SECTOR_POSTS_PER_WEEK[sector] ?? 3;
    const postsPerWeek = Math.max(
      0.7,
      baseRate *
        LEVEL_ACTIVITY[level] *
        (platform === 'weibo' ? 2 : 1) *
        Math.exp(0.5 * normal(seed, index, S.activity)),
    );

    const dormantDraw = unit(seed, index, S.dormant);
    const dormant = dormantDraw < DORMANT_SHARE;
    const dormantSince = dormant
      ? addDays(this.anchorDate, -(91 + Math.floor((dormantDraw / DORMANT_SHARE) * 600)))
      : undefined;

    const suffix = NAME_SUFFIXES[hash32(seed, index, S.suffix) % NAME_SUFFIXES.length];
    const sectorName = SECTOR_NAME[sector] ?? SECTOR_LABELS[sector];
    const code = [...String(index)].map((d) => CN_DIGITS[Number(d)]).join('');

    const account: SimAccount = {
      index,
      platform,
      displayName: `${namePrefix}${sectorName}${suffix}·${code}`,
      regionCode,
      regionName,
      level,
      sector,
      verified,
      openedOn,
      followerScale,
      followerHalfLifeDays,
      postsPerWeek: Math.round(postsPerWeek * 100) / 100,
      dormant,
      ...(dormantSince === undefined ? {} : { dormantSince }),
    };
    if (platform === 'wechat') {
      account.wechatAppId = encodeAppId(seed, index);
      account.wechatOriginalId = encodeOriginalId(seed, index);
      account.appSecret = encodeAppSecret(seed, index);
      account.wechatType = unit(seed, index, S.type) < SERVICE_SHARE ? 'service' : 'subscription';
    } else {
      account.weiboUid = encodeUid(seed, index);
      account.weiboAccessToken = encodeWeiboToken(seed, index);
    }
    return account;
  }

  private pickRegion(
    index: number,
    level: AdminLevel,
  ): { regionCode: string; regionName: string; namePrefix: string } {
    if (level === 'central') {
      return { regionCode: '110000', regionName: '北京市', namePrefix: '国家' };
    }
    const table = provinces();
    const target = unit(this.seed, index, S.province) * table.totalWeight;
    const entry = table.entries.find((e) => target < e.cumulativeWeight) ?? table.entries[0];
    const levelWord = level === 'county' ? '区县' : level === 'township' ? '街镇' : '';
    const region =
      level === 'provincial' || entry.prefectures.length === 0
        ? entry.province
        : entry.prefectures[hash32(this.seed, index, S.prefecture) % entry.prefectures.length];
    return {
      regionCode: region.code,
      regionName: region.name,
      namePrefix: `${region.name}${levelWord}`,
    };
  }
}
