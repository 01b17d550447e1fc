/**
 * The Lua scripts Brook runs in Redis, each headed by what its KEYS and ARGV are. A script runs
 * atomically: nothing else happens in Redis between its first and its last command, which is
 * what makes a check and the write it allows one step (a learn's admission and its append, a
 * lease holder's fencing check and its checkpoint). Scripts only touch keys they are given or
 * keys built from a prefix they are given, always of the same model (one hash tag).
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** A Lua script, run by its SHA1 (loaded once per server; reloaded after a Redis restart). */
export class Script {
  readonly sha: string;
  constructor(
    readonly name: string,
    readonly lua: string,
  ) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  /** Runs the script; a Redis that does not know it yet (new, restarted) is sent its text. */
  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly (string | number | Buffer)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith("NOSCRIPT")) throw err;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

/** Shared Lua helpers: a pointer `<seq>|<fence>` split in two numbers. */
const SPLIT = `
local function split(v)
  local bar = string.find(v, '|', 1, true)
  return tonumber(string.sub(v, 1, bar - 1)), tonumber(string.sub(v, bar + 1))
end
`;

/**
 * The append, with the admission checks of every item, all before any write (all or nothing).
 *
 * KEYS[1] meta          hash: gen, head (last seq), first (oldest seq kept)
 * KEYS[2] stream        the log: entry id `<seq>-0`, field `r` the record, `o` the origin tag
 * KEYS[3] eventIds      sorted set: event id → seq that logged it
 * KEYS[4] pendingIndex  sorted set: waiting remembered id → expiry (ms)
 * KEYS[5..]             the pending key of each item that names an id, in item order
 * ARGV[1] gen           the model generation the caller serves (another one: `gone`)
 * ARGV[2] now           ms since the epoch: the events' time; expiry is judged against it
 * ARGV[3] eidCap        event ids kept (the oldest go first)
 * ARGV[4] pendingCap    remembered predictions kept (the soonest to expire are evicted)
 * ARGV[5] graceMs       how long after its expiry an id is still told `expired` (then unknown)
 * ARGV[6] origin        tag stored with the last appended event ("": none)
 * ARGV[7] expected      the seq the first event must get ("": the next one)
 * ARGV[8] pendingPrefix the pending keys' prefix (for ids evicted by the capacity)
 * ARGV[9] n             the number of items; then 5 ARGV per item:
 *   kind    `e` an event as is (no checks), `l` a learn, `b` the label of a remembered id, `r` a remember
 *   eid     the item's event id ("": none)
 *   id      the remembered prediction's id ("": none)
 *   token   `b`: the seq of the remember it labels, as read; `r`: its expiry (ms)
 *   suffix  the record's bytes after its seq (`encodeRecord` made with seq 0, minus `\x01{"s":0`)
 *
 * Returns {"ok", r1..rn}: ri the seq given to item i, or minus the seq that logged its event id
 * (a retry: nothing appended); or {"refused", why, i} with why one of gone, order (i: the seq
 * expected), notfound, changed (the id was remembered again since it was read), expired,
 * labelled, conflict.
 */
