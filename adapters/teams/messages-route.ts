/**
 * `POST /api/messages`: parse (size-limited: the bridge mounts adapters before any body
 * parser), authenticate the Bot Framework JWT (botbuilder; a no-op with auth off), validate the
 * activity against the shape the bridge reads, then run the turn. Every failure is answered
 * here in the bridge's JSON error shape: bad input is a 400 naming the first problem and never
 * reaches a turn, so it changes nothing; a turn that fails answers without internal text.
 */
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import type { Activity, TurnContext } from 'botbuilder';
import type { Logger } from '../../src/core/logger.js';
import { requestIdOf } from '../../src/http/request-context.js';
import { errorAnswer, sendError, type ErrorBody } from '../../src/http/http-errors.js';
import { activityProblem } from './activity-schema.js';
import { teamsChannelId } from './conversation-address.js';
import type { AuthenticatedRequest, BridgeCloudAdapter } from './bot-framework-client.js';
import { teamsLimits } from './limits.js';

/** The messaging endpoint's path, as registered on the Azure Bot. */
export const messagesPath = '/api/messages';

/** What the route hands activities to. */
export interface MessagesRouteDeps {
  adapter: BridgeCloudAdapter;
  logic: (context: TurnContext) => Promise<void>;
  /**
   * Whether Bot Framework auth is on. Then only Teams activities are taken: botbuilder checks a
   * token's key endorsements against the activity's `channelId`, and prints its key to stderr
   * when that check fails, so other channels are refused before it runs.
   */
  authEnabled: boolean;
  logger: Logger;
}

/** Mount the messaging endpoint on `router`. */
export function mountMessagesRoute(router: Router, deps: MessagesRouteDeps): void {
  const { adapter, logic, logger } = deps;
  const parseBody = express.json({ limit: teamsLimits.inboundBodyBytes, type: ['application/json', 'application/*+json'] });
  router.post(messagesPath, parseBody, async (req: Request, res: Response) => {
    const body: unknown = req.body;
    if (!isActivity(body)) {
      sendError(res, 400, { error: 'invalid_request', message: 'Expected a Bot Framework activity: a JSON object with a string "type"' });
      return;
    }
    if (deps.authEnabled && body.channelId !== teamsChannelId) {
      sendError(res, 400, { error: 'invalid_request', message: `Not a valid Bot Framework activity at channelId: this endpoint serves "${teamsChannelId}" only`, path: 'channelId' });
      return;
    }
    const authenticated = await authenticate(adapter, body, req, res, logger);
    if (!authenticated) return;
    const problem = activityProblem(body);
    if (problem) {
      logger.warn({ requestId: requestIdOf(res), activityType: body.type, path: problem.path, reason: problem.message }, 'teams activity refused');
      sendError(res, 400, { error: 'invalid_request', message: `Not a valid Bot Framework activity at ${problem.path || '(root)'}: ${problem.message}`, path: problem.path });
      return;
    }
    try {
      const invoke = await adapter.runTurn(authenticated, body, logic);
      res.status(invoke?.status ?? 200);
      if (invoke?.body !== undefined) res.send(invoke.body);
      res.end();
    } catch (error) {
      const { status, body: answer } = errorAnswer(error);
      logger.error({ requestId: requestIdOf(res), activityId: body.id, err: error, activityType: body.type, status }, 'teams turn failed');
      if (!res.headersSent) sendError(res, status, answer);
    }
  });
  router.use(messagesPath, bodyErrors(logger));
}

/** The authenticated request, or undefined once the refusal (401, or 503 when keys cannot be loaded) is sent. */
async function authenticate(adapter: BridgeCloudAdapter, activity: Activity, req: Request, res: Response, logger: Logger): Promise<AuthenticatedRequest | undefined> {
  try {
    return await adapter.authenticate(activity, req.headers.authorization ?? '');
  } catch (error) {
    // botbuilder marks a failure to load Microsoft's signing keys with 500: that is ours, not the caller's.
    const unavailable = (error as { statusCode?: unknown }).statusCode === 500;
    logger.warn({ requestId: requestIdOf(res), reason: error instanceof Error ? error.message : String(error), activityType: activity.type }, 'teams activity not authenticated');
    if (unavailable) sendError(res, 503, { error: 'auth_unavailable', message: 'Bot Framework signing keys could not be loaded; retry later' });
    else sendError(res, 401, { error: 'unauthorized', message: 'The request does not carry a valid Bot Framework token' });
    return undefined;
  }
}

/** Body-parser failures (not JSON, too large, bad encoding) as the bridge's JSON 4xx answers. */
function bodyErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, body } = readFailure(error);
    if (status >= 500) logger.error({ requestId: requestIdOf(res), err: error }, 'teams request failed');
    else logger.warn({ requestId: requestIdOf(res), status, error: body.error }, 'teams request refused');
    sendError(res, status, body);
  };
}

/**
 * A body-parser failure's answer. A body that fails to inflate (a `Content-Encoding: gzip`
 * header on a plain body) comes as the zlib error with status 400 but no `type`, which the
 * shared mapping does not know: it is still the caller's fault, so a 400.
 */
function readFailure(error: unknown): { status: number; body: ErrorBody } {
  const answer = errorAnswer(error);
  const status = (error as { status?: unknown } | undefined)?.status;
  if (answer.status >= 500 && typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: 'bad_request', message: 'request body could not be read' } };
  }
  return answer;
}

function isActivity(body: unknown): body is Activity {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && typeof (body as { type?: unknown }).type === 'string';
}
