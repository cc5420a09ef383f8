import { createCipheriv, randomBytes } from "node:crypto";
import { type Clock, EnisError } from "@enis/core";
import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { buildExport } from "./export.js";
import {
  type CheckpointEntry,
  checkpointMessage,
  formatEntry,
  genesisHash,
  hashLine,
  keyIdPattern,
  maxTimeMs,
  parseEntry,
  type RecordEntry,
  recordAad,
  trailIdPattern,
} from "./format.js";
import { type AuditKeyring, auditKeyBytes, hmac, type ResolvedKeyring, resolveKeyring } from "./keys.js";
import type { AuditSink, AuditSinkContents } from "./sink.js";
import {
  type AuditCheckpoint,
  type AuditRecord,
  type AuditVerifyOptions,
  type AuditVerifyReport,
  cannotContinue,
  checkpointMacValid,
  checkpointOf,
  decryptRecord,
  parseAnchor,
  verifyAuditLines,
} from "./verify.js";

/** Options of {@link createAuditTrail}. */
export interface AuditTrailOptions {
  /**
   * The caller's keys: records are encrypted under `activeKeyId`, and read under the key id each
   * one names. The trail never generates a key. Give `keyring` or `key`, not both.
   */
  readonly keyring?: AuditKeyring;
  /**
   * One key, when there is no rotation yet: the same as `keyring: { activeKeyId: keyId, keys: {
   * [keyId]: key } }`. 32 bytes. To rotate later, pass `rotateKey` a keyring that keeps this key
   * under `keyId`.
   */
  readonly key?: Uint8Array;
  /**
   * The id of `key` (1 to 64 letters, digits, `.`, `_`, `:` or `-`); only with `key`.
   * @default "default"
   */
  readonly keyId?: string;
  /** Where the lines go: {@link createMemorySink}, the file sink of `@enis/compliance-cost/file-sink`, or your own. */
  readonly sink: AuditSink;
  /** The time each entry is stamped with (`nowMs()`, ms since the epoch); the trail never reads the wall clock. */
  readonly clock: Clock;
  /**
   * Names the trail; its genesis hash is derived from it, so an entry of one trail does not verify
   * as the first entry of another written under the same key. Give each trail its own id.
   * 1 to 128 letters, digits, `.`, `_`, `:`, `/` or `-`.
   * @default "default"
   */
  readonly trailId?: string;
  /**
   * A checkpoint is written after this many records, an integer ≥ 1. Checkpoints are what an
   * anchor is made of: the fewer records between them, the less a cut of the tail can hide.
   * @default 1000
   */
  readonly checkpointEvery?: number;
  /**
   * Called with each checkpoint once it is stored (automatic, `checkpoint()` or `rotateKey()`):
   * keep the latest one outside the sink — it is the anchor that detects a cut tail. Awaited; if it
   * throws, the operation that wrote the checkpoint rejects with that error (the checkpoint stays
   * written, and a rotation still takes effect). It must not wait for another operation of the same
   * trail: operations run one at a time, so that one would wait for this one.
   */
  readonly onCheckpoint?: (checkpoint: AuditCheckpoint) => void | Promise<void>;
}

/** What {@link AuditTrail.append} stored. */
export interface AuditAppendResult {
  /** Position of the record in the trail. */
  readonly seq: number;
  /** The time it was stamped with. */
  readonly atMs: number;
  /** The key it was encrypted under. */
  readonly keyId: string;
  /** SHA-256 (hex) of its line: the new chain head. */
  readonly hash: string;
}

/** Options of {@link AuditTrail.exportJsonl}. */
export interface AuditExportOptions extends AuditVerifyOptions {
  /**
   * Include each record's decrypted event (the export is then plaintext: hand it over as such).
   * Without events, the export carries the encrypted lines and the chain proofs only.
   * @default true
   */
  readonly events?: boolean;
}

