// Indexer lag benchmark: a Hardhat node mining a block a second takes 100 `postJob` transactions
// a second (four requesters, 25 each) for BENCH_SECONDS (default 30), while the indexer
// (`ponder start`, PGlite, polling every BENCH_POLL_MS, default 250) follows it. Every 200 ms the
// node's head and the indexer's last indexed block (`/status`) are read; the lag is their
// difference. Writes bench/results/indexer.json (key `indexerLagBlocks`) and the indexer section of
// docs/BENCHMARKS.md.
//
//   npm run bench:indexer
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { encodeFunctionData, keccak256, parseGwei, toHex, zeroAddress, type Address, type Hex } from "viem";
import { encodeSpec, jobMarketAbi, packTerms, readParams, type JobTerms } from "@baton/sdk";
import { writeAddressBook } from "@baton/sdk/node";
import { account, deployBaton, startDevnet } from "@baton/testkit/devnet";
import { sampleSpec } from "@baton/testkit";
import { machine, median, table, writeResults, writeSection } from "@baton/testkit/bench";
import { indexedBlock, startIndexer, waitForBlock } from "../launch";

const RATE = Number(process.env.BENCH_JOBS_PER_SECOND ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 250);
const REQUESTERS = [1, 5, 8, 9];
const SAMPLE_MS = 200;
const TARGET_BLOCKS = 2;

