/**
 * The hot path's authorisation (adapters/slack/event-authorization.ts) reads the workspace the
 * way Bolt's `buildSource` does and looks the installation up as Bolt's `authorize` would.
 */
import { describe, expect, it } from 'vitest';
import { authorizeEvent, eventSource } from '../../adapters/slack/event-authorization.js';
import type { SlackTokens, SlackWorkspace } from '../../adapters/slack/slack-tokens.js';
import { DeliveryError } from '../../src/core/errors.js';

/** Tokens that record each lookup and answer from a table of workspaces (`enterprise/team`). */
function tokensOf(installed: Record<string, { botUserId: string; botId: string }>): { tokens: SlackTokens; lookups: SlackWorkspace[] } {
  const lookups: SlackWorkspace[] = [];
  const tokens: SlackTokens = {
    async authFor(workspace) {
      lookups.push(workspace);
      const found = installed[`${workspace.enterprise ?? ''}/${workspace.team}`];
      if (!found) throw new DeliveryError('not installed', { retryable: false, platformCode: 'not_installed' });
      return { token: 'xoxb-1', ...found };
    },
    deskWorkspace: async () => ({ team: 'T1' }),
    forget: () => undefined,
  };
  return { tokens, lookups };
}

describe('authorizeEvent', () => {
  it('reads team and org from the first authorization, else from the body, as Bolt does', () => {
    expect(eventSource({ team_id: 'T9', authorizations: [{ team_id: 'T1', enterprise_id: 'E1', is_enterprise_install: false }] })).toEqual({ teamId: 'T1', enterpriseId: 'E1', isEnterpriseInstall: false });
    expect(eventSource({ team_id: 'T9', authorizations: [{ team_id: null, enterprise_id: 'E1', is_enterprise_install: true }] })).toEqual({ teamId: 'T9', enterpriseId: 'E1', isEnterpriseInstall: true });
    expect(eventSource({ team_id: 'T9', enterprise_id: 'E9' })).toEqual({ teamId: 'T9', enterpriseId: 'E9', isEnterpriseInstall: false });
  });

  it("serves an org-wide install's event from the org's installation, keeping the event's workspace in the context", async () => {
    const { tokens, lookups } = tokensOf({ 'E1/E1': { botUserId: 'UORG', botId: 'BORG' }, 'E1/T1': { botUserId: 'UTEAM', botId: 'BTEAM' } });
    const body = { team_id: 'T1', authorizations: [{ team_id: 'T1', enterprise_id: 'E1', is_enterprise_install: true }] };
    expect(await authorizeEvent(body, { kind: 'installations', tokens })).toEqual({ context: { teamId: 'T1', enterpriseId: 'E1', botUserId: 'UORG' }, botId: 'BORG' });
    expect(lookups).toEqual([{ team: 'E1', enterprise: 'E1' }]);
  });

  it('gives no authorization for a workspace without an installation, and an error when the lookup fails', async () => {
    const { tokens } = tokensOf({});
    expect(await authorizeEvent({ team_id: 'T2' }, { kind: 'installations', tokens })).toBeUndefined();
    const failing: SlackTokens = { ...tokens, authFor: () => Promise.reject(new DeliveryError('store down', { retryable: true, platformCode: 'installation_lookup_failed' })) };
    await expect(authorizeEvent({ team_id: 'T2' }, { kind: 'installations', tokens: failing })).rejects.toMatchObject({ name: 'EventAuthorizationError' });
  });
});
