/**
 * Environment variables (DESIGN.md section 1), resolved once at start-up by one zod schema.
 * A bad value stops start-up with one line naming the variable.
 */
import { z } from 'zod';
import { existsSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import { parseSecretsKey } from '../secrets/secret-box.js';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const url = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? fallback : value.trim()))
    .pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }))
    .transform((value) => value.replace(/\/+$/, ''));

/** An http(s) URL without a default, trailing slashes dropped. */
const optionalUrl = optionalText
  .pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional())
  .transform((value) => value?.replace(/\/+$/, ''));

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''], { message: 'must be true or false' })
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : ['true', '1', 'yes'].includes(value)));

/** Bot Framework identities, with botbuilder's spelling (it compares them case-insensitively too). */
const appTypes = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

const envSchema = z.object({
  PORT: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? '3000' : value))
    .refine((value) => /^\d{1,5}$/.test(value) && Number(value) <= 65535, { message: 'must be a port number (0-65535)' })
    .transform(Number),
  BOT_BACKEND: z.enum(['ultimate', 'csml', 'demo']).optional(),
  ULTIMATE_API_URL: url('https://api.ultimate.ai'),
  ULTIMATE_API_KEY: optionalText,
  ULTIMATE_BOT_ID: optionalText,
  WEBHOOK_TOKEN: optionalText,
  CSML_API_URL: url('https://clients.csml.dev/v1/api'),
  CSML_API_KEY: optionalText,
  CSML_API_SECRET: optionalText,
  SLACK_BOT_TOKEN: optionalText.refine((value) => value === undefined || value.startsWith('xoxb-'), {
    message: 'must be a bot token starting with xoxb-',
  }),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.refine((value) => value === undefined || value.startsWith('xapp-'), {
    message: 'must be an app-level token starting with xapp-',
  }),
  SLACK_API_URL: url('https://slack.com/api').transform((value) => `${value}/`),
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText,
  SECRETS_KEY: optionalText.refine((value) => value === undefined || parseSecretsKey(value) !== undefined, {
    message: 'must be 32 bytes: 64 hex characters, or base64 of 32 bytes',
  }),
  PUBLIC_URL: optionalUrl,
  MicrosoftAppId: optionalText,
  MicrosoftAppPassword: optionalText,
  MicrosoftAppType: z
    .string()
    .optional()
    .transform((value) => appTypes.find((type) => type.toLowerCase() === value?.trim().toLowerCase()) ?? (value?.trim() ? value : undefined))
    .pipe(z.enum(appTypes, { message: 'must be MultiTenant, SingleTenant or UserAssignedMSI' }).optional()),
  MicrosoftAppTenantId: optionalText,
  TEAMS_ENABLED: flag,
  TEAMS_ALLOW_UNAUTHENTICATED: flag,
  GRAPH_API_URL: url('https://graph.microsoft.com/v1.0'),
  STORE_URL: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? 'sqlite:./data/bridge.db' : value.trim()))
    .refine((value) => /^(memory:|sqlite:.+|rediss?:\/\/.+)$/.test(value), {
      message: 'must be memory:, sqlite:PATH or redis://...',
    }),
  BRIDGE_CONFIG: optionalText,
  BOT_RETRY_MINUTES: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? '10' : value.trim()))
    .refine((value) => /^\d+(\.\d+)?$/.test(value) && Number(value) > 0 && Number(value) <= 1440, { message: 'must be a positive number of minutes, at most 1440 (a day)' })
    .transform(Number),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent', ''])
    .optional()
    .transform((value) => (value === undefined || value === '' ? 'info' : value)),
}).superRefine(checkTeamsIdentity);

type RawEnv = z.infer<typeof envSchema>;

/**
 * What each `MicrosoftAppType` needs, as botbuilder will assert it (with a stack, later): a
 * client secret for MultiTenant and SingleTenant, the tenant for SingleTenant and
 * UserAssignedMSI, and no secret for a managed identity, whose `MicrosoftAppId` is the
 * identity's client id. An app type or secret without an app id would silently turn auth off.
 */
