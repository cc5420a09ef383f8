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
 *   state...": the time the state stops counting, then the algorithm's state array;
 * - a lease key is a hash leaseId -> packed doubles "amount, expiresAtMs".
 * Packed doubles are exact and cost a tenth of "%.17g" text and its parsing; a string whose length
 * is not a multiple of 8 (not ours) reads as no state.
 *
 * Time: ARGV[1] is the caller's nowMs, or "" to read the server's clock (TIME, microseconds); in
 * apply it is "c" or "s", and each batch's header carries the caller's nowMs. A script that reads
 * TIME and then writes is non-deterministic; Redis >= 5 replicates such scripts by their effects
 * (the only mode from Redis 7), and on older servers redis.replicate_commands() switches to it.
 */
const prelude = `
local INF = 1/0

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
  if count < 1 or count > 5 or count ~= math.floor(count) then return nil end
  local values = { struct.unpack(packFormats[count], raw) }
  values[count + 1] = nil -- struct.unpack also returns the next position
  return values
end

-- expiresAtMs, then the state array, packed.
local function pack_rate(expiresAtMs, state)
  return struct.pack(packFormats[#state + 1], expiresAtMs, unpack(state))
end

-- A reply number: whole numbers (most of them) as "%d", a third of the cost of "%.17g".
local function num(x)
  if x == 0 then
    if 1 / x < 0 then return "-0" end
    return "0"
  end
  if x == math.floor(x) and x > -9e15 and x < 9e15 then return string.format("%d", x) end
  return fmt(x)
end

-- A key holding the other kind of state (a rate rule on a lease key) reads as no state, as in
-- the memory store; the write then replaces it.
-- A rate key holds "expiresAtMs,state...": the state counts as absent from expiresAtMs on, by the
-- store's clock, exactly as in the memory store (a state read past it with another spec would
-- decide differently). Redis' own expiry (PEXPIRE) only collects the garbage, a little later.
local function read_rate(key, nowMs)
  if redis.call("TYPE", key).ok ~= "string" then return {}, nil end
  local values = unpack_doubles(redis.call("GET", key))
  if values == nil or not (values[1] > nowMs) then return {}, nil end
  local state = {}
  for i = 2, #values do state[i - 1] = values[i] end
  return state, values[1]
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

local function pexpire_of(ms)
  local whole = math.ceil(ms) + 1
  if whole < GC_FLOOR_MS then return GC_FLOOR_MS end
  -- Past ~1e17 a Lua number reaches Redis as "1e+17", which PX refuses; the stored expiry
  -- decides anyway, PEXPIRE only collects garbage, so ~3,000 years is plenty.
  if whole > 1e14 then return 1e14 end
  return whole
end
`;

