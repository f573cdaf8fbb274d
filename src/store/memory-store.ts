/**
 * The in-process store for tests and development: lru-cache maps, nothing survives a restart.
 * The outbox lives in memory-outbox.ts; this file adds conversations, claims and records.
 *
 * Bounds: conversations, thread bindings, claims, records and lists are each an LRU of at most
 * `limits.maxMemoryEntries` entries (default 10,000), and all but claims also expire
 * `limits.retentionMs` after their last write; claims expire by their own TTL. Every operation
 * runs without an await between its read and its write, so each is atomic in the one process.
 */
import { LRUCache } from 'lru-cache';
import { BridgeError } from '../core/errors.js';
import type { ConversationRecord, CreateConversationResult, ListAppend, Store, Versioned } from './store.js';
import type { StoreOptions } from './store-limits.js';
import { createBlockedBy, flattened, requireInteger, toJson } from './store-rules.js';
import { MemoryOutbox } from './memory-outbox.js';

interface Claim {
  owner: string;
  expiresAt: number;
}

/**
 * A kept record as one string: its version, a space, its JSON text. One flat string per record
 * instead of a wrapper object around one, about 40 bytes less for every idle conversation.
 */
type StoredRecord = string;

/**
 * A kept list as one string: the number of items and a colon, then each item as its length, a
 * colon and its text, oldest first. One flat string instead of an array of strings: about 75
 * bytes less for a two-turn transcript; an append copies the string once and reads no item but
 * the ones it drops.
 */
type StoredList = string;

/** The memory store (`STORE_URL=memory:`). */
export class MemoryStore extends MemoryOutbox implements Store {
  readonly kind = 'memory';
  private readonly conversations: LRUCache<string, StoredRecord>;
  private readonly addresses: LRUCache<string, string>;
  private readonly claims: LRUCache<string, Claim>;
  private readonly records: LRUCache<string, StoredRecord>;
  private readonly lists: LRUCache<string, StoredList>;
  private closed = false;

  constructor(options: StoreOptions = {}) {
    super(options);
    this.conversations = this.retainedCache();
    this.addresses = this.retainedCache();
    this.records = this.retainedCache();
    this.lists = this.retainedCache();
    // Claims carry their own TTL per entry; the cache TTL only frees expired ones early.
    this.claims = new LRUCache<string, Claim>({ max: this.limits.maxMemoryEntries, ...this.cacheClock() });
  }

  async getConversation(id: string): Promise<Versioned<ConversationRecord> | undefined> {
    return this.readConversation(id);
  }

  async findConversationByAddress(channel: string, key: string): Promise<Versioned<ConversationRecord> | undefined> {
    const id = this.addresses.get(addressKey(channel, key));
    return id === undefined ? undefined : this.readConversation(id);
  }

  async createConversation(record: ConversationRecord): Promise<CreateConversationResult> {
    const json = conversationJson(record);
    const thread = addressKey(record.address.channel, record.address.key);
    const boundId = this.addresses.get(thread);
    const bound = boundId === undefined ? undefined : this.readConversation(boundId);
    const blocked = createBlockedBy(this.readConversation(record.id), bound);
    if (blocked) return blocked;
    // Kept once for both maps, and flat: crypto.randomUUID builds its string from 16 parts.
    const id = flattened(record.id);
    this.conversations.set(id, storedRecord(1, json));
    this.addresses.set(thread, id);
    return { created: true, version: 1 };
  }

  async updateConversation(record: ConversationRecord, expectedVersion: number): Promise<number | undefined> {
    requireInteger('expectedVersion', expectedVersion, 0);
    const json = conversationJson(record);
    const version = versionOf(this.conversations.get(record.id));
    if (version === undefined || version !== expectedVersion) return undefined;
    this.conversations.set(record.id, storedRecord(version + 1, json));
    // The binding is not changed, only kept alive as long as the conversation it still points at.
    const thread = addressKey(record.address.channel, record.address.key);
    if (this.addresses.get(thread) === record.id) this.addresses.set(thread, record.id);
    return version + 1;
  }

