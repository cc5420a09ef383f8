import { enisPackage } from "../../tsup.shared.js";

// "store" is what a store implementer needs (the port's checks, key rule and Lua twins) and
// "testing" the conformance suite every store runs: separate entries, so vitest stays an optional
// peer that applications never load.
export default enisPackage({
  entry: { index: "src/index.ts", store: "src/port.ts", "testing/index": "src/testing/index.ts" },
  external: ["vitest"],
});
