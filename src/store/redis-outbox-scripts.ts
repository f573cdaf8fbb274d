/**
 * The Lua scripts of the Redis store's outbox. Each runs atomically in Redis, so replicas sharing
 * one Redis never interleave inside an enqueue, a lease check or a move to the dead letters.
 * Payload and progress JSON pass through as opaque strings.
 *
 * Key layout (all under the store's prefix; Q is DESTINATION:KEY):
 * `outbox:Q` sorted set of pending seqs; `outbox-entries:Q` hash {e:SEQ payload, t:SEQ
 * enqueuedAt, a:SEQ attempts, p:SEQ progress}; `outbox-seq:Q` counter; `outbox-pending:DESTINATION`
 * sorted set of queue keys scored by their head entry's enqueuedAt; `outbox-depth` hash
 * {DESTINATION: pending entries}; `dedupe:KEY` with a PX expiry; `lease:Q` → current token (until
 * released); `lease-held:Q` → token with the lease's PX expiry; `lease-token` counter shared by all
 * queues; `dead-letters` sorted set of ids; `dead-letter-fields` hash {ID:FIELD}; `dead-letter-id`.
 */
import { LIST_APPEND_LUA, type RedisScript } from './redis-scripts.js';

/**
 * Lua shared by enqueue and replay: appends payloads with consecutive seqs (never reusing one
 * still queued, should the counter have expired), then keeps the queue's pending score and its
 * destination's depth. Q = {seq, queue, entries, pending, depth} key names.
 */
const APPEND_LUA = `
local function append(Q, member, destination, retentionMs, enqueuedAt, payloads, progress)
  local newest = redis.call('ZRANGE', Q.queue, -1, -1)[1]
  if newest and tonumber(redis.call('GET', Q.seq) or '0') < tonumber(newest) then
    redis.call('SET', Q.seq, newest)
  end
  local wasEmpty = newest == nil
  local last = redis.call('INCRBY', Q.seq, #payloads)
  redis.call('PEXPIRE', Q.seq, retentionMs)
  local first = last - #payloads + 1
  for i, payload in ipairs(payloads) do
    local seq = tostring(first + i - 1)
    redis.call('ZADD', Q.queue, seq, seq)
    redis.call('HSET', Q.entries, 'e:' .. seq, payload, 't:' .. seq, enqueuedAt)
    if progress then redis.call('HSET', Q.entries, 'p:' .. seq, progress) end
  end
  if wasEmpty then redis.call('ZADD', Q.pending, enqueuedAt, member) end
  redis.call('HINCRBY', Q.depth, destination, #payloads)
  return first
end
`;

/** The fields of one dead letter in `dead-letter-fields`, in the order the read script returns them. */
const DEAD_LETTER_LUA = `
local FIELDS = {'d', 'k', 's', 'e', 't', 'a', 'p', 'r', 'f'}
local function fieldNames(id)
  local names = {}
  for i, field in ipairs(FIELDS) do names[i] = id .. ':' .. field end
  return names
end
`;

/** The lease check every fenced script starts with (KEYS[1] the lease, ARGV[1] the caller's token): returns `stale` unless current. */
function fenceLua(stale: number): string {
  return `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return ${stale} end
`;
}

/**
 * Appends payloads unless the dedupe key is held ({-2}) or the queue would pass its bound
 * ({-1, pending}); returns {firstSeq}, holds the dedupe key and appends each list item (as
 * appendToList). KEYS: seq, queue, entries, pending, depth, dedupe, list... ARGV: limit, queue
 * key, destination, enqueuedAt, retentionMs, dedupe TTL (0: no dedupe), payload count, payload
 * JSON..., then per list key: item, max items.
 */
const enqueue: RedisScript = {
  lua: `${APPEND_LUA}${LIST_APPEND_LUA}
local dedupeTtl = tonumber(ARGV[6])
if dedupeTtl > 0 and redis.call('EXISTS', KEYS[6]) == 1 then return {-2} end
local count = tonumber(ARGV[7])
local payloads = {unpack(ARGV, 8, 7 + count)}
local pending = redis.call('ZCARD', KEYS[2])
if pending + #payloads > tonumber(ARGV[1]) then return {-1, pending} end
local first = 0
if #payloads > 0 then
  local Q = {seq = KEYS[1], queue = KEYS[2], entries = KEYS[3], pending = KEYS[4], depth = KEYS[5]}
  first = append(Q, ARGV[2], ARGV[3], ARGV[5], ARGV[4], payloads, false)
end
if dedupeTtl > 0 then redis.call('SET', KEYS[6], '1', 'PX', dedupeTtl) end
for index = 7, #KEYS do
  local at = 8 + count + (index - 7) * 2
  appendItem(KEYS[index], ARGV[at], ARGV[at + 1], ARGV[5])
end
return {first}
`,
};

/**
 * Lua shared by pending and acquireLease: the oldest `limit` pending entries of a queue as flat
 * [seq, payload, enqueuedAt, attempts, progress or '', ...].
 */
