// What a job page shows, derived purely from the job's events, its current record and the clock:
// the timeline (posted, bids, reveals, assignment, result, challenge, dispute, settlement) and the
// actions the connected account may take now.
import {
  decodeResult,
  decodeSpec,
  deriveJobState,
  isSpecUri,
  JobState,
  jobStateNames,
  SlashReason,
  Status,
  ZERO_ADDRESS,
  type JobRecord,
  type JobSpec,
  type JsonValue,
  type MarketLog,
  marketCall,
  prepareDispute,
  standingResultHashes,
  ZERO_HASH,
  type JobTerms,
  packTerms,
} from "@baton/sdk";
import type { Address, Hex } from "viem";
import { ETH, formatAmount, formatDuration, isZeroAddress, sameAddress } from "./format.ts";

const formatEth = (wei: bigint) => formatAmount(wei, ETH);
import type { PostedJob } from "./market.ts";

/** Timeline titles per `IJobMarket.SlashReason`. */
const SLASH_TITLES: Record<number, string> = {
  [SlashReason.NoShow]: "Worker slashed: no result in time",
  [SlashReason.DisputeLost]: "Worker slashed: dispute lost",
  [SlashReason.Abandoned]: "Worker gave the job back",
};

export type TimelineEntry = {
  key: string;
  kind:
    | "posted"
    | "commits"
    | "reveal"
    | "assigned"
    | "result"
    | "disputed"
    | "resolved"
    | "settled"
    | "slashed"
    | "reopened"
    | "cancelled"
    | "refunded"
    | "forfeited";
  title: string;
  blockNumber: bigint;
  /** Kind-specific facts for display. */
  round?: number;
  count?: number;
  bidder?: Address;
  worker?: Address;
  price?: bigint;
  /**
   * On one reveal at most: "leading" for the best bid of the current round while reveals are open,
   * "winner" for the bid that won the round once they have closed. Reveals that led only for a
   * moment (a better one came later) and those of earlier rounds carry none.
   */
  mark?: "leading" | "winner";
  amount?: bigint;
  result?: ResultCheck;
};

export type ResultCheck = {
  hash: Hex;
  /** The decoded payload, when inline and canonical. */
  value?: JsonValue;
  /** Whether keccak256 of the payload bytes equals the submitted hash. */
  hashMatches: boolean;
  /** Set when the payload is a URI to fetch or could not be decoded. */
  problem?: string;
  uri?: string;
};

export function checkResult(resultHash: Hex, payload: Hex): ResultCheck {
  if (isSpecUri(payload)) {
    const decoded = decodeResult(payload);
    return {
      hash: resultHash,
      hashMatches: false,
      uri: decoded.ok ? undefined : decoded.needsFetch,
      problem: "stored off-chain",
    };
  }
  const decoded = decodeResult(payload, { expectedHash: resultHash });
  if (decoded.ok) return { hash: resultHash, value: decoded.value, hashMatches: true };
  const unchecked = decodeResult(payload);
  return {
    hash: resultHash,
    hashMatches: false,
    problem: decoded.error,
    ...(unchecked.ok ? { value: unchecked.value } : {}),
  };
}

/** The decoded spec of a posted job, or why it cannot be shown. */
export function specOf(job: PostedJob): { ok: true; spec: JobSpec } | { ok: false; error: string } {
  const decoded = decodeSpec(job.spec, { expectedHash: job.specHash });
  if (decoded.ok) return { ok: true, spec: decoded.spec };
  // A workflow step with inputs is posted with its parents' result hashes bound into the spec
  // hash (keepers check that binding against the orchestrator); its spec itself is plain.
  const plain = decodeSpec(job.spec);
  if (plain.ok && plain.spec.kind === "wasm" && Object.keys(plain.spec.inputs ?? {}).length > 0) {
    return { ok: true, spec: plain.spec };
  }
  return { ok: false, error: decoded.error };
}

/**
 * Timeline entries in chain order; the commits of each round are grouped into one entry. Only the
 * current round's best reveal is marked: "leading" while `revealsOpen`, "winner" afterwards.
 */