export const APPEND = new Script(
  "append",
  `
local meta, stream, eids, pidx = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('HGET', meta, 'gen') ~= ARGV[1] then return {'refused', 'gone', 0} end
local head = tonumber(redis.call('HGET', meta, 'head') or '0')
if ARGV[7] ~= '' and tonumber(ARGV[7]) ~= head + 1 then return {'refused', 'order', head + 1} end
local now = tonumber(ARGV[2])
local n = tonumber(ARGV[9])
local plan, keyOf, seenEid, seenId = {}, {}, {}, {}
local k, seq, last = 5, head, 0
for i = 1, n do
  local b = 9 + (i - 1) * 5
  local kind, eid, id, token = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  if id ~= '' and kind ~= 'e' and kind ~= 'l' then keyOf[i] = KEYS[k]; k = k + 1 end
  local dup = nil
  if eid ~= '' and kind ~= 'e' then
    dup = seenEid[eid]
    if not dup then
      local s = redis.call('ZSCORE', eids, eid)
      if s then dup = tonumber(s) end
    end
  end
  if dup then
    plan[i] = -dup
  else
    if kind == 'b' then
      if seenId[id] then return {'refused', 'labelled', i} end
      local h = redis.call('HMGET', keyOf[i], 's', 'e', 'l')
      if h[3] then return {'refused', 'labelled', i} end
      if not h[1] then return {'refused', 'notfound', i} end
      if h[1] ~= token then return {'refused', 'changed', i} end
      if tonumber(h[2]) < now then return {'refused', 'expired', i} end
      seenId[id] = true
    elseif kind == 'r' then
      if seenId[id] then return {'refused', 'conflict', i} end
      local h = redis.call('HMGET', keyOf[i], 'e', 'l')
      if h[2] or (h[1] and tonumber(h[1]) >= now) then return {'refused', 'conflict', i} end
      seenId[id] = true
    end
    seq = seq + 1
    plan[i] = seq
    if eid ~= '' and kind ~= 'e' then seenEid[eid] = seq end
    last = i
  end
end
local out = {'ok'}
for i = 1, n do
  local s = plan[i]
  out[i + 1] = s
  if s > 0 then
    local b = 9 + (i - 1) * 5
    local kind, eid, id, token, suffix = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5]
    local sq = string.format('%d', s)
    local rec = '\\1{"s":' .. sq .. suffix
    if i == last and ARGV[6] ~= '' then
      redis.call('XADD', stream, sq .. '-0', 'r', rec, 'o', ARGV[6])
    else
      redis.call('XADD', stream, sq .. '-0', 'r', rec)
    end
    if eid ~= '' and kind ~= 'e' then redis.call('ZADD', eids, s, eid) end
    if kind == 'b' then
      local key = keyOf[i]
      local exp = redis.call('HGET', key, 'e')
      redis.call('HDEL', key, 'r', 's')
      redis.call('HSET', key, 'l', sq)
      redis.call('PEXPIREAT', key, exp)
      redis.call('ZREM', pidx, id)
    elseif kind == 'r' then
      local key = keyOf[i]
      redis.call('DEL', key)
      redis.call('HSET', key, 's', sq, 'e', token, 'r', rec)
      redis.call('PEXPIREAT', key, tonumber(token) + tonumber(ARGV[5]))
      redis.call('ZADD', pidx, token, id)
    end
  end
end
if seq > head then redis.call('HSET', meta, 'head', seq) end
local cap = tonumber(ARGV[3])
local c = redis.call('ZCARD', eids)
if c > cap then redis.call('ZREMRANGEBYRANK', eids, 0, c - cap - 1) end
redis.call('ZREMRANGEBYSCORE', pidx, '-inf', '(' .. ARGV[2])
cap = tonumber(ARGV[4])
c = redis.call('ZCARD', pidx)
if c > cap then
  local evicted = redis.call('ZRANGE', pidx, 0, c - cap - 1)
  for _, id in ipairs(evicted) do redis.call('DEL', ARGV[8] .. id) end
  redis.call('ZREMRANGEBYRANK', pidx, 0, c - cap - 1)
end
return out
`,
);

/**
 * Creates a model: its registry entry and a fresh generation, announced on the control stream.
 *
 * KEYS[1] registry     hash: name → creation record
 * KEYS[2] control      stream of registry changes
 * KEYS[3] generations  counter
 * KEYS[4] meta         the model's meta hash
 * ARGV[1] name, ARGV[2] the creation record (JSON)
 * ARGV[3] head         the seq the log starts after (0; a restored checkpoint's seq)
 * Returns {"created", gen} or {"exists", record} (nothing changed).
 */
export const CREATE = new Script(
  "create",
  `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {'exists', existing} end
local gen = redis.call('INCR', KEYS[3])
local head = tonumber(ARGV[3])
redis.call('DEL', KEYS[4])
redis.call('HSET', KEYS[4], 'gen', gen, 'head', head, 'first', head + 1)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', 10000, '*', 'op', 'create', 'model', ARGV[1], 'gen', gen)
return {'created', gen}
`,
);

/**
 * The model's generation, making one when it has none (a log opened outside the registry).
 *
 * KEYS[1] meta, KEYS[2] generations
 * Returns the generation.
 */
export const ENSURE = new Script(
  "ensure",
  `
local gen = redis.call('HGET', KEYS[1], 'gen')
if gen then return tonumber(gen) end
gen = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'gen', gen, 'head', 0, 'first', 1)
return gen
`,
);

/**
 * Deletes a model from the registry and ends its generation (its in-flight appends then find
 * it `gone`); the generation's data keys are deleted afterwards by the caller.
 *
 * KEYS[1] registry, KEYS[2] control, KEYS[3] meta
 * ARGV[1] name
 * Returns the generation that ended (0: the model had none).
 */
export const DROP = new Script(
  "drop",
  `
local gen = tonumber(redis.call('HGET', KEYS[3], 'gen') or '0')
local was = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[3])
if was == 1 or gen > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', 10000, '*', 'op', 'delete', 'model', ARGV[1], 'gen', gen)
end
return gen
`,
);

/**
 * Takes a model's lease if nobody holds it: SET NX PX, with the next fencing token.
 *
 * KEYS[1] lease, KEYS[2] fence counter
 * ARGV[1] token (random, this acquisition's), ARGV[2] ttl ms
 * Returns {fence, value} when taken, {0, holder's value, ms before it expires} when held.
 */
export const LEASE_ACQUIRE = new Script(
  "lease-acquire",
  `
local held = redis.call('GET', KEYS[1])
if held then return {0, held, redis.call('PTTL', KEYS[1])} end
local fence = redis.call('INCR', KEYS[2])
local value = ARGV[1] .. '|' .. fence
redis.call('SET', KEYS[1], value, 'NX', 'PX', ARGV[2])
return {fence, value}
`,
);

/**
 * Renews a lease, only for its holder (the value it was given).
 *
 * KEYS[1] lease
 * ARGV[1] the holder's value, ARGV[2] ttl ms
 * Returns 1 when renewed, 0 when the lease is lost (expired, or another node holds it).
 */
