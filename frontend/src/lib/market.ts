// Reads of market data that scale: job terms from `JobPosted` logs (windowed, incremental), job
// states and records through Multicall3 in batches (`readJobs`), a job's history from one
// topic-filtered log query. Never one request per row.
import {
  jobMarketAbi,
  readJobs,
  readLogs,
  topicOf,
  type AddressBook,
  type JobTerms,
  type JobView,
  type MarketLog,
  unpackTerms,
} from "@baton/sdk";
import { erc20Abi, type Address, type Client, type Hex } from "viem";
import { getBlockNumber, multicall, readContract } from "viem/actions";
import { ETH, isZeroAddress, type TokenInfo } from "./format.ts";

/** Multicall3's address on nearly every public chain, for deployments whose address book names none. */
export const CANONICAL_MULTICALL3: Address = "0xcA11bde05977b3631167028862bE2a173976CA11";

/** The Multicall3 batched reads go through: the address book's, or the canonical deployment. */
export function multicallOf(book: AddressBook): Address {
  return book.multicall3 ?? CANONICAL_MULTICALL3;
}

/** Blocks per `eth_getLogs`: `readLogs` shrinks the window for providers that refuse it. */
export const LOG_WINDOW = 50_000n;

/** A job as posted: what its `JobPosted` event carries. */
export type PostedJob = {
  id: bigint;
  requester: Address;
  token: Address;
  terms: JobTerms;
  specHash: Hex;
  spec: Hex;
  blockNumber: bigint;
  transactionHash: Hex;
  /** The first round's bidding and reveal deadlines (Unix seconds): `JobPosted`'s commit deadline, plus the reveal window. */
  commitDeadline?: number;
  revealDeadline?: number;
};

/** Every posted job so far, and the block the index reaches. */
export type JobIndex = { jobs: PostedJob[]; head: bigint };

/**
 * Every posted job, oldest first, from `JobPosted` logs. Incremental: given the previous index,
 * reads only the blocks after its head (one `eth_blockNumber` plus one `eth_getLogs` per window);
 * a chain that went back below that head (a restarted node) is read again from the deployment.
 */
export async function loadJobIndex(client: Client, book: AddressBook, previous?: JobIndex): Promise<JobIndex> {
  const head = await getBlockNumber(client, { cacheTime: 0 });
  const base = previous && previous.head <= head ? previous : undefined;
  const fromBlock = base ? base.head + 1n : book.deploymentBlock;
  const jobs = base ? [...base.jobs] : [];
  if (fromBlock <= head) {
    const logs = await readLogs(client, {
      address: book.jobMarket,
      abi: jobMarketAbi,
      fromBlock,
      toBlock: head,
      windowSize: LOG_WINDOW,
      eventNames: ["JobPosted"],
    });
    for (const log of logs) jobs.push(postedOf(log));
  }
  return { jobs, head };
}

/** A job as its `JobPosted` log tells it. */
function postedOf(log: MarketLog<"JobPosted">): PostedJob {
  const terms = unpackTerms(log.args.terms);
  return {
    id: log.args.jobId,
    requester: log.args.requester,
    token: terms.token,
    terms,
    specHash: log.args.specHash,
    spec: log.args.spec,
    blockNumber: log.blockNumber!,
    transactionHash: log.transactionHash!,
    commitDeadline: Number(log.args.commitDeadline),
    revealDeadline: log.args.commitDeadline + terms.revealWindow,
  };
}

/** One page of the newest jobs, and how many jobs the market has. */
export type JobPage = { jobs: PostedJob[]; total: number };

/**
 * Page `page` (from 0) of every job, newest first, read without the whole history: the market's
 * `jobCount` names the page's ids, and only their `JobPosted` logs are fetched (the job id is an
 * indexed topic). Windows are read from the head backwards and the scan stops once every id is
 * found, so the first pages, the newest jobs, take one `eth_getLogs` whatever the history.
 */
