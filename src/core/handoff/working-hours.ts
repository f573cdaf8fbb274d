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
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timezone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
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
