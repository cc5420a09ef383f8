import { enisPackage } from "../../tsup.shared.js";

// "testing" is the conformance suite every store runs: a separate entry, so vitest stays an
// optional peer that applications never load.
export default enisPackage({
  entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  external: ["vitest"],
});
