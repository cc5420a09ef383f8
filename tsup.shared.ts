import { defineConfig, type Options } from "tsup";

/**
 * The build every @enis package shares: ESM + CJS with types for Node 20, one file per entry.
 * `entry` defaults to the package's index; `external` lists optional peers never bundled.
 */
export function enisPackage({
  entry = ["src/index.ts"],
  external = [],
}: Pick<Options, "entry" | "external"> = {}) {
  return defineConfig({
    entry,
    external,
    format: ["esm", "cjs"],
    // Entries share modules instead of copying them (CommonJS too): a catalogue made through one
    // entry must be recognised by another (a WeakSet brand), and one copy of each module ships.
    splitting: true,
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    // Lua scripts are kept as .lua files beside the TypeScript they transliterate, and inlined
    // as text into the build.
    loader: { ".lua": "text" },
    treeshake: true,
  });
}
