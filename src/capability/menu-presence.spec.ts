import { describe, expect, it } from 'vitest';
import { selfMenuSchema } from '../platforms/wechat/wechat.schemas';
import { DEFAULT_BANDS } from './bands';
import { computeEditionResults } from './edition-results';
import type { IndicatorTree } from './indicator-tree';
import type { MeasuredRaw } from './measures';
import {
  MENU_FULL_ENTRIES,
  type MenuObservation,
  type StoredMenuEvidence,
  countMenu,
  menuObservation,
  menuPresenceScore,
  menuWindow,
  treeUsesMenu,
} from './menu-presence';
import { SEED000_FIVE_CAPABILITIES } from './presets';

const observed = (isMenuOpen: boolean, entries: number): MenuObservation => ({
  observedOn: '2026-11-22',
  isMenuOpen,
  buttons: Math.min(3, entries),
  subButtons: 0,
  entries,
  missingReason: null,
});

const YEAR = { start: '2026-01-01', end: '2026-12-31' };
const NONE: StoredMenuEvidence = { snapshot: null, failure: null, hasCredential: true };

describe('countMenu', () => {
  it('counts buttons, sub-buttons and the entries a reader can tap', () => {
    const menu = selfMenuSchema.parse({
      is_menu_open: 1,
      selfmenu_info: {
        button: [
          { type: 'click', name: '最新发布', key: 'NEWS' },
          {
            name: '办事服务',
            sub_button: {
              list: [
                { type: 'view', name: '预约办理', url: 'https://example.gov.cn/a' },
                { type: 'view', name: '进度查询', url: 'https://example.gov.cn/b' },
              ],
            },
          },
          { name: '空菜单', sub_button: { list: [] } },
        ],
      },
    });
    // A button without sub-buttons is an entry itself (the empty one too: it is tappable).
    expect(countMenu(menu)).toEqual({ isMenuOpen: true, buttons: 3, subButtons: 2, entries: 4 });
    expect(countMenu(selfMenuSchema.parse({ is_menu_open: 0 }))).toEqual({
      isMenuOpen: false,
      buttons: 0,
      subButtons: 0,
      entries: 0,
    });
  });
});

describe('menuPresenceScore', () => {
  it('is 0 for a closed or empty menu, scales with the entries up to MENU_FULL_ENTRIES', () => {
    expect(MENU_FULL_ENTRIES).toBe(5);
    expect(menuPresenceScore(observed(false, 7))).toBe(0);
    expect(menuPresenceScore(observed(true, 0))).toBe(0);
    expect(menuPresenceScore(observed(true, 1))).toBe(20);
    expect(menuPresenceScore(observed(true, 3))).toBe(60);
    expect(menuPresenceScore(observed(true, 5))).toBe(100);
    expect(menuPresenceScore(observed(true, 15))).toBe(100);
  });

  it('is missing (null, never 0) without a snapshot', () => {
    expect(menuPresenceScore(undefined)).toBeNull();
    expect(
      menuPresenceScore(menuObservation(NONE, menuWindow(YEAR, '2026-11-22'), '2026-11-22')),
    ).toBeNull();
  });
});

describe('menuWindow', () => {
  it('counts snapshots from the period start to 90 days after its end, never after today', () => {
    expect(menuWindow(YEAR, '2026-11-22')).toEqual({
      from: '2026-01-01',
      to: '2026-11-22',
      open: true,
      freshFrom: '2026-10-24',
    });
    expect(menuWindow(YEAR, '2027-03-31')).toMatchObject({ to: '2027-03-31', open: true });
    expect(menuWindow(YEAR, '2027-04-01')).toMatchObject({ to: '2027-03-31', open: false });
    // Freshness never reaches before the period.
    expect(menuWindow(YEAR, '2026-01-10')).toMatchObject({ freshFrom: '2026-01-01', open: true });
    expect(menuWindow(YEAR, '2025-12-31')).toMatchObject({ open: false });
  });
});

