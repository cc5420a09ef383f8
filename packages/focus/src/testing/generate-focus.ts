import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { createRandom } from "@enis/core";
import { invalidField, parseOptions } from "@enis/core/validate";
import { z } from "zod";

/*
 * A seeded generator of large FOCUS 1.0-shaped CSV files, for the streaming, memory and
 * reconciliation checks that the 1,000-row sample is too small for, published as
 * `@enis/focus/testing` so that a pipeline built on `@enis/focus` can be tested on files of any size.
 *
 * The file has the 44 columns of the FinOps Foundation sample, in its order, plus one custom
 * column (`x_CostCenter`): 45 in all. It is as messy as the sample where the reader must care:
 * literal `NULL` cells, JSON `Tags` with doubled quotes, rows without the tenant tag, quoted empty
 * strings, negative credits, unused commitment rows, daily rows beside hourly ones, and a quoted
 * line break inside a few `ChargeDescription` cells (so a record is not always a line).
 *
 * Every cost is a whole number of micro-dollars written with 11 decimals, and the generator sums
 * them as integers while it writes: the totals it returns are exact, and independent of any CSV
 * or SQL engine.
 */

/** The columns of a generated file, in order: the FOCUS 1.0 sample's 44, then `x_CostCenter`. */
export const generatedFocusColumns = [
  "AvailabilityZone",
  "BilledCost",
  "BillingAccountId",
  "BillingAccountName",
  "BillingCurrency",
  "BillingPeriodEnd",
  "BillingPeriodStart",
  "ChargeCategory",
  "ChargeClass",
  "ChargeDescription",
  "ChargeFrequency",
  "ChargePeriodEnd",
  "ChargePeriodStart",
  "CommitmentDiscountCategory",
  "CommitmentDiscountId",
  "CommitmentDiscountName",
  "CommitmentDiscountStatus",
  "CommitmentDiscountType",
  "ConsumedQuantity",
  "ConsumedUnit",
  "ContractedCost",
  "ContractedUnitPrice",
  "EffectiveCost",
  "InvoiceIssuerName",
  "ListCost",
  "ListUnitPrice",
  "PricingCategory",
  "PricingQuantity",
  "PricingUnit",
  "ProviderName",
  "PublisherName",
  "RegionId",
  "RegionName",
  "ResourceId",
  "ResourceName",
  "ResourceType",
  "ServiceCategory",
  "Id",
  "ServiceName",
  "SkuId",
  "SkuPriceId",
  "SubAccountId",
  "SubAccountName",
  "Tags",
  "x_CostCenter",
] as const;

/** Options of {@link writeFocusCsv}. */
export interface GenerateFocusOptions {
  /** Data rows to write (the header is one more line). */
  readonly rows: number;
  /** Seed of the PRNG: the same seed writes the same file. */
  readonly seed: number;
  /** Distinct tenants (values of the tenant tag). @default 40 */
  readonly tenants?: number;
  /** Tag key that holds the tenant. @default "business_unit" (the sample's key) */
  readonly tenantTag?: string;
  /** First charge hour, ms since the epoch (UTC). @default 2024-09-01T00:00:00Z */
  readonly startMs?: number;
  /** Hours the charges are spread over. @default 720 (30 days) */
  readonly hours?: number;
}

/** Exact sums of a set of generated rows, in micro-dollars (integers). */
export interface GeneratedTotals {
  rows: number;
  billedMicroUsd: number;
  effectiveMicroUsd: number;
  listMicroUsd: number;
  /** Sum over the rows whose ContractedCost is not NULL. */
  contractedMicroUsd: number;
  /** Rows whose ContractedCost cell is the literal NULL. */
  contractedNullRows: number;
}

/** What {@link writeFocusCsv} wrote, summed as it wrote it. */
export interface GeneratedFocusFile {
  /** Every row. */
  readonly file: GeneratedTotals;
  /** By tenant tag value; the key `null` holds the rows without the tag (NULL Tags or no such key). */
  readonly byTenant: Map<string | null, GeneratedTotals>;
  /** By ChargeCategory. */
  readonly byChargeCategory: Map<string, GeneratedTotals>;
  /** By ProviderName. */
  readonly byProvider: Map<string, GeneratedTotals>;
  /** Usage rows by PricingCategory (`""` for Oracle's quoted empty cell). */
  readonly usageByPricingCategory: Map<string, GeneratedTotals>;
  /** Usage rows with a commitment, EffectiveCost by CommitmentDiscountStatus. */
  readonly commitmentEffectiveMicroUsd: { used: number; unused: number };
  /** Bytes written. */
  readonly bytes: number;
}

