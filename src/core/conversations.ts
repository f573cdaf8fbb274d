/**
 * The conversation registry: maps a platform thread (channel + key) to the bot's
 * platformConversationId and back, keeps the address needed to reply later, and tracks the
 * session. A thread whose conversation ended gets a new id on its next message.
 */
import type { Logger } from './logger.js';
import type { ConversationRecord, SessionState, Store } from '../store/store.js';
import type { ChannelAddress, VisitorEvent } from './visitor-event.js';

/** What the registry needs. `newId` and `now` are parameters so tests fix them. */
export interface ConversationRegistryDeps {
  store: Store;
  logger: Logger;
  now: () => number;
  newId: () => string;
}

/** A conversation resolved for an inbound event. */
export interface ResolvedConversation {
  record: ConversationRecord;
  /** True when this event started the conversation (its first event carries the profile). */
  isNew: boolean;
}

/** Conversations by id and by platform thread. */
export class ConversationRegistry {
  constructor(private readonly deps: ConversationRegistryDeps) {}

  /** The conversation with this platformConversationId. */
  get(id: string): Promise<ConversationRecord | undefined> {
    return this.deps.store.getConversation(id);
  }

  /** The live (not ended) conversation of a thread, if any. */
  async findLive(channel: string, key: string): Promise<ConversationRecord | undefined> {
    const record = await this.deps.store.findConversationByAddress(channel, key);
    return record && record.session !== 'ended' ? record : undefined;
  }

  /**
   * The live conversation of the event's thread, or a new one. The stored address is refreshed
   * when the platform's reference changed (a Teams serviceUrl moves, for one).
   */
  async resolve(event: VisitorEvent): Promise<ResolvedConversation> {
    const { address } = event;
    const existing = await this.findLive(address.channel, address.key);
    if (existing) {
      if (!sameReference(existing.address, address)) {
        const refreshed = { ...existing, address, updatedAt: this.deps.now() };
        await this.deps.store.saveConversation(refreshed);
        return { record: refreshed, isNew: false };
      }
      return { record: existing, isNew: false };
    }
    const now = this.deps.now();
    const record: ConversationRecord = {
      id: this.deps.newId(),
      address,
      requester: await this.loadProfile(event),
      session: 'active',
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.saveConversation(record);
    return { record, isNew: true };
  }

  /** Move a conversation to another session state; returns the updated record. */
  async setSession(id: string, session: SessionState, ticketId?: string): Promise<ConversationRecord | undefined> {
    const record = await this.deps.store.getConversation(id);
    if (!record) return undefined;
    const updated: ConversationRecord = { ...record, session, ticketId, updatedAt: this.deps.now() };
    await this.deps.store.saveConversation(updated);
    return updated;
  }

  /** Save a conversation created outside a platform thread (Ultimate's widget). */
  async adopt(id: string, address: ChannelAddress, session: SessionState): Promise<ConversationRecord> {
    const now = this.deps.now();
    const record: ConversationRecord = { id, address, requester: { id }, session, createdAt: now, updatedAt: now };
    await this.deps.store.saveConversation(record);
    return record;
  }

  private async loadProfile(event: VisitorEvent) {
    if (!event.loadProfile) return event.requester;
    try {
      return { ...event.requester, ...(await event.loadProfile()) };
    } catch (error) {
      // A profile lookup failing must not lose the requester's message: go on with what the event carries.
      this.deps.logger.warn({ err: error, channel: event.address.channel }, 'requester profile lookup failed');
      return event.requester;
    }
  }
}

function sameReference(stored: ChannelAddress, incoming: ChannelAddress): boolean {
  return JSON.stringify(stored.reference) === JSON.stringify(incoming.reference);
}
