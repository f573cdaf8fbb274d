/**
 * A real HTTP server on loopback that records every request and answers from a script. Used
 * where the bridge runs as a separate process (msw cannot reach into it), e.g. restart tests.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded request. Form bodies are decoded, and their JSON-looking fields parsed. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** What the fake answered, once it has. */
  response?: ScriptedResponse;
}

/** What the script answers. */
export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A running fake server. */
export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Start a fake server on 127.0.0.1 with a random port. */
export async function startFakeServer(script: (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: decodeBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']),
      };
      requests.push(recorded);
      const answer = await script(recorded);
      recorded.response = answer;
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '{}' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function decodeBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (text === '') return {};
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const decoded: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(text)) decoded[key] = parseJsonField(value);
    return decoded;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { raw: text };
  }
}

/** Slack's Web API client sends nested fields (blocks) as JSON strings inside the form. */
function parseJsonField(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
