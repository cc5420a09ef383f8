// publint --strict and attw --pack on every published package (packages/*), after a build.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let failed = 0;
for (const name of readdirSync("packages").sort()) {
  const dir = join("packages", name);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (manifest.private) continue;
  for (const [command, args] of [
    ["publint", ["--strict"]],
    ["attw", ["--pack", ".", "--profile", "node16"]],
  ]) {
    console.log(`\n== ${manifest.name}: ${command} ${args.join(" ")}`);
    const result = spawnSync(command, args, { cwd: dir, stdio: "inherit" });
    if (result.status !== 0) {
      failed++;
      console.error(`!! ${manifest.name}: ${command} failed`);
    }
  }
}
if (failed > 0) {
  console.error(`check:packages: ${failed} check(s) failed`);
  process.exit(1);
}
console.log("\ncheck:packages: every package passes publint --strict and attw --pack");