export function buildTimeline(
  posted: PostedJob,
  logs: readonly MarketLog[],
  opts: { revealsOpen?: boolean } = {},
): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    { key: "posted", kind: "posted", title: "Posted", blockNumber: posted.blockNumber, round: 0 },
  ];
  const commits = new Map<number, TimelineEntry>();
  for (const log of logs) {
    const key = `${log.blockNumber}:${log.logIndex}`;
    const blockNumber = log.blockNumber!;
    switch (log.eventName) {
      case "BidCommitted": {
        const round = Number(log.args.round);
        const entry = commits.get(round);
        if (entry) entry.count! += 1;
        else {
          const e: TimelineEntry = { key, kind: "commits", title: "Sealed bids", blockNumber, round, count: 1 };
          commits.set(round, e);
          entries.push(e);
        }
        break;
      }
      case "BidRevealed":
        entries.push({
          key,
          kind: "reveal",
          title: "Bid revealed",
          blockNumber,
          round: Number(log.args.round),
          bidder: log.args.bidder,
          price: log.args.price,
          ...(log.args.leading ? { mark: "leading" as const } : {}),
        });
        break;
      case "JobAssigned":
        entries.push({
          key,
          kind: "assigned",
          title: "Assigned",
          blockNumber,
          worker: log.args.worker,
          price: log.args.price,
        });
        break;
      case "ResultSubmitted":
        entries.push({
          key,
          kind: "result",
          title: "Result submitted",
          blockNumber,
          worker: log.args.worker,
          result: checkResult(log.args.resultHash, log.args.result),
        });
        break;
      case "JobDisputed":
        entries.push({
          key,
          kind: "disputed",
          title: "Disputed",
          blockNumber,
          bidder: log.args.disputer,
          amount: log.args.bond,
        });
        break;
      case "DisputeResolved":
        entries.push({
          key,
          kind: "resolved",
          title: log.args.workerWins
            ? `Dispute resolved for the worker${log.args.byTimeout ? " (no ruling in time)" : ""}`
            : "Dispute resolved against the worker",
          blockNumber,
        });
        break;
      case "JobSettled":
        entries.push({
          key,
          kind: "settled",
          title: "Settled",
          blockNumber,
          worker: log.args.worker,
          price: log.args.price,
          amount: log.args.refund,
        });
        break;
      case "WorkerSlashed":
        entries.push({
          key,
          kind: "slashed",
          title: SLASH_TITLES[Number(log.args.reason)] ?? "Worker slashed",
          blockNumber,
          worker: log.args.worker,
          amount: log.args.amount,
        });
        break;
      case "JobReopened":
        entries.push({
          key,
          kind: "reopened",
          title: `Reopened for bids (round ${Number(log.args.round) + 1})`,
          blockNumber,
          round: Number(log.args.round),
        });
        break;
      case "JobCancelled":
        entries.push({ key, kind: "cancelled", title: "Cancelled", blockNumber });
        break;
      case "JobRefunded":
        entries.push({ key, kind: "refunded", title: "Refunded", blockNumber, amount: log.args.amount });
        break;
      case "BidForfeited":
        entries.push({
          key,
          kind: "forfeited",
          title: "Unrevealed bid forfeited",
          blockNumber,
          bidder: log.args.bidder,
          amount: log.args.forfeited,
        });
        break;
      default:
        break;
    }
  }
  markLeader(entries, opts.revealsOpen ?? false);
  return entries;
}

/**
 * Keeps one mark: the last reveal that led in the latest round with reveals (a bid leads when it
 * beats every earlier one, so the last to lead is the best). A round that was reopened after it
 * (its winner slashed or gone) has no winner; the assigned worker's bid wins once reveals closed.
 */
function markLeader(entries: TimelineEntry[], revealsOpen: boolean) {
  let leader: TimelineEntry | undefined;
  let round = -1;
  for (const e of entries) {
    if (e.kind === "reveal") {
      if (e.round! > round) {
        round = e.round!;
        leader = undefined;
      }
      if (e.mark) leader = e;
    }
    if (e.kind === "reopened") leader = undefined;
    if (e.kind === "reveal") delete e.mark;
  }
  if (leader) leader.mark = revealsOpen ? "leading" : "winner";
}

/** The deadline that matters now, for a countdown: `{ label, at }` in Unix seconds, or undefined. */
export function currentDeadline(record: JobRecord, state: JobState): { label: string; at: number } | undefined {
  switch (state) {
    case JobState.Open:
      return { label: "Bidding closes", at: record.deadline };
    case JobState.Revealing:
      return { label: "Reveals close", at: record.revealDeadline };
    case JobState.Assigned:
      return { label: "Result due", at: record.deadline };
    case JobState.Submitted:
      return { label: "Challenge window ends", at: record.deadline };
    case JobState.Disputed:
      return { label: "Ruling due", at: record.deadline };
    default:
      return undefined;
  }
}

/**
 * A job's record as its own events tell it, from posting on: the first round's deadlines from
 * `JobPosted` (else from `base`, the record a state call read), the leader of each round's reveals,
 * assignment, result, dispute, reopening and the endings. The job page derives its state,
 * headline, countdown and actions from this record once the events are loaded, so they can never
 * contradict the timeline drawn from the same events; before that it shows the state call's
 * record. `base` supplies what no event carries (the digest, the second price).
 */
