import type { AddressInfo } from "node:net";
import { createManualClock } from "@enis/core";
import { describe, it } from "vitest";
import { createApp } from "./node-http.js";
import { createScenarioLimiter, expectRateLimited, startMs } from "./scenario.js";

describe("examples/http/node-http", () => {
  it("sets the RateLimit fields on every response and answers 429 with Retry-After", async () => {
    const clock = createManualClock(startMs);
    const server = createApp(createScenarioLimiter(clock));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await expectRateLimited(`http://127.0.0.1:${port}`, clock);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
