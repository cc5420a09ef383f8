// No committed file may name a path of the machine it was written on (a checkout, a home
// directory): such a path means nothing on the next machine, and says where the last one was.
import { spawnSync } from "node:child_process";

const patterns = ["/work/", "/home/", "/root/", "/Users/", "C:\\\\Users\\\\", process.cwd()];
const found = spawnSync(
  "git",
  [
    "grep",
    "-n",
    "-I",
    "-F",
    ...patterns.flatMap((pattern) => ["-e", pattern]),
    "--",
    ".",
    ":!pnpm-lock.yaml",
    // This file names the patterns it looks for.
    ":!scripts/check-machine-paths.mjs",
  ],
  { encoding: "utf8" },
);
if (found.status === 0) {
  console.error(`committed files name a path of a machine:\n${found.stdout}`);
  process.exit(1);
}
if (found.status !== 1) {
  console.error(`git grep failed: ${found.stderr}`);
  process.exit(1);
}
console.log("check:paths: no committed file names a machine path");
