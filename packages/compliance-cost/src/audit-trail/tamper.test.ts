/*
 * 10,000 random tamperings of a trail, each detected at the index where it happened: flipped bits,
 * dropped, inserted and moved entries, and a cut tail (against the anchor the writer kept).
 */
import { randomBytes } from "node:crypto";
import { createManualClock } from "@enis/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { formatEntry, hashLine, parseEntry } from "./format.js";
import { createMemorySink } from "./sink.js";
import { createAuditTrail, verifyAuditTrail } from "./trail.js";
import type { AuditCheckpoint, AuditProblemKind } from "./verify.js";

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const keyring = { activeKeyId: "k-2026-12", keys: { "k-2026-11": oldKey, "k-2026-12": newKey } };

let lines: string[];
let anchor: AuditCheckpoint;
/** A genuine line of another trail under the same keys (a plausible insertion). */
let foreignLines: string[];

async function writeTrail(trailId: string): Promise<{ lines: string[]; anchor: AuditCheckpoint }> {
  const clock = createManualClock(1_764_633_600_000);
  const sink = createMemorySink();
  const trail = createAuditTrail({
    keyring: { activeKeyId: "k-2026-11", keys: { "k-2026-11": oldKey } },
    sink,
    clock,
    trailId,
    checkpointEvery: 7,
  });
  for (let i = 0; i < 20; i++) {
    clock.advance(1_000);
    await trail.append({ action: "read", userId: `u-${i % 5}`, tenantId: "acme", costUsd: i / 4 });
  }
  await trail.rotateKey(keyring);
  for (let i = 0; i < 15; i++) {
    clock.advance(1_000);
    await trail.append({ action: "write", userId: `u-${i % 3}`, resource: `bucket/${i}` });
  }
  const anchor = await trail.checkpoint();
  return { lines: sink.lines(), anchor };
}

beforeAll(async () => {
  ({ lines, anchor } = await writeTrail("billing"));
  foreignLines = (await writeTrail("payroll")).lines;
});

type Tamper =
  | { kind: "flip"; line: number; byte: number; bit: number }
  | { kind: "drop"; line: number }
  | { kind: "insert-copy"; at: number; from: number }
  | { kind: "insert-foreign"; at: number; from: number }
  | { kind: "insert-garbage"; at: number; text: string }
  | { kind: "move"; from: number; to: number }
  | { kind: "swap"; a: number; b: number }
  | { kind: "truncate"; keep: number }
  | { kind: "rechain"; line: number; byte: number; bit: number };

/** Applies a tampering; returns the lines and the index where verification must point. */
function apply(original: readonly string[], tamper: Tamper): { lines: string[]; index: number } {
  const out = [...original];
  const n = out.length;
  switch (tamper.kind) {
    case "flip": {
      const i = tamper.line % n;
      const bytes = Buffer.from(out[i]!, "utf8");
      const at = tamper.byte % bytes.length;
      bytes[at]! ^= 1 << tamper.bit;
      out[i] = new TextDecoder().decode(bytes);
      return { lines: out, index: i };
    }
    case "drop": {
      const i = tamper.line % n;
      out.splice(i, 1);
      return { lines: out, index: i };
    }
    case "insert-copy": {
      const at = tamper.at % (n + 1);
      const from = tamper.from % n;
      out.splice(at, 0, original[from]!);
      // A copy placed just before its original is the original: the second one is the intruder.
      return { lines: out, index: from === at ? at + 1 : at };
    }
    case "insert-foreign": {
      const at = tamper.at % (n + 1);
      out.splice(at, 0, foreignLines[tamper.from % foreignLines.length]!);
      return { lines: out, index: at };
    }
    case "insert-garbage": {
      const at = tamper.at % (n + 1);
      out.splice(at, 0, tamper.text);
      return { lines: out, index: at };
    }
    case "move": {
      const from = tamper.from % n;
      const to = tamper.to % n;
      const [line] = out.splice(from, 1);
      out.splice(to, 0, line!);
      return { lines: out, index: Math.min(from, to) };
    }
    case "swap": {
      const a = tamper.a % n;
      const b = tamper.b % n;
      [out[a], out[b]] = [out[b]!, out[a]!];
      return { lines: out, index: Math.min(a, b) };
    }
    case "rechain": {
      // A flipped bit, then every later prev rewritten to the new hashes: the chain links hold,
      // and only the keyed parts (AES-GCM tags, checkpoint HMACs) can tell.
      const i = tamper.line % n;
      const line = out[i]!;
      const start = line.indexOf('"iv":') >= 0 ? line.indexOf('"iv":') : line.indexOf('"mac":');
      const bytes = Buffer.from(line, "utf8");
      const at = start + 7 + (tamper.byte % (bytes.length - start - 9));
      bytes[at]! ^= 1 << tamper.bit;
      out[i] = new TextDecoder().decode(bytes);
      for (let k = i + 1; k < n; k++) {
        const entry = parseEntry(out[k]!);
        if (typeof entry === "string") break;
        out[k] = formatEntry({ ...entry, prev: hashLine(out[k - 1]!) });
      }
      return { lines: out, index: i };
    }
    case "truncate": {
      const keep = tamper.keep % n;
      return { lines: out.slice(0, keep), index: keep };
    }
  }
}

