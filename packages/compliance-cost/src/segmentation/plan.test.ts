import { BlockList, isIPv4, isIPv6 } from "node:net";
import { EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../../test-support/enis-error.js";
import { type IpFamily, planSegmentation, type SegmentationPlan, type SegmentationZone } from "./plan.js";

const example = {
  baseCidr: "10.0.0.0/16",
  zones: [
    { name: "dmz", hosts: 50, allow: [{ from: "0.0.0.0/0", ports: [{ protocol: "tcp", port: 443 }] }] },
    { name: "app", hosts: 500, allow: [{ from: "dmz", ports: [{ protocol: "tcp", port: 8443 }] }] },
    {
      name: "pci-cde",
      prefixLength: 24,
      allow: [
        { from: "app", ports: [{ protocol: "tcp", port: 5432 }] },
        { from: "management", ports: [{ protocol: "tcp", port: 22 }] },
      ],
    },
    {
      name: "management",
      hosts: 3,
      allow: [{ from: "management", ports: [{ protocol: "udp", port: 60_000, endPort: 61_000 }] }],
    },
  ],
} as const satisfies Parameters<typeof planSegmentation>[0];

describe("planSegmentation", () => {
  it("places zones largest first, aligned, and reports each subnet's range and usable hosts (AWS: 5 reserved)", () => {
    const plan = planSegmentation(example);
    expect(plan.family).toBe("ipv4");
    expect(plan.defaultAction).toBe("deny");
    expect(plan.subnets.map((subnet) => [subnet.zone, subnet.cidr])).toEqual([
      ["dmz", "10.0.3.0/26"], // 50 + 5 → 64
      ["app", "10.0.0.0/23"], // 500 + 5 → 512
      ["pci-cde", "10.0.2.0/24"],
      ["management", "10.0.3.64/28"], // 3 + 5 → 8, raised to /28, the smallest AWS subnet
    ]);
    expect(plan.subnets[1]).toEqual({
      zone: "app",
      cidr: "10.0.0.0/23",
      family: "ipv4",
      prefixLength: 23,
      firstAddress: "10.0.0.0",
      lastAddress: "10.0.1.255",
      addressCount: "512",
      usableHostCount: "507",
      requestedHosts: 500,
    });
    expect(plan.subnets[2]?.requestedHosts).toBeNull();
    // 10.0.3.80 … 10.0.255.255 as the fewest blocks.
    expect(plan.unallocated).toEqual([
      "10.0.3.80/28",
      "10.0.3.96/27",
      "10.0.3.128/25",
      "10.0.4.0/22",
      "10.0.8.0/21",
      "10.0.16.0/20",
      "10.0.32.0/19",
      "10.0.64.0/18",
      "10.0.128.0/17",
    ]);
    expect(Object.isFrozen(plan.subnets[0])).toBe(true);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it("lists only allow rules, by destination zone, from zones or external blocks", () => {
    const plan = planSegmentation(example);
    expect(plan.rules).toEqual([
      rule(null, "0.0.0.0/0", "dmz", "10.0.3.0/26", "tcp", 443),
      rule("dmz", "10.0.3.0/26", "app", "10.0.0.0/23", "tcp", 8443),
      rule("app", "10.0.0.0/23", "pci-cde", "10.0.2.0/24", "tcp", 5432),
      rule("management", "10.0.3.64/28", "pci-cde", "10.0.2.0/24", "tcp", 22),
      rule("management", "10.0.3.64/28", "management", "10.0.3.64/28", "udp", 60_000, 61_000),
    ]);
  });

  it("refuses an external source block that overlaps the base: it would open the zone to every zone", () => {
    const zones = (from: string): SegmentationZone[] => [
      { name: "pci-cde", prefixLength: 24, allow: [{ from, ports: [{ protocol: "tcp", port: 5432 }] }] },
      { name: "app", hosts: 100 },
      { name: "dmz", hosts: 20 },
    ];
    // Covering the base, equal to it, inside it, inside one zone's subnet: all refused.
    for (const from of ["10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/23", "10.0.1.7/32"]) {
      const error = catchEnisError(() => planSegmentation({ baseCidr: "10.0.0.0/16", zones: zones(from) }));
      expect(error.code, from).toBe("INVALID_OPTIONS");
      expect(error.field).toBe("options.zones[0].allow[0].from");
      expect(error.message).toContain(JSON.stringify(from));
      expect(error.message).toContain("10.0.0.0/16");
      // It suggests the zones by name.
      expect(error.message).toContain('"pci-cde", "app", "dmz"');
    }
    // Outside the base, the other family, and the whole address space (/0) are accepted.
    for (const from of ["10.1.0.0/16", "192.0.2.0/24", "0.0.0.0/0", "::/0", "2001:db8::/32"]) {
      const plan = planSegmentation({ baseCidr: "10.0.0.0/16", zones: zones(from) });
      expect(plan.rules[0]?.fromZone, from).toBeNull();
    }
    const v6 = (from: string) =>
      planSegmentation({
        baseCidr: "2001:db8:0:100::/56",
        zones: [{ name: "web", hosts: 10, allow: [{ from, ports: [{ protocol: "tcp", port: 443 }] }] }],
      });
    expect(catchEnisError(() => v6("2001:db8::/32")).field).toBe("options.zones[0].allow[0].from");
    expect(catchEnisError(() => v6("2001:db8:0:100::/64")).code).toBe("INVALID_OPTIONS");
    expect(v6("::/0").rules).toHaveLength(1);
    expect(v6("0.0.0.0/0").rules).toHaveLength(1);
  });

  it("drops exact duplicate rules and canonicalises external blocks", () => {
    const plan = planSegmentation({
      baseCidr: "2001:db8:0:100::/56",
      zones: [
        {
          name: "web",
          hosts: 10,
          allow: [
            { from: "2001:DB8:FFFF::/48", ports: [{ protocol: "tcp", port: 443 }] },
            { from: "2001:db8:ffff:0::/48", ports: [{ protocol: "tcp", port: 443, endPort: 443 }] },
          ],
        },
      ],
    });
    expect(plan.rules).toEqual([rule(null, "2001:db8:ffff::/48", "web", "2001:db8:0:100::/64", "tcp", 443)]);
  });

  it("plans IPv6: zones sized by hosts are /64s; addresses counted exactly", () => {
    const plan = planSegmentation({
      baseCidr: "2001:db8:0:100::/56",
      zones: [
        { name: "app", hosts: 1_000_000 },
        { name: "core", prefixLength: 60 },
        { name: "mgmt", hosts: 1 },
      ],
    });
    expect(plan.family).toBe("ipv6");
    expect(plan.subnets.map((subnet) => subnet.cidr)).toEqual([
      "2001:db8:0:110::/64",
      "2001:db8:0:100::/60",
      "2001:db8:0:111::/64",
    ]);
    expect(plan.subnets[0]).toMatchObject({
      firstAddress: "2001:db8:0:110::",
      lastAddress: "2001:db8:0:110:ffff:ffff:ffff:ffff",
      addressCount: "18446744073709551616",
      usableHostCount: "18446744073709551611",
    });
    expect(plan.unallocated).toEqual([
      "2001:db8:0:112::/63",
      "2001:db8:0:114::/62",
      "2001:db8:0:118::/61",
      "2001:db8:0:120::/59",
      "2001:db8:0:140::/58",
      "2001:db8:0:180::/57",
    ]);
  });

  it("says how large the base block must be when the zones do not fit", () => {
    const error = catchEnisError(() =>
      planSegmentation({
        baseCidr: "10.0.0.0/24",
        zones: [
          { name: "app", hosts: 200 },
          { name: "db", hosts: 100 },
        ],
      }),
    );
    expect(error.code).toBe("INFEASIBLE");
    expect(error.field).toBe("options.baseCidr");
    expect(error.message).toBe(
      'options.baseCidr must be a /23 or larger block to hold the zones (app /24, db /25: 384 addresses), got "10.0.0.0/24"',
    );
    // And a /23 does hold them.
    expect(
      planSegmentation({
        baseCidr: "10.0.0.0/23",
        zones: [
          { name: "app", hosts: 200 },
          { name: "db", hosts: 100 },
        ],
      }).subnets.map((subnet) => subnet.cidr),
    ).toEqual(["10.0.0.0/24", "10.0.1.0/25"]);
    const whole = catchEnisError(() =>
      planSegmentation({
        baseCidr: "0.0.0.0/0",
        zones: [
          { name: "a", prefixLength: 1 },
          { name: "b", prefixLength: 1 },
          { name: "c", prefixLength: 1 },
        ],
        enforceAwsSubnetSizes: false,
      }),
    );
    expect(whole.code).toBe("INFEASIBLE");
    expect(whole.message).toContain("more than the whole ipv4 space");
  });

  it("refuses the seed's invalid subnets and other malformed options with the field and value", () => {
    const cases: Array<[unknown, string, string, string?]> = [
      [{ ...example, baseCidr: "10.0.300.0/24" }, "options.baseCidr", '"10.0.300.0/24"'],
      [{ ...example, baseCidr: "10.0.400.0/24" }, "options.baseCidr", '"10.0.400.0/24"'],
      [{ ...example, baseCidr: "10.0.0.1/16" }, "options.baseCidr", 'did you mean "10.0.0.0/16"'],
      [{ ...example, baseCidr: "10.0.0.0/33" }, "options.baseCidr", "from 0 to 32"],
      [{ ...example, baseCidr: "2001:db8::/129" }, "options.baseCidr", "from 0 to 128"],
      [{ ...example, zones: [] }, "options.zones", "a non-empty list"],
      [
        { baseCidr: "10.0.0.0/16", zones: [{ name: "App", hosts: 1 }] },
        "options.zones[0].name",
        "a DNS label",
      ],
      [
        { baseCidr: "10.0.0.0/16", zones: [{ name: "app" }] },
        "options.zones[0]",
        "exactly one of hosts and prefixLength",
      ],
      [
        { baseCidr: "10.0.0.0/16", zones: [{ name: "app", hosts: 2, prefixLength: 24 }] },
        "options.zones[0]",
        "exactly one of hosts and prefixLength",
      ],
      [
        { baseCidr: "10.0.0.0/16", zones: [{ name: "app", hosts: 0 }] },
        "options.zones[0].hosts",
        "at least 1",
      ],
      [
        { baseCidr: "10.0.0.0/16", zones: [{ name: "app", hosts: 1.5 }] },
        "options.zones[0].hosts",
        "an integer",
      ],
      [
        { baseCidr: "10.0.0.0/8", zones: [{ name: "app", hosts: 70_000 }] },
        "options.zones[0].hosts",
        "at most 65531",
      ],
      [
        { baseCidr: "10.0.0.0/16", zones: [{ name: "app", prefixLength: 30 }] },
        "options.zones[0].prefixLength",
        "/16 to /28",
      ],
      [
        { baseCidr: "10.0.0.0/16", zones: [{ name: "app", prefixLength: 33 }], enforceAwsSubnetSizes: false },
        "options.zones[0].prefixLength",
        "at most 32",
      ],
      [
        { baseCidr: "2001:db8::/56", zones: [{ name: "app", prefixLength: 62 }] },
        "options.zones[0].prefixLength",
        "steps of 4",
      ],
      [
        { baseCidr: "10.0.0.0/16", zones: [{ name: "app", hosts: 2, alow: [] }] },
        "options.zones[0].alow",
        'did you mean "allow"',
      ],
      [
        {
          baseCidr: "10.0.0.0/16",
          zones: [{ name: "app", hosts: 2, allow: [{ from: "ap", ports: [{ protocol: "tcp", port: 1 }] }] }],
        },
        "options.zones[0].allow[0].from",
        'did you mean "app"',
      ],
      [
        {
          baseCidr: "10.0.0.0/16",
          zones: [
            {
              name: "app",
              hosts: 2,
              allow: [{ from: "10.0.300.0/24", ports: [{ protocol: "tcp", port: 1 }] }],
            },
          ],
        },
        "options.zones[0].allow[0].from",
        "300 is not",
      ],
      [
        { baseCidr: "10.0.0.0/16", zones: [{ name: "app", hosts: 2, allow: [{ from: "app", ports: [] }] }] },
        "options.zones[0].allow[0].ports",
        "a non-empty list",
      ],
      [
        {
          baseCidr: "10.0.0.0/16",
          zones: [
            { name: "app", hosts: 2, allow: [{ from: "app", ports: [{ protocol: "icmp", port: 1 }] }] },
          ],
        },
        "options.zones[0].allow[0].ports[0].protocol",
        '"tcp", "udp"',
      ],
      [
        {
          baseCidr: "10.0.0.0/16",
          zones: [
            { name: "app", hosts: 2, allow: [{ from: "app", ports: [{ protocol: "tcp", port: 65_536 }] }] },
          ],
        },
        "options.zones[0].allow[0].ports[0].port",
        "at most 65535",
      ],
      [
        {
          baseCidr: "10.0.0.0/16",
          zones: [
            {
              name: "app",
              hosts: 2,
              allow: [{ from: "app", ports: [{ protocol: "tcp", port: 80, endPort: 79 }] }],
            },
          ],
        },
        "options.zones[0].allow[0].ports[0].endPort",
        "at least port (80), got 79",
      ],
      [{ ...example, reservedAddressesPerSubnet: -1 }, "options.reservedAddressesPerSubnet", "at least 0"],
    ];
    for (const [options, field, text] of cases) {
      const error = catchEnisError(() => planSegmentation(options as never));
      expect(error.code, field).toBe("INVALID_OPTIONS");
      expect(error.field).toBe(field);
      expect(error.message).toContain(text);
    }
  });

  it("refuses two zones of one name as DUPLICATE_ID", () => {
    const error = catchEnisError(() =>
      planSegmentation({
        baseCidr: "10.0.0.0/16",
        zones: [
          { name: "app", hosts: 2 },
          { name: "app", hosts: 3 },
        ],
      }),
    );
    expect(error.code).toBe("DUPLICATE_ID");
    expect(error.field).toBe("options.zones[1].name");
  });

  it("takes a reserved count: 2 for a plain LAN, 0 for none", () => {
    const lan = planSegmentation({
      baseCidr: "192.168.0.0/24",
      zones: [{ name: "lan", hosts: 62 }],
      reservedAddressesPerSubnet: 2,
      enforceAwsSubnetSizes: false,
    });
    expect(lan.subnets[0]).toMatchObject({ cidr: "192.168.0.0/26", usableHostCount: "62" });
    const tiny = planSegmentation({
      baseCidr: "192.168.0.0/24",
      zones: [{ name: "p2p", prefixLength: 31 }],
      enforceAwsSubnetSizes: false,
    });
    expect(tiny.subnets[0]?.usableHostCount).toBe("0");
  });

  it("blames a reserved count that leaves no address in the largest subnet, not the zone's hosts", () => {
    for (const [aws, reserved] of [
      [true, 65_536],
      [true, 1_000_000],
      [false, 2 ** 32],
    ] as const) {
      const error = catchEnisError(() =>
        planSegmentation({
          baseCidr: "10.0.0.0/8",
          zones: [{ name: "a", hosts: 1 }],
          reservedAddressesPerSubnet: reserved,
          enforceAwsSubnetSizes: aws,
        }),
      );
      expect(error.code).toBe("INVALID_OPTIONS");
      expect(error.field).toBe("options.reservedAddressesPerSubnet");
      expect(error.message).not.toMatch(/at most -/);
    }
  });
});

describe("planSegmentation properties", () => {
  const zonesArbitrary = (family: IpFamily) =>
    fc.array(
      fc.oneof(
        fc.record({ hosts: fc.integer({ min: 1, max: family === "ipv4" ? 5_000 : 2 ** 40 }) }),
        fc.record({
          prefixLength:
            family === "ipv4" ? fc.integer({ min: 12, max: 32 }) : fc.integer({ min: 40, max: 128 }),
        }),
      ),
      { minLength: 1, maxLength: 12 },
    );
  const baseArbitrary = (family: IpFamily) =>
    family === "ipv4"
      ? fc.tuple(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 8, max: 30 }))
      : fc.tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 32, max: 120 }));

  for (const family of ["ipv4", "ipv6"] as const) {
    it(`${family}: every subnet is valid, inside the base, pairwise disjoint; with the unallocated blocks they tile the base; too small a base names the size that fits`, () => {
      const bits = family === "ipv4" ? 32 : 128;
      fc.assert(
        fc.property(baseArbitrary(family), zonesArbitrary(family), ([address, prefix], sizes) => {
          const network = address & ~((1n << BigInt(bits - prefix)) - 1n);
          const baseCidr = `${format(network, family)}/${prefix}`;
          const zones: SegmentationZone[] = sizes.map((size, index) => ({ name: `z${index}`, ...size }));
          let plan: SegmentationPlan;
          try {
            plan = planSegmentation({ baseCidr, zones, enforceAwsSubnetSizes: false });
          } catch (error) {
            if (!EnisError.isInstance(error) || error.code !== "INFEASIBLE") throw error;
            const needed = /must be a \/(\d+) or larger/.exec(error.message);
            expect(needed, error.message).not.toBeNull();
            const neededPrefix = Number(needed![1]);
            expect(neededPrefix).toBeLessThan(prefix);
            // The named size fits the zones, and the next smaller one does not.
            const wider = (p: number) => `${format(network & ~((1n << BigInt(bits - p)) - 1n), family)}/${p}`;
            expect(
              planSegmentation({ baseCidr: wider(neededPrefix), zones, enforceAwsSubnetSizes: false })
                .subnets,
            ).toHaveLength(zones.length);
            if (neededPrefix + 1 < prefix) {
              expect(
                catchEnisError(() =>
                  planSegmentation({
                    baseCidr: wider(neededPrefix + 1),
                    zones,
                    enforceAwsSubnetSizes: false,
                  }),
                ).code,
              ).toBe("INFEASIBLE");
            }
            return;
          }
          checkTiling(plan, baseCidr, family);
        }),
        { seed: family === "ipv4" ? 41 : 61, numRuns: 300 },
      );
    });
  }
});

