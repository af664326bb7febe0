// Scale benchmark: one keeper tracking 10,000 jobs, with the 10,000 Unfilled in the market, on a
// Hardhat node mining a block a second. The keeper runs in its own process, started by its CLI
// (its CPU and memory read from /proc), and every request it makes crosses a counting proxy.
// Measures what an idle pass costs once the keeper has read every job (requests, bytes, CPU), its
// memory, and how many blocks after a new job's posting its commit lands. Writes
// bench/results/scale.json, adds it to bench/results/keeper.json as `tracked10k`, and regenerates
// the scale section of docs/BENCHMARKS.md.
//
//   npm run bench:scale        (BENCH_TRACKED=10000, BENCH_NEW_JOBS=3 by default)
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { deployBaton, privateKeyOf, startDevnet } from "@baton/testkit/devnet";
import { serveModules } from "@baton/testkit/modules";
import { machine, median, readResults, table, writeResults, writeSection } from "@baton/testkit/bench";
import { RpcProxy } from "../test/helpers/rpc-proxy.js";
import { blocksToCommit, fillWithUnfilledJobs, market, waitFor } from "../test/helpers/market.js";

const TRACKED = Number(process.env.BENCH_TRACKED ?? 10_000);
const NEW_JOBS = Number(process.env.BENCH_NEW_JOBS ?? 3);
const IDLE_MS = 10_000;
const KEEPER = 2;
const MAX_JOBS_PER_PASS = 400;
const WINDOWS = { commitWindow: 10, revealWindow: 10, executionWindow: 60, challengeWindow: 10 };
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bin/baton-keeper.mjs");
/** Linux's clock ticks per second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) and memory of process `pid`, from /proc (Linux). */
function usage(pid: number): { cpuMs: number; rssMb: number; peakRssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS, rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
}

/** The keeper's own view, read from its SQLite file (read-only, beside the running keeper). */
function tracked(dbPath: string): { total: number; due: number } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT COUNT(*) AS total, COALESCE(SUM(done = 0 AND due_at IS NOT NULL), 0) AS due FROM jobs")
      .get() as { total: number; due: number };
  } finally {
    db.close();
  }
}

