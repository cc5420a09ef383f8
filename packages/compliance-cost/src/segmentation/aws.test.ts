import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../../test-support/enis-error.js";
import { toAwsSecurityGroups } from "./aws.js";
import { planSegmentation } from "./plan.js";

const zones = [
  {
    name: "dmz",
    hosts: 50,
    allow: [
      { from: "0.0.0.0/0", ports: [{ protocol: "tcp" as const, port: 443 }] },
      { from: "::/0", ports: [{ protocol: "tcp" as const, port: 443 }] },
    ],
  },
  {
    name: "app",
    hosts: 500,
    allow: [{ from: "dmz", ports: [{ protocol: "tcp" as const, port: 8443 }] }],
  },
  {
    name: "pci-cde",
    hosts: 200,
    allow: [
      { from: "app", ports: [{ protocol: "tcp" as const, port: 5432 }] },
      {
        from: "management",
        ports: [
          { protocol: "tcp" as const, port: 5432 },
          { protocol: "tcp" as const, port: 22 },
        ],
      },
    ],
  },
  {
    name: "management",
    hosts: 10,
    allow: [{ from: "management", ports: [{ protocol: "udp" as const, port: 500, endPort: 600 }] }],
  },
];

describe("toAwsSecurityGroups", () => {
  it("builds one default-deny group per zone, allows on both ends, peers as blocks", () => {
    const plan = planSegmentation({ baseCidr: "10.1.0.0/16", zones });
    const groups = toAwsSecurityGroups(plan, { vpcId: "vpc-0abc1234def567890" });
    expect(groups.map((group) => [group.zone, group.subnetCidr])).toEqual([
      ["dmz", "10.1.3.0/26"],
      ["app", "10.1.0.0/23"],
      ["pci-cde", "10.1.2.0/24"],
      ["management", "10.1.3.64/28"],
    ]);
    const [dmz, app, cde, management] = groups as [
      (typeof groups)[0],
      (typeof groups)[0],
      (typeof groups)[0],
      (typeof groups)[0],
    ];
    expect(cde.createSecurityGroup).toEqual({
      GroupName: "pci-cde",
      Description: "Segmentation zone pci-cde (10.1.2.0/24), default deny",
      VpcId: "vpc-0abc1234def567890",
      TagSpecifications: [
        {
          ResourceType: "security-group",
          Tags: [
            { Key: "Name", Value: "pci-cde" },
            { Key: "enis:segmentation-zone", Value: "pci-cde" },
          ],
        },
      ],
    });
    for (const group of groups) {
      expect(group.revokeSecurityGroupEgress).toEqual({
        IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      });
    }
    // Same protocol and port from two zones: one IpPermission, two ranges.
    expect(cde.authorizeSecurityGroupIngress).toEqual({
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 5432,
          ToPort: 5432,
          IpRanges: [
            { CidrIp: "10.1.0.0/23", Description: "from zone app" },
            { CidrIp: "10.1.3.64/28", Description: "from zone management" },
          ],
        },
        {
          IpProtocol: "tcp",
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: "10.1.3.64/28", Description: "from zone management" }],
        },
      ],
    });
    expect(cde.authorizeSecurityGroupEgress).toBeNull();
    // The internet reaches the DMZ in both families: IPv6 in Ipv6Ranges.
    expect(dmz.authorizeSecurityGroupIngress).toEqual({
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "from 0.0.0.0/0" }],
          Ipv6Ranges: [{ CidrIpv6: "::/0", Description: "from ::/0" }],
        },
      ],
    });
    expect(dmz.authorizeSecurityGroupEgress).toEqual({
      IpPermissions: [
        {
          IpProtocol: "tcp",
          FromPort: 8443,
          ToPort: 8443,
          IpRanges: [{ CidrIp: "10.1.0.0/23", Description: "to zone app" }],
        },
      ],
    });
    expect(app.authorizeSecurityGroupEgress?.IpPermissions).toEqual([
      {
        IpProtocol: "tcp",
        FromPort: 5432,
        ToPort: 5432,
        IpRanges: [{ CidrIp: "10.1.2.0/24", Description: "to zone pci-cde" }],
      },
    ]);
    expect(management.authorizeSecurityGroupIngress?.IpPermissions).toEqual([
      {
        IpProtocol: "udp",
        FromPort: 500,
        ToPort: 600,
        IpRanges: [{ CidrIp: "10.1.3.64/28", Description: "from zone management" }],
      },
    ]);
    expect(management.authorizeSecurityGroupEgress?.IpPermissions).toEqual([
      {
        IpProtocol: "tcp",
        FromPort: 5432,
        ToPort: 5432,
        IpRanges: [{ CidrIp: "10.1.2.0/24", Description: "to zone pci-cde" }],
      },
      {
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: "10.1.2.0/24", Description: "to zone pci-cde" }],
      },
      {
        IpProtocol: "udp",
        FromPort: 500,
        ToPort: 600,
        IpRanges: [{ CidrIp: "10.1.3.64/28", Description: "to zone management" }],
      },
    ]);
  });

  it("puts an IPv6 plan's blocks in Ipv6Ranges, and leaves VpcId out when not given", () => {
    const plan = planSegmentation({ baseCidr: "2600:1f18:abcd:ef00::/56", zones });
    const [dmz, app] = toAwsSecurityGroups(plan);
    expect(dmz?.createSecurityGroup).not.toHaveProperty("VpcId");
    expect(app?.authorizeSecurityGroupIngress?.IpPermissions).toEqual([
      {
        IpProtocol: "tcp",
        FromPort: 8443,
        ToPort: 8443,
        Ipv6Ranges: [{ CidrIpv6: plan.subnets[0]!.cidr, Description: "from zone dmz" }],
      },
    ]);
    expect(plan.subnets[0]!.cidr).toMatch(/^2600:1f18:abcd:ef0.::\/64$/);
  });

  it("descriptions use only the characters EC2 accepts", () => {
    const plan = planSegmentation({ baseCidr: "2600:1f18:abcd:ef00::/56", zones });
    const allowed = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;
    for (const group of toAwsSecurityGroups(plan)) {
      expect(group.createSecurityGroup.Description).toMatch(allowed);
      for (const call of [group.authorizeSecurityGroupIngress, group.authorizeSecurityGroupEgress]) {
        for (const permission of call?.IpPermissions ?? []) {
          for (const range of [...(permission.IpRanges ?? []), ...(permission.Ipv6Ranges ?? [])]) {
            expect(range.Description).toMatch(allowed);
          }
        }
      }
    }
  });

  it("refuses a malformed VPC id and a zone EC2 could not name", () => {
    const plan = planSegmentation({ baseCidr: "10.1.0.0/16", zones });
    const error = catchEnisError(() => toAwsSecurityGroups(plan, { vpcId: "vpc-XYZ" }));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe("options.vpcId");
    const sg = planSegmentation({ baseCidr: "10.1.0.0/16", zones: [{ name: "sg-web", hosts: 4 }] });
    expect(catchEnisError(() => toAwsSecurityGroups(sg)).field).toBe("plan.subnets[0].zone");
  });
});
