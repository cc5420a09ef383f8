-- sliding-window.ts's Lua twin: two aligned counters; state previous, current, currentStart.
local function sliding_retry(limit, windowMs, previous, current, nowMs, currentStart, cost)
  local windowEnd = currentStart + windowMs
  local room = limit - current - cost
  if room >= 0 and previous > 0 then
    local at = ceil(windowEnd - (room * windowMs) / previous)
    if at < windowEnd then return max(1, whole_ms(at - nowMs)) end
  end
  local nextRoom = limit - cost
  if current == 0 or nextRoom >= current then return whole_ms(windowEnd - nowMs) end
  local at = ceil(windowEnd + windowMs - (nextRoom * windowMs) / current)
  return max(1, whole_ms(at - nowMs))
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
    resetAfterMs = whole_ms(windowEnd + windowMs - nowMs)
  elseif previous > 0 then
    resetAfterMs = whole_ms(windowEnd - nowMs)
  end
  if cost > limit or used + cost > limit then
    local retry = INF
    if not (cost > limit) then retry = sliding_retry(limit, windowMs, previous, current, nowMs, currentStart, cost) end
    return false, max(0, limit - used), retry, resetAfterMs, ttlMs, previous, current, currentStart
  end
  local reset = resetAfterMs
  if current + cost > 0 then reset = whole_ms(windowEnd + windowMs - nowMs) end
  return true, limit - used - cost, 0, reset, ttlMs, previous, current + cost, currentStart
end

local function refund_sliding_window(s1, s2, s3, cost)
  return s1, max(0, s2 - cost), s3
end
