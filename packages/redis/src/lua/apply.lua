-- apply.lua (after prelude.lua and luaAlgorithms): ThrottleStore.apply of several independent
-- batches in one call (the store coalesces the batches its callers submit in one event-loop turn).
--
-- ARGV[1] = "s" (the server's clock) or "c" (the caller's); ARGV[2] = T, the number of rule texts;
-- ARGV[3 .. 2 + T] = the call's rule texts, each distinct rate rule once:
--   "r,algorithm,limit,windowMs,burst,blockDurationMs,cost"  a rate rule;
--   "l,limit,cost,ttlMs,renew,leaseId"                        a lease rule (renew "1" or "0"; the
--                                                             lease id last: it may hold commas);
-- then per batch its descriptor — "d" for a dry run, then the indexes (1 to T) of its rules' texts,
-- comma-separated: "1" is a batch of the first text's rule — and, with the caller's clock, its
-- nowMs. KEYS = per rule its Redis key, and for a lease rule then its index's; batch after batch.
--
-- Batches are evaluated in order, each all or nothing against the state the batches before it
-- left: exactly what the same batches sent one call after the other would decide, since Redis runs
-- a script without interleaving. Inside a batch a later rule on the same key sees the earlier
-- one's result. A refused batch writes only the blocks its refusals start (blocked_state of the
-- key's state before the batch), unless it is a dry run. A key decided by many batches is read
-- once and written once. With the server's clock every batch is evaluated at one TIME reading.
--
-- Returns one flat array: the server clock reading ("" with the caller's clock), then per rule,
-- batch after batch: remaining, resetAfterMs when it is allowed (retryAfterMs is 0); else a code
-- (-1 refused, -2 refused "blocked", -3 refused "lease-held"), remaining, retryAfterMs,
-- resetAfterMs. A batch is allowed when all its rules are. Whole numbers are integer replies
-- (remaining >= 0: a negative integer first is a code), others "%.17g" text (C's printf writes
-- infinity as "inf"). Formatting every number as text was a third of a rule's time.
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
if string.byte(ARGV[1], 1) == 99 then GC_FLOOR_MS = 60000 end

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

local callerClock = string.byte(ARGV[1], 1) == 99
local serverNow = nil
if not callerClock then serverNow = clock("") end

-- The call's rules, parsed from their texts: { "r", algorithm, limit, windowMs, burst,
-- blockDurationMs, cost, stateLength } or { "l", limit, cost, ttlMs, renew, leaseId }.
local rules = {}
local textCount = tonumber(ARGV[2])
local rateOnly = true
for i = 1, textCount do
  local text = ARGV[2 + i]
  if string.sub(text, 1, 2) == "r," then
    local algorithm, limit, windowMs, burst, blockMs, cost =
      string.match(text, "^r,([^,]+),([^,]+),([^,]+),([^,]+),([^,]+),([^,]+)$")
    rules[i] = { "r", algorithm, tonumber(limit), tonumber(windowMs), tonumber(burst), tonumber(blockMs), tonumber(cost),
      state_length(algorithm) }
  else
    local limit, cost, ttlMs, renew, leaseId = string.match(text, "^l,([^,]+),([^,]+),([^,]+),([01]),(.*)$")
    rules[i] = { "l", tonumber(limit), tonumber(cost), tonumber(ttlMs), renew == "1", leaseId }
    rateOnly = false
  end
end

-- The batch whose descriptor is ARGV[a]: its rules go to `refs` (a reused table). Returns its rule
-- count, whether it is a dry run, its clock, and the next batch's ARGV index.
local refs = {}
local function read_batch(a)
  local descriptor = ARGV[a]
  local nowMs = serverNow
  a = a + 1
  if callerClock then
    nowMs = tonumber(ARGV[a])
    a = a + 1
  end
  -- The common batch: one rule, no dry run.
  local only = tonumber(descriptor)
  if only ~= nil then
    refs[1] = rules[only]
    return 1, false, nowMs, a
  end
  local count = 0
  for index in string.gmatch(descriptor, "%d+") do
    count = count + 1
    refs[count] = rules[tonumber(index)]
  end
  return count, string.byte(descriptor, 1) == 100, nowMs, a
