// Thin query hooks over the market reads in lib/market.ts: cached per chain, refreshed while the
// page is open (a local chain every second, public chains every few seconds).
import {
  jobMarketAbi,
  readCredits,
  readEarnings,
  readLogs,
  readWorker,
  readWorkers,
  type JobView,
  type MarketLog,
} from "@baton/sdk";
import { keepPreviousData, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { Address } from "viem";
import { getBlock, getBlockNumber, getCode, readContract } from "viem/actions";
import { useBaton } from "../BatonContext.tsx";
import {
  LOG_WINDOW,
  findPosted,
  loadJobIndex,
  loadJobLogs,
  loadJobPage,
  loadJobViews,
  loadTokens,
  multicallOf,
  type JobIndex,
} from "../lib/market.ts";
import { checkModule } from "../lib/why.ts";

/**
 * Every posted job (terms and spec), oldest first. Each refresh extends the index the query holds:
 * only the blocks after its head are read.
 */
export function useJobIndex(enabled = true) {
  const { chain, client, pollMs } = useBaton();
  const queryClient = useQueryClient();
  const queryKey = ["jobIndex", chain.chainId, chain.addressBook.jobMarket];
  return useQuery({
    queryKey,
    queryFn: () => loadJobIndex(client, chain.addressBook, queryClient.getQueryData<JobIndex>(queryKey)),
    refetchInterval: pollMs * 3,
    staleTime: pollMs,
    enabled,
  });
}

/** Page `page` of every job, newest first, read without the history (`loadJobPage`). */
export function useJobPage(page: number, pageSize: number, enabled = true) {
  const { chain, client, pollMs } = useBaton();
  return useQuery({
    queryKey: ["jobPage", chain.chainId, chain.addressBook.jobMarket, page, pageSize],
    queryFn: () => loadJobPage(client, chain.addressBook, page, pageSize),
    refetchInterval: pollMs * 3,
    staleTime: pollMs,
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** Job `id` as posted (its `JobPosted` log, found by topic), or null when the market has no such job. */
export function useJobPosted(id: bigint) {
  const { chain, client } = useBaton();
  return useQuery({
    queryKey: ["jobPosted", chain.chainId, chain.addressBook.jobMarket, String(id)],
    queryFn: async () => {
      const head = await getBlockNumber(client, { cacheTime: 0 });
      return (await findPosted(client, chain.addressBook, [id], head)).get(id) ?? null;
    },
    // A job's posting never changes; one not found yet may still be posted.
    staleTime: Infinity,
    refetchInterval: (query) => (query.state.data ? false : 3_000),
  });
}

/** States and records of `ids` (one Multicall3 call per 500 jobs). */
export function useJobViews(ids: readonly bigint[] | undefined) {
  const { chain, client, pollMs } = useBaton();
  return useQuery({
    queryKey: ["jobViews", chain.chainId, ids?.map(String).join(",")],
    queryFn: async () => {
      const views = await loadJobViews(client, chain.addressBook, ids!);
      return new Map<bigint, JobView>(views.map((v) => [v.id, v]));
    },
    enabled: ids !== undefined,
    refetchInterval: pollMs * 3,
    placeholderData: keepPreviousData,
  });
}

/** Symbol and decimals of tokens (ETH included), one Multicall3 call. */
export function useTokenInfo(addresses: readonly Address[]) {
  const { chain, client } = useBaton();
  const key = [...new Set(addresses.map((a) => a.toLowerCase()))].sort().join(",");
  return useQuery({
    queryKey: ["tokens", chain.chainId, key],
    queryFn: () => loadTokens(client, chain.addressBook, addresses),
    staleTime: Infinity,
    placeholderData: keepPreviousData,
  });
}

/** Reward tokens the market allows: the deployment's demo token and every `TokenAllowed` still allowed. */
export function useAllowedTokens() {
  const { chain, client } = useBaton();
  const book = chain.addressBook;
  return useQuery({
    queryKey: ["allowedTokens", chain.chainId],
    queryFn: async () => {
      const logs = await readLogs(client, {
        address: book.jobMarket,
        abi: jobMarketAbi,
        fromBlock: book.deploymentBlock,
        windowSize: LOG_WINDOW,
        eventNames: ["TokenAllowed"],
      });
      const allowed = new Map<string, boolean>();
      for (const log of logs) allowed.set(log.args.token.toLowerCase(), log.args.allowed);
      if (book.demoToken && !allowed.has(book.demoToken.toLowerCase())) allowed.set(book.demoToken.toLowerCase(), true);
      const addresses = [...allowed].filter(([, ok]) => ok).map(([a]) => a as Address);
      const info = await loadTokens(client, book, addresses);
      return [...info.values()];
    },
    staleTime: 60_000,
  });
}

/** A job's events, refreshed live. */
export function useJobLogs(jobId: bigint, fromBlock: bigint | undefined) {
  const { chain, client, pollMs } = useBaton();
  return useQuery({
    queryKey: ["jobLogs", chain.chainId, String(jobId)],
    queryFn: () => loadJobLogs(client, chain.addressBook, jobId, fromBlock!),
    enabled: fromBlock !== undefined,
    refetchInterval: pollMs,
  });
}

/**
 * What `account` earned as a worker, per token: the sum of price minus fee over its `JobSettled`
 * events (the market keeps no counter of it).
 */
export function useEarnings(account: Address | undefined, enabled = true) {
  const { chain, client, pollMs } = useBaton();
  const book = chain.addressBook;
  return useQuery({
    queryKey: ["earnings", chain.chainId, account],
    queryFn: () =>
      readEarnings(client, {
        address: book.jobMarket,
        worker: account!,
        fromBlock: book.deploymentBlock,
        windowSize: LOG_WINDOW,
      }),
    enabled: !!account && enabled,
    refetchInterval: pollMs * 3,
  });
}

/** Withdrawable credits of `account` in each of `tokens`. */
export function useCredits(account: Address | undefined, tokens: readonly Address[]) {
  const { chain, client, pollMs } = useBaton();
  const book = chain.addressBook;
  return useQuery({
    queryKey: ["credits", chain.chainId, account, tokens.map((t) => t.toLowerCase()).join(",")],
    queryFn: () =>
      readCredits(client, {
        market: book.jobMarket,
        account: account!,
        tokens,
        multicall: multicallOf(book),
      }),
    enabled: !!account && tokens.length > 0,
    refetchInterval: pollMs * 3,
  });
}

/** Registered workers (from `WorkerRegistered` logs) with stake, reputation and unbonding. */
export function useWorkers(enabled = true) {
  const { chain, client, pollMs } = useBaton();
  const book = chain.addressBook;
  return useQuery({
    queryKey: ["workers", chain.chainId],
    queryFn: async () => {
      const logs = await readLogs(client, {
        address: book.jobMarket,
        abi: jobMarketAbi,
        fromBlock: book.deploymentBlock,
        windowSize: LOG_WINDOW,
        eventNames: ["WorkerRegistered"],
      });
      const meta = new Map<string, { capabilities: readonly `0x${string}`[]; metadataURI: string }>();
      for (const log of logs)
        meta.set(log.args.worker, { capabilities: log.args.capabilities, metadataURI: log.args.metadataURI });
      const views = await readWorkers(client, {
        market: book.jobMarket,
        workers: [...meta.keys()] as Address[],
        multicall: multicallOf(book),
      });
      return views.map((v) => ({ ...v, ...meta.get(v.address)! }));
    },
    enabled,
    refetchInterval: pollMs * 5,
  });
}

/** One worker: registration, stake, bonds, unbonding and reputation. */
export function useWorker(address: Address) {
  const { chain, client, pollMs } = useBaton();
  const book = chain.addressBook;
  return useQuery({
    queryKey: ["worker", chain.chainId, address],
    queryFn: () => readWorker(client, { market: book.jobMarket, worker: address, multicall: multicallOf(book) }),
    refetchInterval: pollMs * 3,
  });
}

/** The most recent market events (the last `blocks` blocks). */
export function useRecentActivity(blocks = 5_000n) {
  const { chain, client, pollMs } = useBaton();
  const book = chain.addressBook;
  return useQuery({
    queryKey: ["activity", chain.chainId],
    queryFn: async (): Promise<MarketLog[]> => {
      const head = await getBlockNumber(client, { cacheTime: 0 });
      const from = head > blocks ? head - blocks : 0n;
      const logs = await readLogs(client, {
        address: book.jobMarket,
        abi: jobMarketAbi,
        fromBlock: from > book.deploymentBlock ? from : book.deploymentBlock,
        toBlock: head,
        windowSize: LOG_WINDOW,
      });
      return logs.slice(-15).reverse();
    },
    refetchInterval: pollMs * 3,
  });
}

/**
 * Whether governance has paused the market: new jobs and reposts wait, while bids on open jobs,
 * settlement and withdrawals go on.
 */
export function useMarketPaused() {
  const { chain, client, pollMs } = useBaton();
  return useQuery({
    queryKey: ["paused", chain.chainId, chain.addressBook.jobMarket],
    queryFn: () =>
      readContract(client, { address: chain.addressBook.jobMarket, abi: jobMarketAbi, functionName: "paused" }),
    refetchInterval: pollMs * 5,
  });
}

/** Whether the market has code on the chosen chain: undefined while checking. */
export function useDeploymentCheck() {
  const { chain, client } = useBaton();
  return useQuery({
    queryKey: ["deployed", chain.chainId, chain.addressBook.jobMarket],
    queryFn: async () => {
      const code = await getCode(client, { address: chain.addressBook.jobMarket });
      return !!code && code !== "0x";
    },
    staleTime: Infinity,
    retry: 1,
  });
}

/**
 * The chain's clock in Unix seconds, ticking every second: the wall clock, or the latest block's
 * time when the chain runs ahead of it (a node whose time was moved forward).
 */
export function useNow(): number {
  const { chain, client, pollMs } = useBaton();
  const head = useQuery({
    queryKey: ["headTime", chain.chainId],
    queryFn: async () => ({
      chain: Number((await getBlock(client, { blockTag: "latest" })).timestamp),
      wall: Date.now() / 1000,
    }),
    refetchInterval: pollMs * 5,
  });
  const [wall, setWall] = useState(() => Date.now() / 1000);
  useEffect(() => {
    const timer = setInterval(() => setWall(Date.now() / 1000), 1000);
    return () => clearInterval(timer);
  }, []);
  const offset = head.data ? Math.max(0, head.data.chain - head.data.wall) : 0;
  return Math.floor(wall + offset);
}

/**
 * The timestamps of `blocks` (Unix seconds), from the chain: one `eth_getBlockByNumber` per block,
 * each kept for good (a mined block's time never changes). Blocks not read yet are missing.
 */
export function useBlockTimes(blocks: readonly bigint[]): Map<bigint, number> {
  const { chain, client } = useBaton();
  const unique = [...new Set(blocks.map(String))].map(BigInt);
  return useQueries({
    queries: unique.map((blockNumber) => ({
      queryKey: ["blockTime", chain.chainId, String(blockNumber)],
      queryFn: async () => Number((await getBlock(client, { blockNumber })).timestamp),
      staleTime: Infinity,
      gcTime: 30 * 60_000,
    })),
    combine: (results) => {
      const times = new Map<bigint, number>();
      results.forEach((r, i) => r.data !== undefined && times.set(unique[i]!, r.data));
      return times;
    },
  });
}

/**
 * What the market's recent history says about prices: settlements and revealed bids of the last
 * `blocks` blocks (the sdk's `readLogs`, topic-filtered by event).
 */
export function useRecentPriceLogs(enabled = true, blocks = 50_000n) {
  const { chain, client, pollMs } = useBaton();
  const book = chain.addressBook;
  return useQuery({
    queryKey: ["priceLogs", chain.chainId, book.jobMarket],
    queryFn: async (): Promise<MarketLog[]> => {
      const head = await getBlockNumber(client, { cacheTime: 0 });
      const from = head > blocks ? head - blocks : 0n;
      return readLogs(client, {
        address: book.jobMarket,
        abi: jobMarketAbi,
        fromBlock: from > book.deploymentBlock ? from : book.deploymentBlock,
        toBlock: head,
        windowSize: LOG_WINDOW,
        eventNames: ["JobSettled", "BidRevealed"],
      });
    },
    enabled,
    refetchInterval: pollMs * 10,
    staleTime: pollMs * 5,
  });
}

/** Whether a wasm module (http(s) URIs only) can be fetched and matches its SHA-256. */
export function useModuleCheck(uri: string | undefined, sha256: string | undefined) {
  return useQuery({
    queryKey: ["moduleCheck", uri, sha256],
    queryFn: async () => (await checkModule(uri!, sha256!)) ?? null,
    enabled: !!uri && !!sha256 && /^[0-9a-f]{64}$/.test(sha256),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** The market's current parameters (fee, treasury, dispute bond…), rarely changing. */
export function useMarketParams() {
  const { chain, client } = useBaton();
  return useQuery({
    queryKey: ["params", chain.chainId, chain.addressBook.jobMarket],
    queryFn: () =>
      readContract(client, { address: chain.addressBook.jobMarket, abi: jobMarketAbi, functionName: "getParams" }),
    staleTime: 60_000,
  });
}
