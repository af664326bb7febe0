// Gas benchmark: drives the real contracts on the in-process Hardhat network and writes
// bench/results/gas.json (and the gas section of docs/BENCHMARKS.md, see bench/report.ts).
//
//   npx hardhat run bench/gas.ts        (or: npm run bench:gas)
//
// Every figure is a receipt's `gasUsed` (base cost, calldata and refunds included). Gas on the
// in-process network is deterministic, so one run is enough; timings are not measured here.
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execSync } from "node:child_process";
import {
  deployMarket,
  makeTerms,
  salt,
  SPEC,
  SPEC_HASH,
  RESULT,
  RESULT_HASH,
  ETH,
  type Fixture,
  packTerms,
} from "../test/helpers/fixture";
import { DIAMOND, deployOrchestrator, completeAll, jobOfStep, step as workflowStep } from "../test/helpers/workflow";
import { batchRound } from "./batch";
import { floorEthSealed1Bidder } from "./floor";
import { writeReport } from "./report";

type Steps = Record<string, number>;
const RESULTS = path.join(__dirname, "results", "gas.json");
const PRICE = ethers.parseEther("1.5");

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  return Number((await (await tx).wait())!.gasUsed);
}

function withTotal(steps: Steps): Steps {
  return { ...steps, total: Object.values(steps).reduce((a, b) => a + b, 0) };
}

/** The protocol calls a benchmark makes; one place to follow the market's signatures. */
const api = {
  async post(f: Fixture, token = ETH) {
    const terms = await makeTerms(f, { token });
    const value = token === ETH ? terms.maxReward : 0n;
    const gas = await gasOf(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC, { value }));
    return { jobId: await f.market.jobCount(), terms, gas };
  },
  async commit(
    f: Fixture,
    jobId: bigint,
    terms: Awaited<ReturnType<typeof makeTerms>>,
    bidder = f.worker1,
    price = PRICE,
  ) {
    const s = salt(`bench:${jobId}:${bidder.address}`);
    const round = (await f.market.getJob(jobId)).round;
    const commitment = await f.market.computeCommitment(jobId, round, bidder.address, price, s);
    return gasOf(f.market.connect(bidder).commitBid(jobId, packTerms(terms), commitment));
  },
  async reveal(
    f: Fixture,
    jobId: bigint,
    terms: Awaited<ReturnType<typeof makeTerms>>,
    bidder = f.worker1,
    price = PRICE,
  ) {
    return gasOf(
      f.market.connect(bidder).revealBid(jobId, packTerms(terms), price, salt(`bench:${jobId}:${bidder.address}`)),
    );
  },
  async submit(f: Fixture, jobId: bigint, terms: Awaited<ReturnType<typeof makeTerms>>, worker = f.worker1) {
    return gasOf(f.market.connect(worker).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT));
  },
  async settle(f: Fixture, jobId: bigint, terms: Awaited<ReturnType<typeof makeTerms>>) {
    return gasOf(f.market.connect(f.worker1).settle(jobId, packTerms(terms), RESULT_HASH));
  },
};

/** The five-transaction sealed-bid path with one bidder: post, commit, reveal, submit (which finalizes), settle. */
async function lifecycle(f: Fixture, token = ETH): Promise<Steps> {
  const { jobId, terms, gas: post } = await api.post(f, token);
  const commit = await api.commit(f, jobId, terms);
  await time.increaseTo((await f.market.getJob(jobId)).deadline);
  const reveal = await api.reveal(f, jobId, terms);
  await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
  const submit = await api.submit(f, jobId, terms);
  await time.increaseTo((await f.market.getJob(jobId)).deadline);
  const settle = await api.settle(f, jobId, terms);
  return withTotal({ post, commit, reveal, submit, settle });
}

/**
 * Each payee withdraws everything it holds in `token`: the worker and the requester their
 * credits, the treasury the fees (`withdrawFees`, which pays the market's fee account to it).
 */
async function withdrawAll(f: Fixture, token = ETH): Promise<Steps> {
  const out: Steps = {};
  for (const [name, who] of [
    ["worker", f.worker1],
    ["requester", f.requester],
  ] as const) {
    if ((await f.market.creditOf(who.address, token)) > 0n) {
      out[name] = await gasOf(f.market.connect(who).withdraw(token));
    }
  }
  if ((await f.market.creditOf(await f.market.getAddress(), token)) > 0n) {
    out.treasury = await gasOf(f.market.connect(f.treasury).withdrawFees(token));
  }
  return out;
}

/**
 * Ten jobs through every step, each actor batching its ten calls per transaction, in the steady
 * state: a first batch warms the accounts and the bidder's slots that the measured batch reuses.
 */
