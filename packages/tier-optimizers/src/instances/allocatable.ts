/*
 * What a node leaves for workloads, as aws/karpenter-provider-aws computes it
 * (pkg/providers/instancetype/types.go at 1d927085dd81a9df9301e613f371dac5b4d16bfe, functions
 * `memory`, `kubeReservedResources` and `evictionThreshold`; the VM overhead default from
 * pkg/operator/options/options.go, `--vm-memory-overhead-percent` 0.075; 110 pods from `pods` when
 * neither maxPods nor ENI-limited density applies):
 *
 * - memory: MiB of the type, minus 64 MiB on arm64 (Graviton's CMA reservation), minus
 *   ceil(MiB × 0.075) (VM overhead), minus kube-reserved `11 × pods + 255` MiB, minus the hard
 *   eviction threshold 100 MiB;
 * - CPU: millicores of the type minus kube-reserved: 6% of the first core, 1% of the second,
 *   0.5% of the third and fourth, 0.25% of every further one, each range truncated to a whole
 *   millicore.
 *
 * The catalogue gives memory in GiB; MiB = GiB × 1024 (EC2's MemoryInfo.SizeInMiB for the types
 * of the default catalogue).
 */

/** Karpenter's default `--vm-memory-overhead-percent`. */
export const vmMemoryOverheadFraction = 0.075;
/** Karpenter's hard eviction threshold default for memory, MiB. */
export const evictionThresholdMib = 100;
/** Graviton's CMA reservation, MiB. */
export const arm64ReservedMib = 64;

const cpuRanges: readonly (readonly [start: number, end: number, fraction: number])[] = [
  [0, 1000, 0.06],
  [1000, 2000, 0.01],
  [2000, 4000, 0.005],
  [4000, 2 ** 31, 0.0025],
];

/** Karpenter's kube-reserved CPU for a node of `vcpus`, millicores. */
export function kubeReservedCpuMillicores(vcpus: number): number {
  const cpu = vcpus * 1000;
  let reserved = 0;
  for (const [start, end, fraction] of cpuRanges) {
    if (cpu >= start) {
      const range = cpu < end ? cpu - start : end - start;
      reserved += Math.trunc(range * fraction);
    }
  }
  return reserved;
}

/** Allocatable CPU (millicores) and memory (MiB) of a type, whole numbers, possibly <= 0 for a tiny type. */
export function allocatable(
  vcpus: number,
  memoryGib: number,
  architecture: string,
  maxPods: number,
  overhead: "karpenter" | "none",
): { cpuMillicores: number; memoryMib: number } {
  const totalMib = Math.floor(memoryGib * 1024);
  if (overhead === "none") return { cpuMillicores: vcpus * 1000, memoryMib: totalMib };
  let mib = totalMib - (architecture === "arm64" ? arm64ReservedMib : 0);
  mib -= Math.ceil(mib * vmMemoryOverheadFraction);
  mib -= 11 * maxPods + 255;
  mib -= evictionThresholdMib;
  return { cpuMillicores: vcpus * 1000 - kubeReservedCpuMillicores(vcpus), memoryMib: mib };
}
