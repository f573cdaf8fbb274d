/**
 * Who the bridge is on Slack (bot user id, bot id, workspace), from auth.test once. A failed
 * lookup is not remembered, so the next event tries again instead of failing forever.
 */
import type { SlackWebClient } from './web-client.js';

/** The app's bot identity. */
export interface BotIdentity {
  userId: string;
  botId: string;
  teamId: string;
}

/** Memoised auth.test. */
export class BotIdentitySource {
  private pending?: Promise<BotIdentity>;

  constructor(private readonly client: SlackWebClient) {}

  /** The identity, asking Slack on first use (and after a failure). */
  get(): Promise<BotIdentity> {
    this.pending ??= this.fetch().catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending;
  }

  /** Ask Slack now (readiness check); refreshes the remembered identity. */
  async check(): Promise<BotIdentity> {
    const identity = await this.fetch();
    this.pending = Promise.resolve(identity);
    return identity;
  }

  private async fetch(): Promise<BotIdentity> {
    const result = await this.client.auth.test();
    const { user_id: userId, bot_id: botId, team_id: teamId } = result;
    if (!userId || !botId || !teamId) throw new Error('auth.test did not return a bot user: SLACK_BOT_TOKEN must be a bot token (xoxb-)');
    return { userId, botId, teamId };
  }
}
