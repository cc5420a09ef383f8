import { createDecipheriv } from "node:crypto";
import { EnisError } from "@enis/core";
import { invalidField } from "@enis/core/validate";
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
  type TrailEntry,
} from "./format.js";
import { type DerivedKeys, hmac, type ResolvedKeyring, sameMac } from "./keys.js";
import type { TornTail } from "./sink.js";

/**
 * A keyed checkpoint: the trail's chain head at one position, signed with an HMAC key derived from
 * the caller's key. It is written into the trail as an entry at index `seq`, and handed to the
 * caller (`checkpoint()`, `onCheckpoint`). Kept outside the sink — a database row, a WORM bucket, a
 * ticket, an e-mail to the auditor — it is the anchor that makes truncation of the trail's tail
 * detectable: see {@link AuditVerifyOptions.anchor}.
 */
export interface AuditCheckpoint {
  /** The trail it belongs to. */
  readonly trailId: string;
  /** Index of the checkpoint entry in the trail; it covers the `seq` entries before it. */
  readonly seq: number;
  /** When it was written, in ms since the epoch. */
  readonly atMs: number;
  /** Id of the key whose derived HMAC key signed it. */
  readonly keyId: string;
  /** The chain head it covers: SHA-256 (hex) of entry `seq − 1`, or the genesis hash when `seq` is 0. */
  readonly head: string;
  /** HMAC-SHA-256 (base64url) of (the trail's genesis hash, seq, atMs, keyId, head): it names the trail. */
  readonly mac: string;
}

/** What {@link AuditVerifyReport.problem} found. */
export type AuditProblemKind =
  /** The line is not an entry in its canonical spelling (a flipped bit, an edit, an inserted non-entry). */
  | "malformed"
  /** The entry claims a later position and the entries before that position are nowhere: deleted. */
  | "missing"
  /** The entry claims another position that is elsewhere in the trail, or one already passed: moved, swapped, or a copy inserted. */
  | "out-of-order"
  /** The entry's `prev` is not the hash of the entry before it (or the genesis hash): something before it was replaced, or it comes from another trail. */
  | "chain-broken"
  /** The entry's key id is not in the keyring: it cannot be authenticated. */
  | "unknown-key"
  /** AES-GCM rejected the record, or the checkpoint's HMAC does not match: its content or header was changed. */
  | "authentication-failed"
  /** The trail has fewer entries than the anchor proves it had: its tail was cut. */
  | "truncated"
  /** The entry at the anchor's position is not the anchor's checkpoint. */
  | "anchor-mismatch"
  /** The anchor given to verify is not a checkpoint of this trail under this keyring (forged, altered, or another trail's). */
  | "anchor-invalid"
  /** The sink's last line did not finish writing (a crash mid-append): it is not read as an entry. */
  | "torn-write";

/** The first problem of a trail: where, what, and a sentence for a human. */
export interface AuditProblem {
  /** Index (0-based line of the sink) of the first entry that fails; for `truncated`, the number of entries left. */
  readonly index: number;
  /** What failed. */
  readonly kind: AuditProblemKind;
  /** A sentence naming the index and what was expected. */
  readonly message: string;
}

/** The outcome of a trail's `verify()` and of `verifyAuditTrail`. */
export interface AuditVerifyReport {
  /** True when every entry verified, the anchor (if given) matched, and the sink ends cleanly. */
  readonly ok: boolean;
  /** Complete lines the sink holds (a torn last line excluded). */
  readonly entries: number;
  /** Entries verified before the first problem (all of them when `ok`). */
  readonly verifiedEntries: number;
  /** Records among the verified entries. */
  readonly records: number;
  /** Checkpoints among the verified entries. */
  readonly checkpoints: number;
  /** SHA-256 (hex) of the last verified entry, or the genesis hash when none verified. */
  readonly head: string;
  /** The last checkpoint among the verified entries. */
  readonly lastCheckpoint: AuditCheckpoint | undefined;
  /**
   * Verified entries after the last checkpoint (in the trail or the anchor, whichever is later).
   * These could have been cut from the tail without any sign: only a later anchor protects them.
   */
  readonly unanchoredEntries: number;
  /** The first problem, by index; absent when `ok`. */
  readonly problem?: AuditProblem;
  /** The sink's torn last line, when there is one (also the `problem` when nothing came first). */
  readonly tornTail?: TornTail;
}

/** Options of a verification. */
export interface AuditVerifyOptions {
  /**
   * The latest checkpoint the caller kept outside the sink. Without it, a trail cut after any entry
   * is a valid shorter trail — verification cannot tell. With it, a trail that ends before the
   * anchor's position is reported `truncated`, and a trail whose entry at that position is not the
   * anchor `anchor-mismatch`. Entries appended after the anchor are verified as a chain, but their
   * truncation is detectable only against a later anchor.
   */
  readonly anchor?: AuditCheckpoint;
}

