import type { AddressInfo } from "node:net";
import { createManualClock } from "@enis/core";
import { describe, it } from "vitest";
import { createApp } from "./fastify.js";
import { createScenarioLimiter, expectRateLimited, startMs } from "./scenario.js";

describe("examples/http/fastify", () => {
  it("sets the RateLimit fields on every response and answers 429 with Retry-After", async () => {
    const clock = createManualClock(startMs);
    const app = createApp(createScenarioLimiter(clock));
    await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const { port } = app.server.address() as AddressInfo;
      await expectRateLimited(`http://127.0.0.1:${port}`, clock);
    } finally {
      await app.close();
    }
  });
});
