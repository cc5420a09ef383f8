// Runs the unit project, then the integration project (tests that start real servers on free
// loopback ports), and ends with one plain summary line: "tests: N passed, N failed".
// With no integration test files yet it says so instead of failing (vitest exits 1 on none).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function find(dir, suffix, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, suffix, out);
    else if (name.endsWith(suffix)) out.push(path);
  }
  return out;
}

const projects = ["unit"];
if (find("packages", ".integration.test.ts").length > 0) projects.push("integration");
else console.log("integration: no integration test files yet (no package talks to a server yet)");

const scratch = mkdtempSync(join(tmpdir(), "enis-tests-"));
let passed = 0;
let failed = 0;
let skipped = 0;
let status = 0;
for (const project of projects) {
  const report = join(scratch, `${project}.json`);
  const result = spawnSync(
    "vitest",
    ["run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
    { stdio: "inherit" },
  );
  if (result.status !== 0) status = result.status ?? 1;
  try {
    const json = JSON.parse(readFileSync(report, "utf8"));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    skipped += json.numPendingTests + json.numTodoTests;
  } catch {
    failed++;
    console.error(`${project}: no test report was written`);
  }
}
rmSync(scratch, { recursive: true, force: true });
console.log(`tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(status !== 0 || failed > 0 ? status || 1 : 0);
