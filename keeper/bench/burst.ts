// Burst benchmark: the dev stack's three keepers (their strategies, stake and settings, as
// `npm run dev` configures them) on a Hardhat node mining a block a second, facing 100 jobs posted
// in one `postJobs` transaction with the dev stack's windows. Every transaction the requester and
// the keepers send is read back from the blocks. Writes bench/results/burst.json, the `burst100`
// key of bench/results/keeper.json (bench:keeper keeps it), and its section of docs/BENCHMARKS.md.
//
//   npm run bench:burst                 (BENCH_RUNS=2 and BENCH_JOBS=100 by default)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEventLogs, toHex } from "viem";
import { encodeSpec, jobMarketAbi, packTerms, specHash } from "@baton/sdk";
import { account } from "@baton/testkit/devnet";
import { DEV_JOB, DEV_KEEPERS, DEV_KEEPER_SETTINGS, DEV_STAKE_WEI } from "@baton/testkit/devstack";
import { machine, median, readResults, table, writeResults, writeSection } from "@baton/testkit/bench";
import { S } from "../src/plan.js";
import { eventsOf, readLedger } from "./ledger.js";
import { REQUESTER, runKeeper, startKeeperNetwork, waitFor, wasmSpec } from "../test/helpers/market.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const JOBS = Number(process.env.BENCH_JOBS ?? 100);
/** How long a run waits for its jobs to end before it counts what settled. */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);
const KEEPERS = DEV_KEEPERS.map((k) => k.index);
/** States after which a job of this run can no longer settle without a new posting. */
const ENDED = new Set<number>([S.Settled, S.Unfilled, S.Cancelled, S.Refunded]);

type Run = {
  posted: number;
  settled: number;
  unfilled: number;
  keeperTransactions: number;
  keeperReverted: number;
  reverts: { from: string; functionName: string; jobIds: string[] }[];
  txPerJob: number;
  protocolTxPerJob: number;
  jobsWithBids: number;
  biddersPerJob: number;
  postToSettledSec: { median: number; max: number };
  seconds: number;
};

