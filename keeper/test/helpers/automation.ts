// What the real-node automation test and the upkeeps benchmark share: keeper accounts staked in
// the automation registry, keeper processes serving it, transactions, contracts and upkeeps from
// node accounts, and the registry's perform history.
import { createWriteStream, writeFileSync } from "node:fs";
import path from "node:path";
import { encodeEventTopics, parseEther, parseEventLogs, stringToHex, type Abi, type Address, type Hex } from "viem";
import {
  automationRegistryAbi,
  automationTestTargetAbi,
  prepareRegisterUpkeep,
  type Trigger,
  type UpkeepRegistration,
} from "@baton/sdk";
import { account, privateKeyOf, ROOT, type Deployment, type Devnet } from "@baton/testkit/devnet";
import { startProcess, type StartedProcess } from "@baton/testkit/process";

type Write = { address: Address; abi: Abi; functionName: string; args?: unknown; value?: bigint };

/** Sends `write` from node account `from` and waits for it; throws when it reverted. */
export async function sendFrom(net: Devnet, from: number, write: Write) {
  const hash = await net.wallet(from).writeContract({ account: account(from), chain: net.chain, ...write } as never);
  const receipt = await net.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${write.functionName} reverted`);
  return receipt;
}

/** Deploys a contract from node account `from` and returns its address. */
export async function deployFrom(net: Devnet, from: number, abi: Abi, bytecode: Hex, args: unknown[] = []) {
  const hash = await net.wallet(from).deployContract({ abi, bytecode, args, account: account(from), chain: net.chain });
  return (await net.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
}

/** Registers upkeep `r` from node account `from` and returns its id, read from `UpkeepRegistered`. */
export async function registerUpkeepFrom(net: Devnet, registry: Address, from: number, r: UpkeepRegistration) {
  const receipt = await sendFrom(net, from, prepareRegisterUpkeep(registry, r));
  const [registered] = parseEventLogs({
    abi: automationRegistryAbi,
    logs: receipt.logs,
    eventName: "UpkeepRegistered",
  });
  return registered!.args.upkeepId;
}

/** A log trigger on the test target's `Ping` events. */
export const pingTrigger = (target: Address): Trigger => ({
  kind: "log",
  filter: { emitter: target, topic0: encodeEventTopics({ abi: automationTestTargetAbi, eventName: "Ping" })[0]! },
});

/** Registers node account `index` in the automation registry and stakes `stake` there. */
export async function stakeInRegistry(net: Devnet, registry: Address, index: number, stake = parseEther("1")) {
  const abi = automationRegistryAbi as Abi;
  await sendFrom(net, index, {
    address: registry,
    abi,
    functionName: "register",
    args: [[stringToHex("automation", { size: 32 })], ""],
  });
  await sendFrom(net, index, { address: registry, abi, functionName: "depositStake", value: stake });
}

/**
 * Starts a `baton-keeper` process as node account `index` serving the deployment's automation
 * registry (bidding for leases on `bidOn` only), its config, database and log in `dir`.
 */
export function startAutomationKeeper(
  net: Devnet,
  dep: Deployment,
  dir: string,
  index: number,
  options: { bidOn: readonly bigint[]; pollIntervalMs?: number; ws?: boolean },
): StartedProcess {
  const cfgFile = path.join(dir, `keeper-${index}.json`);
  writeFileSync(
    cfgFile,
    JSON.stringify({
      rpcUrls: [net.url],
      ...(options.ws ? { wsUrl: net.url.replace(/^http/, "ws") } : {}),
      chainId: 31337,
      market: dep.market,
      multicall3: dep.multicall3,
      automationRegistry: dep.automation,
      automation: { bidOn: options.bidOn.map(String) },
      startBlock: dep.deploymentBlock.toString(),
      dbPath: path.join(dir, `keeper-${index}.db`),
      confirmations: 0,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      capabilities: ["wasm"],
      strategy: { kind: "fraction", fraction: 0.5 },
      summaryIntervalSec: 3600,
      executors: { cacheDir: path.join(dir, `cache-${index}`) },
    }),
  );
  return startProcess(
    process.execPath,
    [path.join(ROOT, "keeper/bin/baton-keeper.mjs"), "--config", cfgFile, "start"],
    {
      cwd: ROOT,
      env: { BATON_PRIVATE_KEY: privateKeyOf(index), BATON_LOG_LEVEL: "info" },
      log: createWriteStream(path.join(dir, `keeper-${index}.log`), { flags: "a" }),
    },
  );
}

/** One `UpkeepPerformed` event. */
export type Performed = {
  upkeepId: bigint;
  keeper: Address;
  success: boolean;
  trigger: bigint;
  payment: bigint;
  blockNumber: bigint;
};

/** Every perform of the registry from block `fromBlock` on, in order. */
export async function performsOf(net: Devnet, registry: Address, fromBlock: bigint): Promise<Performed[]> {
  const events = await net.publicClient.getContractEvents({
    address: registry,
    abi: automationRegistryAbi,
    eventName: "UpkeepPerformed",
    fromBlock,
  });
  return events.map((e) => ({ ...(e.args as Omit<Performed, "blockNumber">), blockNumber: e.blockNumber }));
}