type Lag = {
  jobsPerSecondTarget: number;
  jobsPosted: number;
  jobsIndexed: number;
  seconds: number;
  jobsPerSecond: number;
  blocks: number;
  pollMs: number;
  samples: number;
  maxLagBlocks: number;
  p95LagBlocks: number;
  medianLagBlocks: number;
  catchUpMs: number;
};

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function measure(): Promise<Lag> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-indexer-"));
  const net = await startDevnet(1000);
  let indexer: Awaited<ReturnType<typeof startIndexer>> | undefined;
  try {
    const dep = await deployBaton(net);
    const book = path.join(dir, "addresses.json");
    await writeAddressBook(book, dep.book);
    indexer = await startIndexer({
      rpcUrl: net.url,
      addressBook: book,
      dbDir: path.join(dir, "pglite"),
      pollMs: POLL_MS,
    });
    await waitForBlock(indexer, await net.publicClient.getBlockNumber(), 120_000);
    await net.startMining();

    // One job's call data per requester (the same terms each time: jobs are independent).
    const params = await readParams(net.publicClient, dep.market);
    const now = Number((await net.publicClient.getBlock()).timestamp);
    const spec = encodeSpec(sampleSpec);
    const calls = REQUESTERS.map((r) => {
      const terms: JobTerms = {
        requester: account(r).address,
        token: zeroAddress,
        maxReward: 1000n,
        arbiter: dep.arbiter,
        bond: 1000n,
        minStake: 0n,
        minCompleted: 0,
        commitWindow: 600,
        revealWindow: 600,
        executionWindow: 600,
        challengeWindow: 600,
        expiry: now + 86_400,
        ...params,
        pricing: 0,
        callback: false,
      };
      return encodeFunctionData({
        abi: jobMarketAbi,
        functionName: "postJob",
        args: [packTerms(terms), keccak256(spec), toHex(spec)],
      });
    });
    // The node's accounts are unlocked: eth_sendTransaction, the node picks each next nonce.
    const send = (from: Address, data: Hex) =>
      net.publicClient.request({
        method: "eth_sendTransaction" as never,
        params: [
          {
            from,
            to: dep.market,
            data,
            value: toHex(1000n),
            gas: toHex(400_000n),
            maxFeePerGas: toHex(parseGwei("10")),
            maxPriorityFeePerGas: toHex(parseGwei("1")),
          },
        ] as never,
      });

    const lags: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [head, indexed] = await Promise.all([net.publicClient.getBlockNumber(), indexedBlock(indexer!.url)]);
        if (indexed !== undefined) lags.push(Math.max(0, Number(head - indexed)));
        await new Promise((r) => setTimeout(r, SAMPLE_MS));
      }
    })();

    const firstBlock = await net.publicClient.getBlockNumber();
    const started = Date.now();
    let posted = 0;
    for (let second = 0; second < SECONDS; second++) {
      const due = started + (second + 1) * 1000;
      const perRequester = RATE / REQUESTERS.length;
      await Promise.all(
        REQUESTERS.map(async (r, i) => {
          for (let k = 0; k < perRequester; k++) await send(account(r).address, calls[i]!);
        }),
      );
      posted += RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const seconds = (Date.now() - started) / 1000;

    // Every job mined, then how long the indexer takes to reach the head from there.
    const count = async () =>
      (await net.publicClient.readContract({ address: dep.market, abi: jobMarketAbi, functionName: "jobCount" })) ===
      BigInt(posted);
    while (!(await count())) await new Promise((r) => setTimeout(r, 200));
    const head = await net.publicClient.getBlockNumber();
    const caughtUpFrom = Date.now();
    await waitForBlock(indexer, head, 120_000);
    const catchUpMs = Date.now() - caughtUpFrom;
    sampling = false;
    await sampler;

    const res = await fetch(`${indexer.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ jobs(limit: 1) { totalCount } }" }),
    });
    const jobsIndexed = ((await res.json()) as { data: { jobs: { totalCount: number } } }).data.jobs.totalCount;

    return {
      jobsPerSecondTarget: RATE,
      jobsPosted: posted,
      jobsIndexed,
      seconds: Math.round(seconds * 10) / 10,
      jobsPerSecond: Math.round((posted / seconds) * 10) / 10,
      blocks: Number(head - firstBlock),
      pollMs: POLL_MS,
      samples: lags.length,
      maxLagBlocks: Math.max(...lags),
      p95LagBlocks: percentile(lags, 95),
      medianLagBlocks: median(lags),
      catchUpMs,
    };
  } finally {
    await indexer?.stop();
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function render(r: { generatedAt: string; machine: Record<string, string | number>; indexerLagBlocks: Lag }): string {
  const l = r.indexerLagBlocks;
  const m = r.machine;
  return [
    `Measured ${r.generatedAt.slice(0, 10)} at commit \`${m.commit}\` on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), ` +
      `${m.os}; Node ${m.node}, Hardhat ${m.hardhat}, Ponder ${m.ponder}, viem ${m.viem}. A Hardhat node mining a block ` +
      `a second takes ${l.jobsPerSecondTarget} \`postJob\` transactions a second (four requesters) for ${l.seconds} s: ` +
      `${l.jobsPosted.toLocaleString("en-US")} jobs in ${l.blocks} blocks (${l.jobsPerSecond} jobs/s achieved). The indexer ` +
      `(\`ponder start\`, PGlite, polling every ${l.pollMs} ms) runs beside it on the same machine; every ${SAMPLE_MS} ms ` +
      `the node's head and the indexer's \`/status\` block are read (${l.samples} samples), and the lag is their difference.`,
    "",
    table(
      ["`indexerLagBlocks`", "limit", "measured", "met?"],
      [
        [
          "largest lag behind the head, blocks (`maxLagBlocks`)",
          `≤ ${TARGET_BLOCKS}`,
          l.maxLagBlocks,
          l.maxLagBlocks <= TARGET_BLOCKS ? "yes" : "**no**",
        ],
        ["95th percentile, blocks (`p95LagBlocks`)", "", l.p95LagBlocks, ""],
        ["median, blocks (`medianLagBlocks`)", "", l.medianLagBlocks, ""],
        ["from the last job mined to the indexer at the head, ms (`catchUpMs`)", "", l.catchUpMs, ""],
      ],
      [false, true, true, false],
    ),
    "",
    `The indexer had every job: ${l.jobsIndexed.toLocaleString("en-US")} rows for ${l.jobsPosted.toLocaleString("en-US")} posted.`,
  ].join("\n");
}

async function main() {
  const indexerLagBlocks = await measure();
  const results = {
    generatedAt: new Date().toISOString(),
    machine: machine(["hardhat", "ponder", "viem"], ["contracts", "indexer", "sdk/src"]),
    method:
      "A Hardhat node mining a block a second takes a steady stream of postJob transactions while the indexer " +
      "follows it; the head and the indexer's last indexed block are sampled every 200 ms.",
    indexerLagBlocks,
  };
  console.log(`wrote ${writeResults("indexer", results)}`);
  writeSection("indexer", "The indexer under load", render(results));
  console.log(JSON.stringify(indexerLagBlocks, null, 2));
  if (indexerLagBlocks.jobsIndexed !== indexerLagBlocks.jobsPosted) {
    throw new Error(`the indexer has ${indexerLagBlocks.jobsIndexed} jobs, ${indexerLagBlocks.jobsPosted} were posted`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
