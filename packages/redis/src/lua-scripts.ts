import { createHash } from "node:crypto";

/*
 * The throttle store's atomic operations as Lua scripts. Each is a transliteration of the pure
 * functions in @enis/throttle's algorithms.ts, operation by operation and in the same order: Redis'
 * Lua 5.1 numbers are IEEE doubles like JavaScript's, so the same operations give bit-identical
 * decisions (the conformance suite's differential test checks it).
 *
 * Numbers cross the wire as text both ways: JavaScript's String(x) is the shortest text that parses
 * back to x, and Lua's tonumber (strtod) parses it exactly; on the way back Redis would truncate a
 * Lua number to an integer reply and Lua's tostring keeps only 14 digits, so numbers return as
 * string.format("%.17g"), which round-trips any double, and infinities as "inf" / "-inf".
 *
 * Stored state:
 * - a rate key is a string of packed little-endian doubles (Redis' struct library) "expiresAtMs,
 *   keptUntilMs, state...": the time the state stops counting, a time by the server's clock before
 *   which Redis keeps the key (-inf when unknown), then the algorithm's state array;
 * - a lease key is a hash leaseId -> packed doubles "amount, expiresAtMs".
 * Packed doubles are exact and cost a tenth of "%.17g" text and its parsing; a string of another
 * length (not ours) reads as no state.
 *
 * Time: ARGV[1] is the caller's nowMs, or "" to read the server's clock (TIME, microseconds); in
 * apply it is "c" or "s", and each batch's header carries the caller's nowMs. A script that reads
 * TIME and then writes is non-deterministic; Redis >= 5 replicates such scripts by their effects
 * (the only mode from Redis 7), and on older servers redis.replicate_commands() switches to it.
 */
const prelude = `
local INF = 1/0
-- Locals: a global lookup and a field lookup less on every call (measured ~15 ns each).
local floor, ceil, max, min, abs = math.floor, math.ceil, math.max, math.min, math.abs

local function fmt(x)
  if x == INF then return "inf" end
  if x == -INF then return "-inf" end
  return string.format("%.17g", x)
end

local function clock(arg)
  if arg ~= "" then return tonumber(arg) end
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end

-- Packed little-endian doubles, as stored: "<d", "<dd", ... by count.
local packFormats = { "<d", "<dd", "<ddd", "<dddd", "<ddddd" }

local function unpack_doubles(raw)
  local count = #raw / 8
  if count < 1 or count > 5 or count ~= floor(count) then return nil end
  local values = { struct.unpack(packFormats[count], raw) }
  values[count + 1] = nil -- struct.unpack also returns the next position
  return values
end

-- expiresAtMs, keptUntilMs, then the state array, packed.
local function pack_rate(expiresAtMs, keptUntilMs, state)
  return struct.pack(packFormats[#state + 2], expiresAtMs, keptUntilMs, unpack(state))
end

-- A reply number: a whole number (most of them) as the Lua number itself, which Redis sends as
-- an integer reply (no formatting at all); others (fractions, infinities, -0) as "%.17g" text.
local function num(x)
  if x % 1 == 0 and x > -9e15 and x < 9e15 and (x ~= 0 or 1 / x > 0) then return x end
  return fmt(x)
end

-- A key holding the other kind of state (a rate rule on a lease key) reads as no state, as in
-- the memory store; the write then replaces it.
-- A rate key holds "expiresAtMs,keptUntilMs,state...": the state counts as absent from
-- expiresAtMs on, by the store's clock, exactly as in the memory store (a state read past it with
-- another spec would decide differently). Redis' own expiry (PEXPIRE) only collects the garbage,
-- a little later; keptUntilMs is a time by the server's clock before which Redis keeps the key.
local function read_rate(key, nowMs)
  if redis.call("TYPE", key).ok ~= "string" then return {}, nil, nil end
  local values = unpack_doubles(redis.call("GET", key))
  if values == nil or #values < 4 or not (values[1] > nowMs) then return {}, nil, nil end
  local state = {}
  for i = 3, #values do state[i - 2] = values[i] end
  return state, values[1], values[2]
end

-- Leases in the hash's order; the outcome depends only on sums of integers, minima and maxima,
-- so the order (not insertion order, unlike the memory store's array) changes nothing.
local function read_leases(key)
  if redis.call("TYPE", key).ok ~= "hash" then return {} end
  local flat = redis.call("HGETALL", key)
  local leases = {}
  for i = 1, #flat, 2 do
    local v = unpack_doubles(flat[i + 1])
    if v ~= nil then leases[#leases + 1] = { flat[i], v[1], v[2] } end
  end
  return leases
end

-- Redis expires keys by its own clock, in whole ms: one more ms than the state's lifetime so it
-- never drops a state before the script would. With a caller's clock (tests, replays) Redis' clock
-- is another one, and a caller clock slower than the server's would lose state early, so
-- caller-clock keys live at least a minute; an expired state still reads as absent.
local GC_FLOOR_MS = 1
if ARGV[1] ~= "" and ARGV[1] ~= "s" then GC_FLOOR_MS = 60000 end

-- A key is kept a second past its state's lifetime, so the writes of the next second can keep the
-- key's TTL (SET KEEPTTL: half the cost of SET PX, measured) instead of setting a new one.
local GC_SLACK_MS = 1000

-- Milliseconds for PX / PEXPIRE: the state's lifetime, one ms more, and the slack.
local function pexpire_ms(ms)
  local whole = ceil(ms) + 1 + GC_SLACK_MS
  if whole < GC_FLOOR_MS then whole = GC_FLOOR_MS end
  -- The stored expiry decides; PEXPIRE only collects garbage, so ~3,000 years is plenty.
  if whole > 1e14 then whole = 1e14 end
  return whole
end

-- As text: redis.call converts a number argument at twice the cost of "%d" (measured).
local function pexpire_of(ms)
  return string.format("%d", pexpire_ms(ms))
end
`;

