import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsSecurityGroup, toAwsSecurityGroups } from "./aws.js";
import { planSegmentation, type SegmentationZone } from "./plan.js";

/*
 * Builds a plan in a real EC2 API simulator: moto_server, started on a free loopback port (never
 * moto's default 5000), driven with plain HTTP calls to the EC2 Query API. The emitted shapes are
 * the SDK's input members; the Query protocol renames a few of them (serialise() below).
 * Locally the suite skips, with the reason printed, when moto_server is missing; under CI=true a
 * missing moto_server fails the run.
 */

function motoMissingReason(): string | undefined {
  const probe = spawnSync("moto_server", ["--help"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0)
    return `moto_server is not installed (${probe.error?.message ?? probe.stderr})`;
  return undefined;
}

const missing = motoMissingReason();
if (missing !== undefined) {
  if (process.env["CI"] === "true") throw new Error(`EC2 integration tests cannot run under CI: ${missing}`);
  console.warn(`skipping EC2 integration tests: ${missing}`);
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// moto routes a request to a service by the credential scope of its signature; a dummy one does
// (moto checks no signature), and no real credential is read or needed.
const authorization =
  "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0";

/** The Query protocol's names for SDK members that differ (EC2 API Reference, request parameters). */
const queryNames: Readonly<Record<string, string>> = {
  TagSpecifications: "TagSpecification",
  Tags: "Tag",
};

/** Flattens SDK-shaped parameters into EC2 Query parameters: `IpPermissions.1.IpRanges.1.CidrIp=…`. */
function serialise(value: unknown, prefix: string, out: URLSearchParams): void {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) serialise(item, `${prefix}.${index + 1}`, out);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const name = queryNames[key] ?? key;
      serialise(child, prefix === "" ? name : `${prefix}.${name}`, out);
    }
  } else if (value !== undefined) {
    out.append(prefix, String(value));
  }
}

