/**
 * Reading what the bridge needs from an inbound Teams activity: who wrote, in which scope,
 * whether the bot was @mentioned, the team and tenant, attached files. Pure functions over the
 * plain activity JSON, so fixtures copied from Microsoft's documentation test them directly.
 */
import type { RequesterProfile } from '../../src/core/visitor-event.js';

/** The account fields Teams sends for users and bots. */
export interface AccountFields {
  id?: string;
  name?: string;
  aadObjectId?: string;
}

/** The fields of an inbound activity the bridge reads. */
export interface InboundActivity {
  type?: string;
  id?: string;
  text?: string;
  value?: unknown;
  replyToId?: string;
  action?: string;
  locale?: string;
  localTimezone?: string;
  from?: AccountFields;
  recipient?: AccountFields;
  membersAdded?: AccountFields[];
  conversation?: { id?: string; conversationType?: string; tenantId?: string };
  channelData?: { tenant?: { id?: string }; team?: { id?: string }; channel?: { id?: string } } & Record<string, unknown>;
  entities?: Array<{ type?: string; mentioned?: AccountFields; timezone?: string } & Record<string, unknown>>;
  attachments?: Array<{ contentType?: string; contentUrl?: string; name?: string; content?: unknown }>;
}

/** `personal`, `groupChat` or `channel` (the Playground and older payloads may omit it). */
export function conversationTypeOf(activity: InboundActivity): string {
  const declared = activity.conversation?.conversationType;
  if (declared) return declared;
  if (activity.channelData?.channel?.id) return 'channel';
  return 'personal';
}

/** Whether messages here reach the bot only when they @mention it (channels and group chats). */
export function isSharedConversation(activity: InboundActivity): boolean {
  return conversationTypeOf(activity) !== 'personal';
}

/** Whether the activity @mentions the bot that received it. */
export function mentionsBot(activity: InboundActivity): boolean {
  const botId = activity.recipient?.id;
  return Boolean(botId) && (activity.entities ?? []).some((entity) => entity.type === 'mention' && entity.mentioned?.id === botId);
}

/** The tenant: channelData is the documented source, the conversation a fallback. */
export function tenantOf(activity: InboundActivity): string | undefined {
  return activity.channelData?.tenant?.id ?? activity.conversation?.tenantId;
}

/** The team a channel conversation belongs to. */
export function teamOf(activity: InboundActivity): string | undefined {
  return activity.channelData?.team?.id;
}

/** Whether a conversationUpdate / installationUpdate means the bot was just installed in a personal chat. */
export function isPersonalInstall(activity: InboundActivity): boolean {
  if (conversationTypeOf(activity) !== 'personal') return false;
  if (activity.type === 'installationUpdate') return activity.action?.toLowerCase() === 'add';
  const botId = activity.recipient?.id;
  return activity.type === 'conversationUpdate' && Boolean(botId) && (activity.membersAdded ?? []).some((member) => member.id === botId);
}

/** The requester as the activity describes them (the AAD object id when Teams sends one). */
export function requesterOf(activity: InboundActivity): RequesterProfile {
  const from = activity.from ?? {};
  const profile: RequesterProfile = { id: from.aadObjectId ?? from.id ?? 'unknown' };
  if (from.name) profile.name = from.name;
  const tenantId = tenantOf(activity);
  if (tenantId) profile.tenantId = tenantId;
  if (activity.locale) profile.locale = activity.locale;
  const timezone = activity.localTimezone ?? activity.entities?.find((entity) => entity.type === 'clientInfo')?.timezone;
  if (typeof timezone === 'string') profile.timezone = timezone;
  if (from.id) profile.extra = { teamsUserId: from.id };
  return profile;
}

/** Links to the files and images a user attached (Teams file cards and inline images). */
export function fileUrlsOf(activity: InboundActivity): string[] {
  const urls: string[] = [];
  for (const attachment of activity.attachments ?? []) {
    const content = attachment.content as { downloadUrl?: unknown } | undefined;
    if (attachment.contentType === 'application/vnd.microsoft.teams.file.download.info' && typeof content?.downloadUrl === 'string') {
      urls.push(content.downloadUrl);
    } else if (attachment.contentType?.startsWith('image/') && attachment.contentUrl) {
      urls.push(attachment.contentUrl);
    }
  }
  return urls;
}

/** Message text with the links of attached files appended, as the bot gets it. */
export function textWithFiles(text: string, fileUrls: string[]): string {
  return [text.trim(), ...fileUrls].filter(Boolean).join('\n');
}
