import fc from "fast-check";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { describe, expect, it } from "vitest";
import { catchEnisError } from "../../../../test-support/enis-error.js";
import { toNetworkPolicies } from "./kubernetes.js";
import { planSegmentation, type SegmentationZone } from "./plan.js";

const plan = planSegmentation({
  baseCidr: "10.20.0.0/16",
  zones: [
    { name: "dmz", hosts: 50, allow: [{ from: "0.0.0.0/0", ports: [{ protocol: "tcp", port: 443 }] }] },
    {
      name: "app",
      hosts: 500,
      allow: [
        { from: "dmz", ports: [{ protocol: "tcp", port: 8443 }] },
        { from: "2001:db8::/32", ports: [{ protocol: "tcp", port: 8443 }] },
      ],
    },
    {
      name: "pci-cde",
      prefixLength: 24,
      allow: [
        {
          from: "app",
          ports: [
            { protocol: "tcp", port: 5432 },
            { protocol: "udp", port: 3000, endPort: 3100 },
          ],
        },
        { from: "pci-cde", ports: [{ protocol: "tcp", port: 5432 }] },
      ],
    },
    { name: "management", hosts: 10 },
  ],
});

const byNamespace = (label: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": label } },
});

describe("toNetworkPolicies", () => {
  it("emits objects the official NetworkPolicy schema accepts", () => {
    const policies = toNetworkPolicies(plan);
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies)
      expect(() => new NetworkPolicy(structuredClone(policy) as never).validate()).not.toThrow();
    // The schema check is not vacuous: policyTypes as a string instead of a list is refused.
    expect(() =>
      new NetworkPolicy({
        ...structuredClone(policies[0]!),
        spec: { podSelector: {}, policyTypes: "Ingress" },
      } as never).validate(),
    ).toThrow();
  });

  it("denies everything in every zone's namespace, then allows each flow at both ends", () => {
    const policies = toNetworkPolicies(plan);
    expect(policies.map((policy) => `${policy.metadata.namespace}/${policy.metadata.name}`)).toEqual([
      "dmz/default-deny",
      "dmz/allow-ingress",
      "dmz/allow-egress",
      "app/default-deny",
      "app/allow-ingress",
      "app/allow-egress",
      "pci-cde/default-deny",
      "pci-cde/allow-ingress",
      "pci-cde/allow-egress",
      "management/default-deny",
    ]);
    expect(policies[0]!.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const find = (namespace: string, name: string) =>
      policies.find((policy) => policy.metadata.namespace === namespace && policy.metadata.name === name)!;
    expect(find("app", "allow-ingress").spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        { from: [byNamespace("dmz")], ports: [{ protocol: "TCP", port: 8443 }] },
        { from: [{ ipBlock: { cidr: "2001:db8::/32" } }], ports: [{ protocol: "TCP", port: 8443 }] },
      ],
    });
    // The internet, except the plan's own block: zones reach the DMZ only through their own rules.
    expect(find("dmz", "allow-ingress").spec.ingress).toEqual([
      {
        from: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.20.0.0/16"] } }],
        ports: [{ protocol: "TCP", port: 443 }],
      },
    ]);
    expect(find("app", "allow-egress").spec).toEqual({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [byNamespace("pci-cde")],
          ports: [
            { protocol: "TCP", port: 5432 },
            { protocol: "UDP", port: 3000, endPort: 3100 },
          ],
        },
      ],
    });
    // Traffic inside a zone is denied unless allowed; pci-cde allows itself on 5432.
    expect(find("pci-cde", "allow-egress").spec.egress).toEqual([
      { to: [byNamespace("pci-cde")], ports: [{ protocol: "TCP", port: 5432 }] },
    ]);
    for (const policy of policies) {
      expect(policy.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "enis-compliance-cost" });
    }
  });

  it("excepts the base block from any ipBlock that contains it, IPv4 and IPv6; the policies validate", () => {
    const v6 = planSegmentation({
      baseCidr: "2001:db8:0:100::/56",
      zones: [
        {
          name: "web",
          hosts: 10,
          allow: [
            { from: "::/0", ports: [{ protocol: "tcp", port: 443 }] },
            { from: "0.0.0.0/0", ports: [{ protocol: "tcp", port: 80 }] },
          ],
        },
      ],
    });
    const policies = toNetworkPolicies(v6);
    for (const policy of policies) new NetworkPolicy(structuredClone(policy) as never).validate();
    const ingress = policies.find((policy) => policy.metadata.name === "allow-ingress")!.spec.ingress;
    expect(ingress?.map((rule) => rule.from)).toEqual([
      [{ ipBlock: { cidr: "::/0", except: ["2001:db8:0:100::/56"] } }],
      // The other family does not hold the base: nothing to except.
      [{ ipBlock: { cidr: "0.0.0.0/0" } }],
    ]);
    // A hand-made plan whose external block holds the base without being /0 gets the except too.
    const handMade = {
      ...plan,
      rules: plan.rules.map((rule) =>
        rule.fromCidr === "0.0.0.0/0" ? { ...rule, fromCidr: "10.0.0.0/8" } : rule,
      ),
    };
    const dmz = toNetworkPolicies(handMade).find(
      (policy) => policy.metadata.namespace === "dmz" && policy.metadata.name === "allow-ingress",
    )!;
    new NetworkPolicy(structuredClone(dmz) as never).validate();
    expect(dmz.spec.ingress?.[0]?.from).toEqual([
      { ipBlock: { cidr: "10.0.0.0/8", except: ["10.20.0.0/16"] } },
    ]);
  });

  it("maps zones to namespaces of other names", () => {
    const policies = toNetworkPolicies(plan, { namespaces: { "pci-cde": "payments" } });
    expect(policies.filter((policy) => policy.metadata.namespace === "payments")).toHaveLength(3);
    const appEgress = policies.find(
      (policy) => policy.metadata.namespace === "app" && policy.metadata.name === "allow-egress",
    )!;
    expect(appEgress.spec.egress?.[0]?.to).toEqual([byNamespace("payments")]);
  });

  it("refuses a namespace for an unknown zone, or one that is not a DNS label", () => {
    const unknown = catchEnisError(() => toNetworkPolicies(plan, { namespaces: { pci: "payments" } }));
    expect(unknown.code).toBe("INVALID_OPTIONS");
    expect(unknown.message).toBe(
      'options.namespaces must be keyed by zones of the plan (dmz, app, pci-cde, management), got "pci"',
    );
    const bad = catchEnisError(() => toNetworkPolicies(plan, { namespaces: { app: "App_NS" } }));
    expect(bad.field).toBe("options.namespaces.app");
  });

  it("every random plan's policies validate, and every rule appears as an ingress and (from a zone) an egress", () => {
    const names = ["cde", "app", "dmz", "mgmt", "logs"];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            from: fc.oneof(fc.constantFrom(...names), fc.constantFrom("0.0.0.0/0", "192.0.2.0/24", "::/0")),
            to: fc.constantFrom(...names),
            protocol: fc.constantFrom("tcp" as const, "udp" as const),
            port: fc.integer({ min: 1, max: 65_535 }),
          }),
          { maxLength: 15 },
        ),
        (flows) => {
          const zones: SegmentationZone[] = names.map((name) => ({
            name,
            hosts: 20,
            allow: flows
              .filter((flow) => flow.to === name)
              .map((flow) => ({ from: flow.from, ports: [{ protocol: flow.protocol, port: flow.port }] })),
          }));
          const generated = planSegmentation({ baseCidr: "10.0.0.0/20", zones });
          const policies = toNetworkPolicies(generated);
          for (const policy of policies) new NetworkPolicy(structuredClone(policy) as never).validate();
          for (const flow of flows) {
            const port = { protocol: flow.protocol.toUpperCase(), port: flow.port };
            const ingress = policies.find(
              (p) => p.metadata.namespace === flow.to && p.metadata.name === "allow-ingress",
            );
            // A block holding the base (0.0.0.0/0 here) excepts it; others are as given.
            const peer =
              flow.from === "0.0.0.0/0"
                ? { ipBlock: { cidr: flow.from, except: ["10.0.0.0/20"] } }
                : flow.from.includes("/")
                  ? { ipBlock: { cidr: flow.from } }
                  : byNamespace(flow.from);
            expect(
              ingress?.spec.ingress?.some(
                (rule) =>
                  JSON.stringify(rule.from) === JSON.stringify([peer]) &&
                  rule.ports.some((p) => p.protocol === port.protocol && p.port === port.port),
              ),
            ).toBe(true);
            if (!flow.from.includes("/")) {
              const egress = policies.find(
                (p) => p.metadata.namespace === flow.from && p.metadata.name === "allow-egress",
              );
              expect(
                egress?.spec.egress?.some(
                  (rule) =>
                    JSON.stringify(rule.to) === JSON.stringify([byNamespace(flow.to)]) &&
                    rule.ports.some((p) => p.protocol === port.protocol && p.port === port.port),
                ),
              ).toBe(true);
            }
          }
          expect(policies.filter((p) => p.metadata.name === "default-deny")).toHaveLength(names.length);
        },
      ),
      { seed: 7, numRuns: 100 },
    );
  });
});
