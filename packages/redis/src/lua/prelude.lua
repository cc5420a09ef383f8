-- prelude.lua: what the store's scripts share. lua-scripts.ts composes each script as this file,
-- then (for the scripts that decide) @enis/throttle's luaAlgorithms — the algorithms' Lua twins,
-- which define INF, floor, ceil, max, min, abs and the rest as locals — then the script's own body.
-- This file comes first, so it reads math.* itself and redefines none of those names.
--
-- Numbers cross the wire as text both ways: JavaScript's String(x) is the shortest text that
-- parses back to x, and Lua's tonumber (strtod) parses it exactly. On the way back Redis truncates
-- a Lua number to an integer reply and Lua's tostring keeps only 14 digits, so a number that is
-- not whole returns as string.format("%.17g"), which round-trips any double, and infinities as
-- "inf" / "-inf".
--
-- Time: a script evaluates at the caller's nowMs, or at the server's clock (TIME, microseconds)
-- when given "". A script that reads TIME and then writes is non-deterministic; Redis >= 5
-- replicates such scripts by their effects (the only mode from Redis 7), and on older servers
-- redis.replicate_commands() switches to it.

local function fmt(x)
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  return string.format("%.17g", x)
end

local function clock(arg)
  if arg ~= "" then return tonumber(arg) end
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end

-- A command over many fields (HMGET, HDEL), in chunks: unpack has a stack limit.
local function each_chunk(ids, action)
  for from = 1, #ids, 1000 do
    action(unpack(ids, from, math.min(#ids, from + 999)))
  end
end
