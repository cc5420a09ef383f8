-- lease.ts's Lua twin: the decisions on a key's leases, from what the store knows of them.

-- leaseDecision: taking cost units for ttlMs at nowMs when the other live leases hold held units,
-- expire at the earliest at earliest (INF: none) and at the latest at latest (>= nowMs).
-- Returns allowed, remaining, retryAfterMs, resetAfterMs, ttlMs.
local function lease_decision(limit, held, earliest, latest, cost, ttlMs, nowMs)
  if cost > limit or held + cost > limit then
    local retry = INF
    if not (cost > limit) then retry = whole_ms(earliest - nowMs) end
    return false, max(0, limit - held), retry, whole_ms(latest - nowMs), latest - nowMs
  end
  local untilMs = max(latest, nowMs + ttlMs)
  return true, limit - held - cost, 0, whole_ms(untilMs - nowMs), untilMs - nowMs
end

-- leaseHeldDecision: the refusal of an acquire whose lease id is held (held: every live lease's
-- units, the id's own included). Returns allowed, remaining, retryAfterMs, resetAfterMs, ttlMs.
local function lease_held_decision(limit, held, ownExpiresAtMs, latest, nowMs)
  return false, max(0, limit - held), whole_ms(ownExpiresAtMs - nowMs), whole_ms(latest - nowMs), latest - nowMs
end
