import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ROOT,
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

async function startDaemon(rpcUrl: string, metricsPort: number) {
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
});
