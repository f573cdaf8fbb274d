/**
 * The Teams desk side: a ticket is a new post in the desk channel (an Adaptive Card with the
 * ticket controls), its reply thread is where requester and agents talk, the post is updated in place
 * on every state change, and presence is the team roster read in a proactive turn plus
 * Microsoft Graph presence. Sends go through the same proactive sender as requester messages,
 * so errors are the same DeliveryErrors and the connector is called once per attempt.
 */
import { TeamsInfo, type Activity, type TeamsChannelAccount, type TurnContext } from 'botbuilder';
import { LRUCache } from 'lru-cache';
import type { BotMessage, MessageSender } from '../../../src/core/bot-message.js';
import type { DeliveryContext, DeskNote, DeskSide, DeskTarget, PresenceReadRequest, TicketView } from '../../../src/core/channel-adapter.js';
import type { OutgoingActivity } from '../activity-shapes.js';
import { escapeMarkdown } from '../safe-text.js';
import type { ChannelAddress } from '../../../src/core/visitor-event.js';
import { DeliveryError } from '../../../src/core/errors.js';
import { channelOf, targetOf, threadOf } from '../conversation-address.js';
import { teamsLimits } from '../limits.js';
import type { ProactiveSender } from '../proactive-sender.js';
import { renderActivities } from '../render-activities.js';
import type { GraphPresence } from './graph-presence.js';
import { renderTicketCard } from './render-ticket-card.js';
import type { TeamDirectory } from './team-directory.js';

/** What the desk side is built from. */
export interface TeamsDeskDeps {
  sender: ProactiveSender;
  botAppId: string;
  directory: TeamDirectory;
  presence: GraphPresence;
  /** Ticket threads posted by this adapter (the fallback when the core cannot say). */
  postedThreads: LRUCache<string, true>;
}

/** Create the Teams desk side. */
export function createTeamsDesk(deps: TeamsDeskDeps): DeskSide {
  /** Names of roster members by Azure AD object id, as the last roster read listed them. */
  const memberNames = new LRUCache<string, string>({ max: teamsLimits.rosterMembersMax });
  return {
    async postTicket(desk: DeskTarget, ticket: TicketView): Promise<ChannelAddress> {
      const channel = channelOf(desk.channel);
      const card = renderTicketCard(ticket) as Partial<Activity>;
      const [, createdId] = await deps.sender.run(deps.directory.addressIn(desk, channel), 'ticket post', (context) =>
        TeamsInfo.sendMessageToTeamsChannel(context, card as Activity, channel, deps.botAppId),
      );
      if (!createdId) throw new DeliveryError('Teams created the ticket post but returned no id', { retryable: false, platformCode: 'no_id' });
      // With CloudAdapter, TeamsInfo returns the new thread's conversation id (`channel;messageid=…`);
      // older adapters returned the bare message id. Both name the same thread.
      const thread = deps.directory.addressIn(desk, createdId.includes(';messageid=') ? createdId : threadOf(channel, createdId));
      deps.postedThreads.set(thread.key, true);
      return thread;
    },

    async updateTicket(ticketThread: ChannelAddress, ticket: TicketView): Promise<void> {
      const postId = postIdOf(ticketThread);
      await deps.sender.run(ticketThread, 'ticket update', async (context) => {
        await context.updateActivity({ ...(renderTicketCard(ticket) as Partial<Activity>), id: postId });
      });
    },

    async postToTicket(ticketThread: ChannelAddress, message: BotMessage & { sender?: MessageSender }, context: DeliveryContext): Promise<void> {
      await deps.sender.send(ticketThread, renderActivities(message), context);
    },

    presence: {
      /** The team roster's Azure AD object ids, read in a proactive turn. */
      async members(desk: DeskTarget): Promise<string[]> {
        const team = desk.team ?? channelOf(desk.channel);
        const members = await deps.sender.run(deps.directory.addressIn(desk, team), 'roster', (context) => roster(context, team));
        for (const member of members) if (member.aadObjectId && member.name) memberNames.set(member.aadObjectId, member.name);
        return [...new Set(members.map((member) => member.aadObjectId).filter((id): id is string => Boolean(id)))];
      },
      /** Graph presence of the members, batched. */
      readPresence: (request: PresenceReadRequest) => deps.presence.read(request.userIds, request.onReading, deps.directory.contextOf(request.desk).tenantId),
    },

    /** A note in the ticket thread; a member mention is a Teams `<at>` mention by Azure AD object id. */
    async postNote(ticketThread: ChannelAddress, note: DeskNote, context: DeliveryContext): Promise<void> {
      await deps.sender.send(ticketThread, [noteActivity(note)], context);
    },

    async memberName(_desk: DeskTarget, userId: string): Promise<string | undefined> {
      return memberNames.get(userId);
    },

    async linkTo(address: ChannelAddress): Promise<string | undefined> {
      // Only a channel thread has a link an agent can open; personal and group chats are private.
      const messageId = address.key.split(';messageid=')[1];
      if (!messageId) return undefined;
      const { tenantId } = targetOf(address);
      const query = tenantId ? `?tenantId=${encodeURIComponent(tenantId)}` : '';
      return `https://teams.microsoft.com/l/message/${encodeURIComponent(channelOf(address.key))}/${encodeURIComponent(messageId)}${query}`;
    },
  };
}

/** A bridge note as an activity: its text escaped, a member mention as a mention entity, a configured mention as written. */
function noteActivity(note: DeskNote): OutgoingActivity {
  const text = escapeMarkdown(note.text);
  if (note.mention?.kind === 'member') {
    const tag = `<at>${escapeMarkdown(note.mention.name)}</at>`;
    return { type: 'message', text: `${tag} ${text}`, textFormat: 'markdown', entities: [{ type: 'mention', text: tag, mentioned: { id: note.mention.id, name: note.mention.name } }] };
  }
  const configured = note.mention?.kind === 'configured' ? `${note.mention.value} ` : '';
  return { type: 'message', text: `${configured}${text}`, textFormat: 'markdown' };
}

/** The team's members, page by page, up to the bound. */
async function roster(context: TurnContext, teamId: string): Promise<TeamsChannelAccount[]> {
  const members: TeamsChannelAccount[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await TeamsInfo.getPagedTeamMembers(context, teamId, teamsLimits.rosterPageSize, continuationToken);
    members.push(...page.members);
    continuationToken = page.continuationToken || undefined;
  } while (continuationToken && members.length < teamsLimits.rosterMembersMax);
  return members.slice(0, teamsLimits.rosterMembersMax);
}

/** The id of a ticket thread's root post (the ticket card). */
function postIdOf(thread: ChannelAddress): string {
  const postId = thread.key.split(';messageid=')[1];
  if (!postId) throw new DeliveryError(`Not a Teams ticket thread: ${thread.key}`, { retryable: false, platformCode: 'invalid_address' });
  return postId;
}
