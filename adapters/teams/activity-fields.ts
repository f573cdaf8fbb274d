/**
 * Reading what the bridge needs from an inbound Teams activity: who wrote, in which scope,
 * whether the bot was @mentioned, the team and tenant, attached files. Pure functions over the
 * plain activity JSON, so fixtures copied from Microsoft's documentation test them directly.
 * The route has checked the activity against `inboundActivitySchema`, whose type this reads.
 */
import type { RequesterProfile } from '../../src/core/visitor-event.js';
import type { InboundActivity } from './activity-schema.js';

/** Re-exported so readers of activities need one import. */
export type { InboundActivity } from './activity-schema.js';

/** `personal`, `groupChat` or `channel` (the Playground and older payloads may omit it). */
export function conversationTypeOf(activity: InboundActivity): string {
  const declared = activity.conversation.conversationType;
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
  const botId = activity.recipient.id;
  return (activity.entities ?? []).some((entity) => entity.type === 'mention' && entity.mentioned?.id === botId);
}

/** The tenant: channelData is the documented source, the conversation a fallback. */
export function tenantOf(activity: InboundActivity): string | undefined {
  return activity.channelData?.tenant?.id ?? activity.conversation.tenantId ?? undefined;
}

/** The team a channel conversation belongs to. */
export function teamOf(activity: InboundActivity): string | undefined {
  return activity.channelData?.team?.id ?? undefined;
}

/** Whether a conversationUpdate / installationUpdate means the bot was just installed in a personal chat. */
export function isPersonalInstall(activity: InboundActivity): boolean {
  if (conversationTypeOf(activity) !== 'personal') return false;
  if (activity.type === 'installationUpdate') return activity.action?.toLowerCase() === 'add';
  const botId = activity.recipient.id;
  return activity.type === 'conversationUpdate' && (activity.membersAdded ?? []).some((member) => member.id === botId);
}

/** The requester as the activity describes them (the AAD object id when Teams sends one). */
export function requesterOf(activity: InboundActivity): RequesterProfile {
  const from = activity.from;
  const profile: RequesterProfile = { id: from.aadObjectId || from.id };
  if (from.name) profile.name = from.name;
  const tenantId = tenantOf(activity);
  if (tenantId) profile.tenantId = tenantId;
  if (activity.locale) profile.locale = activity.locale;
  const timezone = activity.localTimezone ?? activity.entities?.find((entity) => entity.type === 'clientInfo')?.timezone;
  if (typeof timezone === 'string') profile.timezone = timezone;
  profile.extra = { teamsUserId: from.id };
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

/**
 * The message text without the @mention of the bot that received it (Teams puts `<at>Bot</at>`
 * in the text of channel messages). botbuilder's `removeRecipientMention` does this too, but it
 * changes the activity and throws on a mention entity without `type`, `text` or `mentioned`.
 */
export function textWithoutBotMention(activity: InboundActivity): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    if (entity.type === 'mention' && entity.mentioned?.id === activity.recipient.id && entity.text) text = text.replace(entity.text, '');
  }
  return text.trim();
}

/** Message text with the links of attached files appended, as the bot gets it. */
export function textWithFiles(text: string, fileUrls: string[]): string {
  return [text.trim(), ...fileUrls].filter(Boolean).join('\n');
}
