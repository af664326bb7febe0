#!/usr/bin/env node
// Runs every `bench:*` script of package.json in turn (gas, automation, upkeeps, keeper, scale, burst, indexer, frontend, as
// they exist); each writes its bench/results/*.json and its section of docs/BENCHMARKS.md. Stops at the first failure.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { scripts } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const order = [
  "bench:gas",
  "bench:automation",
  "bench:upkeeps",
  "bench:keeper",
  "bench:scale",
  "bench:burst",
  "bench:indexer",
  "bench:frontend",
];
const names = [
  ...order.filter((n) => n in scripts),
  ...Object.keys(scripts).filter((n) => n.startsWith("bench:") && !order.includes(n)),
];
for (const name of names) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync("npm", ["run", "--silent", name], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
