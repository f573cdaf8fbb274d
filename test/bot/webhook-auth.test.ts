/** redactUrl and the token middleware's set-up (the middleware itself is exercised over HTTP in the route tests). */
import { describe, expect, it } from 'vitest';
import { redactUrl, requireWebhookToken } from '../../src/http/webhook-auth.js';

describe('redactUrl', () => {
  it.each([
    ['/converse-webhook?token=s3cret', '/converse-webhook'],
    ['/converse-webhook?a=1&token=s3cret&b=2', '/converse-webhook?a=1&b=2'],
    ['/converse-webhook?token=s3cret&token=again', '/converse-webhook'],
    ['/converse-webhook?to%6Ben=s3cret&x=%20y', '/converse-webhook?x=%20y'],
    ['https://bridge.example.com/action-webhook?token=s3cret#frag', 'https://bridge.example.com/action-webhook#frag'],
    ['/converse-webhook?tokens=keep&mytoken=keep', '/converse-webhook?tokens=keep&mytoken=keep'],
    ['/converse-webhook', '/converse-webhook'],
    ['/converse-webhook?', '/converse-webhook'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('requireWebhookToken', () => {
  it('refuses an empty token at set-up', () => {
    expect(() => requireWebhookToken('')).toThrow(/non-empty token/);
  });
});
