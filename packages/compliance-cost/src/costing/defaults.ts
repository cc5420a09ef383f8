/*
 * The figures the costing uses that no pricing catalogue holds, each with its source and date, so
 * that a result can say where every number came from. Each one is an option of costCompliance.
 */

/** A figure the costing or the risk model assumed, and where it comes from. */
export interface CostingAssumption {
  /** The option that sets it, e.g. `"encryptionCyclesPerByte"`. */
  readonly name: string;
  /** The value used. */
  readonly value: number;
  /** Its unit, e.g. `"cycles/byte"`. */
  readonly unit: string;
  /** Where the default comes from (or `"caller"` when the caller gave the value). */
  readonly source: string;
  /** True when the figure is an estimate or a choice rather than a published price or measurement. */
  readonly assumption: boolean;
  /** The date (`YYYY-MM-DD`) the figure is known to hold at its source, for prices. */
  readonly asOf?: string;
  /** What it leaves out, or how it was derived. */
  readonly note?: string;
}

/**
 * Hours in a billing month: 730, the month of the AWS Pricing Calculator and of `@enis/cost-model`
 * (8,760 hours a year / 12).
 */
export const hoursPerMonth = 730;

/** The defaults of {@link costCompliance}'s options that are not in the pricing catalogue. */
export const costingDefaults = Object.freeze({
  encryptionCyclesPerByte: Object.freeze({
    name: "encryptionCyclesPerByte",
    value: 0.64,
    unit: "cycles/byte",
    source:
      "AES-GCM with AES-NI and carry-less multiply (PCLMULQDQ) on current x86 server cores, ~0.64 cycles/byte (Gueron, 'AES-GCM software performance on the current high end CPUs as a performance baseline for CAESAR competition', 2013, and OpenSSL's aesni_gcm code; REFERENCES.md §6 of the shared references)",
    assumption: true,
    note: "A bulk-throughput figure for large buffers; small records, TLS framing and key schedules cost more per byte.",
  } satisfies CostingAssumption),
  cpuClockHz: Object.freeze({
    name: "cpuClockHz",
    value: 3e9,
    unit: "Hz",
    source: "assumption: a 3 GHz sustained clock per vCPU (0.64 cycles/byte at 3 GHz ≈ 4.7 GB/s per core)",
    assumption: true,
  } satisfies CostingAssumption),
  auditLogIngestionGbUsd: Object.freeze({
    name: "auditLogIngestionGbUsd",
    value: 0.5,
    unit: "USD/GB",
    source:
      "https://aws.amazon.com/cloudwatch/pricing/ — CloudWatch Logs Standard log class, data ingestion in US East (N. Virginia), $0.50 per GB",
    asOf: "2026-06-01",
    assumption: false,
    note: "The list price of long standing, quoted at $0.50 per GB for us-east-1 in June 2026 by third-party cost guides; not read from the AWS page in this build. Storage of the logs is priced by the audit-log retention rule in the catalogue's storage tiers, not at CloudWatch's $0.03 per GB-month; Logs Insights queries are not included.",
  } satisfies CostingAssumption),
  cloudHsmHourlyUsd: Object.freeze({
    name: "cloudHsmHourlyUsd",
    value: 1.45,
    unit: "USD/HSM-hour",
    source: "https://aws.amazon.com/cloudhsm/pricing/ — AWS CloudHSM, US East (N. Virginia), per HSM-hour",
    asOf: "2024-01-01",
    assumption: true,
    note: "Not verified against the AWS page in this build (the figure and its date are the author's reading of the page, to be re-checked before relying on them); not in the pricing catalogue of @enis/cost-model; the price differs by region and HSM type (hsm1.medium, hsm2m.medium).",
  } satisfies CostingAssumption),
  hsmCount: Object.freeze({
    name: "hsmCount",
    value: 2,
    unit: "HSMs",
    source:
      "https://docs.aws.amazon.com/cloudhsm/latest/userguide/best-practices.html — AWS recommends at least two HSMs in different Availability Zones for production",
    assumption: false,
  } satisfies CostingAssumption),
  encryptionInstanceType: "m5.large",
});
