import { enisPackage } from "../../tsup.shared.js";

export default enisPackage();
