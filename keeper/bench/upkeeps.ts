// Upkeeps end to end: real keeper processes on a Hardhat node mining a block a second, told of new
// blocks over WebSocket. Measures, from the blocks, how many blocks after an upkeep became due its
// perform landed (a condition made true, a log emitted, an interval tick reached; served in open
// service by one keeper), and how late a backup performs the ticks of a lease holder killed with
// SIGKILL mid-epoch. Writes bench/results/upkeeps.json, the `endToEnd` key of
// bench/results/automation.json (bench:automation keeps it), and its section of docs/BENCHMARKS.md.
//
//   npm run bench:upkeeps               (BENCH_SAMPLES=10 by default)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther } from "viem";
import { automationRegistryAbi, type UpkeepRegistration } from "@baton/sdk";
import { artifact } from "@baton/testkit/artifacts";
import { account, deployBaton, startDevnet } from "@baton/testkit/devnet";
import { stopProcess, type StartedProcess } from "@baton/testkit/process";
import { machine, median, readResults, table, writeResults, writeSection } from "@baton/testkit/bench";
import { waitFor } from "../test/helpers/market.js";
import {
  deployFrom,
  performsOf,
  pingTrigger,
  registerUpkeepFrom,
  sendFrom,
  stakeInRegistry,
  startAutomationKeeper,
} from "../test/helpers/automation.js";

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 10);
const PARAMS = { epoch: 30, commitWindow: 8, revealWindow: 8, graceSeconds: 3, graceBlocks: 3 } as const;
const INTERVAL = 5;
const OWNER = 1;
const dir = mkdtempSync(path.join(tmpdir(), "bench-upkeeps-"));

async function main() {
  const net = await startDevnet();
  const processes: StartedProcess[] = [];
  try {
    const dep = await deployBaton(net, { automation: PARAMS });
    const registry = dep.automation;
    const send = (from: number, write: Parameters<typeof sendFrom>[2]) => sendFrom(net, from, write);
    for (const k of [2, 3]) await stakeInRegistry(net, registry, k);
    const { abi, bytecode } = artifact("mocks/AutomationTargets.sol", "AutomationTestTarget");
    const deploy = () => deployFrom(net, OWNER, abi, bytecode);
    const [conditionTarget, intervalTarget, logTarget] = [await deploy(), await deploy(), await deploy()];
    const common = {
      performGasLimit: 500_000,
      maxGasPrice: parseEther("0.0000001"),
      maxPremium: 1_000_000_000n,
      balance: parseEther("1"),
    };
    const register = (r: UpkeepRegistration) => registerUpkeepFrom(net, registry, OWNER, r);
    const from = await net.publicClient.getBlockNumber();
    const ids = {
      condition: await register({ ...common, target: conditionTarget, trigger: { kind: "condition" } }),
      interval: await register({ ...common, target: intervalTarget, trigger: { kind: "interval", seconds: INTERVAL } }),
      log: await register({ ...common, target: logTarget, trigger: pingTrigger(logTarget) }),
    };
    await net.startMining();

    const keeper = (index: number, bidOn: bigint[]) => {
      const p = startAutomationKeeper(net, dep, dir, index, { bidOn, pollIntervalMs: 1000, ws: true });
      processes.push(p);
      return p;
    };
    const performs = () => performsOf(net, registry, from);
    const performedAfter = (id: bigint, block: bigint) =>
      waitFor(
        async () => (await performs()).find((p) => p.upkeepId === id && p.blockNumber > block),
        30_000,
        `a perform of upkeep ${id}`,
      );
    const timestamp = async (n: bigint) => Number((await net.publicClient.getBlock({ blockNumber: n })).timestamp);
    /** The first block whose timestamp is at or after `tick`, searching back from `upTo`. */
    const dueBlock = async (tick: bigint, upTo: bigint) => {
      let b = upTo;
      while (b > 0n && (await timestamp(b - 1n)) >= Number(tick)) b--;
      return b;
    };

    // 1. One keeper in open service (it bids for no lease): blocks from due to the perform.
    const open = keeper(2, []);
    await waitFor(async () => open.output().includes("keeper started"), 60_000, "the keeper to start");
    const blocksAfterDue = { condition: [] as number[], log: [] as number[], time: [] as number[] };
    for (let i = 0; i < SAMPLES; i++) {
      const made = await send(OWNER, { address: conditionTarget, abi, functionName: "setNeeded", args: [true] });
      blocksAfterDue.condition.push(
        Number((await performedAfter(ids.condition, made.blockNumber)).blockNumber - made.blockNumber),
      );
      const pinged = await send(OWNER, { address: logTarget, abi, functionName: "ping", args: [BigInt(i), 0n] });
      blocksAfterDue.log.push(
        Number((await performedAfter(ids.log, pinged.blockNumber)).blockNumber - pinged.blockNumber),
      );
    }
    await waitFor(
      async () => (await performs()).filter((p) => p.upkeepId === ids.interval).length > SAMPLES,
      120_000,
      "interval performs",
    );
    for (const p of (await performs()).filter((x) => x.upkeepId === ids.interval).slice(1, SAMPLES + 1)) {
      blocksAfterDue.time.push(Number(p.blockNumber - (await dueBlock(p.trigger, p.blockNumber))));
    }

    // 2. A second keeper wins the interval upkeep's lease, and is killed mid-epoch: the first backs it up.
    const holder = keeper(3, [ids.interval]);
    await waitFor(
      async () => {
        const now = Number((await net.publicClient.getBlock()).timestamp);
        if (PARAMS.epoch - (now % PARAMS.epoch) < 18) return false;
        const lease = await net.publicClient.readContract({
          address: registry,
          abi: automationRegistryAbi,
          functionName: "getLease",
          args: [ids.interval, Math.floor(now / PARAMS.epoch)],
        });
        return lease.holder === account(3).address;
      },
      150_000,
      "the holder's lease with time left in its epoch",
    );
    holder.child.kill("SIGKILL");
    await new Promise((r) => holder.child.once("exit", r));
    const killedAt = Number((await net.publicClient.getBlock()).timestamp);
    const backups = await waitFor(
      async () => {
        const p = (await performs()).filter((x) => x.upkeepId === ids.interval && Number(x.trigger) > killedAt);
        return p.length >= 2 ? p : false;
      },
      60_000,
      "backup performs",
    );
    const lateness: number[] = [];
    for (const p of backups) lateness.push((await timestamp(p.blockNumber)) - Number(p.trigger));

    const summary = (xs: number[]) => ({ median: median(xs), max: Math.max(...xs), samples: xs.length });
    const endToEnd = {
      performBlocksAfterDue: {
        condition: summary(blocksAfterDue.condition),
        log: summary(blocksAfterDue.log),
        time: summary(blocksAfterDue.time),
      },
      backupSecondsAfterTick: { ...summary(lateness), graceSeconds: PARAMS.graceSeconds },
      targets: { performBlocksAfterDue: 1, backupSecondsAfterTick: PARAMS.graceSeconds + 1 },
      pass: {
        performBlocksAfterDue: Object.values(blocksAfterDue).every((xs) => Math.max(...xs) <= 1),
        backupSecondsAfterTick: Math.max(...lateness) <= PARAMS.graceSeconds + 1,
      },
    };
    const results = {
      generatedAt: new Date().toISOString(),
      machine: machine(["viem"], ["keeper", "contracts", "sdk"]),
      method:
        "Real baton-keeper processes on a Hardhat node mining one block a second, new heads over WebSocket. " +
        "performBlocksAfterDue: the perform's block less the block that made the upkeep due (the setNeeded(true) " +
        "transaction's block, the Ping log's block, the first block at or after the interval tick), one keeper " +
        `in open service, ${SAMPLES} samples of each. backupSecondsAfterTick: a second keeper holds the interval ` +
        "upkeep's lease and is killed with SIGKILL mid-epoch; the block time of each backup perform of a later " +
        `tick less the tick (the registry lets a backup in ${PARAMS.graceSeconds} s after the tick).`,
      endToEnd,
    };
    console.log(`wrote ${writeResults("upkeeps", results)}`);
    const automation = readResults<Record<string, unknown>>("automation");
    if (automation) writeResults("automation", { ...automation, endToEnd });
    writeSection("upkeeps", "Upkeeps end to end", render(results));
    console.log(JSON.stringify(endToEnd, null, 2));
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    console.error(`keeper logs in ${dir}`);
    throw error;
  } finally {
    for (const p of processes) await stopProcess(p.child);
    await net.stop();
  }
}