/** Checks a plan against node:net's BlockList and exact interval arithmetic, not against its own parser. */
function checkTiling(plan: SegmentationPlan, baseCidr: string, family: IpFamily) {
  const netFamily = family === "ipv4" ? "ipv4" : "ipv6";
  const valid = family === "ipv4" ? isIPv4 : isIPv6;
  const [baseAddress, basePrefix] = baseCidr.split("/") as [string, string];
  const base = new BlockList();
  base.addSubnet(baseAddress, Number(basePrefix), netFamily);
  const bits = family === "ipv4" ? 32 : 128;
  const blocks = [...plan.subnets.map((subnet) => subnet.cidr), ...plan.unallocated].map((cidr) => {
    const [address, prefixText] = cidr.split("/") as [string, string];
    const prefix = Number(prefixText);
    expect(valid(address)).toBe(true);
    expect(base.check(address, netFamily)).toBe(true);
    const start = toBigInt(address, family);
    const size = 1n << BigInt(bits - prefix);
    expect(start % size, `${cidr} is aligned`).toBe(0n);
    return { cidr, start, end: start + size };
  });
  for (const subnet of plan.subnets) {
    expect(base.check(subnet.lastAddress, netFamily)).toBe(true);
    expect(toBigInt(subnet.lastAddress, family) - toBigInt(subnet.firstAddress, family) + 1n).toBe(
      BigInt(subnet.addressCount),
    );
    const alone = new BlockList();
    alone.addSubnet(subnet.firstAddress, subnet.prefixLength, netFamily);
    for (const other of plan.subnets) {
      if (other === subnet) continue;
      // Aligned blocks either nest or are disjoint: neither end of another block lies in this one.
      expect(alone.check(other.firstAddress, netFamily), `${other.cidr} overlaps ${subnet.cidr}`).toBe(false);
      expect(alone.check(other.lastAddress, netFamily)).toBe(false);
    }
  }
  blocks.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const baseStart = toBigInt(baseAddress, family);
  let cursor = baseStart;
  for (const block of blocks) {
    expect(block.start, `${block.cidr} follows the previous block`).toBe(cursor);
    cursor = block.end;
  }
  expect(cursor).toBe(baseStart + (1n << BigInt(bits - Number(basePrefix))));
}

