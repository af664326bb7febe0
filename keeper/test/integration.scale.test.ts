import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deployBaton, startDevnet, type Deployment, type Devnet } from "@baton/testkit/devnet";
import { serveModules, type ModuleServer } from "@baton/testkit/modules";
import { S } from "../src/plan.js";
import { RpcProxy } from "./helpers/rpc-proxy.js";
import { blocksToCommit, fillWithUnfilledJobs, market, runKeeper, waitFor, type Market } from "./helpers/market.js";

// A keeper that tracks 10,000 jobs, all gone Unfilled: each is read once and leaves the working
// set, an idle pass reads no job at all, and a new job still gets the keeper's commit within two
// blocks. Every request the keeper makes goes through a counting proxy.

const TRACKED = 10_000;
const KEEPER = 2;
const WINDOWS = { commitWindow: 10, revealWindow: 10, executionWindow: 60, challengeWindow: 10 };

let net: Devnet;
let dep: Deployment;
let baton: Market;
let modules: ModuleServer;
let proxy: RpcProxy;
const dir = mkdtempSync(path.join(tmpdir(), "keeper-scale-"));

beforeAll(async () => {
  net = await startDevnet();
  dep = await deployBaton(net);
  baton = market(net, dep);
  modules = await serveModules();
  await baton.setupWorker(KEEPER);
  await fillWithUnfilledJobs(net, baton, modules, TRACKED);
  proxy = await RpcProxy.start(net.url, 1);
  await net.startMining();
}, 600_000);

afterAll(async () => {
  await proxy?.close();
  await modules?.stop();
  await net?.stop();
});

describe("a keeper tracking 10,000 jobs", () => {
  it("reads each Unfilled job once, reads no job on an idle pass, and commits on a new job within two blocks", async () => {
    expect(await baton.jobState(BigInt(TRACKED))).toBe(S.Unfilled);
    const { keeper, stop } = runKeeper(
      baton.keeperConfig(dir, KEEPER, { rpcUrls: [proxy.url], capacity: 4, maxJobsPerPass: 400 }),
      KEEPER,
    );
    try {
      // Synced and read once: every job is tracked, and none is due again before its next event.
      await waitFor(
        async () => keeper.store.countJobs().total === TRACKED && keeper.store.countDue(2 ** 31) === 0,
        300_000,
        "the keeper to sync and read all 10,000 jobs",
      );
      expect(keeper.store.countJobs().active).toBe(TRACKED);

      // Idle passes: a handful of requests each, and no job read, whatever the history.
      const before = { ...proxy.stats, called: { ...proxy.stats.called } };
      await new Promise((r) => setTimeout(r, 5_000));
      const passes = (proxy.stats.called.eth_blockNumber ?? 0) - (before.called.eth_blockNumber ?? 0);
      const calls = proxy.stats.calls - before.calls;
      const ethCalls = (proxy.stats.called.eth_call ?? 0) - (before.called.eth_call ?? 0);
      expect(passes).toBeGreaterThan(3);
      expect(calls / passes).toBeLessThanOrEqual(20);
      // One eth_call a pass: the keeper's own worker account.
      expect(ethCalls / passes).toBeLessThanOrEqual(1);
      expect((proxy.stats.bytesOut - before.bytesOut) / passes).toBeLessThan(20_000);
      expect((await keeper.metrics.activeJobs.get()).values[0].value).toBe(0);

      // A new job is read at once and bid on within two blocks of its posting.
      const blocks = await blocksToCommit(net, dep, modules, KEEPER, WINDOWS, "a new job among old ones", 30_000);
      expect(blocks).toBeLessThanOrEqual(2);
    } finally {
      await stop();
    }
  }, 600_000);
});
