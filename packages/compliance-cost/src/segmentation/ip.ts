import { invalidField } from "@enis/core/validate";

/*
 * IPv4 and IPv6 prefixes as BigInt: one code path for both families (an IPv6 address does not fit
 * a double). Parsing is by hand — short, it lets an error say which octet is wrong, and it keeps
 * node:net out of the package's main entry, which runs where Node's socket modules do not. The
 * tests check the IPv6 grammar against node:net's isIPv6.
 */

/** An address family: `"ipv4"` (32-bit) or `"ipv6"` (128-bit). */
export type IpFamily = "ipv4" | "ipv6";

/** A parsed CIDR block: a network address (host bits all zero) and a prefix length. */
export interface Cidr {
  readonly family: IpFamily;
  /** 32 or 128. */
  readonly bits: number;
  /** The network address as an unsigned integer. */
  readonly network: bigint;
  readonly prefixLength: number;
}

/** The number of addresses in a block of `prefixLength` within a `bits`-bit space. */
export function blockSize(bits: number, prefixLength: number): bigint {
  return 1n << BigInt(bits - prefixLength);
}

/** Number of bits needed to write `value` (0 for 0): ceil(log2(value + 1)). */
export function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

const ipv4Pattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses `text` as a CIDR block, strictly: a dotted-quad IPv4 or an RFC 4291 IPv6 address, `/`,
 * and a decimal prefix length (0–32 or 0–128). Refused, each with a message that names the fault:
 * an octet above 255 (`10.0.300.0/24`), an octet with a leading zero (`010.0.0.0/8`: inet_aton
 * reads it as octal, so its meaning depends on the reader), a zone id (`fe80::1%eth0/64`), a
 * missing or out-of-range prefix, and host bits set (`10.0.0.1/24`: the message suggests
 * `10.0.0.0/24`; a block that is not its own network address is almost always a typo).
 *
 * @throws EnisError `INVALID_OPTIONS` naming `field`.
 */
export function parseCidr(text: unknown, field: string): Cidr {
  if (typeof text !== "string") throw invalidField(field, text, 'a CIDR block such as "10.0.0.0/16"');
  const slash = text.indexOf("/");
  if (slash < 0 || slash !== text.lastIndexOf("/")) {
    throw invalidField(field, text, 'a CIDR block with one "/" and a prefix length, such as "10.0.0.0/16"');
  }
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family: IpFamily = addressText.includes(":") ? "ipv6" : "ipv4";
  const bits = family === "ipv4" ? 32 : 128;
  const address = parseAddress(addressText, family, field, text);
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
    throw invalidField(field, text, `a CIDR block whose prefix length is an integer from 0 to ${bits}`);
  }
  const prefixLength = Number(prefixText);
  const hostMask = blockSize(bits, prefixLength) - 1n;
  if ((address & hostMask) !== 0n) {
    const network = address & ~hostMask;
    throw invalidField(
      field,
      text,
      `a network address with no host bits set (did you mean "${formatAddress(network, family)}/${prefixLength}"?)`,
    );
  }
  return { family, bits, network: address, prefixLength };
}

/** Parses one address of `family`; `whole` is the caller's text, for the message. */
function parseAddress(text: string, family: IpFamily, field: string, whole: string): bigint {
  if (family === "ipv4") {
    const match = ipv4Pattern.exec(text);
    if (match === null) {
      throw invalidField(
        field,
        whole,
        'a CIDR block whose address is four dot-separated numbers, such as "10.0.0.0/16"',
      );
    }
    let value = 0n;
    for (const octet of match.slice(1)) {
      if (octet.length > 1 && octet.startsWith("0")) {
        throw invalidField(
          field,
          whole,
          `an IPv4 CIDR block without leading zeros (octet "${octet}" is ambiguous)`,
        );
      }
      const number = Number(octet);
      if (number > 255) {
        throw invalidField(field, whole, `an IPv4 CIDR block whose octets are 0 to 255 (${octet} is not)`);
      }
      value = (value << 8n) | BigInt(number);
    }
    return value;
  }
  if (text.includes("%")) throw invalidField(field, whole, "an IPv6 CIDR block without a zone id (%…)");
  const value = parseIpv6(text);
  if (value === undefined)
    throw invalidField(field, whole, "a CIDR block whose address is a valid IPv6 address");
  return value;
}

const hexGroup = /^[0-9a-fA-F]{1,4}$/;
const dottedQuad =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * An IPv6 address (RFC 4291 §2.2 text forms) as its 128-bit value, or undefined when it is not
 * one: eight groups of 1–4 hex digits, or fewer with one `::` standing for one or more zero
 * groups; the last 32 bits may be written as a dotted quad (`::ffff:192.0.2.1`).
 */
export function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const groups: number[][] = [];
  for (const [index, half] of halves.entries()) {
    const part: number[] = [];
    const pieces = half === "" ? [] : half.split(":");
    for (const [position, piece] of pieces.entries()) {
      const lastOfAddress = index === halves.length - 1 && position === pieces.length - 1;
      const quad = lastOfAddress ? dottedQuad.exec(piece) : null;
      if (quad !== null) {
        const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
        part.push((a << 8) | b, (c << 8) | d);
      } else if (hexGroup.test(piece)) {
        part.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    groups.push(part);
  }
  const head = groups[0] ?? [];
  const tail = groups[1] ?? [];
  const count = head.length + tail.length;
  if (compressed ? count > 7 : count !== 8) return undefined;
  let value = 0n;
  for (const group of [...head, ...new Array<number>(compressed ? 8 - count : 0).fill(0), ...tail]) {
    value = (value << 16n) | BigInt(group);
  }
  return value;
}

/**
 * Writes an address: dotted quad for IPv4; for IPv6 the RFC 5952 canonical text (lowercase hex,
 * no leading zeros, the longest run of two or more zero groups — the first of equal runs —
 * written `::`).
 */
export function formatAddress(value: bigint, family: IpFamily): string {
  if (family === "ipv4") {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  }
  const groups: number[] = [];
  for (let index = 7; index >= 0; index--) groups.push(Number((value >> BigInt(index * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = (part: number[]) => part.map((group) => group.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** Writes a block as `address/prefix` in canonical form. */
export function formatCidr(network: bigint, prefixLength: number, family: IpFamily): string {
  return `${formatAddress(network, family)}/${prefixLength}`;
}

/**
 * The aligned blocks that exactly cover `[start, end)` (end exclusive), in address order: the
 * fewest CIDR blocks for a range (each block as large as both its alignment and the rest allow).
 */
export function rangeToBlocks(
  start: bigint,
  end: bigint,
  bits: number,
): { network: bigint; prefixLength: number }[] {
  const blocks: { network: bigint; prefixLength: number }[] = [];
  let cursor = start;
  while (cursor < end) {
    // The largest power of two that divides cursor (its alignment), capped by the space itself.
    let size = cursor === 0n ? 1n << BigInt(bits) : cursor & -cursor;
    while (size > end - cursor) size >>= 1n;
    blocks.push({ network: cursor, prefixLength: bits - (bitLength(size) - 1) });
    cursor += size;
  }
  return blocks;
}

/** True when block `outer` holds every address of `inner` (false across families). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.prefixLength > inner.prefixLength) return false;
  const offset = inner.network - outer.network;
  return offset >= 0n && offset < blockSize(outer.bits, outer.prefixLength);
}

/** True when two blocks share an address: of CIDR blocks, one then holds the other. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}