async function batch10(f: Fixture, bidSlots: number, via: "batch" | "multicall" = "batch"): Promise<Steps> {
  await batchRound(f, 10, via);
  await postUntil(f, Number(await f.market.jobCount()) - 9 + bidSlots);
  return withTotal(await batchRound(f, 10, via));
}

/** Extra staked workers beyond the fixture's three (fresh wallets funded by the owner). */
async function moreWorkers(f: Fixture, n: number) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const w = ethers.Wallet.createRandom().connect(ethers.provider);
    await f.owner.sendTransaction({ to: w.address, value: ethers.parseEther("20") });
    await f.market.connect(w).register([ethers.encodeBytes32String("wasm")], "https://workers.example/bench");
    await f.market.connect(w).depositStake({ value: ethers.parseEther("10") });
    out.push(w);
  }
  return out;
}

/** One job with `bidders` sealed bids; the winner (lowest price) commits last and reveals first. */
async function withBidders(f: Fixture, bidders: Awaited<ReturnType<typeof moreWorkers>>): Promise<Steps> {
  const { jobId, terms, gas: post } = await api.post(f);
  const winner = bidders[bidders.length - 1];
  const losers = bidders.slice(0, -1);
  const priceOf = (i: number) => PRICE + BigInt(i + 1) * 1000n;
  for (const [i, b] of losers.entries()) await api.commit(f, jobId, terms, b as never, priceOf(i));
  const commit = await api.commit(f, jobId, terms, winner as never, PRICE);
  await time.increaseTo((await f.market.getJob(jobId)).deadline);
  const reveal = await api.reveal(f, jobId, terms, winner as never, PRICE);
  let lastLosingReveal = 0;
  for (const [i, b] of losers.entries()) lastLosingReveal = await api.reveal(f, jobId, terms, b as never, priceOf(i));
  await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
  const submit = await api.submit(f, jobId, terms, winner as never);
  await time.increaseTo((await f.market.getJob(jobId)).deadline);
  const settle = await api.settle(f, jobId, terms);
  const steps: Steps = { post, commit, reveal, submit, settle };
  if (losers.length) steps.losingReveal = lastLosingReveal;
  return steps;
}

/** Posts plain jobs until the next one posted is job `next`. */
async function postUntil(f: Fixture, next: number) {
  for (let id = Number(await f.market.jobCount()) + 1; id < next; id++) await api.post(f);
}

function pairUp(first: Steps, after: Steps) {
  const out: Record<string, { first: number; after: number; drift: number }> = {};
  for (const k of Object.keys(after)) {
    if (!(k in first)) continue;
    out[k] = { first: first[k], after: after[k], drift: Number(((after[k] - first[k]) / first[k]).toFixed(5)) };
  }
  return out;
}

async function workflowGas() {
  const f = await deployOrchestrator();
  const P = ethers.parseEther;
  const create = async (deps: number[][]) => {
    const steps = await Promise.all(deps.map((_, i) => workflowStep(f, `step-${i}`)));
    const budget = steps.reduce((sum, s) => sum + BigInt(s.maxReward), 0n);
    const tx = f.orchestrator.connect(f.requester).createWorkflow(steps, deps, ETH, budget, 0, { value: budget });
    return { gas: await gasOf(tx), workflowId: await f.orchestrator.workflowCount() };
  };
  const warm = await create([[]]);
  await completeAll(f, [{ jobId: await jobOfStep(f, warm.workflowId, 0), price: P("0.5") }]);
  const diamond = await create(DIAMOND);
  return { createDiamond: diamond.gas };
}

/**
 * The machine and versions behind the figures. The same record as `machine()` in
 * `@baton/testkit/bench`, written out here because `hardhat run` loads this script as CommonJS,
 * which cannot `require` the ESM kit.
 */
function machine() {
  const pkg = (name: string) => {
    try {
      const file = path.join(__dirname, "..", "node_modules", name, "package.json");
      return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
      return "unknown";
    }
  };
  let commit = "unknown";
  try {
    const cwd = path.join(__dirname, "..");
    commit = execSync("git rev-parse --short HEAD", { cwd }).toString().trim();
    // The results and the generated docs are outputs; any other change means the code measured is not HEAD.
    const dirty = execSync("git status --porcelain -- contracts hardhat.config.ts", { cwd }).toString().trim();
    if (dirty) commit += "+uncommitted";
  } catch {
    /* not a git checkout */
  }
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    hardhat: pkg("hardhat"),
    solc: pkg("solc"),
    ethers: pkg("ethers"),
    network: network.name,
    hardfork: (network.config as { hardfork?: string }).hardfork ?? "default (cancun or later)",
    commit,
  };
}

