import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../src/config/bridge-config.js';
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

describe('a whole day', () => {
  const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri'>;

  it.each([
    ['00:00', '24:00'],
    ['00:00', '00:00'],
  ])('%s-%s is open every minute of a listed day and closed on the others', (from, to) => {
    const hours = { timezone: 'Europe/Berlin', days: weekdays, from, to };
    // Monday in Berlin (UTC+1) runs from Sunday 23:00 UTC to Monday 23:00 UTC.
    expect(isWithinWorkingHours(hours, at('2026-11-22T23:00:00Z'))).toBe(true); // Monday 00:00
    expect(isWithinWorkingHours(hours, at('2026-11-23T12:00:00Z'))).toBe(true);
    expect(isWithinWorkingHours(hours, at('2026-11-23T22:59:00Z'))).toBe(true); // Monday 23:59
    expect(isWithinWorkingHours(hours, at('2026-11-22T22:59:00Z'))).toBe(false); // Sunday 23:59
    expect(isWithinWorkingHours(hours, at('2026-11-28T12:00:00Z'))).toBe(false); // Saturday
  });

  it('a `to` equal to a later `from` is 24 hours from `from`', () => {
    const hours = { timezone: 'UTC', days: ['mon' as const], from: '08:00', to: '08:00' };
    expect(isWithinWorkingHours(hours, at('2026-11-23T08:00:00Z'))).toBe(true); // Monday 08:00
    expect(isWithinWorkingHours(hours, at('2026-11-24T07:59:00Z'))).toBe(true); // Tuesday 07:59, Monday's shift
    expect(isWithinWorkingHours(hours, at('2026-11-24T08:00:00Z'))).toBe(false);
    expect(isWithinWorkingHours(hours, at('2026-11-23T07:59:00Z'))).toBe(false);
  });

  it('the schema accepts 24:00 as an end and nowhere else', () => {
    const desk = (hours: object) => ({ desks: [{ id: 'd', platform: 'slack', channel: 'C1', hours: { timezone: 'UTC', ...hours } }] });
    expect(parseBridgeConfig(desk({ from: '00:00', to: '24:00' })).desks[0]!.hours).toMatchObject({ from: '00:00', to: '24:00' });
    expect(parseBridgeConfig(desk({ from: '00:00', to: '00:00' })).desks[0]!.hours).toMatchObject({ from: '00:00', to: '00:00' });
    expect(() => parseBridgeConfig(desk({ from: '24:00', to: '24:00' }))).toThrow('at desks.0.hours.from: must be HH:MM');
    expect(() => parseBridgeConfig(desk({ from: '00:00', to: '24:01' }))).toThrow('at desks.0.hours.to: must be HH:MM (24-hour) or 24:00');
  });
});
