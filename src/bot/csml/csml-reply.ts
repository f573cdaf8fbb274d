/**
 * Hands a CSML reply (synchronous answer or callback) to the core: the mapped messages go to
 * `output.messages` in order, then `conversation_end` becomes `output.conversationEnded`.
 */
import type { BotOutput } from '../bot-backend.js';
import type { Logger } from '../../core/logger.js';
import { csmlToBotMessages } from './csml-to-bot-message.js';
import type { CsmlChatResponse } from './csml-schema.js';

/**
 * Deliver one reply for `conversationId`; with `deliveryId`, a repeat of the same reply is queued
 * once. Errors of the core (unknown conversation...) propagate.
 */
export async function deliverCsmlReply(output: BotOutput, conversationId: string, reply: CsmlChatResponse, logger: Logger, deliveryId?: string): Promise<void> {
  const { messages, skipped } = csmlToBotMessages(reply.messages.map((message) => message.payload));
  if (skipped.length > 0) logger.warn({ conversationId, skipped }, 'CSML sent content types the bridge cannot show; skipped');
  if (messages.length > 0) await output.messages(conversationId, messages, deliveryId);
  if (reply.conversation_end === true) await output.conversationEnded(conversationId);
}
