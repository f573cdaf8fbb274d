/**
 * Who the bridge is for an Events API event taken on the lean path (request-guard.ts), the same
 * answer Bolt's authorize gives its listeners: the event's workspace by Bolt's rules (the first
 * authorization's team, else the body's `team_id`; the org likewise) and the bot user of the token
 * that serves it. With one workspace that is auth.test's identity (memoised), whose team Bolt puts
 * in the context; with several, the workspace's installation through `SlackTokens` (cached).
 */
import { DeliveryError } from '../../src/core/errors.js';
import type { BotIdentitySource } from './bot-identity.js';
import type { ClassifyContext } from './inbound-classify.js';
import type { SlackTokens } from './slack-tokens.js';

/** How events are authorised: the one token's identity, or each workspace's installation. */
export type EventAuthority = { kind: 'token'; identity: BotIdentitySource } | { kind: 'installations'; tokens: SlackTokens };

/** Authorising failed for another reason than a missing installation: the store or Slack did not answer (503, Slack retries). */
export class EventAuthorizationError extends Error {
  constructor(cause: unknown) {
    super('could not authorise the Slack event', { cause });
    this.name = 'EventAuthorizationError';
  }
}

/** Who the bridge is for an event: the classifier's context, and the bot id Bolt's `ignoreSelf` compares. */
export interface EventAuthorization {
  context: ClassifyContext;
  botId?: string;
}

/**
 * The event's authorization; undefined when its workspace has no installation (Bolt acks those
 * and the bridge ignores them). An org-wide install's event (`is_enterprise_install`) is served by
 * the org's installation, as Bolt looks it up; installations are cached for a minute (SlackTokens).
 */
export async function authorizeEvent(body: Record<string, unknown>, authority: EventAuthority): Promise<EventAuthorization | undefined> {
  const source = eventSource(body);
  try {
    if (authority.kind === 'token') {
      const { userId, botId, teamId } = await authority.identity.get();
      return { context: withEnterprise({ teamId, botUserId: userId }, source.enterpriseId), botId };
    }
    const team = source.teamId ?? source.enterpriseId ?? '';
    const enterprise = source.enterpriseId;
    // An org-wide install is stored under the org (Bolt asks for it alone); a workspace's under its team.
    const auth = await authority.tokens.authFor(enterprise ? { team: source.isEnterpriseInstall ? enterprise : team, enterprise } : { team });
    return { context: withEnterprise({ teamId: team, botUserId: auth.botUserId ?? '' }, enterprise), ...(auth.botId ? { botId: auth.botId } : {}) };
  } catch (error) {
    if (error instanceof DeliveryError && error.platformCode === 'not_installed') return undefined;
    throw new EventAuthorizationError(error);
  }
}

/** The team and org of an Events API body and whether an org-wide install serves it, as Bolt's `buildSource` reads them. */
export function eventSource(body: Record<string, unknown>): { teamId?: string; enterpriseId?: string; isEnterpriseInstall: boolean } {
  const first = Array.isArray(body.authorizations) ? (body.authorizations[0] as Record<string, unknown> | undefined) : undefined;
  if (first) {
    const teamId = first.team_id !== null ? first.team_id : body.team_id;
    return { teamId: stringOrUndefined(teamId), enterpriseId: stringOrUndefined(first.enterprise_id), isEnterpriseInstall: first.is_enterprise_install === true };
  }
  return { teamId: stringOrUndefined(body.team_id), enterpriseId: stringOrUndefined(body.enterprise_id), isEnterpriseInstall: body.is_enterprise_install === true };
}

/**
 * Bolt's `ignoreSelf`: the app's own bot messages, and events by its own bot user, never reach a
 * listener (Slack sends the bridge's own replies back as message events in DMs).
 */
export function isOwnEvent(event: Record<string, unknown>, { context, botId }: EventAuthorization): boolean {
  if (event.type === 'message' && event.subtype === 'bot_message' && botId !== undefined && event.bot_id === botId) return true;
  return context.botUserId !== '' && event.user === context.botUserId;
}

function withEnterprise(context: ClassifyContext, enterpriseId: string | undefined): ClassifyContext {
  return enterpriseId ? { ...context, enterpriseId } : context;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
