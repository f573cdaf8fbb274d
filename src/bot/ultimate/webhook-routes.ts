/**
 * Ultimate's two webhooks: `POST /converse-webhook` (the Chat webhook) and
 * `POST /action-webhook` (the Actions webhook). Transport only: authenticate, parse, validate,
 * hand over to the core, answer. Errors become JSON answers in `jsonErrorHandler`.
 */
import { Router } from 'express';
import type { BotOutput, WidgetOutput } from '../bot-backend.js';
import type { ActionRunner } from '../../actions/action-handler.js';
import { addLogContext, type Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import { jsonErrorHandler, parseRequestBody, webhookJsonBody } from '../../http/http-errors.js';
import { webhookGuard } from '../../http/webhook-auth.js';
import { handleConverseEvent } from './converse-event-handler.js';
import { actionWebhookSchema, converseWebhookSchema } from './webhook-schema.js';

/** What the Ultimate webhook routes need. */
export interface UltimateWebhookDeps {
  /** Required unless BOT_BACKEND=demo; without it the routes are open. */
  webhookToken?: string;
  output: BotOutput;
  widget: WidgetOutput;
  actions: ActionRunner;
  logger: Logger;
  metrics: Metrics;
  /** express.json size limit, e.g. "256kb". */
  bodyLimit?: string;
}

/** A router with `POST /converse-webhook` and `POST /action-webhook`, to mount at the root. */
export function createUltimateWebhookRouter(deps: UltimateWebhookDeps): Router {
  const router = Router();
  const guard = webhookGuard(deps.webhookToken, { logger: deps.logger });
  const json = webhookJsonBody(deps.bodyLimit);

  router.post('/converse-webhook', ...guard, json, async (req, res) => {
    const { data } = parseRequestBody(converseWebhookSchema, req.body);
    deps.metrics.eventsIn.inc({ platform: 'ultimate', type: data.eventType });
    if (data.platformConversationId) addLogContext({ conversationId: data.platformConversationId });
    deps.logger.debug({ eventType: data.eventType }, 'converse webhook received');
    res.status(200).json(await handleConverseEvent(data, deps));
  });

  router.post('/action-webhook', ...guard, json, async (req, res) => {
    const request = parseRequestBody(actionWebhookSchema, req.body);
    deps.metrics.eventsIn.inc({ platform: 'ultimate', type: 'action' });
    addLogContext({ conversationId: request.platformConversationId });
    deps.logger.debug({ action: request.name }, 'action webhook received');
    const results = await deps.actions.run({ name: request.name, platformConversationId: request.platformConversationId, data: request.data });
    res.status(200).json({ results });
  });

  router.use(jsonErrorHandler(deps.logger));
  return router;
}
