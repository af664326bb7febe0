// Keeper benchmark: three keepers on a real node (a Hardhat node mining a block a second) compete
// for jobs posted one after another, and every transaction the requester and the keepers send is
// read back from the blocks. Writes bench/results/keeper.json, adds the real job's gas to
// bench/results/gas.json as lifecycle["eth.sealed.3bidders.keepers"], and regenerates the keeper
// section of docs/BENCHMARKS.md.
//
//   npm run bench:keeper                (BENCH_RUNS=3 and BENCH_JOBS=10 by default)
//
// Before the measured jobs, each run brings the market to the steady state bench:gas measures:
// every keeper has bid on BID_SLOTS jobs before, and each of those jobs was awarded and settled, so
// bids rewrite slots of their bidder's ring of bid slots and awards rewrite award lanes instead of
// writing fresh slots. BENCH_WARM=0 measures a market whose every slot is new.
//
// Each scenario runs BENCH_RUNS times on a fresh node; timings are the median over a run's jobs,
// then the median over runs. Gas is averaged over every job of every run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { encodeFunctionData, keccak256, parseEther, parseEventLogs, toHex, zeroHash, type Hex } from "viem";
import { computeCommitment, encodeSpec, jobMarketAbi, newSalt, packTerms, specHash } from "@baton/sdk";
import { account } from "@baton/testkit/devnet";
import { machine, median, readResults, table, writeResults, writeSection } from "@baton/testkit/bench";
import { S } from "../src/plan.js";
import { COUNTED, STEPS, eventsOf, readLedger, totalOf, type JobGas } from "./ledger.js";
import { runKeeper, startKeeperNetwork, waitFor, wasmSpec, type KeeperNetwork } from "../test/helpers/market.js";

const KEEPERS = [2, 3, 4];
const REQUESTER = 1;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const JOBS = Number(process.env.BENCH_JOBS ?? 10);
const WINDOWS = { commitWindow: 10, revealWindow: 10, executionWindow: 40, challengeWindow: 3 };
// Distinct prices, so that every job has a real auction with three revealed bids.
const STRATEGIES = [0.9, 0.8, 0.7].map((fraction) => ({ kind: "fraction", fraction }));
const REWARD = parseEther("0.05");
const WARM = process.env.BENCH_WARM !== "0";

type JobTimes = { postToSettledSec: number; postToFirstCommitBlocks: number; postToSettledBlocks: number };
type RunResult = { jobs: Map<bigint, JobGas>; times: JobTimes[]; keeperTxs: number; keeperReverted: number };

type Mode = { bundle: boolean; burst: boolean };

/**
 * Warms every keeper's ring of bid slots and the market's award lanes, before the keepers start:
 * BID_SLOTS (= AWARD_LANES) jobs that each keeper bids on; the first keeper reveals, wins, submits
 * and is paid; the requester forfeits the other keepers' unrevealed bids (a 1-wei bond: nothing is
 * lost). A market that has run that many jobs with these keepers is in this state.
 */
