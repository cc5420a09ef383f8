import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileSink } from "@enis/compliance-cost/file-sink";
import { createManualClock, EnisError } from "@enis/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuditTrail } from "./trail.js";

const keyring = { activeKeyId: "k1", keys: { k1: randomBytes(32) } };
let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "enis-audit-"));
  path = join(dir, "trail.jsonl");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (EnisError.isInstance(error)) return error.code;
    throw error;
  }
  return "resolved";
}

describe("createFileSink", () => {
  it("appends one JSON line per entry, and a trail opened on the file later continues it", async () => {
    const sink = createFileSink({ path });
    expect(await sink.read()).toEqual({ lines: [] }); // no file yet
    const trail = createAuditTrail({ keyring, sink, clock: createManualClock(0) });
    await trail.append({ n: 1 });
    await trail.append({ n: 2 });
    await sink.close();
    const text = readFileSync(path, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(text.split("\n")).toHaveLength(3);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const again = createAuditTrail({
      keyring,
      sink: createFileSink({ path, fsync: "none" }),
      clock: createManualClock(9),
    });
    await again.append({ n: 3 });
    const { records, report } = await again.readRecords();
    expect(report.ok).toBe(true);
    expect(records.map((r) => r.event)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("reports a last line without its newline as a torn write, refuses to append after it, and cuts it on request", async () => {
    const sink = createFileSink({ path });
    const trail = createAuditTrail({ keyring, sink, clock: createManualClock(0) });
    await trail.append({ n: 1 });
    await trail.append({ n: 2 });
    await sink.close();
    const whole = readFileSync(path, "utf8");
    const lastLine = whole.trimEnd().split("\n")[1]!;
    // A crash halfway through the second line.
    writeFileSync(path, whole.slice(0, whole.length - 1 - Math.floor(lastLine.length / 2)));

    const fresh = createFileSink({ path });
    const contents = await fresh.read();
    expect(contents.lines).toHaveLength(1);
    expect(contents.tornTail).toMatchObject({ index: 1, reason: "no-newline" });
    const reopened = createAuditTrail({ keyring, sink: fresh, clock: createManualClock(5) });
    const report = await reopened.verify();
    expect(report).toMatchObject({
      ok: false,
      verifiedEntries: 1,
      problem: { index: 1, kind: "torn-write" },
    });
    expect(await code(reopened.append({ n: 3 }))).toBe("INVALID_DATA");
    expect(await code(fresh.append("{}"))).toBe("INVALID_DATA");

    const cut = await fresh.discardTornTail();
    expect(cut.tornTail).toMatchObject({ index: 1, reason: "no-newline" });
    expect(cut.discardedBytes).toBe(Math.ceil(lastLine.length / 2));
    const repaired = createAuditTrail({ keyring, sink: fresh, clock: createManualClock(5) });
    await repaired.append({ n: 3 });
    const { records, report: after } = await repaired.readRecords();
    expect(after.ok).toBe(true);
    expect(records.map((r) => r.event)).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it("reports a last line that does not parse (blocks allocated, never written) as a torn write", async () => {
    const sink = createFileSink({ path });
    const trail = createAuditTrail({ keyring, sink, clock: createManualClock(0) });
    await trail.append({ n: 1 });
    appendFileSync(path, `${"\u0000".repeat(40)}\n`);
    const contents = await createFileSink({ path }).read();
    expect(contents).toMatchObject({
      lines: [expect.any(String)],
      tornTail: { index: 1, reason: "unparseable", byteLength: 40 },
    });
    const fresh = createFileSink({ path });
    expect((await fresh.discardTornTail()).discardedBytes).toBe(41);
    expect(await fresh.read()).toEqual({ lines: [contents.lines[0]] });
  });

  it("a line that does not parse in the middle is not a torn write: verification reports it as malformed", async () => {
    const sink = createFileSink({ path });
    const trail = createAuditTrail({ keyring, sink, clock: createManualClock(0) });
    await trail.append({ n: 1 });
    await trail.append({ n: 2 });
    await sink.close();
    const lines = readFileSync(path, "utf8").split("\n");
    lines[0] = lines[0]!.slice(0, 30);
    writeFileSync(path, lines.join("\n"));
    const report = await createAuditTrail({
      keyring,
      sink: createFileSink({ path }),
      clock: createManualClock(0),
    }).verify();
    expect(report.tornTail).toBeUndefined();
    expect(report.problem).toMatchObject({ index: 0, kind: "malformed" });
  });

  it("refuses a line with a line break, and bad options", async () => {
    const sink = createFileSink({ path });
    expect(await code(sink.append('{"a":1}\n{"b":2}'))).toBe("INVALID_OPTIONS");
    expect(() => createFileSink({ path: "" })).toThrow(/options.path must be a non-empty string/);
    expect(() => createFileSink({ path, fsync: "sometimes" as "none" })).toThrow(/options.fsync/);
  });
});
