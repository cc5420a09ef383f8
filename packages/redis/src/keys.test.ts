import { EnisError } from "@enis/core";
import { describe, expect, it } from "vitest";
import { groupByPartition, leaseIndexKey, redisKey } from "./keys.js";
import { parseScriptNumber } from "./redis-store.js";

describe("key layout", () => {
  it("checks redisKey's arguments as the store does: a prefix without braces, a valid throttle key", () => {
    const failure = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        if (EnisError.isInstance(error)) return [error.code, error.field];
      }
      return undefined;
    };
    expect(failure(() => redisKey("en{is", "acme:x"))).toEqual(["INVALID_OPTIONS", "prefix"]);
    expect(failure(() => redisKey(7 as unknown as string, "acme:x"))).toEqual(["INVALID_OPTIONS", "prefix"]);
    expect(failure(() => redisKey("enis:", ":x"))).toEqual(["INVALID_OPTIONS", "key"]);
    expect(failure(() => redisKey("enis:", ""))).toEqual(["INVALID_OPTIONS", "key"]);
    expect(failure(() => redisKey("enis:", "{a}b:c"))).toBeUndefined();
  });

  it("tags a key by its default partition, the text before the first colon (or the whole key)", () => {
    expect(redisKey("enis:", "acme:team-a:user-7")).toBe("enis:{acme}acme:team-a:user-7");
    expect(redisKey("enis:", "acme")).toBe("enis:{acme}acme");
    expect(redisKey("enis:", "alice@example.com")).toBe("enis:{alice@example.com}alice@example.com");
    expect(redisKey("", "acme:x")).toBe("{acme}acme:x");
  });

  it("tags a key by its explicit partition, and keeps the key whole after the tag", () => {
    expect(redisKey("enis:", "{2001:db8::1}")).toBe("enis:{2001:db8::1}{2001:db8::1}");
    expect(redisKey("enis:", "{alice@example.com}:uploads")).toBe(
      "enis:{alice@example.com}{alice@example.com}:uploads",
    );
    expect(redisKey("enis:", "{https://api.example.com}/v1/orders")).toBe(
      "enis:{https://api.example.com}{https://api.example.com}/v1/orders",
    );
    // The same text without its braces is another key, in another partition.
    expect(redisKey("enis:", "2001:db8::1")).toBe("enis:{2001}2001:db8::1");
  });

  it("puts a lease key's index in the key's slot, under a name no throttle key gets", () => {
    expect(leaseIndexKey("enis:", "acme:workers")).toBe("enis:{acme}\u0000acme:workers");
    expect(leaseIndexKey("enis:", "{10.0.0.1}:jobs")).toBe("enis:{10.0.0.1}\u0000{10.0.0.1}:jobs");
    // A key starting with a zero byte is its own partition ("\0acme" before its colon), so its
    // Redis key never equals the index of "acme:workers".
    expect(redisKey("enis:", "\u0000acme:workers")).toBe("enis:{\u0000acme}\u0000acme:workers");
    expect(redisKey("enis:", "\u0000acme:workers")).not.toBe(leaseIndexKey("enis:", "acme:workers"));
  });

  it("groups keys by partition, keeping their order", () => {
    expect(groupByPartition(["a:1", "b:1", "a:2", "{a}:3", "{b:c}x"], (key) => key)).toEqual([
      ["a:1", "a:2", "{a}:3"],
      ["b:1"],
      ["{b:c}x"],
    ]);
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
