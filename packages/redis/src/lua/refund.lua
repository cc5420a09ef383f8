-- refund.lua (after prelude.lua and luaAlgorithms): refund of @enis/throttle on rate keys.
-- KEYS = one rate key per rule; ARGV = nowMs or "" (the server's clock), then 4 per rule:
-- algorithm, limit, windowMs, cost. Rules on one key apply in order. Each key keeps its expiry
-- and its remaining TTL (a refund changes the state, not how long it matters), and a running
-- block stays. Returns nowMs. (The rate key's layout is described in apply.lua.)

-- Packed formats by the state's length n (2 to 4): expiresAtMs, keptUntilMs, then the state.
local formats = { nil, "<dddd", "<ddddd", "<dddddd" }

-- The rate state of key live at nowMs: { expiresAtMs, keptUntilMs, n, s1, s2, s3, s4 }, or false
-- (no key, another kind of value, or a state that no longer counts).
local function read_rate(key, nowMs)
  local raw = redis.pcall("GET", key)
  if type(raw) ~= "string" then return false end
  local n = #raw / 8 - 2
  local e, kept, s1, s2, s3, s4
  if n == 2 then
    e, kept, s1, s2 = struct.unpack(formats[2], raw)
  elseif n == 3 then
    e, kept, s1, s2, s3 = struct.unpack(formats[3], raw)
  elseif n == 4 then
    e, kept, s1, s2, s3, s4 = struct.unpack(formats[4], raw)
  else
    return false
  end
  if not (e > nowMs) then return false end
  return { e, kept, n, s1, s2, s3, s4 }
end

local nowMs = clock(ARGV[1])
local states = {}
local order = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local base = 2 + (i - 1) * 4
  local state = states[key]
  if state == nil then
    state = read_rate(key, nowMs)
    states[key] = state
    order[#order + 1] = key
  end
  if state then
    state[3], state[4], state[5], state[6], state[7] = refund(ARGV[base], tonumber(ARGV[base + 1]),
      tonumber(ARGV[base + 2]), state[3], state[4], state[5], state[6], state[7], nowMs, tonumber(ARGV[base + 3]))
  end
end
for _, key in ipairs(order) do
  local state = states[key]
  if state and state[3] > 0 then
    local pttl = redis.call("PTTL", key)
    if pttl > 0 then
      redis.call("SET", key, struct.pack(formats[state[3]], state[1], state[2], state[4], state[5], state[6], state[7]), "PX", pttl)
    end
  end
end
return fmt(nowMs)
