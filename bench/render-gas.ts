// Regenerates the gas section of docs/BENCHMARKS.md from bench/results/gas.json as it stands
// (bench:keeper runs it after adding the real job's gas to that file).
import * as fs from "node:fs";
import * as path from "node:path";
import { writeReport } from "./report";

writeReport(
  JSON.parse(fs.readFileSync(path.join(__dirname, "results", "gas.json"), "utf8")) as Parameters<typeof writeReport>[0],
);
