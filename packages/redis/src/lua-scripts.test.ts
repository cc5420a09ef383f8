import { luaAlgorithms } from "@enis/throttle/store";
import { describe, expect, it } from "vitest";
import apply from "./lua/apply.lua";
import prelude from "./lua/prelude.lua";
import refund from "./lua/refund.lua";
import release from "./lua/release.lua";
import reset from "./lua/reset.lua";
import { luaScripts } from "./lua-scripts.js";

/** The names a Lua text declares at its top level: `local function f`, `local a, b = …`. */
function declaredNames(source: string): string[] {
  const names: string[] = [];
  for (const [, fn, list] of source.matchAll(/^local (?:function (\w+)|([\w, ]+?)\s*=)/gm)) {
    if (fn !== undefined) names.push(fn);
    else names.push(...list!.split(",").map((name) => name.trim()));
  }
  return names;
}

describe("the store's Lua scripts", () => {
  it("are pinned by SHA-1: an edit to any .lua file they are made of, even a comment, shows here", () => {
    // EVALSHA's names. When a script changes on purpose, the new hash goes here in the same commit.
    expect(
      Object.fromEntries(Object.entries(luaScripts).map(([name, script]) => [name, script.sha1])),
    ).toEqual({
      apply: "96b60675959e33630d7bf0bf857955158fa66df8",
      refund: "56ba363b39a73c1e7351382f4d4148cde9418045",
      release: "45229af97dc2b62bd975111e513707834f0d5d62",
      reset: "6c898e1f85e784169c00ce23d4b97af785108557",
    });
  });

  it("hold no NUL byte (a zero byte in Lua source is a bug of the text, not of Lua)", () => {
    for (const script of Object.values(luaScripts))
      expect([script.name, script.source.includes("\u0000")]).toEqual([script.name, false]);
  });

  it("are the prelude, the algorithms' Lua twins where they decide, then their own body", () => {
    expect(luaScripts.apply.source).toBe([prelude, luaAlgorithms, apply].join("\n"));
    expect(luaScripts.refund.source).toBe([prelude, luaAlgorithms, refund].join("\n"));
    expect(luaScripts.release.source).toBe([prelude, release].join("\n"));
    expect(luaScripts.reset.source).toBe(reset);
  });

  it("redefine nothing the algorithms define", () => {
    const algorithms = new Set(declaredNames(luaAlgorithms));
    // The names the scripts rely on (see luaAlgorithms' documentation).
    for (const name of [
      "INF",
      "floor",
      "ceil",
      "max",
      "min",
      "whole_ms",
      "evaluate",
      "blocked_state",
      "refund",
    ]) {
      expect(algorithms.has(name)).toBe(true);
    }
    // The scan sees the scripts' own declarations.
    expect(declaredNames(prelude)).toEqual(["fmt", "clock", "each_chunk"]);
    expect(declaredNames(apply)).toEqual(expect.arrayContaining(["decide_lease", "load", "commit"]));
    for (const [file, source] of Object.entries({ prelude, apply, refund, release, reset })) {
      expect({ file, redefined: declaredNames(source).filter((name) => algorithms.has(name)) }).toEqual({
        file,
        redefined: [],
      });
    }
  });
});
