/**
 * The multi-workspace variables: SLACK_CLIENT_ID needs its companions and excludes
 * SLACK_BOT_TOKEN and SLACK_APP_TOKEN, SECRETS_KEY is 32 bytes (hex or base64), PUBLIC_URL an
 * http(s) URL; each mistake is one line naming the variable. Also SECRETS_KEY itself: sealing
 * with a random IV per write, and failing clearly under another key or when altered.
 */
import { describe, expect, it } from 'vitest';
import { loadEnv, secretsOf } from '../../src/config/env.js';
import { ConfigError } from '../../src/core/errors.js';
import { parseSecretsKey, SecretBox } from '../../src/secrets/secret-box.js';

const hexKey = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const oauthEnv = {
  TEAMS_ENABLED: 'false',
  SLACK_SIGNING_SECRET: 'signing',
  SLACK_CLIENT_ID: '2141029472.691202649728',
  SLACK_CLIENT_SECRET: 'client-secret',
  SLACK_STATE_SECRET: 'state-secret',
  SECRETS_KEY: hexKey,
  PUBLIC_URL: 'https://bridge.example.com/',
};

function failure(env: Record<string, string | undefined>): string {
  try {
    loadEnv(env, () => false);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the environment was accepted');
}

describe('multi-workspace environment', () => {
  it('resolves the OAuth settings; SLACK_BOT_TOKEN is not needed', () => {
    const env = loadEnv(oauthEnv, () => false);
    expect(env.slack?.botToken).toBeUndefined();
    expect(env.slack?.oauth).toEqual({
      clientId: '2141029472.691202649728',
      clientSecret: 'client-secret',
      stateSecret: 'state-secret',
      secretsKey: Buffer.from(hexKey, 'hex'),
      publicUrl: 'https://bridge.example.com',
    });
    expect(secretsOf(env)).toEqual(expect.arrayContaining(['client-secret', 'state-secret', hexKey]));
  });

  it.each([
    ['SLACK_CLIENT_SECRET', 'Invalid environment variable SLACK_CLIENT_SECRET: required for SLACK_CLIENT_ID'],
    ['SLACK_STATE_SECRET', 'Invalid environment variable SLACK_STATE_SECRET: required for SLACK_CLIENT_ID'],
    ['SECRETS_KEY', 'Invalid environment variable SECRETS_KEY: required for SLACK_CLIENT_ID'],
    ['PUBLIC_URL', 'Invalid environment variable PUBLIC_URL: required for SLACK_CLIENT_ID'],
    ['SLACK_SIGNING_SECRET', 'Invalid environment variable SLACK_SIGNING_SECRET: required for SLACK_CLIENT_ID'],
  ])('without %s stops with one line naming it', (variable, line) => {
    expect(failure({ ...oauthEnv, [variable]: undefined })).toBe(line);
  });

  it('refuses SLACK_BOT_TOKEN and SLACK_APP_TOKEN next to SLACK_CLIENT_ID', () => {
    expect(failure({ ...oauthEnv, SLACK_BOT_TOKEN: 'xoxb-1' })).toBe(
      "Invalid environment variable SLACK_BOT_TOKEN: must be unset with SLACK_CLIENT_ID (each workspace's token comes from its installation)",
    );
    expect(failure({ ...oauthEnv, SLACK_APP_TOKEN: 'xapp-1' })).toBe('Invalid environment variable SLACK_APP_TOKEN: must be unset with SLACK_CLIENT_ID (the OAuth routes need HTTP mode)');
  });

  it('refuses a client secret or state secret without SLACK_CLIENT_ID', () => {
    expect(failure({ ...oauthEnv, SLACK_CLIENT_ID: undefined, SLACK_BOT_TOKEN: 'xoxb-1' })).toBe(
      'Invalid environment variable SLACK_CLIENT_ID: required for SLACK_CLIENT_SECRET and SLACK_STATE_SECRET',
    );
  });

  it.each([
    ['too short', 'abcd'],
    ['63 hex characters', hexKey.slice(1)],
    ['base64 of 31 bytes', Buffer.alloc(31, 1).toString('base64')],
    ['not base64', `${'!'.repeat(43)}=`],
  ])('refuses a SECRETS_KEY that is %s', (_case, value) => {
    expect(failure({ ...oauthEnv, SECRETS_KEY: value })).toBe('Invalid environment variable SECRETS_KEY: must be 32 bytes: 64 hex characters, or base64 of 32 bytes');
  });

  it('refuses a PUBLIC_URL that is not an http(s) URL', () => {
    expect(failure({ ...oauthEnv, PUBLIC_URL: 'bridge.example.com' })).toBe('Invalid environment variable PUBLIC_URL: must be an http(s) URL');
  });

  it('accepts SECRETS_KEY as 64 hex characters or as base64 (and base64url) of 32 bytes', () => {
    const bytes = Buffer.alloc(32, 0xfb);
    expect(parseSecretsKey(bytes.toString('hex'))).toEqual(bytes);
    expect(parseSecretsKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseSecretsKey(bytes.toString('base64url'))).toEqual(bytes);
    expect(loadEnv({ ...oauthEnv, SECRETS_KEY: bytes.toString('base64') }, () => false).slack?.oauth?.secretsKey).toEqual(bytes);
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it('opens what it sealed, with a fresh IV on every seal', () => {
    const first = box.seal('xoxb-secret', 'record-1');
    const second = box.seal('xoxb-secret', 'record-1');
    expect(first).not.toBe(second);
    expect(first.split('.')[1]).not.toBe(second.split('.')[1]);
    expect(first).not.toContain('xoxb');
    expect(box.open(first, 'record-1')).toBe('xoxb-secret');
    expect(box.open(second, 'record-1')).toBe('xoxb-secret');
  });

  it('fails with one line naming SECRETS_KEY under another key, another record or an altered ciphertext', () => {
    const sealed = box.seal('xoxb-secret', 'record-1');
    const line = /^Invalid environment variable SECRETS_KEY: it does not decrypt record-\d \(stored with another key, or altered\)$/;
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed, 'record-1')).toThrow(line);
    expect(() => box.open(sealed, 'record-2')).toThrow(line);
    const parts = sealed.split('.');
    const altered = Buffer.from(parts[3]!, 'base64url');
    altered[0]! ^= 1;
    expect(() => box.open([...parts.slice(0, 3), altered.toString('base64url')].join('.'), 'record-1')).toThrow(line);
  });
});
