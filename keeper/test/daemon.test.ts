import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther } from "viem";
import { ROOT, deployBaton, privateKeyOf, startDevnet, type Devnet } from "@baton/testkit/devnet";
import { freePort } from "@baton/testkit/process";
import { market, waitFor, type Market } from "./helpers/market.js";

// The daemon as an operator runs it: a child process with a config file.

let net: Devnet;
let baton: Market;
const dir = mkdtempSync(path.join(tmpdir(), "keeper-daemon-"));
const bin = path.join(ROOT, "keeper/bin/baton-keeper.mjs");

beforeAll(async () => {
  net = await startDevnet();
  baton = market(net, await deployBaton(net));
});

afterAll(async () => {
  await net?.stop();
});

async function startDaemon(rpcUrl: string, metricsPort: number, extra: Record<string, unknown> = {}) {
  const file = path.join(dir, `keeper-${metricsPort}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      baton.keeperJson(dir, metricsPort, { rpcUrls: [rpcUrl], pollIntervalMs: 200, metricsPort, ...extra }),
    ),
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

/** The response from `url` if it answers with `expected`. */
async function status(url: string, expected: number) {
  const res = await get(url);
  return res?.status === expected ? res : undefined;
}

describe("baton-keeper start", () => {
  it("serves metrics and health, and exits 0 promptly on SIGTERM", async () => {
    const port = await freePort();
    const { child, output } = await startDaemon(net.url, port);
    const health = await waitFor(
      () => status(`http://127.0.0.1:${port}/healthz`, 200),
      30_000,
      "/healthz to answer 200",
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
      () => status(`http://127.0.0.1:${port}/healthz`, 503),
      30_000,
      "/healthz to answer 503",
    );
    expect(health.body).toBe("stale\n");
    await new Promise((r) => setTimeout(r, 1500));
    expect(child.exitCode).toBeNull();
    expect(output()).toContain("pass failed; retrying");
    child.kill("SIGTERM");
    expect(await new Promise<number | null>((r) => child.once("exit", r))).toBe(0);
  });

  it("wakes on new blocks over WebSocket instead of waiting for the next poll", async () => {
    await baton.setupWorker(7, parseEther("2"));
    const port = await freePort();
    // A one-minute poll: only the subscription can make the keeper bid within seconds.
    const { child, output } = await startDaemon(net.url, port, {
      wsUrl: net.url.replace("http", "ws"),
      pollIntervalMs: 60_000,
    });
    try {
      await waitFor(async () => output().includes("keeper started"), 30_000, "the keeper to start");
      await new Promise((r) => setTimeout(r, 1000));
      const terms = await baton.terms({ commitWindow: 120, revealWindow: 120, executionWindow: 120 });
      const spec = {
        kind: "wasm",
        version: 1,
        module: { uri: "http://127.0.0.1:1/m.wasm", sha256: "00".repeat(32) },
        input: { encoding: "utf8", data: "x" },
      } as const;
      const posted = Date.now();
      await baton.post(terms, spec);
      await waitFor(
        async () => (await baton.events()).some((e) => e.eventName === "BidCommitted"),
        20_000,
        "the keeper's bid",
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