/** An encrypted, hash-chained, tamper-evident audit trail. Operations run one at a time, in call order. */
export interface AuditTrail {
  /** The trail's id. */
  readonly trailId: string;
  /**
   * Encrypts `event` (any JSON-serialisable value) under the active key and appends it. Resolves
   * once the sink has stored the record (and the automatic checkpoint, when one falls due).
   */
  append(event: unknown): Promise<AuditAppendResult>;
  /** Writes a checkpoint of the current chain head and returns it: keep it outside the sink. */
  checkpoint(): Promise<AuditCheckpoint>;
  /**
   * Switches to a new keyring (typically the old keys plus a new active one). First writes a
   * checkpoint under the old active key, closing its epoch; returns that checkpoint. Records keep
   * their key id, so they stay readable while their key stays in the keyring. A key id present in
   * both keyrings must keep its bytes (`INVALID_OPTIONS` otherwise).
   */
  rotateKey(keyring: AuditKeyring): Promise<AuditCheckpoint>;
  /** Reads the sink and verifies every entry; see {@link AuditVerifyReport}. Never throws on a tampered trail: it reports. */
  verify(options?: AuditVerifyOptions): Promise<AuditVerifyReport>;
  /** Verifies, and returns the records decrypted up to the first problem, with the report. */
  readRecords(options?: AuditVerifyOptions): Promise<{ records: AuditRecord[]; report: AuditVerifyReport }>;
  /**
   * The trail for an auditor, as JSON Lines: a header (trail id, genesis hash, hash rule), one line
   * per entry (its index, the stored line verbatim, its SHA-256, and the decrypted event unless
   * `events: false`), then a proof line (chain head, latest checkpoint, the anchor if given, and
   * the verification report). {@link verifyAuditExport} re-checks the chain without any key.
   */
  exportJsonl(options?: AuditExportOptions): Promise<string>;
}

const optionsSchema = z.strictObject({
  keyring: z
    .custom<AuditKeyring>(
      (value) => typeof value === "object" && value !== null,
      "a keyring { activeKeyId, keys }",
    )
    .optional(),
  key: z.custom<Uint8Array>((value) => value instanceof Uint8Array, "a Uint8Array of 32 bytes").optional(),
  keyId: z.string().optional(),
  sink: z.custom<AuditSink>(
    (value) =>
      typeof (value as AuditSink | null)?.append === "function" &&
      typeof (value as AuditSink | null)?.read === "function",
    "a sink with append(line) and read()",
  ),
  clock: z.custom<Clock>(
    (value) => typeof (value as Clock | null)?.nowMs === "function",
    "a clock { nowMs() }",
  ),
  trailId: z.string().regex(trailIdPattern, "1 to 128 letters, digits, '.', '_', ':', '/' or '-'").optional(),
  checkpointEvery: z.number().int().min(1).max(1_000_000_000).optional(),
  onCheckpoint: z
    .custom<AuditTrailOptions["onCheckpoint"]>((value) => typeof value === "function", "a function")
    .optional(),
});

/** Random 96-bit IVs, drawn from node:crypto in batches (one call per 512 records). */
let ivPool = Buffer.alloc(0);
let ivOffset = 0;
function nextIv(): Buffer {
  if (ivOffset + 12 > ivPool.length) {
    ivPool = randomBytes(12 * 512);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + 12);
  ivOffset += 12;
  return iv;
}

/**
 * Creates an audit trail over a sink. Each record is AES-256-GCM encrypted under the caller's
 * active key (a key derived from it with HKDF, a random 96-bit IV per record), with its position,
 * time, key id and the previous line's SHA-256 bound as additional authenticated data; each line
 * names the SHA-256 of the line before it; HMAC checkpoints of the chain head are written every
 * `checkpointEvery` records and on demand. `verify()` detects a changed, deleted, inserted or
 * moved entry and says where; a cut tail is detected against a checkpoint kept outside the sink.
 *
 * A trail continues what the sink holds (yesterday's trail, another process's): it reads the sink
 * before its first operation and authenticates the last entry. It refuses to append after a torn
 * write or a last entry that does not verify (`INVALID_DATA`), and after a failed sink append
 * (`STORE_UNAVAILABLE`). One writer per sink.
 *
 * Throws `INVALID_OPTIONS` for bad options, e.g. a key that is not 32 bytes.
 *
 * @example
 * ```ts
 * const keyring = { activeKeyId: "2026-12", keys: { "2026-12": keyFromKms } };
 * const trail = createAuditTrail({ keyring, sink: createMemorySink(), clock: { nowMs: () => Date.now() } });
 * await trail.append({ action: "export", userId: "u-7", tenantId: "acme" });
 * const anchor = await trail.checkpoint(); // keep it elsewhere
 * const report = await trail.verify({ anchor });
 * report.ok; // true
 * ```
 */
