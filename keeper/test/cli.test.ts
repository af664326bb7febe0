import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther } from "viem";
import { automationRegistryAbi, jobMarketAbi } from "@baton/sdk";
import {
  account,
  deployBaton,
  privateKeyOf,
  ROOT,
  startDevnet,
  type Deployment,
  type Devnet,
} from "@baton/testkit/devnet";
import { market } from "./helpers/market.js";

// The account commands as an operator runs them: each sends one market transaction through the
// sdk's write pipeline and prints its outcome, or names the contract's refusal.

let net: Devnet;
let dep: Deployment;
let config: string;
let automationConfig: string;
const KEY = 8;
const bin = path.join(ROOT, "keeper/bin/baton-keeper.mjs");

beforeAll(async () => {
  net = await startDevnet();
  dep = await deployBaton(net);
  const dir = mkdtempSync(path.join(tmpdir(), "keeper-cli-"));
  config = path.join(dir, "keeper.json");
  writeFileSync(config, JSON.stringify(market(net, dep).keeperJson(dir, "cli")));
  automationConfig = path.join(dir, "keeper-automation.json");
  writeFileSync(
    automationConfig,
    JSON.stringify({ ...market(net, dep).keeperJson(dir, "cli-automation"), automationRegistry: dep.automation }),
  );
});

afterAll(async () => {
  await net?.stop();
});

/** Runs `baton-keeper --config <config> ...args` as node account KEY. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWith(config, ...args);
}

function cliWith(file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, "--config", file, ...args],
      { env: { ...process.env, BATON_PRIVATE_KEY: privateKeyOf(KEY) } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const worker = () =>
  net.publicClient.readContract({
    address: dep.market,
    abi: jobMarketAbi,
    functionName: "getWorker",
    args: [account(KEY).address],
  });

describe("baton-keeper account commands", () => {
  it("registers and stakes, printing each transaction's outcome", async () => {
    const registered = await cli("register", "--capability", "wasm", "--metadata-uri", "https://example.org/w.json");
    expect(registered.code).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({ function: "register", status: "success" });
    const staked = await cli("stake", "--amount", "1.5");
    expect(staked.code).toBe(0);
    expect(JSON.parse(staked.stdout)).toMatchObject({ function: "depositStake", status: "success" });
    const w = await worker();
    expect(w.registered).toBe(true);
    expect(w.stake).toBe(parseEther("1.5"));
  });

  it("names the contract's refusal and sends nothing", async () => {
    const before = await net.publicClient.getTransactionCount({ address: account(KEY).address });
    const refused = await cli("withdraw");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("withdraw refused by the contract: JobMarketNothingToWithdraw(");
    expect(await net.publicClient.getTransactionCount({ address: account(KEY).address })).toBe(before);
  });
});

describe("baton-keeper account commands in the automation registry (--automation)", () => {
  it("registers and stakes in the registry, shows it in status, and names a refusal", async () => {
    const registered = await cliWith(automationConfig, "register", "--automation", "--capability", "automation");
    expect(JSON.parse(registered.stdout)).toMatchObject({ function: "register", status: "success" });
    const staked = await cliWith(automationConfig, "stake", "--automation", "--amount", "0.5");
    expect(JSON.parse(staked.stdout)).toMatchObject({ function: "depositStake", status: "success" });
    const w = await net.publicClient.readContract({
      address: dep.automation,
      abi: automationRegistryAbi,
      functionName: "getWorker",
      args: [account(KEY).address],
    });
    expect(w.stake).toBe(parseEther("0.5"));
    const status = JSON.parse((await cliWith(automationConfig, "status")).stdout) as { automation: unknown };
    expect(status.automation).toMatchObject({
      registry: dep.automation,
      registered: true,
      stakeEth: "0.5",
      creditsEth: "0",
      upkeeps: 0,
    });
    const refused = await cliWith(automationConfig, "withdraw", "--automation");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("withdrawCredits refused by the contract: AutomationNothingToWithdraw(");
  });

  it("says which field is missing when the config names no registry", async () => {
    const run = await cli("stake", "--automation", "--amount", "1");
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      "config: automationRegistry: is required with --automation (or an address book that has one)",
    );
  });
});

describe("baton-keeper bin", () => {
  const bundle = path.join(ROOT, "keeper/dist/baton-keeper.mjs");
  const help = (env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, "--help"], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it("runs a bundle of the sources, built again when a source is newer than it", async () => {
    expect((await help()).code).toBe(0);
    // A bundle older than the sources (an edit since it was built) is rebuilt before it runs.
    const past = new Date(Date.now() - 86_400_000 * 365);
    utimesSync(bundle, past, past);
    const run = await help();
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^Usage: baton-keeper/);
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(past.getTime() + 1000);
    // Beside it, the wasm executor's worker, which the bundle starts from its own directory.
    expect(existsSync(path.join(ROOT, "keeper/dist/wasm-worker.mjs"))).toBe(true);
  });

  it("runs the TypeScript sources through tsx with BATON_KEEPER_TSX=1", async () => {
    const run = await help({ BATON_KEEPER_TSX: "1" });
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^Usage: baton-keeper/);
  });
});
