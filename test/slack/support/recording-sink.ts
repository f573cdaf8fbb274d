/**
 * A recording InboundSink: keeps every event the adapter hands over and answers with outcomes
 * the test sets, so tests see exactly what would reach the core.
 */
import type { AgentEvent, AgentEventOutcome, InboundSink } from '../../../src/core/channel-adapter.js';
import type { ChannelAddress, VisitorEvent, VisitorEventOutcome } from '../../../src/core/visitor-event.js';
import { waitUntil } from './wait-until.js';

/** The recording sink. */
export class RecordingSink implements InboundSink {
  readonly visitorEvents: VisitorEvent[] = [];
  readonly agentEvents: AgentEvent[] = [];
  /** Live conversation keys the "core" knows (for knowsAddress). */
  readonly liveKeys = new Set<string>();
  /** Ticket thread keys the "core" knows (for knowsTicketThread). */
  readonly ticketKeys = new Set<string>();
  visitorOutcome: (event: VisitorEvent) => VisitorEventOutcome = () => ({ status: 'accepted', conversationId: 'conv-1' });
  agentOutcome: (event: AgentEvent) => AgentEventOutcome = () => ({ status: 'accepted' });

  async visitorEvent(event: VisitorEvent): Promise<VisitorEventOutcome> {
    this.visitorEvents.push(event);
    return this.visitorOutcome(event);
  }

  async agentEvent(event: AgentEvent): Promise<AgentEventOutcome> {
    this.agentEvents.push(event);
    return this.agentOutcome(event);
  }

  async knowsAddress(channel: string, key: string): Promise<boolean> {
    return channel === 'slack' && this.liveKeys.has(key);
  }

  async knowsTicketThread(thread: ChannelAddress): Promise<boolean> {
    return this.ticketKeys.has(thread.key);
  }

  /** Wait for the n-th visitor event (1-based). */
  nthVisitorEvent(count: number): Promise<VisitorEvent> {
    return waitUntil(() => this.visitorEvents[count - 1], `visitor event #${count}`);
  }

  /** Wait for the n-th agent event (1-based). */
  nthAgentEvent(count: number): Promise<AgentEvent> {
    return waitUntil(() => this.agentEvents[count - 1], `agent event #${count}`);
  }
}
