import { describe, expect, it } from 'vitest';
import type { ActionContext, ActionHandler, ActionRequest } from '../../src/actions/action-handler.js';
import { ActionRegistry } from '../../src/actions/action-registry.js';
import { ActionFailedError, ActionNotFoundError, ConfigError, ConversationNotFoundError } from '../../src/core/errors.js';
import type { ConversationRecord } from '../../src/store/store.js';
import { slackConversation } from './conversation-fixture.js';

const conversation = slackConversation();

function registry(options: { defaultTimeoutMs?: number } = {}): ActionRegistry {
  const known = new Map<string, ConversationRecord>([[conversation.id, conversation]]);
  return new ActionRegistry({ getConversation: async (id) => known.get(id), ...options });
}

function request(name: string, platformConversationId = conversation.id): ActionRequest {
  return { name, platformConversationId, data: [{ key: 'userId', value: ['123345'], saveAs: 'customerId' }] };
}

function handler(run: (request: ActionRequest, context: ActionContext) => Promise<unknown>): ActionHandler {
  // The registry must cope with handlers that break their contract, so the return type is widened here.
  return { run: run as ActionHandler['run'] };
}

describe('ActionRegistry', () => {
  it('runs a registered handler with the request and the stored conversation', async () => {
    const actions = registry();
    const seen: Array<{ request: ActionRequest; context: ActionContext }> = [];
    actions.register('lookup', handler(async (req, context) => {
      seen.push({ request: req, context });
      return [{ key: 'found', value: true }, { key: 'count', value: 3 }, { key: 'secret', value: 'x', sanitize: true }];
    }));

    const results = await actions.run(request('lookup'));

    expect(results).toEqual([{ key: 'found', value: true }, { key: 'count', value: 3 }, { key: 'secret', value: 'x', sanitize: true }]);
    expect(seen[0]!.request).toEqual(request('lookup'));
    expect(seen[0]!.context.conversation).toEqual(conversation);
    expect(seen[0]!.context.signal.aborted).toBe(false);
  });

  it('gives the handler no conversation when the bridge does not know the id', async () => {
    const actions = registry();
    let context: ActionContext | undefined;
    actions.register('lookup', handler(async (_req, ctx) => {
      context = ctx;
      return [];
    }));
    await expect(actions.run(request('lookup', 'unknown-conversation'))).resolves.toEqual([]);
    expect(context).toBeDefined();
    expect(context!.conversation).toBeUndefined();
  });

  it('refuses an unknown action name with ActionNotFoundError', async () => {
    const actions = registry();
    actions.register('known', handler(async () => []));
    const error = await actions.run(request('updateCustomerBalance')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ActionNotFoundError);
    expect((error as ActionNotFoundError).code).toBe('action_not_found');
    expect((error as Error).message).toContain('"updateCustomerBalance"');
  });

  it('fails a handler that never resolves after its timeout and aborts its signal', async () => {
    const actions = registry();
    let signal: AbortSignal | undefined;
    actions.register('hang', handler((_req, ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    }), { timeoutMs: 40 });

    const error = await actions.run(request('hang')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ActionFailedError);
    expect((error as Error).message).toBe('Action "hang" timed out after 40 ms');
    expect(signal!.aborted).toBe(true);
    expect(signal!.reason).toBe(error);
  });

  it('uses the default deadline for actions registered without one', async () => {
    const actions = registry({ defaultTimeoutMs: 30 });
    actions.register('hang', handler(() => new Promise(() => undefined)));
    await expect(actions.run(request('hang'))).rejects.toThrow('Action "hang" timed out after 30 ms');
  });

  it('turns a foreign error into ActionFailedError that names the action but not the error text', async () => {
    const actions = registry();
    const thrown = new TypeError('GET https://crm.example.com/?token=s3cr3t-token failed');
    actions.register('crm', handler(async () => {
      throw thrown;
    }));

    const error = await actions.run(request('crm')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ActionFailedError);
    expect((error as Error).message).toBe('Action "crm" failed: its handler threw TypeError');
    expect((error as Error).message).not.toContain('s3cr3t');
    expect((error as Error).cause).toBe(thrown);
  });

  it('passes bridge errors from a handler through unchanged', async () => {
    const actions = registry();
    const failed = new ActionFailedError('Action "crm" failed: https://crm.example.com/x answered HTTP 503');
    const notFound = new ConversationNotFoundError('c-1');
    actions.register('crm', handler(async () => {
      throw failed;
    }));
    actions.register('lost', handler(async () => {
      throw notFound;
    }));
    await expect(actions.run(request('crm'))).rejects.toBe(failed);
    await expect(actions.run(request('lost'))).rejects.toBe(notFound);
  });

  it.each([
    ['not an array', { key: 'a', value: 'b' }, 'results: must be an array of {key, value, sanitize?}'],
    ['an object value', [{ key: 'a', value: { nested: true } }], 'results.0.value: must be a string, a finite number or a boolean'],
    ['a null value', [{ key: 'ok', value: 'x' }, { key: 'a', value: null }], 'results.1.value'],
    ['NaN', [{ key: 'a', value: Number.NaN }], 'results.0.value'],
    ['an empty key', [{ key: '', value: 'x' }], 'results.0.key: must be a non-empty string'],
    ['a missing key', [{ value: 'x' }], 'results.0.key'],
    ['a non-boolean sanitize', [{ key: 'a', value: 'x', sanitize: 'yes' }], 'results.0.sanitize'],
  ])('refuses results that are %s', async (_label, results, expected) => {
    const actions = registry();
    actions.register('bad', handler(async () => results));
    const error = await actions.run(request('bad')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ActionFailedError);
    expect((error as Error).message).toContain(`Action "bad" returned an invalid result at ${expected}`);
  });

  it('drops unknown fields from results', async () => {
    const actions = registry();
    actions.register('extra', handler(async () => [{ key: 'a', value: 'b', note: 'internal' }]));
    await expect(actions.run(request('extra'))).resolves.toEqual([{ key: 'a', value: 'b' }]);
  });

  it('refuses a duplicate name, an empty name and a bad timeout', () => {
    const actions = registry();
    actions.register('once', handler(async () => []));
    expect(() => actions.register('once', handler(async () => []))).toThrow(ConfigError);
    expect(() => actions.register('', handler(async () => []))).toThrow('An action needs a non-empty name');
    expect(() => actions.register('zero', handler(async () => []), { timeoutMs: 0 })).toThrow(
      'timeoutMs of action "zero" must be a positive whole number of milliseconds, got 0',
    );
    expect(actions.has('zero')).toBe(false);
    expect(actions.names()).toEqual(['once']);
    expect(() => registry({ defaultTimeoutMs: -1 })).toThrow(ConfigError);
  });

  it('builds the configured built-ins from bridge.yaml', async () => {
    const known = new Map([[conversation.id, conversation]]);
    const actions = ActionRegistry.fromConfig(
      [
        { name: 'profile', type: 'requester-profile', fields: ['name', 'email'] },
        { name: 'balance', type: 'http', url: 'http://127.0.0.1:9/balance', timeoutMs: 1000, sanitize: [], headers: {} },
      ],
      { getConversation: async (id) => known.get(id) },
    );
    expect(actions.names()).toEqual(['profile', 'balance']);
    await expect(actions.run({ name: 'profile', platformConversationId: conversation.id, data: [] })).resolves.toEqual([
      { key: 'name', value: 'Ada Lovelace' },
      { key: 'email', value: 'ada@example.com', sanitize: true },
    ]);
  });
});
