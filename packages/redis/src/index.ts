export type { IoredisScriptClient, NodeRedisScriptClient, RedisScriptClient } from "./client.js";
export { redisKey } from "./keys.js";
export type { RedisStoreOptions, RedisStoreTime } from "./redis-store.js";
export { createRedisStore } from "./redis-store.js";
