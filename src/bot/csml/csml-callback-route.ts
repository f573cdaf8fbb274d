/**
 * `POST /csml/callback`: CSML's API channel posts the bot's messages here when the channel has a
 * callback URL. The body is a chat reply; its `client.user_id` is the conversation id the bridge
 * sent as `user_id`. Transport only: authenticate, parse, validate, hand over.
 */
import type { BotOutput } from '../bot-backend.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import type { FrontRoute } from '../../http/front-route.js';
import { parseRequestBody } from '../../http/http-errors.js';
import { webhookRoute } from '../../http/webhook-route.js';
import { deliverCsmlReply } from './csml-reply.js';
import { csmlCallbackSchema } from './csml-schema.js';

/** What the callback route needs. */
export interface CsmlCallbackDeps {
  /** `WEBHOOK_TOKEN`: the route exists only with one. */
  webhookToken: string;
  output: BotOutput;
  logger: Logger;
  metrics: Metrics;
  /** express.json size limit, e.g. "256kb". */
  bodyLimit?: string;
}

/** `POST /csml/callback`, as a front route. */
export function csmlCallbackRoute(deps: CsmlCallbackDeps): FrontRoute {
  return webhookRoute('/csml/callback', { token: deps.webhookToken, logger: deps.logger, bodyLimit: deps.bodyLimit }, async (body, log) => {
    const reply = parseRequestBody(csmlCallbackSchema, body);
    deps.metrics.eventsIn.inc({ platform: 'csml', type: 'callback' });
    log.conversationId = reply.client.user_id;
    await deliverCsmlReply(deps.output, reply.client.user_id, reply, deps.logger);
    return {};
  });
}
