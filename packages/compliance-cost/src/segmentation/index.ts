/*
 * Network segmentation plans: subnets for compliance zones (IPv4 and IPv6), default-deny rules, and
 * their Kubernetes NetworkPolicy and AWS security-group forms.
 */
export {
  type AwsIpPermission,
  type AwsIpRange,
  type AwsIpv6Range,
  type AwsSecurityGroup,
  type AwsSecurityGroupOptions,
  toAwsSecurityGroups,
} from "./aws.js";
export {
  type LabelSelector,
  type NetworkPolicyObject,
  type NetworkPolicyOptions,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  toNetworkPolicies,
} from "./kubernetes.js";
export {
  type IpFamily,
  type PlannedSubnet,
  planSegmentation,
  type SegmentationAllow,
  type SegmentationOptions,
  type SegmentationPlan,
  type SegmentationPort,
  type SegmentationProtocol,
  type SegmentationRule,
  type SegmentationZone,
} from "./plan.js";
