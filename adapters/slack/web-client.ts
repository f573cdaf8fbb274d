/**
 * The Slack Web API client as the bridge configures it: every call goes to SLACK_API_URL (absolute
 * URLs refused), has a timeout, and makes exactly one attempt (no SDK retries, rate-limited calls
 * rejected) because the core's delivery loop owns retries and ordering. SDK logs go to pino.
 */
import { format } from 'node:util';
import { LogLevel, webApi, type Logger as SdkLogger } from '@slack/bolt';
import type { SlackEnv } from '../../src/config/env.js';
import type { Logger } from '../../src/core/logger.js';

/** How long one Web API call may take. */
export const webApiTimeoutMs = 10_000;

/** The Web API client type. */
export type SlackWebClient = InstanceType<typeof webApi.WebClient>;

/** Client options shared by our client and Bolt's internal ones. */
export function slackClientOptions(env: SlackEnv, logger: Logger): webApi.WebClientOptions {
  return {
    slackApiUrl: env.apiUrl,
    allowAbsoluteUrls: false,
    timeout: webApiTimeoutMs,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: sdkLogger(logger),
  };
}

/** A client holding the bot token. */
export function createWebClient(env: SlackEnv, logger: Logger): SlackWebClient {
  return new webApi.WebClient(env.botToken, slackClientOptions(env, logger));
}

const emailPattern = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const slackTokenPattern = /\bx(?:ox[abpersc]|app)-[\w-]+/g;

/**
 * An SDK log line as the bridge writes it. The SDK formats payloads into its messages (the
 * Web API's "http request result: {...}" holds a whole answer, e.g. a channel's members, Bolt's
 * debug line the whole incoming body), where pino's path redaction cannot reach: everything from the first
 * `{` or `[` on is dropped, and emails and Slack tokens left in the prose are masked.
 */
export function sanitizeSdkLine(line: string): string {
  const structured = line.search(/[{[]/);
  const prose = structured < 0 ? line : `${line.slice(0, structured).trimEnd()} [payload omitted]`.trimStart();
  return prose.replace(emailPattern, '[email]').replace(slackTokenPattern, '[token]');
}

/** Slack's SDK logger interface on top of pino; the level is the bridge's LOG_LEVEL, so the SDK cannot change it. */
export function sdkLogger(logger: Logger): SdkLogger {
  const child = logger.child({ component: 'slack-sdk' });
  const level = (): LogLevel => {
    if (child.isLevelEnabled('debug')) return LogLevel.DEBUG;
    if (child.isLevelEnabled('info')) return LogLevel.INFO;
    if (child.isLevelEnabled('warn')) return LogLevel.WARN;
    return LogLevel.ERROR;
  };
  return {
    debug: (...parts: unknown[]) => child.debug(sanitizeSdkLine(format(...parts))),
    info: (...parts: unknown[]) => child.info(sanitizeSdkLine(format(...parts))),
    warn: (...parts: unknown[]) => child.warn(sanitizeSdkLine(format(...parts))),
    error: (...parts: unknown[]) => child.error(sanitizeSdkLine(format(...parts))),
    setLevel: () => undefined,
    getLevel: level,
    setName: () => undefined,
  };
}
