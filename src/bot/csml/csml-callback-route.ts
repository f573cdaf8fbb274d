/**
 * `POST /csml/callback`: CSML's API channel posts the bot's messages here when the channel has a
 * callback URL. The body is a chat reply; its `client.user_id` is the conversation id the bridge
 * sent as `user_id`. Transport only: authenticate, parse, validate, hand over.
 */
import { Router } from 'express';
import type { BotOutput } from '../bot-backend.js';
import { addLogContext, type Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import { jsonErrorHandler, parseRequestBody, webhookJsonBody } from '../../http/http-errors.js';
import { webhookGuard } from '../../http/webhook-auth.js';
import { deliverCsmlReply } from './csml-reply.js';
import { csmlCallbackSchema } from './csml-schema.js';

/** What the callback route needs. */
export interface CsmlCallbackDeps {
  /** Required unless BOT_BACKEND=demo; without it the route is open. */
  webhookToken?: string;
  output: BotOutput;
  logger: Logger;
  metrics: Metrics;
  /** express.json size limit, e.g. "256kb". */
  bodyLimit?: string;
}

/** A router with `POST /csml/callback`, to mount at the root. */
export function createCsmlCallbackRouter(deps: CsmlCallbackDeps): Router {
  const router = Router();
  router.post('/csml/callback', ...webhookGuard(deps.webhookToken, { logger: deps.logger }), webhookJsonBody(deps.bodyLimit), async (req, res) => {
    const reply = parseRequestBody(csmlCallbackSchema, req.body);
    deps.metrics.eventsIn.inc({ platform: 'csml', type: 'callback' });
    addLogContext({ conversationId: reply.client.user_id });
    await deliverCsmlReply(deps.output, reply.client.user_id, reply, deps.logger);
    res.status(200).json({});
  });
  router.use(jsonErrorHandler(deps.logger));
  return router;
}
