// Registers a Node module hook that imports `.lua` files as their text (export default "…"), as
// the build inlines them (esbuild's text loader) and vitest's plugin does, for code run from the
// sources with tsx: `tsx --import ./scripts/text-loader.mjs file.ts`.
import { register } from "node:module";

register("./text-loader-hooks.mjs", import.meta.url);
