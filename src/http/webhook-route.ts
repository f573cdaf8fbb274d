/**
 * A bot webhook (Ultimate's two, the CSML callback) as a front route: the `WEBHOOK_TOKEN` check,
 * the bounded JSON body (body-parser's json parser, which reads node's own request), then the
 * route's `answer`, sent as the 200 JSON body. Every failure (a refused token, a body that is too
 * large or not JSON, a schema or core error) is answered by `answerWebhookFailure`.
 */
import type { Logger } from '../core/logger.js';
import type { FrontRoute } from './front-route.js';
import { answerJson } from './front-route.js';
import { answerWebhookFailure, webhookJsonBody } from './http-errors.js';
import { requireWebhookToken } from './webhook-auth.js';

/** What every webhook route shares. */
export interface WebhookRouteOptions {
  /** `WEBHOOK_TOKEN`; without one no webhook route exists (DESIGN.md 5.5). */
  token: string;
  logger: Logger;
  /** express.json size limit, e.g. "256kb". */
  bodyLimit?: string;
}

/** `POST path`, answered with what `answer` makes of the parsed body. */
export function webhookRoute(path: string, options: WebhookRouteOptions, answer: (body: unknown) => Promise<unknown>): FrontRoute {
  const authorized = requireWebhookToken(options.token, { logger: options.logger });
  const parseJson = webhookJsonBody(options.bodyLimit);
  return {
    path,
    async handle(req, res) {
      if (!authorized(req, res)) return;
      // The promise keeps the request's log context for what follows the body's last chunk.
      await new Promise<void>((resolve, reject) => parseJson(req as never, res as never, (error?: unknown) => (error ? reject(error) : resolve())))
        .then(() => answer((req as { body?: unknown }).body))
        .then(
          (body) => answerJson(res, 200, body),
          (error: unknown) => answerWebhookFailure(options.logger, req, res, error),
        );
    },
  };
}