/** A decrypted record, in order. */
export interface AuditRecord {
  /** Position of the record's entry in the trail. */
  readonly seq: number;
  /** When it was appended, in ms since the epoch. */
  readonly atMs: number;
  /** Id of the key it was encrypted under. */
  readonly keyId: string;
  /** The event, as `JSON.parse(JSON.stringify(event))` gives it back. */
  readonly event: unknown;
}

/** Decrypts a record; undefined when AES-GCM rejects it (wrong key, changed header or bytes). */
export function decryptRecord(entry: RecordEntry, keys: DerivedKeys): Buffer | undefined {
  const iv = Buffer.from(entry.iv, "base64url");
  const data = Buffer.from(entry.data, "base64url");
  if (iv.length !== 12 || data.length < 16) return undefined;
  const decipher = createDecipheriv("aes-256-gcm", keys.encryption, iv, { authTagLength: 16 });
  decipher.setAAD(recordAad(entry.seq, entry.atMs, entry.keyId, entry.prev));
  decipher.setAuthTag(data.subarray(data.length - 16));
  try {
    const head = decipher.update(data.subarray(0, data.length - 16));
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return undefined;
  }
}

/** True when the checkpoint's HMAC verifies under `keys` for the trail whose genesis hash is `genesis`. */
export function checkpointMacValid(entry: CheckpointEntry, keys: DerivedKeys, genesis: string): boolean {
  return sameMac(
    entry.mac,
    hmac(keys.mac, checkpointMessage(genesis, entry.seq, entry.atMs, entry.keyId, entry.prev)),
  );
}

/** The caller-facing checkpoint of a checkpoint entry. */
export function checkpointOf(trailId: string, entry: CheckpointEntry): AuditCheckpoint {
  return Object.freeze({
    trailId,
    seq: entry.seq,
    atMs: entry.atMs,
    keyId: entry.keyId,
    head: entry.prev,
    mac: entry.mac,
  });
}

/** Validates the shape of an anchor passed in (its MAC is checked by the verification). */
export function parseAnchor(input: unknown, field: string): AuditCheckpoint {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw invalidField(field, input, "a checkpoint { trailId, seq, atMs, keyId, head, mac }");
  }
  const o = input as Record<string, unknown>;
  const { trailId, seq, atMs, keyId, head, mac } = o;
  if (typeof trailId !== "string" || trailId.length === 0)
    throw invalidField(`${field}.trailId`, trailId, "a trail id");
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0)
    throw invalidField(`${field}.seq`, seq, "an integer >= 0");
  if (typeof atMs !== "number" || !Number.isFinite(atMs) || atMs < 0 || atMs > maxTimeMs)
    throw invalidField(`${field}.atMs`, atMs, `a time in ms in [0, ${maxTimeMs}]`);
  if (typeof keyId !== "string" || !keyIdPattern.test(keyId))
    throw invalidField(`${field}.keyId`, keyId, "a key id");
  if (typeof head !== "string" || !/^[0-9a-f]{64}$/.test(head))
    throw invalidField(`${field}.head`, head, "a SHA-256 in lower-case hex");
  if (typeof mac !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(mac))
    throw invalidField(`${field}.mac`, mac, "an HMAC-SHA-256 in base64url");
  return { trailId, seq, atMs, keyId, head, mac };
}

/** Where a claimed position that does not match the index points. */
function positionProblem(lines: readonly string[], index: number, claimed: number): AuditProblem {
  if (claimed < index) {
    return {
      index,
      kind: "out-of-order",
      message: `entry ${index} claims position ${claimed}, one already passed: a copied or moved entry`,
    };
  }
  const prefix = `{"v":1,"seq":${index},`;
  for (let j = index + 1; j < lines.length; j++) {
    if (lines[j]!.startsWith(prefix)) {
      return {
        index,
        kind: "out-of-order",
        message: `entry ${index} claims position ${claimed}, and the entry for position ${index} is at index ${j}: entries were moved`,
      };
    }
  }
  return {
    index,
    kind: "missing",
    message: `entry ${index} claims position ${claimed}: entries ${index} to ${claimed - 1} are missing`,
  };
}

