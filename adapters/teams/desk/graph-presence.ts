/**
 * Desk members' presence from Microsoft Graph: `POST /communications/getPresencesByUserId`
 * (application permission Presence.Read.All) with an app token from the client-credentials flow,
 * cached per tenant until shortly before it expires. Ids go in batches of up to 650 per request;
 * a 429 pauses the tenant for its Retry-After and keeps what was read. Every call has a timeout;
 * errors name the status and Azure AD's error code, never the secret or the request.
 */
import axios, { type AxiosInstance } from 'axios';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { parseRetryAfterMs } from '../../../src/core/retry-after.js';
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

/** The pause after a 429 without a usable Retry-After. */
export const defaultGraphPauseMs = 60_000;

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });
const presencesSchema = z.object({ value: z.array(z.looseObject({ id: z.string(), availability: z.string().optional() })) });

/** Reads presence of Azure AD users. */
export class GraphPresence {
  private readonly http: AxiosInstance;
  private readonly tokens = new LRUCache<string, { token: string; expiresAt: number }>({ max: 100 });
  /** Per tenant: no presence request before this time (a 429's Retry-After). */
  private readonly pausedUntil = new LRUCache<string, number>({ max: 100 });
  private readonly now: () => number;

  constructor(private readonly options: GraphPresenceOptions) {
    this.http = axios.create({ timeout: teamsLimits.graphTimeoutMs, validateStatus: () => true });
    this.now = options.now ?? Date.now;
  }

  /**
   * Read these users' presence in batches of 650 (Graph's maximum per request), reporting each
   * user Graph answered for. A 429 ends the read without an error: the users not reported keep
   * their last known value, and no request goes to that tenant until its Retry-After has passed.
   */
  async read(userIds: readonly string[], onReading: (userId: string, present: boolean) => void, tenantId?: string): Promise<void> {
    if (userIds.length === 0) return;
    // '' (no tenant known) makes token() throw its error naming what is missing.
    const tenant = tenantId ?? this.options.tenantId ?? '';
    if ((this.pausedUntil.get(tenant) ?? 0) > this.now()) return;
    const token = await this.token(tenant);
    for (let start = 0; start < userIds.length; start += teamsLimits.presenceIdsPerRequest) {
      const ids = userIds.slice(start, start + teamsLimits.presenceIdsPerRequest);
      const response = await this.post('Graph getPresencesByUserId', `${this.options.graphApiUrl}/communications/getPresencesByUserId`, { ids }, { authorization: `Bearer ${token}` });
      if (response.status === 429) {
        const now = this.now();
        this.pausedUntil.set(tenant, now + (parseRetryAfterMs(response.headers['retry-after'], now) ?? defaultGraphPauseMs));
        return;
      }
      if (response.status !== 200) throw new Error(`Graph getPresencesByUserId answered HTTP ${response.status}${graphErrorCode(response.data)}`);
      const parsed = presencesSchema.safeParse(response.data);
      if (!parsed.success) throw new Error('Graph getPresencesByUserId answered without a presence list');
      // Object ids are GUIDs, which Graph may answer in another letter case than the roster's.
      const asked = new Map(ids.map((id) => [id.toLowerCase(), id]));
      for (const presence of parsed.data.value) {
        const userId = asked.get(presence.id.toLowerCase());
        if (userId !== undefined) onReading(userId, presentAvailabilities.has(presence.availability ?? ''));
      }
    }
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