describe('menuObservation', () => {
  const window = menuWindow(YEAR, '2026-11-22');

  it('uses the snapshot when there is one', () => {
    const o = menuObservation(
      {
        snapshot: {
          observedOn: '2026-11-20',
          isMenuOpen: true,
          buttons: 3,
          subButtons: 4,
          entries: 5,
        },
        failure: null,
        hasCredential: false,
      },
      window,
      '2026-11-22',
    );
    expect(o).toEqual({
      observedOn: '2026-11-20',
      isMenuOpen: true,
      buttons: 3,
      subButtons: 4,
      entries: 5,
      missingReason: null,
    });
  });

  it('says why the leaf is missing: a failed read, no credential, or the window', () => {
    const reason = (evidence: StoredMenuEvidence, today = '2026-11-22') =>
      menuObservation(evidence, menuWindow(YEAR, today), today).missingReason;
    expect(
      reason({
        ...NONE,
        failure: {
          observedOn: '2026-11-22',
          errorClass: 'permission',
          code: '48001',
          message: 'wechat 48001: api unauthorized',
        },
      }),
    ).toBe(
      'get_current_selfmenu_info failed on 2026-11-22: permission 48001 (wechat 48001: api unauthorized)',
    );
    expect(reason({ ...NONE, hasCredential: false })).toMatch(/^no valid wechat_app credential/);
    expect(reason(NONE, '2027-06-01')).toBe(
      'no menu snapshot between 2026-01-01 and 2027-03-31; that window has closed',
    );
    expect(reason(NONE, '2025-12-01')).toBe('the period starts on 2026-01-01: no menu read yet');
    expect(reason(NONE)).toMatch(/^no menu snapshot yet/);
    expect(window.open).toBe(true);
  });
});

describe('menu_presence in the index', () => {
  const tree: IndicatorTree = {
    code: 't',
    name: '树',
    children: [
      { code: 'a', name: '评估', weight: 0.5, kind: 'assessed' },
      { code: 'menu', name: '自定义菜单', weight: 0.5, kind: 'measured', source: 'menu_presence' },
    ],
  };
  const raw: MeasuredRaw = {
    wci: null,
    wciBasis: null,
    wciMonths: null,
    activeDays: null,
    longestGapDays: null,
    weeksWithPost: null,
    measuredFrom: null,
    measuredDays: 0,
    measuredWeeks: 0,
  };

  it('knows which trees score it', () => {
    expect(treeUsesMenu(tree)).toBe(true);
    expect(treeUsesMenu(SEED000_FIVE_CAPABILITIES)).toBe(false);
  });

  it('scores the leaf from the observation and leaves it missing without one', () => {
    const missing = menuObservation(
      { ...NONE, hasCredential: false },
      menuWindow(YEAR, '2026-11-22'),
      '2026-11-22',
    );
    const results = computeEditionResults({
      tree,
      members: [1, 2, 3, 4].map((id) => ({
        regionCode: `51${id}000`,
        name: `r${id}`,
        tier: 'province' as const,
        provinceCode: `51${id}000`,
        accountId: id,
      })),
      assessments: new Map([1, 2, 3, 4].map((id) => [`51${id}000`, { a: 80 }])),
      measured: new Map([1, 2, 3, 4].map((id) => [id, raw])),
      menus: new Map([
        [1, observed(true, 8)],
        [2, observed(true, 3)],
        [3, observed(false, 0)],
        [4, missing],
      ]),
      normalisation: 'min-max',
      bands: DEFAULT_BANDS,
    });
    expect(results.map((r) => [r.leafScores.menu ?? null, r.total, r.missing])).toEqual([
      [100, 90, []],
      [60, 70, []],
      [0, 40, []],
      [null, null, ['menu']],
    ]);
    expect(results[3].measures!.menu).toEqual(missing);
  });
});
