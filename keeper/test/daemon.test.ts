import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther, stringToHex, toHex } from "viem";
import { encodeSpec, jobMarketAbi, specHash } from "@baton/sdk";
import {
  ROOT,
  account,
  deployBaton,
  freePort,
  privateKeyOf,
  startDevnet,
  type Deployment,
  type Devnet,
} from "./helpers/devnet.js";

// The daemon as an operator runs it: a child process with a config file.

let net: Devnet;
let dep: Deployment;
const dir = mkdtempSync(path.join(tmpdir(), "keeper-daemon-"));
const bin = path.join(ROOT, "keeper/bin/baton-keeper.mjs");

beforeAll(async () => {
  net = await startDevnet();
  dep = await deployBaton(net);
});

afterAll(async () => {
  await net?.stop();
});

async function startDaemon(rpcUrl: string, metricsPort: number, extra: Record<string, unknown> = {}) {
  const file = path.join(dir, `keeper-${metricsPort}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      rpcUrls: [rpcUrl],
      chainId: 31337,
      market: dep.market,
      multicall3: dep.multicall3,
      dbPath: path.join(dir, `keeper-${metricsPort}.db`),
      capabilities: ["wasm"],
      strategy: { kind: "fraction", fraction: 0.8 },
      pollIntervalMs: 200,
      metricsPort,
      ...extra,
    }),
  );
  const child = spawn(process.execPath, [bin, "--config", file, "start"], {
    env: { ...process.env, BATON_PRIVATE_KEY: privateKeyOf(7) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return { child, output: () => out };
}

async function get(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

async function waitFor<T>(fn: () => Promise<T | undefined>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && ok(v)) return v;
    if (Date.now() - start > ms) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("baton-keeper start", () => {
  it("serves metrics and health, and exits 0 promptly on SIGTERM", async () => {
    const port = await freePort();
    const { child, output } = await startDaemon(net.url, port);
    const health = await waitFor(
      () => get(`http://127.0.0.1:${port}/healthz`),
      (r) => r.status === 200,
      30_000,
    );
    expect(health.body).toBe("ok\n");
    const metrics = await get(`http://127.0.0.1:${port}/metrics`);
    expect(metrics!.body).toContain("baton_keeper_head_block");
    expect(metrics!.body).toContain("baton_keeper_synced_block");
    const started = Date.now();
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(output()).toContain("keeper stopped");
    expect(output()).not.toContain(privateKeyOf(7).slice(2));
  });

  it("keeps running while the RPC is unreachable, reporting itself unhealthy", async () => {
    const port = await freePort();
    const deadRpc = `http://127.0.0.1:${await freePort()}`;
    const { child, output } = await startDaemon(deadRpc, port);
    const health = await waitFor(
      () => get(`http://127.0.0.1:${port}/healthz`),
      (r) => r.status === 503,
      30_000,
    );
    expect(health.body).toBe("stale\n");
    await new Promise((r) => setTimeout(r, 1500));
    expect(child.exitCode).toBeNull();
    expect(output()).toContain("pass failed; retrying");
    child.kill("SIGTERM");
    expect(await new Promise<number | null>((r) => child.once("exit", r))).toBe(0);
  });

  it("wakes on new blocks over WebSocket instead of waiting for the next poll", async () => {
    const send = async (index: number, functionName: string, args: unknown[], value = 0n) => {
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
    };
    await send(7, "register", [[stringToHex("wasm", { size: 32 })], ""]);
    await send(7, "depositStake", [], parseEther("2"));
    const port = await freePort();
    // A one-minute poll: only the subscription can make the keeper bid within seconds.
    const { child, output } = await startDaemon(net.url, port, {
      wsUrl: net.url.replace("http", "ws"),
      confirmations: 0,
      pollIntervalMs: 60_000,
    });
    try {
      await waitFor(
        async () => (output().includes("keeper started") ? true : undefined),
        () => true,
        30_000,
      );
      await new Promise((r) => setTimeout(r, 1000));
      const now = Number((await net.publicClient.getBlock()).timestamp);
      const terms = {
        requester: account(1).address,
        token: "0x0000000000000000000000000000000000000000",
        maxReward: parseEther("0.1"),
        arbiter: dep.arbiter,
        bond: parseEther("0.1"),
        minStake: 0n,
        minCompleted: 0,
        commitWindow: 120,
        revealWindow: 120,
        executionWindow: 120,
        challengeWindow: 60,
        expiry: now + 3600,
        ...dep.params,
        pricing: 0,
        callback: false,
      } as const;
      const spec = {
        kind: "wasm",
        version: 1,
        module: { uri: "http://127.0.0.1:1/m.wasm", sha256: "00".repeat(32) },
        input: { encoding: "utf8", data: "x" },
      } as const;
      const posted = Date.now();
      await send(1, "postJob", [terms, specHash(spec), toHex(encodeSpec(spec))], terms.maxReward);
      await waitFor(
        async () =>
          (
            await net.publicClient.getContractEvents({
              address: dep.market,
              abi: jobMarketAbi,
              eventName: "BidCommitted",
              fromBlock: dep.deploymentBlock,
            })
          ).length || undefined,
        (n) => n > 0,
        20_000,
      );
      expect(Date.now() - posted).toBeLessThan(20_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output().slice(-3000)}`, { cause: error });
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  });
});