  /** A kept conversation; its id is the key it is kept under. */
  private readConversation(id: string): Versioned<ConversationRecord> | undefined {
    const stored = readVersioned<Omit<ConversationRecord, 'id'>>(this.conversations.get(id));
    return stored && { value: { id, ...stored.value }, version: stored.version };
  }

  async claim(key: string, owner: string, ttlMs: number): Promise<boolean> {
    requireInteger('ttlMs', ttlMs, 1);
    const now = this.now();
    const held = this.claims.get(key);
    if (held && held.expiresAt > now) return false;
    this.claims.set(flattened(key), { owner, expiresAt: now + ttlMs }, { ttl: ttlMs });
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    if (this.claims.get(key)?.owner === owner) this.claims.delete(key);
  }

  async getRecord<T>(key: string): Promise<Versioned<T> | undefined> {
    return readVersioned<T>(this.records.get(key));
  }

  async compareAndSet<T>(key: string, expectedVersion: number, value: T): Promise<number | undefined> {
    requireInteger('expectedVersion', expectedVersion, 0);
    const json = toJson(`Record ${key}`, value);
    const version = versionOf(this.records.get(key)) ?? 0;
    if (version !== expectedVersion) return undefined;
    this.records.set(key, storedRecord(version + 1, json));
    return version + 1;
  }

  async appendToList(key: string, item: string, maxItems: number): Promise<void> {
    requireInteger('maxItems', maxItems, 1);
    this.appendItem({ key, item, maxItems });
  }

  protected appendItem({ key, item, maxItems }: ListAppend): void {
    this.lists.set(key, appendedList(this.lists.get(key), item, maxItems));
  }

  async readList(key: string): Promise<string[]> {
    return listItems(this.lists.get(key));
  }

  async ping(): Promise<void> {
    if (this.closed) throw new BridgeError('store_failed', 'memory store is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const cache of [this.conversations, this.addresses, this.claims, this.records, this.lists]) cache.clear();
    this.clearOutbox();
  }
}

/** A conversation record's JSON without its id: the id is the key it is kept under, so it is not kept twice (about 45 bytes). */
function conversationJson(record: ConversationRecord): string {
  const { id: _id, ...rest } = record;
  return toJson('Conversation record', rest);
}

function storedRecord(version: number, json: string): StoredRecord {
  return flattened(`${version} ${json}`);
}

function versionOf(stored: StoredRecord | undefined): number | undefined {
  return stored === undefined ? undefined : Number(stored.slice(0, stored.indexOf(' ')));
}

function readVersioned<T>(stored: StoredRecord | undefined): Versioned<T> | undefined {
  if (stored === undefined) return undefined;
  const space = stored.indexOf(' ');
  return { value: JSON.parse(stored.slice(space + 1)) as T, version: Number(stored.slice(0, space)) };
}

/** `stored` with `item` appended, its oldest items dropped to keep at most `maxItems`. */
function appendedList(stored: StoredList = '0:', item: string, maxItems: number): StoredList {
  let at = stored.indexOf(':') + 1;
  let kept = Number(stored.slice(0, at - 1));
  for (; kept >= maxItems; kept -= 1) at = nextItem(stored, at).end;
  return flattened(`${kept + 1}:${stored.slice(at)}${item.length}:${item}`);
}

function listItems(stored: StoredList | undefined): string[] {
  const items: string[] = [];
  if (stored === undefined) return items;
  for (let at = stored.indexOf(':') + 1; at < stored.length; ) {
    const { text, end } = nextItem(stored, at);
    items.push(text);
    at = end;
  }
  return items;
}

/** The item that starts at `at`, and where the next one starts. */
function nextItem(stored: StoredList, at: number): { text: string; end: number } {
  const colon = stored.indexOf(':', at);
  const end = colon + 1 + Number(stored.slice(at, colon));
  return { text: stored.slice(colon + 1, end), end };
}

/** The key of a thread binding, as the Redis store's: the channel is escaped, so a ':' in it cannot join two threads. */
function addressKey(channel: string, key: string): string {
  return flattened(`${encodeURIComponent(channel)}:${key}`);
}
