#!/usr/bin/env node
// Runs every test suite in turn, streams its output, and ends with one line
// `N passed, N failed, N skipped` summed over all suites. Exits non-zero if any suite failed.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

/** Reads mocha's "N passing / N failing / N pending" summary. */
function parseMocha(out) {
  const n = (re) => Number((out.match(re) ?? [])[1] ?? 0);
  return { passed: n(/(\d+) passing/), failed: n(/(\d+) failing/), skipped: n(/(\d+) pending/) };
}

/** Reads vitest's "Tests  N passed | N failed | N skipped" summary. */
// Vitest colours its summary; strip the ANSI escape sequences before reading it.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

function parseVitest(out) {
  const line = out.split("\n").find((l) => /^\s*Tests\s/.test(l.replace(ANSI, ""))) ?? "";
  const clean = line.replace(ANSI, "");
  const n = (word) => Number((clean.match(new RegExp(`(\\d+) ${word}`)) ?? [])[1] ?? 0);
  return { passed: n("passed"), failed: n("failed"), skipped: n("skipped") + n("todo") };
}

const suites = [
  { name: "contracts", cmd: bin("hardhat"), args: ["test"], cwd: root, parse: parseMocha },
  { name: "sdk", cmd: "npm", args: ["test", "--silent"], cwd: path.join(root, "sdk"), parse: parseVitest },
  { name: "keeper", cmd: "npm", args: ["test", "--silent"], cwd: path.join(root, "keeper"), parse: parseVitest },
  { name: "frontend", cmd: "npm", args: ["test", "--silent"], cwd: path.join(root, "frontend"), parse: parseVitest },
  { name: "testkit", cmd: "npm", args: ["test", "--silent"], cwd: path.join(root, "testkit"), parse: parseVitest },
  { name: "indexer", cmd: "npm", args: ["test", "--silent"], cwd: path.join(root, "indexer"), parse: parseVitest },
].filter((s) => existsSync(path.join(s.cwd, "package.json")));

function run(suite) {
  return new Promise((resolve) => {
    console.log(`\n=== ${suite.name} ===`);
    const child = spawn(suite.cmd, suite.args, { cwd: suite.cwd, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on("data", (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on("close", (code) => {
      const counts = suite.parse(out);
      // A suite that crashed before reporting counts as one failure.
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      resolve({ ...counts, code });
    });
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const only = process.argv.slice(2);
for (const suite of suites) {
  if (only.length && !only.includes(suite.name)) continue;
  const r = await run(suite);
  console.log(`--- ${suite.name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