const algorithms = `
-- JavaScript's Math.round: floor, plus one from a fraction of one half (floor(x + 0.5) differs
-- for 0.49999999999999994), and -0 for x in [-0.5, 0).
local function js_round(x)
  local f = floor(x)
  local r = f
  if x - f >= 0.5 then r = f + 1 end
  if r == 0 and x < 0 then r = -r end
  return r
end

local UNIT_EPSILON = 1e-9

local function snap(units)
  local whole = js_round(units)
  if abs(units - whole) < UNIT_EPSILON then return whole end
  return units
end

-- The algorithms return their outcome as multiple values, not tables (a table is ~0.2 µs):
-- allowed, remaining, retryAfterMs, resetAfterMs, ttlMs, then the next state's numbers. A state
-- comes in as has (false: no state), s1, s2, s3.
local function debt_at(limit, windowMs, has, debt, at, nowMs)
  if not has then return 0 end
  local drained = ((nowMs - at) * limit) / windowMs
  return max(0, snap(debt - drained))
end

local function gcra(limit, windowMs, burst, has, s1, s2, nowMs, cost)
  local interval = windowMs / limit
  local debt = debt_at(limit, windowMs, has, s1, s2, nowMs)
  local after = snap(debt + cost)
  local remainingNow = max(0, floor(burst - debt + UNIT_EPSILON))
  if cost > burst or after > burst + UNIT_EPSILON then
    local retry = INF
    if not (cost > burst) then retry = ceil((after - burst) * interval) end
    return false, remainingNow, retry, debt * interval, ceil(debt * interval), debt, nowMs
  end
  return true, max(0, floor(burst - after + UNIT_EPSILON)), 0, after * interval, ceil(after * interval), after, nowMs
end

local function fixed_window(limit, windowMs, has, s1, s2, nowMs, cost)
  local windowStart = floor(nowMs / windowMs) * windowMs
  local count = 0
  if has and s2 == windowStart then count = s1 end
  local windowEnd = windowStart + windowMs
  local resetAfterMs = 0
  if count > 0 then resetAfterMs = windowEnd - nowMs end
  if cost > limit or count + cost > limit then
    local retry = windowEnd - nowMs
    if cost > limit then retry = INF end
    return false, max(0, limit - count), retry, resetAfterMs, windowEnd - nowMs, count, windowStart
  end
  local spent = count + cost
  local reset = 0
  if spent > 0 then reset = windowEnd - nowMs end
  return true, limit - spent, 0, reset, windowEnd - nowMs, spent, windowStart
end

local function sliding_retry(limit, windowMs, previous, current, nowMs, currentStart, cost)
  local windowEnd = currentStart + windowMs
  local room = limit - current - cost
  if room >= 0 and previous > 0 then
    local at = ceil(windowEnd - (room * windowMs) / previous)
    if at < windowEnd then return max(1, at - nowMs) end
  end
  local nextRoom = limit - cost
  if current == 0 or nextRoom >= current then return windowEnd - nowMs end
  local at = ceil(windowEnd + windowMs - (nextRoom * windowMs) / current)
  return max(1, at - nowMs)
end

local function sliding_window(limit, windowMs, has, s1, s2, s3, nowMs, cost)
  local currentStart = floor(nowMs / windowMs) * windowMs
  local previous = 0
  local current = 0
  if has then
    if s3 == currentStart then
      previous = s1
      current = s2
    elseif s3 == currentStart - windowMs then
      previous = s2
    end
  end
  local weight = (windowMs - (nowMs - currentStart)) / windowMs
  local used = ceil(previous * weight - UNIT_EPSILON) + current
  local windowEnd = currentStart + windowMs
  local ttlMs = windowEnd + windowMs - nowMs
  local resetAfterMs = 0
  if current > 0 then
    resetAfterMs = windowEnd + windowMs - nowMs
  elseif previous > 0 then
    resetAfterMs = windowEnd - nowMs
  end
  if cost > limit or used + cost > limit then
    local retry = INF
    if not (cost > limit) then retry = sliding_retry(limit, windowMs, previous, current, nowMs, currentStart, cost) end
    return false, max(0, limit - used), retry, resetAfterMs, ttlMs, previous, current, currentStart
  end
  return true, limit - used - cost, 0, windowEnd + windowMs - nowMs, ttlMs, previous, current + cost, currentStart
end

local function evaluate(algorithm, limit, windowMs, burst, has, s1, s2, s3, nowMs, cost)
  if algorithm == "gcra" or algorithm == "token-bucket" then
    return gcra(limit, windowMs, burst, has, s1, s2, nowMs, cost)
  elseif algorithm == "fixed-window" then
    return fixed_window(limit, windowMs, has, s1, s2, nowMs, cost)
  elseif algorithm == "sliding-window" then
    return sliding_window(limit, windowMs, has, s1, s2, s3, nowMs, cost)
  end
  error("enis: unknown algorithm " .. tostring(algorithm))
end

-- allowed, remaining, retryAfterMs, resetAfterMs, ttlMs, then the leases to keep (a table).
local function evaluate_lease(limit, leases, leaseId, amount, ttlMs, nowMs)
  local live = {}
  for _, lease in ipairs(leases) do
    if lease[3] > nowMs and lease[1] ~= leaseId then live[#live + 1] = lease end
  end
  local held = 0
  local earliest = INF
  local latest = nowMs
  for _, lease in ipairs(live) do
    held = held + lease[2]
    earliest = min(earliest, lease[3])
    latest = max(latest, lease[3])
  end
  if amount > limit or held + amount > limit then
    local retry = earliest - nowMs
    if amount > limit then retry = INF end
    return false, max(0, limit - held), retry, latest - nowMs, latest - nowMs, live
  end
  local expiresAtMs = nowMs + ttlMs
  live[#live + 1] = { leaseId, amount, expiresAtMs }
  local untilMs = max(latest, expiresAtMs)
  return true, limit - held - amount, 0, untilMs - nowMs, untilMs - nowMs, live
end
`;

