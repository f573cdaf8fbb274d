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

/** The event's context; undefined when its workspace has no installation (Bolt acks and the bridge ignores those). */
export async function authorizeEvent(body: Record<string, unknown>, authority: EventAuthority): Promise<ClassifyContext | undefined> {
  const source = eventSource(body);
  try {
    if (authority.kind === 'token') {
      const { userId, teamId } = await authority.identity.get();
      return withEnterprise({ teamId, botUserId: userId }, source.enterpriseId);
    }
    const team = source.teamId ?? source.enterpriseId ?? '';
    const auth = await authority.tokens.authFor(source.enterpriseId ? { team, enterprise: source.enterpriseId } : { team });
    return withEnterprise({ teamId: team, botUserId: auth.botUserId ?? '' }, source.enterpriseId);
  } catch (error) {
    if (error instanceof DeliveryError && error.platformCode === 'not_installed') return undefined;
    throw new EventAuthorizationError(error);
  }
}

/** The team and org of an Events API body, as Bolt's `buildSource` reads them. */
export function eventSource(body: Record<string, unknown>): { teamId?: string; enterpriseId?: string } {
  const first = Array.isArray(body.authorizations) ? (body.authorizations[0] as Record<string, unknown> | undefined) : undefined;
  if (first) {
    const teamId = first.team_id !== null ? first.team_id : body.team_id;
    return { teamId: stringOrUndefined(teamId), enterpriseId: stringOrUndefined(first.enterprise_id) };
  }
  return { teamId: stringOrUndefined(body.team_id), enterpriseId: stringOrUndefined(body.enterprise_id) };
}

function withEnterprise(context: ClassifyContext, enterpriseId: string | undefined): ClassifyContext {
  return enterpriseId ? { ...context, enterpriseId } : context;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
