import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther, type Abi, type Address, type Hex } from "viem";
import { automationRegistryAbi, automationTestTargetAbi, type UpkeepRegistration } from "@baton/sdk";
import { artifact } from "@baton/testkit/artifacts";
import { account, deployBaton, ROOT, startDevnet, type Deployment, type Devnet } from "@baton/testkit/devnet";
import { stopProcess, type StartedProcess } from "@baton/testkit/process";
import { waitFor } from "./helpers/market.js";
import {
  deployFrom,
  performsOf,
  pingTrigger,
  registerUpkeepFrom,
  sendFrom,
  stakeInRegistry,
  startAutomationKeeper,
  type Performed,
} from "./helpers/automation.js";

// Automation on a real node with real keeper processes: three keepers win the leases of a condition,
// an interval and a log upkeep and of Chainlink's UpkeepCounter (built unmodified); the interval
// upkeep's holder is killed with SIGKILL mid-epoch and backups perform its ticks after the grace;
// then the chain shows no tick or log performed twice, and every balance reconciles to the wei.

const PARAMS = { epoch: 30, commitWindow: 8, revealWindow: 8, graceSeconds: 3, graceBlocks: 3 } as const;
const INTERVAL = 8;
const OWNER = 1;
/** Keeper accounts, and the upkeeps each bids on (by name); every keeper backs up every upkeep. */
const KEEPERS = { 2: ["condition", "counter"], 3: ["interval"], 4: ["log"] } as const;
const KEEPER_STAKE = parseEther("1");
const FUNDING = parseEther("1");

let net: Devnet;
let dep: Deployment;
let registry: Address;
const dir = mkdtempSync(path.join(tmpdir(), "keeper-automation-"));
const keepers = new Map<number, StartedProcess>();
const ids: Record<"condition" | "interval" | "log" | "counter", bigint> = {
  condition: 0n,
  interval: 0n,
  log: 0n,
  counter: 0n,
};
let conditionTarget: Address;
let logTarget: Address;
let counter: Address;
let counterAbi: Abi;
let registeredAt: bigint;

const send = (from: number, write: Parameters<typeof sendFrom>[2]) => sendFrom(net, from, write);

const deployContract = (abi: Abi, bytecode: Hex, args: unknown[] = []) => deployFrom(net, OWNER, abi, bytecode, args);
const register = (r: UpkeepRegistration) => registerUpkeepFrom(net, registry, OWNER, r);

const read = <T>(functionName: string, args: readonly unknown[] = []) =>
  net.publicClient.readContract({
    address: registry,
    abi: automationRegistryAbi,
    functionName,
    args,
  } as never) as Promise<T>;

const now = async () => Number((await net.publicClient.getBlock()).timestamp);
const epochNow = async () => Math.floor((await now()) / PARAMS.epoch);

function startKeeper(index: keyof typeof KEEPERS) {
  const started = startAutomationKeeper(net, dep, dir, index, { bidOn: KEEPERS[index].map((name) => ids[name]) });
  keepers.set(index, started);
  return started;
}

let failed = false;
const logs = () => {
  failed = true;
  return `keeper logs in ${dir}\n${[...keepers.entries()].map(([i, k]) => `--- keeper ${i}\n${k.output().slice(-3000)}`).join("\n")}`;
};

const performs = () => performsOf(net, registry, registeredAt);

/** Emits the log target's `Ping(tag, tag × 10)` for each tag from `from` to `to`, one transaction each. */
async function emitPings(from: bigint, to: bigint) {
  for (let i = from; i <= to; i++) {
    await send(OWNER, { address: logTarget, abi: automationTestTargetAbi, functionName: "ping", args: [i, i * 10n] });
  }
}

beforeAll(async () => {
  net = await startDevnet();
  dep = await deployBaton(net, { automation: PARAMS });
  registry = dep.automation;
  for (const k of Object.keys(KEEPERS).map(Number)) await stakeInRegistry(net, registry, k, KEEPER_STAKE);
  const target = artifact("mocks/AutomationTargets.sol", "AutomationTestTarget");
  conditionTarget = await deployContract(target.abi, target.bytecode);
  const intervalTarget = await deployContract(target.abi, target.bytecode);
  logTarget = await deployContract(target.abi, target.bytecode);
  const json = JSON.parse(
    readFileSync(
      path.join(
        ROOT,
        "artifacts/@chainlink/contracts/src/v0.8/automation/testhelpers/UpkeepCounter.sol/UpkeepCounter.json",
      ),
      "utf8",
    ),
  ) as { abi: Abi; bytecode: Hex };
  counterAbi = json.abi;
  counter = await deployContract(json.abi, json.bytecode, [1_000_000n, 2n]);

  registeredAt = await net.publicClient.getBlockNumber();
  const common = {
    performGasLimit: 500_000,
    maxGasPrice: parseEther("0.0000001"),
    maxPremium: 1_000_000_000n,
    balance: FUNDING,
  };
  ids.condition = await register({
    ...common,
    target: conditionTarget,
    trigger: { kind: "condition" },
    checkData: "0xc0ffee",
  });
  ids.interval = await register({
    ...common,
    target: intervalTarget,
    trigger: { kind: "interval", seconds: INTERVAL },
  });
  ids.log = await register({ ...common, target: logTarget, trigger: pingTrigger(logTarget) });
  ids.counter = await register({ ...common, target: counter, trigger: { kind: "condition" } });
  await net.startMining();
  for (const k of Object.keys(KEEPERS).map(Number) as (keyof typeof KEEPERS)[]) startKeeper(k);
}, 120_000);

