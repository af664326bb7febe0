// Reads of the automation registry for the upkeep pages: a page of upkeeps with their current
// leases (`upkeepCount`, then `getUpkeep` and `getLease` through Multicall3: the indexer has no
// upkeep tables), one upkeep with its leases, due report and the network's gas price, the revert
// reason of its last failed perform, and the target's `checkUpkeep` simulated from address(0).
import {
  automationRegistryAbi,
  automationTestTargetAbi,
  readAutomationParams,
  readLease,
  readLogs,
  readPerformHistory,
  readUpkeep,
  topicOf,
  upkeepFromChain,
  type AddressBook,
  type AutomationParams,
  type LeaseState,
  type UpkeepOnChain,
  type UpkeepState,
} from "@baton/sdk";
import {
  BaseError,
  decodeFunctionResult,
  encodeFunctionData,
  publicActions,
  zeroAddress,
  type Address,
  type Client,
  type Hex,
  type PublicClient,
} from "viem";
import { call, getBlock, getCode, getGasPrice, multicall, readContract } from "viem/actions";
import { LOG_WINDOW, multicallOf } from "./market.ts";
import { revertText, type CheckResult } from "./upkeepModel.ts";

/** The app's client with viem's public actions, as the sdk's automation reads take it. */
export const publicOf = (client: Client) => client.extend(publicActions) as unknown as PublicClient;

export const loadAutomationParams = (client: Client, registry: Address) =>
  readAutomationParams(publicOf(client), registry);

/** The epoch the registry is in at `time` (epochs are global: epoch n is `[n·epoch, (n+1)·epoch)`). */
export const epochAt = (time: number, params: Pick<AutomationParams, "epoch">) => Math.floor(time / params.epoch);

/** One row of the upkeeps list. */
export type UpkeepRow = UpkeepState & { lease: LeaseState | undefined };

/**
 * Page `page` (from 0) of every upkeep, newest first: the ids come from `upkeepCount`, each
 * upkeep and its current epoch's lease from one Multicall3 call.
 */
export async function loadUpkeepPage(
  client: Client,
  book: AddressBook,
  params: Pick<AutomationParams, "epoch">,
  page: number,
  pageSize: number,
): Promise<{ total: number; upkeeps: UpkeepRow[] }> {
  const registry = book.automationRegistry!;
  const [count, head] = await Promise.all([
    readContract(client, { address: registry, abi: automationRegistryAbi, functionName: "upkeepCount" }),
    getBlock(client, { blockTag: "latest" }),
  ]);
  const total = Number(count);
  const ids: bigint[] = [];
  for (let id = total - page * pageSize; id > 0 && ids.length < pageSize; id--) ids.push(BigInt(id));
  if (ids.length === 0) return { total, upkeeps: [] };
  const epoch = epochAt(Number(head.timestamp), params);
  const results = await multicall(client, {
    contracts: ids.flatMap((id) => [
      { address: registry, abi: automationRegistryAbi, functionName: "getUpkeep", args: [id] } as const,
      { address: registry, abi: automationRegistryAbi, functionName: "getLease", args: [id, epoch] } as const,
    ]),
    allowFailure: false,
    batchSize: 0,
    multicallAddress: multicallOf(book),
  });
  return {
    total,
    upkeeps: ids.map((id, i) => ({
      ...upkeepFromChain(id, results[2 * i] as UpkeepOnChain),
      lease: results[2 * i + 1] as LeaseState,
    })),
  };
}

/** One upkeep and what its page shows beside it, read at the latest block. */
export type UpkeepDetail = {
  upkeep: UpkeepState;
  checkData: Hex;
  /** The latest block's time and the epoch it is in. */
  now: number;
  epoch: number;
  lease: LeaseState;
  nextLease: LeaseState;
  /** The block of a pending due report (condition upkeeps under a lease), or 0. */
  dueReport: bigint;
  gasPrice: bigint;
};

/** Upkeep `id`, or null when the registry has none. */
export async function loadUpkeep(
  client: Client,
  registry: Address,
  params: Pick<AutomationParams, "epoch">,
  id: bigint,
): Promise<UpkeepDetail | null> {
  const pc = publicOf(client);
  const count = await readContract(client, {
    address: registry,
    abi: automationRegistryAbi,
    functionName: "upkeepCount",
  });
  if (id < 1n || id > count) return null;
  const [upkeep, checkData, dueReport, gasPrice, head] = await Promise.all([
    readUpkeep(pc, registry, id),
    readContract(client, { address: registry, abi: automationRegistryAbi, functionName: "checkDataOf", args: [id] }),
    readContract(client, { address: registry, abi: automationRegistryAbi, functionName: "dueReportOf", args: [id] }),
    getGasPrice(client),
    getBlock(client, { blockTag: "latest" }),
  ]);
  const now = Number(head.timestamp);
  const epoch = epochAt(now, params);
  const [lease, nextLease] = await Promise.all([
    readLease(pc, registry, id, epoch),
    readLease(pc, registry, id, epoch + 1),
  ]);
  return { upkeep, checkData, now, epoch, lease, nextLease, dueReport, gasPrice };
}

/** The upkeep's performs, oldest first (the sdk's `readPerformHistory`). */
export const loadPerformHistory = (client: Client, registry: Address, id: bigint, fromBlock: bigint) =>
  readPerformHistory(publicOf(client), registry, id, fromBlock);

/** The revert reasons of the upkeep's failed performs, by transaction hash (`UpkeepTargetReverted`). */
export async function loadRevertReasons(
  client: Client,
  registry: Address,
  id: bigint,
  fromBlock: bigint,
): Promise<Map<Hex, string>> {
  const logs = await readLogs(client, {
    address: registry,
    abi: automationRegistryAbi,
    fromBlock,
    windowSize: LOG_WINDOW,
    eventNames: ["UpkeepTargetReverted"],
    indexed: [topicOf(id)],
  });
  return new Map(logs.map((l) => [l.transactionHash!, revertText(l.args.reason)]));
}

/**
 * Simulates the target's `checkUpkeep(checkData)` as keepers do: an `eth_call` from address(0)
 * with the registry's check gas. Says whether a perform is needed and with what `performData`, or
 * why it reverted (or that the target has no code).
 */
export async function simulateCheck(
  client: Client,
  target: Address,
  checkData: Hex,
  gas?: number,
): Promise<CheckResult> {
  const code = await getCode(client, { address: target });
  if (!code || code === "0x") return { ok: false, reason: "the target has no contract code", noCode: true };
  try {
    const { data } = await call(client, {
      account: zeroAddress,
      to: target,
      data: encodeFunctionData({ abi: automationTestTargetAbi, functionName: "checkUpkeep", args: [checkData] }),
      ...(gas ? { gas: BigInt(gas) } : {}),
    });
    try {
      const [needed, performData] = decodeFunctionResult({
        abi: automationTestTargetAbi,
        functionName: "checkUpkeep",
        data: data ?? "0x",
      });
      return { ok: true, needed, performData };
    } catch {
      return { ok: false, reason: "it did not return (bool upkeepNeeded, bytes performData)" };
    }
  } catch (error) {
    const withData =
      error instanceof BaseError
        ? (error.walk((e) => typeof (e as { data?: unknown }).data === "string") as { data?: Hex } | null)
        : null;
    return { ok: false, reason: revertText(withData?.data) };
  }
}
