import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionRequest, ActionResult } from '../../src/actions/action-handler.js';
import { ActionRegistry } from '../../src/actions/action-registry.js';
import { HttpAction, httpActionLimits, type HttpActionConfig } from '../../src/actions/http-action.js';
import { ActionFailedError } from '../../src/core/errors.js';
import { json, startLoopbackServer, type LoopbackServer } from './loopback-server.js';

// The Actions webhook request from seeds/002 (Ultimate "Receive events from the bot", Actions webhook).
const seedRequest: ActionRequest = {
  name: 'updateCustomerBalance',
  platformConversationId: '13427e90-f76a-47c2-a26d-ea0b4f1836c5',
  data: [
    { key: 'userId', value: ['123345'], saveAs: 'customerId' },
    { key: 'balance', value: ['100'] },
  ],
};

let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.respond((_request, response) => json(response, 200, {}));
});

function config(overrides: Partial<HttpActionConfig> = {}): HttpActionConfig {
  return {
    name: 'updateCustomerBalance',
    type: 'http',
    url: `${server.baseUrl}/balance?token=s3cr3t-query-token`,
    timeoutMs: 5000,
    sanitize: ['newBalance'],
    headers: { 'X-Api-Key': 'crm-key-123456' },
    ...overrides,
  };
}

function run(action: HttpAction, request = seedRequest, signal = new AbortController().signal): Promise<ActionResult[]> {
  return action.run(request, { signal });
}

async function failure(promise: Promise<unknown>): Promise<ActionFailedError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ActionFailedError);
  const message = (error as Error).message;
  expect(message).not.toContain('s3cr3t');
  expect(message).not.toContain('crm-key');
  return error as ActionFailedError;
}

describe('http action: the request', () => {
  it('POSTs the documented JSON body with the configured headers', async () => {
    await run(new HttpAction(config()));

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/balance?token=s3cr3t-query-token');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.headers['x-api-key']).toBe('crm-key-123456');
    expect(request!.body).toBe(
      JSON.stringify({
        name: 'updateCustomerBalance',
        platformConversationId: '13427e90-f76a-47c2-a26d-ea0b4f1836c5',
        data: { userId: '123345', balance: '100' },
        saveAs: { userId: 'customerId' },
      }),
    );
  });

  it('sends several or no values as an array and leaves saveAs out when no parameter has one', async () => {
    await run(new HttpAction(config()), {
      name: 'tag',
      platformConversationId: 'c-2',
      data: [
        { key: 'tags', value: ['vip', 'beta'] },
        { key: 'note', value: [] },
        { key: 'count', value: [3] },
      ],
    });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      name: 'tag',
      platformConversationId: 'c-2',
      data: { tags: ['vip', 'beta'], note: [], count: 3 },
    });
  });
});

describe('http action: the answer', () => {
  it('maps the scalar fields of an object, marks configured keys sanitize and renames saveAs keys', async () => {
    server.respond((_request, response) =>
      json(response, 200, { newBalance: 200, currency: 'EUR', vip: true, userId: '123345', nested: { a: 1 }, list: [1], nothing: null }),
    );
    await expect(run(new HttpAction(config()))).resolves.toEqual([
      { key: 'newBalance', value: 200, sanitize: true },
      { key: 'currency', value: 'EUR' },
      { key: 'vip', value: true },
      { key: 'customerId', value: '123345' },
    ]);
  });

  it('passes an answer shaped {results:[...]} through, adding sanitize for configured keys', async () => {
    server.respond((_request, response) =>
      json(response, 200, { results: [{ key: 'newBalance', value: '150' }, { key: 'card', value: '4242', sanitize: true }, { key: 'ok', value: false }] }),
    );
    await expect(run(new HttpAction(config()))).resolves.toEqual([
      { key: 'newBalance', value: '150', sanitize: true },
      { key: 'card', value: '4242', sanitize: true },
      { key: 'ok', value: false },
    ]);
  });

  it('marks a result sanitize when its saveAs name is listed', async () => {
    server.respond((_request, response) => json(response, 200, { userId: 'u-9' }));
    await expect(run(new HttpAction(config({ sanitize: ['customerId'] })))).resolves.toEqual([
      { key: 'customerId', value: 'u-9', sanitize: true },
    ]);
  });

  it('gives no results for an empty answer', async () => {
    server.respond((_request, response) => response.writeHead(204).end());
    await expect(run(new HttpAction(config()))).resolves.toEqual([]);
  });

  it('refuses {results} entries that are not valid results', async () => {
    server.respond((_request, response) => json(response, 200, { results: [{ key: 'a', value: { deep: 1 } }] }));
    const error = await failure(run(new HttpAction(config())));
    expect(error.message).toBe('Action "updateCustomerBalance" returned an invalid result at results.0.value: must be a string, a finite number or a boolean');
  });
});