const hourMs = 3_600_000;

const optionsSchema = z.strictObject({
  rows: z.number().int().min(0),
  seed: z.number().int().refine(Number.isSafeInteger, "a safe integer"),
  tenants: z.number().int().min(1).max(100_000).optional(),
  tenantTag: z.string().min(1).optional(),
  startMs: z.number().int().min(0).max(8.64e15).optional(),
  hours: z.number().int().min(1).max(1_000_000).optional(),
});

const providers = [
  {
    name: "AWS",
    publisher: "Amazon Web Services, Inc.",
    account: "1234567890123",
    accountName: "SunBird",
    services: [
      ["Amazon Elastic Compute Cloud", "Compute", "Hours", "instance"],
      ["Amazon Simple Storage Service", "Storage", "GB-Mo", "bucket"],
      ["Amazon Relational Database Service", "Databases", "Hours", "db"],
      ["AWS Lambda", "Compute", "Lambda-GB-Second", "function"],
    ],
    regions: [
      ["us-east-1", "US East (N. Virginia)"],
      ["us-west-2", "US West (Oregon)"],
      ["eu-west-1", "Europe (Ireland)"],
    ],
  },
  {
    name: "Microsoft",
    publisher: "Microsoft",
    account: "87654321",
    accountName: "Contoso",
    services: [
      ["Virtual Machines", "Compute", "Hours", "virtualmachines"],
      ["Storage", "Storage", "GB/Month", "storageaccounts"],
    ],
    regions: [
      ["eastus", "East US"],
      ["westeurope", "West Europe"],
    ],
  },
  {
    name: "Oracle",
    publisher: "Oracle",
    account: "20209880",
    accountName: "",
    services: [
      ["COMPUTE", "Compute", "OCPU Hours", "instance"],
      ["BLOCK_STORAGE", "Storage", "GB Months", "bootvolume"],
    ],
    regions: [["us-sanjose-1", "us-sanjose-1"]],
  },
] as const;

const commitments = [
  "arn:aws:savingsplans::961082193871:savingsplan/493f5705-db1c-4867-8e5c-ee9a66fa6d3f",
  "arn:aws:savingsplans::365499461711:savingsplan/37985e61-4fcb-4023-9dd7-e524c80342a2",
  "arn:aws:ec2:us-east-1:365499461711:reserved-instances/2b3c4d5e-6f70-8192-a3b4-c5d6e7f80912",
];

function emptyTotals(): GeneratedTotals {
  return {
    rows: 0,
    billedMicroUsd: 0,
    effectiveMicroUsd: 0,
    listMicroUsd: 0,
    contractedMicroUsd: 0,
    contractedNullRows: 0,
  };
}

function add<K>(
  map: Map<K, GeneratedTotals>,
  key: K,
  billed: number,
  effective: number,
  list: number,
  contracted: number | null,
): void {
  let totals = map.get(key);
  if (totals === undefined) {
    totals = emptyTotals();
    map.set(key, totals);
  }
  addTo(totals, billed, effective, list, contracted);
}

function addTo(
  totals: GeneratedTotals,
  billed: number,
  effective: number,
  list: number,
  contracted: number | null,
): void {
  totals.rows++;
  totals.billedMicroUsd += billed;
  totals.effectiveMicroUsd += effective;
  totals.listMicroUsd += list;
  if (contracted === null) totals.contractedNullRows++;
  else totals.contractedMicroUsd += contracted;
}

/** Micro-dollars as the sample writes money: 11 decimals. */
function money(micro: number): string {
  return `${(micro / 1e6).toFixed(6)}00000`;
}

