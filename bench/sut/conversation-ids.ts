/**
 * The baselines' whole conversation state: a platformConversationId per Slack channel and the
 * channel back for each id, in two Maps (deliberately unbounded and unpersisted: the baselines
 * show the cost of the transport alone).
 */
import { randomUUID } from 'node:crypto';

/** Channel ↔ platformConversationId. */
export class ConversationIds {
  private readonly byChannel = new Map<string, string>();
  private readonly byId = new Map<string, string>();

  /** The channel's id, created on first use. */
  idFor(channel: string): string {
    let id = this.byChannel.get(channel);
    if (!id) {
      id = randomUUID();
      this.byChannel.set(channel, id);
      this.byId.set(id, channel);
    }
    return id;
  }

  /** The channel of an id, if known. */
  channelOf(id: string): string | undefined {
    return this.byId.get(id);
  }
}
