/**
 * Where the delivery loop sends each conversation's messages, by the channel in its address:
 * requester threads go to their adapter, ticket threads (`desk:<platform>`) to the desk side of
 * that platform's adapter, and widget conversations to Ultimate's widget API.
 */
import { WidgetChannel } from './bot/ultimate/widget-channel.js';
import type { Env } from './config/env.js';
import type { ChannelAdapter } from './core/channel-adapter.js';
import { deskChannelPrefix } from './core/handoff/handoff-service.js';
import { widgetChannel } from './core/handoff/widget-handoff.js';

/** Delivery targets for the enabled adapters. */
export function deliveryTargets(env: Env, adapters: ReadonlyMap<string, ChannelAdapter>): Map<string, Pick<ChannelAdapter, 'deliver'>> {
  const targets = new Map<string, Pick<ChannelAdapter, 'deliver'>>();
  for (const adapter of adapters.values()) {
    targets.set(adapter.channel, adapter);
    const desk = adapter.desk;
    if (desk) {
      targets.set(`${deskChannelPrefix}${adapter.channel}`, {
        deliver: (address, message) => desk.postToTicket({ ...address, channel: adapter.channel }, message),
      });
    }
  }
  const { apiKey, botId, apiUrl } = env.ultimate;
  if (apiKey && botId) targets.set(widgetChannel, new WidgetChannel({ apiUrl, apiKey, botId }));
  return targets;
}
