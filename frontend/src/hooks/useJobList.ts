// The jobs list, newest first, one page at a time. With an indexer in the deployment config
// (`indexerUrl`), every page, filtered or not, is one GraphQL query (lib/indexer.ts). Without one,
// the node is read. Unfiltered, a page reads only its own jobs: the
// market's job count names their ids, their `JobPosted` logs come by topic, their states in one
// Multicall3 call, so the page costs the same whatever the history. Filtered by requester
// ("mine": the account's own jobs and those the orchestrator posted for its workflows) or by
// state, it reads the posted-job index (every `JobPosted` log, incrementally) and, for a state
// filter, every candidate's state in batches of 500.
import type { JobView } from "@baton/sdk";
import { zeroAddress as ZERO_ADDRESS, type Address } from "viem";
import { sameAddress } from "../lib/format.ts";
import type { PostedJob } from "../lib/market.ts";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useBaton } from "../BatonContext.tsx";
import { loadIndexedJobPage } from "../lib/indexer.ts";
import { useJobIndex, useJobPage, useJobViews, useNow } from "./data.ts";

export const PAGE_SIZE = 20;

export type JobListFilter = {
  status?: number;
  mine?: boolean;
  account?: Address;
  /** Jobs the orchestrator posted for the account's workflows: "mine" too. */
  workflowJobs?: ReadonlySet<bigint>;
  page: number;
};

export type JobRow = { posted: PostedJob; view: JobView | undefined };

/** The ids whose state must be read for `filter` (pure; see useJobList). */
export function idsToRead(jobs: readonly PostedJob[], filter: JobListFilter, pageSize = PAGE_SIZE): bigint[] {
  const candidates = candidatesOf(jobs, filter);
  if (filter.status !== undefined) return candidates.map((j) => j.id);
  return candidates.slice(filter.page * pageSize, (filter.page + 1) * pageSize).map((j) => j.id);
}

function candidatesOf(jobs: readonly PostedJob[], filter: JobListFilter): PostedJob[] {
  const newestFirst = [...jobs].reverse();
  if (!filter.mine) return newestFirst;
  return filter.account
    ? newestFirst.filter((j) => sameAddress(j.requester, filter.account) || !!filter.workflowJobs?.has(j.id))
    : [];
}

/** The page of rows for `filter`, given the views read (pure). */
export function selectPage(
  jobs: readonly PostedJob[],
  views: Map<bigint, JobView> | undefined,
  filter: JobListFilter,
  pageSize = PAGE_SIZE,
): { rows: JobRow[]; total: number } {
  let candidates = candidatesOf(jobs, filter);
  if (filter.status !== undefined) {
    if (!views) return { rows: [], total: 0 };
    candidates = candidates.filter((j) => views.get(j.id)?.state === filter.status);
  }
  const rows = candidates
    .slice(filter.page * pageSize, (filter.page + 1) * pageSize)
    .map((posted) => ({ posted, view: views?.get(posted.id) }));
  return { rows, total: candidates.length };
}

export function useJobList(filter: JobListFilter) {
  const { chain } = useBaton();
  const indexed = useIndexedJobs(filter, chain.indexerUrl);
  const fromRpc = useRpcJobList(filter, !chain.indexerUrl);
  if (!chain.indexerUrl) return fromRpc;
  const data = indexed.data;
  return {
    rows: (data?.jobs ?? []).map((posted) => ({ posted, view: data?.views.get(posted.id) })),
    total: data?.total ?? 0,
    isLoading: indexed.isLoading,
    error: indexed.error,
  };
}

/** The list from the indexer: one query for the page's rows, states and total, whatever the filter. */
function useIndexedJobs(filter: JobListFilter, url: string | undefined) {
  const { chain, pollMs } = useBaton();
  const now = useNow();
  // The clock is read once a poll: a query key that changed every second would refetch as often.
  const tick = Math.floor(now / Math.max(1, Math.round((pollMs * 3) / 1000)));
  const indexerFilter = {
    ...(filter.status !== undefined ? { state: filter.status } : {}),
    ...(filter.mine ? { requester: filter.account ?? ZERO_ADDRESS, jobIds: [...(filter.workflowJobs ?? [])] } : {}),
  };
  return useQuery({
    queryKey: [
      "indexedJobs",
      chain.chainId,
      url,
      JSON.stringify(indexerFilter, (_, v) => (typeof v === "bigint" ? String(v) : v)),
      filter.page,
      tick,
    ],
    queryFn: () => loadIndexedJobPage(url!, indexerFilter, filter.page, PAGE_SIZE, Math.floor(now)),
    enabled: url !== undefined && (!filter.mine || filter.account !== undefined),
    placeholderData: keepPreviousData,
    refetchInterval: pollMs * 3,
  });
}

/** The list from the node alone (no indexer configured). */
function useRpcJobList(filter: JobListFilter, enabled: boolean) {
  const paged = filter.status === undefined && !filter.mine;
  const index = useJobIndex(enabled && !paged);
  const pageOf = useJobPage(filter.page, PAGE_SIZE, enabled && paged);
  const source = paged ? pageOf : index;
  const ids = paged ? pageOf.data?.jobs.map((j) => j.id) : index.data ? idsToRead(index.data.jobs, filter) : undefined;
  const views = useJobViews(enabled ? ids : undefined);
  const page = paged
    ? {
        rows: (pageOf.data?.jobs ?? []).map((posted) => ({ posted, view: views.data?.get(posted.id) })),
        total: pageOf.data?.total ?? 0,
      }
    : index.data
      ? selectPage(index.data.jobs, views.data, filter)
      : { rows: [], total: 0 };
  return {
    ...page,
    isLoading: source.isLoading || (ids !== undefined && ids.length > 0 && views.isLoading),
    error: source.error ?? views.error,
  };
}
