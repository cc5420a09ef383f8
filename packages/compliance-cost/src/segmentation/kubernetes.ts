import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";
import { cidrContains, parseCidr } from "./ip.js";
import type { SegmentationPlan, SegmentationRule } from "./plan.js";

/** A label selector, as Kubernetes writes one (`matchLabels` only: all this module needs). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
}

/**
 * A `NetworkPolicyPeer`: pods of the namespaces a selector picks, or a block of addresses (less the
 * blocks in `except`, which must lie inside `cidr`).
 */
export type NetworkPolicyPeer =
  | { readonly namespaceSelector: LabelSelector }
  | { readonly ipBlock: { readonly cidr: string; readonly except?: readonly string[] } };

/** A `NetworkPolicyPort`. */
export interface NetworkPolicyPort {
  readonly protocol: "TCP" | "UDP";
  readonly port: number;
  /** The last port of a range (Kubernetes >= 1.25, GA). */
  readonly endPort?: number;
}

/** A `networking.k8s.io/v1` NetworkPolicy, as plain data (apply it as JSON or YAML). */
export interface NetworkPolicyObject {
  readonly apiVersion: "networking.k8s.io/v1";
  readonly kind: "NetworkPolicy";
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly spec: {
    /** Always `{}`: every pod of the zone's namespace. */
    readonly podSelector: LabelSelector;
    readonly policyTypes: readonly ("Ingress" | "Egress")[];
    readonly ingress?: readonly {
      readonly from: readonly NetworkPolicyPeer[];
      readonly ports: readonly NetworkPolicyPort[];
    }[];
    readonly egress?: readonly {
      readonly to: readonly NetworkPolicyPeer[];
      readonly ports: readonly NetworkPolicyPort[];
    }[];
  };
}

/** Options of {@link toNetworkPolicies}. */
export interface NetworkPolicyOptions {
  /**
   * The namespace of each zone, by zone name, for zones whose namespace is not named after them.
   * @default each zone's own name
   */
  readonly namespaces?: Readonly<Record<string, string>>;
}

const optionsSchema = z
  .object({
    namespaces: z
      .record(
        z.string(),
        z
          .string()
          .regex(
            /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
            "a namespace name (a DNS label: lowercase letters, digits and '-', at most 63 characters)",
          ),
      )
      .default({}),
  })
  .strict();

/**
 * The label Kubernetes sets on every namespace to its own name (immutable; GA in 1.22), so a
 * namespace selector on it picks exactly one namespace without labelling anything by hand.
 */
const namespaceNameLabel = "kubernetes.io/metadata.name";

const managedBy = { "app.kubernetes.io/managed-by": "enis-compliance-cost" } as const;

/**
 * The plan as Kubernetes `networking.k8s.io/v1` NetworkPolicy objects, one zone per namespace: for
 * every zone a `default-deny` policy (all pods, Ingress and Egress, no rule: nothing in or out,
 * inside the namespace included), then `allow-ingress` in each destination zone and `allow-egress`
 * in each source zone, so that both ends of an allowed flow admit it (NetworkPolicy is enforced at
 * both pods, and the default deny covers egress too).
 *
 * Zone sources are written as namespace selectors on `kubernetes.io/metadata.name`, not as
 * `ipBlock`s of the zones' subnets: pod addresses come from the cluster's pod network (only some
 * CNIs draw them from the node's VPC subnet), and the Kubernetes documentation reserves `ipBlock`
 * for cluster-external addresses, since pod IPs are ephemeral and a CNI may rewrite sources.
 * External CIDR sources become `ipBlock`s; one that contains the plan's base block (`0.0.0.0/0`,
 * `::/0`) excepts it (`except: [baseCidr]`), so that the plan's own zones are admitted only by their
 * own rules, never as part of "anywhere". Objects come in zone order: every zone's default deny,
 * then its ingress policy, then its egress policy.
 *
 * Not added: egress to the cluster DNS. Under a default deny, pods that resolve names need an
 * explicit allow to kube-dns (UDP and TCP 53) — a zone named for the DNS namespace, or a policy of
 * your own.
 *
 * @throws EnisError `INVALID_OPTIONS` for a namespace that is not a DNS label, or one given for a zone the plan does not hold.
 *
 * @example
 * ```ts
 * const policies = toNetworkPolicies(plan, { namespaces: { "pci-cde": "payments" } });
 * // kubectl apply -f <(JSON.stringify({ apiVersion: "v1", kind: "List", items: policies }))
 * ```
 */
