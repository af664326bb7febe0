// "Why is nothing happening?": which registered workers can bid on a job's terms, what workers
// asked and were paid recently for the same kind of job, and an explanation of every waiting
// state of a job drawn from those facts and from the job's own events. Pure: the pages read the
// chain through the sdk's readers (`readWorkers`, `readLogs`) and pass the results in.
import { JobState, SlashReason, type JobRecord, type JobSpec, type MarketLog } from "@baton/sdk";
import type { Address, Hex } from "viem";
import { formatDuration, sameAddress, shortAddress } from "./format.ts";
import type { PostedJob } from "./market.ts";
import { capabilityTag } from "./workerForm.ts";

/** A registered worker as the registry reports it, with the capabilities it registered. */
export type WorkerFacts = {
  address: Address;
  registered: boolean;
  stake: bigint;
  locked: bigint;
  completed: number;
  capabilities: readonly Hex[];
};

/** What a bidder must have to commit a bid (the market's own checks) and to want the kind. */
export type BidRequirements = {
  minStake: bigint;
  minCompleted: number;
  bond: bigint;
  /** The spec kind (`wasm`…): workers register the kinds they run as capabilities. */
  kind?: string;
};

export type Eligibility = {
  /** Registered workers. */
  total: number;
  eligible: WorkerFacts[];
  /** Why the others cannot (or will not) bid: counts per reason (a worker may have several). */
  short: { stake: number; completed: number; freeStake: number; kind: number };
};

/**
 * Which registered workers can bid on `req`: stake ≥ the minimum, completed jobs ≥ the minimum,
 * free stake (stake less what backs open bids and jobs) ≥ the bond, as the market checks at commit,
 * and a capability for the job's kind, as keepers check before bidding.
 */
export function eligibility(workers: readonly WorkerFacts[], req: BidRequirements): Eligibility {
  const registered = workers.filter((w) => w.registered);
  const cap = req.kind ? capabilityTag(req.kind).toLowerCase() : undefined;
  const short = { stake: 0, completed: 0, freeStake: 0, kind: 0 };
  const eligible: WorkerFacts[] = [];
  for (const w of registered) {
    const misses = {
      stake: w.stake < req.minStake,
      completed: w.completed < req.minCompleted,
      freeStake: w.stake - w.locked < req.bond,
      kind: !!cap && !w.capabilities.some((c) => c.toLowerCase() === cap),
    };
    for (const key of Object.keys(misses) as (keyof typeof misses)[]) if (misses[key]) short[key] += 1;
    if (!Object.values(misses).some(Boolean)) eligible.push(w);
  }
  return { total: registered.length, eligible, short };
}

/** The eligibility in one sentence. */
export function describeEligibility(e: Eligibility, req: BidRequirements, money: (wei: bigint) => string): string {
  if (e.total === 0) return "No worker is registered on this market yet: nobody can bid.";
  const reasons: string[] = [];
  if (e.short.kind) reasons.push(`${e.short.kind} not registered for ${req.kind} jobs`);
  if (e.short.stake) reasons.push(`${e.short.stake} with less than ${money(req.minStake)} staked`);
  if (e.short.completed) reasons.push(`${e.short.completed} with fewer than ${req.minCompleted} completed jobs`);
  if (e.short.freeStake) reasons.push(`${e.short.freeStake} without ${money(req.bond)} of free stake for the bond`);
  const n = e.eligible.length;
  const head =
    n === 0
      ? `None of the ${e.total} registered worker${e.total === 1 ? "" : "s"} can bid on these terms`
      : `${n} of ${e.total} registered worker${e.total === 1 ? "" : "s"} can bid on these terms`;
  return reasons.length ? `${head} (${reasons.join("; ")}).` : `${head}.`;
}

/** What the same kind of job was paid (settlements) or asked (reveals) recently. */
export type PriceStats = { count: number; min: bigint; median: bigint; max: bigint };

/** What makes two jobs "the same kind": the spec kind, and for wasm the module (by hash). */
export type JobKind = { kind: string; module?: string };

export function kindOf(spec: JobSpec | undefined): JobKind | undefined {
  if (!spec) return undefined;
  return spec.kind === "wasm" ? { kind: "wasm", module: spec.module.sha256 } : { kind: spec.kind };
}

const sameKind = (a: JobKind | undefined, b: JobKind) => !!a && a.kind === b.kind && a.module === b.module;

export function priceStats(prices: readonly bigint[]): PriceStats | undefined {
  if (prices.length === 0) return undefined;
  const sorted = [...prices].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2n;
  return { count: sorted.length, min: sorted[0]!, median, max: sorted.at(-1)! };
}

export type RecentPrices = { settled?: PriceStats; asked?: PriceStats };

/**
 * Recent prices for jobs of `kind` paid in `token`: the prices of their settlements (`JobSettled`)
 * and of their revealed bids (`BidRevealed`), the newest `limit` of each. `kinds` gives each job's
 * kind (from its spec); `exclude` leaves a job out (the one being explained).
 */
