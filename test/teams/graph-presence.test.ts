/**
 * Microsoft Graph presence against msw: ids go in batches of at most 650 per
 * `POST /communications/getPresencesByUserId` (the documented maximum), answers are matched to the
 * ids asked whatever their letter case, and a 429 ends the read without an error, keeps what was
 * read, and pauses the tenant for its Retry-After.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GraphPresence } from '../../adapters/teams/desk/graph-presence.js';

const tenantId = 'b28fdbfd-2b78-4f93-b0f8-8881793f0f8f';
const graphApiUrl = 'https://graph.microsoft.com/v1.0';
const requests: string[][] = [];
/** Answer the n-th presence request (1-based) with this instead of presences. */
const overrides = new Map<number, () => Response>();

const msw = setupServer(
  http.post('https://login.microsoftonline.com/:tenant/oauth2/v2.0/token', () => HttpResponse.json({ token_type: 'Bearer', expires_in: 3599, access_token: 'graph-token' })),
  http.post(`${graphApiUrl}/communications/getPresencesByUserId`, async ({ request }) => {
    const { ids } = (await request.json()) as { ids: string[] };
    requests.push(ids);
    const override = overrides.get(requests.length);
    if (override) return override();
    // Graph's answer shape (docs: cloudcommunications-getpresencesbyuserid), ids upper-cased to prove the matching.
    return HttpResponse.json({ value: ids.map((id, index) => ({ id: id.toUpperCase(), availability: index % 2 === 0 ? 'Available' : 'Away', activity: 'Available' })) });
  }),
);

beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
afterAll(() => msw.close());
beforeEach(() => {
  requests.length = 0;
  overrides.clear();
});

const ids = (count: number) => Array.from({ length: count }, (_, index) => `aad-${String(index).padStart(4, '0')}`);

function graphPresence(clock: { now: number }): GraphPresence {
  return new GraphPresence({ graphApiUrl, appId: 'app-id', appPassword: 'app-secret', tenantId, now: () => clock.now });
}

describe('Graph presence', () => {
  it('asks for 700 ids in two requests (650 and 50) and reports each one asked', async () => {
    const readings = new Map<string, boolean>();
    await graphPresence({ now: 1_000 }).read(ids(700), (userId, present) => readings.set(userId, present));
    expect(requests.map((batch) => batch.length)).toEqual([650, 50]);
    expect(requests.flat()).toEqual(ids(700));
    expect(readings.size).toBe(700);
    expect(readings.get('aad-0000')).toBe(true);
    expect(readings.get('aad-0001')).toBe(false);
    expect(readings.get('aad-0650')).toBe(true);
  });

  it('keeps the first batch on a 429, throws nothing, and waits out Retry-After before asking again', async () => {
    const clock = { now: 1_000_000 };
    const presence = graphPresence(clock);
    overrides.set(2, () => HttpResponse.json({ error: { code: 'TooManyRequests' } }, { status: 429, headers: { 'retry-after': '30' } }));
    const readings = new Map<string, boolean>();
    await presence.read(ids(700), (userId, present) => readings.set(userId, present));
    expect(readings.size).toBe(650);
    expect(requests).toHaveLength(2);

    clock.now += 29_000;
    await presence.read(ids(700), (userId, present) => readings.set(userId, present));
    expect(requests).toHaveLength(2);

    clock.now += 1_000;
    await presence.read(ids(700), (userId, present) => readings.set(userId, present));
    expect(requests.map((batch) => batch.length)).toEqual([650, 50, 650, 50]);
    expect(readings.size).toBe(700);
  });

  it('fails on another refusal, with the readings before it already reported', async () => {
    overrides.set(2, () => HttpResponse.json({ error: { code: 'Forbidden' } }, { status: 403 }));
    const readings = new Map<string, boolean>();
    await expect(graphPresence({ now: 1_000 }).read(ids(700), (userId, present) => readings.set(userId, present))).rejects.toThrow('Graph getPresencesByUserId answered HTTP 403 (Forbidden)');
    expect(readings.size).toBe(650);
  });
});
