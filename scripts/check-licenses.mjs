// Every published package ships the repository's LICENSE (Apache-2.0, as each package.json says)
// in its tarball: checked on the file list `npm pack --dry-run` reports.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const license = readFileSync("LICENSE", "utf8");
let failed = 0;
for (const name of readdirSync("packages").sort()) {
  const dir = join("packages", name);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (manifest.private) continue;
  const packed = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: dir,
    encoding: "utf8",
  });
  const files = packed.status === 0 ? JSON.parse(packed.stdout)[0].files.map((file) => file.path) : [];
  let own = "";
  try {
    own = readFileSync(join(dir, "LICENSE"), "utf8");
  } catch {}
  if (manifest.license !== "Apache-2.0" || !files.includes("LICENSE") || own !== license) {
    console.error(`${manifest.name}: its tarball must hold the repository's Apache-2.0 LICENSE`);
    failed++;
  }
}
if (failed > 0) process.exit(1);
console.log("check:licenses: every package ships the Apache-2.0 LICENSE");
