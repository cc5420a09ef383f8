import { invalidField } from "@enis/core/validate";

/**
 * A last line that did not finish writing: the file ends without its newline, or its last line
 * does not parse as JSON (a crash mid-write, or blocks the file system extended but never filled).
 * It is reported, never read as an entry and never silently dropped.
 */
export interface TornTail {
  /** Index the torn line would have had as an entry (= the number of complete lines before it). */
  readonly index: number;
  /** Why the line is torn. */
  readonly reason: "no-newline" | "unparseable";
  /** Length of the torn line in bytes (UTF-8), its newline excluded. */
  readonly byteLength: number;
}

/** What a sink holds: its complete lines in order, and a torn last line if there is one. */
export interface AuditSinkContents {
  /** The stored lines, oldest first, without their newlines. */
  readonly lines: readonly string[];
  /** A last line that did not finish writing; absent when the sink ends cleanly. */
  readonly tornTail?: TornTail;
}

/**
 * Where an audit trail's lines go: the port a storage adapter implements. A sink stores opaque
 * lines (one JSON object each, no newline inside) in the order given, and gives them back. It
 * checks nothing about them: the trail encrypts, chains and verifies.
 *
 * - `append` must not reorder: the trail awaits each append before it starts the next. When it
 *   resolves, the line must be as durable as the sink promises (the file sink documents its fsync
 *   policy). When it rejects, the trail stops appending (the line may or may not be stored).
 * - `read` returns every stored line; a sink that can tell an interrupted last write reports it
 *   as `tornTail` instead of returning a partial line.
 *
 * {@link createMemorySink} and the file sink of `@enis/compliance-cost/file-sink` implement it.
 */
export interface AuditSink {
  /** Stores one line at the end. */
  append(line: string): void | Promise<void>;
  /** Every stored line, oldest first. */
  read(): AuditSinkContents | Promise<AuditSinkContents>;
}

/** The in-memory sink: lines in an array, for tests, short-lived processes and replays. */
export interface MemorySink extends AuditSink {
  /** Stores one line. */
  append(line: string): void;
  /** A copy of the stored lines. */
  read(): AuditSinkContents;
  /** A copy of the stored lines (what {@link MemorySink.read} returns as `lines`). */
  lines(): string[];
}

/**
 * Creates an in-memory {@link AuditSink}, optionally holding `lines` already (a trail read from
 * elsewhere, to verify or to continue). The array is copied.
 *
 * @example
 * ```ts
 * const sink = createMemorySink();
 * const trail = createAuditTrail({ keyring, sink, clock });
 * await trail.append({ action: "login", userId: "u-1" });
 * sink.lines().length; // 1
 * ```
 */
export function createMemorySink(lines: readonly string[] = []): MemorySink {
  if (!Array.isArray(lines) || lines.some((line) => typeof line !== "string")) {
    throw invalidField("lines", lines, "an array of strings");
  }
  const stored = [...lines];
  return {
    append(line: string) {
      stored.push(line);
    },
    read() {
      return { lines: [...stored] };
    },
    lines() {
      return [...stored];
    },
  };
}