const HEAD_LUA = `
local function head(queue, entries, limit)
  local out = {}
  if limit < 1 then return out end
  for _, seq in ipairs(redis.call('ZRANGE', queue, 0, limit - 1)) do
    local values = redis.call('HMGET', entries, 'e:' .. seq, 't:' .. seq, 'a:' .. seq, 'p:' .. seq)
    if values[1] then
      for _, value in ipairs({seq, values[1], values[2], values[3] or '0', values[4] or ''}) do
        table.insert(out, value)
      end
    end
  end
  return out
end
`;

/**
 * A new token from the shared counter and the queue's oldest entries ({token, flat entries...}),
 * unless an unexpired lease is held ({0}). KEYS: held, lease, token counter, queue, entries.
 * ARGV: ttlMs, how long the token stays current unrenewed (ttl + retention), limit.
 */
const acquireLease: RedisScript = {
  numberOfKeys: 5,
  lua: `${HEAD_LUA}
if redis.call('EXISTS', KEYS[1]) == 1 then return {0} end
local token = redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[2], token, 'PX', ARGV[2])
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
local out = head(KEYS[4], KEYS[5], tonumber(ARGV[3]))
table.insert(out, 1, token)
return out
`,
};

/** Extends a current lease (1), else 0. KEYS: lease, held. ARGV: token, ttlMs, ttl + retention. */
const renewLease: RedisScript = {
  numberOfKeys: 2,
  lua: `${fenceLua(0)}
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`,
};

/**
 * Lua shared by takeEntry and releaseLease: removes entry `seq` from its queue and keeps the
 * queue's pending score and its destination's depth.
 */
const REMOVE_LUA = `
local function removeEntry(queue, entries, pending, depth, seq, queueKey, destination)
  redis.call('ZREM', queue, seq)
  redis.call('HDEL', entries, 'e:' .. seq, 't:' .. seq, 'a:' .. seq, 'p:' .. seq)
  redis.call('HINCRBY', depth, destination, -1)
  local head = redis.call('ZRANGE', queue, 0, 0)[1]
  if head then
    redis.call('ZADD', pending, redis.call('HGET', entries, 't:' .. head), queueKey)
  else
    redis.call('ZREM', pending, queueKey)
  end
end
`;

/**
 * Gives a current lease up (a stale one changes nothing), first removing the delivered entry
 * ARGV[2] when given (a stale lease then answers -1 and changes nothing); 1 when the queue has
 * pending entries, else 0. KEYS: lease, held, queue, entries, pending, depth. ARGV: token,
 * completed seq or '', queue key, destination.
 */
const releaseLease: RedisScript = {
  numberOfKeys: 6,
  lua: `${REMOVE_LUA}
local current = redis.call('GET', KEYS[1]) == ARGV[1]
if ARGV[2] ~= '' then
  if not current then return -1 end
  if redis.call('HEXISTS', KEYS[4], 'e:' .. ARGV[2]) == 1 then removeEntry(KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[2], ARGV[3], ARGV[4]) end
end
if current then redis.call('DEL', KEYS[1], KEYS[2]) end
if redis.call('ZCARD', KEYS[3]) > 0 then return 1 end
return 0
`,
};

/** The oldest pending entries, as HEAD_LUA gives them. KEYS: queue, entries. ARGV: limit ≥ 1. */
const pending: RedisScript = {
  numberOfKeys: 2,
  lua: `${HEAD_LUA}
return head(KEYS[1], KEYS[2], tonumber(ARGV[1]))
`,
};

/** Counts a failed attempt; -1 for a stale lease. KEYS: lease, entries. ARGV: token, seq. */
const recordAttempt: RedisScript = {
  numberOfKeys: 2,
  lua: `${fenceLua(-1)}
if redis.call('HEXISTS', KEYS[2], 'e:' .. ARGV[2]) == 1 then redis.call('HINCRBY', KEYS[2], 'a:' .. ARGV[2], 1) end
return 0
`,
};

/** Records progress; -1 for a stale lease. KEYS: lease, entries. ARGV: token, seq, progress JSON. */
const saveProgress: RedisScript = {
  numberOfKeys: 2,
  lua: `${fenceLua(-1)}
if redis.call('HEXISTS', KEYS[2], 'e:' .. ARGV[2]) == 1 then redis.call('HSET', KEYS[2], 'p:' .. ARGV[2], ARGV[3]) end
return 0
`,
};

/**
 * Records progress and appends the step's list item (as appendToList) in one step; -1 for a stale
 * lease, nothing when the entry is gone. KEYS: lease, entries, list. ARGV: token, seq, progress
 * JSON, item, max items, list TTL in ms.
 */
const saveProgressAndAppend: RedisScript = {
  numberOfKeys: 3,
  lua: `${LIST_APPEND_LUA}${fenceLua(-1)}
if redis.call('HEXISTS', KEYS[2], 'e:' .. ARGV[2]) == 1 then
  redis.call('HSET', KEYS[2], 'p:' .. ARGV[2], ARGV[3])
  appendItem(KEYS[3], ARGV[4], ARGV[5], ARGV[6])
end
return 0
`,
};

