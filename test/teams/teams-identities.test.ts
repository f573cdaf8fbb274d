/**
 * Teams identities (MicrosoftAppType): start-up validation of each combination, and where the
 * connector token comes from, with msw standing in for Azure AD and for the Azure Instance
 * Metadata Service (IMDS), and a loopback connector checking the token it is sent.
 * - MultiTenant (default): client secret, token from login.microsoftonline.com/botframework.com.
 * - SingleTenant: client secret, token from login.microsoftonline.com/<MicrosoftAppTenantId>.
 * - UserAssignedMSI: no secret; botframework-connector's ManagedIdentityServiceClientCredentialsFactory
 *   asks @azure/identity's DefaultAzureCredential({ managedIdentityClientId: MicrosoftAppId }),
 *   which on an Azure VM, AKS node or Container Apps without other variables reads
 *   http://169.254.169.254/metadata/identity/oauth2/token (resource api.botframework.com).
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { addressOf } from '../../adapters/teams/conversation-address.js';
import { loadEnv } from '../../src/config/env.js';
import type { ChannelAddress } from '../../src/core/visitor-event.js';
import { botFrameworkIdentity } from './support/bot-framework-auth.js';
import { startTeamsHarness, type TeamsHarness } from './support/teams-harness.js';
import { deliveryContext } from '../support/delivery-context.js';

const tenantId = 'b28fdbfd-2b78-4f93-b0f8-8881793f0f8f';
const identity = botFrameworkIdentity();
const imdsRequests: Array<{ query: URLSearchParams; metadata: string | null }> = [];
const msiToken = 'token-from-the-managed-identity';
const msw = setupServer(
  ...identity.handlers,
  http.get('http://169.254.169.254/metadata/identity/oauth2/token', ({ request }) => {
    const url = new URL(request.url);
    imdsRequests.push({ query: url.searchParams, metadata: request.headers.get('metadata') });
    // IMDS refuses requests without the Metadata header; @azure/identity probes it that way first.
    if (request.headers.get('metadata') !== 'true') return HttpResponse.json({ error: 'invalid_request', error_description: 'Required metadata header not specified' }, { status: 400 });
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    return HttpResponse.json({ access_token: msiToken, expires_in: '3600', expires_on: String(expiresOn), ext_expires_in: '3600', not_before: String(expiresOn - 3600), resource: url.searchParams.get('resource'), token_type: 'Bearer', client_id: url.searchParams.get('client_id') });
  }),
);
const noFiles = () => false;

let harness: TeamsHarness | undefined;

beforeAll(() => msw.listen({ onUnhandledRequest: 'bypass' }));
afterAll(() => msw.close());
afterEach(async () => {
  vi.unstubAllEnvs();
  await harness?.close();
  harness = undefined;
});

function addressAt(serviceUrl: string, appId: string): ChannelAddress {
  return addressOf({
    reference: {
      channelId: 'msteams',
      serviceUrl,
      conversation: { id: 'a:1Ld0zxsQ2rK6Sr5DbfVNgUY3XHc8JbQb1xSp7U0nXqsC', conversationType: 'personal', tenantId },
      bot: { id: `28:${appId}` },
      user: { id: '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQ' },
    },
    tenantId,
  });
}

/** Load the Teams settings the way start-up does, start the adapter with them, deliver one message. */
async function deliverWith(variables: Record<string, string>): Promise<string | undefined> {
  const teams = loadEnv({ BOT_BACKEND: 'demo', ...variables }, noFiles).teams!;
  harness = await startTeamsHarness({ env: teams });
  await harness.adapter.checkReady!();
  await harness.adapter.deliver(addressAt(`${harness.connector.url}/`, teams.appId!), { kind: 'text', text: 'Your order shipped.', buttons: [] }, deliveryContext());
  const send = harness.connector.requests.find((request) => request.method === 'POST');
  return send?.headers.authorization;
}