async function main() {
  const started = Date.now();
  const lifecycles: Record<string, Steps> = {};
  const scaling: Record<string, Record<string, { first: number; after: number; drift: number }>> = {};

  // ETH. Job #1 pays for first-time slots everywhere; job #2 still writes the bidder's ring slot
  // for the first time (jobs 1–256 each have their own slot); job #257 reuses job #1's slot, as
  // every job does once a keeper has bid on 256 jobs: that is the steady state.
  let f = await deployMarket();
  // The bidder's ring of bid slots: job n reuses job n − BID_SLOTS's slot.
  const BID_SLOTS = Number(await f.market.BID_SLOTS());
  const job1 = await lifecycle(f);
  lifecycles["eth.sealed.1bidder.freshBidSlot"] = await lifecycle(f);
  await postUntil(f, 1 + BID_SLOTS);
  lifecycles["eth.sealed.1bidder"] = await lifecycle(f);
  lifecycles["eth.sealed.1bidder.job1"] = job1;
  // Job #744 warms the slot job #1,000 uses, so that #1,000 is measured in the same state as #257.
  await postUntil(f, 1000 - BID_SLOTS);
  await lifecycle(f);
  await postUntil(f, 1000);
  const job1000 = await lifecycle(f);
  if (Number(await f.market.jobCount()) !== 1000) throw new Error("expected job #1,000");
  scaling["job1_vs_job1000"] = pairUp(job1, job1000);
  scaling["job257_vs_job1000"] = pairUp(lifecycles["eth.sealed.1bidder"], job1000);

  // ERC-20: job #2 warms the token's credit slots, job #258 reuses job #2's bid slot.
  f = await deployMarket();
  const token = await f.token.getAddress();
  await lifecycle(f);
  await lifecycle(f, token);
  await postUntil(f, 2 + BID_SLOTS);
  lifecycles["erc20.sealed.1bidder"] = await lifecycle(f, token);

  // Every payee withdraws after every job (steady state as above).
  f = await deployMarket();
  await lifecycle(f);
  await withdrawAll(f);
  await postUntil(f, 1 + BID_SLOTS);
  lifecycles["eth.sealed.1bidder.withdrawEach"] = await lifecycle(f);
  const withdrawals = await withdrawAll(f);

  // 1 bidder vs 50, every bidder's slot warm: jobs #2 and #3 warm the slots (and credits) that
  // jobs #258 (one bidder) and #259 (fifty) reuse.
  f = await deployMarket();
  const workers = await moreWorkers(f, 50);
  await withBidders(f, workers.slice(0, 1));
  await withBidders(f, workers.slice(49, 50));
  await withBidders(f, workers);
  await postUntil(f, 2 + BID_SLOTS);
  const one = await withBidders(f, workers.slice(49, 50));
  const fifty = await withBidders(f, workers);
  scaling["bidders1_vs_bidders50"] = pairUp(one, fifty);
  const losingReveal50 = fifty.losingReveal;

  // Batching.
  f = await deployMarket();
  await lifecycle(f);
  lifecycles["eth.batch10.perJob"] = await batch10(f, BID_SLOTS);
  // The same through `multicall` of single calls, to compare with the batch functions.
  f = await deployMarket();
  await lifecycle(f);
  lifecycles["eth.batch10.multicall.perJob"] = await batch10(f, BID_SLOTS, "multicall");

  const workflow = await workflowGas();

  const out = {
    generatedAt: new Date().toISOString(),
    machine: machine(),
    method:
      "gasUsed of each transaction receipt on the in-process Hardhat network (base cost, calldata and refunds included). " +
      "Steady state: the accounts' credit slots and the bidder's bid slot already hold a value (a job run before, and " +
      `one ${BID_SLOTS} jobs earlier for the bid slot). Each lifecycle is ETH or an ` +
      "18-decimal ERC-20, maxReward 2, bid 1.5, bond 1 ETH, fee 250 bps, 64-byte inline spec, 21-byte result, no callback.",
    lifecycle: lifecycles,
    withdraw: withdrawals,
    losingRevealWith50Bidders: losingReveal50,
    floor: { "eth.sealed.1bidder": floorEthSealed1Bidder() },
    scaling,
    workflow,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  // What bench:keeper measured on a real node stays until it measures again.
  if (fs.existsSync(RESULTS)) {
    const previous = JSON.parse(fs.readFileSync(RESULTS, "utf8")) as Partial<typeof out> & {
      measuredBy?: Record<string, string>;
    };
    const real = previous.lifecycle?.["eth.sealed.3bidders.keepers"];
    if (real) {
      out.lifecycle["eth.sealed.3bidders.keepers"] = real;
      Object.assign(out, { measuredBy: previous.measuredBy });
    }
  }
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, JSON.stringify(out, null, 2) + "\n");
  console.log(JSON.stringify(out.lifecycle, null, 2));
  writeReport(out);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
