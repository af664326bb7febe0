#!/usr/bin/env node
// Runs the keeper as one JavaScript file, bundled from the TypeScript sources (the keeper's and
// the sdk's) into dist/ on the first start and again whenever a source is newer than the bundle:
// a running keeper carries no TypeScript loader (about 70 MB less memory). The bundle is written
// under a temporary name and renamed, so keepers starting together never read half a file. When
// it cannot be built (no esbuild, a read-only install), or with BATON_KEEPER_TSX=1, the sources
// run through tsx's loader instead.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const keeper = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const dist = path.join(keeper, "dist");
const bundle = path.join(dist, "baton-keeper.mjs");
// The packages left out of the bundle: installed beside the keeper, loaded as they are.
const EXTERNAL = ["better-sqlite3", "pino", "prom-client", "commander", "viem", "zod"];

/** The newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir) {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return latest;
}

/** The bundle, built first when missing or older than a source; undefined when it cannot be built. */
function built() {
  const sdk = path.dirname(require.resolve("@baton/sdk"));
  const sources = Math.max(
    newest(path.join(keeper, "src")),
    newest(sdk),
    statSync(fileURLToPath(import.meta.url)).mtimeMs,
  );
  try {
    if (statSync(bundle).mtimeMs >= sources) return bundle;
  } catch {
    /* not built yet */
  }
  let esbuild;
  try {
    esbuild = require.resolve("esbuild");
  } catch {
    return undefined;
  }
  const tmp = `${bundle}.${process.pid}.tmp`;
  const worker = path.join(dist, `wasm-worker.mjs.${process.pid}.tmp`);
  try {
    mkdirSync(dist, { recursive: true });
    // In a child process: esbuild stays out of the keeper's memory.
    const options = {
      entryPoints: [path.join(keeper, "src", "cli.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: tmp,
      logLevel: "error",
      external: EXTERNAL,
    };
    const out = spawnSync(
      process.execPath,
      ["-e", "require(process.argv[1]).buildSync(JSON.parse(process.argv[2]))", esbuild, JSON.stringify(options)],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    if (out.status !== 0) throw new Error(String(out.stderr));
    // The wasm executor starts its worker from beside the bundle.
    copyFileSync(path.join(keeper, "src", "executors", "wasm-worker.mjs"), worker);
    renameSync(worker, path.join(dist, "wasm-worker.mjs"));
    renameSync(tmp, bundle);
    return bundle;
  } catch (error) {
    rmSync(tmp, { force: true });
    rmSync(worker, { force: true });
    console.error(
      `baton-keeper: running the TypeScript sources (the bundle could not be built: ${String(error).split("\n")[0]})`,
    );
    return undefined;
  }
}

const run = process.env.BATON_KEEPER_TSX === "1" ? undefined : built();
if (run) {
  await import(pathToFileURL(run).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli.ts");
}
