/**
 * Escalations from Ultimate's own chat widget. The widget owns the requester side, so the
 * bridge adopts its platformConversationId as a conversation on the `widget` channel; the
 * outbox's `widget` destination turns messages and notices to it into widget API calls.
 */
import type { WidgetOutput } from '../../bot/bot-backend.js';
import type { ConversationRegistry } from '../conversations.js';
import { ConversationNotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Transcripts } from '../transcripts.js';
import type { Handoff } from './handoff.js';
import { widgetChannel } from '../outbox/outbox.js';

/** WidgetOutput on top of the hand-off. */
export class WidgetHandoff implements WidgetOutput {
  constructor(
    private readonly handoff: Pick<Handoff, 'escalate' | 'requesterMessage' | 'requesterEnded'>,
    private readonly conversations: ConversationRegistry,
    private readonly transcripts: Transcripts,
    private readonly logger: Logger,
  ) {}

  /** widgetEscalate: open a ticket for the widget conversation. */
  async escalate(conversationId: string, escalateTo?: string): Promise<void> {
    const conversation = await this.conversations.adopt(conversationId, { channel: widgetChannel, key: conversationId, reference: {} });
    await this.handoff.escalate(conversation, escalateTo);
  }

  /** widgetMessage: relay the visitor's message into the ticket. */
  async message(conversationId: string, text: string): Promise<void> {
    const conversation = await this.conversations.get(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    await this.transcripts.add(conversationId, 'requester', text);
    if (conversation.session !== 'escalated') {
      this.logger.warn({ conversationId }, 'widgetMessage for a conversation that is not escalated; not relayed');
      return;
    }
    await this.handoff.requesterMessage(conversation, text);
  }

  /** widgetEndSession: the visitor ended the escalated session. */
  async end(conversationId: string): Promise<void> {
    const conversation = await this.conversations.get(conversationId);
    if (!conversation) throw new ConversationNotFoundError(conversationId);
    await this.handoff.requesterEnded(conversation);
    await this.conversations.setSession(conversationId, 'ended');
  }
}
