import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, custom, keccak256, parseEther, ResponseBodyTooLargeError, stringToHex } from "viem";
import { computeCommitment, LogFetchError, newSalt, packTerms } from "@baton/sdk";
import { pino } from "pino";
import { Metrics } from "../src/metrics.js";
import { Store } from "../src/store.js";
import { Syncer } from "../src/sync.js";
import { termsFromJson } from "../src/terms.js";
import { account, deployBaton, startDevnet, type Deployment, type Devnet } from "@baton/testkit/devnet";
import { market, type Market } from "./helpers/market.js";

let net: Devnet;
let dep: Deployment;
let baton: Market;

beforeAll(async () => {
  net = await startDevnet();
  dep = await deployBaton(net);
  baton = market(net, dep);
});

afterAll(async () => {
  await net?.stop();
});

const PRICE_FEED = {
  kind: "http.json",
  version: 1,
  url: "https://example.org/price",
  method: "GET",
  path: "$.price",
} as const;

/** Posts a price-feed job from node account `requester`. */
async function post(requester: number, maxReward: bigint) {
  await baton.post(await baton.terms({ requester: account(requester).address, maxReward }), PRICE_FEED);
}

describe("Syncer", () => {
  it("backfills in bounded windows, then rolls back and re-syncs when a reorg replaces synced blocks", async () => {
    const store = new Store(":memory:");
    const metrics = new Metrics();
    const progress: string[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => progress.push(JSON.parse(line).msg) });
    const syncer = new Syncer(
      store,
      net.publicClient as never,
      { market: dep.market, startBlock: dep.deploymentBlock, confirmations: 0, logWindow: 2 },
      log,
      metrics,
    );

    await post(1, parseEther("1"));
    await post(1, parseEther("1.5"));
    const snapshot = await net.testClient.snapshot();
    await post(1, parseEther("2"));
    const head1 = await net.publicClient.getBlockNumber({ cacheTime: 0 });
    expect(await syncer.sync(head1)).toBe(3);
    expect(progress).toContain("backfill progress (blocks)");
    expect(store.activeJobs().map((j) => termsFromJson(j.terms).maxReward)).toEqual([
      parseEther("1"),
      parseEther("1.5"),
      parseEther("2"),
    ]);

    // Another history replaces the last block: job 3 is now someone else's, with another reward.
    await net.testClient.revert({ id: snapshot });
    await post(5, parseEther("7"));
    await net.testClient.mine({ blocks: 1 });
    const head2 = await net.publicClient.getBlockNumber({ cacheTime: 0 });
    await syncer.sync(head2);
    expect(progress).toContain("reorg detected; rolling back");
    expect((await metrics.reorgs.get()).values[0].value).toBe(1);
    const jobs = store.activeJobs().map((j) => termsFromJson(j.terms));
    expect(jobs.map((t) => t.maxReward)).toEqual([parseEther("1"), parseEther("1.5"), parseEther("7")]);
    expect(jobs[2].requester).toBe(account(5).address);
    expect(store.cursor()).toBe(head2);
  });

  it("applies nothing that is not yet `confirmations` blocks deep", async () => {
    const store = new Store(":memory:");
    const syncer = new Syncer(
      store,
      net.publicClient as never,
      { market: dep.market, startBlock: dep.deploymentBlock, confirmations: 3, logWindow: 1000 },
      pino({ level: "silent" }),
      new Metrics(),
    );
    // Older jobs first become deep enough, so that only the new one is pending below.
    await net.testClient.mine({ blocks: 3 });
    const before = await net.publicClient.getBlockNumber({ cacheTime: 0 });
    await syncer.sync(before);
    const known = store.countJobs().total;
    await post(2, parseEther("3"));
    const head = await net.publicClient.getBlockNumber({ cacheTime: 0 });
    await syncer.sync(head);
    expect(store.countJobs().total).toBe(known);
    await net.testClient.mine({ blocks: 3 });
    await syncer.sync(await net.publicClient.getBlockNumber({ cacheTime: 0 }));
    expect(store.countJobs().total).toBe(known + 1);
  });

  it("keeps the result hash each job's ResultSubmitted names", async () => {
    const store = new Store(":memory:");
    const syncer = new Syncer(
      store,
      net.publicClient as never,
      { market: dep.market, startBlock: dep.deploymentBlock, confirmations: 0, logWindow: 1000 },
      pino({ level: "silent" }),
      new Metrics(),
    );
    const WORKER = 7;
    await baton.setupWorker(WORKER);
    const terms = await baton.terms({ requester: account(2).address });
    const { jobId } = await baton.post(terms, PRICE_FEED);
    const price = parseEther("0.05");
    const salt = newSalt();
    const commitment = computeCommitment({
      chainId: 31337,
      market: dep.market,
      jobId,
      round: 0,
      bidder: account(WORKER).address,
      price,
      salt,
    });
    await baton.send(WORKER, "commitBid", [jobId, packTerms(terms), commitment]);
    await net.testClient.increaseTime({ seconds: terms.commitWindow });
    await net.testClient.mine({ blocks: 1 });
    await baton.send(WORKER, "revealBid", [jobId, packTerms(terms), price, salt]);
    await syncer.sync(await net.publicClient.getBlockNumber({ cacheTime: 0 }));
    expect(store.job(jobId)?.resultHash).toBeNull();

    await net.testClient.increaseTime({ seconds: terms.revealWindow });
    await net.testClient.mine({ blocks: 1 });
    const result = stringToHex('{"price":1}');
    await baton.send(WORKER, "submitResult", [jobId, packTerms(terms), keccak256(result), result]);
    await syncer.sync(await net.publicClient.getBlockNumber({ cacheTime: 0 }));
    expect(store.job(jobId)?.resultHash).toBe(keccak256(result));
  });

  it("reads a block whose logs exceed the answer cap through the wide client, one block alone", async () => {
    const from = (await net.publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
    await post(1, parseEther("1"));
    await post(1, parseEther("1.25"));
    const head = await net.publicClient.getBlockNumber({ cacheTime: 0 });
    const cfg = { market: dep.market, startBlock: from, confirmations: 0, logWindow: 1000 };
    // An answer cap below one posting's log, on `eth_getLogs`: every block's logs are refused.
    const capped = createPublicClient({
      chain: net.publicClient.chain,
      transport: custom({
        request: async ({ method, params }) => {
          const out = await net.publicClient.request({ method, params } as never);
          const size = JSON.stringify(out).length;
          if (method === "eth_getLogs" && size > 600) throw new ResponseBodyTooLargeError({ maxSize: 600, size });
          return out;
        },
      }),
    });
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line).msg) });
    const alone = new Syncer(new Store(":memory:"), capped as never, cfg, log, new Metrics());
    await expect(alone.sync(head)).rejects.toThrow(LogFetchError);

    const store = new Store(":memory:");
    const syncer = new Syncer(store, capped as never, cfg, log, new Metrics(), net.publicClient as never);
    expect(await syncer.sync(head)).toBe(2);
    expect(store.activeJobs().map((j) => termsFromJson(j.terms).maxReward)).toEqual([
      parseEther("1"),
      parseEther("1.25"),
    ]);
    expect(store.cursor()).toBe(head);
    expect(lines.filter((m) => m === "a block's logs exceed the answer cap; reading it alone")).toHaveLength(2);
  });
});
