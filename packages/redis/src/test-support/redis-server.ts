import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/*
 * Starts real redis-server processes for the integration tests, on free loopback ports (never
 * 6379: a shared Redis runs there), without persistence, in a temporary directory removed after.
 */

/** Why the tests cannot run here, or undefined when redis-server and redis-cli are installed. */
export function redisMissingReason(): string | undefined {
  for (const binary of ["redis-server", "redis-cli"]) {
    const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
    if (probe.error !== undefined || probe.status !== 0)
      return `${binary} is not installed (${probe.error?.message ?? probe.stderr})`;
  }
  return undefined;
}

/**
 * Skips a suite locally when redis-server is missing, with the reason printed; under CI=true a
 * missing server fails the run instead.
 */
export function requireRedis(): boolean {
  const reason = redisMissingReason();
  if (reason === undefined) return true;
  if (process.env["CI"] === "true") throw new Error(`redis integration tests cannot run under CI: ${reason}`);
  console.warn(`skipping redis integration tests: ${reason}`);
  return false;
}

/** A running redis-server. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /**
   * Kills the server (SIGKILL) if it still runs, then starts a fresh one, without data, on the
   * same port; resolves once it accepts connections.
   */
  restart(): Promise<void>;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function canConnect(port: number): Promise<boolean> {
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts redis-server with `extra` arguments on a free port; retries when the port was taken. */
export async function startRedisServer(extra: readonly string[] = []): Promise<RedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    if (port === 6379 || port === 0) continue;
    const launched = await launch(port, extra);
    if ("child" in launched) {
      let { child, dir } = launched;
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        stop: () => stopChild(child, dir),
        async restart() {
          await stopChild(child, dir);
          // The port was ours a moment ago; another process may grab it in between, so retry briefly.
          for (let retry = 0; retry < 20; retry++) {
            const again = await launch(port, extra);
            if ("child" in again) {
              ({ child, dir } = again);
              return;
            }
            lastError = again.error;
            await sleep(50);
          }
          throw lastError;
        },
      };
    }
    lastError = launched.error;
    if (!/address already in use|EADDRINUSE/i.test(launched.error.message)) break;
  }
  throw lastError ?? new Error("no free port for redis-server");
}

async function launch(
  port: number,
  extra: readonly string[],
): Promise<{ child: ChildProcess; dir: string } | { error: Error }> {
  const dir = mkdtempSync(join(tmpdir(), "enis-redis-"));
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      ...extra.map((argument) => argument.replaceAll("<dir>", dir).replaceAll("<port>", String(port))),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  if (await waitReady(child, port)) return { child, dir };
  await stopChild(child, dir);
  return { error: new Error(`redis-server on port ${port} did not start:\n${output}`) };
}

async function waitReady(child: ChildProcess, port: number): Promise<boolean> {
  for (let waited = 0; waited < 5_000; waited += 25) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await canConnect(port)) return true;
    await sleep(25);
  }
  return false;
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}

/** A running 3-master Redis Cluster. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  stop(): Promise<void>;
}

/** Starts three cluster-enabled servers, joins them with `redis-cli --cluster create`, waits for cluster_state:ok. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let index = 0; index < 3; index++) {
      nodes.push(
        await startRedisServer([
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          "<dir>/nodes-<port>.conf",
          "--cluster-node-timeout",
          "5000",
        ]),
      );
    }
    const create = spawnSync(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
    for (const node of nodes) {
      let state = "";
      for (let waited = 0; waited < 20_000 && !state.includes("cluster_state:ok"); waited += 100) {
        state = spawnSync("redis-cli", ["-p", String(node.port), "cluster", "info"], {
          encoding: "utf8",
        }).stdout;
        if (!state.includes("cluster_state:ok")) await sleep(100);
      }
      if (!state.includes("cluster_state:ok")) throw new Error(`cluster node ${node.port} not ok:\n${state}`);
    }
    return { nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
