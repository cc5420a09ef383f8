import { enisPackage } from "../../tsup.shared.js";

// "validate" holds the validation helpers the other @enis packages share: a subpath of its own, so
// they stay out of the package's public surface.
export default enisPackage({ entry: { index: "src/index.ts", validate: "src/validate.ts" } });
