import { afterAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { jobMarketAbi } from "@baton/sdk";
import { ensureArtifacts } from "../src/artifacts.js";
import { deployBaton, startDevnet, type Devnet } from "../src/devnet.js";
import { serveModules } from "../src/modules.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("devnet", () => {
  let net: Devnet | undefined;
  afterAll(() => net?.stop());

  it("starts a node on a free port, deploys Baton, and stops the node by its PID", async () => {
    ensureArtifacts();
    net = await startDevnet();
    expect(net.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const dep = await deployBaton(net);
    const params = await net.publicClient.readContract({
      address: dep.market,
      abi: jobMarketAbi,
      functionName: "getParams",
    });
    expect(params.feeBps).toBe(dep.params.feeBps);
    expect(dep.book.jobMarket.toLowerCase()).toBe(dep.market.toLowerCase());
    await net.stop();
    expect(alive(net.pid)).toBe(false);
  }, 120_000);
});

describe("module server", () => {
  it("serves the built modules by name with their manifest hash, and extra documents", async () => {
    const modules = await serveModules({ "/corpus.json": { contentType: "application/json", body: "[1]" } });
    try {
      const bytes = new Uint8Array(await (await fetch(modules.url("wordfreq"))).arrayBuffer());
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(modules.sha256("wordfreq"));
      expect(modules.url("wordfreq")).toBe(`${modules.base}/wordfreq.wasm`);
      expect(await (await fetch(modules.base.replace(/\/modules$/, "/corpus.json"))).text()).toBe("[1]");
      expect((await fetch(`${modules.base}/nope.wasm`)).status).toBe(404);
    } finally {
      await modules.stop();
    }
  });
});