async function warmBidSlots({ baton, net, dep, modules }: KeeperNetwork) {
  const read = (functionName: "BID_SLOTS" | "AWARD_LANES" | "jobCount") =>
    net.publicClient.readContract({ address: dep.market, abi: jobMarketAbi, functionName });
  const slots = Number(await read("BID_SLOTS"));
  if (Number(await read("AWARD_LANES")) !== slots) throw new Error("warm-up expects AWARD_LANES = BID_SLOTS");
  const chunk = 64;
  const terms = await baton.terms({
    commitWindow: 120,
    revealWindow: 120,
    executionWindow: 300,
    challengeWindow: 1,
    maxReward: 1000n,
    bond: 1n,
  });
  const spec = wasmSpec(modules, "wordfreq", "warm-up");
  const ids: bigint[] = [];
  for (let i = 0; i < slots; i += chunk) {
    const n = Math.min(chunk, slots - i);
    await baton.send(
      REQUESTER,
      "postJobs",
      [
        Array(n)
          .fill(terms)
          .map((t) => packTerms(t)),
        Array(n).fill(specHash(spec)),
        Array(n).fill(toHex(encodeSpec(spec))),
      ],
      terms.maxReward * BigInt(n),
    );
  }
  const last = await read("jobCount");
  for (let id = last - BigInt(slots) + 1n; id <= last; id++) ids.push(id);
  type Fn = "commitBid" | "revealBid" | "forfeitUnrevealed" | "submitResult" | "settle";
  const call = (functionName: Fn, args: readonly unknown[]) =>
    encodeFunctionData({ abi: jobMarketAbi, functionName, args: args as never });
  const inChunks = async (from: number, calls: Hex[]) => {
    for (let i = 0; i < calls.length; i += chunk) await baton.send(from, "multicall", [calls.slice(i, i + chunk)]);
  };
  const packed = packTerms(terms);
  const [winner, ...others] = KEEPERS;
  const salts = new Map(ids.map((jobId) => [jobId, newSalt()]));
  await Promise.all(
    KEEPERS.map((k) =>
      inChunks(
        k,
        ids.map((jobId) => {
          const bid = { chainId: 31337, market: dep.market, jobId, round: 0, bidder: account(k).address };
          const salt = k === winner ? salts.get(jobId)! : newSalt();
          return call("commitBid", [jobId, packed, computeCommitment({ ...bid, price: 1n, salt })]);
        }),
      ),
    ),
  );
  // The first keeper reveals (its award takes each job's lane) and submits; past the reveal
  // deadline the requester forfeits the other bids; past the challenge window the jobs settle,
  // which frees the lanes for the measured jobs.
  await net.testClient.increaseTime({ seconds: terms.commitWindow });
  await inChunks(
    winner!,
    ids.map((jobId) => call("revealBid", [jobId, packed, 1n, salts.get(jobId)!])),
  );
  await net.testClient.increaseTime({ seconds: terms.revealWindow });
  await inChunks(
    REQUESTER,
    ids.flatMap((jobId) =>
      others.map((k) => call("forfeitUnrevealed", [jobId, packed, zeroHash, 0, account(k).address])),
    ),
  );
  const result = toHex("warm-up");
  const resultHash = keccak256(result);
  await inChunks(
    winner!,
    ids.map((jobId) => call("submitResult", [jobId, packed, resultHash, result])),
  );
  await net.testClient.increaseTime({ seconds: terms.challengeWindow });
  await inChunks(
    REQUESTER,
    ids.map((jobId) => call("settle", [jobId, packed, resultHash])),
  );
}

/**
 * One run: a fresh node, three keepers, JOBS jobs (posted one after another, or in one `postJobs`
 * transaction for a burst), all settled.
 */
