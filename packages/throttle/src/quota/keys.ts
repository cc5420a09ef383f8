import type { QuotaLevel } from "./types.js";

/*
 * Store keys of the quota manager. Keys start with the organisation, so the organisation is the
 * key's partition and a Redis Cluster keeps a whole organisation's hierarchy in one slot:
 * `acme:quota:org`, `acme:quota:team:data`, `acme:quota:team:data:user:alice`, then a dimension
 * (`acme:quota:team:data:user:alice:requestsPerMinute`).
 */

/**
 * A path part or dimension name in a store key: encodeURIComponent, so ":" cannot split a key
 * differently and "{" or "}" cannot open a partition; the common ids it leaves unchanged skip it.
 */
export function encodeKeyPart(part: string): string {
  return /^[A-Za-z0-9_.!~*'()-]*$/.test(part) ? part : encodeURIComponent(part);
}

/**
 * The store subject of `id` at `level`, under its parent's subject (`parent` is undefined for an
 * organisation), in the namespace `prefix` (one segment ending in ":").
 */
export function subjectUnder(
  prefix: string,
  parent: string | undefined,
  level: QuotaLevel,
  id: string,
): string {
  if (level === "org") return `${encodeKeyPart(id)}:${prefix}org`;
  if (level === "team") return `${parent!.slice(0, -"org".length)}team:${encodeKeyPart(id)}`;
  return `${parent!}:user:${encodeKeyPart(id)}`;
}

/**
 * The store key of `dimension` at `subject`. Encoded like the ids: a dimension named "user:bob:x"
 * at a team must not be user bob's "x".
 */
export function dimensionKey(subject: string, dimension: string): string {
  return `${subject}:${encodeKeyPart(dimension)}`;
}
