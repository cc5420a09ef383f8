-- reset.lua: deletes KEYS (all in one slot: a throttle key and its lease index, for each key).
for i = 1, #KEYS do redis.call("DEL", KEYS[i]) end
return #KEYS