async function run(): Promise<Run> {
  const started = Date.now();
  const network = await startKeeperNetwork(KEEPERS, DEV_STAKE_WEI);
  const { baton, net, dep, modules } = network;
  const dir = mkdtempSync(path.join(tmpdir(), "bench-burst-"));
  const keepers = DEV_KEEPERS.map((k) =>
    runKeeper(
      baton.keeperConfig(dir, k.name, {
        ...DEV_KEEPER_SETTINGS,
        // The bench's workers serve wasm only (the dev stack's also serve its http.json step).
        capabilities: ["wasm"],
        strategy: k.strategy,
      }),
      k.index,
    ),
  );
  try {
    const from = await net.publicClient.getBlockNumber();
    const terms = await baton.terms({ ...DEV_JOB.windows, maxReward: DEV_JOB.maxReward, bond: DEV_JOB.bond });
    const specs = Array.from({ length: JOBS }, (_, i) =>
      wasmSpec(modules, "wordfreq", `burst job ${i}: the quick brown fox jumps over the lazy dog`),
    );
    const receipt = await baton.send(
      REQUESTER,
      "postJobs",
      [specs.map(() => packTerms(terms)), specs.map((s) => specHash(s)), specs.map((s) => toHex(encodeSpec(s)))],
      terms.maxReward * BigInt(JOBS),
    );
    const jobIds = parseEventLogs({ abi: jobMarketAbi, logs: receipt.logs, eventName: "JobPosted" }).map(
      (l) => l.args.jobId,
    );
    const states = async () => Promise.all(jobIds.map((id) => baton.jobState(id)));
    await waitFor(
      async () => (await states()).every((s) => ENDED.has(s)),
      TIMEOUT_MS,
      `all ${JOBS} jobs to settle or end unfilled`,
    ).catch((err: unknown) => console.warn(String(err)));
    const final = await states();
    await Promise.all(keepers.map((k) => k.stop()));
    const to = await net.publicClient.getBlockNumber();

    const ledger = await readLedger(net.publicClient, dep.market, {
      requester: account(REQUESTER).address,
      keepers: KEEPERS.map((i) => account(i).address),
      jobIds,
      from: from + 1n,
      to,
    });
    const about = eventsOf(ledger);
    const count = (name: string, jobId: bigint) => about(name, jobId).length;
    const blockOf = (name: string, jobId: bigint) => about(name, jobId)[0]?.blockNumber;
    // What the protocol needs for each job when every step is its own transaction: its share of
    // the posting, one commit and one reveal per bidder, the result and the settlement.
    const needed = jobIds.map(
      (id) => 1 / JOBS + count("BidCommitted", id) + count("BidRevealed", id) + 2 * Number(count("JobSettled", id) > 0),
    );
    const settledIds = jobIds.filter((_, i) => final[i] === S.Settled);
    const seconds = settledIds.map(
      (id) => ledger.timestamps.get(blockOf("JobSettled", id)!)! - ledger.timestamps.get(blockOf("JobPosted", id)!)!,
    );
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const bidders = jobIds.map((id) => count("BidCommitted", id));
    return {
      posted: jobIds.length,
      settled: settledIds.length,
      unfilled: final.filter((s) => s === S.Unfilled).length,
      keeperTransactions: ledger.keeperTxs,
      keeperReverted: ledger.keeperReverted,
      reverts: ledger.reverts,
      txPerJob: Number(mean([...ledger.jobs.values()].map((g) => g.txs)).toFixed(2)),
      protocolTxPerJob: Number(mean(needed).toFixed(2)),
      jobsWithBids: bidders.filter((b) => b > 0).length,
      biddersPerJob: Number(mean(bidders).toFixed(2)),
      postToSettledSec: seconds.length
        ? { median: median(seconds), max: Math.max(...seconds) }
        : { median: Number.NaN, max: Number.NaN },
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await Promise.all(keepers.map((k) => k.stop().catch(() => undefined)));
    await network.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(r: {
  generatedAt: string;
  machine: Record<string, string | number>;
  burst100: ReturnType<typeof summarise>;
  runs: Run[];
}) {
  const m = r.machine;
  const b = r.burst100;
  const w = DEV_JOB.windows;
  return [
    `Measured ${r.generatedAt.slice(0, 10)} at commit \`${m.commit}\` on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), ` +
      `${m.os}; Node ${m.node}, Hardhat ${m.hardhat}, viem ${m.viem}. A Hardhat node mining one block a second; the dev ` +
      `stack's three keepers (its strategies, ${Number(DEV_STAKE_WEI / 10n ** 15n) / 1000} ETH of stake each, capacity ` +
      `\`${DEV_KEEPER_SETTINGS.capacity}\`, ${DEV_KEEPER_SETTINGS.confirmations} confirmation, a pass a second, one ` +
      `transaction per step) in one process; ${JOBS} ETH wasm jobs posted in one \`postJobs\` transaction with the dev ` +
      `stack's windows (commit ${w.commitWindow} s, reveal ${w.revealWindow} s, execution ${w.executionWindow} s, ` +
      `challenge ${w.challengeWindow} s); ${r.runs.length} runs on a fresh node each.`,
    "",
    table(
      ["", "limit", ...r.runs.map((_, i) => `run ${i + 1}`)],
      [
        ["jobs settled of those posted", "all", ...r.runs.map((x) => `${x.settled} of ${x.posted}`)],
        ["jobs that drew a bid", "", ...r.runs.map((x) => String(x.jobsWithBids))],
        ["sealed bids per job", "", ...r.runs.map((x) => String(x.biddersPerJob))],
        [
          "keeper transactions reverted",
          "≤ 1%",
          ...r.runs.map(
            (x) => `${((x.keeperReverted / x.keeperTransactions) * 100).toFixed(1)}% of ${x.keeperTransactions}`,
          ),
        ],
        [
          "transactions per job (the protocol's own steps)",
          "≤ the protocol's",
          ...r.runs.map((x) => `${x.txPerJob} (${x.protocolTxPerJob})`),
        ],
        [
          "post → settled, seconds: median (max)",
          "",
          ...r.runs.map((x) => `${x.postToSettledSec.median} (${x.postToSettledSec.max})`),
        ],
      ],
      [false, true, ...r.runs.map(() => true)],
    ),
    "",
    `\`burst100\` in keeper.json: \`settled\` ${b.settled} of \`posted\` ${b.posted} (the fewest of any run), ` +
      `\`revertedShare\` ${b.revertedShare}, \`txPerJob\` ${b.txPerJob} against \`protocolTxPerJob\` ${b.protocolTxPerJob} ` +
      "(its share of the posting, one commit and one reveal per sealed bid, the result and the settlement: what the " +
      "protocol needs when every step is its own transaction).",
  ].join("\n");
}

function summarise(runs: Run[]) {
  const tx = runs.reduce((a, r) => a + r.keeperTransactions, 0);
  const reverted = runs.reduce((a, r) => a + r.keeperReverted, 0);
  const mean = (f: (r: Run) => number) => Number((runs.reduce((a, r) => a + f(r), 0) / runs.length).toFixed(2));
  return {
    posted: Math.min(...runs.map((r) => r.posted)),
    settled: Math.min(...runs.map((r) => r.settled)),
    revertedShare: Number((reverted / tx).toFixed(4)),
    txPerJob: mean((r) => r.txPerJob),
    protocolTxPerJob: mean((r) => r.protocolTxPerJob),
    keeperTransactions: tx,
    keeperReverted: reverted,
    postToSettledSec: median(runs.map((r) => r.postToSettledSec.median)),
  };
}

async function main() {
  const runs: Run[] = [];
  for (let i = 1; i <= RUNS; i++) {
    runs.push(await run());
    const r = runs.at(-1)!;
    console.log(
      `run ${i}/${RUNS}: ${r.settled}/${r.posted} settled, ${r.keeperReverted}/${r.keeperTransactions} keeper ` +
        `transactions reverted, ${r.txPerJob} transactions per job, ${r.seconds} s`,
    );
  }
  const burst100 = summarise(runs);
  const results = {
    generatedAt: new Date().toISOString(),
    machine: machine(["hardhat", "viem", "better-sqlite3"], ["contracts", "keeper/src", "sdk/src", "testkit/src"]),
    jobs: JOBS,
    windows: DEV_JOB.windows,
    keeper: DEV_KEEPER_SETTINGS,
    burst100,
    runs,
  };
  console.log(`wrote ${writeResults("burst", results)}`);
  // The key in keeper.json (bench:keeper keeps it when it rewrites the file).
  const keeperResults = readResults<Record<string, unknown>>("keeper");
  if (keeperResults) writeResults("keeper", { ...keeperResults, burst100 });
  writeSection("burst", "A burst on the dev stack", render(results));
  console.log(JSON.stringify(burst100, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
