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
 * - a rate key is a string "expiresAtMs,state...": the algorithm's state array after the time it
 *   stops counting, numbers "%.17g" joined by ",";
 * - a lease key is a hash leaseId -> "amount,expiresAtMs".
 *
 * Time: ARGV[1] is the caller's nowMs, or "" to read the server's clock (TIME, microseconds). A
 * script that reads TIME and then writes is non-deterministic; Redis >= 5 replicates such scripts
 * by their effects (the only mode from Redis 7), and on older servers redis.replicate_commands()
 * switches to it.
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

local function split(raw)
  local out = {}
  for part in string.gmatch(raw, "[^,]+") do out[#out + 1] = tonumber(part) end
  return out
end

local function join(numbers)
  local parts = {}
  for i = 1, #numbers do parts[i] = fmt(numbers[i]) end
  return table.concat(parts, ",")
end

-- A key holding the other kind of state (a rate rule on a lease key) reads as no state, as in
-- the memory store; the write then replaces it.
-- A rate key holds "expiresAtMs,state...": the state counts as absent from expiresAtMs on, by the
-- store's clock, exactly as in the memory store (a state read past it with another spec would
-- decide differently). Redis' own expiry (PEXPIRE) only collects the garbage, a little later.
local function read_rate(key, nowMs)
  if redis.call("TYPE", key).ok ~= "string" then return {}, nil end
  local values = split(redis.call("GET", key))
  if not (values[1] > nowMs) then return {}, nil end
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
    local v = split(flat[i + 1])
    leases[#leases + 1] = { flat[i], v[1], v[2] }
  end
  return leases
end

-- Redis expires keys by its own clock, in whole ms: one more ms than the state's lifetime so it
-- never drops a state before the script would. With a caller's clock (tests, replays) Redis' clock
-- is another one, and a caller clock slower than the server's would lose state early, so
-- caller-clock keys live at least a minute; an expired state still reads as absent.
local GC_FLOOR_MS = 1
if ARGV[1] ~= "" then GC_FLOOR_MS = 60000 end

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
 * apply: KEYS = one Redis key per rule; ARGV = nowMs-or-"", dryRun "1"/"0", then 6 arguments per
 * rule: "r", algorithm, limit, windowMs, burst, cost — or "l", limit, amount, leaseId, ttlMs, "".
 * Evaluates every rule first (a later rule on the same key sees the earlier one's result), writes
 * only when all allowed and not a dry run. Returns allowed, nowMs, then per rule allowed,
 * remaining, retryAfterMs, resetAfterMs — all as text.
 */
const applyScript = `${prelude}${algorithms}
local nowMs = clock(ARGV[1])
local dryRun = ARGV[2] == "1"
local rates = {}
local leaseSets = {}
local finals = {}
local order = {}
local reply = { "1", fmt(nowMs) }
local allowed = true
for i = 1, #KEYS do
  local key = KEYS[i]
  local base = 2 + (i - 1) * 6
  local ev
  if ARGV[base + 1] == "r" then
    local state = rates[key]
    if state == nil then
      if finals[key] ~= nil then state = {} else state = read_rate(key, nowMs) end
    end
    ev = evaluate(ARGV[base + 2], tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4]), tonumber(ARGV[base + 5]), state, nowMs, tonumber(ARGV[base + 6]))
    if ev[1] then
      rates[key] = ev[5]
      leaseSets[key] = nil
      if finals[key] == nil then order[#order + 1] = key end
      finals[key] = { "r", ev[5], ev[6] }
    end
  else
    local leases = leaseSets[key]
    if leases == nil then
      if finals[key] ~= nil then leases = {} else leases = read_leases(key) end
    end
    ev = evaluate_lease(tonumber(ARGV[base + 2]), leases, ARGV[base + 4], tonumber(ARGV[base + 3]), tonumber(ARGV[base + 5]), nowMs)
    if ev[1] then
      leaseSets[key] = ev[5]
      rates[key] = nil
      if finals[key] == nil then order[#order + 1] = key end
      finals[key] = { "l", ev[5], ev[6] }
    end
  end
  if not ev[1] then allowed = false end
  local flag = "0"
  if ev[1] then flag = "1" end
  reply[#reply + 1] = flag
  reply[#reply + 1] = fmt(ev[2])
  reply[#reply + 1] = fmt(ev[3])
  reply[#reply + 1] = fmt(ev[4])
end
if not allowed then reply[1] = "0" end
if allowed and not dryRun then
  for _, key in ipairs(order) do
    local final = finals[key]
    if final[1] == "r" then
      local lifetime = math.max(1, final[3])
      redis.call("SET", key, fmt(nowMs + lifetime) .. "," .. join(final[2]), "PX", pexpire_of(lifetime))
    else
      -- Diff against what the hash holds, so a renewal writes one field, not every lease.
      local present = {}
      if redis.call("TYPE", key).ok == "hash" then
        local flat = redis.call("HGETALL", key)
        for j = 1, #flat, 2 do present[flat[j]] = flat[j + 1] end
      else
        redis.call("DEL", key)
      end
      local keep = {}
      for _, lease in ipairs(final[2]) do
        local value = fmt(lease[2]) .. "," .. fmt(lease[3])
        keep[lease[1]] = true
        if present[lease[1]] ~= value then redis.call("HSET", key, lease[1], value) end
      end
      for id in pairs(present) do
        if not keep[id] then redis.call("HDEL", key, id) end
      end
      if redis.call("EXISTS", key) == 1 then redis.call("PEXPIRE", key, pexpire_of(math.max(1, final[3]))) end
    end
  end
end
return reply
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
    if pttl > 0 then redis.call("SET", key, fmt(expiries[key]) .. "," .. join(state), "PX", pttl) end
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
