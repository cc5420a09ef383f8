import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/*
 * A redis-server for the benchmarks: a child process on a free loopback port (never 6379, where a
 * shared Redis may run), without persistence, in a temporary directory removed on stop. The
 * binary is `$REDIS_SERVER` when set, else `redis-server` found on PATH: no path of one machine
 * is written here.
 */

/** A running benchmark redis-server. */
export interface BenchRedisServer {
  readonly port: number;
  /** Its process id, to read its CPU time from /proc. */
  readonly pid: number;
  /** The binary started: `$REDIS_SERVER` or `redis-server` (looked up on PATH). */
  readonly binary: string;
  /** Stops it (SIGKILL: there is nothing to save) and removes its directory. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** True once the server answers PING with PONG (a bare TCP connect also succeeds while it loads). */
async function answersPing(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = new Socket();
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Starts redis-server on a free loopback port; retries on another port when the one found was taken. */
export async function startBenchRedisServer(): Promise<BenchRedisServer> {
  const binary = process.env["REDIS_SERVER"] || "redis-server";
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    if (port === 0 || port === 6379) continue;
    const dir = mkdtempSync(join(tmpdir(), "enis-bench-redis-"));
    const child = spawn(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    for (let waited = 0; waited < 5_000; waited += 25) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      if (child.pid !== undefined && (await answersPing(port))) {
        const pid = child.pid;
        return { port, pid, binary, stop: () => stopChild(child, dir) };
      }
      const failed = await Promise.race([spawnError, sleep(25).then(() => undefined)]);
      if (failed !== undefined) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(
          `cannot start ${binary} (${failed.message}): install redis-server on PATH or set REDIS_SERVER to its binary`,
        );
      }
    }
    await stopChild(child, dir);
    lastError = new Error(`${binary} on port ${port} did not start:\n${output}`);
    if (!/address already in use/i.test(output)) break;
  }
  throw lastError ?? new Error("no free loopback port for redis-server");
}
