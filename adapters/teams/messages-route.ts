/**
 * `POST /api/messages`: parse (size-limited: the bridge mounts adapters before any body
 * parser), check the body is an activity, and hand it to botbuilder's CloudAdapter, which
 * authenticates the Bot Framework JWT (unless no app id is configured) and runs the turn.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { Logger } from '../../src/core/logger.js';
import { teamsLimits } from './limits.js';

/** The messaging endpoint's path, as registered on the Azure Bot. */
export const messagesPath = '/api/messages';

/** Mount the messaging endpoint on `router`. */
export function mountMessagesRoute(router: Router, adapter: CloudAdapter, logic: (context: TurnContext) => Promise<void>, logger: Logger): void {
  router.post(messagesPath, express.json({ limit: teamsLimits.inboundBodyBytes, type: ['application/json', 'application/*+json'] }), async (req: Request, res: Response) => {
    const body: unknown = req.body;
    if (!isActivity(body)) {
      res.status(400).json({ error: 'bad_request', message: 'Expected a Bot Framework activity: a JSON object with a string "type"' });
      return;
    }
    try {
      await adapter.process(req, res, logic);
    } catch (error) {
      // CloudAdapter answers auth and turn errors itself; what reaches here is a body it could not parse.
      logger.warn({ err: error, activityType: body.type }, 'teams activity rejected');
      if (!res.headersSent) res.status(400).json({ error: 'bad_request', message: 'The activity is not a valid Bot Framework activity' });
    }
  });
}

function isActivity(body: unknown): body is { type: string } {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && typeof (body as { type?: unknown }).type === 'string';
}