export function recentPrices(input: {
  logs: readonly MarketLog[];
  jobs: readonly Pick<PostedJob, "id" | "token">[];
  kinds: ReadonlyMap<bigint, JobKind | undefined>;
  kind: JobKind;
  token: Address;
  exclude?: bigint;
  limit?: number;
}): RecentPrices {
  const limit = input.limit ?? 20;
  const tokenOf = new Map(input.jobs.map((j) => [j.id, j.token]));
  const matches = (jobId: bigint) =>
    jobId !== input.exclude &&
    sameAddress(tokenOf.get(jobId), input.token) &&
    sameKind(input.kinds.get(jobId), input.kind);
  const settled: bigint[] = [];
  const asked: bigint[] = [];
  for (const log of input.logs) {
    if (log.eventName === "JobSettled" && matches(log.args.jobId)) settled.push(log.args.price);
    if (log.eventName === "BidRevealed" && matches(log.args.jobId)) asked.push(log.args.price);
  }
  const settledStats = priceStats(settled.slice(-limit));
  const askedStats = priceStats(asked.slice(-limit));
  return { ...(settledStats ? { settled: settledStats } : {}), ...(askedStats ? { asked: askedStats } : {}) };
}

/** The recent prices in one sentence, and whether `reward` is below what workers asked. */
export function describePrices(
  prices: RecentPrices,
  reward: bigint,
  kindLabel: string,
  money: (v: bigint) => string,
  /** The reward token's symbol: prices are compared in one token. */
  symbol = "ETH",
): { text: string; tooLow: boolean } {
  const { settled, asked } = prices;
  if (!settled && !asked) {
    return {
      text: `No ${kindLabel} job paid in ${symbol} has had a bid revealed here yet: there is no recent price to compare.`,
      tooLow: false,
    };
  }
  const parts: string[] = [];
  if (settled) {
    parts.push(
      `${settled.count} recent ${kindLabel} job${settled.count === 1 ? "" : "s"} settled at ${range(settled, money)}`,
    );
  }
  if (asked)
    parts.push(`workers asked ${range(asked, money)} in ${asked.count} revealed bid${asked.count === 1 ? "" : "s"}`);
  const lowest = asked?.min ?? settled!.min;
  const tooLow = reward < lowest;
  const verdict = tooLow
    ? `A reward of ${money(reward)} is below every recent ask: workers may not bid.`
    : `A reward of ${money(reward)} is at or above the lowest recent ask.`;
  return { text: `${capitalize(parts.join("; "))}. ${verdict}`, tooLow };
}

const range = (s: PriceStats, money: (v: bigint) => string) =>
  s.min === s.max ? money(s.min) : `${money(s.min)} to ${money(s.max)} (median ${money(s.median)})`;
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Whether a job's wasm module could be fetched and matched its hash, as this browser checked it. */
export type ModuleCheck =
  | { status: "ok" }
  | { status: "mismatch"; actual: string }
  /** The host answered with an error status: keepers get the same answer. */
  | { status: "unreachable"; error: string }
  /** The browser could not read it (network, or a host that does not allow browsers): unknown. */
  | { status: "unchecked"; error: string };

export type Explanation = { tone: "info" | "warning"; text: string };

/**
 * Why a job is where it is and what it waits for: one sentence per fact that matters in its state.
 * `record` is the freshest record (see `freshestRecord`), `logs` the job's own events.
 */