export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const resolved = parseOptions(optionsSchema, options, "options");
  let keyring: ResolvedKeyring = keyringOf(resolved);
  const sink = resolved.sink;
  const clock = resolved.clock;
  const trailId = resolved.trailId ?? "default";
  const checkpointEvery = resolved.checkpointEvery ?? 1000;
  const onCheckpoint = resolved.onCheckpoint;

  let nextSeq = 0;
  let head = genesisHash(trailId);
  let recordsSinceCheckpoint = 0;
  /** Why appends are refused, once they are. */
  let refusal: EnisError | undefined;
  let opened = false;

  const open = async (): Promise<void> => {
    if (opened) return;
    const contents: AuditSinkContents = await sink.read();
    opened = true;
    const { lines, tornTail } = contents;
    if (tornTail !== undefined) {
      refusal = cannotContinue(`its last line (index ${tornTail.index}) is a torn write`);
      return;
    }
    if (lines.length === 0) return;
    const last = lines.length - 1;
    const entry = parseEntry(lines[last]!);
    if (typeof entry === "string") {
      refusal = cannotContinue(`its last entry (index ${last}) is malformed: ${entry}`);
      return;
    }
    if (entry.seq !== last) {
      refusal = cannotContinue(`its last entry (index ${last}) claims position ${entry.seq}`);
      return;
    }
    const keys = keyring.keys.get(entry.keyId);
    if (keys === undefined) {
      refusal = cannotContinue(
        `its last entry is under key ${JSON.stringify(entry.keyId)}, not in the keyring`,
      );
      return;
    }
    const authentic =
      entry.kind === "record"
        ? decryptRecord(entry, keys) !== undefined
        : checkpointMacValid(entry, keys, genesisHash(trailId));
    if (!authentic) {
      refusal = cannotContinue(`its last entry (index ${last}) fails authentication`);
      return;
    }
    nextSeq = lines.length;
    head = hashLine(lines[last]!);
    recordsSinceCheckpoint = 0;
    for (let i = last; i >= 0 && !lines[i]!.includes('"kind":"checkpoint"'); i--) recordsSinceCheckpoint++;
  };

  let queue: Promise<unknown> = Promise.resolve();
  /** Runs `operation` after every earlier one, the sink read first. */
  /** Operations started and not yet settled. */
  let running = 0;
  const settle = (): void => {
    running--;
  };
  const enqueue = <T>(operation: () => T | Promise<T>): Promise<T> => {
    if (opened && running === 0) {
      // Nothing ahead of it: run now. With a synchronous sink an append completes here, without a
      // trip through the microtask queue (the queue is on every record's path).
      let value: T | Promise<T>;
      try {
        value = operation();
      } catch (error) {
        return Promise.reject(error);
      }
      if (!(value instanceof Promise)) return Promise.resolve(value);
      running++;
      queue = value.then(settle, settle);
      return value;
    }
    running++;
    const run = opened
      ? queue.then(operation)
      : queue.then(async () => {
          await open();
          return operation();
        });
    queue = run.then(settle, settle);
    return run;
  };

  const readClock = (): number => {
    const nowMs = clock.nowMs();
    if (typeof nowMs !== "number" || !Number.isFinite(nowMs) || nowMs < 0 || nowMs > maxTimeMs) {
      throw invalidField("options.clock.nowMs()", nowMs, `a time in ms in [0, ${maxTimeMs}]`);
    }
    return nowMs;
  };

  /** Stores a line; the chain moves on once the sink has it. Synchronous when the sink is. */
  const write = (line: string, seq: number): void | Promise<void> => {
    if (refusal !== undefined) throw refusal;
    const failed = (error: unknown): never => {
      refusal = new EnisError(
        "STORE_UNAVAILABLE",
        `the audit sink failed to store entry ${seq}; the trail refuses further appends (open a new trail over the sink once it is repaired: it verifies where the sink stands)`,
        { cause: error },
      );
      throw refusal;
    };
    const stored = (): void => {
      nextSeq = seq + 1;
      head = hashLine(line);
    };
    let pending: void | Promise<void>;
    try {
      pending = sink.append(line);
    } catch (error) {
      return failed(error);
    }
    if (pending instanceof Promise) return pending.then(stored, failed);
    stored();
  };

  /** Writes a checkpoint; `written` runs once it is stored, before `onCheckpoint` is called. */
  const writeCheckpoint = async (written?: () => void): Promise<AuditCheckpoint> => {
    if (refusal !== undefined) throw refusal;
    const atMs = readClock();
    const keyId = keyring.activeKeyId;
    const keys = keyring.keys.get(keyId)!;
    const seq = nextSeq;
    const entry: CheckpointEntry = {
      v: 1,
      seq,
      kind: "checkpoint",
      atMs,
      keyId,
      prev: head,
      mac: hmac(keys.mac, checkpointMessage(genesisHash(trailId), seq, atMs, keyId, head)),
    };
    await write(formatEntry(entry), seq);
    recordsSinceCheckpoint = 0;
    written?.();
    const checkpoint = checkpointOf(trailId, entry);
    if (onCheckpoint !== undefined) await onCheckpoint(checkpoint);
    return checkpoint;
  };

  const readAll = async (
    verifyOptions: AuditVerifyOptions | undefined,
    onRecord?: (record: AuditRecord) => void,
  ): Promise<AuditVerifyReport> => {
    const anchor = readAnchorOption(verifyOptions);
    return enqueue(async () => {
      const { lines, tornTail } = await sink.read();
      return verifyAuditLines(lines, tornTail, keyring, trailId, anchor, onRecord);
    });
  };

  return Object.freeze({
    trailId,
    append(event: unknown): Promise<AuditAppendResult> {
      let text: string | undefined;
      try {
        text = JSON.stringify(event);
      } catch (error) {
        return Promise.reject(invalidField("event", event, "a JSON-serialisable value", error));
      }
      if (text === undefined)
        return Promise.reject(invalidField("event", event, "a JSON-serialisable value"));
      return enqueue((): AuditAppendResult | Promise<AuditAppendResult> => {
        if (refusal !== undefined) throw refusal;
        const atMs = readClock();
        const keyId = keyring.activeKeyId;
        const keys = keyring.keys.get(keyId)!;
        const seq = nextSeq;
        const prev = head;
        const iv = nextIv();
        const cipher = createCipheriv("aes-256-gcm", keys.encryption, iv, { authTagLength: 16 });
        cipher.setAAD(recordAad(seq, atMs, keyId, prev));
        const body = cipher.update(text, "utf8");
        const final = cipher.final();
        const data = Buffer.concat([body, final, cipher.getAuthTag()]);
        const entry: RecordEntry = {
          v: 1,
          seq,
          kind: "record",
          atMs,
          keyId,
          prev,
          iv: iv.toString("base64url"),
          data: data.toString("base64url"),
        };
        const line = formatEntry(entry);
        const finish = (): AuditAppendResult | Promise<AuditAppendResult> => {
          const result: AuditAppendResult = Object.freeze({ seq, atMs, keyId, hash: head });
          recordsSinceCheckpoint++;
          return recordsSinceCheckpoint >= checkpointEvery ? writeCheckpoint().then(() => result) : result;
        };
        const pending = write(line, seq);
        return pending instanceof Promise ? pending.then(finish) : finish();
      });
    },
    checkpoint(): Promise<AuditCheckpoint> {
      return enqueue(() => writeCheckpoint());
    },
    rotateKey(next: AuditKeyring): Promise<AuditCheckpoint> {
      let replacement: ResolvedKeyring;
      try {
        replacement = resolveKeyring(next, "keyring");
      } catch (error) {
        return Promise.reject(error);
      }
      return enqueue(async () => {
        for (const [keyId, keys] of replacement.keys) {
          const old = keyring.keys.get(keyId);
          if (old !== undefined && !old.mac.equals(keys.mac)) {
            throw new EnisError(
              "INVALID_OPTIONS",
              `keyring.keys[${JSON.stringify(keyId)}] must keep the bytes it had (records under ${JSON.stringify(keyId)} name that key), got different bytes`,
              { field: `keyring.keys[${JSON.stringify(keyId)}]` },
            );
          }
        }
        // The keyring changes once the closing checkpoint is stored, whatever onCheckpoint does.
        return writeCheckpoint(() => {
          keyring = replacement;
        });
      });
    },
    verify(verifyOptions?: AuditVerifyOptions): Promise<AuditVerifyReport> {
      try {
        return readAll(verifyOptions);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async readRecords(verifyOptions?: AuditVerifyOptions) {
      const records: AuditRecord[] = [];
      const report = await readAll(verifyOptions, (record) => records.push(record));
      return { records, report };
    },
    exportJsonl(exportOptions?: AuditExportOptions): Promise<string> {
      let anchor: AuditCheckpoint | undefined;
      try {
        anchor = readAnchorOption(exportOptions);
        if (exportOptions?.events !== undefined && typeof exportOptions.events !== "boolean") {
          throw invalidField("options.events", exportOptions.events, "true or false");
        }
      } catch (error) {
        return Promise.reject(error);
      }
      const events = exportOptions?.events ?? true;
      return enqueue(async () => {
        const { lines, tornTail } = await sink.read();
        const decrypted = new Map<number, unknown>();
        const report = verifyAuditLines(lines, tornTail, keyring, trailId, anchor, (record) => {
          if (events) decrypted.set(record.seq, record.event);
        });
        return buildExport({ trailId, lines, report, anchor, events: events ? decrypted : undefined });
      });
    },
  });
}

function readAnchorOption(options: AuditVerifyOptions | undefined): AuditCheckpoint | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) throw invalidField("options", options, "an object");
  return options.anchor === undefined ? undefined : parseAnchor(options.anchor, "options.anchor");
}

