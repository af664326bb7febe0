import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, http, type Chain, type PublicClient, type Transport } from "viem";
import { sampleTerms } from "@baton/testkit";
import { account, deployBaton, startDevnet, type Deployment, type Devnet } from "@baton/testkit/devnet";
import { ChainReads } from "../src/reads.js";
import { S } from "../src/plan.js";

// The keeper's per-pass reads against a real node: how many requests they take as jobs add up.

let net: Devnet;
let dep: Deployment;

beforeAll(async () => {
  net = await startDevnet();
  dep = await deployBaton(net);
});

afterAll(async () => {
  await net?.stop();
});

describe("ChainReads", () => {
  it("reads a few hundred tracked jobs in a handful of eth_call requests, not one per two or three jobs", async () => {
    const calls: string[] = [];
    const client = createPublicClient({
      chain: net.chain,
      transport: http(net.url, {
        onFetchRequest: async (request) => {
          const body = JSON.parse(await request.clone().text()) as { method: string } | { method: string }[];
          for (const c of Array.isArray(body) ? body : [body]) calls.push(c.method);
        },
      }),
    }) as PublicClient<Transport, Chain>;
    const reads = new ChainReads(
      client,
      { market: dep.market, multicall3: dep.multicall3, housekeeping: false },
      account(3).address,
    );
    const terms = sampleTerms();
    // Ids past the market's count: each reads as a job in state None, which is all this test needs.
    const jobs = Array.from({ length: 250 }, (_, i) => ({ id: BigInt(1_000 + i), terms }));
    const read = await reads.jobs(jobs, () => false, 0);

    expect(read).toHaveLength(250);
    expect(read.every((j) => j.chain.state === S.None)).toBe(true);
    expect(calls.filter((m) => m === "eth_call").length).toBeLessThanOrEqual(3);
  });
});