function checkTeamsIdentity(raw: Pick<RawEnv, 'MicrosoftAppId' | 'MicrosoftAppPassword' | 'MicrosoftAppType' | 'MicrosoftAppTenantId' | 'TEAMS_ENABLED' | 'BOT_BACKEND' | 'ULTIMATE_API_KEY' | 'CSML_API_KEY'>, ctx: z.RefinementCtx): void {
  if (!(raw.TEAMS_ENABLED ?? (Boolean(raw.MicrosoftAppId) || botBackendOf(raw) === 'demo'))) return;
  const issue = (variable: string, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  const type = raw.MicrosoftAppType ?? 'MultiTenant';
  if (!raw.MicrosoftAppId) {
    if (raw.MicrosoftAppType) issue('MicrosoftAppId', `required for MicrosoftAppType=${type}`);
    else if (raw.MicrosoftAppPassword) issue('MicrosoftAppId', 'required with MicrosoftAppPassword (an empty MicrosoftAppId turns Bot Framework auth off)');
    return;
  }
  if (type === 'UserAssignedMSI') {
    if (raw.MicrosoftAppPassword) issue('MicrosoftAppPassword', 'must be empty for MicrosoftAppType=UserAssignedMSI (a managed identity has no secret)');
    else if (!raw.MicrosoftAppTenantId) issue('MicrosoftAppTenantId', 'required for MicrosoftAppType=UserAssignedMSI');
    return;
  }
  if (!raw.MicrosoftAppPassword) issue('MicrosoftAppPassword', 'required for MicrosoftAppId');
  else if (type === 'SingleTenant' && !raw.MicrosoftAppTenantId) issue('MicrosoftAppTenantId', 'required for MicrosoftAppType=SingleTenant');
}

function botBackendOf(raw: Pick<RawEnv, 'BOT_BACKEND' | 'ULTIMATE_API_KEY' | 'CSML_API_KEY'>): 'ultimate' | 'csml' | 'demo' {
  return raw.BOT_BACKEND ?? (raw.ULTIMATE_API_KEY ? 'ultimate' : raw.CSML_API_KEY ? 'csml' : 'demo');
}

/** Slack settings, present when the Slack adapter is enabled. */
export interface SlackEnv {
  /** The one workspace's bot token; absent with `oauth`, where each workspace's token comes from its installation. */
  botToken?: string;
  signingSecret: string;
  appToken?: string;
  apiUrl: string;
  /** Multi-workspace install (SLACK_CLIENT_ID and its companions). */
  oauth?: SlackOAuthEnv;
}

/** Slack OAuth for distributing the app to several workspaces. */
export interface SlackOAuthEnv {
  clientId: string;
  clientSecret: string;
  /** Signs the OAuth `state` (Bolt's ClearStateStore). */
  stateSecret: string;
  /** SECRETS_KEY: encrypts the stored installations' tokens. */
  secretsKey: Buffer;
  /** PUBLIC_URL; the redirect URI is this plus /slack/oauth_redirect. */
  publicUrl: string;
}

/** Teams (Bot Framework) settings, present when the Teams adapter is enabled. */
export interface TeamsEnv {
  appId?: string;
  appPassword?: string;
  appType?: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  tenantId?: string;
  graphApiUrl: string;
}

/** The resolved environment. */
export interface Env {
  port: number;
  botBackend: 'ultimate' | 'csml' | 'demo';
  ultimate: { apiUrl: string; apiKey?: string; botId?: string };
  webhookToken?: string;
  csml: { apiUrl: string; apiKey?: string; apiSecret?: string };
  slack?: SlackEnv;
  teams?: TeamsEnv;
  storeUrl: string;
  /** Path of bridge.yaml, or undefined when none is configured or present. */
  bridgeConfigPath?: string;
  logLevel: string;
  /** How long a visitor event is retried to an unreachable bot before the requester is told. */
  botRetryMinutes: number;
}

/** Every secret value of the environment, for log redaction. */
export function secretsOf(env: Env): string[] {
  return [
    env.ultimate.apiKey,
    env.webhookToken,
    env.csml.apiKey,
    env.csml.apiSecret,
    env.slack?.botToken,
    env.slack?.signingSecret,
    env.slack?.appToken,
    env.slack?.oauth?.clientSecret,
    env.slack?.oauth?.stateSecret,
    // SECRETS_KEY in each spelling it may have been given in.
    ...(['hex', 'base64', 'base64url'] as const).map((encoding) => env.slack?.oauth?.secretsKey.toString(encoding)),
    env.teams?.appPassword,
  ].filter((value): value is string => typeof value === 'string' && value.length > 0);
}

/**
 * Resolve the environment. Throws `ConfigError` with one line naming the first bad variable.
 * `fileExists` is a parameter so tests need no files for the bridge.yaml default.
 */
export function loadEnv(
  source: NodeJS.ProcessEnv = process.env,
  fileExists: (path: string) => boolean = existsSync,
): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid environment variable ${issue.path.join('.')}: ${issue.message}`);
  }
  const raw = parsed.data;
  const botBackend = botBackendOf(raw);
  requireFor(botBackend === 'ultimate', 'BOT_BACKEND=ultimate', { ULTIMATE_API_KEY: raw.ULTIMATE_API_KEY, ULTIMATE_BOT_ID: raw.ULTIMATE_BOT_ID });
  requireFor(botBackend === 'csml', 'BOT_BACKEND=csml', { CSML_API_KEY: raw.CSML_API_KEY });
  requireFor(botBackend !== 'demo', `BOT_BACKEND=${botBackend}`, { WEBHOOK_TOKEN: raw.WEBHOOK_TOKEN });

  const oauth = slackOAuthOf(raw);
  const slackWanted = Boolean(raw.SLACK_BOT_TOKEN || raw.SLACK_SIGNING_SECRET || raw.SLACK_APP_TOKEN || oauth);
  requireFor(slackWanted && !oauth, 'the Slack adapter', { SLACK_BOT_TOKEN: raw.SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: raw.SLACK_SIGNING_SECRET });
  const teamsEnabled = raw.TEAMS_ENABLED ?? (Boolean(raw.MicrosoftAppId) || botBackend === 'demo');
  if (teamsEnabled && !raw.MicrosoftAppId && botBackend !== 'demo' && raw.TEAMS_ALLOW_UNAUTHENTICATED !== true) {
    // An empty app id turns Bot Framework auth off: anyone could post activities and pick the serviceUrl.
    throw new ConfigError(
      `Invalid environment variable MicrosoftAppId: required for Teams with BOT_BACKEND=${botBackend} (TEAMS_ALLOW_UNAUTHENTICATED=true allows auth off, for local emulators only)`,
    );
  }

  const bridgeConfigPath = raw.BRIDGE_CONFIG ?? (fileExists('./bridge.yaml') ? './bridge.yaml' : undefined);
  return {
    port: raw.PORT,
    botBackend,
    ultimate: { apiUrl: raw.ULTIMATE_API_URL, apiKey: raw.ULTIMATE_API_KEY, botId: raw.ULTIMATE_BOT_ID },
    webhookToken: raw.WEBHOOK_TOKEN,
    csml: { apiUrl: raw.CSML_API_URL, apiKey: raw.CSML_API_KEY, apiSecret: raw.CSML_API_SECRET },
    slack: slackWanted
      ? { botToken: raw.SLACK_BOT_TOKEN, signingSecret: raw.SLACK_SIGNING_SECRET!, appToken: raw.SLACK_APP_TOKEN, apiUrl: raw.SLACK_API_URL, oauth }
      : undefined,
    teams: teamsEnabled
      ? {
          appId: raw.MicrosoftAppId,
          appPassword: raw.MicrosoftAppPassword,
          appType: raw.MicrosoftAppId ? (raw.MicrosoftAppType ?? 'MultiTenant') : undefined,
          tenantId: raw.MicrosoftAppTenantId,
          graphApiUrl: raw.GRAPH_API_URL,
        }
      : undefined,
    storeUrl: raw.STORE_URL,
    bridgeConfigPath,
    logLevel: raw.LOG_LEVEL,
    botRetryMinutes: raw.BOT_RETRY_MINUTES,
  };
}

/**
 * The multi-workspace settings, when SLACK_CLIENT_ID is set: every companion variable is then
 * required, and SLACK_BOT_TOKEN (one workspace's token) and SLACK_APP_TOKEN (Socket Mode, where
 * Bolt would serve the OAuth routes on a port of its own) must be unset.
 */
function slackOAuthOf(raw: RawEnv): SlackOAuthEnv | undefined {
  if (!raw.SLACK_CLIENT_ID) {
    requireFor(Boolean(raw.SLACK_CLIENT_SECRET || raw.SLACK_STATE_SECRET), 'SLACK_CLIENT_SECRET and SLACK_STATE_SECRET', { SLACK_CLIENT_ID: raw.SLACK_CLIENT_ID });
    return undefined;
  }
  if (raw.SLACK_BOT_TOKEN) throw new ConfigError('Invalid environment variable SLACK_BOT_TOKEN: must be unset with SLACK_CLIENT_ID (each workspace\'s token comes from its installation)');
  if (raw.SLACK_APP_TOKEN) throw new ConfigError('Invalid environment variable SLACK_APP_TOKEN: must be unset with SLACK_CLIENT_ID (the OAuth routes need HTTP mode)');
  const needed = {
    SLACK_CLIENT_SECRET: raw.SLACK_CLIENT_SECRET,
    SLACK_STATE_SECRET: raw.SLACK_STATE_SECRET,
    SECRETS_KEY: raw.SECRETS_KEY,
    PUBLIC_URL: raw.PUBLIC_URL,
    SLACK_SIGNING_SECRET: raw.SLACK_SIGNING_SECRET,
  };
  requireFor(true, 'SLACK_CLIENT_ID', needed);
  return {
    clientId: raw.SLACK_CLIENT_ID,
    clientSecret: needed.SLACK_CLIENT_SECRET!,
    stateSecret: needed.SLACK_STATE_SECRET!,
    secretsKey: parseSecretsKey(needed.SECRETS_KEY!)!,
    publicUrl: needed.PUBLIC_URL!,
  };
}

function requireFor(condition: boolean, what: string, values: Record<string, string | undefined>): void {
  if (!condition) return;
  for (const [name, value] of Object.entries(values)) {
    if (!value) throw new ConfigError(`Invalid environment variable ${name}: required for ${what}`);
  }
}
