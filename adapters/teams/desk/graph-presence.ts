/**
 * Desk members' presence from Microsoft Graph: `POST /communications/getPresencesByUserId`
 * (application permission Presence.Read.All) with an app token from the client-credentials flow,
 * cached per tenant until shortly before it expires. Every call has a timeout; errors name the
 * status and Azure AD's error code, never the secret or the request.
 */
import axios, { type AxiosInstance } from 'axios';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { teamsLimits } from '../limits.js';

/** Graph availabilities that count as someone being there. */
export const presentAvailabilities: ReadonlySet<string> = new Set(['Available', 'AvailableIdle', 'Busy', 'BusyIdle']);

/** Where and as whom to ask. */
export interface GraphPresenceOptions {
  graphApiUrl: string;
  appId?: string;
  appPassword?: string;
  /** Tenant of the token when the desk's own tenant is not known (the app's tenant). */
  tenantId?: string;
  /** Azure AD authority host. */
  loginUrl?: string;
  now?: () => number;
}

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });
const presencesSchema = z.object({ value: z.array(z.looseObject({ id: z.string(), availability: z.string().optional() })) });

/** Reads presence of Azure AD users. */
export class GraphPresence {
  private readonly http: AxiosInstance;
  private readonly tokens = new LRUCache<string, { token: string; expiresAt: number }>({ max: 100 });
  private readonly now: () => number;

  constructor(private readonly options: GraphPresenceOptions) {
    this.http = axios.create({ timeout: teamsLimits.graphTimeoutMs, validateStatus: () => true });
    this.now = options.now ?? Date.now;
  }

  /** How many of these users are present (Available, AvailableIdle, Busy, BusyIdle). */
  async countPresent(userIds: string[], tenantId?: string): Promise<number> {
    if (userIds.length === 0) return 0;
    const token = await this.token(tenantId ?? this.options.tenantId);
    let present = 0;
    for (let start = 0; start < userIds.length; start += teamsLimits.presenceIdsPerRequest) {
      const ids = userIds.slice(start, start + teamsLimits.presenceIdsPerRequest);
      const response = await this.post('Graph getPresencesByUserId', `${this.options.graphApiUrl}/communications/getPresencesByUserId`, { ids }, { authorization: `Bearer ${token}` });
      if (response.status !== 200) throw new Error(`Graph getPresencesByUserId answered HTTP ${response.status}${graphErrorCode(response.data)}`);
      const parsed = presencesSchema.safeParse(response.data);
      if (!parsed.success) throw new Error('Graph getPresencesByUserId answered without a presence list');
      present += parsed.data.value.filter((presence) => presentAvailabilities.has(presence.availability ?? '')).length;
    }
    return present;
  }

  private async token(tenantId: string | undefined): Promise<string> {
    const { appId, appPassword } = this.options;
    if (!appId || !appPassword || !tenantId) {
      throw new Error('Teams presence needs MicrosoftAppId, MicrosoftAppPassword and a tenant (MicrosoftAppTenantId or the desk team\'s) to call Microsoft Graph');
    }
    const cached = this.tokens.get(tenantId);
    if (cached && cached.expiresAt - teamsLimits.tokenRenewMarginMs > this.now()) return cached.token;
    const form = new URLSearchParams({ client_id: appId, client_secret: appPassword, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' });
    const loginUrl = this.options.loginUrl ?? 'https://login.microsoftonline.com';
    const response = await this.post('Graph token request', `${loginUrl}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    if (response.status !== 200) throw new Error(`Graph token request answered HTTP ${response.status}${tokenErrorCode(response.data)}`);
    const parsed = tokenSchema.safeParse(response.data);
    if (!parsed.success) throw new Error('Graph token request answered without an access token');
    this.tokens.set(tenantId, { token: parsed.data.access_token, expiresAt: this.now() + parsed.data.expires_in * 1000 });
    return parsed.data.access_token;
  }

  /**
   * POST with a timeout. A failure before an answer is rethrown as a plain error with its code:
   * axios errors carry the request (the client secret, the token) and must not reach a log.
   */
  private async post(what: string, url: string, body: unknown, headers: Record<string, string>) {
    try {
      return await this.http.post(url, body, { headers });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new Error(`${what} failed: ${typeof code === 'string' ? code : 'no answer'}`);
    }
  }
}

function tokenErrorCode(body: unknown): string {
  const code = (body as { error?: unknown } | undefined)?.error;
  return typeof code === 'string' ? ` (${code})` : '';
}

function graphErrorCode(body: unknown): string {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}
