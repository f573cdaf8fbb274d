/**
 * The requester's profile as the bot's session metaData: string values only, personal data
 * marked `sanitize: true` so Ultimate keeps it out of its logs and analytics.
 */
import type { MetaDataEntry } from '../bot/bot-backend.js';
import type { RequesterProfile } from './visitor-event.js';

/** Build the metaData sent with the first message of a conversation. */
export function requesterMetaData(profile: RequesterProfile, platform: string): MetaDataEntry[] {
  const entries: MetaDataEntry[] = [
    { key: 'platform', value: platform },
    { key: 'userId', value: profile.id },
  ];
  const optional: Array<[string, string | undefined, boolean]> = [
    ['name', profile.name, false],
    ['email', profile.email, true],
    ['locale', profile.locale, false],
    ['timezone', profile.timezone, false],
    ['tenantId', profile.tenantId, false],
  ];
  for (const [key, value, sanitize] of optional) {
    if (value) entries.push(sanitize ? { key, value, sanitize: true } : { key, value });
  }
  for (const [key, value] of Object.entries(profile.extra ?? {})) {
    if (value) entries.push({ key, value });
  }
  return entries;
}
