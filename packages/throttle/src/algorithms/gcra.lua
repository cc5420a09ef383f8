-- gcra.ts's Lua twin. The algorithms return their outcome as multiple values, not tables (a table
-- is ~0.2 µs): allowed, remaining, retryAfterMs, resetAfterMs, ttlMs, then the next state's
-- numbers. A state comes in as has (false: no state), s1, s2.
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
    if not (cost > burst) then retry = whole_ms((after - burst) * interval) end
    return false, remainingNow, retry, whole_ms(debt * interval), ceil(debt * interval), debt, nowMs
  end
  return true, max(0, floor(burst - after + UNIT_EPSILON)), 0, whole_ms(after * interval), ceil(after * interval), after, nowMs
end

local function refund_gcra(limit, windowMs, s1, s2, nowMs, cost)
  return max(0, snap(debt_at(limit, windowMs, true, s1, s2, nowMs) - cost)), nowMs
end
