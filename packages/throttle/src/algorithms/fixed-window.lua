-- fixed-window.ts's Lua twin: windows aligned to the epoch; state count, windowStart.
local function fixed_window(limit, windowMs, has, s1, s2, nowMs, cost)
  local windowStart = floor(nowMs / windowMs) * windowMs
  local count = 0
  if has and s2 == windowStart then count = s1 end
  local windowEnd = windowStart + windowMs
  local resetAfterMs = 0
  if count > 0 then resetAfterMs = whole_ms(windowEnd - nowMs) end
  if cost > limit or count + cost > limit then
    local retry = whole_ms(windowEnd - nowMs)
    if cost > limit then retry = INF end
    return false, max(0, limit - count), retry, resetAfterMs, windowEnd - nowMs, count, windowStart
  end
  local spent = count + cost
  local reset = 0
  if spent > 0 then reset = whole_ms(windowEnd - nowMs) end
  return true, limit - spent, 0, reset, windowEnd - nowMs, spent, windowStart
end

local function refund_fixed_window(s1, s2, cost)
  return max(0, s1 - cost), s2
end
