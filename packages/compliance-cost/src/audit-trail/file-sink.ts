/*
 * `@enis/compliance-cost/file-sink`: the append-only file sink of the audit trail. It is its own
 * entry so that the package's main entry never imports node:fs.
 */
import { constants } from "node:fs";
import { type FileHandle, open, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { EnisError } from "@enis/core";
import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import type { AuditSink, AuditSinkContents, TornTail } from "./sink.js";

export type { AuditSink, AuditSinkContents, TornTail } from "./sink.js";

/** Options of {@link createFileSink}. */
export interface FileSinkOptions {
  /** The file; created on the first append if absent (its directory must exist). */
  readonly path: string;
  /**
   * When appended lines reach the disk:
   * - `"every-append"`: `fdatasync` after each line, before `append` resolves (and an fsync of the
   *   directory when the file is created). A resolved append survives a crash or power loss.
   * - `"none"`: no sync; the OS writes back when it chooses (seconds). A crash of the process loses
   *   nothing written, a crash of the machine may lose the last lines — or leave the last one torn,
   *   which `read` reports. Use it with your own `sync()` calls (e.g. every N appends or seconds).
   * @default "every-append"
   */
  readonly fsync?: "every-append" | "none";
}

/** What {@link FileSink.discardTornTail} removed. */
export interface DiscardedTail {
  /** The torn line that was cut, or undefined when the file ended cleanly (nothing was cut). */
  readonly tornTail: TornTail | undefined;
  /** Bytes cut from the end of the file. */
  readonly discardedBytes: number;
}

/** The append-only file sink: one JSON line per entry. One writer per file. */
export interface FileSink extends AuditSink {
  /** Appends the line and its newline (opened with flag `"a"`: every write lands at the end). */
  append(line: string): Promise<void>;
  /** Reads the file: complete lines, and the torn last line if any (never returned as a line). */
  read(): Promise<AuditSinkContents>;
  /** Forces what was appended to disk (`fdatasync`); for `fsync: "none"`. */
  sync(): Promise<void>;
  /**
   * Cuts a torn last line from the file (an operator's decision after a crash: the cut line is
   * returned so it can be recorded), then syncs. The trail refuses to append until this is done.
   */
  discardTornTail(): Promise<DiscardedTail>;
  /** Closes the file. A later append reopens it. */
  close(): Promise<void>;
}

const optionsSchema = z.strictObject({
  path: z.string().min(1),
  fsync: z.enum(["every-append", "none"]).optional(),
});

const newline = 0x0a;

/** Splits file bytes into complete lines and a torn tail. */
function splitLines(bytes: Buffer): { lines: string[]; tornTail?: TornTail; goodBytes: number } {
  if (bytes.length === 0) return { lines: [], goodBytes: 0 };
  const lastNewline = bytes.lastIndexOf(newline);
  const complete = lastNewline < 0 ? Buffer.alloc(0) : bytes.subarray(0, lastNewline);
  const lines = lastNewline < 0 ? [] : complete.toString("utf8").split("\n");
  if (lastNewline !== bytes.length - 1) {
    // The last write did not reach its newline.
    return {
      lines,
      tornTail: { index: lines.length, reason: "no-newline", byteLength: bytes.length - lastNewline - 1 },
      goodBytes: lastNewline + 1,
    };
  }
  const last = lines[lines.length - 1]!;
  if (!parses(last)) {
    // A full line that is not JSON: blocks the file system allocated but never filled, or garbage.
    const byteLength = Buffer.byteLength(last, "utf8");
    lines.pop();
    return {
      lines,
      tornTail: { index: lines.length, reason: "unparseable", byteLength },
      goodBytes: bytes.length - byteLength - 1,
    };
  }
  return { lines, goodBytes: bytes.length };
}

function parses(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ENOENT";
}

/**
 * Creates an append-only file {@link AuditSink}. Crash safety: each line is written with its
 * newline by one process (flag `"a"`); with `fsync: "every-append"` (the default) it is on disk
 * before `append` resolves. A crash mid-write leaves a last line without its newline, or one that
 * does not parse: `read` reports it as `tornTail` (never as a line, never dropped silently),
 * `append` refuses to write after it (`INVALID_DATA`), and {@link FileSink.discardTornTail} cuts it
 * when an operator decides to.
 *
 * Not for two writers at once: the trail chains each entry to the last one it wrote.
 *
 * @example
 * ```ts
 * import { createFileSink } from "@enis/compliance-cost/file-sink";
 * const sink = createFileSink({ path: "audit/acme.jsonl" });
 * const trail = createAuditTrail({ keyring, sink, clock });
 * ```
 */
export function createFileSink(options: FileSinkOptions): FileSink {
  const resolved = parseOptions(optionsSchema, options, "options");
  const path = resolved.path;
  const syncEvery = (resolved.fsync ?? "every-append") === "every-append";
  let handle: FileHandle | undefined;
  /** True once the file's end was checked (clean) and every write since completed. */
  let tailChecked = false;

  const readBytes = async (): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (error) {
      if (isMissing(error)) return Buffer.alloc(0);
      throw new EnisError("FILE_UNREADABLE", `the audit file ${JSON.stringify(path)} cannot be read`, {
        cause: error,
      });
    }
  };

  const ensureOpen = async (): Promise<FileHandle> => {
    if (handle !== undefined) return handle;
    let existed = true;
    try {
      await stat(path);
    } catch (error) {
      if (!isMissing(error)) throw error;
      existed = false;
    }
    handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
    if (!existed && syncEvery) {
      // The new file's directory entry must survive a crash too.
      const directory = await open(dirname(path), constants.O_RDONLY);
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
    }
    return handle;
  };

  const checkTail = async (): Promise<void> => {
    if (tailChecked) return;
    const { tornTail } = splitLines(await readBytes());
    if (tornTail !== undefined) {
      throw new EnisError(
        "INVALID_DATA",
        `the audit file ${JSON.stringify(path)} ends in a torn write (line index ${tornTail.index}, ${tornTail.byteLength} bytes, ${tornTail.reason}): nothing is appended after it until discardTornTail() cuts it`,
      );
    }
    tailChecked = true;
  };

  return {
    async append(line: string): Promise<void> {
      if (typeof line !== "string" || line.includes("\n") || line.includes("\r")) {
        throw invalidField("line", line, "a string without line breaks");
      }
      await checkTail();
      const file = await ensureOpen();
      const bytes = Buffer.from(`${line}\n`, "utf8");
      tailChecked = false; // until the whole line is written
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
      if (syncEvery) await file.datasync();
      tailChecked = true;
    },
    async read(): Promise<AuditSinkContents> {
      const { lines, tornTail } = splitLines(await readBytes());
      return tornTail === undefined ? { lines } : { lines, tornTail };
    },
    async sync(): Promise<void> {
      if (handle !== undefined) await handle.datasync();
    },
    async discardTornTail(): Promise<DiscardedTail> {
      const bytes = await readBytes();
      const { tornTail, goodBytes } = splitLines(bytes);
      if (tornTail === undefined) return { tornTail: undefined, discardedBytes: 0 };
      const file = await open(path, "r+");
      try {
        await file.truncate(goodBytes);
        await file.sync();
      } finally {
        await file.close();
      }
      tailChecked = false;
      return { tornTail, discardedBytes: bytes.length - goodBytes };
    },
    async close(): Promise<void> {
      const current = handle;
      handle = undefined;
      tailChecked = false;
      if (current !== undefined) await current.close();
    },
  };
}
