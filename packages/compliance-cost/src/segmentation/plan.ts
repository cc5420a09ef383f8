import { EnisError } from "@enis/core";
import { editDistance, invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import {
  bitLength,
  blockSize,
  type Cidr,
  cidrsOverlap,
  formatAddress,
  formatCidr,
  type IpFamily,
  parseCidr,
  rangeToBlocks,
} from "./ip.js";

export type { IpFamily } from "./ip.js";

/** A transport protocol a rule may allow. */
export type SegmentationProtocol = "tcp" | "udp";

/** One port, or a range of ports, that an allow rule opens. */
export interface SegmentationPort {
  /** `"tcp"` or `"udp"`. */
  readonly protocol: SegmentationProtocol;
  /** The port, 1–65535 (the first of a range when `endPort` is set). */
  readonly port: number;
  /** The last port of an inclusive range, `port`–65535. Absent: the single `port`. */
  readonly endPort?: number;
}

/** Traffic a zone accepts: from one source, on some ports. Everything not allowed is denied. */
export interface SegmentationAllow {
  /**
   * The source: another zone's name (or the zone's own name, for traffic inside the zone, which is
   * denied too unless allowed), or a CIDR block outside the plan (`"0.0.0.0/0"` for a DMZ that
   * faces the internet; either family).
   */
  readonly from: string;
  /** The ports opened from that source, at least one. */
  readonly ports: readonly SegmentationPort[];
}

/**
 * A network zone (a PCI DSS cardholder-data environment, an application tier, a DMZ, a management
 * network): one subnet, sized by exactly one of `hosts` or `prefixLength`.
 */
export interface SegmentationZone {
  /**
   * A DNS label (RFC 1123: lowercase letters, digits and `-`, at most 63 characters, starting and
   * ending with a letter or digit): it names the Kubernetes namespace and the security group.
   */
  readonly name: string;
  /**
   * Usable addresses the zone needs, an integer >= 1. The subnet is the smallest block holding
   * `hosts` plus the plan's `reservedAddressesPerSubnet`; an IPv6 zone sized by hosts is always a
   * /64 (RFC 4291's 64-bit interface identifiers, which SLAAC needs).
   */
  readonly hosts?: number;
  /** The subnet's prefix length, at least the base block's (e.g. 24 for a /24). */
  readonly prefixLength?: number;
  /** Traffic the zone accepts. Absent or empty: the zone accepts nothing. */
  readonly allow?: readonly SegmentationAllow[];
}

/** Options of {@link planSegmentation}. */
export interface SegmentationOptions {
  /** The block to divide, IPv4 or IPv6, with no host bits set: `"10.0.0.0/16"`, `"2001:db8:0:100::/56"`. */
  readonly baseCidr: string;
  /** The zones, at least one, names unique. */
  readonly zones: readonly SegmentationZone[];
  /**
   * Addresses of each subnet that hosts cannot use, subtracted from every `usableHostCount` and
   * added to every `hosts` request. AWS reserves the first four and the last address of every
   * subnet, IPv4 and IPv6 (Amazon VPC User Guide, "Subnet CIDR blocks"); a plain IPv4 LAN loses 2
   * (network and broadcast addresses).
   * @default 5
   */
  readonly reservedAddressesPerSubnet?: number;
  /**
   * Keep every subnet within the sizes AWS accepts (Amazon VPC User Guide, "Subnet CIDR blocks"):
   * IPv4 /16 to /28, IPv6 /44 to /64 in steps of 4. A zone sized by `hosts` is rounded up into
   * that range (a zone of 3 hosts gets a /28, the smallest AWS subnet); an explicit `prefixLength`
   * outside it is refused. The base block is not checked: an AWS VPC's IPv4 block must itself be
   * /16 to /28 (Amazon VPC User Guide, "VPC CIDR blocks"), and an Amazon-provided IPv6 block is a /56.
   * @default true
   */
  readonly enforceAwsSubnetSizes?: boolean;
}

/** One zone's subnet. Address counts are decimal strings: exact for IPv6, JSON-safe. */
export interface PlannedSubnet {
  /** The zone's name. */
  readonly zone: string;
  /** The subnet, canonical (`"10.0.4.0/22"`, `"2001:db8:0:101::/64"`). */
  readonly cidr: string;
  readonly family: IpFamily;
  readonly prefixLength: number;
  /** The block's first address (its network address). */
  readonly firstAddress: string;
  /** The block's last address. */
  readonly lastAddress: string;
  /** Addresses in the block, 2^(bits − prefixLength), as a decimal string. */
  readonly addressCount: string;
  /** `addressCount` less the reserved addresses (never below 0), as a decimal string. */
  readonly usableHostCount: string;
  /** The zone's `hosts` request, or null when it gave a `prefixLength`. */
  readonly requestedHosts: number | null;
}

/**
 * One allow rule, a port or port range from a source to a zone. A plan holds only allow rules: its
 * `defaultAction` denies everything else, between zones and inside each zone.
 */
export interface SegmentationRule {
  readonly action: "allow";
  /** The source zone, or null for a source CIDR outside the plan. */
  readonly fromZone: string | null;
  /** The source's block: the source zone's subnet, or the external CIDR (canonical). */
  readonly fromCidr: string;
  /** The destination zone. */
  readonly toZone: string;
  /** The destination zone's subnet. */
  readonly toCidr: string;
  readonly protocol: SegmentationProtocol;
  /** The first port of the range. */
  readonly fromPort: number;
  /** The last port of the range (equal to `fromPort` for one port). */
  readonly toPort: number;
}

/** The result of {@link planSegmentation}: plain data, JSON-serialisable, frozen. */
export interface SegmentationPlan {
  /** The base block's family; every subnet has it. */
  readonly family: IpFamily;
  /** The base block, canonical. */
  readonly baseCidr: string;
  readonly reservedAddressesPerSubnet: number;
  /** One subnet per zone, in the order of `options.zones`. */
  readonly subnets: readonly PlannedSubnet[];
  /** The rest of the base block, as the fewest CIDR blocks, in address order (room to grow). */
  readonly unallocated: readonly string[];
  /** Whatever no rule allows is denied. */
  readonly defaultAction: "deny";
  /** The allow rules, by destination zone (in zone order), then as given; exact duplicates dropped. */
  readonly rules: readonly SegmentationRule[];
}

/** RFC 1123 label: what a Kubernetes namespace name must be. */
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const portSchema = z
  .object({
    protocol: z.enum(["tcp", "udp"]),
    port: z.number().int().min(1).max(65_535),
    endPort: z.number().int().min(1).max(65_535).optional(),
  })
  .strict();

const optionsSchema = z
  .object({
    baseCidr: z.string(),
    zones: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(
                dnsLabel,
                "a DNS label (lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)",
              ),
            hosts: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
            prefixLength: z.number().int().min(0).max(128).optional(),
            allow: z
              .array(z.object({ from: z.string().min(1), ports: z.array(portSchema).min(1) }).strict())
              .default([]),
          })
          .strict(),
      )
      .min(1)
      .max(65_536),
    reservedAddressesPerSubnet: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32)
      .default(5),
    enforceAwsSubnetSizes: z.boolean().default(true),
  })
  .strict();