function render(r: { generatedAt: string; machine: Record<string, string | number>; endToEnd: EndToEnd }): string {
  const e = r.endToEnd;
  const m = r.machine;
  const row = (name: string, s: { median: number; max: number; samples: number }) => [name, s.median, s.max, s.samples];
  return [
    `Measured ${r.generatedAt.slice(0, 10)} at commit \`${m.commit}\` on ${m.cpu} (${m.cores} cores); real ` +
      "`baton-keeper` processes, a Hardhat node mining one block a second, new heads over WebSocket.",
    "",
    table(
      ["blocks from due to perform", "median", "max", "samples"],
      [
        row("condition (`setNeeded(true)` mined → perform)", e.performBlocksAfterDue.condition),
        row("log (`Ping` mined → perform)", e.performBlocksAfterDue.log),
        row("interval (first block at the tick → perform)", e.performBlocksAfterDue.time),
      ],
      [false, true, true, true],
    ),
    "",
    `Target: the first block after the upkeep became due (1): ${e.pass.performBlocksAfterDue ? "met" : "**missed**"}.`,
    "",
    `A lease holder killed with SIGKILL mid-epoch: a backup performed its interval ticks ` +
      `${e.backupSecondsAfterTick.median} s (median; at most ${e.backupSecondsAfterTick.max} s, ` +
      `${e.backupSecondsAfterTick.samples} ticks) after each tick, the registry's grace being ` +
      `${e.backupSecondsAfterTick.graceSeconds} s: ${e.pass.backupSecondsAfterTick ? "within the grace and the next block" : "**later than the grace allows**"}.`,
  ].join("\n");
}

type Summary = { median: number; max: number; samples: number };
type EndToEnd = {
  performBlocksAfterDue: { condition: Summary; log: Summary; time: Summary };
  backupSecondsAfterTick: Summary & { graceSeconds: number };
  pass: { performBlocksAfterDue: boolean; backupSecondsAfterTick: boolean };
};

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
