import { createHash } from "node:crypto";
import { luaAlgorithms } from "@enis/throttle/store";
import apply from "./lua/apply.lua";
import prelude from "./lua/prelude.lua";
import refund from "./lua/refund.lua";
import release from "./lua/release.lua";
import reset from "./lua/reset.lua";

/*
 * The store's atomic operations as Lua scripts, composed from `.lua` files inlined as text at build
 * time: lua/prelude.lua (what the scripts share), @enis/throttle's `luaAlgorithms` (the Lua twins of
 * the pure algorithms, each `.lua` file beside the `.ts` file it transliterates, operation by
 * operation: Redis' Lua 5.1 numbers are IEEE doubles like JavaScript's, so the same operations give
 * bit-identical decisions — the conformance suite's differential test checks it), then the
 * script's own body. The scripts that decide nothing carry neither the algorithms (release) nor
 * the prelude (reset): Lua defines a script's local functions on every call.
 *
 * A test pins each script's SHA-1, the name EVALSHA knows it by: an edit to any of these files or
 * to the algorithms' Lua, even to a comment, is a visible change in review.
 */

/** A Lua script with its SHA-1, the name EVALSHA knows it by. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

function script(name: string, ...parts: readonly string[]): LuaScript {
  const source = parts.join("\n");
  return Object.freeze({ name, source, sha1: createHash("sha1").update(source).digest("hex") });
}

/** The store's scripts. */
export const luaScripts = Object.freeze({
  apply: script("apply", prelude, luaAlgorithms, apply),
  refund: script("refund", prelude, luaAlgorithms, refund),
  release: script("release", prelude, release),
  reset: script("reset", reset),
});
