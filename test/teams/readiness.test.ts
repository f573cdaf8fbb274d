/** checkReady: nothing to check with auth off; with credentials, a token must be obtainable. */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter } from '../../adapters/teams/index.js';
import { Metrics } from '../../src/core/metrics.js';
import { silentLogger } from '../support/silent-logger.js';
import { RecordingSink } from './support/teams-harness.js';

const tokenRequests: string[] = [];
const server = setupServer(
  http.all('https://login.microsoftonline.com/*', ({ request }) => {
    tokenRequests.push(new URL(request.url).pathname);
    return HttpResponse.json({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }, { status: 401 });
  }),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

const adapterWith = (env: Record<string, string>) =>
  createTeamsAdapter({ env: { graphApiUrl: 'https://graph.microsoft.com/v1.0', ...env }, sink: new RecordingSink(), logger: silentLogger(), metrics: new Metrics(), connectorTimeoutMs: 5_000 });

describe('Teams checkReady', () => {
  it('has nothing to check with auth off', async () => {
    await expect(adapterWith({}).checkReady!()).resolves.toBeUndefined();
    expect(tokenRequests).toEqual([]);
  });

  it('fails when the configured credentials cannot get a token', async () => {
    const adapter = adapterWith({ appId: '0f6b3a2c-9d41-4e7a-8b25-6c1d2e3f4a5b', appPassword: 'wrong-secret', appType: 'SingleTenant', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
    const error = await adapter.checkReady!().then(() => undefined, (caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).not.toContain('wrong-secret');
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests.some((path) => path.startsWith('/72f988bf-86f1-41af-91ab-2d7cd011db47'))).toBe(true);
  });
});