/**
 * Removes an entry (complete) or moves it to the dead letters, dropping the oldest past the cap;
 * -1 for a stale lease. KEYS: lease, queue, entries, pending, depth, dead letters, dead-letter
 * fields, dead-letter id. ARGV: token, seq, queue key, destination, 'complete' or 'dead', reason,
 * failedAt, max dead letters.
 */
const takeEntry: RedisScript = {
  numberOfKeys: 8,
  lua: `${REMOVE_LUA}${fenceLua(-1)}${DEAD_LETTER_LUA}
local seq = ARGV[2]
local entry = redis.call('HMGET', KEYS[3], 'e:' .. seq, 't:' .. seq, 'a:' .. seq, 'p:' .. seq)
if not entry[1] then return 0 end
removeEntry(KEYS[2], KEYS[3], KEYS[4], KEYS[5], seq, ARGV[3], ARGV[4])
if ARGV[5] == 'dead' then
  local id = redis.call('INCR', KEYS[8])
  redis.call('ZADD', KEYS[6], id, id)
  local names = fieldNames(id)
  local values = {ARGV[4], ARGV[3], seq, entry[1], entry[2], entry[3] or '0', entry[4] or '', ARGV[6], ARGV[7]}
  for i, name in ipairs(names) do redis.call('HSET', KEYS[7], name, values[i]) end
  local excess = redis.call('ZCARD', KEYS[6]) - tonumber(ARGV[8])
  if excess > 0 then
    for _, old in ipairs(redis.call('ZRANGE', KEYS[6], 0, excess - 1)) do
      redis.call('HDEL', KEYS[7], unpack(fieldNames(old)))
    end
    redis.call('ZREMRANGEBYRANK', KEYS[6], 0, excess - 1)
  end
end
return 1
`,
};

/**
 * Dead letters as flat [id, destination, key, seq, payload, enqueuedAt, attempts, progress or '',
 * reason, failedAt, ...], oldest first. KEYS: dead letters, dead-letter fields. ARGV: 'list' and a
 * limit ≥ 1, or 'get' and an id.
 */
const readDeadLetters: RedisScript = {
  numberOfKeys: 2,
  lua: `${DEAD_LETTER_LUA}
local ids = {}
if ARGV[1] == 'list' then
  ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
elseif redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  ids = {ARGV[2]}
end
local out = {}
for _, id in ipairs(ids) do
  table.insert(out, id)
  local values = redis.call('HMGET', KEYS[2], unpack(fieldNames(id)))
  for i = 1, #FIELDS do table.insert(out, values[i] or '') end
end
return out
`,
};

/**
 * Moves a dead letter to the end of its queue: {1, seq}, {0} when it is gone, {-1, pending} when
 * the queue is full. KEYS: dead letters, dead-letter fields, seq, queue, entries, pending, depth.
 * ARGV: id, limit, enqueuedAt, retentionMs.
 */
const replayDeadLetter: RedisScript = {
  numberOfKeys: 7,
  lua: `${APPEND_LUA}${DEAD_LETTER_LUA}
local id = ARGV[1]
if not redis.call('ZSCORE', KEYS[1], id) then return {0} end
local letter = redis.call('HMGET', KEYS[2], id .. ':d', id .. ':k', id .. ':e', id .. ':p')
local pending = redis.call('ZCARD', KEYS[4])
if pending + 1 > tonumber(ARGV[2]) then return {-1, pending} end
local progress = letter[4]
if progress == '' then progress = false end
local Q = {seq = KEYS[3], queue = KEYS[4], entries = KEYS[5], pending = KEYS[6], depth = KEYS[7]}
local seq = append(Q, letter[2], letter[1], ARGV[4], ARGV[3], {letter[3]}, progress)
redis.call('HDEL', KEYS[2], unpack(fieldNames(id)))
redis.call('ZREM', KEYS[1], id)
return {1, seq}
`,
};

/** Removes every dead letter; returns how many there were. KEYS: dead letters, dead-letter fields. */
const purgeDeadLetters: RedisScript = {
  numberOfKeys: 2,
  lua: `
local count = redis.call('ZCARD', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
return count
`,
};

/** The outbox scripts, by the command name the store defines for each. */
export const REDIS_OUTBOX_SCRIPTS = {
  bridgeEnqueue: enqueue,
  bridgeAcquireLease: acquireLease,
  bridgeRenewLease: renewLease,
  bridgeReleaseLease: releaseLease,
  bridgePending: pending,
  bridgeRecordAttempt: recordAttempt,
  bridgeSaveProgress: saveProgress,
  bridgeSaveProgressAndAppend: saveProgressAndAppend,
  bridgeTakeEntry: takeEntry,
  bridgeReadDeadLetters: readDeadLetters,
  bridgeReplayDeadLetter: replayDeadLetter,
  bridgePurgeDeadLetters: purgeDeadLetters,
} satisfies Record<string, RedisScript>;