/** AWS subnet size limits (Amazon VPC User Guide, "Subnet CIDR blocks"). */
const awsLimits = {
  ipv4: { largest: 16, smallest: 28, step: 1 },
  ipv6: { largest: 44, smallest: 64, step: 4 },
} as const;

/**
 * Divides a base block into one subnet per zone and states the traffic between them, denying
 * everything not allowed.
 *
 * Allocation: zones are placed largest first (ties in the given order), each right after the
 * previous one. Every size is a power of two placed in decreasing order, so every offset is a sum
 * of larger powers of two and every subnet is aligned to its own size (buddy allocation): the
 * subnets are valid, pairwise disjoint, and fit whenever their sizes add up to no more than the
 * base block — no placement can fit more. The rest of the block is returned as `unallocated`.
 *
 * Emit the plan with `toNetworkPolicies` (Kubernetes NetworkPolicy objects) and
 * `toAwsSecurityGroups` (EC2 security-group calls).
 *
 * @throws EnisError `INVALID_OPTIONS` for a malformed option: a CIDR that is not one (`10.0.300.0/24`,
 *   host bits set, prefix above 32/128), a zone with both or neither of `hosts` and `prefixLength`,
 *   a subnet size AWS refuses (with `enforceAwsSubnetSizes`), an `allow.from` that names no zone,
 *   an `allow.from` block that overlaps the base block other than `/0` (the message lists the zones);
 *   `DUPLICATE_ID` for two zones of one name; `INFEASIBLE` when the base block is too small, with
 *   the prefix length it must have at most.
 *
 * @example
 * ```ts
 * const plan = planSegmentation({
 *   baseCidr: "10.0.0.0/16",
 *   zones: [
 *     { name: "dmz", hosts: 50, allow: [{ from: "0.0.0.0/0", ports: [{ protocol: "tcp", port: 443 }] }] },
 *     { name: "app", hosts: 500, allow: [{ from: "dmz", ports: [{ protocol: "tcp", port: 8443 }] }] },
 *     { name: "pci-cde", prefixLength: 24, allow: [{ from: "app", ports: [{ protocol: "tcp", port: 5432 }] }] },
 *   ],
 * });
 * plan.subnets.map((subnet) => subnet.cidr); // ["10.0.3.0/26", "10.0.0.0/23", "10.0.2.0/24"]
 * ```
 */
