import type { AddressInfo } from "node:net";
import { createManualClock } from "@enis/core";
import { describe, it } from "vitest";
import { createApp } from "./express.js";
import { createScenarioLimiter, expectRateLimited, startMs } from "./scenario.js";

describe("examples/http/express", () => {
  it("sets the RateLimit fields on every response and answers 429 with Retry-After", async () => {
    const clock = createManualClock(startMs);
    const app = createApp(createScenarioLimiter(clock));
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    try {
      const { port } = server.address() as AddressInfo;
      await expectRateLimited(`http://127.0.0.1:${port}`, clock);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