afterAll(async () => {
  for (const k of keepers.values()) await stopProcess(k.child);
  await net?.stop();
  if (!failed) rmSync(dir, { recursive: true, force: true });
});

describe("automation served by three keepers", () => {
  it("wins the leases, survives a SIGKILLed holder, performs nothing twice and reconciles to the wei", async () => {
    try {
      // 1. Each upkeep gets a lease held by the keeper that bids on it.
      const expected: Record<keyof typeof ids, number> = { condition: 2, counter: 2, interval: 3, log: 4 };
      await waitFor(
        async () => {
          const e = await epochNow();
          for (const [name, keeper] of Object.entries(expected)) {
            const lease = await read<{ holder: Address }>("getLease", [ids[name as keyof typeof ids], e]);
            if (lease.holder.toLowerCase() !== account(keeper).address.toLowerCase()) return false;
          }
          return true;
        },
        150_000,
        "every upkeep's lease to be won by its keeper",
      );

      // 2. The holders perform: a condition made true, pings, the interval's ticks, the counter.
      await send(OWNER, {
        address: conditionTarget,
        abi: automationTestTargetAbi,
        functionName: "setNeeded",
        args: [true],
      });
      await emitPings(1n, 3n);
      await waitFor(
        async () => {
          const p = await performs();
          return Object.entries(expected).every(([name, k]) =>
            p.some(
              (x) =>
                x.upkeepId === ids[name as keyof typeof ids] &&
                x.keeper.toLowerCase() === account(k).address.toLowerCase(),
            ),
          );
        },
        60_000,
        "a perform by each holder",
      );

      // 3. Kill the interval's holder mid-epoch (with a lease left long enough to see backups).
      await waitFor(
        async () => {
          const t = await now();
          const left = PARAMS.epoch - (t % PARAMS.epoch);
          if (left < 3 * INTERVAL) return false;
          const lease = await read<{ holder: Address }>("getLease", [ids.interval, Math.floor(t / PARAMS.epoch)]);
          return lease.holder.toLowerCase() === account(3).address.toLowerCase();
        },
        90_000,
        "a lease of the interval upkeep with time left",
      );
      const killed = keepers.get(3)!;
      killed.child.kill("SIGKILL");
      await new Promise((r) => killed.child.once("exit", r));
      const killedAt = await now();
      keepers.delete(3);

      // 4. Backups take over once the grace has passed, and soon enough that no tick is lost; the
      // holder pays for each miss. (How soon, on an idle machine, is `npm run bench:upkeeps`.)
      const backupTicks = await waitFor(
        async () => {
          const p = (await performs()).filter((x) => x.upkeepId === ids.interval && Number(x.trigger) > killedAt);
          return p.length >= 2 ? p.sort((a, b) => Number(a.trigger - b.trigger)) : false;
        },
        60_000,
        "two interval ticks performed by backups",
      );
      expect(Number(backupTicks[1]!.trigger - backupTicks[0]!.trigger)).toBe(INTERVAL);
      for (const p of backupTicks) {
        expect(p.keeper.toLowerCase()).not.toBe(account(3).address.toLowerCase());
        const block = await net.publicClient.getBlock({ blockNumber: p.blockNumber });
        const late = Number(block.timestamp) - Number(p.trigger);
        expect(late).toBeGreaterThanOrEqual(PARAMS.graceSeconds);
        expect(late).toBeLessThan(INTERVAL);
      }
      const missed = await net.publicClient.getContractEvents({
        address: registry,
        abi: automationRegistryAbi,
        eventName: "LeaseMissed",
        fromBlock: registeredAt,
      });
      expect(missed.some((m) => (m.args.holder as Address).toLowerCase() === account(3).address.toLowerCase())).toBe(
        true,
      );

      // More pings while the killed keeper is gone: served by their holder as before.
      await emitPings(4n, 5n);
      await waitFor(
        async () => (await performs()).filter((x) => x.upkeepId === ids.log).length >= 5,
        30_000,
        "every ping performed",
      );
      for (const k of keepers.values()) await stopProcess(k.child);
      keepers.clear();

      // 5. From the chain: no tick, log or block performed twice, and every ping performed once.
      const all = await performs();
      for (const id of Object.values(ids)) {
        const triggers = all.filter((p) => p.upkeepId === id).map((p) => p.trigger);
        expect(new Set(triggers).size, `upkeep ${id}`).toBe(triggers.length);
      }
      const pings = await net.publicClient.getContractEvents({
        address: logTarget,
        abi: automationTestTargetAbi,
        eventName: "Ping",
        fromBlock: registeredAt,
      });
      const positions = pings.map((l) => ((l.blockNumber << 24n) | BigInt(l.logIndex)) + 1n).sort();
      const logTriggers = all
        .filter((p) => p.upkeepId === ids.log)
        .map((p) => p.trigger)
        .sort();
      expect(logTriggers).toEqual(positions);
      const performed = await net.publicClient.readContract({
        address: logTarget,
        abi: automationTestTargetAbi,
        functionName: "performs",
      });
      expect(performed).toBe(BigInt(pings.length));
      const counted = (await net.publicClient.readContract({
        address: counter,
        abi: counterAbi,
        functionName: "counter",
      })) as bigint;
      expect(counted).toBe(BigInt(all.filter((p) => p.upkeepId === ids.counter && p.success).length));
      expect(all.every((p) => p.success)).toBe(true);

      await reconcile(all);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${logs()}`, { cause: error });
    }
  }, 420_000);
});

/**
 * Every wei accounted for: each upkeep's balance is its funding, plus the forfeits paid into it,
 * less its payments; each keeper's credits and the owed pay of its leases are its payments and the
 * penalties it collected; its stake is its deposit less the penalties and forfeits taken from it;
 * and the registry holds exactly the sum of all of these.
 */
async function reconcile(all: Performed[]) {
  const events = await net.publicClient.getContractEvents({
    address: registry,
    abi: automationRegistryAbi,
    fromBlock: registeredAt,
  });
  const ofName = (name: string) =>
    events.filter((e) => e.eventName === name).map((e) => e.args as Record<string, unknown>);
  const lower = (a: unknown) => (a as string).toLowerCase();
  let total = 0n;
  const owedBy = new Map<string, bigint>();
  for (const id of Object.values(ids)) {
    const u = await read<{ balance: bigint; owed: bigint; owedEpoch: number }>("getUpkeep", [id]);
    const forfeits = ofName("LeaseBidForfeited")
      .filter((e) => e.upkeepId === id)
      .reduce((s, e) => s + (e.amount as bigint), 0n);
    const paid = all.filter((p) => p.upkeepId === id).reduce((s, p) => s + p.payment, 0n);
    expect(u.balance, `upkeep ${id} balance`).toBe(FUNDING + forfeits - paid);
    total += u.balance + u.owed;
    if (u.owed > 0n) {
      const lease = await read<{ holder: Address }>("getLease", [id, u.owedEpoch]);
      owedBy.set(lower(lease.holder), (owedBy.get(lower(lease.holder)) ?? 0n) + u.owed);
    }
  }
  for (const k of Object.keys(KEEPERS).map(Number)) {
    const me = lower(account(k).address);
    const credits = await read<bigint>("creditsOf", [account(k).address]);
    const earned = all.filter((p) => lower(p.keeper) === me).reduce((s, p) => s + p.payment, 0n);
    const penalties = ofName("LeaseMissed")
      .filter((e) => lower(e.backup) === me)
      .reduce((s, e) => s + (e.penalty as bigint), 0n);
    expect(credits + (owedBy.get(me) ?? 0n), `keeper ${k} credits`).toBe(earned + penalties);
    const worker = await read<{ stake: bigint }>("getWorker", [account(k).address]);
    const lost =
      ofName("LeaseMissed")
        .filter((e) => lower(e.holder) === me)
        .reduce((s, e) => s + (e.penalty as bigint), 0n) +
      ofName("LeaseBidForfeited")
        .filter((e) => lower(e.bidder) === me)
        .reduce((s, e) => s + (e.amount as bigint), 0n);
    expect(worker.stake, `keeper ${k} stake`).toBe(KEEPER_STAKE - lost);
    total += credits + worker.stake;
  }
  expect(await net.publicClient.getBalance({ address: registry })).toBe(total);
}
