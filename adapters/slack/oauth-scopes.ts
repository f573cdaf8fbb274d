/**
 * The bot scopes the bridge asks for when a workspace installs it through /slack/install; the
 * same list as `oauth_config.scopes.bot` in manifests/slack/manifest.yaml (a test compares them).
 */

/** Bot token scopes, as in the manifest. */
export const slackBotScopes: readonly string[] = [
  'app_mentions:read',
  'channels:history',
  'groups:history',
  'im:history',
  'chat:write',
  'chat:write.customize',
  'users:read',
  'users:read.email',
  'channels:read',
  'groups:read',
  'commands',
];
