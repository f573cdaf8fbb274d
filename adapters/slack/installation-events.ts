/**
 * The end of an installation: `app_uninstalled`, and `tokens_revoked` naming bot tokens, remove the
 * workspace's installation (the org's, for an org-wide install) from the store and from the token
 * cache, so that workspace's later events are ignored and its deliveries fail as final. Bolt runs
 * these two listeners without authorize, since the token is already gone.
 */
import type { App, Context } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../../src/core/logger.js';
import type { Metrics } from '../../src/core/metrics.js';
import { ignored } from './inbound-handlers.js';
import type { InstallationLookup, StoredInstallations } from './installation-store.js';
import type { SlackTokens } from './slack-tokens.js';

/** What the listeners need. */
export interface InstallationEventDeps {
  installations: Pick<StoredInstallations, 'remove'>;
  tokens: Pick<SlackTokens, 'forget'>;
  logger: Logger;
  metrics: Metrics;
}

const tokensRevokedSchema = z.object({ tokens: z.object({ bot: z.array(z.string()).optional(), oauth: z.array(z.string()).optional() }) });

/** Register the app_uninstalled and tokens_revoked listeners. */
export function registerInstallationEvents(app: App, deps: InstallationEventDeps): void {
  app.event('app_uninstalled', ({ context, body }) => remove(deps, lookupOf(context), { reason: 'app_uninstalled', eventId: body.event_id }));
  app.event('tokens_revoked', ({ event, context, body }) => {
    const parsed = tokensRevokedSchema.safeParse(event);
    // The bridge only uses bot tokens: revoked user tokens leave the installation working.
    if (!parsed.success || (parsed.data.tokens.bot ?? []).length === 0) return Promise.resolve(ignored(deps, 'tokens_revoked without bot tokens', body.event_id));
    return remove(deps, lookupOf(context), { reason: 'tokens_revoked', eventId: body.event_id });
  });
}

function lookupOf(context: Context): InstallationLookup {
  const lookup: InstallationLookup = { isEnterpriseInstall: context.isEnterpriseInstall === true };
  if (context.teamId) lookup.teamId = context.teamId;
  if (context.enterpriseId) lookup.enterpriseId = context.enterpriseId;
  return lookup;
}

async function remove(deps: InstallationEventDeps, lookup: InstallationLookup, event: { reason: string; eventId: string | undefined }): Promise<void> {
  const removed = await deps.installations.remove(lookup);
  deps.tokens.forget(lookup);
  deps.metrics.eventsIn.inc({ platform: 'slack', type: event.reason });
  const where = { requestId: event.eventId, teamId: lookup.teamId, enterpriseId: lookup.enterpriseId, isEnterpriseInstall: lookup.isEnterpriseInstall };
  if (removed) deps.logger.info({ ...where, reason: event.reason }, 'Slack installation removed');
  else deps.logger.info({ ...where, reason: event.reason }, 'Slack installation already gone');
}
