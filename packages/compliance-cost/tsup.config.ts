import { enisPackage } from "../../tsup.shared.js";

// "file-sink" is the audit trail's append-only file sink: its own entry, so that the main entry
// never imports node:fs (it runs where there is no file system; the memory sink or a caller's own
// sink serve there).
export default enisPackage({
  entry: { index: "src/index.ts", "file-sink": "src/audit-trail/file-sink.ts" },
});