end

-- Writes a rate state of m numbers, t1..t4, that counts until expiresAtMs and matters for
-- lifetimeMs, over a key whose recorded keptUntilMs (nil: none) says until when Redis keeps it.
-- The key keeps its TTL while that outlasts the new state (server clock only: a caller's clock
-- says nothing of when Redis expires the key); else it gets a new one, which the value records,
-- less 100 ms for the time between this script's start (Redis' clock for the TTL) and TIME.
local function write_rate(key, expiresAtMs, lifetimeMs, keptUntilMs, m, t1, t2, t3, t4)
  local px = nil
  if serverNow == nil or keptUntilMs == nil or not (expiresAtMs <= keptUntilMs) then
    px = pexpire_ms(lifetimeMs)
    keptUntilMs = -INF
    if serverNow ~= nil then keptUntilMs = serverNow + px - 100 end
  end
  local packed
  if m == 2 then
    packed = struct.pack("<dddd", expiresAtMs, keptUntilMs, t1, t2)
  elseif m == 3 then
    packed = struct.pack("<ddddd", expiresAtMs, keptUntilMs, t1, t2, t3)
  else
    packed = struct.pack("<dddddd", expiresAtMs, keptUntilMs, t1, t2, t3, t4)
  end
  if px == nil then
    redis.call("SET", key, packed, "KEEPTTL")
  else
    redis.call("SET", key, packed, "PX", string.format("%d", px))
  end
end

