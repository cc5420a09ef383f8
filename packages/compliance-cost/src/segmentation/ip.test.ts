import { isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../../test-support/enis-error.js";
import { blockSize, formatAddress, formatCidr, parseCidr, parseIpv6, rangeToBlocks } from "./ip.js";

describe("parseCidr", () => {
  it("parses IPv4 and IPv6 blocks, canonical on the way out", () => {
    expect(parseCidr("10.0.0.0/16", "f")).toEqual({
      family: "ipv4",
      bits: 32,
      network: 0x0a000000n,
      prefixLength: 16,
    });
    expect(parseCidr("0.0.0.0/0", "f").network).toBe(0n);
    const v6 = parseCidr("2001:DB8:0:0100::/56", "f");
    expect(v6).toMatchObject({ family: "ipv6", bits: 128, prefixLength: 56 });
    expect(formatCidr(v6.network, v6.prefixLength, v6.family)).toBe("2001:db8:0:100::/56");
    expect(parseCidr("::/0", "f").network).toBe(0n);
    expect(parseCidr("::ffff:192.0.2.0/120", "f").network).toBe((0xffffn << 32n) | 0xc0000200n);
    expect(parseCidr("1:2:3:4:5:6:7:8/128", "f").network).toBe(0x00010002000300040005000600070008n);
  });

  it("refuses the seed's 10.0.300.0/24 and 10.0.400.0/24, naming the octet", () => {
    for (const text of ["10.0.300.0/24", "10.0.400.0/24"]) {
      const error = catchEnisError(() => parseCidr(text, "options.baseCidr"));
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.field).toBe("options.baseCidr");
      expect(error.message).toContain(text);
      expect(error.message).toMatch(/octets are 0 to 255 \((300|400) is not\)/);
    }
  });

  it("refuses host bits set, suggesting the network address", () => {
    expect(catchEnisError(() => parseCidr("10.0.0.1/24", "f")).message).toBe(
      'f must be a network address with no host bits set (did you mean "10.0.0.0/24"?), got "10.0.0.1/24"',
    );
    expect(catchEnisError(() => parseCidr("2001:db8::1/64", "f")).message).toContain(
      'did you mean "2001:db8::/64"',
    );
  });

  it("refuses prefixes beyond the family and other malformed text", () => {
    for (const bad of [
      "10.0.0.0/33",
      "2001:db8::/129",
      "10.0.0.0",
      "10.0.0.0/",
      "10.0.0.0/-1",
      "10.0.0.0/08",
      "10.0.0.0/1.5",
      "10.0.0/8",
      "010.0.0.0/8",
      "10.0.0.0/8/8",
      "fe80::%eth0/64",
      "2001:db8:::/48",
      "2001:db8::g/64",
      " 10.0.0.0/8",
      "",
    ]) {
      const error = catchEnisError(() => parseCidr(bad, "f"));
      expect(error.code, bad).toBe("INVALID_OPTIONS");
      expect(error.field).toBe("f");
    }
    expect(catchEnisError(() => parseCidr(42, "f")).message).toContain("got 42");
  });
});

describe("parseIpv6", () => {
  it("accepts exactly what node:net's isIPv6 accepts", () => {
    const group = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((value) => value.toString(16)),
      fc.integer({ min: 0, max: 0xffff }).map((value) => value.toString(16).toUpperCase().padStart(4, "0")),
      fc.constantFrom("", "0", "00000", "g", "1.2.3.4", "256.1.1.1", "01.2.3.4", "1.2.3"),
    );
    // Near-valid text: random groups joined by ":" with "::" spliced in at random places.
    const nearValid = fc
      .tuple(fc.array(group, { minLength: 0, maxLength: 9 }), fc.array(fc.nat(9), { maxLength: 2 }))
      .map(([groups, cuts]) => {
        const parts = [...groups];
        for (const cut of cuts) parts.splice(Math.min(cut, parts.length), 0, "");
        return parts.join(":");
      });
    const noise = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFg:."), maxLength: 45 });
    let valid = 0;
    fc.assert(
      fc.property(fc.oneof(nearValid, noise), (text) => {
        const ours = parseIpv6(text) !== undefined;
        expect(ours, text).toBe(isIPv6(text));
        if (ours) valid++;
      }),
      { seed: 13, numRuns: 5_000 },
    );
    // Enough valid addresses that the agreement is not only on refusals.
    expect(valid).toBeGreaterThan(100);
  });
});

describe("formatAddress", () => {
  it("writes RFC 5952 text: the longest zero run compressed, the first of equal runs, never one group", () => {
    const v6 = (text: string) => formatAddress(parseCidr(`${text}/128`, "f").network, "ipv6");
    expect(v6("2001:0db8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1");
    expect(v6("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(v6("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(v6("2001:0:0:1:0:0:0:1")).toBe("2001:0:0:1::1");
    expect(v6("0:0:0:0:0:0:0:0")).toBe("::");
    expect(v6("1:0:0:0:0:0:0:0")).toBe("1::");
  });

  it("round-trips every IPv6 address through node:net's parser", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        const text = formatAddress(value, "ipv6");
        expect(isIPv6(text)).toBe(true);
        expect(parseCidr(`${text}/128`, "f").network).toBe(value);
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});

describe("rangeToBlocks", () => {
  it("covers a range exactly with aligned blocks", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 32n }), fc.bigInt({ min: 0n, max: 1n << 32n }), (a, b) => {
        const [start, end] = a <= b ? [a, b] : [b, a];
        let cursor = start;
        for (const block of rangeToBlocks(start, end, 32)) {
          expect(block.network).toBe(cursor);
          const size = blockSize(32, block.prefixLength);
          expect(block.network % size).toBe(0n);
          cursor += size;
        }
        expect(cursor).toBe(end);
      }),
      { seed: 12, numRuns: 300 },
    );
    expect(rangeToBlocks(0n, 1n << 32n, 32)).toEqual([{ network: 0n, prefixLength: 0 }]);
  });
});
