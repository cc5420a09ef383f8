/*
 * Import this first in every benchmark. tsx maps each "@enis/<name>" to packages/<name>/src through
 * the root tsconfig's `paths`, and compiles that source with esbuild's keepNames, which wraps every
 * closure created per call in a `__name` call: the 3-level quota check measured ~1.5x slower on src
 * than on the built dist that users install. So, when an "@enis/<name>" package resolves to src,
 * the benchmark re-runs itself (same node flags, same CPU affinity) with a tsconfig without
 * `paths`, and every "@enis/<name>" import then resolves through node_modules to the built dist.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const marker = "ENIS_BENCH_ON_DIST";
for (const name of [
  "@enis/core",
  "@enis/fairness",
  "@enis/throttle",
  "@enis/redis",
  "@enis/cost-model",
  "@enis/focus",
  "@enis/forecast",
  "@enis/anomaly",
  "@enis/compliance-cost",
  "@enis/tier-optimizers",
]) {
  const resolved = import.meta.resolve(name);
  if (resolved.includes("/dist/")) continue;
  if (process.env[marker] === "1")
    throw new Error(`${name} still resolves to ${resolved}: run pnpm build first`);
  const result = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: {
      ...process.env,
      [marker]: "1",
      TSX_TSCONFIG_PATH: fileURLToPath(new URL("./tsconfig.built.json", import.meta.url)),
    },
  });
  process.exit(result.status ?? 1);
}