-- The rate path. A call of rate rules only — every call of the rate limiters and of rate quotas —
-- is decided without the general path's tables per batch and per key: one MGET reads every key
-- of the call, each batch is decided on what the batches before it left, and a key is written
-- (SET) when its last batch of the call has been decided. Until then (a key in several batches:
-- an organisation's key in each of its users' checks) its state waits in `pending`, as the state
-- the next batch on it reads. A batch of one rule keeps its state in locals, a batch of several rules in the reused tables
-- below (a later rule on a key already in the batch sees the earlier rule's result, as in memory).

-- KEYS index of each key's last occurrence in the call: where its write is due (keys repeat).
local lastAt = nil
-- The MGET reply: each KEYS index's value when the call started (false: none, or not a string).
local stored = nil
-- key -> { expiresAtMs, lifetimeMs, keptUntilMs, m, t1, t2, t3, t4 }: a state decided by the
-- call whose write waits for the key's last batch. keptUntilMs is the one stored before the call
-- (the key's TTL is not changed until the write).
local pending = {}

-- A stored rate state: its length n (0 for none: no key, another kind of value, a string of
-- another length), expiresAtMs, keptUntilMs, s1..s4.
local function unpack_rate(raw)
  if raw then
    local length = #raw
    -- struct.unpack also returns the position after the values: not passed on.
    if length == 32 then
      local expiresAtMs, keptUntilMs, s1, s2 = struct.unpack("<dddd", raw)
      return 2, expiresAtMs, keptUntilMs, s1, s2, nil, nil
    elseif length == 40 then
      local expiresAtMs, keptUntilMs, s1, s2, s3 = struct.unpack("<ddddd", raw)
      return 3, expiresAtMs, keptUntilMs, s1, s2, s3, nil
    elseif length == 48 then
      local expiresAtMs, keptUntilMs, s1, s2, s3, s4 = struct.unpack("<dddddd", raw)
      return 4, expiresAtMs, keptUntilMs, s1, s2, s3, s4
    end
  end
  return 0, nil, nil, nil, nil, nil, nil
end

-- The state of the key at KEYS index k, as the call has left it.
local function read_rate(k)
  local entry = pending[KEYS[k]]
  if entry ~= nil then
    -- Only the state's own m numbers: a batch of several rules passes its reused slots on, and
    -- those past m may hold an earlier batch's numbers.
    local m = entry[4]
    local s3, s4 = nil, nil
    if m > 2 then s3 = entry[7] end
    if m > 3 then s4 = entry[8] end
    return m, entry[1], entry[3], entry[5], entry[6], s3, s4
  end
  return unpack_rate(stored[k])
end

-- Makes a decided state the key's (at KEYS index k): written now if this is the key's last
-- occurrence in the call, else kept pending for the batches after.
local function settle_rate(k, expiresAtMs, lifetimeMs, keptUntilMs, m, t1, t2, t3, t4)
  local key = KEYS[k]
  if lastAt[key] == k then
    pending[key] = nil
    return write_rate(key, expiresAtMs, lifetimeMs, keptUntilMs, m, t1, t2, t3, t4)
  end
  local entry = pending[key]
  if entry == nil then
    pending[key] = { expiresAtMs, lifetimeMs, keptUntilMs, m, t1, t2, t3, t4 }
  else
    entry[1], entry[2], entry[3], entry[4] = expiresAtMs, lifetimeMs, keptUntilMs, m
    entry[5], entry[6], entry[7], entry[8] = t1, t2, t3, t4
  end
end

-- evaluate() of the algorithms for a rule { "r", algorithm, limit, windowMs, burst,
-- blockDurationMs, cost, stateLength } on a live state of n numbers. Without a block to start or
-- to honour (no blockDurationMs, no block in the state), evaluate is the algorithm's own
-- evaluation with reason "" and no block started, and the algorithm is called directly
-- (evaluate's dispatch was a third of a decision's arithmetic).
local function evaluate_rule(rule, n, s1, s2, s3, s4, nowMs)
  if rule[6] == 0 and n <= rule[8] then
    local ok, remaining, retry, reset, ttl, t1, t2, t3 = evaluate_algorithm(rule[2], rule[3], rule[4], rule[5], n > 0,
      s1, s2, s3, nowMs, rule[7])
    return ok, "", false, remaining, retry, reset, ttl, rule[8], t1, t2, t3, nil
  end
  return evaluate(rule[2], rule[3], rule[4], rule[5], rule[6], n, s1, s2, s3, s4, nowMs, rule[7])
end

-- The block a refused rule starts (blocked_state), on its key's state as the call left it (a
-- refused batch writes nothing else, so: the state before the batch, or a block an earlier rule
-- of the batch started on the key).
local function start_block(k, rule, nowMs)
  local sn, expiresAtMs, keptUntilMs, s1, s2, s3 = read_rate(k)
  if sn > 0 and not (expiresAtMs > nowMs) then sn, s1, s2, s3 = 0, nil, nil, nil end
  local ttl, m, t1, t2, t3, t4 = blocked_state(rule[2], rule[3], rule[4], rule[5], rule[6], sn, s1, s2, s3, nowMs)
  local lifetime = max(1, ttl)
  settle_rate(k, nowMs + lifetime, lifetime, keptUntilMs, m, t1, t2, t3, t4)
end

-- A batch of several rules: per rule, its KEYS index and 8 numbers — the key's state after the
-- rule (its length, expiresAtMs, keptUntilMs, s1..s4), then its lifetime if the rule was allowed;
-- and the rules that start a block.
local batchKeys = {}
local batchStates = {}
local blocking = {}

-- Decides a batch of several rules (or a dry run) whose rules are in `refs`, from KEYS index
-- k + 1 on, at nowMs; its replies go after replies[n]. Returns the new k and n.
local function decide_batch(count, dry, nowMs, k, replies, n)
  local allowed = true
  local blocks = 0
  for r = 1, count do
    k = k + 1
    local rule = refs[r]
    -- The key's state after the latest earlier rule of the batch on it, else as the call left it.
    local prior = 0
    local key = KEYS[k]
    for j = r - 1, 1, -1 do
      if KEYS[batchKeys[j]] == key then
        prior = j
        break
      end
    end
    local sn, expiresAtMs, keptUntilMs, s1, s2, s3, s4
    if prior > 0 then
      local b = (prior - 1) * 8
      sn, expiresAtMs, keptUntilMs = batchStates[b + 1], batchStates[b + 2], batchStates[b + 3]
      if sn > 0 then s1, s2 = batchStates[b + 4], batchStates[b + 5] end
      if sn > 2 then s3 = batchStates[b + 6] end
      if sn > 3 then s4 = batchStates[b + 7] end
    else
      sn, expiresAtMs, keptUntilMs, s1, s2, s3, s4 = read_rate(k)
    end
    if sn > 0 and not (expiresAtMs > nowMs) then sn, s1, s2, s3, s4 = 0, nil, nil, nil, nil end
    local ok, reason, startsBlock, remaining, retry, reset, ttl, m, t1, t2, t3, t4 =
      evaluate_rule(rule, sn, s1, s2, s3, s4, nowMs)
    batchKeys[r] = k
    -- Only numbers go into batchStates (its slots are numbers from one batch to the next: a nil
    -- stored would make Lua move them to the table's hash part): keptUntilMs may be nil, so -INF
    -- stands for it — no state expires after -INF — and s3, s4 are stored only when present.
    local b = (r - 1) * 8
    if ok then
      local lifetime = max(1, ttl)
      batchStates[b + 1], batchStates[b + 2], batchStates[b + 3] = m, nowMs + lifetime, keptUntilMs or -INF
      batchStates[b + 4], batchStates[b + 5] = t1, t2
      if m > 2 then batchStates[b + 6] = t3 end
      if m > 3 then batchStates[b + 7] = t4 end
      batchStates[b + 8] = lifetime
      replies[n + 1] = num(remaining)
      replies[n + 2] = num(reset)
      n = n + 2
    else
      -- Refused: the key's state is unchanged for the rules after it.
      batchStates[b + 1], batchStates[b + 2], batchStates[b + 3] = sn, expiresAtMs or 0, keptUntilMs or -INF
      if sn > 0 then batchStates[b + 4], batchStates[b + 5] = s1, s2 end
      if sn > 2 then batchStates[b + 6] = s3 end
      if sn > 3 then batchStates[b + 7] = s4 end
      allowed = false
      if reason == "blocked" then replies[n + 1] = -2 else replies[n + 1] = -1 end
      replies[n + 2] = num(remaining)
      replies[n + 3] = num(retry)
      replies[n + 4] = num(reset)
      n = n + 4
      if startsBlock then
        blocks = blocks + 1
        blocking[blocks] = r
      end
    end
  end
  -- What the batch leaves: every rule's state if it is allowed (in order: a key's last rule has
  -- the final say), else the blocks its refusals start.
  if not dry then
    if allowed then
      for r = 1, count do
        local b = (r - 1) * 8
        settle_rate(batchKeys[r], batchStates[b + 2], batchStates[b + 8], batchStates[b + 3], batchStates[b + 1],
          batchStates[b + 4], batchStates[b + 5], batchStates[b + 6], batchStates[b + 7])
      end
    else
      for i = 1, blocks do start_block(batchKeys[blocking[i]], refs[blocking[i]], nowMs) end
    end
  end
  return k, n
end

local function decide_rates()
  local keyCount = #KEYS
  lastAt = {}
  for i = 1, keyCount do lastAt[KEYS[i]] = i end
  if keyCount == 0 then
    stored = {}
  elseif keyCount <= 1000 then
    stored = redis.call("MGET", unpack(KEYS))
  else
    -- unpack has a stack limit.
    stored = {}
    for from = 1, keyCount, 1000 do
      local part = redis.call("MGET", unpack(KEYS, from, min(keyCount, from + 999)))
      for i = 1, #part do stored[from + i - 1] = part[i] end
    end
  end
  local replies = { "" }
  if serverNow ~= nil then replies[1] = fmt(serverNow) end
  local n = 1
  local a = 3 + textCount
  local k = 0
  local last = #ARGV
  while a <= last do
    local only = tonumber(ARGV[a])
    if only ~= nil then
      -- The common batch, one rule and no dry run, in line.
      local nowMs = serverNow
      if callerClock then
        nowMs = tonumber(ARGV[a + 1])
        a = a + 2
      else
        a = a + 1
      end
      k = k + 1
      local rule = rules[only]
      local sn, expiresAtMs, keptUntilMs, s1, s2, s3, s4 = read_rate(k)
      -- A state counts as absent from its expiry on, by the evaluating clock (as in memory).
      if sn > 0 and not (expiresAtMs > nowMs) then sn, s1, s2, s3, s4 = 0, nil, nil, nil, nil end
      local ok, reason, startsBlock, remaining, retry, reset, ttl, m, t1, t2, t3, t4 =
        evaluate_rule(rule, sn, s1, s2, s3, s4, nowMs)
      if ok then
        replies[n + 1] = num(remaining)
        replies[n + 2] = num(reset)
        n = n + 2
        local lifetime = max(1, ttl)
        settle_rate(k, nowMs + lifetime, lifetime, keptUntilMs, m, t1, t2, t3, t4)
      else
        if reason == "blocked" then replies[n + 1] = -2 else replies[n + 1] = -1 end
        replies[n + 2] = num(remaining)
        replies[n + 3] = num(retry)
        replies[n + 4] = num(reset)
        n = n + 4
        if startsBlock then start_block(k, rule, nowMs) end
      end
    else
      local count, dry, nowMs
      count, dry, nowMs, a = read_batch(a)
      k, n = decide_batch(count, dry, nowMs, k, replies, n)
    end
  end
  -- Keys whose last batch in the call wrote nothing (refused, or a dry run).
  for key, entry in pairs(pending) do
    write_rate(key, entry[1], entry[2], entry[3], entry[4], entry[5], entry[6], entry[7], entry[8])
  end
  return replies
end

if rateOnly then return decide_rates() end

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

local a = 3 + textCount
local k = 0
local last = #ARGV
while a <= last do
  local count, dry, nowMs
  count, dry, nowMs, a = read_batch(a)
  local overlay = {}
  local touched = {}
  local allowed = true
  -- Keys and rules of the refusals that start a block, in order: key, rule, key, rule, ...
  local blocking = nil
  local n = #replies
  for r = 1, count do
    k = k + 1
    local key = KEYS[k]
    local rule = refs[r]
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
    local code, remaining, retry, reset
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
        local lifetime = max(1, ttl)
        if overlay[key] == nil then touched[#touched + 1] = key end
        overlay[key] = { "r", nowMs + lifetime, lifetime, keptUntilMs, m, t1, t2, t3, t4 }
      else
        allowed = false
        code = -1
        if reason == "blocked" then code = -2 end
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
        if overlay[key] == nil then touched[#touched + 1] = key end
        overlay[key] = { "L", INF, max(1, ttl), spend_lease(view, own, rule[3], rule[4], nowMs) }
      else
        allowed = false
        code = -1
        if held then code = -3 end
      end
    end
    if code == nil then
      replies[n + 1] = num(remaining)
      replies[n + 2] = num(reset)
      n = n + 2
    else
      replies[n + 1] = code
      replies[n + 2] = num(remaining)
      replies[n + 3] = num(retry)
      replies[n + 4] = num(reset)
      n = n + 4
    end
  end
  if allowed then
    if not dry then
      for _, key in ipairs(touched) do commit(key, overlay[key]) end
    end
  else
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
    write_rate(key, entry[2], entry[3], entry[4], entry[5], entry[6], entry[7], entry[8], entry[9])
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
