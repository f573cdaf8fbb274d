import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../src/config/bridge-config.js';
import { loadEnv } from '../../src/config/env.js';

const noFiles = () => false;
const ultimate = { BOT_BACKEND: 'ultimate', ULTIMATE_API_KEY: 'key', ULTIMATE_BOT_ID: 'bot', WEBHOOK_TOKEN: 'secret' };

describe('loadEnv', () => {
  it('starts the demo bot with Teams (auth off) and SQLite when nothing is set', () => {
    const env = loadEnv({}, noFiles);
    expect(env).toMatchObject({
      port: 3000,
      botBackend: 'demo',
      storeUrl: 'sqlite:./data/bridge.db',
      teams: { graphApiUrl: 'https://graph.microsoft.com/v1.0' },
      ultimate: { apiUrl: 'https://api.ultimate.ai' },
      logLevel: 'info',
    });
    expect(env.slack).toBeUndefined();
    expect(env.bridgeConfigPath).toBeUndefined();
  });

  it('picks ultimate when its key is set, and then requires the bot id and the webhook token', () => {
    expect(() => loadEnv({ ULTIMATE_API_KEY: 'key' }, noFiles)).toThrow('Invalid environment variable ULTIMATE_BOT_ID: required for BOT_BACKEND=ultimate');
    expect(() => loadEnv({ ULTIMATE_API_KEY: 'key', ULTIMATE_BOT_ID: 'bot' }, noFiles)).toThrow(
      'Invalid environment variable WEBHOOK_TOKEN: required for BOT_BACKEND=ultimate',
    );
    const env = loadEnv({ ULTIMATE_API_KEY: 'key', ULTIMATE_BOT_ID: 'bot', WEBHOOK_TOKEN: 'secret' }, noFiles);
    expect(env.botBackend).toBe('ultimate');
    expect(env.teams).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'Invalid environment variable PORT: must be a port number (0-65535)'],
    [{ PORT: '70000' }, 'Invalid environment variable PORT'],
    [{ BOT_BACKEND: 'watson' }, 'Invalid environment variable BOT_BACKEND'],
    [{ ULTIMATE_API_URL: 'ftp://x' }, 'Invalid environment variable ULTIMATE_API_URL: must be an http(s) URL'],
    [{ STORE_URL: 'mongo://x' }, 'Invalid environment variable STORE_URL: must be memory:, sqlite:PATH or redis://...'],
    [{ SLACK_BOT_TOKEN: 'xoxp-user' }, 'Invalid environment variable SLACK_BOT_TOKEN: must be a bot token starting with xoxb-'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'Invalid environment variable SLACK_SIGNING_SECRET: required for the Slack adapter'],
    [{ SLACK_APP_TOKEN: 'xoxb-1' }, 'Invalid environment variable SLACK_APP_TOKEN: must be an app-level token starting with xapp-'],
    [{ MicrosoftAppId: 'app' }, 'Invalid environment variable MicrosoftAppPassword: required for MicrosoftAppId'],
    [{ MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'SingleTenant' }, 'Invalid environment variable MicrosoftAppTenantId'],
    [{ LOG_LEVEL: 'loud' }, 'Invalid environment variable LOG_LEVEL'],
    [{ TEAMS_ENABLED: 'maybe' }, 'Invalid environment variable TEAMS_ENABLED: must be true or false'],
    [{ BOT_BACKEND: 'csml', WEBHOOK_TOKEN: 't' }, 'Invalid environment variable CSML_API_KEY: required for BOT_BACKEND=csml'],
    [{ BOT_BACKEND: 'csml', CSML_API_KEY: 'k' }, 'Invalid environment variable WEBHOOK_TOKEN: required for BOT_BACKEND=csml'],
    [{ ...ultimate, TEAMS_ENABLED: 'true' }, 'Invalid environment variable MicrosoftAppId: required for Teams with BOT_BACKEND=ultimate'],
    [{ ...ultimate, TEAMS_ENABLED: 'true', TEAMS_ALLOW_UNAUTHENTICATED: 'false' }, 'Invalid environment variable MicrosoftAppId'],
    [{ BOT_BACKEND: 'csml', CSML_API_KEY: 'k', WEBHOOK_TOKEN: 't', TEAMS_ENABLED: 'true' }, 'Invalid environment variable MicrosoftAppId'],
    [{ TEAMS_ALLOW_UNAUTHENTICATED: 'sure' }, 'Invalid environment variable TEAMS_ALLOW_UNAUTHENTICATED: must be true or false'],
    [{ BOT_RETRY_MINUTES: '0' }, 'Invalid environment variable BOT_RETRY_MINUTES: must be a positive number of minutes'],
    [{ BOT_RETRY_MINUTES: '-5' }, 'Invalid environment variable BOT_RETRY_MINUTES'],
    [{ BOT_RETRY_MINUTES: 'ten' }, 'Invalid environment variable BOT_RETRY_MINUTES'],
  ])('rejects %j with one line naming the variable', (source, message) => {
    expect(() => loadEnv(source, noFiles)).toThrow(message);
    expect(() => loadEnv(source, noFiles)).toThrow(/^[^\n]+$/);
  });

  it('accepts Teams with auth off only with the demo bot or TEAMS_ALLOW_UNAUTHENTICATED=true', () => {
    expect(loadEnv({ BOT_BACKEND: 'demo', TEAMS_ENABLED: 'true' }, noFiles).teams).toBeDefined();
    expect(loadEnv({ ...ultimate, TEAMS_ENABLED: 'true', TEAMS_ALLOW_UNAUTHENTICATED: 'true' }, noFiles).teams?.appId).toBeUndefined();
    expect(loadEnv({ ...ultimate, TEAMS_ENABLED: 'true', MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw' }, noFiles).teams?.appId).toBe('app');
  });

  it('reads BOT_RETRY_MINUTES, 10 by default, fractions allowed', () => {
    expect(loadEnv({}, noFiles).botRetryMinutes).toBe(10);
    expect(loadEnv({ BOT_RETRY_MINUTES: '2.5' }, noFiles).botRetryMinutes).toBe(2.5);
  });

  it('enables Slack with both secrets and normalises the API URL', () => {
    const env = loadEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:9/api' }, noFiles);
    expect(env.slack).toEqual({ botToken: 'xoxb-1', signingSecret: 's', appToken: undefined, apiUrl: 'http://127.0.0.1:9/api/' });
  });

  it('reads ./bridge.yaml when present and BRIDGE_CONFIG is not set', () => {
    expect(loadEnv({}, (path) => path === './bridge.yaml').bridgeConfigPath).toBe('./bridge.yaml');
    expect(loadEnv({ BRIDGE_CONFIG: '/etc/bridge.yaml' }, noFiles).bridgeConfigPath).toBe('/etc/bridge.yaml');
  });
});

const slackDesk = { id: 'd', platform: 'slack', channel: 'C1' };

describe('parseBridgeConfig', () => {
  it('accepts the documented example with every key', () => {
    const config = parseBridgeConfig(parse(readFileSync('bridge.example.yaml', 'utf8')));
    expect(config.desks.map((desk) => desk.id)).toEqual(['it-helpdesk', 'hr']);
    expect(config.actions.map((action) => action.type)).toEqual(['http', 'requester-profile']);
    expect(config.desks[0]).toMatchObject({ assign: 'manual', firstResponseMinutes: 10, csat: true });
  });

  it('accepts the example with its commented desk keys switched on', () => {
    const text = readFileSync('bridge.example.yaml', 'utf8')
      .replace('# slaMention:', 'slaMention:')
      .replace('# onResolve:', 'onResolve:')
      .replace(/# - name: fileTicket\n\s*#   type: http\n\s*#   url: (\S+)/, '- name: fileTicket\n    type: http\n    url: $1');
    const config = parseBridgeConfig(parse(text));
    expect(config.desks[0]).toMatchObject({ slaMention: '<!subteam^S0123ABCD>', onResolve: 'fileTicket' });
    expect(config.actions.map((action) => action.name)).toContain('fileTicket');
  });

  it('fills defaults', () => {
    const config = parseBridgeConfig({ desks: [{ id: 'd', platform: 'slack', channel: 'C1' }] });
    expect(config.desks[0]).toEqual({
      id: 'd',
      platform: 'slack',
      channel: 'C1',
      transcriptTurns: 20,
      remindAfterMinutes: 5,
      timeoutMinutes: 30,
      assign: 'manual',
      csat: true,
    });
  });

  it('reads the CSML options, defaulting to synchronous replies', () => {
    expect(parseBridgeConfig({}).csml).toEqual({ repliesByCallback: false });
    expect(parseBridgeConfig({ csml: { welcomeFlowId: 'welcome', repliesByCallback: true } }).csml).toEqual({ welcomeFlowId: 'welcome', repliesByCallback: true });
  });

  it.each([
    [{ csml: { repliesByCallback: 'yes' } }, 'at csml.repliesByCallback'],
    [{ desks: [{ id: 'd', platform: 'irc', channel: 'C1' }] }, 'at desks.0.platform'],
    [{ desks: [{ id: 'd', platform: 'teams', channel: '19:x' }] }, 'at desks.0.team: a Teams desk needs team'],
    [{ desks: [{ id: 'd', platform: 'slack', channel: 'C1', hours: { timezone: 'Mars/Base', from: '08:00', to: '18:00' } }] }, 'at desks.0.hours.timezone: must be an IANA time zone'],
    [{ desks: [{ id: 'd', platform: 'slack', channel: 'C1', hours: { timezone: 'UTC', from: '8am', to: '18:00' } }] }, 'at desks.0.hours.from: must be HH:MM'],
    [{ defaultDesk: 'nope', desks: [] }, 'at defaultDesk: names no desk in desks ("nope")'],
    [{ desks: [{ id: 'd', platform: 'slack', channel: 'C1' }, { id: 'd', platform: 'slack', channel: 'C2' }] }, 'at desks.1.id: duplicate desk id "d"'],
    [{ actions: [{ name: 'a', type: 'http', url: 'not a url' }] }, 'at actions.0.url'],
    [{ actions: [{ name: 'a', type: 'shell' }] }, 'at actions.0.type'],
    [{ deks: [] }, 'at deks: Unrecognized key'],
    [{ desks: [slackDesk, { ...slackDesk, id: 'e', asign: 'manual' }] }, 'at desks.1.asign: Unrecognized key'],
    [{ desks: [slackDesk, { ...slackDesk, id: 'e', assign: 'random' }] }, 'at desks.1.assign: Invalid option'],
    [{ desks: [{ ...slackDesk, firstResponseMinutes: 0 }] }, 'at desks.0.firstResponseMinutes'],
    [{ desks: [{ ...slackDesk, firstResponseMinutes: -1 }] }, 'at desks.0.firstResponseMinutes'],
    [{ desks: [{ ...slackDesk, firstResponseMinutes: '10' }] }, 'at desks.0.firstResponseMinutes'],
    [{ desks: [{ ...slackDesk, slaMention: '<!subteam^S1>' }] }, 'at desks.0.slaMention: slaMention needs firstResponseMinutes'],
    [{ desks: [{ ...slackDesk, csat: 'yes' }] }, 'at desks.0.csat'],
    [{ desks: [slackDesk, { ...slackDesk, id: 'e', onResolve: 'fileTicket' }] }, 'at desks.1.onResolve: names no action in actions ("fileTicket")'],
  ])('rejects %j naming the YAML path in one line', (document, message) => {
    expect(() => parseBridgeConfig(document)).toThrow(message);
    expect(() => parseBridgeConfig(document)).toThrow(/^Invalid bridge\.yaml at [\w.()\s]+: [^\n]+$/);
  });

  it('reads the desk keys of the helpdesk: assign, firstResponseMinutes, slaMention, csat, onResolve', () => {
    const config = parseBridgeConfig({
      desks: [{ ...slackDesk, assign: 'round-robin', firstResponseMinutes: 2.5, slaMention: '<!subteam^S0123>', csat: false, onResolve: 'fileTicket' }],
      actions: [{ name: 'fileTicket', type: 'http', url: 'https://crm.example.com/tickets' }],
    });
    expect(config.desks[0]).toMatchObject({ assign: 'round-robin', firstResponseMinutes: 2.5, slaMention: '<!subteam^S0123>', csat: false, onResolve: 'fileTicket' });
  });
});
