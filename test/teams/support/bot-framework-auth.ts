/**
 * A stand-in for Microsoft's identity side of the Bot Framework, as msw handlers: the channel's
 * OpenID metadata and signing keys (login.botframework.com), which botbuilder reads to verify
 * inbound JWTs, and Azure AD's token endpoint (login.microsoftonline.com), where the bridge gets
 * its connector tokens. Tokens are signed with a key made per test file, with the claims the
 * Bot Framework puts in a channel's token (issuer api.botframework.com, audience = app id, the
 * activity's `serviceurl`) and the `msteams` endorsement on the key, as botbuilder checks them.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { http, HttpResponse, type RequestHandler } from 'msw';

const openIdUrl = 'https://login.botframework.com/v1/.well-known/openidconfiguration';
const keysUrl = 'https://login.botframework.com/v1/.well-known/keys';

/** The identity stand-in: handlers for msw, a token signer, and what was asked of Azure AD. */
export interface BotFrameworkIdentity {
  handlers: RequestHandler[];
  /** `Bearer …` for an activity sent by the Teams channel through `serviceUrl` to the bot `appId`. */
  channelAuthorization(appId: string, serviceUrl: string): string;
  /** Paths of Azure AD token requests (`/<tenant>/oauth2/v2.0/token`), in order. */
  tokenRequests: Array<{ path: string; form: URLSearchParams }>;
  /** The connector token Azure AD hands out. */
  connectorToken: string;
}

/** Create the stand-in with a fresh signing key. */
export function botFrameworkIdentity(): BotFrameworkIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = 'channel-bridge-test-key';
  const tokenRequests: BotFrameworkIdentity['tokenRequests'] = [];
  const connectorToken = 'connector-token-from-azure-ad';
  const handlers = [
    http.get(openIdUrl, () =>
      HttpResponse.json({ issuer: 'https://api.botframework.com', jwks_uri: keysUrl, id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['private_key_jwt'] }),
    ),
    http.get(keysUrl, () => HttpResponse.json({ keys: [{ kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] })),
    // MSAL discovers the tenant's endpoints before its first token request.
    http.get('https://login.microsoftonline.com/:tenant/v2.0/.well-known/openid-configuration', ({ params }) => {
      const base = `https://login.microsoftonline.com/${String(params.tenant)}`;
      return HttpResponse.json({
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        issuer: `https://login.microsoftonline.com/${String(params.tenant)}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      });
    }),
    http.post('https://login.microsoftonline.com/:tenant/oauth2/v2.0/token', async ({ request }) => {
      tokenRequests.push({ path: new URL(request.url).pathname, form: new URLSearchParams(await request.text()) });
      return HttpResponse.json({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: connectorToken });
    }),
  ];
  return {
    handlers,
    tokenRequests,
    connectorToken,
    channelAuthorization(appId, serviceUrl) {
      const nowSeconds = Math.floor(Date.now() / 1000);
      const header = { alg: 'RS256', typ: 'JWT', kid };
      const claims = { iss: 'https://api.botframework.com', aud: appId, serviceurl: serviceUrl, nbf: nowSeconds - 60, iat: nowSeconds - 60, exp: nowSeconds + 3600 };
      const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
      const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');
      return `Bearer ${unsigned}.${signature}`;
    },
  };
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
