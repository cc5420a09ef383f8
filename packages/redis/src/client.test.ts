import { Cluster, Redis } from "ioredis";
import { createClient, createCluster } from "redis";
import { describe, expect, it } from "vitest";
import { isStandalone } from "./client.js";

describe("isStandalone", () => {
  it("tells one-server clients (any keys in one script) from clusters and unknown clients", () => {
    const ioredis = new Redis({ lazyConnect: true });
    const ioredisCluster = new Cluster([{ host: "127.0.0.1", port: 1 }], { lazyConnect: true });
    const nodeRedis = createClient();
    const nodeRedisCluster = createCluster({ rootNodes: [{ url: "redis://127.0.0.1:1" }] });
    try {
      expect(isStandalone(ioredis)).toBe(true);
      expect(isStandalone(ioredisCluster)).toBe(false);
      expect(isStandalone(nodeRedis)).toBe(true);
      expect(isStandalone(nodeRedisCluster)).toBe(false);
      // Unknown shapes are treated as clusters: coalescing then stays within one organisation.
      const unknown = { evalsha: async () => null, eval: async () => null };
      expect(isStandalone(unknown)).toBe(false);
    } finally {
      ioredis.disconnect();
      ioredisCluster.disconnect();
    }
  });
});
