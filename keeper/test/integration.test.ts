import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther } from "viem";
import { S, type Terms } from "../src/plan.js";
import { account } from "@baton/testkit/devnet";
import { startKeeperNetwork, runKeeper, waitFor, wasmSpec, type KeeperNetwork, type Market } from "./helpers/market.js";
import type { ModuleServer } from "@baton/testkit/modules";

// Real chain, real keepers: three keepers with different pricing compete for 20 jobs.

const KEEPERS = [2, 3, 4];
const WINDOWS = { commitWindow: 10, revealWindow: 10, executionWindow: 40, challengeWindow: 3 };

let baton: Market;
let modules: ModuleServer;
let network: KeeperNetwork | undefined;
const dir = mkdtempSync(path.join(tmpdir(), "keeper-it-"));

async function postWasmJob(maxReward: bigint, text: string): Promise<{ jobId: bigint; terms: Terms }> {
  // A bond within the reward: keepers skip jobs whose bond exceeds it.
  return baton.post(await baton.terms({ ...WINDOWS, maxReward, bond: maxReward }), wasmSpec(modules, "wordfreq", text));
}

beforeAll(async () => {
  network = await startKeeperNetwork(KEEPERS);
  ({ baton, modules } = network);
});

afterAll(async () => {
  await network?.stop();
});

describe("three keepers, twenty jobs", () => {
  it("settles every job, the lowest revealed bid wins, no keeper sends a step twice or a transaction that reverts", async () => {
    const strategies = [
      { kind: "fraction", fraction: 0.9 },
      { kind: "fraction", fraction: 0.6 },
      { kind: "cost-plus", margin: 0.5, executionCostWei: { wasm: parseEther("0.02").toString() }, gasPerJob: 400_000 },
    ];
    // The second keeper bundles each pass's market steps into one multicall transaction.
    const keepers = KEEPERS.map((k, i) =>
      runKeeper(baton.keeperConfig(dir, k, { capacity: 25, strategy: strategies[i], bundle: i === 1 }), k),
    );
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
        async () => (await Promise.all(jobs.map((j) => baton.jobState(j.jobId)))).every((s) => s === S.Settled),
        120_000,
        "all jobs to settle",
      );

      const logs = await baton.events();
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
        const keys = await baton.stepsSentBy(account(k).address);
        expect(new Set(keys).size, `keeper ${k} sent a step twice: ${keys.join(" ")}`).toBe(keys.length);
      }
      // The keepers took turns on the housekeeping (the winner settles; nobody finalizes an auction
      // the winner's result finalizes): not one of their transactions reverted.
      expect(await baton.revertedFrom(KEEPERS.map((k) => account(k).address))).toEqual([]);
      // The bundling keeper sent some of its steps together.
      const bundler = (await keepers[1].keeper.metrics.txSent.get()).values;
      expect(bundler.find((v) => v.labels.kind === "batch")?.value ?? 0).toBeGreaterThan(0);
    } finally {
      await Promise.all(keepers.map((k) => k.stop()));
    }
  });
});
