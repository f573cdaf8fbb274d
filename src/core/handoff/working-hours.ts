/**
 * Whether a moment falls within a desk's working hours, in the desk's own time zone.
 * Pure: the moment is a parameter.
 */
import type { WorkingHours } from '../../config/bridge-config.js';

const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * True when `at` (epoch ms) is inside the hours. A `to` before `from` spans midnight; a `to`
 * equal to `from` is 24 hours from `from` (so `00:00`-`00:00` is the whole day), and `24:00`
 * is the end of the day (`00:00`-`24:00` is the whole day too).
 */
export function isWithinWorkingHours(hours: WorkingHours, at: number): boolean {
  const parts = formatterOf(hours.timezone).formatToParts(new Date(at));
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
  const day = part('weekday').toLowerCase().slice(0, 3) as (typeof weekdays)[number];
  const minutes = Number(part('hour')) * 60 + Number(part('minute'));
  const from = toMinutes(hours.from);
  const to = toMinutes(hours.to);
  if (from < to) return hours.days.includes(day) && minutes >= from && minutes < to;
  // Overnight shift (or 24 hours from `from`): the part from `from` on belongs to `day`, the
  // early-morning part to the day before.
  if (minutes >= from) return hours.days.includes(day);
  const previousDay = weekdays[(weekdays.indexOf(day) + 6) % 7]!;
  return minutes < to && hours.days.includes(previousDay);
}

function toMinutes(clock: string): number {
  const [hour, minute] = clock.split(':').map(Number);
  return hour! * 60 + minute!;
}

const minuteMs = 60_000;
/** How far ahead an opening is looked for: a week plus a day covers every schedule with a day in it. */
const lookAheadMinutes = 8 * 24 * 60;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    // Time zones come from bridge.yaml only, so this map stays as small as the desk list.
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * When the desk opens next after `at` (epoch ms), or `at` itself when it is open now; undefined
 * only for hours that never open. Steps no longer than the shortest open window, then finds the
 * opening minute within the last step, so DST shifts come out exact.
 */
export function nextOpening(hours: WorkingHours, at: number): number | undefined {
  if (isWithinWorkingHours(hours, at)) return at;
  const windowMinutes = (toMinutes(hours.to) - toMinutes(hours.from) + 1440) % 1440 || 1440;
  const stepMinutes = Math.max(1, Math.min(30, windowMinutes));
  const start = Math.ceil(at / minuteMs) * minuteMs;
  for (let minute = 0; minute <= lookAheadMinutes; minute += stepMinutes) {
    const candidate = start + minute * minuteMs;
    if (!isWithinWorkingHours(hours, candidate)) continue;
    let opening = candidate;
    while (opening - minuteMs >= start && isWithinWorkingHours(hours, opening - minuteMs)) opening -= minuteMs;
    return opening;
  }
  return undefined;
}

/** A moment as the desk's people say it: weekday and clock time in the desk's time zone, e.g. `Mon 08:00 (Europe/Berlin)`. */
export function deskTimeLabel(hours: WorkingHours, at: number): string {
  const parts = formatterOf(hours.timezone).formatToParts(new Date(at));
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('weekday')} ${part('hour')}:${part('minute')} (${hours.timezone})`;
}
