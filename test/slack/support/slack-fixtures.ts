/**
 * Slack payload fixtures (see test/fixtures/slack/README.md for where each came from), loaded as
 * fresh copies so a test can change one field without touching the others' copy.
 */
import { readFileSync } from 'node:fs';

/** The fixture files. */
export type FixtureName =
  | 'event-message-im'
  | 'event-app-mention'
  | 'event-thread-reply'
  | 'event-bot-message'
  | 'event-message-changed'
  | 'event-app-home-opened'
  | 'event-file-share'
  | 'url-verification'
  | 'block-actions'
  | 'slash-command'
  | 'users-info'
  | 'oauth-v2-access'
  | 'oauth-v2-access-org'
  | 'event-app-uninstalled'
  | 'event-tokens-revoked';

/** A JSON object fixture. */
export type Json = Record<string, any>; // fixtures are arbitrary JSON that tests edit field by field

/** A fresh copy of a fixture. */
export function fixture(name: FixtureName): Json {
  return JSON.parse(readFileSync(new URL(`../../fixtures/slack/${name}.json`, import.meta.url), 'utf8')) as Json;
}