const algorithms = `
-- JavaScript's Math.round: floor, plus one from a fraction of one half (floor(x + 0.5) differs
-- for 0.49999999999999994), and -0 for x in [-0.5, 0).
local function js_round(x)
  local f = math.floor(x)
  local r = f
  if x - f >= 0.5 then r = f + 1 end
  if r == 0 and x < 0 then r = -r end
  return r
end

local UNIT_EPSILON = 1e-9

local function snap(units)
  local whole = js_round(units)
  if math.abs(units - whole) < UNIT_EPSILON then return whole end
  return units
end

local function debt_at(limit, windowMs, state, nowMs)
  if #state == 0 then return 0 end
  local drained = ((nowMs - state[2]) * limit) / windowMs
  return math.max(0, snap(state[1] - drained))
end

local function gcra(limit, windowMs, burst, state, nowMs, cost)
  local interval = windowMs / limit
  local debt = debt_at(limit, windowMs, state, nowMs)
  local after = snap(debt + cost)
  local remainingNow = math.max(0, math.floor(burst - debt + UNIT_EPSILON))
  if cost > burst or after > burst + UNIT_EPSILON then
    local retry = INF
    if not (cost > burst) then retry = math.ceil((after - burst) * interval) end
    return { false, remainingNow, retry, debt * interval, { debt, nowMs }, math.ceil(debt * interval) }
  end
  return { true, math.max(0, math.floor(burst - after + UNIT_EPSILON)), 0, after * interval, { after, nowMs }, math.ceil(after * interval) }
end

local function fixed_window(limit, windowMs, state, nowMs, cost)
  local windowStart = math.floor(nowMs / windowMs) * windowMs
  local count = 0
  if #state > 0 and state[2] == windowStart then count = state[1] end
  local windowEnd = windowStart + windowMs
  local resetAfterMs = 0
  if count > 0 then resetAfterMs = windowEnd - nowMs end
  if cost > limit or count + cost > limit then
    local retry = windowEnd - nowMs
    if cost > limit then retry = INF end
    return { false, math.max(0, limit - count), retry, resetAfterMs, { count, windowStart }, windowEnd - nowMs }
  end
  local spent = count + cost
  local reset = 0
  if spent > 0 then reset = windowEnd - nowMs end
  return { true, limit - spent, 0, reset, { spent, windowStart }, windowEnd - nowMs }
end

local function sliding_retry(limit, windowMs, previous, current, nowMs, currentStart, cost)
  local windowEnd = currentStart + windowMs
  local room = limit - current - cost
  if room >= 0 and previous > 0 then
    local at = math.ceil(windowEnd - (room * windowMs) / previous)
    if at < windowEnd then return math.max(1, at - nowMs) end
  end
  local nextRoom = limit - cost
  if current == 0 or nextRoom >= current then return windowEnd - nowMs end
  local at = math.ceil(windowEnd + windowMs - (nextRoom * windowMs) / current)
  return math.max(1, at - nowMs)
end

local function sliding_window(limit, windowMs, state, nowMs, cost)
  local currentStart = math.floor(nowMs / windowMs) * windowMs
  local previous = 0
  local current = 0
  if #state > 0 then
    local storedStart = state[3]
    if storedStart == currentStart then
      previous = state[1]
      current = state[2]
    elseif storedStart == currentStart - windowMs then
      previous = state[2]
    end
  end
  local weight = (windowMs - (nowMs - currentStart)) / windowMs
  local used = math.ceil(previous * weight - UNIT_EPSILON) + current
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
    return { false, math.max(0, limit - used), retry, resetAfterMs, { previous, current, currentStart }, ttlMs }
  end
  return { true, limit - used - cost, 0, windowEnd + windowMs - nowMs, { previous, current + cost, currentStart }, ttlMs }
end

local function evaluate(algorithm, limit, windowMs, burst, state, nowMs, cost)
  if algorithm == "gcra" or algorithm == "token-bucket" then
    return gcra(limit, windowMs, burst, state, nowMs, cost)
  elseif algorithm == "fixed-window" then
    return fixed_window(limit, windowMs, state, nowMs, cost)
  elseif algorithm == "sliding-window" then
    return sliding_window(limit, windowMs, state, nowMs, cost)
  end
  error("enis: unknown algorithm " .. tostring(algorithm))
end

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
    earliest = math.min(earliest, lease[3])
    latest = math.max(latest, lease[3])
  end
  if amount > limit or held + amount > limit then
    local retry = earliest - nowMs
    if amount > limit then retry = INF end
    return { false, math.max(0, limit - held), retry, latest - nowMs, live, latest - nowMs }
  end
  local expiresAtMs = nowMs + ttlMs
  local nextLeases = {}
  for i = 1, #live do nextLeases[i] = live[i] end
  nextLeases[#nextLeases + 1] = { leaseId, amount, expiresAtMs }
  local untilMs = math.max(latest, expiresAtMs)
  return { true, limit - held - amount, 0, untilMs - nowMs, nextLeases, untilMs - nowMs }
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
 * Returns the server clock reading ("" with the caller clock), then one string per batch:
 * "allowed" then ",allowed,remaining,retryAfterMs,resetAfterMs" per rule — whole numbers as "%d",
 * others "%.17g" (which round-trips any double; C's printf writes infinity as "inf").
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

-- What a key holds, read once per call: false for nothing, else { kind, data, expiresAtMs,
-- lifetimeMs } with kind "r" (data: the rate state) or "l" (data: the leases). A string is a rate
-- state; a hash holds leases; any other type reads as nothing, as in the memory store, and the
-- write replaces it.
local cache = {}
local function load(key)
  local entry = cache[key]
  if entry ~= nil then return entry end
  entry = false
  local raw = redis.pcall("GET", key)
  local values = nil
  if type(raw) == "string" then values = unpack_doubles(raw) end
  if values ~= nil then
    local state = {}
    for i = 2, #values do state[i - 1] = values[i] end
    entry = { "r", state, values[1], 0 }
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
      if #leases > 0 then entry = { "l", leases, latest, 0 } end
    end
  end
  cache[key] = entry
  return entry
end

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
  local parts = { "" }
  for r = 1, count do
    k = k + 1
    local key = KEYS[k]
    local rule = parse_rule(ARGV[a])
    a = a + 1
    local current = overlay[key]
    if current == nil then
      current = load(key)
      -- A state counts as absent from its expiry on, by the evaluating clock (as in memory).
      if current and not (current[3] > nowMs) then current = false end
    end
    local ev
    if rule[1] == "r" then
      local state = {}
      if current and current[1] == "r" then state = current[2] end
      ev = evaluate(rule[2], rule[3], rule[4], rule[5], state, nowMs, rule[6])
    else
      local leases = {}
      if current and current[1] == "l" then leases = current[2] end
      ev = evaluate_lease(rule[2], leases, rule[5], rule[3], rule[4], nowMs)
    end
    local flag = 0
    if ev[1] then
      flag = 1
      local lifetime = math.max(1, ev[6])
      if overlay[key] == nil then touched[#touched + 1] = key end
      overlay[key] = { rule[1], ev[5], nowMs + lifetime, lifetime }
    else
      allowed = false
    end
    parts[#parts + 1] = flag .. "," .. num(ev[2]) .. "," .. num(ev[3]) .. "," .. num(ev[4])
  end
  if allowed then
    parts[1] = "1"
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
    parts[1] = "0"
  end
  replies[#replies + 1] = table.concat(parts, ",")
end

for _, key in ipairs(order) do
  local entry = cache[key]
  if entry[1] == "r" then
    redis.call("SET", key, pack_rate(entry[3], entry[2]), "PX", pexpire_of(entry[4]))
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
    for _, lease in ipairs(entry[2]) do
      local value = struct.pack("<dd", lease[2], lease[3])
      keep[lease[1]] = true
      if present[lease[1]] ~= value then redis.call("HSET", key, lease[1], value) end
    end
    for id in pairs(present) do
      if not keep[id] then redis.call("HDEL", key, id) end
    end
    if redis.call("EXISTS", key) == 1 then redis.call("PEXPIRE", key, pexpire_of(entry[4])) end
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
    return { math.max(0, snap(debt_at(limit, windowMs, state, nowMs) - cost)), nowMs }
  elseif algorithm == "fixed-window" then
    return { math.max(0, state[1] - cost), state[2] }
  elseif algorithm == "sliding-window" then
    return { state[1], math.max(0, state[2] - cost), state[3] }
  end
  error("enis: unknown algorithm " .. tostring(algorithm))
end

local nowMs = clock(ARGV[1])
local rates = {}
local expiries = {}
local order = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local base = 1 + (i - 1) * 5
  local state = rates[key]
  if state == nil then
    state, expiries[key] = read_rate(key, nowMs)
    order[#order + 1] = key
  end
  rates[key] = refund(ARGV[base + 1], tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), state, nowMs, tonumber(ARGV[base + 5]))
end
-- A refund changes the state, not how long it lives.
for _, key in ipairs(order) do
  local state = rates[key]
  if #state > 0 then
    local pttl = redis.call("PTTL", key)
    if pttl > 0 then redis.call("SET", key, pack_rate(expiries[key], state), "PX", pttl) end
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
