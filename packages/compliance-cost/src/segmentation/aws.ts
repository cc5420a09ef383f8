import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import type { SegmentationPlan, SegmentationRule } from "./plan.js";

/** An EC2 `IpRange` (IPv4 source or destination) with its rule description. */
export interface AwsIpRange {
  readonly CidrIp: string;
  readonly Description?: string;
}

/** An EC2 `Ipv6Range` with its rule description. */
export interface AwsIpv6Range {
  readonly CidrIpv6: string;
  readonly Description: string;
}

/** An EC2 `IpPermission`, as AuthorizeSecurityGroupIngress / Egress take it. */
export interface AwsIpPermission {
  /** `"tcp"`, `"udp"`, or `"-1"` (all traffic: only in the revoked default egress rule). */
  readonly IpProtocol: "tcp" | "udp" | "-1";
  readonly FromPort?: number;
  readonly ToPort?: number;
  /** IPv4 blocks; absent when there are none. */
  readonly IpRanges?: readonly AwsIpRange[];
  /** IPv6 blocks; absent when there are none. */
  readonly Ipv6Ranges?: readonly AwsIpv6Range[];
}

/**
 * One zone's security group, as the parameters of the EC2 API calls that build it, in order.
 * Every call after the first also takes the `GroupId` that CreateSecurityGroup returns.
 */
export interface AwsSecurityGroup {
  /** The zone's name. */
  readonly zone: string;
  /** The zone's subnet, where the group's instances live. */
  readonly subnetCidr: string;
  /** CreateSecurityGroup parameters (a new group denies all ingress). */
  readonly createSecurityGroup: {
    readonly GroupName: string;
    readonly Description: string;
    /** Present when `options.vpcId` was given. */
    readonly VpcId?: string;
    readonly TagSpecifications: readonly {
      readonly ResourceType: "security-group";
      readonly Tags: readonly { readonly Key: string; readonly Value: string }[];
    }[];
  };
  /** RevokeSecurityGroupEgress parameters: removes the allow-all IPv4 egress rule EC2 gives every new group in a VPC. */
  readonly revokeSecurityGroupEgress: { readonly IpPermissions: readonly AwsIpPermission[] };
  /** AuthorizeSecurityGroupIngress parameters; null when the zone accepts nothing. */
  readonly authorizeSecurityGroupIngress: { readonly IpPermissions: readonly AwsIpPermission[] } | null;
  /** AuthorizeSecurityGroupEgress parameters; null when the zone sends nothing. */
  readonly authorizeSecurityGroupEgress: { readonly IpPermissions: readonly AwsIpPermission[] } | null;
}

/** Options of {@link toAwsSecurityGroups}. */
export interface AwsSecurityGroupOptions {
  /** The VPC the groups belong to (`vpc-…`), written into CreateSecurityGroup. Absent: left for the caller. */
  readonly vpcId?: string;
}

const optionsSchema = z
  .object({
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]{8,17}$/, 'a VPC id ("vpc-" and 8 to 17 hex digits)')
      .optional(),
  })
  .strict();

/**
 * The plan as AWS EC2 security groups, one per zone, as the parameters of the EC2 API calls
 * CreateSecurityGroup, RevokeSecurityGroupEgress, AuthorizeSecurityGroupIngress and
 * AuthorizeSecurityGroupEgress, in the input shapes the AWS SDKs (`@aws-sdk/client-ec2`, boto3)
 * and the CLI's `--cli-input-json` take; IPv6 blocks go in `Ipv6Ranges`. (On the Query wire
 * protocol a few members are renamed: `Description` is `GroupDescription`, `TagSpecifications.N`
 * is `TagSpecification.N`, `Tags.N` is `Tag.N`.)
 *
 * Default deny: a new group admits no ingress, and the default egress rule is revoked, so a group
 * passes only what a rule allows. Each allow appears twice — ingress on the destination's group
 * from the source's block, egress on the source's group to the destination's block — because both
 * ends' groups filter (security groups are stateful: replies need no rule). Peers are the plan's
 * CIDR blocks rather than group ids: the zones are the subnets, and blocks are known before any
 * group exists. Permissions with the same protocol and ports share one `IpPermission`.
 *
 * @throws EnisError `INVALID_OPTIONS` for a malformed `vpcId`, or a zone named `sg-…` (EC2 refuses such group names).
 *
 * @example
 * ```ts
 * for (const group of toAwsSecurityGroups(plan, { vpcId })) {
 *   const { GroupId } = await ec2.send(new CreateSecurityGroupCommand(group.createSecurityGroup));
 *   await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId, ...group.revokeSecurityGroupEgress }));
 *   if (group.authorizeSecurityGroupIngress)
 *     await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, ...group.authorizeSecurityGroupIngress }));
 *   // …and the same for authorizeSecurityGroupEgress
 * }
 * ```
 */