describe('http action: failures', () => {
  it('names the status of a non-2xx answer', async () => {
    server.respond((_request, response) => json(response, 503, { error: 'maintenance' }));
    const error = await failure(run(new HttpAction(config())));
    expect(error.message).toBe(`Action "updateCustomerBalance" failed: ${server.baseUrl}/balance answered HTTP 503`);
  });

  it('does not follow a redirect', async () => {
    server.respond((_request, response) => response.writeHead(302, { location: `${server.baseUrl}/elsewhere` }).end());
    const error = await failure(run(new HttpAction(config())));
    expect(error.message).toContain('answered HTTP 302');
    expect(server.requests.map((request) => request.url)).toEqual(['/balance?token=s3cr3t-query-token']);
  });

  it('refuses a body that is not JSON', async () => {
    server.respond((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>ok</html>'));
    const error = await failure(run(new HttpAction(config())));
    expect(error.message).toBe(`Action "updateCustomerBalance" failed: ${server.baseUrl}/balance answered with a body that is not JSON`);
  });

  it('refuses JSON that is not an object', async () => {
    server.respond((_request, response) => json(response, 200, [{ key: 'a', value: 'b' }]));
    const error = await failure(run(new HttpAction(config())));
    expect(error.message).toContain('answered JSON that is not an object');
  });

  it('refuses an answer larger than its bound', async () => {
    server.respond((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ big: 'x'.repeat(httpActionLimits.maxAnswerBytes) })),
    );
    const error = await failure(run(new HttpAction(config())));
    expect(error.message).toContain(`answered more than ${httpActionLimits.maxAnswerBytes} bytes`);
  });

  it('times out on an endpoint that never answers', async () => {
    server.respond(() => undefined);
    const error = await failure(run(new HttpAction(config({ timeoutMs: 100 }))));
    expect(error.message).toBe(`Action "updateCustomerBalance" failed: ${server.baseUrl}/balance timed out after 100 ms`);
  });

  it('times out through the registry with the configured timeoutMs', async () => {
    server.respond(() => undefined);
    const actions = ActionRegistry.fromConfig([config({ timeoutMs: 120 })], { getConversation: async () => undefined });
    const error = await failure(actions.run(seedRequest));
    expect(error.message).toMatch(/timed out after 120 ms$/);
  });

  it('stops when its signal is aborted', async () => {
    server.respond(() => undefined);
    const controller = new AbortController();
    const received = server.nextRequest();
    const pending = run(new HttpAction(config()), seedRequest, controller.signal);
    await received;
    controller.abort();
    const error = await failure(pending);
    expect(error.message).toBe(`Action "updateCustomerBalance" failed: the call to ${server.baseUrl}/balance was aborted`);
  });

  it('says when the endpoint cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(run(new HttpAction(config({ url: `http://127.0.0.1:${port}/balance` }))));
    expect(error.message).toBe(`Action "updateCustomerBalance" failed: could not reach http://127.0.0.1:${port}/balance (ECONNREFUSED)`);
  });
});
