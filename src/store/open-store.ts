/**
 * Turns STORE_URL into a Store: `memory:`, `sqlite:PATH` (`sqlite::memory:` for a throw-away
 * database) or `redis://...` / `rediss://...`. Anything else is a ConfigError that names the
 * variable; the URL itself is never echoed, since a Redis URL may carry a password.
 */
import { ConfigError } from '../core/errors.js';
import type { Store } from './store.js';
import type { StoreOptions } from './store-limits.js';
import { MemoryStore } from './memory-store.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';

/** The options of every kind; each store takes the ones that apply to it. */
export interface OpenStoreOptions extends StoreOptions {
  sqlite?: Omit<SqliteStoreOptions, 'path' | keyof StoreOptions>;
  redis?: Omit<RedisStoreOptions, 'url' | keyof StoreOptions>;
}

/** Opens the store STORE_URL names. A SQLite file is opened (and migrated) at once; Redis connects in the background. */
export function openStore(url: string, options: OpenStoreOptions = {}): Store {
  const { sqlite, redis, ...common } = options;
  if (url === 'memory:') return new MemoryStore(common);
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path.trim() === '') throw new ConfigError('STORE_URL sqlite: needs a file path, e.g. sqlite:./data/bridge.db');
    return new SqliteStore({ ...sqlite, ...common, path });
  }
  if (/^rediss?:\/\/./.test(url)) return new RedisStore({ ...redis, limits: common.limits, url });
  throw new ConfigError(`STORE_URL ${describeScheme(url)} is not supported: use memory:, sqlite:PATH or redis://host:port`);
}

function describeScheme(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]{0,19}):/i.exec(url)?.[1];
  return scheme === undefined ? 'without a scheme' : `scheme "${scheme}:"`;
}
