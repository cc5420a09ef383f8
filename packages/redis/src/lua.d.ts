/** A `.lua` file imported as its text: inlined by the build (esbuild's text loader), by vitest's `lua-text` plugin, and by `scripts/text-loader.mjs` under tsx. */
declare module "*.lua" {
  const source: string;
  export default source;
}
