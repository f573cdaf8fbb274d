/**
 * A bot webhook (Ultimate's two, the CSML callback) as a front route: the `WEBHOOK_TOKEN` check,
 * the bounded JSON body (body-parser's json parser, which reads node's own request), then the
 * route's `answer`, sent as the 200 JSON body. Every failure (a refused token, a body that is too
 * large or not JSON, a schema or core error) is answered by `answerWebhookFailure`. The route's
 * log fields start as the request id; `answer` adds the conversation's once it knows it, and the
 * failure line carries them too.
 */
import type { LogContext, Logger } from '../core/logger.js';
import type { FrontRoute } from './front-route.js';
import { answerJson } from './front-route.js';
import { answerWebhookFailure, webhookJsonBody } from './http-errors.js';
import { requestIdOf } from './request-context.js';
import { requireWebhookToken } from './webhook-auth.js';

/** What every webhook route shares. */
export interface WebhookRouteOptions {
  /** `WEBHOOK_TOKEN`; without one no webhook route exists (DESIGN.md 5.5). */
  token: string;
  logger: Logger;
  /** express.json size limit, e.g. "256kb". */
  bodyLimit?: string;
}

/** `POST path`, answered with what `answer` makes of the parsed body; `log` is the request's log fields, which `answer` may add to. */
export function webhookRoute(path: string, options: WebhookRouteOptions, answer: (body: unknown, log: LogContext) => Promise<unknown>): FrontRoute {
  const authorized = requireWebhookToken(options.token, { logger: options.logger });
  const parseJson = webhookJsonBody(options.bodyLimit);
  return {
    path,
    async handle(req, res) {
      if (!authorized(req, res)) return;
      const log: LogContext = { requestId: requestIdOf(res) };
      await new Promise<void>((resolve, reject) => parseJson(req as never, res as never, (error?: unknown) => (error ? reject(error) : resolve())))
        .then(() => answer((req as { body?: unknown }).body, log))
        .then(
          (body) => answerJson(res, 200, body),
          (error: unknown) => answerWebhookFailure(options.logger, req, res, error, log),
        );
    },
  };
}
