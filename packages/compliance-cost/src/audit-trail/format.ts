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
 * spelling {@link formatEntry} writes is accepted: the line is read field by field at the places
 * that spelling puts them (no JSON.parse: a strict reader is the canonical-form check, and it is
 * what makes verification cost about what hashing the line costs).
 */
export function parseEntry(line: string): TrailEntry | string {
  const head = '{"v":1,"seq":';
  if (!line.startsWith(head)) return 'the line does not start as an entry ({"v":1,"seq":...)';
  let at = head.length;
  const field = (after: string): string | undefined => {
    const end = line.indexOf(after, at);
    if (end < 0) return undefined;
    const value = line.slice(at, end);
    at = end + after.length;
    return value;
  };
  const seqText = field(',"kind":"');
  if (seqText === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(seqText)) return "seq must be an integer >= 0";
  const seq = Number(seqText);
  if (!Number.isSafeInteger(seq)) return "seq must be an integer >= 0";
  const kind = field('","atMs":');
  if (kind !== "record" && kind !== "checkpoint") return 'kind must be "record" or "checkpoint"';
  const atMsText = field(',"keyId":"');
  const atMs = atMsText === undefined || atMsText === "" ? Number.NaN : Number(atMsText);
  if (!(atMs >= 0 && atMs <= maxTimeMs) || JSON.stringify(atMs) !== atMsText)
    return "atMs must be a time in ms";
  const keyId = field('","prev":"');
  if (keyId === undefined || !keyIdPattern.test(keyId)) return "keyId must be a key id";
  const prev = line.slice(at, at + 64);
  at += 64;
  if (!hexHash.test(prev)) return "prev must be a SHA-256 in lower-case hex";
  if (!line.endsWith('"}')) return "the line does not end as an entry";
  if (kind === "record") {
    if (!line.startsWith('","iv":"', at)) return "a record must have iv after prev";
    at += 8;
    const iv = field('","data":"');
    if (iv === undefined || iv.length !== 16 || !base64url.test(iv))
      return "iv must be 12 bytes in base64url";
    const data = line.slice(at, line.length - 2);
    if (data.length < 22 || !base64url.test(data) || !canonicalBase64url(data))
      return "data must be a ciphertext and tag in canonical base64url";
    return { v: 1, seq, kind, atMs, keyId, prev, iv, data };
  }
  if (!line.startsWith('","mac":"', at)) return "a checkpoint must have mac after prev";
  at += 9;
  const mac = line.slice(at, line.length - 2);
  if (mac.length !== 43 || !base64url.test(mac) || !canonicalBase64url(mac))
    return "mac must be 32 bytes in canonical base64url";
  return { v: 1, seq, kind, atMs, keyId, prev, mac };
}

const base64urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * True when a string (already known to hold only base64url characters) is exactly what Node
 * writes for the bytes it decodes to: unpadded, a length that is not 1 more than a multiple of 4,
 * and the unused low bits of the last character zero (else two spellings decode to the same bytes).
 */
function canonicalBase64url(value: string): boolean {
  const rest = value.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = base64urlAlphabet.indexOf(value[value.length - 1]!);
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
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
  // JSON.stringify(["enis-audit-record", 1, seq, atMs, keyId, prev]), written out: key ids and
  // hashes hold no character JSON escapes (their spellings are checked before they get here).
  return Buffer.from(`["enis-audit-record",1,${seq},${JSON.stringify(atMs)},"${keyId}","${prev}"]`, "latin1");
}

/**
 * The bytes a checkpoint's HMAC covers: the trail's genesis hash (so a checkpoint names its trail:
 * relabelled for another trail under the same keys, it no longer verifies), then its position,
 * time, key id and the chain head it covers.
 */
export function checkpointMessage(
  genesis: string,
  seq: number,
  atMs: number,
  keyId: string,
  prev: string,
): Buffer {
  return Buffer.from(
    JSON.stringify(["enis-audit-checkpoint", auditFormatVersion, genesis, seq, atMs, keyId, prev]),
    "utf8",
  );
}
