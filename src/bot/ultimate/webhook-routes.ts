/**
 * Ultimate's two webhooks: `POST /converse-webhook` (the Chat webhook) and
 * `POST /action-webhook` (the Actions webhook). Transport only: authenticate, parse, validate,
 * hand over to the core, answer (webhook-route.ts). Errors become JSON answers in `answerWebhookFailure`.
 */
import type { BotOutput, WidgetOutput } from '../bot-backend.js';
import type { ActionRunner } from '../../actions/action-handler.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import type { FrontRoute } from '../../http/front-route.js';
import { parseRequestBody } from '../../http/http-errors.js';
import { webhookRoute } from '../../http/webhook-route.js';
import { handleConverseEvent } from './converse-event-handler.js';
import { actionWebhookSchema, converseWebhookSchema } from './webhook-schema.js';

/** What the Ultimate webhook routes need. */
export interface UltimateWebhookDeps {
  /** `WEBHOOK_TOKEN`: the routes exist only with one. */
  webhookToken: string;
  output: BotOutput;
  widget: WidgetOutput;
  actions: ActionRunner;
  logger: Logger;
  metrics: Metrics;
  /** express.json size limit, e.g. "256kb". */
  bodyLimit?: string;
}

/** `POST /converse-webhook` and `POST /action-webhook`, as front routes. */
export function ultimateWebhookRoutes(deps: UltimateWebhookDeps): FrontRoute[] {
  const options = { token: deps.webhookToken, logger: deps.logger, bodyLimit: deps.bodyLimit };
  return [
    webhookRoute('/converse-webhook', options, async (body, log) => {
      const { data } = parseRequestBody(converseWebhookSchema, body);
      deps.metrics.eventsIn.inc({ platform: 'ultimate', type: data.eventType });
      if (data.platformConversationId) log.conversationId = data.platformConversationId;
      deps.logger.debug({ ...log, eventType: data.eventType }, 'converse webhook received');
      return handleConverseEvent(data, deps, log);
    }),
    webhookRoute('/action-webhook', options, async (body, log) => {
      const request = parseRequestBody(actionWebhookSchema, body);
      deps.metrics.eventsIn.inc({ platform: 'ultimate', type: 'action' });
      log.conversationId = request.platformConversationId;
      deps.logger.debug({ ...log, action: request.name }, 'action webhook received');
      const results = await deps.actions.run({ name: request.name, platformConversationId: request.platformConversationId, data: request.data });
      return { results };
    }),
  ];
}
