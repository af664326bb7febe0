// Reads that scale: many jobs, workers or tokens in one Multicall3 `aggregate3` call per batch,
// never one request per row.
import type { Client } from "viem";
import { multicall, readContract } from "viem/actions";
import { jobMarketAbi } from "./generated/abis.js";
import type { Address, JobRecord, JobState, MarketParams, Unbonding, WorkerRecord } from "./types.js";

export type JobView = {
  id: bigint;
  /** The derived state (`jobState(id)`) at the block read. */
  state: JobState;
  /** The stored record (`getJob(id)`). */
  job: JobRecord;
};

function chunks<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError("batchSize must be a positive integer");
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

type MulticallOptions = {
  /** The JobMarket. */
  market: Address;
  /**
   * Multicall3 (`aggregate3`) address: the address book's `multicall3`. May be omitted when the
   * client's chain names its Multicall3 (viem's built-in chains do).
   */
  multicall?: Address;
  /** Read at this block instead of the latest, so every value comes from the same state. */
  blockNumber?: bigint;
};

/**
 * State and stored record of each job in `ids`, in order: one `eth_call` per `batchSize` jobs
 * (two calls per job inside the batch). Unknown ids come back as state `None` with a zero record.
 */
export async function readJobs(
  client: Client,
  options: MulticallOptions & { ids: readonly bigint[]; batchSize?: number },
): Promise<JobView[]> {
  const { market, ids, batchSize = 500 } = options;
  const views: JobView[] = [];
  for (const batch of chunks(ids, batchSize)) {
    const results = await multicall(client, {
      contracts: batch.flatMap((id) => [
        { address: market, abi: jobMarketAbi, functionName: "jobState", args: [id] } as const,
        { address: market, abi: jobMarketAbi, functionName: "getJob", args: [id] } as const,
      ]),
      allowFailure: false,
      // One aggregate3 call per batch: viem's own byte-based chunking would split it further.
      batchSize: 0,
      ...(options.multicall ? { multicallAddress: options.multicall } : {}),
      ...(options.blockNumber !== undefined ? { blockNumber: options.blockNumber } : {}),
    });
    batch.forEach((id, i) => {
      views.push({ id, state: results[2 * i] as JobState, job: results[2 * i + 1] as JobRecord });
    });
  }
  return views;
}

export type WorkerView = WorkerRecord & { address: Address; unbonding: Unbonding };

/** Stake, reputation and unbonding of each worker, in order, one `eth_call` per `batchSize` workers. */
export async function readWorkers(
  client: Client,
  options: MulticallOptions & { workers: readonly Address[]; batchSize?: number },
): Promise<WorkerView[]> {
  const { market, workers, batchSize = 500 } = options;
  const views: WorkerView[] = [];
  for (const batch of chunks(workers, batchSize)) {
    const results = await multicall(client, {
      contracts: batch.flatMap((worker) => [
        { address: market, abi: jobMarketAbi, functionName: "getWorker", args: [worker] } as const,
        { address: market, abi: jobMarketAbi, functionName: "getUnbonding", args: [worker] } as const,
      ]),
      allowFailure: false,
      batchSize: 0,
      ...(options.multicall ? { multicallAddress: options.multicall } : {}),
      ...(options.blockNumber !== undefined ? { blockNumber: options.blockNumber } : {}),
    });
    batch.forEach((address, i) => {
      views.push({ address, ...(results[2 * i] as WorkerRecord), unbonding: results[2 * i + 1] as Unbonding });
    });
  }
  return views;
}

/** One worker's stake, reputation and unbonding (see `readWorkers` for many). */
export async function readWorker(client: Client, options: MulticallOptions & { worker: Address }): Promise<WorkerView> {
  const [view] = await readWorkers(client, { ...options, workers: [options.worker] });
  return view!;
}

/**
 * Withdrawable credits of `account` in each token (the zero address is ETH), in order: one
 * `eth_call`. What a worker earned is not stored on-chain: `readEarnings` sums it from `JobSettled`.
 */
export async function readCredits(
  client: Client,
  options: MulticallOptions & { account: Address; tokens: readonly Address[] },
): Promise<{ token: Address; credit: bigint }[]> {
  const { market, account, tokens } = options;
  if (tokens.length === 0) return [];
  const results = await multicall(client, {
    contracts: tokens.map(
      (token) => ({ address: market, abi: jobMarketAbi, functionName: "creditOf", args: [account, token] }) as const,
    ),
    allowFailure: false,
    batchSize: 0,
    ...(options.multicall ? { multicallAddress: options.multicall } : {}),
    ...(options.blockNumber !== undefined ? { blockNumber: options.blockNumber } : {}),
  });
  return tokens.map((token, i) => ({ token, credit: results[i] as bigint }));
}

/** The market's governance parameters (`getParams`). */
export async function readParams(client: Client, market: Address): Promise<MarketParams> {
  return readContract(client, { address: market, abi: jobMarketAbi, functionName: "getParams" });
}

/** Number of jobs posted; ids run from 1 to this. */
export async function readJobCount(client: Client, market: Address): Promise<bigint> {
  return readContract(client, { address: market, abi: jobMarketAbi, functionName: "jobCount" });
}
