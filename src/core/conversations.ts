/**
 * The conversation registry: maps a platform thread (channel + key) to the bot's
 * platformConversationId and back, keeps the address needed to reply later, and tracks the
 * session. A thread whose conversation ended gets a new id on its next message.
 *
 * Every change is a compare-and-set on the stored version, re-read and re-applied on a lost
 * race, so concurrent events (a Teams reference refresh and an escalation, two replicas taking
 * the first two messages of a new DM) cannot undo each other.
 */
import { BridgeError } from './errors.js';
import type { Logger } from './logger.js';
import type { ConversationRecord, SessionState, Store } from '../store/store.js';
import type { ChannelAddress, RequesterProfile } from './visitor-event.js';

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
  /** True when this call created the conversation (its first event carries the profile). */
  isNew: boolean;
}

/** Rounds of re-read and re-apply before a compare-and-set gives up. */
const maxCasRounds = 20;

/** Conversations by id and by platform thread. */
export class ConversationRegistry {
  constructor(private readonly deps: ConversationRegistryDeps) {}

  /** The conversation with this platformConversationId. */
  async get(id: string): Promise<ConversationRecord | undefined> {
    return (await this.deps.store.getConversation(id))?.value;
  }

  /** The live (not ended) conversation of a thread, if any. */
  async findLive(channel: string, key: string): Promise<ConversationRecord | undefined> {
    const found = await this.deps.store.findConversationByAddress(channel, key);
    return found && found.value.session !== 'ended' ? found.value : undefined;
  }

  /**
   * The live conversation of the thread at `address`, or a new one. The stored address is
   * refreshed when the platform's reference changed (a Teams serviceUrl moves, for one).
   * `loadProfile` runs only when a conversation is created; its failure keeps `requester`.
   */
  async resolve(address: ChannelAddress, requester: RequesterProfile, loadProfile?: () => Promise<RequesterProfile>): Promise<ResolvedConversation> {
    const existing = await this.findLive(address.channel, address.key);
    if (existing) return { record: await this.refreshReference(existing, address), isNew: false };
    const now = this.deps.now();
    const record: ConversationRecord = {
      id: this.deps.newId(),
      address,
      requester: await this.profile(requester, loadProfile, address),
      session: 'active',
      createdAt: now,
      updatedAt: now,
    };
    const created = await this.deps.store.createConversation(record);
    if (created.created) return { record, isNew: true };
    // Another replica created the thread's conversation first: that one is the conversation.
    return { record: await this.refreshReference(created.existing.value, address), isNew: false };
  }

  /**
   * Apply `change` by compare-and-set; `change` returns the new record, or undefined to leave it.
   * Returns the record as stored afterwards (undefined when there is no such conversation).
   */
  async update(id: string, change: (record: ConversationRecord) => ConversationRecord | undefined): Promise<ConversationRecord | undefined> {
    for (let round = 0; round < maxCasRounds; round++) {
      const current = await this.deps.store.getConversation(id);
      if (!current) return undefined;
      const next = change(current.value);
      if (!next) return current.value;
      const updated = { ...next, updatedAt: this.deps.now() };
      if ((await this.deps.store.updateConversation(updated, current.version)) !== undefined) return updated;
    }
    throw new BridgeError('store_failed', `Conversation ${id} kept changing under concurrent updates`);
  }

  /** Move a conversation to another session state, keeping or setting its ticket. */
  setSession(id: string, session: SessionState, ticketId?: string): Promise<ConversationRecord | undefined> {
    return this.update(id, (record) => (record.session === session && record.ticketId === ticketId ? undefined : { ...record, session, ticketId }));
  }

  /**
   * The conversation with a given id that lives outside a platform thread (Ultimate's widget):
   * created when absent or ended, else the live one.
   */
  async adopt(id: string, address: ChannelAddress): Promise<ConversationRecord> {
    const now = this.deps.now();
    const record: ConversationRecord = { id, address, requester: { id }, session: 'active', createdAt: now, updatedAt: now };
    const created = await this.deps.store.createConversation(record);
    if (created.created) return record;
    if (created.existing.value.session !== 'ended') return created.existing.value;
    return (await this.update(id, (stored) => (stored.session === 'ended' ? { ...stored, session: 'active', ticketId: undefined } : undefined))) ?? record;
  }

  private refreshReference(record: ConversationRecord, address: ChannelAddress): Promise<ConversationRecord> {
    if (sameReference(record.address, address)) return Promise.resolve(record);
    return this.update(record.id, (stored) => (sameReference(stored.address, address) ? undefined : { ...stored, address })).then((updated) => updated ?? record);
  }

  private async profile(requester: RequesterProfile, loadProfile: (() => Promise<RequesterProfile>) | undefined, address: ChannelAddress): Promise<RequesterProfile> {
    if (!loadProfile) return requester;
    try {
      return { ...requester, ...(await loadProfile()) };
    } catch (error) {
      // A profile lookup failing must not lose the requester's message: go on with what the event carries.
      this.deps.logger.warn({ err: error, channel: address.channel, key: address.key }, 'requester profile lookup failed');
      return requester;
    }
  }
}

function sameReference(stored: ChannelAddress, incoming: ChannelAddress): boolean {
  return JSON.stringify(stored.reference) === JSON.stringify(incoming.reference);
}
