/*
 * The stored form of an audit trail: one JSON line per entry, in one canonical spelling. An entry
 * is either a record (an encrypted event) or a checkpoint (an HMAC over the chain head). Every
 * entry names the SHA-256 of the line before it (`prev`), so the lines form a hash chain; the
 * first entry's `prev` is the trail's genesis hash, derived from its `trailId`.
 *
 * A line is accepted only in the exact spelling `formatEntry` writes (key order, no spaces, no
 * escapes, base64url without padding, lower-case hex): a change that JSON.parse would forgive
 * (an upper-case hex digit, "\u0061" for "a", a space) still changes the line, and so its hash.
 */
import { createHash } from "node:crypto";

/** Version of the stored format, the `v` of every line. */
export const auditFormatVersion = 1;

/** The greatest time a record can carry: 8.64e15 ms, the end of ECMAScript's time range. */
export const maxTimeMs = 8.64e15;

/** The spelling of a key id: 1 to 64 letters, digits, `.`, `_`, `:` or `-`. */
export const keyIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

/** The spelling of a trail id: 1 to 128 letters, digits, `.`, `_`, `:`, `/` or `-`. */
export const trailIdPattern = /^[A-Za-z0-9._:/-]{1,128}$/;

const hexHash = /^[0-9a-f]{64}$/;
const base64url = /^[A-Za-z0-9_-]*$/;

/** An encrypted event, as stored. */
export interface RecordEntry {
  readonly v: 1;
  /** Position of the entry in the trail, from 0. */
  readonly seq: number;
  readonly kind: "record";
  /** When the record was appended, in ms since the epoch (the trail's clock). */
  readonly atMs: number;
  /** Id of the key (in the caller's keyring) the record is encrypted under. */
  readonly keyId: string;
  /** SHA-256 (hex) of the previous line, or the genesis hash for the first entry. */
  readonly prev: string;
  /** The 96-bit AES-GCM IV, base64url. */
  readonly iv: string;
  /** Ciphertext followed by the 128-bit GCM tag, base64url. */
  readonly data: string;
}

/** A keyed checkpoint of the chain, as stored. */
export interface CheckpointEntry {
  readonly v: 1;
  readonly seq: number;
  readonly kind: "checkpoint";
  readonly atMs: number;
  /** Id of the key whose HMAC key signed the checkpoint. */
  readonly keyId: string;
  /** The chain head the checkpoint covers: SHA-256 (hex) of the previous line, or the genesis hash. */
  readonly prev: string;
  /** HMAC-SHA-256 of (seq, atMs, keyId, prev), base64url. */
  readonly mac: string;
}

/** One stored entry. */
export type TrailEntry = RecordEntry | CheckpointEntry;

/** The one spelling of an entry as a line (without its newline). */
export function formatEntry(entry: TrailEntry): string {
  // Key order is fixed here, not left to the object: a parsed entry re-formats to the same text.
  const head = `{"v":1,"seq":${entry.seq},"kind":"${entry.kind}","atMs":${JSON.stringify(entry.atMs)},"keyId":"${entry.keyId}","prev":"${entry.prev}"`;
  return entry.kind === "record"
    ? `${head},"iv":"${entry.iv}","data":"${entry.data}"}`
    : `${head},"mac":"${entry.mac}"}`;
}

/**
 * Parses a line into an entry, or returns a sentence saying why it is not one. Only the exact
 * spelling {@link formatEntry} writes is accepted.
 */
export function parseEntry(line: string): TrailEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "the line is not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "the line is not an object";
  const o = value as Record<string, unknown>;
  if (o["v"] !== auditFormatVersion) return `v must be ${auditFormatVersion}`;
  const { seq, kind, atMs, keyId, prev } = o;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) return "seq must be an integer >= 0";
  if (typeof atMs !== "number" || !Number.isFinite(atMs) || atMs < 0 || atMs > maxTimeMs)
    return "atMs must be a time in ms";
  if (typeof keyId !== "string" || !keyIdPattern.test(keyId)) return "keyId must be a key id";
  if (typeof prev !== "string" || !hexHash.test(prev)) return "prev must be a SHA-256 in hex";
  let entry: TrailEntry;
  if (kind === "record") {
    const { iv, data } = o;
    if (typeof iv !== "string" || iv.length !== 16 || !base64url.test(iv))
      return "iv must be 12 bytes in base64url";
    if (typeof data !== "string" || data.length < 22 || !base64url.test(data))
      return "data must be a ciphertext and tag in base64url";
    entry = { v: 1, seq, kind, atMs, keyId, prev, iv, data };
  } else if (kind === "checkpoint") {
    const { mac } = o;
    if (typeof mac !== "string" || mac.length !== 43 || !base64url.test(mac))
      return "mac must be 32 bytes in base64url";
    entry = { v: 1, seq, kind, atMs, keyId, prev, mac };
  } else {
    return 'kind must be "record" or "checkpoint"';
  }
  if (formatEntry(entry) !== line) return "the line is not in its canonical spelling";
  if (!canonicalBase64url(entry.kind === "record" ? [entry.iv, entry.data] : [entry.mac]))
    return "a base64url field is not in its canonical spelling";
  return entry;
}

/** True when every string is exactly what Node writes for the bytes it decodes to. */
function canonicalBase64url(values: readonly string[]): boolean {
  for (const value of values) {
    if (Buffer.from(value, "base64url").toString("base64url") !== value) return false;
  }
  return true;
}

/** SHA-256 of a line's UTF-8 bytes, in hex: the chain link the next entry names in `prev`. */
export function hashLine(line: string): string {
  return createHash("sha256").update(line, "utf8").digest("hex");
}

/** The `prev` of a trail's first entry: SHA-256 of `"enis-audit-trail/v1\n" + trailId`, in hex. */
export function genesisHash(trailId: string): string {
  return createHash("sha256").update(`enis-audit-trail/v1\n${trailId}`, "utf8").digest("hex");
}

/** The additional authenticated data of a record: its position, time, key id and chain link. */
export function recordAad(seq: number, atMs: number, keyId: string, prev: string): Buffer {
  return Buffer.from(
    JSON.stringify(["enis-audit-record", auditFormatVersion, seq, atMs, keyId, prev]),
    "utf8",
  );
}

/** The bytes a checkpoint's HMAC covers. */
export function checkpointMessage(seq: number, atMs: number, keyId: string, prev: string): Buffer {
  return Buffer.from(
    JSON.stringify(["enis-audit-checkpoint", auditFormatVersion, seq, atMs, keyId, prev]),
    "utf8",
  );
}
