/**
 * A real HTTP server on 127.0.0.1 (port 0) that records every request and answers with whatever
 * the current test sets, for testing outbound calls without mocks.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the server answers; leave the response open to simulate an endpoint that never answers. */
export type Responder = (request: RecordedRequest, response: ServerResponse) => void;

/** A started loopback server. */
export interface LoopbackServer {
  baseUrl: string;
  requests: RecordedRequest[];
  respond(responder: Responder): void;
  /** Resolves when the next request has been received in full. */
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

/** Start a server; answers 200 `{}` until a test sets a responder. */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  let responder: Responder = (_request, response) => json(response, 200, {});
  const requests: RecordedRequest[] = [];
  const waiting: Array<(request: RecordedRequest) => void> = [];
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const recorded = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      waiting.splice(0).forEach((resolve) => resolve(recorded));
      responder(recorded, response);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    respond: (next) => {
      responder = next;
    },
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Answer with a JSON body. */
export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
