/**
 * What the bridge does with each Chat webhook event once it is authenticated and valid: hand it
 * to the core (`BotOutput`, `WidgetOutput`) and say what to answer Ultimate. Errors from the core
 * propagate; the route's error handler turns them into JSON answers.
 */
import type { BotOutput, WidgetOutput } from '../bot-backend.js';
import { assertNever } from '../../core/bot-message.js';
import type { LogContext, Logger } from '../../core/logger.js';
import { toBotMessages } from './to-bot-message.js';
import type { ConverseEventData } from './webhook-schema.js';

/** The core's side of the Chat webhook. */
export interface ConverseEventTargets {
  output: BotOutput;
  widget: WidgetOutput;
  logger: Logger;
}

/** The JSON body of a successful answer: `{}` or, for isTeamOnline, `{isOnline}`. */
export type ConverseEventAnswer = Record<string, never> | { isOnline: boolean };

/** Handle one Chat webhook event; resolves with the answer's body. `log`: the request's log fields. */
export async function handleConverseEvent(data: ConverseEventData, targets: ConverseEventTargets, log: LogContext): Promise<ConverseEventAnswer> {
  switch (data.eventType) {
    case 'sendMessage': {
      const messages = toBotMessages(data);
      // An empty sendMessage (no text, buttons or cards) is acknowledged without posting anything.
      if (messages.length === 0) targets.logger.info({ ...log, eventType: data.eventType }, 'sendMessage had nothing to show; nothing posted');
      else await targets.output.messages(data.platformConversationId, messages, data.messageId ?? data.replyId ?? undefined);
      return {};
    }
    case 'escalate':
      await targets.output.escalate(data.platformConversationId, data.escalateTo ?? undefined);
      return {};
    case 'isTeamOnline':
      return { isOnline: await targets.output.isTeamOnline(data.teamId ?? undefined) };
    case 'widgetEscalate':
      await targets.widget.escalate(data.platformConversationId, data.escalateTo ?? undefined);
      return {};
    case 'widgetMessage':
      await targets.widget.message(data.platformConversationId, data.text);
      return {};
    case 'widgetEndSession':
      await targets.widget.end(data.platformConversationId);
      return {};
    default:
      return assertNever(data);
  }
}