describe('MicrosoftAppType at start-up', () => {
  it.each([
    [{ MicrosoftAppId: 'a1' }, 'Invalid environment variable MicrosoftAppPassword: required for MicrosoftAppId'],
    [{ MicrosoftAppId: 'a1', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'SingleTenant' }, 'Invalid environment variable MicrosoftAppTenantId: required for MicrosoftAppType=SingleTenant'],
    [{ MicrosoftAppId: 'a1', MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: tenantId, MicrosoftAppPassword: 'pw' }, 'Invalid environment variable MicrosoftAppPassword: must be empty for MicrosoftAppType=UserAssignedMSI'],
    [{ MicrosoftAppId: 'a1', MicrosoftAppType: 'UserAssignedMSI' }, 'Invalid environment variable MicrosoftAppTenantId: required for MicrosoftAppType=UserAssignedMSI'],
    [{ MicrosoftAppType: 'SingleTenant', MicrosoftAppPassword: 'pw', MicrosoftAppTenantId: tenantId }, 'Invalid environment variable MicrosoftAppId: required for MicrosoftAppType=SingleTenant'],
    [{ MicrosoftAppPassword: 'pw' }, 'Invalid environment variable MicrosoftAppId: required with MicrosoftAppPassword'],
    [{ MicrosoftAppId: 'a1', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'ManagedIdentity' }, 'Invalid environment variable MicrosoftAppType: must be MultiTenant, SingleTenant or UserAssignedMSI'],
  ])('stops start-up for %j with one line naming the variable', (variables, message) => {
    const error = (() => {
      try {
        loadEnv(variables, noFiles);
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain(message);
    expect(error?.message).not.toContain('\n');
    expect(error?.message).not.toContain('pw');
  });

  it('accepts each identity (app type in any case), MultiTenant by default', () => {
    expect(loadEnv({ MicrosoftAppId: 'a1', MicrosoftAppPassword: 'pw' }, noFiles).teams).toMatchObject({ appType: 'MultiTenant' });
    expect(loadEnv({ MicrosoftAppId: 'a1', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'singletenant', MicrosoftAppTenantId: tenantId }, noFiles).teams).toMatchObject({ appType: 'SingleTenant', tenantId });
    expect(loadEnv({ MicrosoftAppId: 'a1', MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: tenantId }, noFiles).teams).toMatchObject({ appType: 'UserAssignedMSI', appPassword: undefined });
    expect(loadEnv({}, noFiles).teams).toMatchObject({ appId: undefined, appType: undefined });
  });
});

describe('connector tokens per identity', () => {
  it('MultiTenant: a client-credentials token from the botframework.com tenant', async () => {
    const appId = '0f6b3a2c-9d41-4e7a-8b25-000000000101';
    expect(await deliverWith({ MicrosoftAppId: appId, MicrosoftAppPassword: 'multi-secret' })).toBe(`Bearer ${identity.connectorToken}`);
    const requests = identity.tokenRequests.filter((request) => request.form.get('client_id') === appId);
    expect(requests.map((request) => request.path)).toEqual(requests.map(() => '/botframework.com/oauth2/v2.0/token'));
    expect(Object.fromEntries(requests[0]!.form)).toMatchObject({ grant_type: 'client_credentials', scope: 'https://api.botframework.com/.default', client_secret: 'multi-secret' });
  });

  it('SingleTenant: a client-credentials token from the tenant\'s own endpoint', async () => {
    const appId = '0f6b3a2c-9d41-4e7a-8b25-000000000102';
    expect(await deliverWith({ MicrosoftAppId: appId, MicrosoftAppPassword: 'single-secret', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: tenantId })).toBe(`Bearer ${identity.connectorToken}`);
    const requests = identity.tokenRequests.filter((request) => request.form.get('client_id') === appId);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.map((request) => request.path)).toEqual(requests.map(() => `/${tenantId}/oauth2/v2.0/token`));
    expect(Object.fromEntries(requests[0]!.form)).toMatchObject({ grant_type: 'client_credentials', scope: 'https://api.botframework.com/.default', client_secret: 'single-secret' });
  });

  it('UserAssignedMSI: a token for the identity from IMDS, no secret sent anywhere', async () => {
    for (const variable of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_FEDERATED_TOKEN_FILE', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET', 'AZURE_POD_IDENTITY_AUTHORITY_HOST']) {
      vi.stubEnv(variable, '');
    }
    const appId = '5f2d6c1e-8a4b-4c3d-9e7f-000000000103';
    const before = identity.tokenRequests.length;
    expect(await deliverWith({ MicrosoftAppId: appId, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: tenantId })).toBe(`Bearer ${msiToken}`);
    const tokenCalls = imdsRequests.filter((request) => request.metadata === 'true');
    expect(tokenCalls.length).toBeGreaterThan(0);
    expect(Object.fromEntries(tokenCalls[0]!.query)).toMatchObject({ client_id: appId, resource: 'https://api.botframework.com' });
    expect(identity.tokenRequests.length).toBe(before);
  });
});