/**
 * apply: several independent batches in one call (the store coalesces the batches its callers
 * submit in the same event-loop turn). ARGV[1] = "s" (server clock) or "c" (caller clock); then
 * per batch its rule count (negative for a dry run), with the caller clock its nowMs, and one
 * argument per rule — "r,algorithm,limit,windowMs,burst,cost" or "l,limit,amount,ttlMs,leaseId";
 * KEYS = one Redis key per rule, batch after batch.
 *
 * Batches are evaluated in order, each all or nothing against the state the batches before it
 * left — exactly what the same batches sent one call after the other would decide, since Redis
 * runs a script without interleaving. Inside a batch a later rule on the same key sees the earlier
 * one's result; writes wait until the last batch, so a key decided by many batches is read once
 * and written once. With the server clock every batch is evaluated at one TIME reading.
 *
 * Returns one flat array: the server clock reading ("" with the caller clock), then per batch its
 * allowed flag (1 or 0) and per rule allowed, remaining, retryAfterMs, resetAfterMs — whole
 * numbers as integer replies, others as "%.17g" text (which round-trips any double; C's printf
 * writes infinity as "inf"). Formatting every number as text was a third of a rule's time.
 */
const applyScript = `${prelude}${algorithms}
local callerClock = ARGV[1] == "c"
local serverNow = nil
if not callerClock then serverNow = clock("") end

-- Rule arguments, parsed once per distinct text (coalesced batches mostly repeat a few).
local parsed = {}
local function parse_rule(text)
  local rule = parsed[text]
  if rule ~= nil then return rule end
  if string.sub(text, 1, 2) == "r," then
    local algorithm, limit, windowMs, burst, cost = string.match(text, "^r,([^,]+),([^,]+),([^,]+),([^,]+),([^,]+)$")
    rule = { "r", algorithm, tonumber(limit), tonumber(windowMs), tonumber(burst), tonumber(cost) }
  else
    local limit, amount, ttlMs, leaseId = string.match(text, "^l,([^,]+),([^,]+),([^,]+),(.*)$")
    rule = { "l", tonumber(limit), tonumber(amount), tonumber(ttlMs), leaseId }
  end
  parsed[text] = rule
  return rule
end

-- What a key holds, read once per call: false for nothing, else a table { kind, expiresAtMs,
-- lifetimeMs, ... }: kind "r" then the state's length and numbers (n, s1, s2, s3) and the
-- key's keptUntilMs, or kind "l" then the leases. A string of 4 or 5 packed doubles is a rate
-- state; a hash holds leases; any other value reads as nothing, as in the memory store, and the
-- write replaces it.
local cache = {}
local function load(key)
  local entry = cache[key]
  if entry ~= nil then return entry end
  entry = false
  local raw = redis.pcall("GET", key)
  if type(raw) == "string" then
    local length = #raw
    if length == 32 then
      local expiresAtMs, keptUntilMs, s1, s2 = struct.unpack("<dddd", raw)
      entry = { "r", expiresAtMs, 0, 2, s1, s2, nil, keptUntilMs }
    elseif length == 40 then
      local expiresAtMs, keptUntilMs, s1, s2, s3 = struct.unpack("<ddddd", raw)
      entry = { "r", expiresAtMs, 0, 3, s1, s2, s3, keptUntilMs }
    end
  elseif type(raw) == "table" and raw.err ~= nil then
    local flat = redis.pcall("HGETALL", key)
    if type(flat) == "table" and flat.err == nil and #flat > 0 then
      local leases = {}
      local latest = -INF
      for i = 1, #flat, 2 do
        local v = unpack_doubles(flat[i + 1])
        if v ~= nil then
          leases[#leases + 1] = { flat[i], v[1], v[2] }
          if v[2] > latest then latest = v[2] end
        end
      end
      if #leases > 0 then entry = { "l", latest, 0, leases } end
    end
  end
  cache[key] = entry
  return entry
end

local NO_LEASES = {}

local replies = { "" }
if serverNow ~= nil then replies[1] = fmt(serverNow) end
local dirty = {}
local order = {}
local a = 2
local k = 0
while a <= #ARGV do
  local count = tonumber(ARGV[a])
  a = a + 1
  local dry = count < 0
  if dry then count = -count end
  local nowMs = serverNow
  if callerClock then
    nowMs = tonumber(ARGV[a])
    a = a + 1
  end
  local overlay = {}
  local touched = {}
  local allowed = true
  local head = #replies + 1
  local n = head
  for r = 1, count do
    k = k + 1
    local key = KEYS[k]
    local rule = parse_rule(ARGV[a])
    a = a + 1
    local current = overlay[key]
    if current == nil then current = load(key) end
    -- Until the call's writes, the key's TTL is the one it came with.
    local keptUntilMs = nil
    if current then keptUntilMs = current[8] end
    -- A state counts as absent from its expiry on, by the evaluating clock (as in memory).
    if current and not (current[2] > nowMs) then current = false end
    local ok, remaining, retry, reset, ttl, n1, n2, n3
    if rule[1] == "r" then
      if current and current[1] == "r" then
        ok, remaining, retry, reset, ttl, n1, n2, n3 =
          evaluate(rule[2], rule[3], rule[4], rule[5], current[4] > 0, current[5], current[6], current[7], nowMs, rule[6])
      else
        ok, remaining, retry, reset, ttl, n1, n2, n3 =
          evaluate(rule[2], rule[3], rule[4], rule[5], false, nil, nil, nil, nowMs, rule[6])
      end
    else
      local leases = NO_LEASES
      if current and current[1] == "l" then leases = current[4] end
      ok, remaining, retry, reset, ttl, n1 = evaluate_lease(rule[2], leases, rule[5], rule[3], rule[4], nowMs)
    end
    local flag = 0
    if ok then
      flag = 1
      local lifetime = max(1, ttl)
      if overlay[key] == nil then touched[#touched + 1] = key end
      if rule[1] ~= "r" then
        overlay[key] = { "l", nowMs + lifetime, lifetime, n1 }
      elseif n3 == nil then
        overlay[key] = { "r", nowMs + lifetime, lifetime, 2, n1, n2, nil, keptUntilMs }
      else
        overlay[key] = { "r", nowMs + lifetime, lifetime, 3, n1, n2, n3, keptUntilMs }
      end
    else
      allowed = false
    end
    replies[n + 1] = flag
    replies[n + 2] = num(remaining)
    replies[n + 3] = num(retry)
    replies[n + 4] = num(reset)
    n = n + 4
  end
  if allowed then
    replies[head] = 1
    if not dry then
      for _, key in ipairs(touched) do
        cache[key] = overlay[key]
        if not dirty[key] then
          dirty[key] = true
          order[#order + 1] = key
        end
      end
    end
  else
    replies[head] = 0
  end
end

for _, key in ipairs(order) do
  local entry = cache[key]
  if entry[1] == "r" then
    -- The key keeps its TTL while that outlasts the new state (server clock only: a caller's clock
    -- says nothing of when Redis expires the key); else it gets a new one, which the value records,
    -- less 100 ms for the time between this script's start (Redis' clock for the TTL) and TIME.
    local keptUntilMs = entry[8]
    local ttl = "KEEPTTL"
    local px = nil
    if serverNow == nil or keptUntilMs == nil or not (entry[2] <= keptUntilMs) then
      px = pexpire_ms(entry[3])
      keptUntilMs = -INF
      if serverNow ~= nil then keptUntilMs = serverNow + px - 100 end
      ttl = "PX"
    end
    local packed
    if entry[4] == 2 then
      packed = struct.pack("<dddd", entry[2], keptUntilMs, entry[5], entry[6])
    else
      packed = struct.pack("<ddddd", entry[2], keptUntilMs, entry[5], entry[6], entry[7])
    end
    if px == nil then
      redis.call("SET", key, packed, "KEEPTTL")
    else
      redis.call("SET", key, packed, "PX", string.format("%d", px))
    end
  else
    -- Diff against what the hash holds, so a renewal writes one field, not every lease.
    local present = {}
    local flat = redis.pcall("HGETALL", key)
    if type(flat) == "table" and flat.err == nil then
      for j = 1, #flat, 2 do present[flat[j]] = flat[j + 1] end
    else
      redis.call("DEL", key)
    end
    local keep = {}
    for _, lease in ipairs(entry[4]) do
      local value = struct.pack("<dd", lease[2], lease[3])
      keep[lease[1]] = true
      if present[lease[1]] ~= value then redis.call("HSET", key, lease[1], value) end
    end
    for id in pairs(present) do
      if not keep[id] then redis.call("HDEL", key, id) end
    end
    if redis.call("EXISTS", key) == 1 then redis.call("PEXPIRE", key, pexpire_of(entry[3])) end
  end
end
return replies
`;