async function run({ bundle, burst }: Mode): Promise<RunResult> {
  const network: KeeperNetwork = await startKeeperNetwork(KEEPERS);
  if (WARM) await warmBidSlots(network);
  const dir = mkdtempSync(path.join(tmpdir(), "bench-keeper-"));
  const { baton, net, dep, modules } = network;
  const keepers = KEEPERS.map((k, i) =>
    runKeeper(baton.keeperConfig(dir, k, { capacity: 25, strategy: STRATEGIES[i], bundle }), k),
  );
  try {
    const from = await net.publicClient.getBlockNumber();
    const jobIds: bigint[] = [];
    const posts = [];
    for (let i = 0; i < JOBS; i++) {
      const terms = await baton.terms({ ...WINDOWS, maxReward: REWARD, bond: REWARD });
      const spec = wasmSpec(modules, "wordfreq", `bench job ${i}: the quick brown fox jumps over the lazy dog`);
      if (!burst) jobIds.push((await baton.post(terms, spec)).jobId);
      else posts.push({ terms, spec });
    }
    if (burst) {
      const receipt = await baton.send(
        REQUESTER,
        "postJobs",
        [
          posts.map((p) => p.terms).map((t) => packTerms(t)),
          posts.map((p) => specHash(p.spec)),
          posts.map((p) => toHex(encodeSpec(p.spec))),
        ],
        REWARD * BigInt(JOBS),
      );
      jobIds.push(
        ...parseEventLogs({ abi: jobMarketAbi, logs: receipt.logs, eventName: "JobPosted" }).map((l) => l.args.jobId),
      );
    }
    await waitFor(
      async () => (await Promise.all(jobIds.map((id) => baton.jobState(id)))).every((s) => s === S.Settled),
      300_000,
      `all ${JOBS} jobs to settle`,
    );
    await Promise.all(keepers.map((k) => k.stop()));
    const to = await net.publicClient.getBlockNumber();

    // Every transaction to the market from the requester or a keeper, attributed to its job.
    const ledger = await readLedger(net.publicClient, dep.market, {
      requester: account(REQUESTER).address,
      keepers: KEEPERS.map((i) => account(i).address),
      jobIds,
      from: from + 1n,
      to,
    });

    const { jobs, timestamps, keeperTxs, keeperReverted } = ledger;
    const about = eventsOf(ledger);
    const first = (name: string, jobId: bigint) => about(name, jobId)[0]?.blockNumber;
    const times = jobIds.map((id) => {
      const posted = first("JobPosted", id)!;
      const committed = first("BidCommitted", id)!;
      const settled = first("JobSettled", id)!;
      return {
        postToSettledSec: timestamps.get(settled)! - timestamps.get(posted)!,
        postToSettledBlocks: Number(settled - posted),
        postToFirstCommitBlocks: Number(committed - posted),
      };
    });
    return { jobs, times, keeperTxs, keeperReverted };
  } finally {
    await Promise.all(keepers.map((k) => k.stop().catch(() => undefined)));
    await network.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** RUNS runs of one scenario, summarised. */
async function scenario(name: string, mode: Mode) {
  const runs: RunResult[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const started = Date.now();
    runs.push(await run(mode));
    console.log(`${name}: run ${i}/${RUNS} done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const all = runs.flatMap((r) => [...r.jobs.values()]);
  const mean = (f: (g: JobGas) => number) => all.reduce((a, g) => a + f(g), 0) / all.length;
  const perStep = Object.fromEntries(
    COUNTED.map((s) => [s, Math.round(mean((g) => g[s]!))]).filter(([, v]) => v !== 0),
  ) as Record<string, number>;
  const totals = all.map(totalOf);
  const timing = (k: keyof JobTimes) => median(runs.map((r) => median(r.times.map((t) => t[k]))));
  const keeperTxs = runs.reduce((a, r) => a + r.keeperTxs, 0);
  const keeperReverted = runs.reduce((a, r) => a + r.keeperReverted, 0);
  const gas: Record<string, number> = {
    ...perStep,
    total: Math.round(mean(totalOf)),
  };
  return {
    gas,
    gasPerJob: {
      median: Math.round(median(totals)),
      min: Math.round(Math.min(...totals)),
      max: Math.round(Math.max(...totals)),
    },
    txPerJob: Number(mean((g) => g.txs).toFixed(2)),
    keeperTransactions: keeperTxs,
    revertedShare: Number((keeperReverted / keeperTxs).toFixed(4)),
    timings: {
      postToSettledSec: timing("postToSettledSec"),
      postToSettledBlocks: timing("postToSettledBlocks"),
      postToFirstCommitBlocks: timing("postToFirstCommitBlocks"),
      perRun: runs.map((r) => ({
        postToSettledSec: median(r.times.map((t) => t.postToSettledSec)),
        postToFirstCommitBlocks: median(r.times.map((t) => t.postToFirstCommitBlocks)),
      })),
    },
    jobs: all.length,
  };
}

type Scenario = Awaited<ReturnType<typeof scenario>>;

const n = (x: number) => Math.round(x).toLocaleString("en-US");

function render(r: {
  generatedAt: string;
  warm: boolean;
  machine: Record<string, string | number>;
  scenarios: Record<string, Scenario>;
}) {
  const m = r.machine;
  const names = Object.keys(r.scenarios);
  const steps = [...STEPS, "reverted", "total"].filter((s) => names.some((k) => r.scenarios[k]!.gas[s] !== undefined));
  const out = [
    `Measured ${r.generatedAt.slice(0, 10)} at commit \`${m.commit}\` on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), ` +
      `${m.os}; Node ${m.node}, Hardhat ${m.hardhat}, viem ${m.viem}. A Hardhat node mining one block a second; ` +
      `three keepers (bids at 0.9, 0.8 and 0.7 of the reward), ${JOBS} ETH wasm jobs per run, posted one after another ` +
      `or, in a \`burst\`, in one \`postJobs\` transaction; \`bundled\`: the keepers send each pass's steps as one transaction (a batch function such as \`commitBids\` when they are all one step, else a \`multicall\`) ` +
      `(windows: commit ${WINDOWS.commitWindow} s, reveal ${WINDOWS.revealWindow} s, execution ${WINDOWS.executionWindow} s, ` +
      `challenge ${WINDOWS.challengeWindow} s), ${RUNS} runs per scenario on a fresh node each` +
      (r.warm
        ? ", each run after a warm-up that leaves every keeper's bid slots and every award lane used once (the " +
          "steady state of bench:gas; `BENCH_WARM=0` measures a market whose every slot is new)."
        : ", a market whose every bid slot and award lane is new (`BENCH_WARM=0`: no warm-up)."),
    "",
    "### Gas of a real job, everything the requester and the keepers send",
    "",
    "Mean per job over every job of every run; a bundle's gas is shared equally by its steps; `reverted` is the gas of " +
      "transactions that reverted (a lost race).",
    "",
    table(
      ["step", ...names],
      steps.map((s) => [
        s === "total" ? "**total**" : `\`${s}\``,
        ...names.map((k) => {
          const v = r.scenarios[k]!.gas[s];
          return v === undefined ? "—" : s === "total" ? `**${n(v)}**` : n(v);
        }),
      ]),
      [false, ...names.map(() => true)],
    ),
    "",
    table(
      ["", ...names],
      [
        [
          "gas per job: median (min … max)",
          ...names.map((k) => {
            const g = r.scenarios[k]!.gasPerJob;
            return `${n(g.median)} (${n(g.min)} … ${n(g.max)})`;
          }),
        ],
        ["transactions per job", ...names.map((k) => String(r.scenarios[k]!.txPerJob))],
        [
          "keeper transactions reverted",
          ...names.map(
            (k) => `${(r.scenarios[k]!.revertedShare * 100).toFixed(1)}% of ${r.scenarios[k]!.keeperTransactions}`,
          ),
        ],
      ],
      [false, ...names.map(() => true)],
    ),
    "",
    "### Time from posting",
    "",
    "Median over a run's jobs, then over runs (each run's median in brackets).",
    "",
    table(
      ["", ...names],
      [
        [
          "post → first sealed bid, blocks",
          ...names.map((k) => {
            const t = r.scenarios[k]!.timings;
            return `${t.postToFirstCommitBlocks} (${t.perRun.map((p) => p.postToFirstCommitBlocks).join(", ")})`;
          }),
        ],
        [
          "post → settled, seconds",
          ...names.map((k) => {
            const t = r.scenarios[k]!.timings;
            return `${t.postToSettledSec} (${t.perRun.map((p) => p.postToSettledSec).join(", ")})`;
          }),
        ],
        ["post → settled, blocks", ...names.map((k) => String(r.scenarios[k]!.timings.postToSettledBlocks))],
      ],
      [false, ...names.map(() => true)],
    ),
    "",
    `The windows alone take ${WINDOWS.commitWindow + WINDOWS.revealWindow} s to the award and ` +
      `${WINDOWS.challengeWindow} s of challenge after the result; the rest is execution and the keepers' passes.`,
  ];
  return out.join("\n");
}

async function main() {
  const started = Date.now();
  const modes: Record<string, Mode> = {
    // The real job: jobs posted one after another, each keeper sending one transaction per step.
    "eth.sealed.3bidders.keepers": { bundle: false, burst: false },
    // A burst, with and without the keepers bundling each pass's steps into one multicall.
    [`eth.sealed.3bidders.keepers.burst${JOBS}`]: { bundle: false, burst: true },
    [`eth.sealed.3bidders.keepers.burst${JOBS}.bundled`]: { bundle: true, burst: true },
  };
  const scenarios: Record<string, Scenario> = {};
  for (const [name, mode] of Object.entries(modes)) scenarios[name] = await scenario(name, mode);
  // bench:scale's and bench:burst's figures, kept when this file is rewritten.
  const kept = readResults<{ tracked10k?: unknown; burst100?: unknown }>("keeper");
  const results = {
    generatedAt: new Date().toISOString(),
    machine: machine(["hardhat", "viem", "better-sqlite3"], ["contracts", "keeper/src", "sdk/src"]),
    method:
      "Three in-process keepers on a Hardhat node mining a block a second; every transaction of the requester and " +
      "the keepers to the market is read back from the blocks and attributed to its job (a bundle's gas shared " +
      "equally by its steps). Timings from block timestamps: the median over a run's jobs, then over runs.",
    runs: RUNS,
    jobsPerRun: JOBS,
    warm: WARM,
    windows: WINDOWS,
    scenarios,
    seconds: Math.round((Date.now() - started) / 1000),
    ...(kept?.tracked10k === undefined ? {} : { tracked10k: kept.tracked10k }),
    ...(kept?.burst100 === undefined ? {} : { burst100: kept.burst100 }),
  };
  console.log(`wrote ${writeResults("keeper", results)}`);

  // The real job's gas joins the lifecycles of gas.json (bench:gas keeps it when it rewrites the file).
  const gas = readResults<{ lifecycle: Record<string, unknown>; measuredBy?: Record<string, unknown> }>("gas");
  if (gas) {
    gas.lifecycle["eth.sealed.3bidders.keepers"] = scenarios["eth.sealed.3bidders.keepers"]!.gas;
    gas.measuredBy = {
      ...gas.measuredBy,
      "eth.sealed.3bidders.keepers": `bench:keeper ${results.generatedAt.slice(0, 10)} at ${String(results.machine.commit)}`,
    };
    writeResults("gas", gas);
  }
  writeSection("keeper", "Keepers on a real node", render(results));
  console.log(JSON.stringify(scenarios, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
