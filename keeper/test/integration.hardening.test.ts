import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther } from "viem";
import { jobMarketAbi, resultHash } from "@baton/sdk";
import { S } from "../src/plan.js";
import { account, type Deployment, type Devnet } from "./helpers/devnet.js";
import { runKeeper, startKeeperNetwork, waitFor, wasmSpec, type KeeperNetwork, type Market } from "./helpers/market.js";
import type { ModuleServer } from "./helpers/modules.js";

// A keeper's conduct when executions fail, on a real chain: a deterministic failure gives the job
// back at once and is never bid on again, and a transient one is retried.

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
        async () => failer.keeper.store.deterministicFailure(jobId, `0x${"0".repeat(64)}`),
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
      expect(keeper.keeper.store.deterministicFailure(jobId, `0x${"0".repeat(64)}`)).toBeUndefined();
    } finally {
      await keeper.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);
});