/**
 * Verifies a trail's lines and reports the first problem by index.
 *
 * 1. The walk: each line in canonical form, at its position, naming the SHA-256 of the line before
 *    it (the first, the genesis hash of `trailId`). It stops at the first line that fails.
 * 2. Authentication of what the walk accepted. An authentic entry (its AES-GCM tag or checkpoint
 *    HMAC verifies) binds the hash of the line before it, which binds the one before that, back to
 *    the genesis: so one authentic entry proves every entry before it, and authenticity is
 *    monotone along the chain (true up to the first changed entry, false from there on). The last
 *    entry under a known key is authenticated; only when it fails, a binary search over the others
 *    finds the first that fails — O(log n) decryptions, not n. Entries under keys no longer in the
 *    keyring are still proven by a later entry under a known key (a retired key does not make the
 *    trail unverifiable); only entries after the last known-key entry are reported `unknown-key`.
 *    With `onRecord` (reading, exporting), every record is decrypted in order instead.
 * 3. The anchor, if given; then the sink's torn tail.
 */
export function verifyAuditLines(
  lines: readonly string[],
  tornTail: TornTail | undefined,
  keyring: ResolvedKeyring,
  trailId: string,
  anchor: AuditCheckpoint | undefined,
  onRecord?: (record: AuditRecord) => void,
): AuditVerifyReport {
  const genesis = genesisHash(trailId);
  const entries: TrailEntry[] = [];
  const hashes: string[] = [];
  let prev = genesis;
  let walkProblem: AuditProblem | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const entry = parseEntry(line);
    if (typeof entry === "string") {
      walkProblem = { index: i, kind: "malformed", message: `entry ${i} is malformed: ${entry}` };
      break;
    }
    if (entry.seq !== i) {
      walkProblem = positionProblem(lines, i, entry.seq);
      break;
    }
    if (entry.prev !== prev) {
      walkProblem = {
        index: i,
        kind: "chain-broken",
        message:
          i === 0
            ? `entry 0 does not start trail ${JSON.stringify(trailId)}: its prev is not the trail's genesis hash`
            : `entry ${i}'s prev is not the hash of entry ${i - 1}: entry ${i} was replaced or edited`,
      };
      break;
    }
    entries.push(entry);
    prev = hashLine(line);
    hashes.push(prev);
  }

  const authentic = (entry: TrailEntry): boolean => {
    const keys = keyring.keys.get(entry.keyId)!;
    return entry.kind === "record"
      ? decryptRecord(entry, keys) !== undefined
      : checkpointMacValid(entry, keys, genesis);
  };
  const known = (index: number): boolean => keyring.keys.has(entries[index]!.keyId);
  /** The first problem among the walked entries, or undefined when they are all proven. */
  const authenticate = (): AuditProblem | undefined => {
    if (onRecord !== undefined) {
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        if (!known(i)) return unknownKey(i, i, entry.keyId);
        if (entry.kind === "checkpoint") {
          if (!authentic(entry)) return authenticationFailed(i, entry);
          continue;
        }
        const plain = decryptRecord(entry, keyring.keys.get(entry.keyId)!);
        let event: unknown;
        try {
          if (plain === undefined) return authenticationFailed(i, entry);
          event = JSON.parse(plain.toString("utf8"));
        } catch {
          return authenticationFailed(i, entry);
        }
        onRecord({ seq: entry.seq, atMs: entry.atMs, keyId: entry.keyId, event });
      }
      return undefined;
    }
    let last = entries.length - 1;
    while (last >= 0 && !known(last)) last--;
    if (last >= 0 && !authentic(entries[last]!)) {
      // Binary search for the first entry that fails: every known-key entry before it verifies.
      let good = -1; // a known-key index that verifies (or -1)
      let bad = last; // a known-key index that fails
      for (;;) {
        // A known-key index strictly between good and bad, nearest the middle; none: the search is done.
        const middle = Math.floor((good + bad) / 2);
        let probe = middle;
        while (probe > good && !known(probe)) probe--;
        if (probe <= good) {
          probe = middle + 1;
          while (probe < bad && !known(probe)) probe++;
          if (probe >= bad) break;
        }
        if (authentic(entries[probe]!)) good = probe;
        else bad = probe;
      }
      // Entries between the last proven one and the first failing one under unknown keys cannot be told apart.
      return good + 1 < bad
        ? unknownKey(good + 1, bad, entries[good + 1]!.keyId)
        : authenticationFailed(bad, entries[bad]!);
    }
    if (last < entries.length - 1) return unknownKey(last + 1, entries.length - 1, entries[last + 1]!.keyId);
    return undefined;
  };

  let problem = authenticate() ?? walkProblem;
  const verified = problem === undefined || problem.index >= entries.length ? entries.length : problem.index;
  let records = 0;
  let checkpoints = 0;
  let lastCheckpoint: AuditCheckpoint | undefined;
  for (let i = 0; i < verified; i++) {
    const entry = entries[i]!;
    if (entry.kind === "record") records++;
    else {
      checkpoints++;
      lastCheckpoint = checkpointOf(trailId, entry);
    }
  }
  if (anchor !== undefined) {
    const anchorProblem = checkAnchor(lines, keyring, trailId, anchor, problem);
    if (anchorProblem !== undefined) problem = anchorProblem;
  }
  if (problem === undefined && tornTail !== undefined) {
    problem = {
      index: tornTail.index,
      kind: "torn-write",
      message: `the sink's last line (index ${tornTail.index}, ${tornTail.byteLength} bytes) is a torn write (${tornTail.reason === "no-newline" ? "no final newline" : "it does not parse"}): it was not read as an entry`,
    };
  }
  const anchoredUpTo = Math.max(
    lastCheckpoint === undefined ? -1 : lastCheckpoint.seq,
    anchor === undefined || anchor.seq >= verified ? -1 : anchor.seq,
  );
  return Object.freeze({
    ok: problem === undefined,
    entries: lines.length,
    verifiedEntries: verified,
    records,
    checkpoints,
    head: verified === 0 ? genesis : hashes[verified - 1]!,
    lastCheckpoint,
    unanchoredEntries: verified - (anchoredUpTo + 1),
    ...(problem === undefined ? {} : { problem: Object.freeze(problem) }),
    ...(tornTail === undefined ? {} : { tornTail }),
  });
}

