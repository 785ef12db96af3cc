import { addDays } from '../common/calendar-date';
import type { WechatSelfMenu } from '../platforms/wechat/wechat.schemas';
import { type IndicatorTree, leafWeights } from './indicator-tree';

/** An open menu with this many entries (or more) scores 100; WeChat allows at most 3 × 5 = 15. */
export const MENU_FULL_ENTRIES = 5;
/**
 * Snapshots up to this many days after the period's end still count for it: a year is evaluated
 * in the following months (seed 000's assessments are dated the next January).
 */
export const MENU_GRACE_DAYS = 90;
/** A snapshot this many days old (or older) is read again while the observation window is open. */
export const MENU_MAX_AGE_DAYS = 30;
/** Failures not retried on the day they happened: only a human can change them. */
export const PERMANENT_MENU_ERRORS: readonly string[] = [
  'permission',
  'config',
  'not_found',
  'auth',
  'unknown',
];

/** Counts of one snapshot: 自定义菜单 buttons, their sub-buttons, and the entries a reader can tap. */
export interface MenuCounts {
  isMenuOpen: boolean;
  buttons: number;
  subButtons: number;
  entries: number;
}

/** The menu evidence of one account for an edition, as the results show it (`measures.menu`). */
export interface MenuObservation {
  /** Day of the snapshot used (the latest successful one in the window); null without one. */
  observedOn: string | null;
  isMenuOpen: boolean | null;
  buttons: number | null;
  subButtons: number | null;
  entries: number | null;
  /** Why there is no usable snapshot (the leaf is missing); null when there is one. */
  missingReason: string | null;
}

export interface MenuWindow {
  /** Snapshots observed in [from, to] count for the edition (empty when to < from). */
  from: string;
  to: string;
  /** Today lies in the window: a missing or stale snapshot may be read now. */
  open: boolean;
  /** A snapshot observed on or after this day is fresh: no new read. */
  freshFrom: string;
}

export function countMenu(menu: WechatSelfMenu): MenuCounts {
  let subButtons = 0;
  let entries = 0;
  for (const button of menu.buttons) {
    subButtons += button.subButtons.length;
    entries += button.subButtons.length > 0 ? button.subButtons.length : 1;
  }
  return { isMenuOpen: menu.isMenuOpen, buttons: menu.buttons.length, subButtons, entries };
}

/**
 * 自定义菜单 `menu_presence`, 0–100: 0 when the menu is off (is_menu_open = 0) or has no button;
 * otherwise 100 × entries ÷ MENU_FULL_ENTRIES, capped at 100 (an open menu with 3 entries scores
 * 60, one with 5 or more 100). null (missing, never 0) without a snapshot.
 */
export function menuPresenceScore(menu: MenuObservation | null | undefined): number | null {
  if (!menu || menu.isMenuOpen === null || menu.entries === null) return null;
  if (!menu.isMenuOpen) return 0;
  return Math.min(100, (100 * menu.entries) / MENU_FULL_ENTRIES);
}

/**
 * Which snapshots count for an edition's period on `today`: those observed from the period's
 * start to MENU_GRACE_DAYS after its end (not after today). While today is in that window, an
 * account without a snapshot of the last MENU_MAX_AGE_DAYS days (within the window) is read.
 */
export function menuWindow(period: { start: string; end: string }, today: string): MenuWindow {
  const last = addDays(period.end, MENU_GRACE_DAYS);
  const recent = addDays(today, -(MENU_MAX_AGE_DAYS - 1));
  return {
    from: period.start,
    to: today < last ? today : last,
    open: today >= period.start && today <= last,
    freshFrom: recent > period.start ? recent : period.start,
  };
}

/** The tree has a measured menu_presence leaf: menus are read and scored for it. */
export function treeUsesMenu(tree: IndicatorTree): boolean {
  return leafWeights(tree).some((l) => l.kind === 'measured' && l.source === 'menu_presence');
}

/** What the stored snapshots say about one account (menu-snapshots.sql.ts). */
export interface StoredMenuEvidence {
  snapshot: (MenuCounts & { observedOn: string }) | null;
  failure: { observedOn: string; errorClass: string; code: string | null; message: string } | null;
  hasCredential: boolean;
}

/** The observation of one account: its snapshot, or the reason the leaf stays missing. */
export function menuObservation(
  evidence: StoredMenuEvidence,
  window: MenuWindow,
  today: string,
): MenuObservation {
  const s = evidence.snapshot;
  if (s !== null) {
    return {
      observedOn: s.observedOn,
      isMenuOpen: s.isMenuOpen,
      buttons: s.buttons,
      subButtons: s.subButtons,
      entries: s.entries,
      missingReason: null,
    };
  }
  return {
    observedOn: null,
    isMenuOpen: null,
    buttons: null,
    subButtons: null,
    entries: null,
    missingReason: missingReason(evidence, window, today),
  };
}

function missingReason(evidence: StoredMenuEvidence, window: MenuWindow, today: string): string {
  const f = evidence.failure;
  if (f !== null) {
    return `get_current_selfmenu_info failed on ${f.observedOn}: ${f.errorClass}${f.code ? ` ${f.code}` : ''} (${f.message})`;
  }
  if (!evidence.hasCredential) {
    return 'no valid wechat_app credential: the menu cannot be read (store one, or make the leaf assessed)';
  }
  if (today < window.from) return `the period starts on ${window.from}: no menu read yet`;
  if (!window.open) {
    return `no menu snapshot between ${window.from} and ${window.to}; that window has closed`;
  }
  return 'no menu snapshot yet: recompute the edition to read it';
}
