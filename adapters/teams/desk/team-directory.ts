/**
 * Where to reach a desk's team and channel proactively. A proactive turn needs a service URL,
 * the tenant and the bot's account; Teams sends them with every activity from a team (the app's
 * installation, any @mention), so the adapter learns them per team and channel. Until it has
 * seen one (e.g. right after a restart), it uses the global Teams service URL, which Microsoft
 * routes to the right region, and the configured tenant.
 */
import { LRUCache } from 'lru-cache';
import type { DeskTarget } from '../../../src/core/channel-adapter.js';
import type { ChannelAddress } from '../../../src/core/visitor-event.js';
import { tenantOf, teamOf, type InboundActivity } from '../activity-fields.js';
import { addressOf, channelOf } from '../conversation-address.js';
import { teamsLimits } from '../limits.js';

/** The global Bot Framework service URL for Teams. */
export const globalTeamsServiceUrl = 'https://smba.trafficmanager.net/teams/';

/** How to reach one team. */
export interface TeamContext {
  serviceUrl: string;
  tenantId?: string;
  bot: { id: string; name?: string };
}

/** Team and channel contexts learned from inbound activities, with configured defaults. */
export class TeamDirectory {
  private readonly known = new LRUCache<string, TeamContext>({ max: teamsLimits.knownTeamsMax });

  constructor(private readonly defaults: { serviceUrl: string; tenantId?: string; botAppId: string }) {}

  /** Remember how the team and channel of an inbound activity are reached. */
  learn(activity: InboundActivity & { serviceUrl?: string }): void {
    const team = teamOf(activity);
    const channel = activity.channelData?.channel?.id;
    const botId = activity.recipient?.id;
    if ((!team && !channel) || !activity.serviceUrl || !botId) return;
    const context: TeamContext = { serviceUrl: activity.serviceUrl, tenantId: tenantOf(activity), bot: { id: botId, name: activity.recipient?.name } };
    if (team) this.known.set(team, context);
    if (channel) this.known.set(channel, context);
  }

  /** How to reach a desk: what was learned for its channel or team, else the defaults. */
  contextOf(desk: DeskTarget): TeamContext {
    const learned = this.known.get(channelOf(desk.channel)) ?? (desk.team ? this.known.get(desk.team) : undefined);
    return learned ?? { serviceUrl: this.defaults.serviceUrl, tenantId: this.defaults.tenantId, bot: { id: `28:${this.defaults.botAppId}` } };
  }

  /** The address of a conversation in the desk's team (the channel, a thread, or the team itself). */
  addressIn(desk: DeskTarget, conversationId: string): ChannelAddress {
    const context = this.contextOf(desk);
    return addressOf({
      reference: {
        channelId: 'msteams',
        serviceUrl: context.serviceUrl,
        conversation: { id: conversationId, isGroup: true, conversationType: 'channel', ...(context.tenantId ? { tenantId: context.tenantId } : {}) },
        bot: context.bot,
      },
      teamId: desk.team,
      tenantId: context.tenantId,
    });
  }
}
