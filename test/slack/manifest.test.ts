/**
 * The Slack app manifest matches what the adapter does: one Request URL (the adapter's route) for
 * events, interactivity and /resolve; the bot events it listens to; the scopes its Web API calls
 * need; the Messages tab on. The distributed manifest is the same plus what multi-workspace
 * installs need, and its scopes are the ones Bolt's OAuth installer asks for.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { slackEventsPath, slackOAuthRedirectPath } from '../../adapters/slack/bolt-app.js';
import { slackBotScopes } from '../../adapters/slack/oauth-scopes.js';

const manifest = parse(readFileSync(new URL('../../manifests/slack/manifest.yaml', import.meta.url), 'utf8'));

describe('manifests/slack/manifest.yaml', () => {
  it('sends events, interactivity and /resolve to the adapter route', () => {
    const urls = [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, ...manifest.features.slash_commands.map((command: { url: string }) => command.url)];
    for (const url of urls) expect(new URL(url).pathname).toBe(slackEventsPath);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.slash_commands.map((command: { command: string }) => command.command)).toEqual(['/resolve']);
  });

  it('subscribes to exactly the events the adapter handles', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(['app_home_opened', 'app_mention', 'message.channels', 'message.groups', 'message.im']);
  });

  it('asks for the scopes the adapter uses and no others', () => {
    const used = {
      'app_mention events': 'app_mentions:read',
      'message.channels': 'channels:history',
      'message.groups': 'groups:history',
      'message.im': 'im:history',
      'chat.postMessage, chat.update, chat.postEphemeral': 'chat:write',
      'username/icon_url for agents': 'chat:write.customize',
      'users.info, users.getPresence': 'users:read',
      'users.info email': 'users:read.email',
      'conversations.members (public desk)': 'channels:read',
      'conversations.members (private desk)': 'groups:read',
      '/resolve': 'commands',
    };
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...new Set(Object.values(used))].sort());
  });

  it('enables the Messages tab', () => {
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_read_only_enabled).toBe(false);
  });
});

describe('manifests/slack/manifest-distributed.yaml', () => {
  const distributed = parse(readFileSync(new URL('../../manifests/slack/manifest-distributed.yaml', import.meta.url), 'utf8'));

  it('is manifest.yaml plus the redirect URL, org-wide installs and the uninstall events', () => {
    const { redirect_urls: redirectUrls, ...scopes } = distributed.oauth_config;
    expect(scopes).toEqual(manifest.oauth_config);
    expect(redirectUrls.map((url: string) => new URL(url).pathname)).toEqual([slackOAuthRedirectPath]);
    expect(distributed.settings.event_subscriptions.bot_events).toEqual([...manifest.settings.event_subscriptions.bot_events, 'app_uninstalled', 'tokens_revoked']);
    expect(distributed.settings.org_deploy_enabled).toBe(true);
    const rest = (m: { settings: Record<string, unknown> }) => ({ ...m, oauth_config: undefined, settings: { ...m.settings, event_subscriptions: undefined, org_deploy_enabled: undefined } });
    expect(rest(distributed)).toEqual(rest(manifest));
  });

  it('asks for the scopes the OAuth installer requests', () => {
    expect([...distributed.oauth_config.scopes.bot].sort()).toEqual([...slackBotScopes].sort());
  });
});