export function toNetworkPolicies(
  plan: SegmentationPlan,
  options: NetworkPolicyOptions = {},
): NetworkPolicyObject[] {
  const parsed = parseOptions(optionsSchema, options, "options");
  const zones = plan.subnets.map((subnet) => subnet.zone);
  for (const zone of Object.keys(parsed.namespaces)) {
    if (!zones.includes(zone)) {
      throw invalidZone("options.namespaces", zone, zones);
    }
  }
  const namespaceOf = (zone: string) => parsed.namespaces[zone] ?? zone;
  const base = parseCidr(plan.baseCidr, "plan.baseCidr");
  const peerOf = (zone: string | null, cidr: string): NetworkPolicyPeer =>
    zone === null
      ? cidrContains(parseCidr(cidr, "plan.rules[].fromCidr"), base)
        ? { ipBlock: { cidr, except: [plan.baseCidr] } }
        : { ipBlock: { cidr } }
      : { namespaceSelector: { matchLabels: { [namespaceNameLabel]: namespaceOf(zone) } } };

  const policies: NetworkPolicyObject[] = [];
  for (const zone of zones) {
    const namespace = namespaceOf(zone);
    const metadata = (name: string) => ({ name, namespace, labels: { ...managedBy } });
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: metadata("default-deny"),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    });
    const ingress = groupByPeer(
      plan.rules.filter((rule) => rule.toZone === zone),
      (rule) => peerOf(rule.fromZone, rule.fromCidr),
    );
    if (ingress.length > 0) {
      policies.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: metadata("allow-ingress"),
        spec: {
          podSelector: {},
          policyTypes: ["Ingress"],
          ingress: ingress.map(({ peer, ports }) => ({ from: [peer], ports })),
        },
      });
    }
    const egress = groupByPeer(
      plan.rules.filter((rule) => rule.fromZone === zone),
      (rule) => peerOf(rule.toZone, rule.toCidr),
    );
    if (egress.length > 0) {
      policies.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: metadata("allow-egress"),
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: egress.map(({ peer, ports }) => ({ to: [peer], ports })),
        },
      });
    }
  }
  return policies;
}

/** Rules grouped by their peer (in first-seen order), each with its ports. */
function groupByPeer(
  rules: readonly SegmentationRule[],
  peerOf: (rule: SegmentationRule) => NetworkPolicyPeer,
): { peer: NetworkPolicyPeer; ports: NetworkPolicyPort[] }[] {
  const groups = new Map<string, { peer: NetworkPolicyPeer; ports: NetworkPolicyPort[] }>();
  for (const rule of rules) {
    const peer = peerOf(rule);
    const key = JSON.stringify(peer);
    let group = groups.get(key);
    if (group === undefined) {
      group = { peer, ports: [] };
      groups.set(key, group);
    }
    const protocol = rule.protocol === "tcp" ? "TCP" : "UDP";
    group.ports.push(
      rule.toPort === rule.fromPort
        ? { protocol, port: rule.fromPort }
        : { protocol, port: rule.fromPort, endPort: rule.toPort },
    );
  }
  return [...groups.values()];
}

/** The error for a namespace given for a zone the plan does not hold: the field is the map, the value the key. */
function invalidZone(field: string, zone: string, zones: readonly string[]) {
  return invalidField(field, zone, `keyed by zones of the plan (${zones.join(", ")})`);
}
