import { describe, expect, it } from 'vitest';
import { isWithinWorkingHours } from '../../src/core/handoff/working-hours.js';

const berlinOffice = { timezone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, from: '08:00', to: '18:00' };
const at = (iso: string) => Date.parse(iso);

describe('isWithinWorkingHours', () => {
  it.each([
    ['2026-11-23T07:00:00Z', true], // Monday 08:00 in Berlin (UTC+1): opening minute
    ['2026-11-23T06:59:00Z', false], // Monday 07:59 Berlin
    ['2026-11-23T16:59:00Z', true], // Monday 17:59 Berlin
    ['2026-11-23T17:00:00Z', false], // Monday 18:00 Berlin: closed
    ['2026-11-22T12:00:00Z', false], // Sunday
    ['2026-07-06T06:30:00Z', true], // Monday 08:30 in summer time (UTC+2)
  ])('at %s → %s', (iso, expected) => {
    expect(isWithinWorkingHours({ ...berlinOffice, days: [...berlinOffice.days] }, at(iso))).toBe(expected);
  });

  it('handles a night shift across midnight, counting the early hours to the day before', () => {
    const night = { timezone: 'UTC', days: ['fri' as const], from: '22:00', to: '06:00' };
    expect(isWithinWorkingHours(night, at('2026-11-27T23:00:00Z'))).toBe(true); // Friday 23:00
    expect(isWithinWorkingHours(night, at('2026-11-28T05:00:00Z'))).toBe(true); // Saturday 05:00, Friday's shift
    expect(isWithinWorkingHours(night, at('2026-11-29T05:00:00Z'))).toBe(false); // Sunday 05:00
    expect(isWithinWorkingHours(night, at('2026-11-27T21:59:00Z'))).toBe(false);
  });
});