/** A CSV cell: quoted, inner quotes doubled. */
function quoted(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/**
 * Writes a FOCUS-shaped CSV file of `options.rows` rows to `path` and returns its exact totals.
 * Streams: memory stays flat whatever the row count.
 */
export async function writeFocusCsv(
  path: string,
  options: GenerateFocusOptions,
): Promise<GeneratedFocusFile> {
  if (typeof path !== "string" || path.length === 0) {
    throw invalidField("path", path, "a non-empty file path");
  }
  const checked = parseOptions(optionsSchema, options, "options");
  const random = createRandom(checked.seed);
  const tenantCount = checked.tenants ?? 40;
  const tenantTag = checked.tenantTag ?? "business_unit";
  const startMs = checked.startMs ?? Date.UTC(2024, 8, 1);
  const hours = checked.hours ?? 720;
  const tenants = Array.from(
    { length: tenantCount },
    (_, index) => `tenant-${String(index).padStart(3, "0")}`,
  );
  const billingStart = timestamp(
    Date.UTC(new Date(startMs).getUTCFullYear(), new Date(startMs).getUTCMonth(), 1),
  );
  const billingEnd = timestamp(
    Date.UTC(new Date(startMs).getUTCFullYear(), new Date(startMs).getUTCMonth() + 1, 1),
  );

  const file = emptyTotals();
  const byTenant = new Map<string | null, GeneratedTotals>();
  const byChargeCategory = new Map<string, GeneratedTotals>();
  const byProvider = new Map<string, GeneratedTotals>();
  const usageByPricingCategory = new Map<string, GeneratedTotals>();
  const commitmentEffectiveMicroUsd = { used: 0, unused: 0 };

  const stream = createWriteStream(path);
  let bytes = 0;
  let chunk = `${generatedFocusColumns.map(quoted).join(",")}\n`;
  const flush = async (): Promise<void> => {
    bytes += Buffer.byteLength(chunk);
    if (!stream.write(chunk)) await once(stream, "drain");
    chunk = "";
  };

  for (let row = 0; row < checked.rows; row++) {
    const draw = random.next();
    const provider = providers[draw < 0.8 ? 0 : draw < 0.95 ? 1 : 2]!;
    const oracle = provider.name === "Oracle";
    const service = provider.services[random.nextInt(provider.services.length)]!;
    const region = provider.regions[random.nextInt(provider.regions.length)]!;
    const categoryDraw = random.next();
    const category =
      categoryDraw < 0.94
        ? "Usage"
        : categoryDraw < 0.95
          ? "Purchase"
          : categoryDraw < 0.97
            ? "Tax"
            : categoryDraw < 0.985
              ? "Credit"
              : "Adjustment";
    // Log-uniform list cost over four decades, from 0.0001 to 1 dollar... up to 10 dollars.
    const listBase = Math.max(1, Math.round(10 ** (2 + random.next() * 5)));
    let billed: number;
    let effective: number;
    let list: number;
    let pricing = oracle ? "" : "Standard";
    let commitment = "NULL";
    let commitmentStatus = "NULL";
    let commitmentType = "NULL";
    let commitmentCategory = "NULL";
    if (category === "Usage") {
      const pricingDraw = random.next();
      if (!oracle && pricingDraw < 0.3) {
        pricing = "Committed";
        commitment = quoted(commitments[random.nextInt(commitments.length)]!);
        commitmentType = commitment.includes("savingsplan") ? '"Savings Plan"' : '"Reserved Instance"';
        commitmentCategory = commitment.includes("savingsplan") ? '"Spend"' : '"Usage"';
        if (random.next() < 0.15) {
          commitmentStatus = '"Unused"';
          list = 0;
          effective = Math.round(listBase * 0.6);
          commitmentEffectiveMicroUsd.unused += effective;
        } else {
          commitmentStatus = '"Used"';
          list = listBase;
          effective = Math.round(listBase * 0.7);
          commitmentEffectiveMicroUsd.used += effective;
        }
        billed = 0;
      } else if (!oracle && pricingDraw < 0.4) {
        pricing = "Dynamic";
        list = listBase;
        effective = Math.round(listBase * 0.35);
        billed = effective;
      } else {
        list = listBase;
        effective = listBase;
        billed = listBase;
      }
    } else if (category === "Purchase") {
      pricing = "Committed";
      commitment = quoted(commitments[random.nextInt(commitments.length)]!);
      billed = listBase * 10;
      effective = 0;
      list = billed;
    } else if (category === "Tax") {
      billed = Math.round(listBase * 0.08);
      effective = billed;
      list = billed;
      pricing = "NULL";
    } else if (category === "Credit") {
      billed = -listBase;
      effective = -listBase;
      list = -listBase;
      pricing = "Other";
    } else {
      billed = random.next() < 0.5 ? listBase : -listBase;
      effective = billed;
      list = 0;
      pricing = "NULL";
    }
    const contracted = oracle || random.next() < 0.02 ? null : Math.round(list * 0.97);
    const tagDraw = random.next();
    const tenant = tagDraw < 0.05 ? null : tenants[random.nextInt(tenantCount)]!;
    // 5% of rows have NULL Tags, 3% tags without the tenant key.
    const tags =
      tenant === null
        ? "NULL"
        : tagDraw < 0.08
          ? quoted(JSON.stringify({ application: `app-${random.nextInt(50)}`, environment: "dev" }))
          : quoted(
              JSON.stringify({
                application: `app-${random.nextInt(50)}`,
                environment: random.next() < 0.5 ? "prod" : "dev",
                [tenantTag]: tenant,
              }),
            );
    const tenantKey = tagDraw < 0.08 ? null : tenant;
    const daily = provider.name === "Microsoft" && random.next() < 0.5;
    const hour = random.nextInt(hours);
    const periodStartMs = daily ? startMs + Math.floor(hour / 24) * 24 * hourMs : startMs + hour * hourMs;
    const periodEndMs = periodStartMs + (daily ? 24 : 1) * hourMs;
    const quantity = (list / 1e6 / 0.0464).toFixed(6);
    const description =
      random.next() < 0.0005
        ? quoted(`${service[0]} usage,\nsplit over two lines`)
        : quoted(`$0.0464 per ${service[0]} ${service[2]} in ${region[1]}`);
    const resource = `${service[3]}-${random.nextUint32().toString(16)}`;

    chunk +=
      `${oracle ? quoted(`fjrQ:${region[0].toUpperCase()}-AD-1`) : "NULL"},${money(billed)},` +
      `${quoted(provider.account)},${quoted(provider.accountName)},"USD",` +
      `${quoted(billingEnd)},${quoted(billingStart)},${quoted(category)},NULL,${description},` +
      `${category === "Usage" ? '"Usage-Based"' : '"One-Time"'},` +
      `${quoted(timestamp(periodEndMs))},${quoted(timestamp(periodStartMs))},` +
      `${commitmentCategory},${commitment},NULL,${commitmentStatus},${commitmentType},` +
      `${quantity},${quoted(service[2])},${contracted === null ? "NULL" : money(contracted)},` +
      `${contracted === null ? "NULL" : "0.0450000000"},${money(effective)},${quoted(provider.publisher)},` +
      `${money(list)},"0.0464",${pricing === "NULL" ? "NULL" : quoted(pricing)},${quantity},` +
      `${quoted(service[2])},${quoted(provider.name)},${quoted(provider.publisher)},${quoted(region[0])},` +
      `${quoted(region[1])},${quoted(resource)},NULL,${quoted(service[3])},${quoted(service[1])},` +
      `${row + 1},${quoted(service[0])},"SKU${random.nextInt(1000)}",NULL,` +
      `${quoted(String(10_000_000_000 + random.nextInt(40)))},"Account ${random.nextInt(40)}",${tags},` +
      `${random.next() < 0.5 ? "NULL" : `"cc-${random.nextInt(20)}"`}\n`;

    addTo(file, billed, effective, list, contracted);
    add(byTenant, tenantKey, billed, effective, list, contracted);
    add(byChargeCategory, category, billed, effective, list, contracted);
    add(byProvider, provider.name, billed, effective, list, contracted);
    if (category === "Usage") add(usageByPricingCategory, pricing, billed, effective, list, contracted);
    if (chunk.length > 1 << 20) await flush();
  }
  await flush();
  stream.end();
  await once(stream, "finish");
  return {
    file,
    byTenant,
    byChargeCategory,
    byProvider,
    usageByPricingCategory,
    commitmentEffectiveMicroUsd,
    bytes,
  };
}
