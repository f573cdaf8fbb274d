/**
 * Settings of the two baselines, read from the same environment variables the bridge reads,
 * so the benchmark gives all three systems one environment; and their shared token check.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** What a baseline needs to know. */
export interface BaselineSettings {
  /** Chat API base; `/converse/chat` is appended. */
  chatApiUrl: string;
  /** Slack Web API base, ending in `/`. */
  slackApiUrl: string;
  signingSecret: string;
  botToken: string;
  webhookToken: string;
  ultimateApiKey: string;
  ultimateBotId: string;
}

/** The settings from `process.env`; a missing variable is a start-up error naming it. */
export function baselineSettings(source: NodeJS.ProcessEnv = process.env): BaselineSettings {
  const required = (name: string): string => {
    const value = source[name];
    if (!value) throw new Error(`baseline: environment variable ${name} is required`);
    return value;
  };
  return {
    chatApiUrl: required('ULTIMATE_API_URL').replace(/\/+$/, ''),
    slackApiUrl: required('SLACK_API_URL').replace(/\/*$/, '/'),
    signingSecret: required('SLACK_SIGNING_SECRET'),
    botToken: required('SLACK_BOT_TOKEN'),
    webhookToken: required('WEBHOOK_TOKEN'),
    ultimateApiKey: required('ULTIMATE_API_KEY'),
    ultimateBotId: required('ULTIMATE_BOT_ID'),
  };
}

/** Whether an `Authorization` header carries the webhook token as Bearer; compared as SHA-256 digests in constant time. */
export function bearerTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = sha256(token);
  return (authorization) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    return bearer !== undefined && timingSafeEqual(sha256(bearer), expected);
  };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
