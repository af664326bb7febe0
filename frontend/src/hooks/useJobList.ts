// The jobs list: filter by requester ("mine": the account's own jobs and those the orchestrator
// posted for its workflows) from the posted-job index, then by state, newest
// first, one page at a time. Without a state filter only the page's jobs are read (one Multicall3
// call); with one, every candidate's state is read in batches of 500.
import type { JobView } from "@baton/sdk";
import type { Address } from "viem";
import { sameAddress } from "../lib/format.ts";
import type { PostedJob } from "../lib/market.ts";
import { useJobIndex, useJobViews } from "./data.ts";

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
  const index = useJobIndex();
  const ids = index.data ? idsToRead(index.data.jobs, filter) : undefined;
  const views = useJobViews(ids);
  const page = index.data ? selectPage(index.data.jobs, views.data, filter) : { rows: [], total: 0 };
  return {
    ...page,
    isLoading: index.isLoading || (ids !== undefined && ids.length > 0 && views.isLoading),
    error: index.error ?? views.error,
  };
}
