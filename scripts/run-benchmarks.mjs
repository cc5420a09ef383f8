// Runs every benchmarks/**/*.bench.ts in its own process (one claim per file), then regenerates
// docs/benchmarks.md from benchmarks/results/*.json. Usage: pnpm bench [substring-filter]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const filter = process.argv[2] ?? "";
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === "node_modules" || name === "results") continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".bench.ts") && path.includes(filter)) files.push(path);
  }
})("benchmarks");

let failures = 0;
for (const file of files) {
  console.log(`\n### ${file}`);
  // The text loader lets a benchmark's static imports of the sources (whose Lua scripts are .lua
  // files) load before benchmarks/lib/built-packages.ts re-runs it on the built dist.
  const result = spawnSync("tsx", ["--import", "./scripts/text-loader.mjs", file], {
    stdio: "inherit",
    cwd: process.cwd(),
  });
  if (result.status !== 0) failures++;
}
spawnSync("node", ["scripts/benchmark-table.mjs"], { stdio: "inherit" });
if (failures > 0) {
  console.error(`${failures} benchmark(s) crashed`);
  process.exit(1);
}
