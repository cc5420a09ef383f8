/*
 * The duration-vs-memory model behind an estimate from CloudWatch alone (no measurements at other
 * memory sizes).
 *
 * Lambda allocates CPU in proportion to memory: a function has the equivalent of one vCPU at
 * 1,769 MB (AWS Lambda Developer Guide, "Configuring Lambda function memory"; up to 6 vCPUs at
 * 10,240 MB). A single-threaded function cannot use more than one vCPU, so it gets no faster above
 * 1,769 MB. The part of a duration spent waiting (network, I/O) does not scale with CPU. With `p`
 * the share of the duration at the current size that is CPU work:
 *
 *     share(m) = min(m, 1769) / 1769
 *     duration(m) = duration(current) × ((1 − p) + p × share(current) / share(m))
 *
 * p = 0 is an I/O-bound function (duration independent of memory), p = 1 a CPU-bound one (duration
 * inversely proportional to memory below 1,769 MB). A multi-threaded function can still speed up
 * above 1,769 MB; the model does not credit it, so it never recommends a size above 1,769 MB for
 * speed that a measurement would not confirm.
 */

/** Memory at which a Lambda function has the equivalent of one full vCPU, MB (AWS Lambda Developer Guide). */
export const fullVcpuMemoryMb = 1769;

/** The CPU share the model gives a memory size: `min(memoryMb, 1769) / 1769`, in (0, 1]. */
export function cpuShare(memoryMb: number): number {
  return Math.min(memoryMb, fullVcpuMemoryMb) / fullVcpuMemoryMb;
}

/**
 * The factor the model multiplies the current duration by at `memoryMb`:
 * `(1 − p) + p × share(current) / share(memoryMb)`; exactly 1 where the shares are equal (the
 * current size, or any two sizes at or above 1,769 MB).
 */
export function durationFactor(currentMemoryMb: number, memoryMb: number, cpuBoundFraction: number): number {
  const currentShare = cpuShare(currentMemoryMb);
  const share = cpuShare(memoryMb);
  if (share === currentShare) return 1;
  return 1 - cpuBoundFraction + (cpuBoundFraction * currentShare) / share;
}
