import { EnisError } from "@enis/core";
import { describe, expect, it } from "vitest";
import { builtInRulePacks, parseRulePack, rulePack } from "./index.js";

describe("built-in packs", () => {
  it("round-trip through JSON", () => {
    for (const pack of Object.values(builtInRulePacks)) {
      expect(parseRulePack(JSON.parse(JSON.stringify(pack)))).toEqual(pack);
    }
  });
  it("unknown framework", () => {
    expect(() => rulePack("hippa")).toThrow(/did you mean "hipaa"/);
    try {
      rulePack("hippa");
    } catch (e) {
      expect(EnisError.isInstance(e) && e.code).toBe("INVALID_OPTIONS");
    }
  });
});
