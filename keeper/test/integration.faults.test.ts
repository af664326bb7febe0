import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther, toHex } from "viem";
import { jobMarketAbi, packTerms } from "@baton/sdk";
import { S } from "../src/plan.js";
import { Store } from "../src/store.js";
import { ROOT, account, privateKeyOf, type Deployment, type Devnet } from "@baton/testkit/devnet";
import {
  startKeeperNetwork,
  postedJobId,
  REQUESTER,
  runKeeper,
  waitFor,
  wasmSpec,
  type KeeperNetwork,
  type Market,
} from "./helpers/market.js";
import type { ModuleServer } from "@baton/testkit/modules";

// Crashes and misbehaviour on a real chain: a keeper killed with SIGKILL mid-job, a keeper that
// never reveals, and an executor that times out.

const WINDOWS = { commitWindow: 8, revealWindow: 8, executionWindow: 20, challengeWindow: 3 };
let net: Devnet;
let dep: Deployment;
let baton: Market;
let modules: ModuleServer;
let network: KeeperNetwork | undefined;
const dir = mkdtempSync(path.join(tmpdir(), "keeper-faults-"));

/** Posts a job running `module` on `input`, with this file's windows. */
async function post(module: string, input: string, opts: { limits?: { timeoutMs?: number }; expiresIn?: number } = {}) {
  return baton.post(
    await baton.terms({ ...WINDOWS, expiresIn: opts.expiresIn }),
    wasmSpec(modules, module, input, opts.limits),
  );
}

const worker = (index: number) =>
  net.publicClient.readContract({
    address: dep.market,
    abi: jobMarketAbi,
    functionName: "getWorker",
    args: [account(index).address],
  });

beforeAll(async () => {
  network = await startKeeperNetwork([2, 3, 4, 5]);
  ({ net, dep, baton, modules } = network);
});

afterAll(async () => {
  await network?.stop();
});

describe("a keeper killed with SIGKILL", () => {
  it("restarts, completes the job and repeats no transaction", async () => {
    const cfgFile = path.join(dir, "kill.json");
    writeFileSync(cfgFile, JSON.stringify(baton.keeperJson(dir, 2)));
    const bin = path.join(ROOT, "keeper/bin/baton-keeper.mjs");
    const steps = () => baton.stepsSentBy(account(2).address);
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
          async () => (await steps()).length > seen || (await baton.jobState(jobId)) === S.Settled,
          60_000,
          "the next step",
        );
        seen = (await steps()).length;
        child!.kill("SIGKILL");
        await new Promise((r) => child!.once("exit", r));
        start();
      }
      await waitFor(async () => (await baton.jobState(jobId)) === S.Settled, 90_000, "the job to settle");
      const keys = await steps();
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
    const { keeper, stop } = runKeeper(baton.keeperConfig(dir, 3, { dbPath: path.join(dir, "specs.db") }), 3);
    try {
      const base = await baton.terms(WINDOWS);
      const garbage = new TextEncoder().encode('{"kind":"wasm",');
      const unknown = new TextEncoder().encode('{"kind":"gpu.render","version":1}');
      const bad1 = await baton.send(
        REQUESTER,
        "postJob",
        [packTerms(base), `0x${"11".repeat(32)}`, toHex(garbage)],
        base.maxReward,
      );
      const bad2 = await baton.send(
        REQUESTER,
        "postJob",
        [packTerms(base), `0x${"22".repeat(32)}`, toHex(unknown)],
        base.maxReward,
      );
      const ids = [bad1, bad2].map(postedJobId);
      const { jobId: good } = await post("primes", "97");
      await waitFor(async () => (await baton.jobState(good)) === S.Settled, 60_000, "the valid job to settle");
      for (const id of ids) {
        expect(keeper.store.job(id)!.decision).toMatch(/^skip: invalid spec/);
      }
      const commits = (await baton.events()).filter(
        (e) => e.eventName === "BidCommitted" && ids.includes((e.args as { jobId: bigint }).jobId),
      );
      expect(commits).toHaveLength(0);
    } finally {
      await stop();
    }
  });
});

