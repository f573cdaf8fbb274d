/**
 * The Lua scripts of the Redis store for conversations, claims and records (the outbox's are in
 * redis-outbox-scripts.ts). Each runs atomically in Redis, so replicas sharing one Redis never
 * interleave inside an operation. Stored JSON is passed through as opaque strings (never decoded
 * and re-encoded in Lua, whose cjson would turn `[]` into `{}`).
 *
 * Key layout (all under the store's prefix): `conv:ID` hash {r: record JSON, s: session, v:
 * version}; `thread:CHANNEL:KEY` → conversation id; `claim:KEY` → owner; `record:KEY` hash {v:
 * version, d: JSON}; `list:KEY` list.
 */

/** A script and how many of its arguments are keys (absent: the call's first argument says). */
export interface RedisScript {
  numberOfKeys?: number;
  lua: string;
}

/**
 * Creates a conversation and binds its thread unless, as createBlockedBy (store-rules.ts) decides,
 * the id exists or the thread is bound to a conversation that has not ended: returns {1} when
 * created, else {0, record JSON, version} of the one stored. KEYS: thread, conv.
 * ARGV: id, record JSON, session, retentionMs, conv key prefix.
 */
const createConversation: RedisScript = {
  numberOfKeys: 2,
  lua: `
local byId = redis.call('HMGET', KEYS[2], 'r', 'v')
if byId[1] then return {0, byId[1], byId[2]} end
local boundId = redis.call('GET', KEYS[1])
if boundId then
  local bound = redis.call('HMGET', ARGV[5] .. boundId, 'r', 'v', 's')
  if bound[1] and bound[3] ~= 'ended' then return {0, bound[1], bound[2]} end
end
redis.call('HSET', KEYS[2], 'r', ARGV[2], 's', ARGV[3], 'v', '1')
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
return {1}
`,
};

/**
 * The conversation a thread is bound to, in one round trip instead of GET then HMGET (the inbound
 * hot path asks this for every platform event): {} when unbound or gone, else {record JSON,
 * version or false}. KEYS: thread. ARGV: conv key prefix.
 */
const findConversationByAddress: RedisScript = {
  numberOfKeys: 1,
  lua: `
local id = redis.call('GET', KEYS[1])
if not id then return {} end
local found = redis.call('HMGET', ARGV[1] .. id, 'r', 'v')
if not found[1] then return {} end
return {found[1], found[2]}
`,
};

/**
 * Replaces a conversation if its version matches (a record from before versions counts as 1);
 * keeps the thread binding alive while it still points at it. Returns the new version or -1.
 * KEYS: conv, thread. ARGV: expected version, record JSON, session, retentionMs, id.
 */
const updateConversation: RedisScript = {
  numberOfKeys: 2,
  lua: `
if redis.call('HEXISTS', KEYS[1], 'r') == 0 then return -1 end
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '1')
if current ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'r', ARGV[2], 's', ARGV[3], 'v', tostring(current + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if redis.call('GET', KEYS[2]) == ARGV[5] then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
return current + 1
`,
};

/** Deletes a claim only if it still belongs to the caller. KEYS: claim. ARGV: owner. */
const release: RedisScript = {
  numberOfKeys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
};

/** Writes if the version matches; returns the new version or -1. KEYS: record. ARGV: expected, JSON, retentionMs. */
const compareAndSet: RedisScript = {
  numberOfKeys: 1,
  lua: `
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'v', tostring(current + 1), 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return current + 1
`,
};

/** Lua shared by every list append: push, keep the newest `maxItems`, expire after `ttlMs` unwritten. */
export const LIST_APPEND_LUA = `
local function appendItem(list, item, maxItems, ttlMs)
  redis.call('RPUSH', list, item)
  redis.call('LTRIM', list, -tonumber(maxItems), -1)
  redis.call('PEXPIRE', list, ttlMs)
end
`;

/** Appends and keeps the newest items. KEYS: list. ARGV: item, maxItems, retentionMs. */
const appendToList: RedisScript = {
  numberOfKeys: 1,
  lua: `${LIST_APPEND_LUA}
appendItem(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return 0
`,
};

/** The scripts of this file, by the command name the store defines for each. */
export const REDIS_SCRIPTS = {
  bridgeCreateConversation: createConversation,
  bridgeFindConversationByAddress: findConversationByAddress,
  bridgeUpdateConversation: updateConversation,
  bridgeRelease: release,
  bridgeCompareAndSet: compareAndSet,
  bridgeAppendToList: appendToList,
} satisfies Record<string, RedisScript>;

/** The commands a map of scripts adds to an ioredis client. */
export type RedisScriptCommands<Scripts extends Record<string, RedisScript>> = {
  [name in keyof Scripts]: (...keysThenArgs: (string | number)[]) => Promise<unknown>;
};
