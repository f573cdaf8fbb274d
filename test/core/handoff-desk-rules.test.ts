/** The pure rules of the desk: round-robin's pick, the next opening of a desk, the CSAT codec, the queue order. */
import { describe, expect, it } from 'vitest';
import { csatPayload, parseCsatPayload } from '../../src/core/handoff/csat.js';
import { median } from '../../src/core/handoff/desk-queue.js';
import { pickAssignee } from '../../src/core/handoff/round-robin.js';
import { queueOf } from '../../src/core/handoff/ticket-book.js';
import { deskTimeLabel, nextOpening } from '../../src/core/handoff/working-hours.js';

describe('pickAssignee', () => {
  it('takes the fewest open tickets, ties in turn after the last assignee, nobody present gives nobody', () => {
    const counts = new Map([['A', 1], ['B', 0], ['C', 0]]);
    expect(pickAssignee(['A', 'B', 'C'], counts, undefined)).toBe('B');
    expect(pickAssignee(['A', 'B', 'C'], counts, 'B')).toBe('C');
    expect(pickAssignee(['A', 'B', 'C'], new Map(), 'C')).toBe('A');
    // The last assignee went absent: the turn starts from the front.
    expect(pickAssignee(['A', 'B'], new Map(), 'Z')).toBe('A');
    expect(pickAssignee([], counts, undefined)).toBeUndefined();
  });
});

describe('nextOpening', () => {
  const hours = { timezone: 'Europe/Berlin', days: ['mon' as const, 'tue' as const], from: '08:30', to: '17:00' };
  it('is now when open, else the next opening minute in the desk time zone, across DST', () => {
    const open = Date.parse('2026-11-23T09:00:00Z'); // Mon 10:00 Berlin
    expect(nextOpening(hours, open)).toBe(open);
    expect(new Date(nextOpening(hours, Date.parse('2026-11-23T17:00:00Z'))!).toISOString()).toBe('2026-11-24T07:30:00.000Z');
    expect(deskTimeLabel(hours, Date.parse('2026-11-24T07:30:00Z'))).toBe('Tue 08:30 (Europe/Berlin)');
    // Tuesday evening before the switch to summer time: the next Monday opening is at 06:30 UTC.
    expect(new Date(nextOpening(hours, Date.parse('2026-03-24T18:00:00Z'))!).toISOString()).toBe('2026-03-30T06:30:00.000Z');
    expect(nextOpening({ ...hours, from: '22:00', to: '22:10', days: ['sun'] }, Date.parse('2026-11-23T09:00:00Z'))).toBe(Date.parse('2026-11-29T21:00:00Z'));
  });
});

describe('CSAT payloads', () => {
  it('round-trips every score and rejects anything else', () => {
    for (const score of [1, 2, 3, 4, 5]) expect(parseCsatPayload(csatPayload('t-1', score))).toEqual({ ticketId: 't-1', score });
    expect(parseCsatPayload('bridge.csat:6:t-1')).toBeUndefined();
    expect(parseCsatPayload('bridge.csat:4:')).toBeUndefined();
    expect(parseCsatPayload('4')).toBeUndefined();
    expect(parseCsatPayload(undefined)).toBeUndefined();
  });
});

describe('queue order and the wait estimate', () => {
  it('orders a desk\'s queued tickets by rank, listing order on ties; the median of even and odd lists', () => {
    const entries = [
      { id: 'late', deskId: 'd', state: 'queued' as const, openedAt: 5, rank: 5 },
      { id: 'first', deskId: 'd', state: 'queued' as const, openedAt: 1, rank: 1 },
      { id: 'same', deskId: 'd', state: 'queued' as const, openedAt: 1, rank: 1 },
      { id: 'released', deskId: 'd', state: 'queued' as const, openedAt: 9, rank: 0 },
      { id: 'other', deskId: 'x', state: 'queued' as const, openedAt: 0, rank: 0 },
      { id: 'busy', deskId: 'd', state: 'assigned' as const, openedAt: 0, rank: 0 },
    ];
    expect(queueOf(entries, 'd').map((entry) => entry.id)).toEqual(['released', 'first', 'same', 'late']);
    expect(median([300, 60, 120])).toBe(120);
    expect(median([60, 120])).toBe(90);
  });
});
