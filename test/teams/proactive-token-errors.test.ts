/**
 * Proactive delivery with auth on: the connector token comes from Azure AD (msw), the connector
 * is a loopback server. A token request that fails in transit or with Azure AD's 5xx, and the
 * connector's 5xx and 429 (with Retry-After), are retryable DeliveryErrors; a refused client
 * secret or a 4xx is final. Each attempt is one request: the delivery loop owns retries.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addressOf } from '../../adapters/teams/conversation-address.js';
import { DeliveryError } from '../../src/core/errors.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import type { RecordedRequest, ScriptedResponse } from '../support/fake-http-server.js';
import { botFrameworkIdentity } from './support/bot-framework-auth.js';
import { defaultConnector, startTeamsHarness, type TeamsHarness } from './support/teams-harness.js';
import { deliveryContext } from '../support/delivery-context.js';

/** botframework-connector caches tokens per app id for the process: each start gets its own app. */
let apps = 0;
let appId = '';
const identity = botFrameworkIdentity();
const msw = setupServer(...identity.handlers);
const tokenUrl = 'https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token';

let harness: TeamsHarness;

beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => msw.close());
afterEach(async () => {
  msw.resetHandlers();
  await harness.close();
});

function addressAt(serviceUrl: string): ChannelAddress {
  return addressOf({
    reference: {
      channelId: 'msteams',
      serviceUrl,
      conversation: { id: 'a:1Ld0zxsQ2rK6Sr5DbfVNgUY3XHc8JbQb1xSp7U0nXqsC', conversationType: 'personal' },
      bot: { id: `28:${appId}`, name: 'Teams TestBot' },
      user: { id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQ', name: 'Megan Bowen' },
    },
  });
}

async function start(script?: (request: RecordedRequest) => ScriptedResponse): Promise<void> {
  appId = `0f6b3a2c-9d41-4e7a-8b25-${String(++apps).padStart(12, '0')}`;
  harness = await startTeamsHarness({ env: { appId, appPassword: 'app-secret', appType: 'MultiTenant' }, ...(script ? { script } : {}) });
}

async function deliveryError(): Promise<DeliveryError> {
  const error = await harness.adapter.deliver(addressAt(`${harness.connector.url}/`), { kind: 'text', text: 'hi', buttons: [] }, deliveryContext()).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

const sends = () => harness.connector.requests.filter((request) => request.method === 'POST');

describe('proactive delivery with auth on', () => {
  it('sends with the connector token from Azure AD', async () => {
    await start();
    await harness.adapter.deliver(addressAt(`${harness.connector.url}/`), { kind: 'text', text: 'hi', buttons: [] }, deliveryContext());
    expect(sends().map((request) => request.headers.authorization)).toEqual([`Bearer ${identity.connectorToken}`]);
  });

  it('treats a token request that fails in transit (MSAL network_error) as retryable', async () => {
    msw.use(http.post(tokenUrl, () => HttpResponse.error()));
    await start();
    expect(await deliveryError()).toMatchObject({ retryable: true, platformCode: 'network_error' });
    expect(sends()).toHaveLength(0);
  });

  it('treats Azure AD answering 503 as retryable, and a refused secret as final', async () => {
    msw.use(http.post(tokenUrl, () => HttpResponse.json({ error: 'temporarily_unavailable', error_description: 'AADSTS90033: try again' }, { status: 503 })));
    await start();
    expect(await deliveryError()).toMatchObject({ retryable: true });
    await harness.close();
    msw.use(http.post(tokenUrl, () => HttpResponse.json({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }, { status: 401 })));
    await start();
    const refused = await deliveryError();
    expect(refused).toMatchObject({ retryable: false });
    expect(refused.message).not.toContain('app-secret');
  });

  it.each([500, 502, 503, 504, 429, 412])('treats the connector answering %i as retryable, honouring Retry-After', async (status) => {
    await start((request) => (request.method === 'POST' ? { status, headers: { 'retry-after': '7' }, body: { error: { code: 'ServiceError' } } } : defaultConnector(request)));
    expect(await deliveryError()).toMatchObject({ retryable: true, retryAfterMs: 7_000, platformCode: String(status) });
    expect(sends()).toHaveLength(1);
  });

  it.each([400, 401, 403, 404, 413])('treats the connector answering %i as final', async (status) => {
    await start((request) => (request.method === 'POST' ? { status, headers: { 'retry-after': '7' }, body: { error: { code: 'BadArgument' } } } : defaultConnector(request)));
    expect(await deliveryError()).toMatchObject({ retryable: false, retryAfterMs: undefined, platformCode: String(status) });
    expect(sends()).toHaveLength(1);
  });
});
