import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createManualClock, EnisError } from "@enis/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verifyAuditExport } from "./export.js";
import { formatEntry, parseEntry, recordAad } from "./format.js";
import { type AuditSink, createMemorySink } from "./sink.js";
import { createAuditTrail, verifyAuditTrail } from "./trail.js";
import type { AuditCheckpoint } from "./verify.js";

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const ringA = { activeKeyId: "a", keys: { a: keyA } };
const ringAB = { activeKeyId: "b", keys: { a: keyA, b: keyB } };

async function rejection(promise: Promise<unknown>): Promise<EnisError> {
  try {
    await promise;
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

function thrown(action: () => unknown): EnisError {
  try {
    action();
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an EnisError");
}

describe("createAuditTrail", () => {
  it("stores events encrypted, and a later trail over the same sink and keys reads them and continues the chain", async () => {
    const sink = createMemorySink();
    const clock = createManualClock(1_000);
    const first = createAuditTrail({ keyring: ringA, sink, clock });
    const events = [
      { action: "login", userId: "u-1" },
      { action: "export", rows: 1200 },
      "free text",
      42,
      null,
    ];
    for (const event of events) {
      clock.advance(5);
      await first.append(event);
    }
    // Nothing of the event is in the clear.
    expect(sink.lines().join("\n")).not.toContain("login");
    expect(sink.lines().join("\n")).not.toContain("u-1");

    // "Tomorrow", another process: same keyring, same sink.
    const second = createAuditTrail({ keyring: ringA, sink, clock: createManualClock(2_000) });
    const appended = await second.append({ action: "logout", userId: "u-1" });
    expect(appended).toMatchObject({ seq: 5, atMs: 2_000, keyId: "a" });
    const { records, report } = await second.readRecords();
    expect(report).toMatchObject({ ok: true, entries: 6, records: 6, checkpoints: 0 });
    expect(records.map((r) => r.event)).toEqual([...events, { action: "logout", userId: "u-1" }]);
    expect(records.map((r) => r.atMs)).toEqual([1_005, 1_010, 1_015, 1_020, 1_025, 2_000]);
  });

  it("keeps appends in call order when they are not awaited one by one", async () => {
    const sink = createMemorySink();
    const trail = createAuditTrail({ keyring: ringA, sink, clock: createManualClock(0) });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => trail.append({ i })));
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const { records, report } = await trail.readRecords();
    expect(report.ok).toBe(true);
    expect(records.map((r) => (r.event as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("keeps call order over an asynchronous sink whose appends take varying time", async () => {
    const inner = createMemorySink();
    let delay = 0;
    const slow: AuditSink = {
      append: (line) =>
        new Promise<void>((resolve) => {
          delay = (delay + 7) % 5;
          setTimeout(() => {
            inner.append(line);
            resolve();
          }, delay);
        }),
      read: async () => inner.read(),
    };
    const trail = createAuditTrail({
      keyring: ringA,
      sink: slow,
      clock: createManualClock(0),
      checkpointEvery: 4,
    });
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => trail.append({ i })));
    const checkpoint = trail.checkpoint();
    const second = await Promise.all(Array.from({ length: 10 }, (_, i) => trail.append({ i: 10 + i })));
    // Checkpoints at 4 and 9 (every 4 records), 12 (asked), then 17 and 22.
    expect((await checkpoint).seq).toBe(12);
    expect([...first, ...second].map((r) => r.seq)).toEqual([
      0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 13, 14, 15, 16, 18, 19, 20, 21, 23, 24,
    ]);
    const { records, report } = await trail.readRecords();
    expect(report.ok).toBe(true);
    expect(records.map((r) => (r.event as { i: number }).i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("authenticates each record's position, time, key id and previous hash as the JSON array the docs give", () => {
    expect(recordAad(3, 1_764_633_600_000, "k-1", "ab".repeat(32)).toString("utf8")).toBe(
      JSON.stringify(["enis-audit-record", 1, 3, 1_764_633_600_000, "k-1", "ab".repeat(32)]),
    );
    expect(recordAad(0, 0.5, "k", "0".repeat(64)).toString("utf8")).toBe(
      JSON.stringify(["enis-audit-record", 1, 0, 0.5, "k", "0".repeat(64)]),
    );
  });

  it("writes a checkpoint every checkpointEvery records and hands each to onCheckpoint", async () => {
    const seen: AuditCheckpoint[] = [];
    const sink = createMemorySink();
    const trail = createAuditTrail({
      keyring: ringA,
      sink,
      clock: createManualClock(0),
      checkpointEvery: 3,
      onCheckpoint: (checkpoint) => {
        seen.push(checkpoint);
      },
    });
    for (let i = 0; i < 7; i++) await trail.append({ i });
    expect(seen.map((c) => c.seq)).toEqual([3, 7]);
    const report = await trail.verify({ anchor: seen[1]! });
    expect(report).toMatchObject({ ok: true, records: 7, checkpoints: 2, unanchoredEntries: 1 });
    // A trail reopened over the sink counts the records since the last checkpoint.
    const reopened = createAuditTrail({
      keyring: ringA,
      sink,
      clock: createManualClock(0),
      checkpointEvery: 3,
    });
    await reopened.append({ i: 7 });
    await reopened.append({ i: 8 });
    expect(sink.lines().at(-1)).toContain('"kind":"checkpoint"');
    expect(sink.lines()).toHaveLength(12);
  });

  it("a key rotation keeps old records readable by key id, and verification works across it", async () => {
    const sink = createMemorySink();
    const trail = createAuditTrail({ keyring: ringA, sink, clock: createManualClock(0) });
    await trail.append({ before: 1 });
    await trail.append({ before: 2 });
    const closing = await trail.rotateKey(ringAB);
    expect(closing).toMatchObject({ seq: 2, keyId: "a" });
    await trail.append({ after: 1 });
    const anchor = await trail.checkpoint();
    expect(anchor.keyId).toBe("b");
    const { records, report } = await trail.readRecords({ anchor });
    expect(report.ok).toBe(true);
    expect(records.map((r) => [r.keyId, r.event])).toEqual([
      ["a", { before: 1 }],
      ["a", { before: 2 }],
      ["b", { after: 1 }],
    ]);
    // Once the old key is dropped from the keyring (crypto-shredding), the trail still verifies —
    // the entries under "b" prove the chain before them — but its records cannot be read: said, not hidden.
    const ringB = { activeKeyId: "b", keys: { b: keyB } };
    expect(await verifyAuditTrail({ keyring: ringB, sink })).toMatchObject({ ok: true, verifiedEntries: 5 });
    const shredded = await createAuditTrail({
      keyring: ringB,
      sink,
      clock: createManualClock(0),
    }).readRecords();
    expect(shredded.records).toEqual([]);
    expect(shredded.report.problem).toMatchObject({ index: 0, kind: "unknown-key" });
    // Only entries after the last one under a known key are beyond proof.
    const onlyA = await verifyAuditTrail({ keyring: ringA, sink });
    expect(onlyA.problem).toMatchObject({ index: 3, kind: "unknown-key" });
    expect(onlyA.verifiedEntries).toBe(3);
    // A key id cannot change its bytes.
    const error = await rejection(trail.rotateKey({ activeKeyId: "a", keys: { a: keyB } }));
    expect(error.code).toBe("INVALID_OPTIONS");
    expect(error.field).toBe('keyring.keys["a"]');
  });

  it("a rotation takes effect once its closing checkpoint is stored, even if onCheckpoint throws", async () => {
    const sink = createMemorySink();
    const trail = createAuditTrail({
      keyring: ringA,
      sink,
      clock: createManualClock(0),
      onCheckpoint: () => {
        throw new Error("anchor store down");
      },
    });
    await trail.append({ n: 1 });
    await expect(trail.rotateKey(ringAB)).rejects.toThrow("anchor store down");
    expect((await trail.append({ n: 2 })).keyId).toBe("b");
    expect((await trail.verify()).ok).toBe(true);
  });

  it("a record moved under another key id (same bytes) does not verify: keys are derived per id", async () => {
    const sink = createMemorySink();
    const ring = { activeKeyId: "x", keys: { x: keyA, y: keyA } };
    const trail = createAuditTrail({ keyring: ring, sink, clock: createManualClock(0) });
    await trail.append({ secret: true });
    const line = sink.lines()[0]!.replace('"keyId":"x"', '"keyId":"y"');
    const report = await verifyAuditTrail({ keyring: ring, sink: createMemorySink([line]) });
    expect(report.problem).toMatchObject({ index: 0, kind: "authentication-failed" });
  });

  it("accepts a line only in its canonical spelling", async () => {
    const sink = createMemorySink();
    const trail = createAuditTrail({ keyring: ringA, sink, clock: createManualClock(0) });
    await trail.append({ a: 1 });
    await trail.append({ a: 2 });
    const line = sink.lines()[1]!;
    const entry = parseEntry(line);
    if (typeof entry === "string" || entry.kind !== "record") throw new Error("not a record");
    // Same JSON value, other spellings: a space, an escape, another key order.
    const respelt = [
      line.replace('"seq":1,', '"seq": 1,'),
      line.replace('"kind":"record"', '"kind":"\\u0072ecord"'),
      `{"seq":1,"v":1${line.slice('{"v":1,"seq":1'.length)}`,
    ];
    // A base64url value whose unused last bits differ decodes to the same bytes.
    const bytes = Buffer.from(entry.data, "base64url");
    if (bytes.length % 3 !== 0) {
      const last = entry.data.at(-1)!;
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
      const data = `${entry.data.slice(0, -1)}${twin}`;
      expect(Buffer.from(data, "base64url").equals(bytes)).toBe(true);
      respelt.push(formatEntry({ ...entry, data }));
    }
    for (const variant of respelt) {
      expect(JSON.parse(variant)).toBeTypeOf("object");
      const report = await verifyAuditTrail({
        keyring: ringA,
        sink: createMemorySink([sink.lines()[0]!, variant]),
      });
      expect(report.problem).toMatchObject({ index: 1, kind: "malformed" });
    }
  });

  it("reads back exactly what it accepts: any accepted line re-formats to itself", async () => {
    const sink = createMemorySink();
    const trail = createAuditTrail({ keyring: ringA, sink, clock: createManualClock(1_764_633_600_000.5) });
    await trail.append({ a: 1 });
    await trail.checkpoint();
    const samples = sink.lines();
    for (const line of samples)
      expect(formatEntry(parseEntry(line) as Parameters<typeof formatEntry>[0])).toBe(line);
    fc.assert(
      fc.property(
        fc.nat({ max: 1 }),
        fc.nat(),
        fc.string({ minLength: 0, maxLength: 3, unit: "binary" }),
        fc.nat({ max: 3 }),
        (which, position, text, removed) => {
          const line = samples[which]!;
          const at = position % line.length;
          const mutated = line.slice(0, at) + text + line.slice(at + removed);
          const entry = parseEntry(mutated);
          if (typeof entry === "string") return;
          // What JSON reads is what the strict reader read, and its bytes spell back the same.
          expect(JSON.parse(mutated)).toEqual(entry);
          const respell = (text: string) => Buffer.from(text, "base64url").toString("base64url");
          const bytesRespelt =
            entry.kind === "record"
              ? { ...entry, iv: respell(entry.iv), data: respell(entry.data) }
              : { ...entry, mac: respell(entry.mac) };
          expect(formatEntry(bytesRespelt)).toBe(mutated);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it("binds entries to their trail id: another trail's first entry does not start this one", async () => {
    const sink = createMemorySink();
    await createAuditTrail({ keyring: ringA, sink, clock: createManualClock(0), trailId: "payroll" }).append(
      {},
    );
    const report = await verifyAuditTrail({ keyring: ringA, sink, trailId: "billing" });
    expect(report.problem).toMatchObject({ index: 0, kind: "chain-broken" });
    expect((await verifyAuditTrail({ keyring: ringA, sink, trailId: "payroll" })).ok).toBe(true);
  });

  it("rejects another trail's anchor relabelled with this trail's id: the MAC covers the trail id", async () => {
    // Two trails under one keyring; the long one's checkpoint is relabelled for the short one.
    const longSink = createMemorySink();
    const long = createAuditTrail({
      keyring: ringA,
      sink: longSink,
      clock: createManualClock(0),
      trailId: "payroll",
    });
    for (let i = 0; i < 5; i++) await long.append({ i });
    const foreign = await long.checkpoint();
    for (let i = 0; i < 3; i++) await long.append({ i });
    const afterwards = await long.checkpoint();
    const shortSink = createMemorySink();
    const short = createAuditTrail({
      keyring: ringA,
      sink: shortSink,
      clock: createManualClock(0),
      trailId: "billing",
    });
    await short.append({ n: 1 });
    // Longer than the short trail: without the trail id in the MAC this read as "truncated".
    const relabelled = { ...foreign, trailId: "billing" };
    const report = await short.verify({ anchor: relabelled });
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ kind: "anchor-invalid", index: foreign.seq });
    // Shorter than a trail that has that many entries: it would have read as "anchor-mismatch".
    for (let i = 0; i < 10; i++) await short.append({ i });
    expect((await short.verify({ anchor: relabelled })).problem).toMatchObject({ kind: "anchor-invalid" });
    expect((await short.verify({ anchor: { ...afterwards, trailId: "billing" } })).problem).toMatchObject({
      kind: "anchor-invalid",
    });
    // The keyless checks agree, and the genuine anchor still verifies its own trail.
    expect(
      (await verifyAuditTrail({ keyring: ringA, sink: shortSink, trailId: "billing", anchor: relabelled }))
        .problem,
    ).toMatchObject({ kind: "anchor-invalid" });
    expect((await long.verify({ anchor: foreign })).ok).toBe(true);
    expect(
      (await verifyAuditTrail({ keyring: ringA, sink: longSink, trailId: "payroll", anchor: afterwards })).ok,
    ).toBe(true);
  });

  it("rejects an anchor that is not a checkpoint of this trail under these keys", async () => {
    const sink = createMemorySink();
    const trail = createAuditTrail({ keyring: ringA, sink, clock: createManualClock(0) });
    await trail.append({});
    const anchor = await trail.checkpoint();
    expect((await trail.verify({ anchor })).ok).toBe(true);
    const forged = { ...anchor, seq: anchor.seq + 5 };
    expect((await trail.verify({ anchor: forged })).problem).toMatchObject({ kind: "anchor-invalid" });
    const otherKey = await createAuditTrail({
      keyring: { activeKeyId: "a", keys: { a: keyB } },
      sink: createMemorySink(),
      clock: createManualClock(0),
    }).checkpoint();
    expect((await trail.verify({ anchor: otherKey })).problem).toMatchObject({ kind: "anchor-invalid" });
    // A rewritten trail (same keys) that no longer holds the anchor's checkpoint at its position.
    const rewritten = createMemorySink();
    const rewriter = createAuditTrail({ keyring: ringA, sink: rewritten, clock: createManualClock(0) });
    await rewriter.append({ other: true });
    await rewriter.append({});
    const report = await verifyAuditTrail({ keyring: ringA, sink: rewritten, anchor });
    expect(report.problem).toMatchObject({ index: 1, kind: "anchor-mismatch" });
    await expect(trail.verify({ anchor: { ...anchor, head: "zz" } })).rejects.toMatchObject({
      code: "INVALID_OPTIONS",
      field: "options.anchor.head",
    });
  });

  it("stops appending after a failed sink write, and refuses to continue a sink whose last entry does not verify", async () => {
    let fail = false;
    const inner = createMemorySink();
    const flaky: AuditSink = {
      append(line) {
        if (fail) throw new Error("disk full");
        inner.append(line);
      },
      read: () => inner.read(),
    };
    const trail = createAuditTrail({ keyring: ringA, sink: flaky, clock: createManualClock(0) });
    await trail.append({ n: 1 });
    fail = true;
    expect((await rejection(trail.append({ n: 2 }))).code).toBe("STORE_UNAVAILABLE");
    fail = false;
    expect((await rejection(trail.append({ n: 3 }))).code).toBe("STORE_UNAVAILABLE");
    expect(inner.lines()).toHaveLength(1);

    const tampered = inner.lines();
    tampered[0] = tampered[0]!.replace('"atMs":0', '"atMs":1');
    const resumed = createAuditTrail({
      keyring: ringA,
      sink: createMemorySink(tampered),
      clock: createManualClock(0),
    });
    const error = await rejection(resumed.append({ n: 4 }));
    expect(error.code).toBe("INVALID_DATA");
    expect(error.message).toContain("index 0");
  });

  it("exports JSON Lines with the chain proofs, which an auditor re-checks without keys", async () => {
    const sink = createMemorySink();
    const trail = createAuditTrail({ keyring: ringA, sink, clock: createManualClock(0), checkpointEvery: 2 });
    for (let i = 0; i < 5; i++) await trail.append({ i });
    const anchor = await trail.checkpoint();
    const text = await trail.exportJsonl({ anchor });
    const rows = text
      .trimEnd()
      .split("\n")
      .map((row) => JSON.parse(row));
    expect(rows[0]).toMatchObject({
      type: "header",
      format: "enis-audit-export/v1",
      trailId: "default",
      entries: 8,
    });
    expect(rows[1]).toMatchObject({ type: "entry", index: 0, event: { i: 0 } });
    expect(rows.at(-1)).toMatchObject({ type: "proof", anchor, verification: { ok: true } });
    expect(verifyAuditExport(text)).toEqual({ ok: true, entries: 8, exportedVerificationOk: true });

    // An edited line, or a line dropped from the export, breaks it where it happened.
    const edited = text.split("\n");
    // The stored line sits in the export as a JSON string: its quotes are escaped.
    expect(edited[3]).toContain('\\"seq\\":2');
    edited[3] = edited[3]!.replace('\\"seq\\":2', '\\"seq\\":3');
    expect(verifyAuditExport(edited.join("\n")).problem?.line).toBe(3);
    const dropped = text.split("\n");
    dropped.splice(2, 1);
    expect(verifyAuditExport(dropped.join("\n")).ok).toBe(false);

    const sealed = await trail.exportJsonl({ events: false });
    expect(sealed).not.toContain('"event"');
    expect(verifyAuditExport(sealed).ok).toBe(true);
  });

  it("takes one key as { key, keyId } (the keyring with that one key), and a rotation keeps it readable", async () => {
    const key = new Uint8Array(randomBytes(32));
    const sink = createMemorySink();
    const clock = createManualClock(1_000);
    const trail = createAuditTrail({ key, keyId: "k1", sink, clock });
    await trail.append({ action: "login" });
    expect((await trail.verify()).ok).toBe(true);
    // The same trail read with the equivalent keyring, and with the key under the default id it was not written with.
    const asKeyring = await verifyAuditTrail({ keyring: { activeKeyId: "k1", keys: { k1: key } }, sink });
    expect(asKeyring.ok).toBe(true);
    expect((await verifyAuditTrail({ key, sink })).ok).toBe(false);
    await trail.rotateKey({ activeKeyId: "k2", keys: { k1: key, k2: new Uint8Array(randomBytes(32)) } });
    await trail.append({ action: "logout" });
    expect((await trail.readRecords()).records.map((r) => r.keyId)).toEqual(["k1", "k2"]);
    expect(() => createAuditTrail({ key: new Uint8Array(16), sink, clock })).toThrowError(
      /options.key must be 32 bytes .* got 16 bytes/,
    );
    expect(() =>
      createAuditTrail({ key, keyring: { activeKeyId: "k1", keys: { k1: key } }, sink, clock }),
    ).toThrowError(/options.key must be absent when options.keyring is given/);
    expect(() => createAuditTrail({ sink, clock })).toThrowError(
      /options.keyring must be a keyring .* or options.key/,
    );
    expect(() => createAuditTrail({ key, keyId: "bad id", sink, clock })).toThrowError(
      /options.keyId must be 1 to 64/,
    );
  });

  it("rejects bad options with an EnisError naming the field", async () => {
    const sink = createMemorySink();
    const clock = createManualClock(0);
    const short = thrown(() =>
      createAuditTrail({ keyring: { activeKeyId: "k", keys: { k: randomBytes(16) } }, sink, clock }),
    );
    expect(short.code).toBe("INVALID_OPTIONS");
    expect(short.field).toBe('options.keyring.keys["k"]');
    expect(short.message).toBe(
      'options.keyring.keys["k"] must be 32 bytes (an AES-256 key: crypto.randomBytes(32) or a KMS data key, not a password), got 16 bytes',
    );
    const text = thrown(() =>
      createAuditTrail({
        keyring: { activeKeyId: "k", keys: { k: "a password" as unknown as Uint8Array } },
        sink,
        clock,
      }),
    );
    expect(text.message).toContain("must be a Uint8Array of 32 bytes");
    const inactive = thrown(() =>
      createAuditTrail({ keyring: { activeKeyId: "z", keys: { k: keyA } }, sink, clock }),
    );
    expect(inactive.field).toBe("options.keyring.activeKeyId");
    const empty = thrown(() => createAuditTrail({ keyring: { activeKeyId: "k", keys: {} }, sink, clock }));
    expect(empty.field).toBe("options.keyring.keys");
    const badId = thrown(() =>
      createAuditTrail({ keyring: { activeKeyId: "a b", keys: { "a b": keyA } }, sink, clock }),
    );
    expect(badId.field).toBe("options.keyring.keys");
    const typo = thrown(() =>
      createAuditTrail({ keyring: ringA, sink, clock, checkpointEvry: 5 } as unknown as Parameters<
        typeof createAuditTrail
      >[0]),
    );
    expect(typo.message).toContain('did you mean "checkpointEvery"');
    const noClock = thrown(() =>
      createAuditTrail({ keyring: ringA, sink, clock: (() => 0) as unknown as { nowMs(): number } }),
    );
    expect(noClock.field).toBe("options.clock");
    expect(thrown(() => createAuditTrail({ keyring: ringA, sink, clock, checkpointEvery: 0 })).field).toBe(
      "options.checkpointEvery",
    );
    expect(thrown(() => createAuditTrail({ keyring: ringA, sink: {} as AuditSink, clock })).field).toBe(
      "options.sink",
    );

    const trail = createAuditTrail({ keyring: ringA, sink, clock: { nowMs: () => Number.NaN } });
    const nan = await rejection(trail.append({}));
    expect(nan.field).toBe("options.clock.nowMs()");
    const bigint = await rejection(trail.append({ n: 1n }));
    expect(bigint).toMatchObject({ code: "INVALID_OPTIONS", field: "event" });
    expect((await rejection(trail.append(undefined))).field).toBe("event");
    expect(sink.lines()).toEqual([]);
  });

  it("keeps the main entry free of node:fs (the file sink is its own subpath)", () => {
    const dir = new URL(".", import.meta.url);
    for (const name of readdirSync(dir)) {
      if (name === "file-sink.ts" || name.endsWith(".test.ts")) continue;
      expect(readFileSync(new URL(name, dir), "utf8"), name).not.toMatch(/from "node:fs/);
    }
  });
});
