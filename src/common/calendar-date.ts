import { ValidateBy, type ValidationOptions } from 'class-validator';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** A real calendar date in YYYY-MM-DD form (rejects 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
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
