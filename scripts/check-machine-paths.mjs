// No committed file may name a path of the machine it was written on (a checkout, a home
// directory): such a path means nothing on the next machine, and says where the last one was.
import { spawnSync } from "node:child_process";

// Built from their parts, so this file names no machine path itself.
const patterns = [
  ...["work", "home", "root", "Users"].map((directory) => `/${directory}/`),
  ["C:", "Users", ""].join("\\\\"),
  process.cwd(),
];
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
