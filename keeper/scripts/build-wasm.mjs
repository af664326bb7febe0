#!/usr/bin/env node
// Compiles every module in keeper/wasm/src/*.ts with AssemblyScript into <out>/<name>.wasm and writes
// <out>/manifest.json: { "<name>": { "file": "<name>.wasm", "sha256": "<hex>", "bytes": <n> } },
// with `"testOnly": true` on the modules that exist only to exercise the keeper's limits.
//
//   node keeper/scripts/build-wasm.mjs [--out <dir>]     (default out: keeper/wasm/build)
//
// The build is reproducible: asc runs with keeper/wasm as its base directory and paths relative to it (file names end up
// in abort messages inside the binaries), with fixed flags and no timestamps, so rebuilding anywhere
// gives the same bytes. keeper/test/executors.wasm-build.test.ts holds the committed binaries to that.
import asc from "assemblyscript/asc";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const wasmDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "wasm");

/**
 * Flags every module is built with. `--importMemory` lets the keeper hand in a memory whose maximum
 * is the job's limit; the stub runtime (a bump allocator that never frees) suits one-shot runs and
 * needs no imports; assertions stay on so that bad states trap rather than produce output.
 */
export const ASC_FLAGS = [
  "--runtime",
  "stub",
  "--importMemory",
  "--noExportMemory",
  "--optimizeLevel",
  "3",
  "--shrinkLevel",
  "0",
  "--noColors",
];

/** Builds every module into `outDir` and returns the manifest it wrote. */
export async function buildAll(outDir) {
  mkdirSync(outDir, { recursive: true });
  const sources = readdirSync(path.join(wasmDir, "src"))
    .filter((f) => f.endsWith(".ts"))
    .sort();
  const manifest = {};
  for (const source of sources) {
    const name = source.slice(0, -".ts".length);
    const file = `${name}.wasm`;
    const outFile = path.join(outDir, file);
    const { error, stdout, stderr } = await asc.main(
      [`src/${source}`, "--baseDir", wasmDir, "--outFile", outFile, ...ASC_FLAGS],
      {},
    );
    if (error) throw new Error(`asc failed for ${source}: ${error.message}\n${stderr}${stdout}`);
    const bytes = readFileSync(outFile);
    manifest[name] = { file, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
    // A module whose source opens with "<name> (tests only)" exercises a keeper limit and never
    // produces a result: apps must not offer it.
    const firstLine = readFileSync(path.join(wasmDir, "src", source), "utf8").split("\n", 1)[0];
    if (firstLine.startsWith(`// ${name} (tests only)`)) manifest[name].testOnly = true;
  }
  writeFileSync(path.join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf("--out");
  const outDir = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]) : path.join(wasmDir, "build");
  const manifest = await buildAll(outDir);
  for (const [name, entry] of Object.entries(manifest)) {
    console.log(`${name.padEnd(10)} ${String(entry.bytes).padStart(6)} bytes  sha256 ${entry.sha256}`);
  }
}
