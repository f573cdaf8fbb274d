/**
 * Routes served before express, on node's own request and response (create-app.ts): the hot
 * paths, where express's router, prototypes and helpers cost a sixth of a request's CPU.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A `POST` route served before express. `handle` answers, or calls `pass` to let express route
 * the request (Slack's other requests, to Bolt, with what the route read kept on the request).
 * It resolves once it has answered or passed; a rejection is answered 500 by the server.
 */
export interface FrontRoute {
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, pass: () => void): Promise<void>;
}

/** A request header's one value (a repeated header counts as absent). */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Answer with a JSON body, as express's `res.status(status).json(body)` does. */
export function answerJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** The body of a failed request's answer: the error's own message below 500, a pointer to the logs above. */
export function errorAnswerBody(status: number, error: unknown): { error: string; message: string } {
  return {
    error: status >= 500 ? 'internal_error' : 'bad_request',
    message: status >= 500 ? 'Internal error; see the bridge logs for the request id' : (error as Error).message,
  };
}

/** The status an error carries (`status`, as http-errors sets it), else 500. */
export function statusOf(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : 500;
}