export const LEASE_RENEW = new Script(
  "lease-renew",
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`,
);

/**
 * Gives a lease up, only for its holder.
 *
 * KEYS[1] lease
 * ARGV[1] the holder's value
 * Returns 1 when released, 0 when it was not held with that value.
 */
export const LEASE_RELEASE = new Script(
  "lease-release",
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);

/**
 * Saves a checkpoint (body, info, and the pointer to the newest), fenced: refused unless the
 * caller holds the lease now, and never over a checkpoint written with a newer fencing token.
 *
 * KEYS[1] lease, KEYS[2] checkpoints (hash seq → info), KEYS[3] latest (`<seq>|<fence>`)
 * KEYS[4] the checkpoint's body key, KEYS[5] meta
 * ARGV[1] the lease value held ("": unfenced, for a store without leases), ARGV[2] fence
 * ARGV[3] seq, ARGV[4] info (JSON), ARGV[5] body, ARGV[6] gen
 * Returns "ok", "fenced" or "gone".
 */
export const CHECKPOINT_SAVE = new Script(
  "checkpoint-save",
  `${SPLIT}
if redis.call('HGET', KEYS[5], 'gen') ~= ARGV[6] then return 'gone' end
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'fenced' end
local fence = tonumber(ARGV[2])
local seq = tonumber(ARGV[3])
local cur = redis.call('GET', KEYS[3])
local cseq, cfence = -1, 0
if cur then cseq, cfence = split(cur) end
if cfence > fence then return 'fenced' end
redis.call('SET', KEYS[4], ARGV[5])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
if seq >= cseq then redis.call('SET', KEYS[3], ARGV[3] .. '|' .. ARGV[2]) end
return 'ok'
`,
);

/**
 * Keeps the newest checkpoints and deletes the others, fenced like a save.
 *
 * KEYS[1] lease, KEYS[2] checkpoints (hash), KEYS[3] meta
 * ARGV[1] the lease value held (""), ARGV[2] keep, ARGV[3] the body keys' prefix, ARGV[4] gen
 * Returns the number deleted, or -1 when fenced or gone.
 */
export const CHECKPOINT_PRUNE = new Script(
  "checkpoint-prune",
  `
if redis.call('HGET', KEYS[3], 'gen') ~= ARGV[4] then return -1 end
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local seqs = redis.call('HKEYS', KEYS[2])
local nums = {}
for i, s in ipairs(seqs) do nums[i] = tonumber(s) end
table.sort(nums)
local drop = #nums - tonumber(ARGV[2])
for i = 1, drop do
  local s = string.format('%d', nums[i])
  redis.call('HDEL', KEYS[2], s)
  redis.call('DEL', ARGV[3] .. s)
end
if drop < 0 then drop = 0 end
return drop
`,
);

/**
 * Deletes the oldest events of the log (XTRIM MINID), fenced like a save. Never the newest
 * event; with `bounded`, never an event after the oldest kept checkpoint, nor the remember of
 * the oldest waiting prediction.
 *
 * KEYS[1] lease, KEYS[2] meta, KEYS[3] stream, KEYS[4] checkpoints (hash), KEYS[5] pendingIndex
 * ARGV[1] the lease value held (""), ARGV[2] gen, ARGV[3] upTo (delete events with seq <= it)
 * ARGV[4] bounded ("1": by checkpoints and pending ids), ARGV[5] the pending keys' prefix
 * Returns the seq of the oldest event kept, or -1 when fenced or gone.
 */
export const TRIM = new Script(
  "trim",
  `
if redis.call('HGET', KEYS[2], 'gen') ~= ARGV[2] then return -1 end
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local head = tonumber(redis.call('HGET', KEYS[2], 'head') or '0')
local first = tonumber(redis.call('HGET', KEYS[2], 'first') or '1')
local upTo = tonumber(ARGV[3])
if upTo > head - 1 then upTo = head - 1 end
if ARGV[4] == '1' then
  local oldest = nil
  for _, s in ipairs(redis.call('HKEYS', KEYS[4])) do
    local n = tonumber(s)
    if not oldest or n < oldest then oldest = n end
  end
  if not oldest then return first end
  if upTo > oldest then upTo = oldest end
  local ids = redis.call('ZRANGE', KEYS[5], 0, 0)
  if ids[1] then
    local s = redis.call('HGET', ARGV[5] .. ids[1], 's')
    if s and upTo > tonumber(s) - 1 then upTo = tonumber(s) - 1 end
  end
end
if upTo + 1 <= first then return first end
redis.call('XTRIM', KEYS[3], 'MINID', string.format('%d', upTo + 1) .. '-0')
redis.call('HSET', KEYS[2], 'first', upTo + 1)
return upTo + 1
`,
);

/**
 * Publishes what the lease holder knows of a model (version, metrics, newest checkpoint),
 * fenced like a save.
 *
 * KEYS[1] lease, KEYS[2] stats (hash)
 * ARGV[1] the lease value held, ARGV[2..] field, value, field, value...
 * Returns 1 when written, 0 when fenced.
 */
export const STATS = new Script(
  "stats",
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV, 2))
return 1
`,
);
