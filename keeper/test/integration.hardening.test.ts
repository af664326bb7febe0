import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther } from "viem";
import {
  buildWorkflow,
  committeeArbiterAbi,
  createWorkflow,
  jobMarketAbi,
  readWorkflow,
  resultHash,
  workflowOrchestratorAbi,
  ZERO_HASH,
  type JobSpecInput,
  type SigningClient,
  readResultHash,
  packTerms,
} from "@baton/sdk";
import { S } from "../src/plan.js";
import { account, type Deployment, type Devnet } from "@baton/testkit/devnet";
import {
  REQUESTER,
  runKeeper,
  startKeeperNetwork,
  waitFor,
  wasmSpec,
  type KeeperNetwork,
  type Market,
} from "./helpers/market.js";
import type { ModuleServer } from "@baton/testkit/modules";

// A keeper's conduct when executions fail, on a real chain: a deterministic failure gives the job
// back at once and is never bid on again, and a transient one is retried. And housekeeping for
// workflows (steps the orchestrator was not told about, or could not post, are advanced) and for
// committee disputes whose voting ended.

const WINDOWS = { commitWindow: 8, revealWindow: 8, executionWindow: 20, challengeWindow: 3 };
const FAILER = 2;
const BYSTANDER = 3;
let net: Devnet;
let dep: Deployment;
let baton: Market;
let modules: ModuleServer;
let network: KeeperNetwork | undefined;
const dir = mkdtempSync(path.join(tmpdir(), "keeper-hardening-"));

beforeAll(async () => {
  network = await startKeeperNetwork([FAILER, BYSTANDER]);
  ({ net, dep, baton, modules } = network);
});

afterAll(async () => {
  await network?.stop();
});

const roundOf = async (jobId: bigint) =>
  Number(
    (
      await net.publicClient.readContract({
        address: dep.market,
        abi: jobMarketAbi,
        functionName: "getJob",
        args: [jobId],
      })
    ).round,
  );

/** `[jobId, round]` of every bid `index` committed. */
async function commitsBy(index: number): Promise<[bigint, number][]> {
  return (await baton.events())
    .filter((e) => e.eventName === "BidCommitted")
    .map((e) => e.args as { jobId: bigint; bidder: string; round: number })
    .filter((a) => a.bidder.toLowerCase() === account(index).address.toLowerCase())
    .map((a) => [a.jobId, Number(a.round)]);
}

describe("a job whose execution always fails", () => {
  it("is never bid on again by the keeper it failed on, nor is any job with the same spec, across restarts", async () => {
    // A module that runs past its 200 ms limit: the same outcome every time.
    const spec = wasmSpec(modules, "spin", "", { timeoutMs: 200 });
    const config = baton.keeperConfig(dir, FAILER, { dbPath: path.join(dir, "failer.db") });
    let failer = runKeeper(config, FAILER);
    // Serves no wasm jobs: only finalizes, slashes and forfeits.
    const bystander = runKeeper(
      baton.keeperConfig(dir, BYSTANDER, { capabilities: ["http.json"], dbPath: path.join(dir, "bystander.db") }),
      BYSTANDER,
    );
    try {
      const { jobId } = await baton.post(await baton.terms({ ...WINDOWS, expiresIn: 600 }), spec);
      await waitFor(
        async () => failer.keeper.store.deterministicFailure(jobId, ZERO_HASH),
        60_000,
        "the execution to fail",
      );
      // The job is given back at once, before its execution deadline, and reopens; its next round's
      // commit window passes without a bid.
      await waitFor(async () => (await roundOf(jobId)) >= 1, 60_000, "the job to reopen");
      const slashes = (await baton.events())
        .filter((e) => e.eventName === "WorkerSlashed")
        .map((e) => e.args as { jobId: bigint; worker: string; reason: number; amount: bigint });
      expect(slashes).toEqual([
        expect.objectContaining({
          jobId,
          worker: account(FAILER).address,
          reason: 2, // Abandoned
          amount: (parseEther("0.1") * BigInt(dep.params.forfeitBps)) / 10_000n,
        }),
      ]);
      expect(failer.keeper.store.stepKeys()).toContain(`abandon:${jobId}:0`);
      await waitFor(async () => (await baton.jobState(jobId)) !== S.Open, 30_000, "the new round's commit window");
      expect(await commitsBy(FAILER)).toEqual([[jobId, 0]]);
      expect(failer.keeper.store.job(jobId)!.decision).toMatch(/^skip: its execution failed deterministically/);

      // Another requester's job with the same spec: not bid on either.
      const { jobId: twin } = await baton.post(await baton.terms({ ...WINDOWS, expiresIn: 600 }), spec);
      await waitFor(async () => failer.keeper.store.job(twin)?.decision, 30_000, "a decision on the twin job");
      expect(failer.keeper.store.job(twin)!.decision).toBe(
        `skip: its spec failed deterministically on this keeper on job ${jobId} (TIMEOUT: module ran longer than 200 ms and was stopped)`,
      );

      // The memory survives a restart.
      await failer.stop();
      failer = runKeeper(config, FAILER);
      const { jobId: third } = await baton.post(await baton.terms({ ...WINDOWS, expiresIn: 600 }), spec);
      await waitFor(async () => failer.keeper.store.job(third)?.decision, 30_000, "a decision on the third job");
      expect(failer.keeper.store.job(third)!.decision).toMatch(/^skip: its spec failed deterministically/);
      await waitFor(async () => (await baton.jobState(third)) !== S.Open, 30_000, "the third job's commit window");
      expect(await commitsBy(FAILER)).toEqual([[jobId, 0]]);
    } finally {
      await Promise.all([failer.stop(), bystander.stop()]);
    }
  }, 240_000);
});

