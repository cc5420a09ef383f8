import { enisPackage } from "../../tsup.shared.js";

// "testing" is the seeded FOCUS file generator: an entry of its own, so applications never load it.
export default enisPackage({
  entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  external: ["@duckdb/node-api"],
});