function unknownKey(from: number, to: number, keyId: string): AuditProblem {
  return {
    index: from,
    kind: "unknown-key",
    message:
      from === to
        ? `entry ${from} is under key ${JSON.stringify(keyId)}, which the keyring does not hold: it cannot be authenticated`
        : `entries ${from} to ${to} cannot be authenticated (entry ${from} is under key ${JSON.stringify(keyId)}, which the keyring does not hold)`,
  };
}

function authenticationFailed(index: number, entry: TrailEntry): AuditProblem {
  return {
    index,
    kind: "authentication-failed",
    message:
      entry.kind === "record"
        ? `record ${index} fails AES-GCM authentication under key ${JSON.stringify(entry.keyId)}: its bytes or header were changed`
        : `checkpoint ${index}'s HMAC does not verify under key ${JSON.stringify(entry.keyId)}: it was changed or forged`,
  };
}

/** The anchor's verdict, when it outranks the chain's first problem (`chainProblem`). */
function checkAnchor(
  lines: readonly string[],
  keyring: ResolvedKeyring,
  trailId: string,
  anchor: AuditCheckpoint,
  chainProblem: AuditProblem | undefined,
): AuditProblem | undefined {
  const keys = keyring.keys.get(anchor.keyId);
  const entry: CheckpointEntry = {
    v: 1,
    seq: anchor.seq,
    kind: "checkpoint",
    atMs: anchor.atMs,
    keyId: anchor.keyId,
    prev: anchor.head,
    mac: anchor.mac,
  };
  if (
    anchor.trailId !== trailId ||
    keys === undefined ||
    !checkpointMacValid(entry, keys, genesisHash(trailId))
  ) {
    // The reference itself is unusable: nothing can be said against it, so it is the problem.
    return {
      index: anchor.seq,
      kind: "anchor-invalid",
      message:
        anchor.trailId !== trailId
          ? `the anchor belongs to trail ${JSON.stringify(anchor.trailId)}, not ${JSON.stringify(trailId)}`
          : keys === undefined
            ? `the anchor is signed under key ${JSON.stringify(anchor.keyId)}, which the keyring does not hold`
            : `the anchor's HMAC does not verify: it is not a checkpoint of trail ${JSON.stringify(trailId)} written under this keyring`,
    };
  }
  // A problem in the chain at or before the anchor's position comes first: it is where the trail
  // went wrong, and it may be the reason the anchor's entry is gone or different.
  if (chainProblem !== undefined && chainProblem.index <= anchor.seq) return undefined;
  if (lines.length <= anchor.seq) {
    return {
      index: lines.length,
      kind: "truncated",
      message: `the trail ends after ${lines.length} entries, but the anchor is checkpoint ${anchor.seq}: entries ${lines.length} to ${anchor.seq} or more were cut`,
    };
  }
  if (lines[anchor.seq] !== formatEntry(entry)) {
    return {
      index: anchor.seq,
      kind: "anchor-mismatch",
      message: `entry ${anchor.seq} is not the anchor's checkpoint: the trail was rewritten up to there`,
    };
  }
  return undefined;
}

/** The error appends raise once a trail cannot be continued. */
export function cannotContinue(reason: string, cause?: unknown): EnisError {
  return new EnisError(
    "INVALID_DATA",
    `the audit trail in the sink cannot be continued: ${reason}; run verify() to see where, and repair the sink (the file sink's discardTornTail() for a torn write)`,
    cause === undefined ? {} : { cause },
  );
}
