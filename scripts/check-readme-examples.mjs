// Runs the first ```ts block of README.md and of every packages/*/README.md against the built
// packages, so the examples the READMEs promise stay runnable. Run after `pnpm build`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const readmes = [
  "README.md",
  ...readdirSync("packages").map((name) => join("packages", name, "README.md")),
].filter(existsSync);
const dir = join("examples", ".readme-check");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
let failed = 0;
for (const readme of readmes) {
  const match = readFileSync(readme, "utf8").match(/```ts\n([\s\S]*?)```/);
  if (!match) {
    console.error(`${readme}: no ts example`);
    failed++;
    continue;
  }
  const file = join(dir, `${readme.replaceAll("/", "-").replace(/\.md$/, "")}.ts`);
  writeFileSync(file, match[1]);
  const result = spawnSync("tsx", [file], { encoding: "utf8" });
  if (result.status !== 0) {
    console.error(`${readme}: example failed\n${result.stdout}${result.stderr}`);
    failed++;
  } else console.log(`${readme}: example runs (${match[1].trim().split("\n").length} lines)`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(failed > 0 ? 1 : 0);
