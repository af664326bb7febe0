#!/usr/bin/env node
// Long campaign of the model-based randomized test (test/Model.fuzz.test.ts): the same property
// as in the contract test run, with many more sequences.
//   FUZZ_RUNS      sequences to run (default 10000)
//   FUZZ_SEED      seed to replay (printed at the start and on failure)
//   FUZZ_PATH      counterexample path to replay together with FUZZ_SEED (printed on failure)
//   FUZZ_REPLAY    command replay path of the shrunk sequence (printed on failure)
//   FUZZ_COMMANDS  most commands per sequence (default 80)
//   FUZZ_STATS     when set, print how often each command succeeded or failed with each error
//   FUZZ_MUTATION  fee-lost: run against a deliberately wrong model, to see the checks fail
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, FUZZ_RUNS: process.env.FUZZ_RUNS ?? "10000" };
const child = spawn(
  path.join(root, "node_modules", ".bin", "hardhat"),
  ["test", "test/Model.fuzz.test.ts", ...process.argv.slice(2)],
  { cwd: root, env, stdio: "inherit" },
);
child.on("close", (code) => process.exit(code ?? 1));
