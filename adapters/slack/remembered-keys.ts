/**
 * Thread keys the adapter knows belong to the bridge (threads it posted into or was mentioned
 * in, ticket threads it opened), bounded and expiring; on a miss it asks the core when the core
 * offers a lookup. Negative answers are not cached: a thread can become known at any time.
 */
import { LRUCache } from 'lru-cache';

/** A bounded set of keys with a fallback lookup. */
export class RememberedKeys {
  private readonly keys: LRUCache<string, true>;

  constructor(private readonly lookup: ((key: string) => Promise<boolean>) | undefined, options: { max?: number; ttlMs?: number } = {}) {
    this.keys = new LRUCache<string, true>({ max: options.max ?? 10_000, ttl: options.ttlMs ?? 7 * 24 * 3_600_000 });
  }

  /** Remember a key. */
  remember(key: string): void {
    this.keys.set(key, true);
  }

  /** Whether the key is known here or, failing that, to the lookup. */
  async has(key: string): Promise<boolean> {
    if (this.keys.has(key)) return true;
    if (!this.lookup || !(await this.lookup(key))) return false;
    this.remember(key);
    return true;
  }
}