export function recordFromLogs(posted: PostedJob, logs: readonly MarketLog[], base: JobRecord): JobRecord {
  let r: JobRecord = {
    ...base,
    status: Status.Auction,
    round: 0,
    deadline: posted.commitDeadline ?? base.deadline,
    revealDeadline: posted.revealDeadline ?? base.revealDeadline,
    winner: ZERO_ADDRESS,
    price: 0n,
    commits: 0,
  };
  for (const log of logs) {
    switch (log.eventName) {
      case "BidCommitted":
        if (Number(log.args.round) === r.round) r = { ...r, commits: Math.min(r.commits + 1, 63) };
        break;
      case "BidRevealed":
        // A reveal that leads is the best so far: the record names it until reveals close.
        if (Number(log.args.round) === r.round && log.args.leading) {
          r = { ...r, winner: log.args.bidder, price: log.args.price };
        }
        break;
      case "JobReopened":
        r = {
          ...r,
          status: Status.Auction,
          round: Number(log.args.round),
          deadline: Number(log.args.commitDeadline),
          revealDeadline: Number(log.args.revealDeadline),
          winner: ZERO_ADDRESS,
          price: 0n,
          commits: 0,
        };
        break;
      case "JobAssigned":
        r = {
          ...r,
          status: Status.Assigned,
          deadline: Number(log.args.executionDeadline),
          winner: log.args.worker,
          price: log.args.price,
        };
        break;
      case "ResultSubmitted":
        r = { ...r, status: Status.Submitted, deadline: Number(log.args.challengeDeadline), winner: log.args.worker };
        break;
      case "JobDisputed":
        r = { ...r, status: Status.Disputed, deadline: Number(log.args.rulingDeadline) };
        break;
      case "JobSettled":
        r = { ...r, status: Status.Settled, winner: log.args.worker, price: log.args.price };
        break;
      case "JobCancelled":
        r = { ...r, status: Status.Cancelled };
        break;
      case "JobRefunded":
        r = { ...r, status: Status.Refunded };
        break;
      default:
        break;
    }
  }
  return r;
}

/** The state at `now` from a record read earlier (ticks over between reads). */
export function stateAt(record: JobRecord, now: number): JobState {
  return deriveJobState(record, now);
}

export function stateLabel(state: number): string {
  const labels: Record<string, string> = {
    None: "Unknown",
    Open: "Open for bids",
    Revealing: "Revealing bids",
    Awarding: "Awaiting award",
    Unfilled: "Unfilled",
    Assigned: "In progress",
    Overdue: "Overdue",
    Submitted: "Result in challenge window",
    Settleable: "Ready to settle",
    Disputed: "Disputed",
    RulingOverdue: "Ruling overdue",
    Settled: "Settled",
    Cancelled: "Cancelled",
    Refunded: "Refunded",
  };
  return labels[jobStateNames[state] ?? "None"] ?? String(state);
}

export type JobAction = {
  id: "cancel" | "accept" | "dispute" | "reclaim" | "finalize" | "settle" | "slash" | "resolveStale" | "repost";
  functionName:
    | "cancel"
    | "accept"
    | "dispute"
    | "reclaim"
    | "finalizeAuction"
    | "settle"
    | "slashNoShow"
    | "resolveStaleDispute"
    | "repost";
  label: string;
  /** What it does, for the button's description. */
  hint: string;
  /** ETH to send (the dispute bond). */
  value?: bigint;
  /**
   * Set on actions that cannot be undone and take something away (cancelling, disputing): the
   * question asked before sending, saying what happens.
   */
  confirm?: string;
};

/**
 * Whether a job's arbiter differs from the deployment's default, the committee arbiter of its
 * address book. Keepers that follow the default policy bid only under that arbiter: one chosen by
 * the requester decides the job's disputes, and may rule against the worker and take its bond.
 */
export function isCustomArbiter(arbiter: string, defaultArbiter: string): boolean {
  return !sameAddress(arbiter, defaultArbiter);
}

/**
 * The job actions open to `account` (undefined: not connected) at `now`, per the state machine in
 * docs/ARCHITECTURE.md. The contract re-checks every one; this only decides what to offer.
 */
export function availableActions(input: {
  state: JobState;
  record: JobRecord;
  terms: PostedJob["terms"];
  account: Address | undefined;
  now: number;
  /**
   * The result hash standing on the job (from its logs; zero when none), or undefined while the
   * logs load: the actions on a result (accept, dispute, settle, resolve) wait for it.
   */
  resultHash: Hex | undefined;
}): JobAction[] {
  const { state, record, terms, account, now } = input;
  if (!account) return [];
  const actions = offeredActions(state, record, terms, account, now);
  const known = input.resultHash !== undefined && input.resultHash !== ZERO_HASH;
  return known ? actions : actions.filter((a) => !RESULT_ACTIONS.has(a.functionName));
}