/**
 * refund: KEYS = one rate key per rule; ARGV = nowMs-or-"", then 5 per rule: algorithm, limit,
 * windowMs, burst, cost. Writes refund()'s state keeping the key's remaining TTL (refunds only
 * shorten how long state matters). Returns nowMs.
 */
const refundScript = `${prelude}${algorithms}
local function refund(algorithm, limit, windowMs, state, nowMs, cost)
  if #state == 0 then return {} end
  if algorithm == "gcra" or algorithm == "token-bucket" then
    return { max(0, snap(debt_at(limit, windowMs, true, state[1], state[2], nowMs) - cost)), nowMs }
  elseif algorithm == "fixed-window" then
    return { max(0, state[1] - cost), state[2] }
  elseif algorithm == "sliding-window" then
    return { state[1], max(0, state[2] - cost), state[3] }
  end
  error("enis: unknown algorithm " .. tostring(algorithm))
end

local nowMs = clock(ARGV[1])
local rates = {}
local expiries = {}
local kept = {}
local order = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local base = 1 + (i - 1) * 5
  local state = rates[key]
  if state == nil then
    state, expiries[key], kept[key] = read_rate(key, nowMs)
    order[#order + 1] = key
  end
  rates[key] = refund(ARGV[base + 1], tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), state, nowMs, tonumber(ARGV[base + 5]))
end
-- A refund changes the state, not how long it lives.
for _, key in ipairs(order) do
  local state = rates[key]
  if #state > 0 then
    local pttl = redis.call("PTTL", key)
    if pttl > 0 then redis.call("SET", key, pack_rate(expiries[key], kept[key], state), "PX", pttl) end
  end
end
return fmt(nowMs)
`;

/** release: KEYS[1] = lease key; ARGV = nowMs-or-"", leaseId. Returns "1" when the lease was live. */
const releaseScript = `${prelude}
local nowMs = clock(ARGV[1])
local key = KEYS[1]
local leaseId = ARGV[2]
local released = "0"
for _, lease in ipairs(read_leases(key)) do
  if not (lease[3] > nowMs) then
    redis.call("HDEL", key, lease[1])
  elseif lease[1] == leaseId then
    released = "1"
    redis.call("HDEL", key, lease[1])
  end
end
return released
`;

/** reset: deletes KEYS (all in one slot). */
const resetScript = `
for i = 1, #KEYS do redis.call("DEL", KEYS[i]) end
return #KEYS
`;

/** A Lua script with its SHA-1, the name EVALSHA knows it by. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

function script(name: string, source: string): LuaScript {
  return Object.freeze({ name, source, sha1: createHash("sha1").update(source).digest("hex") });
}

/** The store's scripts. */
export const luaScripts = Object.freeze({
  apply: script("apply", applyScript),
  refund: script("refund", refundScript),
  release: script("release", releaseScript),
  reset: script("reset", resetScript),
});
