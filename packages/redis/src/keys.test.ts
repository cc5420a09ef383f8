import { EnisError } from "@enis/core";
import { describe, expect, it } from "vitest";
import { assertThrottleKey, groupByPartition, partitionOf, redisKey, singlePartition } from "./keys.js";
import { parseScriptNumber } from "./redis-store.js";

describe("key layout", () => {
  it("hash-tags a key by its organisation, the text before the first colon", () => {
    expect(partitionOf("acme:team-a:user-7")).toBe("acme");
    expect(partitionOf("acme")).toBe("acme");
    expect(redisKey("enis:", "acme:team-a")).toBe("enis:{acme}acme:team-a");
    expect(redisKey("enis:", "acme")).toBe("enis:{acme}acme");
  });

  it("refuses keys whose hash tag would be empty or broken", () => {
    for (const key of ["", ":team", "{acme}:x", "ac}me:x"]) {
      expect(() => assertThrottleKey(key, "key")).toThrow(EnisError);
    }
    expect(() => assertThrottleKey("acme:{team}", "key")).not.toThrow();
  });

  it("accepts a batch within one organisation and names the first key outside it", () => {
    expect(singlePartition(["acme", "acme:a", "acme:a:b"], "rules")).toBe("acme");
    expect(singlePartition([], "rules")).toBeUndefined();
    try {
      singlePartition(["acme:a", "acme:b", "globex:a"], "rules");
      expect.unreachable();
    } catch (error) {
      expect(EnisError.isInstance(error) && error.code).toBe("INVALID_OPTIONS");
      expect(EnisError.isInstance(error) && error.field).toBe("rules[2].key");
    }
  });

  it("groups keys by organisation, keeping their order", () => {
    expect(groupByPartition(["a:1", "b:1", "a:2"], (key) => key)).toEqual([["a:1", "a:2"], ["b:1"]]);
  });
});

describe("script numbers", () => {
  it("parses %.17g text and infinities back to the exact double", () => {
    expect(parseScriptNumber("333.33333333333331")).toBe(1000 / 3);
    expect(parseScriptNumber("inf")).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(parseScriptNumber("-0"), -0)).toBe(true);
    expect(() => parseScriptNumber("nan")).toThrow(/not a number/);
    expect(() => parseScriptNumber(7)).toThrow(/not a number/);
  });
});