function offeredActions(
  state: JobState,
  record: JobRecord,
  terms: PostedJob["terms"],
  account: Address,
  now: number,
): JobAction[] {
  const requester = sameAddress(account, terms.requester);
  const actions: JobAction[] = [];
  if (state === JobState.Open && requester && record.commits === 0) {
    actions.push({
      id: "cancel",
      functionName: "cancel",
      label: "Cancel job",
      hint: "Cancel before any bid and get the reward back.",
      confirm:
        "Cancel this job for good? No worker can bid on it any more, and its whole reward is credited back to you (withdraw it from your credits). This cannot be undone.",
    });
  }
  if ((state === JobState.Submitted || state === JobState.Settleable) && requester) {
    actions.push({
      id: "accept",
      functionName: "accept",
      label: "Accept result",
      hint: "Accept the result now and pay the worker.",
    });
  }
  if (state === JobState.Submitted) {
    // The bond fixed in the job's terms at posting, whatever the market's current parameter.
    actions.push({
      id: "dispute",
      functionName: "dispute",
      label: "Dispute result",
      hint: `Send the job's dispute bond and ask its arbiter to rule on the result; without a ruling within ${formatDuration(terms.rulingTimeout)} the worker wins.`,
      value: terms.disputeBond,
      confirm: `Dispute this result? You send a bond of ${formatEth(terms.disputeBond)} and the job's arbiter rules on it. If the arbiter rules against the worker, your bond comes back with a share of the worker's slashed bond and the job is reopened; if it rules for the worker, or does not rule within ${formatDuration(terms.rulingTimeout)}, the worker is paid and your bond goes to the worker.`,
    });
  }
  if (state === JobState.Unfilled && requester && record.round < 255) {
    actions.push({ id: "repost", functionName: "repost", label: "Repost", hint: "Open a new round of bidding." });
  }
  if (state === JobState.Unfilled && (requester || now >= terms.expiry)) {
    actions.push({
      id: "reclaim",
      functionName: "reclaim",
      label: "Reclaim reward",
      hint: "Cancel the job and credit the reward back to the requester.",
    });
  }
  if (state === JobState.Awarding) {
    actions.push({
      id: "finalize",
      functionName: "finalizeAuction",
      label: "Finalize auction",
      hint: "Assign the job to the winning bid.",
    });
  }
  if (state === JobState.Settleable) {
    actions.push({
      id: "settle",
      functionName: "settle",
      label: "Settle",
      hint: "Pay the worker: the challenge window has passed.",
    });
  }
  if (state === JobState.Overdue) {
    actions.push({
      id: "slash",
      functionName: "slashNoShow",
      label: "Slash no-show",
      hint: "The worker missed the deadline: slash its bond and collect the bounty.",
    });
  }
  if (state === JobState.RulingOverdue) {
    actions.push({
      id: "resolveStale",
      functionName: "resolveStaleDispute",
      label: "Resolve stale dispute",
      hint: "The arbiter did not rule in time: settle for the worker.",
    });
  }
  return actions;
}

/** The result hash standing on job `jobId` per its logs (zero when none), or undefined before they load. */
export function resultHashOf(jobId: bigint, logs: readonly MarketLog[] | undefined): Hex | undefined {
  if (!logs) return undefined;
  return standingResultHashes(logs).get(jobId) ?? ZERO_HASH;
}

/** The actions on a job whose result stands: they pass its result hash back to the market. */
const RESULT_ACTIONS = new Set<JobAction["functionName"]>(["accept", "dispute", "settle", "resolveStaleDispute"]);

/**
 * The market call of `action` on job `jobId`: accepting, disputing, settling and resolving a stale
 * dispute pass the standing result hash (`resultHash`, from the job's `ResultSubmitted`) back
 * with the terms; the dispute carries the job's dispute bond.
 */
export function actionCall(action: JobAction, market: Address, jobId: bigint, terms: JobTerms, resultHash: Hex) {
  if (action.functionName === "dispute") return prepareDispute({ market, jobId, terms, resultHash });
  if (RESULT_ACTIONS.has(action.functionName))
    return marketCall(market, action.functionName as "accept" | "settle" | "resolveStaleDispute", [
      jobId,
      packTerms(terms),
      resultHash,
    ]);
  return marketCall(
    market,
    action.functionName as "cancel" | "reclaim" | "finalizeAuction" | "slashNoShow" | "repost",
    [jobId, packTerms(terms)],
  );
}

export const isEth = (token: Address) => isZeroAddress(token);
