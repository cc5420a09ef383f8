// Runs every ```ts block of README.md and of every packages/*/README.md against the built packages,
// each block as a program of its own, so the examples the READMEs promise stay runnable. Run after
// `pnpm build`. Blocks that talk to Redis get REDIS_URL of a redis-server started here on a free
// loopback port (never the shared 6379); without redis-server they are skipped with the reason
// printed, and under CI=true that fails the run.
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const readmes = [
  "README.md",
  ...readdirSync("packages").map((name) => join("packages", name, "README.md")),
].filter(existsSync);

/** A free loopback port. */
async function freePort() {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function canConnect(port) {
  return await new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, "127.0.0.1");
  });
}

/** Starts a throwaway redis-server; undefined (with the reason printed) when there is none. */
async function startRedis() {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    const reason = `redis-server is not installed (${probe.error?.message ?? probe.stderr})`;
    if (process.env.CI === "true") throw new Error(`README examples need Redis under CI: ${reason}`);
    console.warn(`README examples that use Redis are skipped: ${reason}`);
    return undefined;
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "enis-readme-redis-"));
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: "ignore" },
  );
  for (let waited = 0; waited < 5_000; waited += 50) {
    if (await canConnect(port)) {
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: () => {
          child.kill("SIGKILL");
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server did not start on port ${port}`);
}

const blocks = [];
for (const readme of readmes) {
  const text = readFileSync(readme, "utf8");
  const found = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
  if (found.length === 0) {
    console.error(`${readme}: no ts example`);
    process.exitCode = 1;
  }
  for (const [index, code] of found.entries()) blocks.push({ readme, index, code });
}

const builtTsconfig = join("benchmarks", "lib", "tsconfig.built.json");
const usesRedis = (code) => /from "(?:@enis\/redis|ioredis|redis)"/.test(code);
const redis = blocks.some((block) => usesRedis(block.code)) ? await startRedis() : undefined;
const dir = join("examples", ".readme-check");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
let failed = 0;
try {
  for (const { readme, index, code } of blocks) {
    const name = `${readme}, example ${index + 1}`;
    if (usesRedis(code) && redis === undefined) {
      console.log(`${name}: skipped (no redis-server)`);
      continue;
    }
    const file = join(dir, `${readme.replaceAll("/", "-").replace(/\.md$/, "")}-${index + 1}.ts`);
    writeFileSync(file, code);
    // A tsconfig without the root's `paths`: "@enis/<name>" resolves through node_modules to the
    // built dist, as it does for a user.
    const env = { ...process.env, TSX_TSCONFIG_PATH: builtTsconfig };
    if (redis !== undefined) env.REDIS_URL = redis.url;
    const result = spawnSync("tsx", [file], { encoding: "utf8", timeout: 60_000, env });
    if (result.status !== 0) {
      console.error(`${name}: failed\n${result.stdout}${result.stderr}`);
      failed++;
    } else console.log(`${name}: runs (${code.trim().split("\n").length} lines)`);
  }
} finally {
  redis?.stop();
  rmSync(dir, { recursive: true, force: true });
}
if (failed > 0 || process.exitCode === 1) process.exit(1);