/** An address's value, via URL's IPv6 host parser (not ip.ts) for IPv6. */
function toBigInt(address: string, family: IpFamily): bigint {
  if (family === "ipv4")
    return address.split(".").reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
  const host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  // WHATWG serialises canonically but compressed; expand "::" by hand.
  const [head, tail = ""] = host.includes("::") ? host.split("::") : [host, undefined];
  const headGroups = head === "" ? [] : head!.split(":");
  const tailGroups = host.includes("::") ? (tail === "" ? [] : tail.split(":")) : [];
  const groups = host.includes("::")
    ? [...headGroups, ...new Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups]
    : headGroups;
  return groups.reduce((value, group) => (value << 16n) | BigInt(`0x${group}`), 0n);
}

/** Writes an address for the generators: full, uncompressed IPv6 (the parser must accept it). */
function format(value: bigint, family: IpFamily): string {
  if (family === "ipv4") return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  const groups: string[] = [];
  for (let index = 7; index >= 0; index--)
    groups.push(((value >> BigInt(index * 16)) & 0xffffn).toString(16));
  return groups.join(":");
}

function rule(
  fromZone: string | null,
  fromCidr: string,
  toZone: string,
  toCidr: string,
  protocol: "tcp" | "udp",
  fromPort: number,
  toPort = fromPort,
) {
  return { action: "allow", fromZone, fromCidr, toZone, toCidr, protocol, fromPort, toPort };
}