export function toAwsSecurityGroups(
  plan: SegmentationPlan,
  options: AwsSecurityGroupOptions = {},
): AwsSecurityGroup[] {
  const parsed = parseOptions(optionsSchema, options, "options");
  return plan.subnets.map((subnet, index) => {
    if (subnet.zone.startsWith("sg-")) {
      throw invalidField(
        `plan.subnets[${index}].zone`,
        subnet.zone,
        'a zone name that does not start with "sg-" (EC2 refuses such group names)',
      );
    }
    const ingress = permissions(
      plan.rules.filter((rule) => rule.toZone === subnet.zone),
      (rule) => ({
        cidr: rule.fromCidr,
        description: rule.fromZone === null ? `from ${rule.fromCidr}` : `from zone ${rule.fromZone}`,
      }),
    );
    const egress = permissions(
      plan.rules.filter((rule) => rule.fromZone === subnet.zone),
      (rule) => ({ cidr: rule.toCidr, description: `to zone ${rule.toZone}` }),
    );
    return {
      zone: subnet.zone,
      subnetCidr: subnet.cidr,
      createSecurityGroup: {
        GroupName: subnet.zone,
        Description: `Segmentation zone ${subnet.zone} (${subnet.cidr}), default deny`,
        ...(parsed.vpcId === undefined ? {} : { VpcId: parsed.vpcId }),
        TagSpecifications: [
          {
            ResourceType: "security-group",
            Tags: [
              { Key: "Name", Value: subnet.zone },
              { Key: "enis:segmentation-zone", Value: subnet.zone },
            ],
          },
        ],
      },
      revokeSecurityGroupEgress: {
        IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      },
      authorizeSecurityGroupIngress: ingress.length > 0 ? { IpPermissions: ingress } : null,
      authorizeSecurityGroupEgress: egress.length > 0 ? { IpPermissions: egress } : null,
    };
  });
}

/** Rules as IpPermissions, one per protocol and port range (in first-seen order), blocks split by family. */
function permissions(
  rules: readonly SegmentationRule[],
  peerOf: (rule: SegmentationRule) => { cidr: string; description: string },
): AwsIpPermission[] {
  const groups = new Map<
    string,
    { protocol: "tcp" | "udp"; from: number; to: number; v4: AwsIpRange[]; v6: AwsIpv6Range[] }
  >();
  for (const rule of rules) {
    const key = `${rule.protocol}:${rule.fromPort}:${rule.toPort}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { protocol: rule.protocol, from: rule.fromPort, to: rule.toPort, v4: [], v6: [] };
      groups.set(key, group);
    }
    const { cidr, description } = peerOf(rule);
    if (cidr.includes(":")) {
      if (!group.v6.some((range) => range.CidrIpv6 === cidr))
        group.v6.push({ CidrIpv6: cidr, Description: description });
    } else if (!group.v4.some((range) => range.CidrIp === cidr)) {
      group.v4.push({ CidrIp: cidr, Description: description });
    }
  }
  return [...groups.values()].map((group) => ({
    IpProtocol: group.protocol,
    FromPort: group.from,
    ToPort: group.to,
    ...(group.v4.length > 0 ? { IpRanges: group.v4 } : {}),
    ...(group.v6.length > 0 ? { Ipv6Ranges: group.v6 } : {}),
  }));
}
