import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import the packages by name and run against their sources, so a test run needs no build.
const alias = {
  "@enis/core/validate": fileURLToPath(new URL("./packages/core/src/validate.ts", import.meta.url)),
  "@enis/core": fileURLToPath(new URL("./packages/core/src/index.ts", import.meta.url)),
  "@enis/fairness": fileURLToPath(new URL("./packages/fairness/src/index.ts", import.meta.url)),
  "@enis/throttle/store": fileURLToPath(new URL("./packages/throttle/src/port.ts", import.meta.url)),
  "@enis/throttle/testing": fileURLToPath(
    new URL("./packages/throttle/src/testing/index.ts", import.meta.url),
  ),
  "@enis/throttle": fileURLToPath(new URL("./packages/throttle/src/index.ts", import.meta.url)),
  "@enis/redis": fileURLToPath(new URL("./packages/redis/src/index.ts", import.meta.url)),
  "@enis/cost-model": fileURLToPath(new URL("./packages/cost-model/src/index.ts", import.meta.url)),
  "@enis/anomaly": fileURLToPath(new URL("./packages/anomaly/src/index.ts", import.meta.url)),
  "@enis/compliance-cost/file-sink": fileURLToPath(
    new URL("./packages/compliance-cost/src/audit-trail/file-sink.ts", import.meta.url),
  ),
  "@enis/compliance-cost": fileURLToPath(new URL("./packages/compliance-cost/src/index.ts", import.meta.url)),
  "@enis/tier-optimizers": fileURLToPath(new URL("./packages/tier-optimizers/src/index.ts", import.meta.url)),
  "@enis/forecast": fileURLToPath(new URL("./packages/forecast/src/index.ts", import.meta.url)),
  "@enis/focus/testing": fileURLToPath(new URL("./packages/focus/src/testing/index.ts", import.meta.url)),
  "@enis/focus": fileURLToPath(new URL("./packages/focus/src/index.ts", import.meta.url)),
};

/** Imports a `.lua` file as its text, as the build inlines it (esbuild's text loader). */
const luaText = {
  name: "lua-text",
  enforce: "pre" as const,
  transform(code: string, id: string) {
    return id.endsWith(".lua") ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};

export default defineConfig({
  plugins: [luaText],
  resolve: { alias },
  test: {
    projects: [
      {
        plugins: [luaText],
        resolve: { alias },
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "examples/**/*.test.ts", "test-support/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "**/node_modules/**", "**/dist/**"],
          testTimeout: 60_000,
        },
      },
      {
        plugins: [luaText],
        resolve: { alias },
        test: {
          name: "integration",
          include: ["packages/*/src/**/*.integration.test.ts", "packages/*/test/**/*.integration.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: "forks",
          fileParallelism: false,
        },
      },
    ],
  },
});