/**
 * The keyring the options give: `keyring` itself, or `{ activeKeyId: keyId, keys: { [keyId]: key } }`.
 * Exactly one of the two must be given.
 */
function keyringOf(options: {
  readonly keyring?: unknown;
  readonly key?: Uint8Array | undefined;
  readonly keyId?: string | undefined;
}): ResolvedKeyring {
  if (options.keyring !== undefined) {
    if (options.key !== undefined)
      throw invalidField("options.key", options.key, "absent when options.keyring is given");
    if (options.keyId !== undefined) {
      throw invalidField(
        "options.keyId",
        options.keyId,
        "absent when options.keyring is given (it names options.key)",
      );
    }
    return resolveKeyring(options.keyring, "options.keyring");
  }
  if (options.key === undefined) {
    throw invalidField(
      "options.keyring",
      undefined,
      "a keyring { activeKeyId, keys }, or options.key (32 bytes)",
    );
  }
  const keyId = options.keyId ?? "default";
  if (!keyIdPattern.test(keyId)) {
    throw invalidField("options.keyId", keyId, "1 to 64 letters, digits, '.', '_', ':' or '-'");
  }
  if (options.key.length !== auditKeyBytes) {
    throw new EnisError(
      "INVALID_OPTIONS",
      `options.key must be ${auditKeyBytes} bytes (an AES-256 key: crypto.randomBytes(32) or a KMS data key, not a password), got ${options.key.length} bytes`,
      { field: "options.key" },
    );
  }
  return resolveKeyring({ activeKeyId: keyId, keys: { [keyId]: options.key } }, "options");
}

