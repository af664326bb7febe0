import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { decodeFunctionData, parseEther, parseEventLogs, stringToHex, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { encodeSpec, jobMarketAbi, specHash } from "@baton/sdk";
import { parseConfig } from "../src/config.js";
import { Keeper } from "../src/keeper.js";
import { S, type Terms } from "../src/plan.js";
import {
  ROOT,
  account,
  deployBaton,
  privateKeyOf,
  startDevnet,
  type Deployment,
  type Devnet,
} from "./helpers/devnet.js";
import { serveModules, type ModuleServer } from "./helpers/modules.js";

// Crashes and misbehaviour on a real chain: a keeper killed with SIGKILL mid-job, a keeper that
// never reveals, and an executor that times out.

const REQUESTER = 1;
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
const dir = mkdtempSync(path.join(tmpdir(), "keeper-faults-"));

function rawConfig(i: number, overrides: Record<string, unknown> = {}) {
  return {
    rpcUrls: [net.url],
    chainId: 31337,
    market: dep.market,
    multicall3: dep.multicall3,
    startBlock: dep.deploymentBlock.toString(),
    dbPath: path.join(dir, `keeper-${i}.db`),
    confirmations: 0,
    pollIntervalMs: 250,
    capabilities: ["wasm"],
    strategy: { kind: "fraction", fraction: 0.8 },
    summaryIntervalSec: 3600,
    executors: { cacheDir: path.join(dir, `cache-${i}`), wasmTimeoutMs: 5_000 },
    ...overrides,
  };
}

async function send(index: number, functionName: string, args: unknown[], value = 0n) {
  const hash = await net.wallet(index).writeContract({
    account: account(index),
    chain: net.chain,
    address: dep.market,
    abi: jobMarketAbi,
    functionName: functionName as never,
    args: args as never,
    value,
  });
  return net.publicClient.waitForTransactionReceipt({ hash });
}

async function setupWorker(index: number) {
  await send(index, "register", [[stringToHex("wasm", { size: 32 })], ""]);
  await send(index, "depositStake", [], parseEther("10"));
}

async function post(
  module: string,
  input: string,
  opts: { limits?: object; expiryIn?: number; windows?: Partial<Terms> } = {},
) {
  const now = Number((await net.publicClient.getBlock()).timestamp);
  const windows = { commitWindow: 8, revealWindow: 8, executionWindow: 20, challengeWindow: 3, ...opts.windows };
  const terms: Terms = {
    requester: account(REQUESTER).address,
    token: "0x0000000000000000000000000000000000000000",
    maxReward: parseEther("0.1"),
    arbiter: dep.arbiter,
    bond: parseEther("0.1"),
    minStake: 0n,
    minCompleted: 0,
    commitWindow: windows.commitWindow!,
    revealWindow: windows.revealWindow!,
    executionWindow: windows.executionWindow!,
    challengeWindow: windows.challengeWindow!,
    expiry: now + (opts.expiryIn ?? 3600),
    ...dep.params,
    pricing: 0,
    callback: false,
  };
  const spec = {
    kind: "wasm",
    version: 1,
    module: { uri: modules.url(module), sha256: modules.sha256(module) },
    input: { encoding: "utf8", data: input },
    ...(opts.limits ? { limits: opts.limits } : {}),
  };
  const receipt = await send(
    REQUESTER,
    "postJob",
    [terms, specHash(spec as never), toHex(encodeSpec(spec as never))],
    terms.maxReward,
  );
  const [posted] = parseEventLogs({ abi: jobMarketAbi, logs: receipt.logs, eventName: "JobPosted" });
  return { jobId: posted.args.jobId, terms };
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number, what: string) {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const jobState = async (jobId: bigint) =>
  Number(
    await net.publicClient.readContract({
      address: dep.market,
      abi: jobMarketAbi,
      functionName: "jobState",
      args: [jobId],
    }),
  );
const worker = (index: number) =>
  net.publicClient.readContract({
    address: dep.market,
    abi: jobMarketAbi,
    functionName: "getWorker",
    args: [account(index).address],
  });
const events = () =>
  net.publicClient.getContractEvents({ address: dep.market, abi: jobMarketAbi, fromBlock: dep.deploymentBlock });

async function stepsSentBy(index: number): Promise<string[]> {
  const head = await net.publicClient.getBlockNumber();
  const keys: string[] = [];
  for (let b = dep.deploymentBlock; b <= head; b++) {
    const block = await net.publicClient.getBlock({ blockNumber: b, includeTransactions: true });
    for (const tx of block.transactions) {
      if (
        tx.from.toLowerCase() !== account(index).address.toLowerCase() ||
        tx.to?.toLowerCase() !== dep.market.toLowerCase()
      )
        continue;
      const d = decodeFunctionData({ abi: jobMarketAbi, data: tx.input as Hex });
      keys.push(`${d.functionName}:${String(d.args?.[0])}`);
    }
  }
  return keys;
}

beforeAll(async () => {
  net = await startDevnet();
  dep = await deployBaton(net);
  modules = await serveModules();
  for (const k of [2, 3, 4, 5]) await setupWorker(k);
  await net.startMining();
});

afterAll(async () => {
  await modules?.stop();
  await net?.stop();
});

describe("a keeper killed with SIGKILL", () => {
  it("restarts, completes the job and repeats no transaction", async () => {
    const cfgFile = path.join(dir, "kill.json");
    writeFileSync(cfgFile, JSON.stringify(rawConfig(2)));
    const bin = path.join(ROOT, "keeper/bin/baton-keeper.mjs");
    let child: ChildProcess | undefined;
    let output = "";
    const start = () => {
      child = spawn(process.execPath, [bin, "--config", cfgFile, "start"], {
        env: { ...process.env, BATON_PRIVATE_KEY: privateKeyOf(2), BATON_LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout!.on("data", (d) => (output += d));
      child.stderr!.on("data", (d) => (output += d));
    };
    start();
    try {
      // Post only once the keeper is up, so the commit window is not spent on its start-up.
      await waitFor(async () => output.includes("keeper started"), 30_000, "the keeper to start");
      const { jobId } = await post("primes", "360");
      // Kill the keeper right after each of its steps lands, then start it again.
      let seen = 0;
      for (let kills = 0; kills < 3; kills++) {
        await waitFor(
          async () => (await stepsSentBy(2)).length > seen || (await jobState(jobId)) === S.Settled,
          60_000,
          "the next step",
        );
        seen = (await stepsSentBy(2)).length;
        child!.kill("SIGKILL");
        await new Promise((r) => child!.once("exit", r));
        start();
      }
      await waitFor(async () => (await jobState(jobId)) === S.Settled, 90_000, "the job to settle");
      const keys = await stepsSentBy(2);
      expect(new Set(keys).size, keys.join(" ")).toBe(keys.length);
      expect(keys).toEqual(
        expect.arrayContaining([`commitBid:${jobId}`, `revealBid:${jobId}`, `submitResult:${jobId}`]),
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\nkeeper output:\n${output.slice(-4000)}`, { cause: error });
    } finally {
      child?.kill("SIGTERM");
    }
  });
});

describe("bad job specs", () => {
  it("skips a malformed spec and an unknown kind with the reason, and keeps serving valid jobs", async () => {
    const keeper = new Keeper(
      parseConfig(rawConfig(3, { dbPath: path.join(dir, "specs.db") })),
      privateKeyToAccount(privateKeyOf(3)),
      testLogger(),
    );
    const run = keeper.run();
    try {
      const now = Number((await net.publicClient.getBlock()).timestamp);
      const base: Terms = {
        requester: account(REQUESTER).address,
        token: "0x0000000000000000000000000000000000000000",
        maxReward: parseEther("0.1"),
        arbiter: dep.arbiter,
        bond: parseEther("0.1"),
        minStake: 0n,
        minCompleted: 0,
        commitWindow: 8,
        revealWindow: 8,
        executionWindow: 20,
        challengeWindow: 3,
        expiry: now + 3600,
        ...dep.params,
        pricing: 0,
        callback: false,
      };
      const garbage = new TextEncoder().encode('{"kind":"wasm",');
      const unknown = new TextEncoder().encode('{"kind":"gpu.render","version":1}');
      const bad1 = await send(REQUESTER, "postJob", [base, `0x${"11".repeat(32)}`, toHex(garbage)], base.maxReward);
      const bad2 = await send(REQUESTER, "postJob", [base, `0x${"22".repeat(32)}`, toHex(unknown)], base.maxReward);
      const ids = [bad1, bad2].map(
        (r) => parseEventLogs({ abi: jobMarketAbi, logs: r.logs, eventName: "JobPosted" })[0].args.jobId,
      );
      const { jobId: good } = await post("primes", "97");
      await waitFor(async () => (await jobState(good)) === S.Settled, 60_000, "the valid job to settle");
      for (const id of ids) {
        expect(keeper.store.job(id)!.decision).toMatch(/^skip: invalid spec/);
      }
      const commits = (await events()).filter(
        (e) => e.eventName === "BidCommitted" && ids.includes((e.args as { jobId: bigint }).jobId),
      );
      expect(commits).toHaveLength(0);
    } finally {
      await keeper.stop();
      await run;
    }
  });
});

describe("misbehaving keepers", () => {
  it("a keeper that never reveals loses part of its bond to the others' housekeeping", async () => {
    const honest = new Keeper(parseConfig(rawConfig(3)), privateKeyToAccount(privateKeyOf(3)), testLogger());
    const silent = new Keeper(
      parseConfig(rawConfig(4, { faults: { neverReveal: true }, strategy: { kind: "fraction", fraction: 0.5 } })),
      privateKeyToAccount(privateKeyOf(4)),
      testLogger(),
    );
    const runs = [honest.run(), silent.run()];
    try {
      const before = (await worker(4)).stake;
      const { jobId } = await post("wordfreq", "to be or not to be");
      await waitFor(async () => (await jobState(jobId)) === S.Settled, 90_000, "the job to settle");
      await waitFor(
        async () =>
          (await events()).some((e) => e.eventName === "BidForfeited" && (e.args as { jobId: bigint }).jobId === jobId),
        30_000,
        "the forfeit",
      );
      const after = await worker(4);
      expect(before - after.stake).toBe((parseEther("0.1") * BigInt(dep.params.forfeitBps)) / 10_000n);
      expect(after.locked).toBe(0n);
    } finally {
      await Promise.all([honest.stop(), silent.stop()]);
      await Promise.all(runs);
    }
  });

  it("an executor timeout leads to the no-show path, never to a garbage result", async () => {
    const slow = new Keeper(parseConfig(rawConfig(5)), privateKeyToAccount(privateKeyOf(5)), testLogger());
    // A bystander that serves no wasm jobs but does housekeeping.
    const bystander = new Keeper(
      parseConfig(rawConfig(3, { capabilities: ["http.json"], dbPath: path.join(dir, "bystander.db") })),
      privateKeyToAccount(privateKeyOf(3)),
      testLogger(),
    );
    const runs = [slow.run(), bystander.run()];
    try {
      const { jobId } = await post("spin", "", { limits: { timeoutMs: 300 }, expiryIn: 8 + 8 + 20 + 10 });
      await waitFor(
        async () => (await jobState(jobId)) === S.Refunded,
        90_000,
        "the job to be refunded after the slash",
      );
      const log = await events();
      const slashed = log.find(
        (e) => e.eventName === "WorkerSlashed" && (e.args as { jobId: bigint }).jobId === jobId,
      ) as unknown as { args: { worker: string; reason: number } };
      expect(slashed.args.worker).toBe(account(5).address);
      expect(slashed.args.reason).toBe(0);
      expect(log.some((e) => e.eventName === "ResultSubmitted" && (e.args as { jobId: bigint }).jobId === jobId)).toBe(
        false,
      );
      expect((await worker(5)).noShows).toBe(1);
    } finally {
      await Promise.all([slow.stop(), bystander.stop()]);
      await Promise.all(runs);
    }
  });
});