export function planSegmentation(options: SegmentationOptions): SegmentationPlan {
  const parsed = parseOptions(optionsSchema, options, "options");
  const base = parseCidr(parsed.baseCidr, "options.baseCidr");
  const { family, bits } = base;
  const reserved = parsed.reservedAddressesPerSubnet;

  const indexByName = new Map<string, number>();
  parsed.zones.forEach((zone, index) => {
    const earlier = indexByName.get(zone.name);
    if (earlier !== undefined) {
      throw new EnisError(
        "DUPLICATE_ID",
        `options.zones[${index}].name must be unique, got ${JSON.stringify(zone.name)} (also options.zones[${earlier}].name)`,
        { field: `options.zones[${index}].name` },
      );
    }
    indexByName.set(zone.name, index);
  });

  const prefixes = parsed.zones.map((zone, index) =>
    zonePrefixLength(zone, index, base, reserved, parsed.enforceAwsSubnetSizes),
  );

  // Largest first (shortest prefix), stable: sequential placement keeps every block aligned.
  const order = prefixes.map((_, index) => index).sort((a, b) => prefixes[a]! - prefixes[b]! || a - b);
  const networks = new Array<bigint>(prefixes.length);
  let offset = 0n;
  for (const index of order) {
    networks[index] = base.network + offset;
    offset += blockSize(bits, prefixes[index]!);
  }
  const baseSize = blockSize(bits, base.prefixLength);
  if (offset > baseSize) throw tooSmall(parsed.baseCidr, base, offset, parsed.zones, prefixes);

  const subnets: PlannedSubnet[] = parsed.zones.map((zone, index) => {
    const prefixLength = prefixes[index]!;
    const network = networks[index]!;
    const size = blockSize(bits, prefixLength);
    return {
      zone: zone.name,
      cidr: formatCidr(network, prefixLength, family),
      family,
      prefixLength,
      firstAddress: formatAddress(network, family),
      lastAddress: formatAddress(network + size - 1n, family),
      addressCount: size.toString(),
      usableHostCount: (size > BigInt(reserved) ? size - BigInt(reserved) : 0n).toString(),
      requestedHosts: zone.hosts ?? null,
    };
  });

  const unallocated = rangeToBlocks(base.network + offset, base.network + baseSize, bits).map((block) =>
    formatCidr(block.network, block.prefixLength, family),
  );

  const rules: SegmentationRule[] = [];
  const seen = new Set<string>();
  parsed.zones.forEach((zone, zoneIndex) => {
    zone.allow.forEach((allow, allowIndex) => {
      const field = `options.zones[${zoneIndex}].allow[${allowIndex}]`;
      const source = resolveSource(allow.from, `${field}.from`, indexByName, subnets, base);
      allow.ports.forEach((port, portIndex) => {
        const endPort = port.endPort ?? port.port;
        if (endPort < port.port) {
          throw invalidField(`${field}.ports[${portIndex}].endPort`, endPort, `at least port (${port.port})`);
        }
        const rule: SegmentationRule = {
          action: "allow",
          fromZone: source.zone,
          fromCidr: source.cidr,
          toZone: zone.name,
          toCidr: subnets[zoneIndex]!.cidr,
          protocol: port.protocol,
          fromPort: port.port,
          toPort: endPort,
        };
        const key = JSON.stringify(rule);
        if (seen.has(key)) return;
        seen.add(key);
        rules.push(rule);
      });
    });
  });

  return deepFreeze({
    family,
    baseCidr: formatCidr(base.network, base.prefixLength, family),
    reservedAddressesPerSubnet: reserved,
    subnets,
    unallocated,
    defaultAction: "deny" as const,
    rules,
  });
}

type ParsedZone = z.output<typeof optionsSchema>["zones"][number];

