/**
 * The Lua scripts of the Redis store. Each runs atomically in Redis, so replicas sharing one
 * Redis never interleave inside an operation. Stored JSON is passed through as opaque strings
 * (never decoded and re-encoded in Lua, whose cjson would turn `[]` into `{}`).
 *
 * Key layout (all under the store's prefix): `conv:ID` hash {r: record JSON, s: session};
 * `thread:CHANNEL:KEY` → conversation id; `outbox:CID` sorted set of pending seqs;
 * `outbox-entries:CID` hash {e:SEQ: payload JSON, a:SEQ: attempts}; `outbox-seq:CID` counter;
 * `outbox-pending` sorted set of conversation ids by when they became pending; `dead-letters`
 * list, newest first; `record:KEY` hash {v: version, d: JSON}; `list:KEY` list.
 */

/** A script and how many of its arguments are keys. */
export interface RedisScript {
  numberOfKeys: number;
  lua: string;
}

/**
 * Saves a conversation and binds its thread, following decideAddressBinding (store-rules.ts):
 * returns {1} when saved, {0, boundId} when the thread belongs to another live conversation.
 * KEYS: thread, conv. ARGV: id, record JSON, session, retentionMs, conv key prefix.
 */
const saveConversation: RedisScript = {
  numberOfKeys: 2,
  lua: `
local boundId = redis.call('GET', KEYS[1])
local bind = true
if boundId and boundId ~= ARGV[1] then
  if ARGV[3] == 'ended' then
    bind = false
  else
    local boundSession = redis.call('HGET', ARGV[5] .. boundId, 's')
    if boundSession and boundSession ~= 'ended' then return {0, boundId} end
  end
end
redis.call('HSET', KEYS[2], 'r', ARGV[2], 's', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
if bind then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4]) end
return {1}
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

/**
 * Appends entries with consecutive seqs unless the queue would pass its bound. Returns
 * {firstSeq} or {-1, pendingCount}. KEYS: seq counter, queue, entries, pending set.
 * ARGV: limit, conversation id, now, retentionMs, payload JSON...
 */
const enqueue: RedisScript = {
  numberOfKeys: 4,
  lua: `
local count = #ARGV - 4
local pending = redis.call('ZCARD', KEYS[2])
if pending + count > tonumber(ARGV[1]) then return {-1, pending} end
local newest = redis.call('ZRANGE', KEYS[2], -1, -1)[1]
if newest and tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(newest) then
  redis.call('SET', KEYS[1], newest)
end
local last = redis.call('INCRBY', KEYS[1], count)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local first = last - count + 1
for i = 1, count do
  local seq = tostring(first + i - 1)
  redis.call('ZADD', KEYS[2], seq, seq)
  redis.call('HSET', KEYS[3], 'e:' .. seq, ARGV[4 + i])
end
redis.call('ZADD', KEYS[4], 'NX', ARGV[3], ARGV[2])
return {first}
`,
};

/** The oldest pending entries as flat [seq, payload, attempts, ...]. KEYS: queue, entries. ARGV: limit ≥ 1. */
const pending: RedisScript = {
  numberOfKeys: 2,
  lua: `
local out = {}
for _, seq in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)) do
  local values = redis.call('HMGET', KEYS[2], 'e:' .. seq, 'a:' .. seq)
  if values[1] then
    table.insert(out, seq)
    table.insert(out, values[1])
    table.insert(out, values[2] or '0')
  end
end
return out
`,
};

/** Counts a failed attempt on an entry that still exists. KEYS: entries. ARGV: seq. */
const recordAttempt: RedisScript = {
  numberOfKeys: 1,
  lua: `
if redis.call('HEXISTS', KEYS[1], 'e:' .. ARGV[1]) == 1 then redis.call('HINCRBY', KEYS[1], 'a:' .. ARGV[1], 1) end
return 0
`,
};

/**
 * Removes an entry; with dead-letter metadata (a JSON object) also pushes it onto the capped
 * dead-letter list. Returns 1 if the entry existed. KEYS: queue, entries, pending set, dead
 * letters. ARGV: seq, conversation id, metadata JSON or '', max dead letters.
 */
const takeEntry: RedisScript = {
  numberOfKeys: 4,
  lua: `
local payload = redis.call('HGET', KEYS[2], 'e:' .. ARGV[1])
if not payload then return 0 end
local attempts = redis.call('HGET', KEYS[2], 'a:' .. ARGV[1]) or '0'
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], 'e:' .. ARGV[1], 'a:' .. ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('ZREM', KEYS[3], ARGV[2]) end
if ARGV[3] ~= '' then
  redis.call('LPUSH', KEYS[4], '{"meta":' .. ARGV[3] .. ',"attempts":' .. attempts .. ',"entry":' .. payload .. '}')
  redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[4]) - 1)
end
return 1
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

/** Appends and keeps the newest items. KEYS: list. ARGV: item, maxItems, retentionMs. */
const appendToList: RedisScript = {
  numberOfKeys: 1,
  lua: `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0
`,
};

/** All scripts, by the command name the store defines for each. */
export const REDIS_SCRIPTS = {
  bridgeSaveConversation: saveConversation,
  bridgeRelease: release,
  bridgeEnqueue: enqueue,
  bridgePending: pending,
  bridgeRecordAttempt: recordAttempt,
  bridgeTakeEntry: takeEntry,
  bridgeCompareAndSet: compareAndSet,
  bridgeAppendToList: appendToList,
} satisfies Record<string, RedisScript>;

/** The commands the scripts add to an ioredis client. */
export type RedisScriptCommands = {
  [name in keyof typeof REDIS_SCRIPTS]: (...keysThenArgs: (string | number)[]) => Promise<unknown>;
};