describe.skipIf(missing !== undefined)("the plan in moto's EC2", () => {
  let child: ChildProcess | undefined;
  let endpoint = "";

  async function call(action: string, parameters: Record<string, unknown>): Promise<string> {
    const body = new URLSearchParams({ Action: action, Version: "2016-11-15" });
    serialise(parameters, "", body);
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${action} failed (${response.status}): ${text}`);
    return text;
  }

  beforeAll(async () => {
    for (let attempt = 0; attempt < 5 && child === undefined; attempt++) {
      const port = await freePort();
      if (port === 5000 || port === 0) continue;
      const started = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
      endpoint = `http://127.0.0.1:${port}/`;
      for (let wait = 0; wait < 150; wait++) {
        if (started.exitCode !== null) break;
        try {
          await fetch(`${endpoint}moto-api/`);
          child = started;
          break;
        } catch {
          await sleep(200);
        }
      }
      if (child === undefined) started.kill("SIGKILL");
    }
    if (child === undefined) throw new Error("moto_server did not start");
  });

  afterAll(async () => {
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  });

  const zones: SegmentationZone[] = [
    { name: "dmz", hosts: 50, allow: [{ from: "0.0.0.0/0", ports: [{ protocol: "tcp", port: 443 }] }] },
    { name: "app", hosts: 500, allow: [{ from: "dmz", ports: [{ protocol: "tcp", port: 8443 }] }] },
    {
      name: "pci-cde",
      hosts: 200,
      allow: [
        { from: "app", ports: [{ protocol: "tcp", port: 5432 }] },
        { from: "management", ports: [{ protocol: "tcp", port: 22 }] },
      ],
    },
    { name: "management", hosts: 10 },
  ];

  /** Creates the groups of `groups` in `vpcId` as the emitted calls say; returns their ids by zone. */
  async function createGroups(groups: readonly AwsSecurityGroup[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const group of groups) {
      const { Description, ...rest } = group.createSecurityGroup;
      const created = await call("CreateSecurityGroup", { ...rest, GroupDescription: Description });
      const groupId = /<groupId>(sg-[0-9a-f]+)<\/groupId>/.exec(created)?.[1];
      expect(groupId, created).toBeDefined();
      ids.set(group.zone, groupId!);
      await call("RevokeSecurityGroupEgress", { GroupId: groupId, ...group.revokeSecurityGroupEgress });
      if (group.authorizeSecurityGroupIngress !== null) {
        await call("AuthorizeSecurityGroupIngress", {
          GroupId: groupId,
          ...group.authorizeSecurityGroupIngress,
        });
      }
      if (group.authorizeSecurityGroupEgress !== null) {
        await call("AuthorizeSecurityGroupEgress", {
          GroupId: groupId,
          ...group.authorizeSecurityGroupEgress,
        });
      }
    }
    return ids;
  }

  /** A group's rules as EC2 reports them: "protocol from-to cidr" per direction, sorted. */
  async function describeRules(groupId: string): Promise<{ ingress: string[]; egress: string[] }> {
    const text = await call("DescribeSecurityGroups", { GroupId: [groupId] });
    const section = (tag: string) =>
      /<(\w+)>([\s\S]*?)<\/\1>/.exec(text.slice(text.indexOf(`<${tag}>`)))?.[2] ?? "";
    const rules = (xml: string) => {
      const found: string[] = [];
      for (const item of xml.matchAll(
        /<item>\s*<ipProtocol>([\s\S]*?)<\/ipProtocol>([\s\S]*?)(?=<item>\s*<ipProtocol>|$)/g,
      )) {
        const body = item[2] ?? "";
        const from = /<fromPort>(-?\d+)<\/fromPort>/.exec(body)?.[1] ?? "";
        const to = /<toPort>(-?\d+)<\/toPort>/.exec(body)?.[1] ?? "";
        for (const cidr of body.matchAll(/<cidrIp(?:v6)?>([^<]+)<\/cidrIp(?:v6)?>/g))
          found.push(`${item[1]} ${from}-${to} ${cidr[1]}`);
      }
      return found.sort();
    };
    return { ingress: rules(section("ipPermissions")), egress: rules(section("ipPermissionsEgress")) };
  }

  it("creates the VPC, one subnet per zone with the usable addresses the plan reports, and default-deny groups", async () => {
    const plan = planSegmentation({ baseCidr: "10.42.0.0/16", zones });
    const vpc = await call("CreateVpc", { CidrBlock: plan.baseCidr });
    const vpcId = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(vpc)?.[1];
    expect(vpcId, vpc).toBeDefined();
    for (const subnet of plan.subnets) {
      const created = await call("CreateSubnet", { VpcId: vpcId, CidrBlock: subnet.cidr });
      expect(created).toContain(`<cidrBlock>${subnet.cidr}</cidrBlock>`);
      expect(/<availableIpAddressCount>(\d+)<\/availableIpAddressCount>/.exec(created)?.[1]).toBe(
        subnet.usableHostCount,
      );
    }
    // A block that overlaps one of the plan's is refused by EC2: the plan's subnets are the whole story.
    await expect(call("CreateSubnet", { VpcId: vpcId, CidrBlock: plan.subnets[0]!.cidr })).rejects.toThrow(
      /Conflict/,
    );

    const ids = await createGroups(toAwsSecurityGroups(plan, { vpcId: vpcId! }));
    const cidrOf = (zone: string) => plan.subnets.find((subnet) => subnet.zone === zone)!.cidr;
    expect(await describeRules(ids.get("pci-cde")!)).toEqual({
      ingress: [`tcp 22-22 ${cidrOf("management")}`, `tcp 5432-5432 ${cidrOf("app")}`].sort(),
      egress: [],
    });
    expect(await describeRules(ids.get("app")!)).toEqual({
      ingress: [`tcp 8443-8443 ${cidrOf("dmz")}`],
      egress: [`tcp 5432-5432 ${cidrOf("pci-cde")}`],
    });
    expect(await describeRules(ids.get("dmz")!)).toEqual({
      ingress: ["tcp 443-443 0.0.0.0/0"],
      egress: [`tcp 8443-8443 ${cidrOf("app")}`],
    });
    expect(await describeRules(ids.get("management")!)).toEqual({
      ingress: [],
      egress: [`tcp 22-22 ${cidrOf("pci-cde")}`],
    });
  });

  it("takes an IPv6 plan's rules as Ipv6Ranges", async () => {
    const vpc = await call("CreateVpc", { CidrBlock: "10.43.0.0/16" });
    const vpcId = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(vpc)?.[1];
    const plan = planSegmentation({ baseCidr: "2600:1f18:abcd:ef00::/56", zones });
    const ids = await createGroups(toAwsSecurityGroups(plan, { vpcId: vpcId! }));
    const cidrOf = (zone: string) => plan.subnets.find((subnet) => subnet.zone === zone)!.cidr;
    expect(await describeRules(ids.get("app")!)).toEqual({
      ingress: [`tcp 8443-8443 ${cidrOf("dmz")}`],
      egress: [`tcp 5432-5432 ${cidrOf("pci-cde")}`],
    });
    expect(cidrOf("dmz")).toContain(":");
  });
});
