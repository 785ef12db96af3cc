import { TZDate } from '@date-fns/tz';
import { BUSINESS_TIME_ZONE } from '../common/business-date';

/**
 * A named schedule. Fire times are instants (UTC milliseconds):
 * - `everyMinutes`: every N minutes, aligned to the UTC epoch (N divides a day, so 15 fires at :00,
 *   :15, :30, :45 and 1440 at 08:00 Asia/Shanghai);
 * - `daily`: once a day at HH:MM Asia/Shanghai (the business time zone).
 * `fillWindowMs` bounds how far back missed slots are backfilled after a downtime (R5).
 */
export type ScheduleDefinition =
  | { name: string; everyMinutes: number; fillWindowMs?: number }
  | { name: string; daily: string; fillWindowMs?: number };

/** Default backfill window: a restart within 6 h still runs what it missed. */
export const DEFAULT_FILL_WINDOW_MS = 6 * 60 * 60 * 1000;
/** Upper bound on slots returned by one call (a minute schedule over a day is 1,440). */
export const MAX_SLOTS = 10_000;

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;
const DAILY_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Throws RangeError for a schedule that cannot fire sensibly; returns it otherwise. */
export function validateSchedule(schedule: ScheduleDefinition): ScheduleDefinition {
  if (schedule.name.trim() === '') throw new RangeError('schedule name is empty');
  if ('everyMinutes' in schedule) {
    const n = schedule.everyMinutes;
    if (!Number.isInteger(n) || n < 1 || DAY_MINUTES % n !== 0) {
      throw new RangeError(`${schedule.name}: everyMinutes must divide 1440, got ${n}`);
    }
  } else {
    dailyTime(schedule);
  }
  const fill = schedule.fillWindowMs;
  if (fill !== undefined && !(Number.isFinite(fill) && fill >= 0)) {
    throw new RangeError(`${schedule.name}: fillWindowMs must be ≥ 0, got ${fill}`);
  }
  return schedule;
}

/** Throws RangeError for duplicate names or any invalid schedule. */
export function validateSchedules(schedules: readonly ScheduleDefinition[]): void {
  const names = new Set<string>();
  for (const schedule of schedules) {
    validateSchedule(schedule);
    if (names.has(schedule.name)) throw new RangeError(`duplicate schedule name: ${schedule.name}`);
    names.add(schedule.name);
  }
}

function dailyTime(schedule: { name: string; daily: string }): { hour: number; minute: number } {
  const match = DAILY_PATTERN.exec(schedule.daily);
  if (!match) throw new RangeError(`${schedule.name}: daily must be HH:MM, got ${schedule.daily}`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** The daily fire time on the Asia/Shanghai calendar day of `at`, shifted by `dayOffset` days. */
function dailyFireOn(at: number, dayOffset: number, hour: number, minute: number): number {
  const local = new TZDate(at, BUSINESS_TIME_ZONE);
  return new TZDate(
    local.getFullYear(),
    local.getMonth(),
    local.getDate() + dayOffset,
    hour,
    minute,
    BUSINESS_TIME_ZONE,
  ).getTime();
}

/** The latest fire time ≤ `now`. */
export function slotAt(schedule: ScheduleDefinition, now: Date): Date {
  validateSchedule(schedule);
  const t = now.getTime();
  if (Number.isNaN(t)) throw new RangeError('invalid date');
  if ('everyMinutes' in schedule) {
    const period = schedule.everyMinutes * MINUTE_MS;
    return new Date(Math.floor(t / period) * period);
  }
  const { hour, minute } = dailyTime(schedule);
  const today = dailyFireOn(t, 0, hour, minute);
  return new Date(today <= t ? today : dailyFireOn(t, -1, hour, minute));
}

/** The first fire time strictly after `after`. */
function nextSlot(schedule: ScheduleDefinition, after: number): number {
  if ('everyMinutes' in schedule) {
    const period = schedule.everyMinutes * MINUTE_MS;
    return (Math.floor(after / period) + 1) * period;
  }
  const { hour, minute } = dailyTime(schedule);
  const today = dailyFireOn(after, 0, hour, minute);
  return today > after ? today : dailyFireOn(after, 1, hour, minute);
}

/** The fire times in (from, to], oldest first, at most `limit` of them. */
export function slotsBetween(
  schedule: ScheduleDefinition,
  from: Date,
  to: Date,
  limit: number = MAX_SLOTS,
): Date[] {
  validateSchedule(schedule);
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`bad limit: ${limit}`);
  const slots: Date[] = [];
  const end = to.getTime();
  for (let t = nextSlot(schedule, from.getTime()); t <= end && slots.length < limit;) {
    slots.push(new Date(t));
    t = nextSlot(schedule, t);
  }
  return slots;
}

/**
 * Slots missed since `lastClaimed`: after it, before the current slot (`slotAt(now)`, which the
 * caller claims as on time) and no older than `now - fillWindowMs` (R5), oldest first. Nothing is
 * missed when nothing was ever claimed (a first deployment does not backfill) or when the clock
 * is behind `lastClaimed` (rewound, R4).
 */
export function missedSlots(
  schedule: ScheduleDefinition,
  lastClaimed: Date | null,
  now: Date,
  fillWindowMs: number = schedule.fillWindowMs ?? DEFAULT_FILL_WINDOW_MS,
): Date[] {
  if (lastClaimed === null) return [];
  const current = slotAt(schedule, now).getTime();
  // Exclusive lower bound: a slot exactly fillWindowMs old is still inside the window.
  const windowStart = now.getTime() - fillWindowMs - 1;
  const from = Math.max(lastClaimed.getTime(), windowStart);
  if (current - 1 <= from) return [];
  return slotsBetween(schedule, new Date(from), new Date(current - 1));
}
