import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { decodeFunctionData, parseEther, parseEventLogs, stringToHex, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { encodeSpec, jobMarketAbi, specHash } from "@baton/sdk";
import { parseConfig, type KeeperConfig } from "../src/config.js";
import { Keeper } from "../src/keeper.js";
import { S, type Terms } from "../src/plan.js";
import { account, deployBaton, privateKeyOf, startDevnet, type Deployment, type Devnet } from "./helpers/devnet.js";
import { serveModules, type ModuleServer } from "./helpers/modules.js";

// Real chain, real keepers: three keepers with different pricing compete for 20 jobs.

const REQUESTER = 1;
const KEEPERS = [2, 3, 4];
const WINDOWS = { commitWindow: 10, revealWindow: 10, executionWindow: 40, challengeWindow: 3 };

let net: Devnet;
let dep: Deployment;
let modules: ModuleServer;
/** Silent by default; KEEPER_TEST_LOG=<dir> writes each keeper's JSON log there. */
let loggers = 0;
function testLogger() {
  const out = process.env.KEEPER_TEST_LOG;
  return out
    ? pino({ level: "debug" }, pino.destination({ dest: path.join(out, `keeper-${++loggers}.log`), sync: true }))
    : pino({ level: "silent" });
}
const dir = mkdtempSync(path.join(tmpdir(), "keeper-it-"));

function keeperConfig(i: number, overrides: Partial<KeeperConfig> = {}): KeeperConfig {
  return parseConfig({
    rpcUrls: [net.url],
    chainId: 31337,
    market: dep.market,
    multicall3: dep.multicall3,
    startBlock: dep.deploymentBlock.toString(),
    dbPath: path.join(dir, `keeper-${i}.db`),
    confirmations: 0,
    pollIntervalMs: 250,
    capabilities: ["wasm"],
    capacity: 25,
    summaryIntervalSec: 3600,
    executors: { cacheDir: path.join(dir, `cache-${i}`), wasmTimeoutMs: 5_000 },
    ...overrides,
  } as never);
}

async function setupWorker(index: number) {
  const w = net.wallet(index);
  const a = account(index);
  const reg = await w.writeContract({
    account: a,
    chain: net.chain,
    address: dep.market,
    abi: jobMarketAbi,
    functionName: "register",
    args: [[stringToHex("wasm", { size: 32 })], ""],
  });
  await net.publicClient.waitForTransactionReceipt({ hash: reg });
  const stake = await w.writeContract({
    account: a,
    chain: net.chain,
    address: dep.market,
    abi: jobMarketAbi,
    functionName: "depositStake",
    value: parseEther("10"),
  });
  await net.publicClient.waitForTransactionReceipt({ hash: stake });
}

async function postWasmJob(maxReward: bigint, text: string): Promise<{ jobId: bigint; terms: Terms }> {
  const now = Number((await net.publicClient.getBlock()).timestamp);
  const terms: Terms = {
    requester: account(REQUESTER).address,
    token: "0x0000000000000000000000000000000000000000",
    maxReward,
    arbiter: dep.arbiter,
    bond: parseEther("0.1"),
    minStake: 0n,
    minCompleted: 0,
    ...WINDOWS,
    expiry: now + 3600,
    ...dep.params,
    pricing: 0,
    callback: false,
  };
  const spec = {
    kind: "wasm",
    version: 1,
    module: { uri: modules.url("wordfreq"), sha256: modules.sha256("wordfreq") },
    input: { encoding: "utf8", data: text },
  } as const;
  const w = net.wallet(REQUESTER);
  const hash = await w.writeContract({
    account: account(REQUESTER),
    chain: net.chain,
    address: dep.market,
    abi: jobMarketAbi,
    functionName: "postJob",
    args: [terms, specHash(spec as never), toHex(encodeSpec(spec as never))],
    value: maxReward,
  });
  const receipt = await net.publicClient.waitForTransactionReceipt({ hash });
  const [posted] = parseEventLogs({ abi: jobMarketAbi, logs: receipt.logs, eventName: "JobPosted" });
  return { jobId: posted.args.jobId, terms };
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string) {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function jobState(jobId: bigint): Promise<number> {
  return Number(
    await net.publicClient.readContract({
      address: dep.market,
      abi: jobMarketAbi,
      functionName: "jobState",
      args: [jobId],
    }),
  );
}

/** Every transaction `from` sent to the market, decoded, from the chain itself. */
async function sentBy(from: string): Promise<{ fn: string; args: readonly unknown[] }[]> {
  const head = await net.publicClient.getBlockNumber();
  const out: { fn: string; args: readonly unknown[] }[] = [];
  for (let b = dep.deploymentBlock; b <= head; b++) {
    const block = await net.publicClient.getBlock({ blockNumber: b, includeTransactions: true });
    for (const tx of block.transactions) {
      if (tx.from.toLowerCase() !== from.toLowerCase() || tx.to?.toLowerCase() !== dep.market.toLowerCase()) continue;
      const d = decodeFunctionData({ abi: jobMarketAbi, data: tx.input as Hex });
      out.push({ fn: d.functionName, args: d.args ?? [] });
    }
  }
  return out;
}

beforeAll(async () => {
  net = await startDevnet();
  dep = await deployBaton(net);
  modules = await serveModules();
  for (const k of KEEPERS) await setupWorker(k);
  await net.startMining();
});

afterAll(async () => {
  await modules?.stop();
  await net?.stop();
});

describe("three keepers, twenty jobs", () => {
  it("settles every job, the lowest revealed bid wins, and no keeper sends a step twice", async () => {
    const strategies = [
      { kind: "fraction", fraction: 0.9 },
      { kind: "fraction", fraction: 0.6 },
      { kind: "cost-plus", margin: 0.5, executionCostWei: { wasm: parseEther("0.02").toString() }, gasPerJob: 400_000 },
    ];
    const keepers = KEEPERS.map(
      (k, i) =>
        new Keeper(
          keeperConfig(k, { strategy: strategies[i] } as never),
          privateKeyToAccount(privateKeyOf(k)),
          testLogger(),
        ),
    );
    const runs = keepers.map((k) => k.run());
    try {
      const jobs: { jobId: bigint; terms: Terms }[] = [];
      for (let i = 0; i < 20; i++)
        jobs.push(
          await postWasmJob(
            parseEther(String(0.02 + 0.01 * i)),
            `job ${i} the quick brown fox jumps over the lazy dog ${i}`,
          ),
        );
      await waitFor(
        async () => (await Promise.all(jobs.map((j) => jobState(j.jobId)))).every((s) => s === S.Settled),
        120_000,
        "all jobs to settle",
      );

      const logs = await net.publicClient.getContractEvents({
        address: dep.market,
        abi: jobMarketAbi,
        fromBlock: dep.deploymentBlock,
      });
      let contested = 0;
      for (const { jobId } of jobs) {
        const all = logs.filter(
          (l) => l.eventName === "BidRevealed" && (l.args as { jobId: bigint }).jobId === jobId,
        ) as unknown as {
          args: { bidder: string; price: bigint; round: number };
        }[];
        // A job reopened after a no-show has reveals in several rounds; the last round decides.
        const lastRound = Math.max(...all.map((r) => Number(r.args.round)));
        const reveals = all.filter((r) => Number(r.args.round) === lastRound);
        const settled = logs.find(
          (l) => l.eventName === "JobSettled" && (l.args as { jobId: bigint }).jobId === jobId,
        ) as unknown as { args: { worker: string; price: bigint } };
        const lowest = reveals.reduce((a, b) => (b.args.price < a.args.price ? b : a));
        if (reveals.length >= 2) contested++;
        expect(settled.args.worker).toBe(lowest.args.bidder);
        expect(settled.args.price).toBe(lowest.args.price);
      }
      // The keepers really competed: most jobs drew more than one revealed bid.
      expect(contested).toBeGreaterThanOrEqual(10);
      for (const k of KEEPERS) {
        const sent = await sentBy(account(k).address);
        const keys = sent.map((t) => `${t.fn}:${String(t.args[0])}`);
        expect(new Set(keys).size, `keeper ${k} sent a step twice: ${keys.join(" ")}`).toBe(keys.length);
      }
    } finally {
      await Promise.all(keepers.map((k) => k.stop()));
      await Promise.all(runs);
    }
  });
});