/** The prefix length of one zone's subnet, from its `prefixLength` or its `hosts`. */
function zonePrefixLength(
  zone: ParsedZone,
  index: number,
  base: Cidr,
  reserved: number,
  aws: boolean,
): number {
  const field = `options.zones[${index}]`;
  const limits = awsLimits[base.family];
  if ((zone.hosts === undefined) === (zone.prefixLength === undefined)) {
    throw invalidField(field, zone, "a zone with exactly one of hosts and prefixLength");
  }
  if (zone.prefixLength !== undefined) {
    const prefixLength = zone.prefixLength;
    if (prefixLength > base.bits) {
      throw invalidField(
        `${field}.prefixLength`,
        prefixLength,
        `at most ${base.bits} in an ${base.family} plan`,
      );
    }
    if (
      aws &&
      (prefixLength < limits.largest || prefixLength > limits.smallest || prefixLength % limits.step !== 0)
    ) {
      throw invalidField(
        `${field}.prefixLength`,
        prefixLength,
        `a subnet size AWS accepts for ${base.family} (/${limits.largest} to /${limits.smallest}` +
          `${limits.step > 1 ? ` in steps of ${limits.step}` : ""}; set enforceAwsSubnetSizes: false to plan for elsewhere)`,
      );
    }
    return prefixLength;
  }
  const hosts = zone.hosts!;
  const needed = BigInt(hosts) + BigInt(reserved);
  // The smallest power of two >= needed: ceil(log2(needed)) host bits.
  let prefixLength = base.bits - bitLength(needed - 1n);
  if (base.family === "ipv6") prefixLength = Math.min(prefixLength, 64);
  if (aws) {
    prefixLength = Math.min(prefixLength, limits.smallest);
    prefixLength -= prefixLength % limits.step;
    if (prefixLength < limits.largest) {
      const largest = blockSize(base.bits, limits.largest);
      if (largest <= BigInt(reserved)) {
        throw invalidField(
          "options.reservedAddressesPerSubnet",
          reserved,
          `less than the ${largest} addresses of the largest ${base.family} subnet AWS accepts (a /${limits.largest})`,
        );
      }
      const most = largest - BigInt(reserved);
      throw invalidField(
        `${field}.hosts`,
        hosts,
        `at most ${most} (the largest ${base.family} subnet AWS accepts, a /${limits.largest}, less ${reserved} reserved addresses)`,
      );
    }
  }
  if (prefixLength < 0) {
    if (blockSize(base.bits, 0) <= BigInt(reserved)) {
      throw invalidField(
        "options.reservedAddressesPerSubnet",
        reserved,
        `less than the ${blockSize(base.bits, 0)} addresses of the whole ${base.family} space`,
      );
    }
    throw invalidField(
      `${field}.hosts`,
      hosts,
      `at most ${blockSize(base.bits, 0) - BigInt(reserved)} (the whole ${base.family} space less ${reserved} reserved addresses)`,
    );
  }
  return prefixLength;
}

/** The INFEASIBLE error for a base block smaller than the zones' total, naming the size it needs. */
function tooSmall(
  text: string,
  base: Cidr,
  total: bigint,
  zones: readonly ParsedZone[],
  prefixes: readonly number[],
): EnisError {
  const neededPrefix = base.bits - bitLength(total - 1n);
  const sizes = zones.map((zone, index) => `${zone.name} /${prefixes[index]}`).join(", ");
  const expectation =
    neededPrefix < 0
      ? `large enough for the zones, but they need ${total} addresses, more than the whole ${base.family} space`
      : `a /${neededPrefix} or larger block to hold the zones (${sizes}: ${total} addresses)`;
  return new EnisError("INFEASIBLE", `options.baseCidr must be ${expectation}, got ${JSON.stringify(text)}`, {
    field: "options.baseCidr",
  });
}

/**
 * The source of an allow rule: a zone by name, or an external CIDR block. A block that overlaps the
 * base is refused unless it is the whole address space (`/0`): one that covers the base, or part of
 * it, would admit the plan's zones by address, silently, past their own rules (an allow from
 * `10.0.0.0/8` on the CDE of `10.0.0.0/16` opens it to every zone). A `/0` means "anywhere outside
 * the plan": the emitters except the base from it (`toNetworkPolicies`).
 */
function resolveSource(
  from: string,
  field: string,
  indexByName: ReadonlyMap<string, number>,
  subnets: readonly PlannedSubnet[],
  base: Cidr,
): { zone: string | null; cidr: string } {
  if (from.includes("/")) {
    const cidr = parseCidr(from, field);
    const canonical = formatCidr(cidr.network, cidr.prefixLength, cidr.family);
    if (cidr.prefixLength > 0 && cidrsOverlap(cidr, base)) {
      const baseCidr = formatCidr(base.network, base.prefixLength, base.family);
      const names = [...indexByName.keys()].map((name) => JSON.stringify(name)).join(", ");
      throw new EnisError(
        "INVALID_OPTIONS",
        `${field} must be a block outside the plan's base ${baseCidr} (or "${base.family === "ipv4" ? "0.0.0.0/0" : "::/0"}" for any source outside the plan), got ${JSON.stringify(from)}, which overlaps it: it would admit the plan's own zones by address, past their rules. To accept zones, name them (${names})`,
        { field },
      );
    }
    return { zone: null, cidr: canonical };
  }
  const index = indexByName.get(from);
  if (index === undefined) {
    const names = [...indexByName.keys()];
    let best = names[0];
    for (const name of names) if (editDistance(from, name) < editDistance(from, best!)) best = name;
    const hint =
      best !== undefined && editDistance(from, best) <= Math.max(2, Math.floor(from.length / 3))
        ? ` (did you mean ${JSON.stringify(best)}?)`
        : "";
    throw invalidField(field, from, `the name of a zone or a CIDR block${hint}`);
  }
  return { zone: from, cidr: subnets[index]!.cidr };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
