/**
 * The payloads the load generator sends: signed Slack Events API deliveries (shape of a
 * `message.im` event_callback as Slack's Events API documentation shows it, with a fresh
 * event_id, ts and v0 signature per request) and Ultimate Chat webhooks (shape of seed 002:
 * sendMessage, isTeamOnline). Also the one place the benchmark's fixed identities live.
 */
import { createHmac } from 'node:crypto';

/** Identities and secrets shared by the load generator, the sinks and every system under test. */
export const benchIdentity = {
  teamId: 'T0BENCH01',
  appId: 'A0BENCH01',
  botUserId: 'U0BENCHBOT',
  botId: 'B0BENCHBOT',
  botToken: 'xoxb-bench-0000-not-a-real-token',
  signingSecret: 'bench-signing-secret-0123456789abcdef',
  webhookToken: 'bench-webhook-token-0123456789',
  ultimateApiKey: 'bench-ultimate-key',
  ultimateBotId: 'bench-bot',
  deskId: 'bench-desk',
  deskChannel: 'C0BENCHDESK',
  deskMembers: ['U0AGENT001', 'U0AGENT002', 'U0AGENT003'],
} as const;

/** The DM channel and user of requester number `index` (one DM per user, as in Slack). */
export function requester(index: number): { channel: string; user: string } {
  const suffix = index.toString(36).toUpperCase().padStart(6, '0');
  return { channel: `D0${suffix}`, user: `U0${suffix}` };
}

let eventCounter = 0;

/** A signed `event_callback` carrying a DM message; headers and body as Slack sends them. */
export function signedDmEvent(input: { channel: string; user: string; text: string; nowMs?: number }): {
  body: string;
  headers: Record<string, string>;
} {
  const nowMs = input.nowMs ?? Date.now();
  const seconds = Math.floor(nowMs / 1000);
  const sequence = ++eventCounter;
  const ts = `${seconds}.${String(sequence % 1_000_000).padStart(6, '0')}`;
  const body = JSON.stringify({
    token: 'bench-verification-token',
    team_id: benchIdentity.teamId,
    api_app_id: benchIdentity.appId,
    event: {
      client_msg_id: `bench-${sequence}`,
      type: 'message',
      text: input.text,
      user: input.user,
      ts,
      team: benchIdentity.teamId,
      channel: input.channel,
      event_ts: ts,
      channel_type: 'im',
    },
    type: 'event_callback',
    event_id: `Ev0BENCH${sequence.toString(36).toUpperCase()}`,
    event_time: seconds,
    authorizations: [{ enterprise_id: null, team_id: benchIdentity.teamId, user_id: benchIdentity.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(seconds),
      'x-slack-signature': slackSignature(benchIdentity.signingSecret, seconds, body),
    },
  };
}

/** Slack's v0 request signature. */
export function slackSignature(secret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

/** Headers of every Ultimate webhook call: the shared token as a Bearer token. */
export const webhookHeaders: Record<string, string> = {
  'content-type': 'application/json',
  authorization: `Bearer ${benchIdentity.webhookToken}`,
};

/** A sendMessage webhook body: a plain text message (what every system under test can forward alike). */
export function sendMessageBody(platformConversationId: string, text: string): string {
  return JSON.stringify({
    botId: benchIdentity.ultimateBotId,
    channel: 'chat',
    data: {
      eventType: 'sendMessage',
      platformConversationId,
      type: 'text',
      text,
    },
  });
}

/** An isTeamOnline webhook body for the benchmark's desk. */
export function isTeamOnlineBody(): string {
  return JSON.stringify({ botId: benchIdentity.ultimateBotId, channel: 'chat', data: { eventType: 'isTeamOnline', teamId: benchIdentity.deskId } });
}