export async function loadJobPage(
  client: Client,
  book: AddressBook,
  page: number,
  pageSize: number,
  window = LOG_WINDOW,
): Promise<JobPage> {
  const head = await getBlockNumber(client, { cacheTime: 0 });
  const total = Number(
    await readContract(client, {
      address: book.jobMarket,
      abi: jobMarketAbi,
      functionName: "jobCount",
      blockNumber: head,
    }),
  );
  const newest = total - page * pageSize;
  const ids: bigint[] = [];
  for (let id = newest; id > Math.max(0, newest - pageSize); id--) ids.push(BigInt(id));
  const found = await findPosted(client, book, ids, head, window);
  return { jobs: ids.flatMap((id) => found.get(id) ?? []), total };
}

/**
 * The `JobPosted` logs of `ids` only (the job id is an indexed topic), read in windows from `head`
 * backwards until every id is found or the deployment block is reached: recent jobs take one
 * `eth_getLogs`, and what travels is their logs alone, whatever the history.
 */
export async function findPosted(
  client: Client,
  book: AddressBook,
  ids: readonly bigint[],
  head: bigint,
  window = LOG_WINDOW,
): Promise<Map<bigint, PostedJob>> {
  const found = new Map<bigint, PostedJob>();
  for (let to = head; ids.length > found.size && to >= book.deploymentBlock; to -= window) {
    const from = to - window + 1n > book.deploymentBlock ? to - window + 1n : book.deploymentBlock;
    const missing = ids.filter((id) => !found.has(id));
    const logs = await readLogs(client, {
      address: book.jobMarket,
      abi: jobMarketAbi,
      fromBlock: from,
      toBlock: to,
      windowSize: window,
      eventNames: ["JobPosted"],
      indexed: [missing.map(topicOf)],
    });
    for (const log of logs) found.set(log.args.jobId, postedOf(log));
  }
  return found;
}

/**
 * Every market event about one job (all carry the job id as their first indexed topic), from
 * `fromBlock` to the head: one topic-filtered `eth_getLogs` per window (the sdk's `readLogs`).
 */
export async function loadJobLogs(
  client: Client,
  book: AddressBook,
  jobId: bigint,
  fromBlock: bigint,
  toBlock?: bigint,
): Promise<MarketLog[]> {
  const logs = await readLogs(client, {
    address: book.jobMarket,
    abi: jobMarketAbi,
    indexed: [topicOf(jobId)],
    fromBlock,
    ...(toBlock !== undefined ? { toBlock } : {}),
    windowSize: LOG_WINDOW,
  });
  // Worker-registry events index an address first: keep only events whose first argument is the job.
  return logs.filter((l) => (l.args as { jobId?: bigint }).jobId === jobId);
}

/** States and records of `ids`, in batches of `batchSize` per Multicall3 call. */
export function loadJobViews(client: Client, book: AddressBook, ids: readonly bigint[], batchSize = 500) {
  if (ids.length === 0) return Promise.resolve([] as JobView[]);
  return readJobs(client, {
    market: book.jobMarket,
    ids,
    batchSize,
    multicall: multicallOf(book),
  });
}

/** Symbol and decimals of each token (ETH for the zero address), one Multicall3 call for all. */
export async function loadTokens(client: Client, book: AddressBook, addresses: readonly Address[]) {
  const unique = [...new Set(addresses.map((a) => a.toLowerCase()))].filter((a) => !isZeroAddress(a)) as Address[];
  const out = new Map<string, TokenInfo>([[ETH.address, ETH]]);
  if (unique.length === 0) return out;
  const results = await multicall(client, {
    contracts: unique.flatMap((address) => [
      { address, abi: erc20Abi, functionName: "symbol" } as const,
      { address, abi: erc20Abi, functionName: "decimals" } as const,
    ]),
    allowFailure: true,
    batchSize: 0,
    multicallAddress: multicallOf(book),
  });
  unique.forEach((address, i) => {
    const symbol = results[2 * i]!;
    const decimals = results[2 * i + 1]!;
    out.set(address, {
      address,
      symbol: symbol.status === "success" ? String(symbol.result) : `${address.slice(0, 6)}…`,
      decimals: decimals.status === "success" ? Number(decimals.result) : 18,
    });
  });
  return out;
}

/** The token info of `address` from a loaded map (unknown tokens shown by address, 18 decimals). */
export function tokenOf(tokens: Map<string, TokenInfo> | undefined, address: Address): TokenInfo {
  return tokens?.get(address.toLowerCase()) ?? { address, symbol: `${address.slice(0, 6)}…`, decimals: 18 };
}
