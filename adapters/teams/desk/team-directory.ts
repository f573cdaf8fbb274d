/**
 * Where to reach a desk's team and channel proactively: a service URL, the tenant and the bot's
 * account. Fail closed (DESIGN 5.5): the desk's team is the `team` of its bridge.yaml entry and
 * the tenant is `MicrosoftAppTenantId`, never what an activity claims. Traffic may only teach the
 * regional service URL of a team, and only when auth is on, so that every activity was signed by
 * the Bot Framework for that service URL (botbuilder checks the token's `serviceUrl` claim); with
 * auth off (Playground, emulator) nothing is learned. Until a team is heard from, the global
 * Teams service URL is used, which Microsoft routes to the right region.
 */
import { LRUCache } from 'lru-cache';
import type { DeskTarget } from '../../../src/core/channel-adapter.js';
import type { ChannelAddress } from '../../../src/core/visitor-event.js';
import { tenantOf, teamOf, type InboundActivity } from '../activity-fields.js';
import { addressOf, teamsChannelId } from '../conversation-address.js';
import { teamsLimits } from '../limits.js';

/** The global Bot Framework service URL for Teams. */
export const globalTeamsServiceUrl = 'https://smba.trafficmanager.net/teams/';

/** How to reach one team. */
export interface TeamContext {
  serviceUrl: string;
  tenantId?: string;
  bot: { id: string };
}

/** What the directory is configured with. */
export interface TeamDirectoryOptions {
  /** Service URL of teams not heard from yet. */
  serviceUrl: string;
  /** The app's tenant (`MicrosoftAppTenantId`); activities of other tenants teach nothing. */
  tenantId?: string;
  botAppId: string;
  /** Whether inbound activities are authenticated (auth on), the only case in which they teach service URLs. */
  learnsFromTraffic: boolean;
}

/** Service URLs of desk teams, learned from authenticated activities, over configured defaults. */
export class TeamDirectory {
  private readonly serviceUrls = new LRUCache<string, string>({ max: teamsLimits.knownTeamsMax });

  constructor(private readonly options: TeamDirectoryOptions) {}

  /** Remember the service URL of the team an inbound activity came from (auth on only). */
  learn(activity: InboundActivity): void {
    if (!this.options.learnsFromTraffic) return;
    const team = teamOf(activity);
    if (!team) return;
    const { tenantId } = this.options;
    if (tenantId && tenantOf(activity) !== tenantId) return;
    this.serviceUrls.set(team, activity.serviceUrl);
  }

  /** How to reach a desk: its configured team's learned service URL, else the defaults. */
  contextOf(desk: DeskTarget): TeamContext {
    const learned = desk.team ? this.serviceUrls.get(desk.team) : undefined;
    return { serviceUrl: learned ?? this.options.serviceUrl, tenantId: this.options.tenantId, bot: { id: `28:${this.options.botAppId}` } };
  }

  /** The address of a conversation in the desk's team (the channel, a thread, or the team itself). */
  addressIn(desk: DeskTarget, conversationId: string): ChannelAddress {
    const context = this.contextOf(desk);
    return addressOf({
      reference: {
        channelId: teamsChannelId,
        serviceUrl: context.serviceUrl,
        conversation: { id: conversationId, isGroup: true, conversationType: 'channel', ...(context.tenantId ? { tenantId: context.tenantId } : {}) },
        bot: context.bot,
      },
      teamId: desk.team,
      tenantId: context.tenantId,
    });
  }
}
