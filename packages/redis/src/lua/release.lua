-- release.lua (after prelude.lua): releaseLease of @enis/throttle on a lease key. KEYS = the lease
-- key and its index; ARGV = nowMs or "" (the server's clock), leaseId. Drops the leases expired at
-- nowMs and the lease, keeping the sum of the costs. Returns "1" when the lease was live, else "0".
-- (The lease key's layout is described in apply.lua.)
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
  local cost, expiresAtMs = struct.unpack("<dd", got[2])
  -- An expired own lease was just dropped with the others.
  if expiresAtMs > nowMs then
    total = total - cost
    redis.call("HDEL", key, leaseId)
    redis.call("ZREM", expiries, leaseId)
    released = "1"
  end
end
-- The keys stay (their TTL collects them): deleting an emptied key here and touching it again
-- would fail while its Cluster slot migrates.
redis.call("HSET", key, "", string.format("%d", total))
return released