export function explainJob(input: {
  state: JobState;
  record: JobRecord;
  terms: PostedJob["terms"];
  logs: readonly MarketLog[];
  now: number;
  eligibility?: Eligibility;
  eligibilityText?: string;
  prices?: { text: string; tooLow: boolean };
  module?: ModuleCheck;
  customArbiter?: boolean;
  money: (v: bigint) => string;
}): Explanation[] {
  const { state, record, terms, logs, now } = input;
  const out: Explanation[] = [];
  const round = record.round;
  const commits = logs.filter((l) => l.eventName === "BidCommitted" && Number(l.args.round) === round).length;
  const reveals = logs.filter((l) => l.eventName === "BidRevealed" && Number(l.args.round) === round).length;
  const left = (at: number) => (at > now ? `in ${formatDuration(at - now)}` : "now");

  // What happened to the earlier rounds: a slashed winner and a reopened round explain a restart.
  for (const log of logs) {
    if (log.eventName === "WorkerSlashed") {
      const why =
        Number(log.args.reason) === SlashReason.NoShow
          ? "delivered no result in time"
          : Number(log.args.reason) === SlashReason.DisputeLost
            ? "lost a dispute over its result"
            : "gave the job back (it could not run it: the module may have failed to load or verify)";
      out.push({
        tone: "warning",
        text: `The winner ${shortAddress(log.args.worker)} ${why} and was slashed ${input.money(log.args.amount)}.`,
      });
    }
    if (log.eventName === "JobReopened") {
      out.push({
        tone: "info",
        text: `The job was reopened for bids: round ${Number(log.args.round) + 1} started.`,
      });
    }
  }

  const waitingForBids = state === JobState.Open || state === JobState.Unfilled;
  if (state === JobState.Open) {
    out.push({
      tone: "info",
      text: commits
        ? `${commits} sealed bid${commits === 1 ? "" : "s"} so far; bidding closes ${left(record.deadline)}, then bidders reveal their prices.`
        : `No sealed bid yet; bidding closes ${left(record.deadline)}.`,
    });
  }
  if (state === JobState.Revealing) {
    out.push({
      tone: "info",
      text: `${reveals} of ${commits} sealed bid${commits === 1 ? "" : "s"} revealed; reveals close ${left(record.revealDeadline)}. The lowest price wins.`,
    });
  }
  if (state === JobState.Awarding) {
    out.push({
      tone: "info",
      text: `Reveals are closed and ${shortAddress(record.winner)} won. Its result submission assigns it the job; anyone may also finalize the auction.`,
    });
  }
  if (state === JobState.Unfilled) {
    out.push({
      tone: "warning",
      text: commits
        ? `No bid was revealed in round ${round + 1}: the ${commits} sealed bid${commits === 1 ? " was" : "s were"} never opened. The requester can repost or reclaim the reward.`
        : `Nobody bid in round ${round + 1}. The requester can repost (after fixing the terms) or reclaim the reward.`,
    });
  }
  if (waitingForBids && !commits) {
    if (input.eligibilityText) {
      out.push({ tone: input.eligibility?.eligible.length === 0 ? "warning" : "info", text: input.eligibilityText });
    }
    if (input.prices) out.push({ tone: input.prices.tooLow ? "warning" : "info", text: input.prices.text });
    if (input.customArbiter) {
      out.push({
        tone: "warning",
        text: "Its arbiter is not this deployment's committee: keepers on the default policy do not bid on it.",
      });
    }
    if (now >= terms.expiry) {
      out.push({ tone: "warning", text: "The job has expired: no new round can start." });
    }
  }
  if (input.module && (waitingForBids || state === JobState.Assigned || state === JobState.Overdue)) {
    const said = moduleExplanation(input.module);
    if (said) out.push(said);
  }
  if (state === JobState.Assigned) {
    out.push({
      tone: "info",
      text: `${shortAddress(record.winner)} is running the job; its result is due ${left(record.deadline)}.`,
    });
  }
  if (state === JobState.Overdue) {
    out.push({
      tone: "warning",
      text: `${shortAddress(record.winner)} missed its deadline. Anyone may slash it (keepers do, for the bounty); then the job reopens for bids or its reward is refunded.`,
    });
  }
  if (state === JobState.Submitted) {
    out.push({
      tone: "info",
      text: `The result is in its challenge window, which ends ${left(record.deadline)}; then anyone settles it and the worker is paid.`,
    });
  }
  if (state === JobState.Settleable) {
    out.push({
      tone: "info",
      text: "The challenge window is over: the next settle call (keepers make it) pays the worker.",
    });
  }
  if (state === JobState.Disputed) {
    out.push({
      tone: "info",
      text: `The arbiter must rule ${left(record.deadline)}; without a ruling the worker wins.`,
    });
  }
  if (state === JobState.RulingOverdue) {
    out.push({
      tone: "warning",
      text: "The arbiter did not rule in time: anyone may resolve the dispute for the worker.",
    });
  }
  return out;
}

/** SHA-256 of bytes as lowercase hex, with the browser's (or Node's) Web Crypto. */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Fetches a wasm module and compares its SHA-256 with the spec's. Only http(s) URIs are checked
 * (other schemes resolve on the keeper's side); undefined for those.
 */
export async function checkModule(
  uri: string,
  sha256: string,
  fetcher: typeof fetch = fetch,
): Promise<ModuleCheck | undefined> {
  if (!/^https?:\/\//i.test(uri)) return undefined;
  let bytes: ArrayBuffer;
  try {
    const response = await fetcher(uri);
    if (!response.ok) return { status: "unreachable", error: `HTTP ${response.status}` };
    bytes = await response.arrayBuffer();
  } catch (error) {
    return { status: "unchecked", error: (error as Error).message.split("\n")[0] ?? "fetch failed" };
  }
  const actual = await sha256Hex(bytes);
  return actual === sha256.toLowerCase() ? { status: "ok" } : { status: "mismatch", actual };
}

/** What a module check tells, or nothing when the module matched. */
export function moduleExplanation(check: ModuleCheck): Explanation | undefined {
  switch (check.status) {
    case "mismatch":
      return {
        tone: "warning",
        text: `Its wasm module does not match the SHA-256 in the spec (the file hashes to ${check.actual.slice(0, 12)}…): keepers refuse to run it.`,
      };
    case "unreachable":
      return {
        tone: "warning",
        text: `Its wasm module's host answered ${check.error}: keepers cannot fetch it either, so they will not run it.`,
      };
    case "unchecked":
      return {
        tone: "info",
        text: `This browser could not read its wasm module to check its hash (${check.error}; the host may not let browsers read it), so whether keepers can fetch it is not known here.`,
      };
    default:
      return undefined;
  }
}
