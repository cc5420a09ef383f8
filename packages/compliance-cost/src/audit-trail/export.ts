import { invalidField } from "@enis/core/validate";
import { genesisHash, hashLine, parseEntry } from "./format.js";
import type { AuditCheckpoint, AuditVerifyReport } from "./verify.js";

/** The format name in an export's header line. */
export const auditExportFormat = "enis-audit-export/v1";

const hashRule =
  "hash = SHA-256 of the UTF-8 bytes of line; each entry's prev is the previous entry's hash, the first entry's prev is genesis = SHA-256 of 'enis-audit-trail/v1\\n' + trailId";

/** Builds the JSON Lines export of a verified trail (see `AuditTrail.exportJsonl`). */
export function buildExport(input: {
  trailId: string;
  lines: readonly string[];
  report: AuditVerifyReport;
  anchor: AuditCheckpoint | undefined;
  events: ReadonlyMap<number, unknown> | undefined;
}): string {
  const { trailId, lines, report, anchor, events } = input;
  const out: string[] = [
    JSON.stringify({
      type: "header",
      format: auditExportFormat,
      trailId,
      genesis: genesisHash(trailId),
      hashRule,
      entries: lines.length,
      events: events !== undefined,
    }),
  ];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const row: Record<string, unknown> = { type: "entry", index, hash: hashLine(line), line };
    if (events?.has(index)) row["event"] = events.get(index);
    out.push(JSON.stringify(row));
  }
  out.push(
    JSON.stringify({
      type: "proof",
      head: lines.length === 0 ? genesisHash(trailId) : hashLine(lines[lines.length - 1]!),
      lastCheckpoint: report.lastCheckpoint ?? null,
      anchor: anchor ?? null,
      verification: report,
    }),
  );
  return `${out.join("\n")}\n`;
}

/** The outcome of {@link verifyAuditExport}. */
export interface AuditExportCheck {
  /** True when the export is well formed and its chain links hold from the genesis hash to its head. */
  readonly ok: boolean;
  /** Entry lines in the export. */
  readonly entries: number;
  /** Whether the export's own verification (made with the keys when it was exported) said ok. */
  readonly exportedVerificationOk: boolean;
  /** The first inconsistency: the export's line number (0 = header) and why. */
  readonly problem?: { readonly line: number; readonly message: string };
}

/**
 * Re-checks an export without any key: every entry line parses, sits at its position, hashes to
 * the hash the export states, and names the previous entry's hash (the first, the genesis hash of
 * the trail id); the proof's head is the last hash. This is what an auditor can check alone. The
 * AES-GCM tags and checkpoint HMACs need the keys: their verdict is the export's `verification`
 * (reported as `exportedVerificationOk`), or a `verify()` run by a key holder.
 *
 * What `ok` does not cover: the decrypted `event` of each row (nothing without the key binds it to
 * its encrypted line: an edited event still gives `ok: true`); `exportedVerificationOk`, which only
 * repeats what the export says of itself; and the export's authenticity as a whole (the chain is
 * unkeyed: whoever writes an export can make it self-consistent). Tie it to the real trail by
 * comparing an anchor obtained apart from the exporter (its `head` and `seq`) with the export's
 * entry `prev` at that position, and check events with a key holder's `readRecords()`.
 *
 * Throws `INVALID_OPTIONS` when `text` is not a string.
 */
export function verifyAuditExport(text: string): AuditExportCheck {
  if (typeof text !== "string") throw invalidField("text", text, "the JSON Lines text of an export");
  const rows = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  let entries = 0;
  const fail = (line: number, message: string, exportedVerificationOk = false): AuditExportCheck =>
    Object.freeze({ ok: false, entries, exportedVerificationOk, problem: Object.freeze({ line, message }) });
  const parsed: Record<string, unknown>[] = [];
  for (let i = 0; i < rows.length; i++) {
    try {
      const value: unknown = JSON.parse(rows[i]!);
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return fail(i, "not a JSON object");
      parsed.push(value as Record<string, unknown>);
    } catch {
      return fail(i, "not JSON");
    }
  }
  const header = parsed[0];
  if (
    header?.["type"] !== "header" ||
    header["format"] !== auditExportFormat ||
    typeof header["trailId"] !== "string"
  )
    return fail(0, `the first line is not an ${auditExportFormat} header`);
  const genesis = genesisHash(header["trailId"]);
  if (header["genesis"] !== genesis) return fail(0, "the header's genesis is not the hash of its trail id");
  const proof = parsed[parsed.length - 1];
  const verification = proof?.["verification"] as { ok?: unknown } | undefined;
  const exportedOk = verification?.ok === true;
  if (parsed.length < 2 || proof?.["type"] !== "proof")
    return fail(parsed.length - 1, "the last line is not the proof");
  let prev = genesis;
  for (let i = 1; i < parsed.length - 1; i++) {
    const row = parsed[i]!;
    const index = i - 1;
    if (row["type"] !== "entry" || row["index"] !== index || typeof row["line"] !== "string")
      return fail(i, `line ${i} is not entry ${index}`, exportedOk);
    const line = row["line"];
    const hash = hashLine(line);
    if (row["hash"] !== hash)
      return fail(i, `entry ${index}'s stated hash is not the SHA-256 of its line`, exportedOk);
    const entry = parseEntry(line);
    if (typeof entry === "string") return fail(i, `entry ${index} is malformed: ${entry}`, exportedOk);
    if (entry.seq !== index) return fail(i, `entry ${index} claims position ${entry.seq}`, exportedOk);
    if (entry.prev !== prev)
      return fail(i, `entry ${index}'s prev is not the hash of the entry before it`, exportedOk);
    prev = hash;
    entries++;
  }
  if (header["entries"] !== entries)
    return fail(
      0,
      `the header counts ${String(header["entries"])} entries, the export holds ${entries}`,
      exportedOk,
    );
  if (proof["head"] !== prev)
    return fail(parsed.length - 1, "the proof's head is not the last entry's hash", exportedOk);
  return Object.freeze({ ok: true, entries, exportedVerificationOk: exportedOk });
}