/** Options of {@link verifyAuditTrail}. */
export interface VerifyAuditTrailOptions extends AuditVerifyOptions {
  /** The keys of every key id the trail's entries name (`activeKeyId` is not used to verify); or `key`. */
  readonly keyring?: AuditKeyring;
  /** One key, as in {@link AuditTrailOptions.key}; give `keyring` or `key`. */
  readonly key?: Uint8Array;
  /**
   * The id of `key`; only with `key`.
   * @default "default"
   */
  readonly keyId?: string;
  /** The sink holding the trail. */
  readonly sink: AuditSink;
  /**
   * The trail's id, as it was written.
   * @default "default"
   */
  readonly trailId?: string;
}

const verifySchema = z.strictObject({
  keyring: optionsSchema.shape.keyring,
  key: optionsSchema.shape.key,
  keyId: optionsSchema.shape.keyId,
  sink: optionsSchema.shape.sink,
  trailId: optionsSchema.shape.trailId,
  anchor: z.unknown().optional(),
});

/**
 * Verifies a trail held by a sink, without a writer (an auditor's or a nightly job's check): the
 * same checks and report as {@link AuditTrail.verify}. Throws `INVALID_OPTIONS` for bad options;
 * a tampered trail is a report, not an error.
 *
 * @example
 * ```ts
 * const report = await verifyAuditTrail({ keyring, sink: createFileSink({ path }), anchor });
 * if (!report.ok) console.error(report.problem); // { index, kind, message }
 * ```
 */
export async function verifyAuditTrail(options: VerifyAuditTrailOptions): Promise<AuditVerifyReport> {
  const resolved = parseOptions(verifySchema, options, "options");
  const keyring = keyringOf(resolved);
  const anchor = resolved.anchor === undefined ? undefined : parseAnchor(resolved.anchor, "options.anchor");
  const { lines, tornTail } = await resolved.sink.read();
  return verifyAuditLines(lines, tornTail, keyring, resolved.trailId ?? "default", anchor);
}
