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
 * - a lease key is a hash leaseId -> packed doubles "amount, expiresAtMs", and "" -> the sum of the
 *   amounts; its index, a sorted set of the lease ids by expiry, is a second key (see below).
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

-- A lease key K is a hash: leaseId -> packed "<dd" (amount, expiresAtMs), and the field "" (no
-- lease id is empty) -> the sum of the amounts, as "%d". Its index, a sorted set of the lease ids
-- by expiry, is a second key the client declares beside it (prefix{org}, a zero byte, then the
-- key: the same hash tag, so the same Cluster slot, and no throttle key's name), so a call finds
-- the expired leases and the earliest and latest expiry in O(log n) instead of reading them all. Neither key ever
-- becomes empty inside a script: the hash keeps its "" field and the index a sentinel member ""
-- at score -inf (ranges start at "(-inf"). While a Cluster slot migrates, a script may touch only
-- keys that exist on its node, and Redis deletes an emptied key at once; an index emptied and then
-- written again in the same script failed there.

-- HDEL / HMGET of many fields, in chunks (unpack has a stack limit).
local function each_chunk(ids, action)
  for from = 1, #ids, 1000 do
    action(unpack(ids, from, min(#ids, from + 999)))
  end
end

-- A lease hash whose index is gone (an eviction policy removes keys one by one) would never
-- expire its leases: the index is rebuilt from the hash, with the hash's TTL.
local function ensure_index(key, index)
  if redis.call("EXISTS", index) == 1 then return false end
  local flat = redis.call("HGETALL", key)
  local pairs_ = {}
  for i = 1, #flat, 2 do
    if flat[i] ~= "" then
      local _, expiresAtMs = struct.unpack("<dd", flat[i + 1])
      pairs_[#pairs_ + 1] = fmt(expiresAtMs)
      pairs_[#pairs_ + 1] = flat[i]
    end
  end
  pairs_[#pairs_ + 1] = "-inf"
  pairs_[#pairs_ + 1] = ""
  for from = 1, #pairs_, 2000 do
    redis.call("ZADD", index, unpack(pairs_, from, min(#pairs_, from + 1999)))
  end
  local ttl = redis.call("PTTL", key)
  if ttl > 0 then redis.call("PEXPIRE", index, ttl) end
  return true
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

-- The decision on taking amount units for ttlMs at nowMs when the other live leases hold
-- held units, expire at the earliest at earliest (INF: none) and at the latest at latest (>= nowMs):
-- allowed, remaining, retryAfterMs, resetAfterMs, ttlMs (algorithms.ts leaseDecision).
local function lease_decision(limit, held, earliest, latest, amount, ttlMs, nowMs)
  if amount > limit or held + amount > limit then
    local retry = earliest - nowMs
    if amount > limit then retry = INF end
    return false, max(0, limit - held), retry, latest - nowMs, latest - nowMs
  end
  local untilMs = max(latest, nowMs + ttlMs)
  return true, limit - held - amount, 0, untilMs - nowMs, untilMs - nowMs
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

-- Lease keys. What the call learns of a key's stored leases is shared by every view of the key:
-- records read by id ("recs": { amount, expiresAtMs } or false) and the expired records fetched
-- so far ("expired": { expiresAtMs, amount, id }, all those up to "upTo").
local leaseFacts = {}

-- A view of a lease key during the call, batch by batch exactly evaluateLease's array of leases
-- without reading them all: the stored leases (when "loaded"; "total" is their sum) less those
-- expired by "horizon" (the latest clock of the call's spends: a spend at t keeps only the leases
-- live at t, and every stored lease predates every spend), and "changes" (id -> { amount,
-- expiresAtMs }) the call's spends took or renewed, each hiding the stored lease of its id. A
-- change is judged by each decision's own clock, since a spend at an earlier clock may follow a
-- spend at a later one; one that a later spend found expired becomes a tombstone { 0, -INF }.
local function new_view(key, index, loaded, total)
  local facts = leaseFacts[key]
  if facts == nil then
    facts = { recs = {}, expired = {}, upTo = -INF, checked = false }
    leaseFacts[key] = facts
  end
  return { key = key, index = index, loaded = loaded, total = total, horizon = -INF, changes = {}, facts = facts }
end

local function stored_lease(view, id)
  if not view.loaded then return false end
  local recs = view.facts.recs
  local rec = recs[id]
  if rec == nil then
    rec = false
    local raw = redis.call("HGET", view.key, id)
    if raw then
      local amount, expiresAtMs = struct.unpack("<dd", raw)
      rec = { amount, expiresAtMs }
    end
    recs[id] = rec
  end
  return rec
end

-- Sum of the amounts of the stored leases expired at h (expiresAtMs <= h).
local function expired_sum(view, h)
  if not view.loaded then return 0 end
  local facts = view.facts
  if h > facts.upTo then
    -- "(-inf": not the sentinel.
    local low = "(-inf"
    if facts.upTo > -INF then low = "(" .. fmt(facts.upTo) end
    local flat = redis.call("ZRANGEBYSCORE", view.index, low, fmt(h), "WITHSCORES")
    if #flat > 0 then
      local ids = {}
      for i = 1, #flat, 2 do ids[#ids + 1] = flat[i] end
      local raws = {}
      each_chunk(ids, function(...)
        for _, raw in ipairs(redis.call("HMGET", view.key, ...)) do raws[#raws + 1] = raw end
      end)
      for j = 1, #ids do
        local amount = 0
        if raws[j] then amount = struct.unpack("<dd", raws[j]) end
        facts.expired[#facts.expired + 1] = { tonumber(flat[2 * j]), amount, ids[j] }
      end
    end
    facts.upTo = h
  end
  local sum = 0
  for _, record in ipairs(facts.expired) do
    if record[1] <= h then sum = sum + record[2] end
  end
  return sum
end

-- The earliest (latest, with rev) expiry of the view's leases live at nowMs but own, or nil:
-- stored ones after h, changes after nowMs.
local function boundary(view, h, own, rev, nowMs)
  local best = nil
  local seen = false
  if view.loaded then
    -- Own and the changed ids may come first in the stored order: read past them.
    local count = 2
    for _ in pairs(view.changes) do count = count + 1 end
    local flat
    if rev then
      flat = redis.call("ZREVRANGEBYSCORE", view.index, "+inf", "(" .. fmt(h), "WITHSCORES", "LIMIT", 0, count)
    else
      flat = redis.call("ZRANGEBYSCORE", view.index, "(" .. fmt(h), "+inf", "WITHSCORES", "LIMIT", 0, count)
    end
    seen = #flat > 0
    for i = 1, #flat, 2 do
      local id = flat[i]
      if id ~= own and view.changes[id] == nil then
        best = tonumber(flat[i + 1])
        break
      end
    end
  end
  for id, change in pairs(view.changes) do
    local at = change[2]
    if id ~= own and at > nowMs and (best == nil or (rev and at > best) or (not rev and at < best)) then best = at end
  end
  return best, seen
end

-- evaluateLease on the view: allowed, remaining, retryAfterMs, resetAfterMs, ttlMs.
local function decide_lease(view, limit, own, amount, ttlMs, nowMs)
  local h = max(view.horizon, nowMs)
  local held = 0
  local storedLive = 0
  if view.loaded then
    storedLive = view.total - expired_sum(view, h)
    held = storedLive
  end
  for id, change in pairs(view.changes) do
    local rec = stored_lease(view, id)
    if rec and rec[2] > h then held = held - rec[1] end
    if id ~= own and change[2] > nowMs then held = held + change[1] end
  end
  if view.changes[own] == nil then
    local rec = stored_lease(view, own)
    if rec and rec[2] > h then held = held - rec[1] end
  end
  local latestOther, seen = boundary(view, h, own, true, nowMs)
  -- Stored leases live at h, yet the index shows none: the index is gone (evicted on its own).
  -- Rebuilt from the hash, once per key and call, then decided again.
  if view.loaded and not view.facts.checked then
    view.facts.checked = true
    if storedLive > 0 and not seen and ensure_index(view.key, view.index) then
      view.facts.expired = {}
      view.facts.upTo = -INF
      return decide_lease(view, limit, own, amount, ttlMs, nowMs)
    end
  end
  local latest = max(nowMs, latestOther or nowMs)
  local earliest = INF
  if amount > limit or held + amount > limit then earliest = boundary(view, h, own, false, nowMs) or INF end
  return lease_decision(limit, held, earliest, latest, amount, ttlMs, nowMs)
end

-- The view after an allowed spend at nowMs: the leases live then, own taken or renewed.
local function spend_lease(view, own, amount, ttlMs, nowMs)
  local changes = {}
  for id, change in pairs(view.changes) do
    if change[2] > nowMs then changes[id] = change else changes[id] = { 0, -INF } end
  end
  changes[own] = { amount, nowMs + ttlMs }
  return {
    key = view.key, index = view.index, loaded = view.loaded, total = view.total,
    horizon = max(view.horizon, nowMs), changes = changes, facts = view.facts,
  }
end

-- What a key holds, read once per call: false for nothing, else a table { kind, expiresAtMs,
-- lifetimeMs, ... }: kind "r" then the state's length and numbers (n, s1, s2, s3) and the
-- key's keptUntilMs, or kind "L" (expiresAtMs: INF, the view decides) then a lease view. A string
-- of 4 or 5 packed doubles is a rate state; a hash with the field "" holds leases; any other value
-- reads as nothing, as in the memory store, and the write replaces it.
local cache = {}
local function load(key, index, own)
  local entry = cache[key]
  if entry ~= nil then return entry end
  entry = false
  -- A lease rule reads the sum and its own lease in one command; a string answers WRONGTYPE.
  if index ~= nil then
    local got = redis.pcall("HMGET", key, "", own)
    if type(got) == "table" and got.err == nil then
      if got[1] then
        local view = new_view(key, index, true, tonumber(got[1]))
        local rec = false
        if got[2] then
          local amount, expiresAtMs = struct.unpack("<dd", got[2])
          rec = { amount, expiresAtMs }
        end
        view.facts.recs[own] = rec
        entry = { "L", INF, 0, view }
      end
      cache[key] = entry
      return entry
    end
  end
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
    local total = redis.pcall("HGET", key, "")
    if type(total) == "string" then entry = { "L", INF, 0, new_view(key, index, true, tonumber(total)) } end
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
  local head = #replies + 1
  local n = head
  for r = 1, count do
    k = k + 1
    local key = KEYS[k]
    local rule = parse_rule(ARGV[a])
    a = a + 1
    -- A lease rule's key comes with its index's.
    local index = nil
    if rule[1] == "l" then
      k = k + 1
      index = KEYS[k]
    end
    local current = overlay[key]
    if current == nil then current = load(key, index, rule[5]) end
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
      local view
      if current and current[1] == "L" then view = current[4] else view = new_view(key, index, false, 0) end
      -- A lease hash first read by a rate rule of the call: its index is known now.
      if view.index == nil then view.index = index end
      ok, remaining, retry, reset, ttl = decide_lease(view, rule[2], rule[5], rule[3], rule[4], nowMs)
      if ok then n1 = spend_lease(view, rule[5], rule[3], rule[4], nowMs) end
    end
    local flag = 0
    if ok then
      flag = 1
      local lifetime = max(1, ttl)
      if overlay[key] == nil then touched[#touched + 1] = key end
      if rule[1] ~= "r" then
        overlay[key] = { "L", INF, lifetime, n1 }
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
    -- A lease view: drop what expired by its horizon, write its changes, keep the sum.
    local view = entry[4]
    local expiries = view.index
    local h = view.horizon
    local total = view.total
    if not view.loaded then
      -- Nothing of ours (nothing, a rate state, a foreign value): a fresh hash and index.
      redis.call("DEL", key, expiries)
      redis.call("ZADD", expiries, "-inf", "")
      total = 0
    elseif h > -INF then
      expired_sum(view, h)
      local ids = {}
      for _, record in ipairs(view.facts.expired) do
        if record[1] <= h then
          ids[#ids + 1] = record[3]
          total = total - record[2]
        end
      end
      if #ids > 0 then
        each_chunk(ids, function(...) redis.call("HDEL", key, ...) end)
        redis.call("ZREMRANGEBYSCORE", expiries, "(-inf", fmt(h))
      end
    end
    local fields = {}
    local scores = {}
    for id, change in pairs(view.changes) do
      local rec = stored_lease(view, id)
      local storedLive = rec and rec[2] > h
      if storedLive then total = total - rec[1] end
      if change[2] > -INF then
        fields[#fields + 1] = id
        fields[#fields + 1] = struct.pack("<dd", change[1], change[2])
        scores[#scores + 1] = fmt(change[2])
        scores[#scores + 1] = id
        total = total + change[1]
      elseif storedLive then
        redis.call("HDEL", key, id)
        redis.call("ZREM", expiries, id)
      end
    end
    -- One HSET (the leases and the sum) and one ZADD: each command is a round of Redis' dispatch.
    fields[#fields + 1] = ""
    fields[#fields + 1] = string.format("%d", total)
    redis.call("HSET", key, unpack(fields))
    if #scores > 0 then redis.call("ZADD", expiries, unpack(scores)) end
    local px = pexpire_of(entry[3])
    redis.call("PEXPIRE", key, px)
    redis.call("PEXPIRE", expiries, px)
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

/**
 * release: KEYS = the lease key and its index; ARGV = nowMs-or-"", leaseId. Drops the leases
 * expired at nowMs and the lease, keeping the sum.
 * Returns "1" when the lease was live.
 */
const releaseScript = `${prelude}
local nowMs = clock(ARGV[1])
local key = KEYS[1]
local expiries = KEYS[2]
local leaseId = ARGV[2]
local got = redis.pcall("HMGET", key, "", leaseId)
if type(got) ~= "table" or got.err ~= nil or not got[1] then return "0" end
local total = tonumber(got[1])
local expired = redis.call("ZRANGEBYSCORE", expiries, "(-inf", fmt(nowMs))
if #expired > 0 then
  each_chunk(expired, function(...)
    for _, raw in ipairs(redis.call("HMGET", key, ...)) do
      if raw then total = total - struct.unpack("<dd", raw) end
    end
    redis.call("HDEL", key, ...)
  end)
  redis.call("ZREMRANGEBYSCORE", expiries, "(-inf", fmt(nowMs))
end
local released = "0"
if got[2] then
  local amount, expiresAtMs = struct.unpack("<dd", got[2])
  -- An expired own lease was just dropped with the others.
  if expiresAtMs > nowMs then
    total = total - amount
    redis.call("HDEL", key, leaseId)
    redis.call("ZREM", expiries, leaseId)
    released = "1"
  end
end
-- The keys stay (their TTL collects them): deleting an emptied key here and touching it again
-- would fail while its Cluster slot migrates.
redis.call("HSET", key, "", string.format("%d", total))
return released
`;

/** reset: deletes KEYS (all in one slot; a throttle key and its lease index, for each). */
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
