/**
 * chat.postMessage and chat.update (every message the outbox delivers, ticket posts and their
 * updates) through the lean Web API transport (lean-web-api.ts): one attempt each, failures as
 * DeliveryError (platformCode = Slack's error name); what delivery reads of the answer.
 */
import type { LeanWebApi, SlackAnswer } from './lean-web-api.js';

/** The parts of Slack's answer delivery uses. */
export interface PostMessageAnswer {
  channel?: string;
  ts?: string;
  /** The workspace of the posted message, when Slack says. */
  team?: string;
}

/** Posts and updates messages with chat.postMessage and chat.update. */
export class ChatPoster {
  constructor(private readonly api: Pick<LeanWebApi, 'call'>) {}

  /** One chat.postMessage call with the workspace's `token`; throws DeliveryError (platformCode = Slack's error name). */
  async postMessage(args: Record<string, unknown>, token: string): Promise<PostMessageAnswer> {
    return postedMessage(await this.api.call('chat.postMessage', args, token));
  }

  /** One chat.update call with the workspace's `token`; throws DeliveryError. */
  async update(args: Record<string, unknown>, token: string): Promise<PostMessageAnswer> {
    return postedMessage(await this.api.call('chat.update', args, token));
  }
}

function postedMessage(answer: SlackAnswer): PostMessageAnswer {
  const { channel, ts, message } = answer as { channel?: unknown; ts?: unknown; message?: { team?: unknown } };
  const team = message?.team;
  return {
    channel: typeof channel === 'string' ? channel : undefined,
    ts: typeof ts === 'string' ? ts : undefined,
    ...(typeof team === 'string' ? { team } : {}),
  };
}
