/**
 * The Slack app manifest matches what the adapter does: one Request URL (the adapter's route) for
 * events, interactivity and /resolve; the bot events it listens to; the scopes its Web API calls
 * need; the Messages tab on.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { slackEventsPath } from '../../adapters/slack/bolt-app.js';

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
