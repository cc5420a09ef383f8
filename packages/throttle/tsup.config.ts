import { defineConfig } from "tsup";

export default defineConfig({
  // "testing" is the conformance suite every store runs: a separate entry, so vitest stays an
  // optional peer that applications never load.
  entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  treeshake: true,
  external: ["vitest"],
});
