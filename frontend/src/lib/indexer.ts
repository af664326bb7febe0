// Lists read from the indexer (the deployment config's `indexerUrl`): one GraphQL query returns a
// page of jobs, filtered, ordered and counted by the indexer's database, with each row's stored
// record. The chain stays the source of truth: a row's state is derived from its record and the
// clock, as the market derives it (`deriveJobState`), and the job page reads the chain itself.
import { deriveJobState, JobState, Status, statusNames, unpackTerms, type JobRecord, type JobView } from "@baton/sdk";
import { getAddress, type Address, type Hex } from "viem";
import type { PostedJob } from "./market.ts";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The columns a list row needs: the posting (terms, spec) and what `getJob` returns. */
const JOB_COLUMNS =
  "id terms requester token specHash spec postedBlock postedAt postedTx status round commits deadline revealDeadline winner price secondPrice digest";

type JobRow = {
  id: string;
  terms: Hex;
  requester: Address;
  token: Address;
  specHash: Hex;
  spec: Hex;
  postedBlock: string;
  postedAt: string;
  postedTx: Hex;
  status: string;
  round: number;
  commits: number;
  deadline: number;
  revealDeadline: number;
  winner: Address;
  price: string;
  secondPrice: string;
  digest: Hex;
};

export type IndexedJobsFilter = {
  /** A derived state (`JobState`): matched against the stored status and the deadlines at `now`. */
  state?: number;
  /** Jobs this account posted, and `jobIds` (those its workflows posted). */
  requester?: Address;
  jobIds?: readonly bigint[];
};

export type IndexedJobPage = { jobs: PostedJob[]; views: Map<bigint, JobView>; total: number };

export class IndexerError extends Error {
  override name = "IndexerError";
}

/**
 * The indexer's filter for jobs in derived state `state` at `now` (Unix seconds): the stored status,
 * and the deadline that splits it as the market's `jobState` does (each deadline is the first
 * second of the next state; an auction past its reveals is Unfilled without a leader).
 */
export function stateWhere(state: number, now: number): Record<string, unknown> {
  switch (state) {
    case JobState.Open:
      return { status: "Auction", deadline_gt: now };
    case JobState.Revealing:
      return { status: "Auction", deadline_lte: now, revealDeadline_gt: now };
    case JobState.Unfilled:
      return { status: "Auction", revealDeadline_lte: now, winner: ZERO_ADDRESS };
    case JobState.Awarding:
      return { status: "Auction", revealDeadline_lte: now, winner_not: ZERO_ADDRESS };
    case JobState.Assigned:
      return { status: "Assigned", deadline_gt: now };
    case JobState.Overdue:
      return { status: "Assigned", deadline_lte: now };
    case JobState.Submitted:
      return { status: "Submitted", deadline_gt: now };
    case JobState.Settleable:
      return { status: "Submitted", deadline_lte: now };
    case JobState.Disputed:
      return { status: "Disputed", deadline_gt: now };
    case JobState.RulingOverdue:
      return { status: "Disputed", deadline_lte: now };
    case JobState.Settled:
      return { status: "Settled" };
    case JobState.Cancelled:
      return { status: "Cancelled" };
    case JobState.Refunded:
      return { status: "Refunded" };
    default:
      throw new RangeError(`no job is ever in state ${state}`);
  }
}

/** The whole filter of `filter` at `now`, or undefined for every job. */
export function jobsWhere(filter: IndexedJobsFilter, now: number): Record<string, unknown> | undefined {
  const parts: Record<string, unknown>[] = [];
  if (filter.state !== undefined) parts.push(stateWhere(filter.state, now));
  if (filter.requester) {
    const own = { requester: filter.requester.toLowerCase() };
    parts.push(filter.jobIds?.length ? { OR: [own, { id_in: filter.jobIds.map(String) }] } : own);
  }
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { AND: parts };
}

/** A GraphQL input literal (object keys are the schema's field names, strings are quoted). */
function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${literal(v)}`)
      .join(", ")} }`;
  }
  return JSON.stringify(value);
}

/** The query for page `page` (from 0) of `filter`, newest first. */
export function jobPageQuery(filter: IndexedJobsFilter, page: number, pageSize: number, now: number): string {
  const where = jobsWhere(filter, now);
  const args = [
    ...(where ? [`where: ${literal(where)}`] : []),
    'orderBy: "id"',
    'orderDirection: "desc"',
    `limit: ${pageSize}`,
    `offset: ${page * pageSize}`,
  ];
  return `{ jobs(${args.join(", ")}) { totalCount items { ${JOB_COLUMNS} } } }`;
}

function recordOf(row: JobRow): JobRecord {
  const status = statusNames.indexOf(row.status as never);
  if (status < 0) throw new IndexerError(`the indexer returned job ${row.id} in an unknown status ${row.status}`);
  return {
    digest: row.digest,
    winner: getAddress(row.winner),
    price: BigInt(row.price),
    secondPrice: BigInt(row.secondPrice),
    status: status as Status,
    round: row.round,
    commits: row.commits,
    deadline: row.deadline,
    revealDeadline: row.revealDeadline,
  };
}

function postedOf(row: JobRow): PostedJob {
  const terms = unpackTerms(row.terms);
  const commitDeadline = Number(row.postedAt) + terms.commitWindow;
  return {
    id: BigInt(row.id),
    requester: getAddress(row.requester),
    token: getAddress(row.token),
    terms,
    specHash: row.specHash,
    spec: row.spec,
    blockNumber: BigInt(row.postedBlock),
    transactionHash: row.postedTx,
    commitDeadline,
    revealDeadline: commitDeadline + terms.revealWindow,
  };
}

/**
 * Page `page` (from 0) of the jobs matching `filter`, newest first, with their records and the
 * total, in one request to the indexer at `url`. `now` (Unix seconds, the chain's clock) splits the
 * states that only time separates.
 */
export async function loadIndexedJobPage(
  url: string,
  filter: IndexedJobsFilter,
  page: number,
  pageSize: number,
  now: number,
  fetchFn: typeof fetch = fetch,
): Promise<IndexedJobPage> {
  let res: Response;
  try {
    res = await fetchFn(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: jobPageQuery(filter, page, pageSize, now) }),
    });
  } catch (error) {
    throw new IndexerError(`the indexer at ${url} is unreachable (${(error as Error).message})`);
  }
  const body = (await res.json().catch(() => ({}))) as {
    data?: { jobs: { totalCount: number; items: JobRow[] } };
    errors?: { message: string }[];
  };
  if (!res.ok || body.errors?.length || !body.data) {
    const why = body.errors?.map((e) => e.message).join("; ") ?? `HTTP ${res.status}`;
    throw new IndexerError(`the indexer at ${url} refused the jobs query: ${why}`);
  }
  const jobs = body.data.jobs.items.map(postedOf);
  const views = new Map<bigint, JobView>(
    body.data.jobs.items.map((row) => {
      const job = recordOf(row);
      return [BigInt(row.id), { id: BigInt(row.id), state: deriveJobState(job, now), job }];
    }),
  );
  return { jobs, views, total: body.data.jobs.totalCount };
}