/** 35 records, checkpoints at 7, 15, 22 (the rotation), 30, 38 and 40 (the anchor). */
const entryCount = 41;
const index = fc.nat({ max: 10_000 });
const tamperArbitrary: fc.Arbitrary<Tamper> = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    line: index,
    byte: index,
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant("drop" as const), line: index }),
  fc.record({ kind: fc.constant("insert-copy" as const), at: index, from: index }),
  fc.record({ kind: fc.constant("insert-foreign" as const), at: index, from: index }),
  fc.record({ kind: fc.constant("insert-garbage" as const), at: index, text: fc.string({ maxLength: 300 }) }),
  fc
    .record({ kind: fc.constant("move" as const), from: index, to: index })
    .filter((t) => t.from % entryCount !== t.to % entryCount),
  fc
    .record({ kind: fc.constant("swap" as const), a: index, b: index })
    .filter((t) => t.a % entryCount !== t.b % entryCount),
  fc.record({ kind: fc.constant("truncate" as const), keep: index }),
  fc.record({
    kind: fc.constant("rechain" as const),
    line: index,
    byte: index,
    bit: fc.integer({ min: 0, max: 7 }),
  }),
);

describe("tamper detection", () => {
  it("the untouched trail verifies, with and without its anchor", async () => {
    expect(lines.length).toBe(entryCount);
    const plain = await verifyAuditTrail({ keyring, sink: createMemorySink(lines), trailId: "billing" });
    expect(plain.ok).toBe(true);
    const anchored = await verifyAuditTrail({
      keyring,
      sink: createMemorySink(lines),
      trailId: "billing",
      anchor,
    });
    expect(anchored).toMatchObject({ ok: true, verifiedEntries: entryCount, unanchoredEntries: 0 });
  });

  it("detects 10,000 random tamperings, each at the index where it happened", async () => {
    const seen = new Map<AuditProblemKind, number>();
    await fc.assert(
      fc.asyncProperty(tamperArbitrary, async (tamper) => {
        const tampered = apply(lines, tamper);
        const report = await verifyAuditTrail({
          keyring,
          sink: createMemorySink(tampered.lines),
          trailId: "billing",
          anchor,
        });
        expect(report.ok).toBe(false);
        expect(report.problem?.index).toBe(tampered.index);
        const kind = report.problem!.kind;
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
      }),
      { numRuns: 10_000 },
    );
    // Every way a trail can be tampered with was exercised and named.
    for (const kind of [
      "malformed",
      "missing",
      "out-of-order",
      "chain-broken",
      "authentication-failed",
      "truncated",
    ] as const) {
      expect(seen.get(kind) ?? 0).toBeGreaterThan(0);
    }
  });

  it("without an anchor, everything but a cut tail is still detected", async () => {
    await fc.assert(
      fc.asyncProperty(
        tamperArbitrary.filter(
          (t) => t.kind !== "truncate" && !(t.kind === "drop" && t.line % entryCount === entryCount - 1),
        ),
        async (tamper) => {
          const tampered = apply(lines, tamper);
          const report = await verifyAuditTrail({
            keyring,
            sink: createMemorySink(tampered.lines),
            trailId: "billing",
          });
          expect(report.ok).toBe(false);
          expect(report.problem?.index).toBe(tampered.index);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("without an anchor, a cut tail is a valid shorter trail (the documented limit), and unanchoredEntries says what is exposed", async () => {
    const cut = lines.slice(0, 33);
    const report = await verifyAuditTrail({ keyring, sink: createMemorySink(cut), trailId: "billing" });
    expect(report.ok).toBe(true);
    // The last checkpoint left is at 30: the two records after it are exposed.
    expect(report.lastCheckpoint?.seq).toBe(30);
    expect(report.unanchoredEntries).toBe(2);
    const anchored = await verifyAuditTrail({
      keyring,
      sink: createMemorySink(cut),
      trailId: "billing",
      anchor,
    });
    expect(anchored.problem).toMatchObject({ index: 33, kind: "truncated" });
  });
});
