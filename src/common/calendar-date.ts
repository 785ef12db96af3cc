import { ValidateBy, type ValidationOptions } from 'class-validator';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar date in YYYY-MM-DD form (rejects 2026-02-30). Hot path: no Date objects. */
export function isCalendarDate(value: string): boolean {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : MONTH_DAYS[month - 1]);
}

/** Day number (days since 1970-01-01) of a calendar date; throws on anything but a real date. */
export function dayNumber(day: string): number {
  if (!isCalendarDate(day)) throw new RangeError(`not a calendar date: ${day}`);
  return Date.parse(`${day}T00:00:00Z`) / DAY_MS;
}

export function dateOfDay(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** Calendar arithmetic on YYYY-MM-DD days (no time zone involved). */
export function addDays(day: string, days: number): string {
  return dateOfDay(dayNumber(day) + days);
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isCalendarDate(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be a calendar date as YYYY-MM-DD`,
      },
    },
    options,
  );
}