async function measure() {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-scale-"));
  const net = await startDevnet();
  const modules = await serveModules();
  let proxy: RpcProxy | undefined;
  let child: ChildProcess | undefined;
  try {
    const dep = await deployBaton(net);
    const baton = market(net, dep);
    await baton.setupWorker(KEEPER);
    const filling = Date.now();
    await fillWithUnfilledJobs(net, baton, modules, TRACKED);
    console.log(`posted ${TRACKED} jobs, all Unfilled, in ${Math.round((Date.now() - filling) / 1000)} s`);
    proxy = await RpcProxy.start(net.url, 1);
    await net.startMining();

    // The keeper as operators run it: its own process, started by its CLI.
    const config = path.join(dir, "keeper.json");
    const json = baton.keeperJson(dir, KEEPER, {
      rpcUrls: [proxy.url],
      capacity: 4,
      maxJobsPerPass: MAX_JOBS_PER_PASS,
    });
    writeFileSync(config, JSON.stringify(json));
    const started = Date.now();
    child = spawn(process.execPath, [BIN, "--config", config, "start"], {
      // Not the loader options this script runs under: the keeper's bin registers its own, as for an operator.
      env: { ...process.env, NODE_OPTIONS: "", BATON_PRIVATE_KEY: privateKeyOf(KEEPER), BATON_LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const pid = child.pid!;
    await waitFor(
      async () => {
        try {
          const t = tracked(json.dbPath);
          return t.total === TRACKED && t.due === 0;
        } catch {
          return false; // not created yet
        }
      },
      600_000,
      "the keeper to sync and read every job",
    );
    const catchUpSeconds = (Date.now() - started) / 1000;
    const callsToCatchUp = proxy.stats.calls;

    // Idle: nothing is due; what does a pass cost?
    const before = { ...proxy.stats, called: { ...proxy.stats.called } };
    const cpuBefore = usage(pid).cpuMs;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const after = usage(pid);
    const passes = (proxy.stats.called.eth_blockNumber ?? 0) - (before.called.eth_blockNumber ?? 0);
    const idle = {
      passes,
      requestsPerIdlePass: (proxy.stats.calls - before.calls) / passes,
      httpRequestsPerIdlePass: (proxy.stats.requests - before.requests) / passes,
      bytesPerIdlePass: (proxy.stats.bytesOut - before.bytesOut) / passes,
      cpuMsPerIdlePass: (after.cpuMs - cpuBefore) / passes,
      rssMb: Math.round(after.rssMb),
      peakRssMb: Math.round(after.peakRssMb),
    };

    // New jobs among the old ones: blocks from the posting to this keeper's commit.
    const blocks: number[] = [];
    for (let i = 0; i < NEW_JOBS; i++) {
      blocks.push(await blocksToCommit(net, dep, modules, KEEPER, WINDOWS, `new job ${i} among old ones`, 60_000));
    }
    return {
      tracked: TRACKED,
      unfilled: TRACKED,
      maxJobsPerPass: MAX_JOBS_PER_PASS,
      catchUpSeconds: Math.round(catchUpSeconds * 10) / 10,
      requestsToCatchUp: callsToCatchUp,
      ...idle,
      commitBlocksAfterPost: median(blocks),
      commitBlocksAfterPostMax: Math.max(...blocks),
      newJobs: NEW_JOBS,
    };
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    await proxy?.close();
    await modules.stop();
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Tracked = Awaited<ReturnType<typeof measure>>;

const TARGETS: [keyof Tracked, string, number][] = [
  ["requestsPerIdlePass", "JSON-RPC calls per idle pass", 20],
  ["cpuMsPerIdlePass", "CPU per idle pass, ms", 50],
  ["peakRssMb", "peak memory (RSS), MB", 200],
  ["rssMb", "memory (RSS) when idle, MB", 200],
  ["commitBlocksAfterPost", "blocks from a new job's posting to the commit", 2],
];

function render(r: { generatedAt: string; machine: Record<string, string | number>; tracked10k: Tracked }): string {
  const t = r.tracked10k;
  const m = r.machine;
  const fmt = (x: number) => (Number.isInteger(x) ? x.toLocaleString("en-US") : x.toFixed(1));
  return [
    `Measured ${r.generatedAt.slice(0, 10)} at commit \`${m.commit}\` on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), ` +
      `${m.os}; Node ${m.node}, Hardhat ${m.hardhat}, viem ${m.viem}, better-sqlite3 ${m["better-sqlite3"]}. One keeper (capacity 4, \`maxJobsPerPass\` ${t.maxJobsPerPass}) on a Hardhat node ` +
      `mining a block a second, every request through a counting proxy; the market holds ${fmt(t.tracked)} ` +
      `Unfilled jobs, all synced and tracked by the keeper, which runs in its own process (\`baton-keeper start\`; ` +
      `CPU and memory from /proc). An idle pass is measured over ${IDLE_MS / 1000} s once the keeper has read every ` +
      `job once (${fmt(t.catchUpSeconds)} s and ${fmt(t.requestsToCatchUp)} calls after its start, the initial sync ` +
      `included); memory is the keeper's peak RSS over the whole run (initial sync included) and its RSS when idle. ` +
      `Then ${t.newJobs} new jobs are posted one after another.`,
    "",
    table(
      ["`tracked10k`", "limit", "measured", "met?"],
      TARGETS.map(([key, what, limit]) => [
        `${what} (\`${key}\`)`,
        `≤ ${fmt(limit)}`,
        fmt(t[key] as number),
        (t[key] as number) <= limit ? "yes" : "**no**",
      ]),
      [false, true, true, false],
    ),
    "",
    `An idle pass also sends ${fmt(t.httpRequestsPerIdlePass)} HTTP requests and receives ${fmt(
      Math.round(t.bytesPerIdlePass),
    )} bytes; the slowest of the new jobs got its commit ${t.commitBlocksAfterPostMax} block${t.commitBlocksAfterPostMax === 1 ? "" : "s"} after its posting.`,
  ].join("\n");
}

async function main() {
  const tracked10k = await measure();
  const results = {
    generatedAt: new Date().toISOString(),
    machine: machine(["hardhat", "viem", "better-sqlite3"], ["contracts", "keeper/src", "sdk/src"]),
    method:
      "One in-process keeper tracking every job of a market filled with Unfilled jobs, its requests counted by a " +
      "proxy; an idle pass's requests, bytes and CPU, its peak RSS, and blocks from a new job's posting to its commit.",
    tracked10k,
  };
  console.log(`wrote ${writeResults("scale", results)}`);
  // The key in keeper.json (bench:keeper keeps it when it rewrites the file).
  const keeperResults = readResults<Record<string, unknown>>("keeper");
  if (keeperResults) writeResults("keeper", { ...keeperResults, tracked10k });
  writeSection("scale", "A keeper tracking many jobs", render(results));
  console.log(JSON.stringify(tracked10k, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