describe("misbehaving keepers", () => {
  it("a keeper that never reveals loses part of its bond to the others' housekeeping", async () => {
    const honest = runKeeper(baton.keeperConfig(dir, 3), 3);
    const silent = runKeeper(
      baton.keeperConfig(dir, 4, { faults: { neverReveal: true }, strategy: { kind: "fraction", fraction: 0.5 } }),
      4,
    );
    try {
      const before = (await worker(4)).stake;
      const { jobId } = await post("wordfreq", "to be or not to be");
      await waitFor(async () => (await baton.jobState(jobId)) === S.Settled, 90_000, "the job to settle");
      await waitFor(
        async () =>
          (await baton.events()).some(
            (e) => e.eventName === "BidForfeited" && (e.args as { jobId: bigint }).jobId === jobId,
          ),
        30_000,
        "the forfeit",
      );
      const after = await worker(4);
      expect(before - after.stake).toBe((parseEther("0.1") * BigInt(dep.params.forfeitBps)) / 10_000n);
      expect(after.locked).toBe(0n);
    } finally {
      await Promise.all([honest.stop(), silent.stop()]);
    }
  });

  it("an executor timeout gives the job back at once, never a garbage result", async () => {
    const slow = runKeeper(baton.keeperConfig(dir, 5), 5);
    // A bystander that serves no wasm jobs but does housekeeping.
    const bystander = runKeeper(
      baton.keeperConfig(dir, 3, { capabilities: ["http.json"], dbPath: path.join(dir, "bystander.db") }),
      3,
    );
    try {
      const { jobId } = await post("spin", "", { limits: { timeoutMs: 300 }, expiresIn: 8 + 8 + 20 + 10 });
      await waitFor(
        async () => (await baton.jobState(jobId)) === S.Refunded,
        90_000,
        "the job to be refunded after it is given back",
      );
      const log = await baton.events();
      const slashed = log.find(
        (e) => e.eventName === "WorkerSlashed" && (e.args as { jobId: bigint }).jobId === jobId,
      ) as unknown as { args: { worker: string; reason: number; amount: bigint } };
      expect(slashed.args.worker).toBe(account(5).address);
      // Abandoned, for the forfeit share of the bond rather than the whole bond of a no-show.
      expect(slashed.args.reason).toBe(2);
      expect(slashed.args.amount).toBe((parseEther("0.1") * BigInt(dep.params.forfeitBps)) / 10_000n);
      expect(log.some((e) => e.eventName === "ResultSubmitted" && (e.args as { jobId: bigint }).jobId === jobId)).toBe(
        false,
      );
      expect((await worker(5)).noShows).toBe(1);
    } finally {
      await Promise.all([slow.stop(), bystander.stop()]);
    }
  });

  it("a graceful stop mid-execution is not a failure: the execution runs again after a restart", async () => {
    const dbPath = path.join(dir, "graceful.db");
    const config = baton.keeperConfig(dir, 4, {
      dbPath,
      executors: { cacheDir: path.join(dir, "cache-graceful"), wasmTimeoutMs: 60_000 },
    });
    const first = runKeeper(config, 4);
    let stopped = false;
    try {
      const { jobId } = await post("spin", "", { limits: { timeoutMs: 60_000 } });
      await waitFor(
        async () => first.keeper.store.execution(jobId, 0)?.status === "running",
        60_000,
        "the execution to start",
      );
      await first.stop();
      stopped = true;
      const store = new Store(dbPath);
      // Not recorded as failed (which would mean never submitting): still pending a re-run.
      expect(store.execution(jobId, 0)?.status).toBe("running");
      expect(store.clearInterruptedExecutions()).toBe(1);
      expect(store.execution(jobId, 0)).toBeUndefined();
      store.close();
    } finally {
      if (!stopped) await first.stop();
    }
  });
});