describe("a transient execution failure", () => {
  it("is retried with backoff: an http.json job whose source answers 503 twice settles with the right result", async () => {
    let requests = 0;
    const server: Server = createServer((_req, res) => {
      requests++;
      res.setHeader("content-type", "application/json");
      if (requests <= 2) {
        res.statusCode = 503;
        return res.end('{"error":"busy"}');
      }
      res.end('{"data":{"price":1234.5}}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/price`;
    const keeper = runKeeper(
      baton.keeperConfig(dir, BYSTANDER, {
        capabilities: ["http.json"],
        dbPath: path.join(dir, "retry.db"),
        executors: { cacheDir: path.join(dir, "cache-retry"), allowPrivateNetwork: true },
        executionRetry: { baseDelayMs: 200, maxDelayMs: 1_000, submitMarginSec: 5 },
      }),
      BYSTANDER,
    );
    try {
      const { jobId } = await baton.post(await baton.terms(WINDOWS), {
        kind: "http.json",
        version: 1,
        url,
        method: "GET",
        path: "$.data.price",
      });
      await waitFor(async () => (await baton.jobState(jobId)) === S.Settled, 90_000, "the job to settle");
      expect(requests).toBe(3);
      const submitted = (await baton.events()).find(
        (e) => e.eventName === "ResultSubmitted" && (e.args as { jobId: bigint }).jobId === jobId,
      ) as unknown as { args: { worker: string; resultHash: string } };
      expect(submitted.args.worker).toBe(account(BYSTANDER).address);
      expect(submitted.args.resultHash).toBe(resultHash(1234.5));
      expect(keeper.keeper.store.deterministicFailure(jobId, ZERO_HASH)).toBeUndefined();
    } finally {
      await keeper.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);
});

describe("workflow housekeeping", () => {
  it("advances a step whose settlement callback failed, and a step the orchestrator marked Ready", async () => {
    const setCallbackGas = async (callbackGasLimit: number) => {
      const params = await net.publicClient.readContract({
        address: dep.market,
        abi: jobMarketAbi,
        functionName: "getParams",
      });
      await baton.send(0, "setParams", [{ ...params, callbackGasLimit }]);
    };
    const stepOf = (workflowId: bigint, step: number) =>
      net.publicClient.readContract({
        address: dep.orchestrator,
        abi: workflowOrchestratorAbi,
        functionName: "getStep",
        args: [workflowId, step],
      });
    const keeper = runKeeper(
      baton.keeperConfig(dir, FAILER, { dbPath: path.join(dir, "workflow.db"), capacity: 8 }),
      FAILER,
    );
    try {
      // Too little gas for the orchestrator to record a settlement: every callback fails.
      await setCallbackGas(20_000);
      const consumer = (module: string, inputs: Record<string, { step: number; path?: string }>) =>
        ({ ...wasmSpec(modules, module, ""), inputs }) as JobSpecInput;
      const draft = (spec: JobSpecInput, dependsOn: number[]) => ({
        spec,
        dependsOn,
        maxReward: parseEther("0.05"),
        arbiter: dep.arbiter,
        bond: parseEther("0.05"),
        windows: WINDOWS,
      });
      const { workflowId } = await createWorkflow(net.wallet(REQUESTER) as SigningClient, net.publicClient, {
        orchestrator: dep.orchestrator,
        workflow: buildWorkflow({
          steps: [
            draft(wasmSpec(modules, "split", "2\nthe quick brown fox jumps over the lazy dog"), []),
            draft(consumer("wordfreq", { text: { step: 0, path: "$[0]" } }), [0]),
            draft(consumer("merge", { left: { step: 1 }, right: { step: 1 } }), [1]),
          ],
          budget: parseEther("0.15"),
        }),
      });
      const first = (await stepOf(workflowId, 0)).jobId;
      // Step 0 settles, its callback fails, and only `advance` tells the orchestrator and posts step 1.
      await waitFor(async () => (await stepOf(workflowId, 1)).status === 2, 120_000, "step 1 to be posted");
      const callbacks = (await baton.events())
        .filter((e) => e.eventName === "SettlementCallback")
        .map((e) => e.args as { jobId: bigint; success: boolean });
      expect(callbacks).toEqual([{ jobId: first, success: false }]);
      expect(keeper.keeper.store.stepKeys()).toContain(`advance:${workflowId}:0:job:${first}`);

      // Enough gas to record a settlement, not to post the next step: the orchestrator marks it Ready.
      await setCallbackGas(250_000);
      const read = () =>
        readWorkflow(net.publicClient, { orchestrator: dep.orchestrator, workflowId, fromBlock: dep.deploymentBlock });
      await waitFor(async () => (await read()).status === "Completed", 150_000, "the workflow to complete");
      const ready = await net.publicClient.getContractEvents({
        address: dep.orchestrator,
        abi: workflowOrchestratorAbi,
        eventName: "StepReady",
        fromBlock: dep.deploymentBlock,
      });
      const readySteps = ready.map((e) => e.args.step!);
      expect(readySteps).toContain(2);
      // Every Ready step was advanced once (an `advance` sent with an estimated gas limit may itself
      // leave the next step Ready rather than post it: that step is advanced again).
      const advances = keeper.keeper.store.stepKeys().filter((k) => k.startsWith("advance:"));
      expect(advances).toEqual([
        `advance:${workflowId}:0:job:${first}`,
        ...readySteps.map((step) => `advance:${workflowId}:${step}:ready:0`),
      ]);
    } finally {
      await keeper.stop();
      await setCallbackGas(1_000_000).catch(() => undefined);
    }
  }, 300_000);
});

describe("committee housekeeping", () => {
  it("resolves a dispute whose voting period ended without a majority, once", async () => {
    const keeper = runKeeper(baton.keeperConfig(dir, FAILER, { dbPath: path.join(dir, "committee.db") }), FAILER);
    try {
      const terms = await baton.terms({ ...WINDOWS, challengeWindow: 120 });
      const { jobId } = await baton.post(terms, wasmSpec(modules, "primes", "97"));
      await waitFor(async () => (await baton.jobState(jobId)) === S.Submitted, 90_000, "a result");
      const resultHash = await readResultHash(net.publicClient, {
        address: dep.market,
        jobId,
        fromBlock: dep.deploymentBlock,
      });
      await baton.send(REQUESTER, "dispute", [jobId, packTerms(terms), resultHash], terms.disputeBond);
      const { openedAt } = await net.publicClient.readContract({
        address: dep.arbiter,
        abi: committeeArbiterAbi,
        functionName: "tally",
        args: [jobId],
      });
      // Nobody votes; the committee's voting period (300 s) ends well before the market's ruling timeout.
      await net.testClient.increaseTime({ seconds: 301 });
      await waitFor(async () => (await baton.jobState(jobId)) === S.Settled, 60_000, "the committee's default ruling");
      const ruled = await net.publicClient.getContractEvents({
        address: dep.arbiter,
        abi: committeeArbiterAbi,
        eventName: "Ruled",
        fromBlock: dep.deploymentBlock,
      });
      expect(ruled.map((e) => e.args)).toEqual([{ jobId, workerWins: true, byDefault: true }]);
      expect(keeper.keeper.store.stepKeys().filter((k) => k.startsWith("committee:"))).toEqual([
        `committee:${jobId}:0:${openedAt}`,
      ]);
    } finally {
      await keeper.stop();
    }
  }, 180_000);
});
