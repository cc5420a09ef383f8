/*
 * Pins the public surface of every entry point of every package: each exported name with its kind,
 * and for values (functions, constants) their type. A change to what a package exports, or to a
 * function's signature, shows in review as a change to packages/<name>/api/<entry>.txt; an
 * unintended one fails this test. Update the files with `vitest run --project unit -u` after a
 * deliberate change, and add a changeset.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Every published entry: package directory, subpath, source file. */
const entries: readonly [pkg: string, subpath: string, source: string][] = [
  ["core", "index", "src/index.ts"],
  ["core", "validate", "src/validate.ts"],
  ["fairness", "index", "src/index.ts"],
  ["throttle", "index", "src/index.ts"],
  ["throttle", "store", "src/port.ts"],
  ["throttle", "testing", "src/testing/index.ts"],
  ["redis", "index", "src/index.ts"],
  ["cost-model", "index", "src/index.ts"],
  ["focus", "index", "src/index.ts"],
  ["focus", "testing", "src/testing/index.ts"],
  ["forecast", "index", "src/index.ts"],
  ["anomaly", "index", "src/index.ts"],
  ["compliance-cost", "index", "src/index.ts"],
  ["compliance-cost", "file-sink", "src/audit-trail/file-sink.ts"],
  ["tier-optimizers", "index", "src/index.ts"],
];

/** The subpaths a package.json exports, so a new entry cannot ship without a pinned surface. */
function exportedSubpaths(pkg: string): string[] {
  const manifest = JSON.parse(readFileSync(`${root}packages/${pkg}/package.json`, "utf8"));
  return Object.keys(manifest.exports)
    .filter((subpath) => subpath !== "./package.json")
    .map((subpath) => (subpath === "." ? "index" : subpath.slice(2)));
}

const config = ts.getParsedCommandLineOfConfigFile(
  `${root}tsconfig.json`,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  },
);
if (config === undefined) throw new Error("tsconfig.json could not be read");
const program = ts.createProgram(
  entries.map(([pkg, , source]) => `${root}packages/${pkg}/${source}`),
  config.options,
);
const checker = program.getTypeChecker();

function kindOf(symbol: ts.Symbol): string {
  const flags = symbol.flags;
  if (flags & ts.SymbolFlags.Function) return "function";
  if (flags & ts.SymbolFlags.Class) return "class";
  if (flags & ts.SymbolFlags.Interface) return "interface";
  if (flags & ts.SymbolFlags.TypeAlias) return "type";
  if (flags & ts.SymbolFlags.Enum) return "enum";
  if (flags & ts.SymbolFlags.Variable) return "const";
  return "other";
}

/** One line per export, sorted: `<kind> <name>`, and `: <type>` for values. */
function surfaceOf(file: string): string {
  const sourceFile = program.getSourceFile(file);
  if (sourceFile === undefined) throw new Error(`${file} is not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(sourceFile);
  if (moduleSymbol === undefined) return "";
  const lines: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const kind = kindOf(symbol);
    let line = `${kind} ${exported.name}`;
    if (kind === "function" || kind === "const" || kind === "class") {
      const type = checker.getTypeOfSymbolAtLocation(symbol, sourceFile);
      // Types from other modules print as import("<absolute path>").Name: the name alone is the surface.
      const text = checker.typeToString(type, sourceFile, ts.TypeFormatFlags.NoTruncation);
      line += `: ${text.replace(/import\("[^"]*"\)\./g, "")}`;
    }
    lines.push(line);
  }
  return `${lines.sort().join("\n")}\n`;
}

describe("public surface", () => {
  it("every entry a package.json exports is pinned here", () => {
    for (const pkg of new Set(entries.map(([name]) => name))) {
      const pinned = entries.filter(([name]) => name === pkg).map(([, subpath]) => subpath);
      expect([pkg, exportedSubpaths(pkg).sort()]).toEqual([pkg, pinned.sort()]);
    }
  });

  for (const [pkg, subpath, source] of entries) {
    it(`@enis/${pkg}${subpath === "index" ? "" : `/${subpath}`}`, async () => {
      await expect(surfaceOf(`${root}packages/${pkg}/${source}`)).toMatchFileSnapshot(
        `../packages/${pkg}/api/${subpath}.txt`,
      );
    });
  }
});
