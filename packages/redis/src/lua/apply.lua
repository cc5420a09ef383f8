-- apply.lua (after prelude.lua and luaAlgorithms): ThrottleStore.apply of several independent
-- batches in one call (the store coalesces the batches its callers submit in one event-loop turn).
--
-- ARGV[1] = "s" (the server's clock) or "c" (the caller's); then per batch its rule count
-- (negative for a dry run), with the caller's clock its nowMs, and one argument per rule:
--   "r,algorithm,limit,windowMs,burst,blockDurationMs,cost"  a rate rule;
--   "l,limit,cost,ttlMs,renew,leaseId"                        a lease rule (renew "1" or "0"; the
--                                                             lease id last: it may hold commas).
-- KEYS = per rule its Redis key, and for a lease rule then its index's; batch after batch.
--
-- Batches are evaluated in order, each all or nothing against the state the batches before it
-- left: exactly what the same batches sent one call after the other would decide, since Redis runs
-- a script without interleaving. Inside a batch a later rule on the same key sees the earlier
-- one's result. A refused batch writes only the blocks its refusals start (blocked_state of the
-- key's state before the batch), unless it is a dry run. Writes wait until the last batch, so a
-- key decided by many batches is read once and written once. With the server's clock every batch
-- is evaluated at one TIME reading.
--
-- Returns one flat array: the server clock reading ("" with the caller's clock), then per batch
-- its allowed flag (1 or 0) and per rule its flag (1 allowed, 0 refused, 2 refused "blocked",
-- 3 refused "lease-held"), remaining, retryAfterMs, resetAfterMs: whole numbers as integer
-- replies, others as "%.17g" text (C's printf writes infinity as "inf"). Formatting every number
-- as text was a third of a rule's time.
--
-- Stored state:
-- - a rate key is a string of packed little-endian doubles (Redis' struct library)
--   "expiresAtMs, keptUntilMs, state...": the time from which the state counts as absent, by the
--   store's clock; a time by the server's clock before which Redis keeps the key (-inf when
--   unknown); then the algorithm's state (2 or 3 numbers, and a running block's end). Packed
--   doubles are exact and cost a tenth of "%.17g" text and its parsing; a string of another length
--   (not ours) reads as no state.
-- - a lease key is a hash: leaseId -> packed "<dd" (cost, expiresAtMs), and the field "" (no
--   lease id is empty) -> the sum of the costs, as "%d". Its index, a sorted set of the lease ids
--   by expiry, is a second key the client declares beside it (prefix{partition}, a zero byte, then
--   the throttle key: the same hash tag, so the same Cluster slot, and no throttle key's name), so
--   a call finds the expired leases and the earliest and latest expiry in O(log n) instead of
--   reading them all. Neither key ever becomes empty inside a script: the hash keeps its "" field
--   and the index a sentinel member "" at score -inf (ranges start at "(-inf"). While a Cluster
--   slot migrates, a script may touch only keys that exist on its node, and Redis deletes an
--   emptied key at once; an index emptied and then written again in the same script failed there.
-- A key holding the other kind of state (a rate rule on a lease key) reads as no state, as in
-- the memory store; the write then replaces it.

-- Redis expires keys by its own clock, in whole ms: one more ms than the state's lifetime so it
-- never drops a state before the script would. With a caller's clock (tests, replays) Redis' clock
-- is another one, and a caller clock slower than the server's would lose state early, so
-- caller-clock keys live at least a minute; an expired state still reads as absent.
local GC_FLOOR_MS = 1
if ARGV[1] == "c" then GC_FLOOR_MS = 60000 end

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

-- A reply number: a whole number (most of them) as the Lua number itself, which Redis sends as
-- an integer reply (no formatting at all); others (fractions, infinities, -0) as "%.17g" text.
local function num(x)
  if x % 1 == 0 and x > -9e15 and x < 9e15 and (x ~= 0 or 1 / x > 0) then return x end
  return fmt(x)
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

local callerClock = ARGV[1] == "c"
local serverNow = nil
if not callerClock then serverNow = clock("") end

-- Rule arguments, parsed once per distinct text (coalesced batches mostly repeat a few):
-- { "r", algorithm, limit, windowMs, burst, blockDurationMs, cost } or
-- { "l", limit, cost, ttlMs, renew, leaseId }.
local parsed = {}
local function parse_rule(text)
  local rule = parsed[text]
  if rule ~= nil then return rule end
  if string.sub(text, 1, 2) == "r," then
    local algorithm, limit, windowMs, burst, blockMs, cost =
      string.match(text, "^r,([^,]+),([^,]+),([^,]+),([^,]+),([^,]+),([^,]+)$")
    rule = { "r", algorithm, tonumber(limit), tonumber(windowMs), tonumber(burst), tonumber(blockMs), tonumber(cost) }
  else
    local limit, cost, ttlMs, renew, leaseId = string.match(text, "^l,([^,]+),([^,]+),([^,]+),([01]),(.*)$")
    rule = { "l", tonumber(limit), tonumber(cost), tonumber(ttlMs), renew == "1", leaseId }
  end
  parsed[text] = rule
  return rule
end

-- Lease keys. What the call learns of a key's stored leases is shared by every view of the key:
-- records read by id ("recs": { cost, expiresAtMs } or false) and the expired records fetched
-- so far ("expired": { expiresAtMs, cost, id }, all those up to "upTo").
local leaseFacts = {}

-- A view of a lease key during the call, batch by batch exactly evaluateLease's array of leases
-- without reading them all: the stored leases (when "loaded"; "total" is their sum) less those
-- expired by "horizon" (the latest clock of the call's spends: a spend at t keeps only the leases
-- live at t, and every stored lease predates every spend), and "changes" (id -> { cost,
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
      local cost, expiresAtMs = struct.unpack("<dd", raw)
      rec = { cost, expiresAtMs }
    end
    recs[id] = rec
  end
  return rec
end

-- Sum of the costs of the stored leases expired at h (expiresAtMs <= h).
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
        local cost = 0
        if raws[j] then cost = struct.unpack("<dd", raws[j]) end
        facts.expired[#facts.expired + 1] = { tonumber(flat[2 * j]), cost, ids[j] }
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

-- evaluateLease on the view: allowed, remaining, retryAfterMs, resetAfterMs, ttlMs, and whether
-- an acquire (renew false) was refused because own is held ("lease-held").
local function decide_lease(view, limit, own, cost, ttlMs, renew, nowMs)
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
  -- Own's live lease, if any: its cost and expiry (held counts the others only).
  local ownCost = 0
  local ownUntil = nil
  local ownChange = view.changes[own]
  if ownChange == nil then
    local rec = stored_lease(view, own)
    if rec and rec[2] > h then
      held = held - rec[1]
      ownCost, ownUntil = rec[1], rec[2]
    end
  elseif ownChange[2] > nowMs then
    ownCost, ownUntil = ownChange[1], ownChange[2]
  end
  local latestOther, seen = boundary(view, h, own, true, nowMs)
  -- Stored leases live at h, yet the index shows none: the index is gone (evicted on its own).
  -- Rebuilt from the hash, once per key and call, then decided again.
  if view.loaded and not view.facts.checked then
    view.facts.checked = true
    if storedLive > 0 and not seen and ensure_index(view.key, view.index) then
      view.facts.expired = {}
      view.facts.upTo = -INF
      return decide_lease(view, limit, own, cost, ttlMs, renew, nowMs)
    end
  end
  local latest = max(nowMs, latestOther or nowMs)
  -- Two holders must never share one lease: only a renewal extends a held one.
  if ownUntil ~= nil and not renew then
    local ok, remaining, retry, reset, ttl = lease_held_decision(limit, held + ownCost, ownUntil, max(latest, ownUntil), nowMs)
    return ok, remaining, retry, reset, ttl, true
  end
  local earliest = INF
  if cost > limit or held + cost > limit then earliest = boundary(view, h, own, false, nowMs) or INF end
  local ok, remaining, retry, reset, ttl = lease_decision(limit, held, earliest, latest, cost, ttlMs, nowMs)
  return ok, remaining, retry, reset, ttl, false
end

-- The view after an allowed spend at nowMs: the leases live then, own taken or renewed.
local function spend_lease(view, own, cost, ttlMs, nowMs)
  local changes = {}
  for id, change in pairs(view.changes) do
    if change[2] > nowMs then changes[id] = change else changes[id] = { 0, -INF } end
  end
  changes[own] = { cost, nowMs + ttlMs }
  return {
    key = view.key, index = view.index, loaded = view.loaded, total = view.total,
    horizon = max(view.horizon, nowMs), changes = changes, facts = view.facts,
  }
end

-- What a key holds, read once per call: false for nothing, else a table
--   { "r", expiresAtMs, lifetimeMs, keptUntilMs, n, s1, s2, s3, s4 }  a rate state of n numbers;
--   { "L", INF, lifetimeMs, view }                                    leases (the view decides).
-- A string of 4 to 6 packed doubles is a rate state; a hash with the field "" holds leases; any
-- other value reads as nothing, as in the memory store, and the write replaces it.
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
          local cost, expiresAtMs = struct.unpack("<dd", got[2])
          rec = { cost, expiresAtMs }
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
      entry = { "r", expiresAtMs, 0, keptUntilMs, 2, s1, s2, nil, nil }
    elseif length == 40 then
      local expiresAtMs, keptUntilMs, s1, s2, s3 = struct.unpack("<ddddd", raw)
      entry = { "r", expiresAtMs, 0, keptUntilMs, 3, s1, s2, s3, nil }
    elseif length == 48 then
      local expiresAtMs, keptUntilMs, s1, s2, s3, s4 = struct.unpack("<dddddd", raw)
      entry = { "r", expiresAtMs, 0, keptUntilMs, 4, s1, s2, s3, s4 }
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

-- Makes entry the key's state for the batches after this one, and for the final write.
local function commit(key, entry)
  cache[key] = entry
  if not dirty[key] then
    dirty[key] = true
    order[#order + 1] = key
  end
end

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
  -- Keys and rules of the refusals that start a block, in order: key, rule, key, rule, ...
  local blocking = nil
  local head = #replies + 1
  local n = head
  for r = 1, count do
    k = k + 1
    local key = KEYS[k]
    local rule = parse_rule(ARGV[a])
    a = a + 1
    -- A lease rule's key comes with its index's.
    local index = nil
    local own = nil
    if rule[1] == "l" then
      k = k + 1
      index = KEYS[k]
      own = rule[6]
    end
    local current = overlay[key]
    if current == nil then current = load(key, index, own) end
    -- Until the call's writes, a rate key's TTL is the one it came with.
    local keptUntilMs = nil
    if current and current[1] == "r" then keptUntilMs = current[4] end
    -- A state counts as absent from its expiry on, by the evaluating clock (as in memory).
    if current and not (current[2] > nowMs) then current = false end
    local flag, remaining, retry, reset
    if rule[1] == "r" then
      local ok, reason, startsBlock, ttl, m, t1, t2, t3, t4
      if current and current[1] == "r" then
        ok, reason, startsBlock, remaining, retry, reset, ttl, m, t1, t2, t3, t4 = evaluate(rule[2], rule[3],
          rule[4], rule[5], rule[6], current[5], current[6], current[7], current[8], current[9], nowMs, rule[7])
      else
        ok, reason, startsBlock, remaining, retry, reset, ttl, m, t1, t2, t3, t4 = evaluate(rule[2], rule[3],
          rule[4], rule[5], rule[6], 0, nil, nil, nil, nil, nowMs, rule[7])
      end
      if ok then
        flag = 1
        local lifetime = max(1, ttl)
        if overlay[key] == nil then touched[#touched + 1] = key end
        overlay[key] = { "r", nowMs + lifetime, lifetime, keptUntilMs, m, t1, t2, t3, t4 }
      else
        allowed = false
        flag = 0
        if reason == "blocked" then flag = 2 end
        if startsBlock then
          if blocking == nil then blocking = {} end
          blocking[#blocking + 1] = key
          blocking[#blocking + 1] = rule
        end
      end
    else
      local view
      if current and current[1] == "L" then view = current[4] else view = new_view(key, index, false, 0) end
      -- A lease hash first read by a rate rule of the call: its index is known now.
      if view.index == nil then view.index = index end
      local ok, ttl, held
      ok, remaining, retry, reset, ttl, held = decide_lease(view, rule[2], own, rule[3], rule[4], rule[5], nowMs)
      if ok then
        flag = 1
        if overlay[key] == nil then touched[#touched + 1] = key end
        overlay[key] = { "L", INF, max(1, ttl), spend_lease(view, own, rule[3], rule[4], nowMs) }
      else
        allowed = false
        flag = 0
        if held then flag = 3 end
      end
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
      for _, key in ipairs(touched) do commit(key, overlay[key]) end
    end
  else
    replies[head] = 0
    -- A refused batch keeps the blocks its refusals start, each on the key's state before the
    -- batch: what the batch would have spent is not kept.
    if blocking ~= nil and not dry then
      for i = 1, #blocking, 2 do
        local key = blocking[i]
        local rule = blocking[i + 1]
        local stored = cache[key]
        local keptUntilMs = nil
        local sn, s1, s2, s3 = 0, nil, nil, nil
        if stored and stored[1] == "r" then
          keptUntilMs = stored[4]
          if stored[2] > nowMs then sn, s1, s2, s3 = stored[5], stored[6], stored[7], stored[8] end
        end
        local ttl, m, t1, t2, t3, t4 = blocked_state(rule[2], rule[3], rule[4], rule[5], rule[6], sn, s1, s2, s3, nowMs)
        local lifetime = max(1, ttl)
        commit(key, { "r", nowMs + lifetime, lifetime, keptUntilMs, m, t1, t2, t3, t4 })
      end
    end
  end
end

for _, key in ipairs(order) do
  local entry = cache[key]
  if entry[1] == "r" then
    -- The key keeps its TTL while that outlasts the new state (server clock only: a caller's clock
    -- says nothing of when Redis expires the key); else it gets a new one, which the value records,
    -- less 100 ms for the time between this script's start (Redis' clock for the TTL) and TIME.
    local keptUntilMs = entry[4]
    local px = nil
    if serverNow == nil or keptUntilMs == nil or not (entry[2] <= keptUntilMs) then
      px = pexpire_ms(entry[3])
      keptUntilMs = -INF
      if serverNow ~= nil then keptUntilMs = serverNow + px - 100 end
    end
    local packed
    local m = entry[5]
    if m == 2 then
      packed = struct.pack("<dddd", entry[2], keptUntilMs, entry[6], entry[7])
    elseif m == 3 then
      packed = struct.pack("<ddddd", entry[2], keptUntilMs, entry[6], entry[7], entry[8])
    else
      packed = struct.pack("<dddddd", entry[2], keptUntilMs, entry[6], entry[7], entry[8], entry[9])
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
