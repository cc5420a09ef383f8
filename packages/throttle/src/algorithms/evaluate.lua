-- evaluate.ts's Lua twin: the dispatch, the block, the refund.
-- A state comes in as n (how many numbers: 0 for none) and s1..s4: the algorithm's own numbers
-- (2, or 3 for the sliding window), then the time a running block ends, if any.

local function state_length(algorithm)
  if algorithm == "sliding-window" then return 3 end
  return 2
end

-- The algorithm's own evaluation: allowed, remaining, retryAfterMs, resetAfterMs, ttlMs, t1, t2, t3.
local function evaluate_algorithm(algorithm, limit, windowMs, burst, has, s1, s2, s3, nowMs, cost)
  if algorithm == "gcra" or algorithm == "token-bucket" then
    return gcra(limit, windowMs, burst, has, s1, s2, nowMs, cost)
  elseif algorithm == "fixed-window" then
    return fixed_window(limit, windowMs, has, s1, s2, nowMs, cost)
  elseif algorithm == "sliding-window" then
    return sliding_window(limit, windowMs, has, s1, s2, s3, nowMs, cost)
  end
  error("enis: unknown algorithm " .. tostring(algorithm))
end

-- evaluate(spec, state, nowMs, cost). Returns allowed, reason ("" or "blocked"), startsBlock,
-- remaining, retryAfterMs, resetAfterMs, ttlMs, m (the next state's length), t1, t2, t3, t4.
local function evaluate(algorithm, limit, windowMs, burst, blockMs, n, s1, s2, s3, s4, nowMs, cost)
  local length = state_length(algorithm)
  local blockedUntilMs = 0
  if n > length then
    if length == 2 then blockedUntilMs = s3 else blockedUntilMs = s4 end
  end
  local has = n > 0
  if blockedUntilMs > nowMs then
    local _, _, _, reset, ttl, t1, t2, t3 = evaluate_algorithm(algorithm, limit, windowMs, burst, has, s1, s2, s3, nowMs, 0)
    local blockLeftMs = whole_ms(blockedUntilMs - nowMs)
    local retry = blockLeftMs
    if cost > capacity_of(algorithm, limit, burst) then retry = INF end
    ttl = max(ttl, blockedUntilMs - nowMs)
    if length == 2 then
      return false, "blocked", false, 0, retry, max(reset, blockLeftMs), ttl, 3, t1, t2, blockedUntilMs, nil
    end
    return false, "blocked", false, 0, retry, max(reset, blockLeftMs), ttl, 4, t1, t2, t3, blockedUntilMs
  end
  local ok, remaining, retry, reset, ttl, t1, t2, t3 = evaluate_algorithm(algorithm, limit, windowMs, burst, has, s1, s2, s3, nowMs, cost)
  if ok or blockMs == 0 or retry == INF then
    return ok, "", false, remaining, retry, reset, ttl, length, t1, t2, t3, nil
  end
  local untilMs = nowMs + blockMs
  ttl = max(ttl, blockMs)
  if length == 2 then
    return false, "", true, remaining, max(retry, blockMs), max(reset, blockMs), ttl, 3, t1, t2, untilMs, nil
  end
  return false, "", true, remaining, max(retry, blockMs), max(reset, blockMs), ttl, 4, t1, t2, t3, untilMs
end

-- blockedState(spec, state, nowMs): what a refused batch stores for a rule that starts a block.
-- Returns ttlMs, m, t1, t2, t3, t4.
local function blocked_state(algorithm, limit, windowMs, burst, blockMs, n, s1, s2, s3, nowMs)
  local _, _, _, _, ttl, t1, t2, t3 = evaluate_algorithm(algorithm, limit, windowMs, burst, n > 0, s1, s2, s3, nowMs, 0)
  ttl = max(ttl, blockMs)
  if state_length(algorithm) == 2 then return ttl, 3, t1, t2, nowMs + blockMs, nil end
  return ttl, 4, t1, t2, t3, nowMs + blockMs
end

-- refund(spec, state, nowMs, cost): m, t1, t2, t3, t4 (m 0: no state). A running block stays.
local function refund(algorithm, limit, windowMs, n, s1, s2, s3, s4, nowMs, cost)
  if n == 0 then return 0, nil, nil, nil, nil end
  local length = state_length(algorithm)
  local t1, t2, t3
  if algorithm == "gcra" or algorithm == "token-bucket" then
    t1, t2 = refund_gcra(limit, windowMs, s1, s2, nowMs, cost)
  elseif algorithm == "fixed-window" then
    t1, t2 = refund_fixed_window(s1, s2, cost)
  elseif algorithm == "sliding-window" then
    t1, t2, t3 = refund_sliding_window(s1, s2, s3, cost)
  else
    error("enis: unknown algorithm " .. tostring(algorithm))
  end
  if n > length then
    if length == 2 then return 3, t1, t2, s3, nil end
    return 4, t1, t2, t3, s4
  end
  return length, t1, t2, t3, nil
end
