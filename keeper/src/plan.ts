// The keeper's decisions, as pure functions of what it knows: the job's terms and on-chain state,
// its own records, and its configuration. No I/O here, so every rule is unit-tested without a
// chain. Nothing downstream trusts these decisions blindly: the sender (`sender.ts`) simulates each
// transaction before signing it, and the contracts re-check everything.

import {
  JobState,
  stepStatusNames,
  terminalJobStates,
  ZERO_ADDRESS,
  ZERO_HASH,
  type JobTerms,
  type StepStatusName,
} from "@baton/sdk";
import { encodePacked, keccak256 } from "viem";
import type { KeeperConfig } from "./config.js";

/** Derived job states (`IJobMarket.JobState`), as the sdk defines them. */
export const S = JobState;

export const TERMINAL = new Set<number>(terminalJobStates);

export type Terms = JobTerms;

/** What the chain says about a job now. */
export type ChainJob = {
  state: number;
  round: number;
  winner: `0x${string}`;
  /** This keeper's commitment in the current round (zero when none or revealed). */
  myCommitment: `0x${string}`;
  /** The chain's time (the latest block's timestamp), in seconds. */
  now: number;
  /** The current round's reveal deadline; its execution deadline is this plus the execution window. */
  revealDeadline: number;
  /**
   * The deadline of the job's current stage (`getJob().deadline`): the commit deadline in an
   * auction, the execution deadline once assigned, the challenge deadline once submitted, the
   * ruling deadline once disputed.
   */
  deadline: number;
  /** The current gas price, in wei: an ETH job's bid covers the gas of its lifecycle at this price. */
  gasPrice: bigint;
  /**
   * The workflow step the job was posted for, read (as housekeeping) once a job of the configured
   * orchestrator has ended or gone unfilled.
   */
  step?: StepView;
  /** The dispute under the configured committee arbiter, read (as housekeeping) while the job is disputed. */
  committee?: { openedAt: number; resolved: boolean; votingEnds: number };
};

/** `IWorkflowOrchestrator.StepStatus`, from the sdk's names of its values. */
export const STEP = Object.fromEntries(stepStatusNames.map((name, i) => [name, i])) as {
  readonly [Name in StepStatusName]: number;
};

/** A workflow step as the orchestrator reports it (`getStep`, and whether its workflow is active). */
export type StepView = {
  workflowId: bigint;
  step: number;
  status: number;
  attempts: number;
  jobId: bigint;
  workflowActive: boolean;
};

/** What this keeper has recorded about the job (for the current round). */
export type LocalJob = {
  decision: string | null;
  /** The kind of the job's spec; undefined when the spec is invalid. */
  specKind: string | undefined;
  hasBid: boolean;
  execution: "running" | "done" | "failed" | undefined;
  unrevealed: { round: number; bidder: `0x${string}` }[];
  hasStep: (key: string) => boolean;
  /** A deterministic failure this keeper recorded for this job, or for another job with the same spec hash. */
  failedBefore?: PastFailure;
};

/** An execution that failed on this keeper in a way running it again cannot change. */
export type PastFailure = { jobId: bigint; error: string };

/** Why a job is not bid on after a deterministic failure of it, or of its spec on another job. */
export function failureReason(jobId: bigint, failure: PastFailure): string {
  return failure.jobId === jobId
    ? `its execution failed deterministically on this keeper (${failure.error})`
    : `its spec failed deterministically on this keeper on job ${failure.jobId} (${failure.error})`;
}

export type Me = {
  address: `0x${string}`;
  registered: boolean;
  stake: bigint;
  locked: bigint;
  completed: number;
};

export type Action =
  /** Commit a sealed bid at `price`. */
  | { kind: "commit"; key: string; round: number; price: bigint }
  /** Not worth bidding on after all (its price does not fit): recorded as the decision, never retried. */
  | { kind: "decline"; reason: string }
  /** Worth bidding on, but the bond does not fit the free stake now: tried again next pass. */
  | { kind: "lackStake"; free: bigint; bond: bigint }
  | { kind: "reveal"; key: string; round: number }
  | { kind: "finalize"; key: string }
  | { kind: "execute"; round: number }
  | { kind: "submit"; key: string; round: number }
  | { kind: "settle"; key: string }
  | { kind: "slashNoShow"; key: string }
  | { kind: "abandon"; key: string; round: number; reason: string }
  | { kind: "forfeit"; key: string; round: number; bidder: `0x${string}` }
  | { kind: "resolveStaleDispute"; key: string }
  | { kind: "resolveCommittee"; key: string }
  | { kind: "advanceStep"; key: string; workflowId: bigint; step: number }
  | { kind: "done" };

/** ETH, as a job's token. */
const ETH_TOKEN = ZERO_ADDRESS;

export const stepKey = (kind: string, jobId: bigint, round: number, extra?: string) =>
  extra ? `${kind}:${jobId}:${round}:${extra.toLowerCase()}` : `${kind}:${jobId}:${round}`;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The next steps for one job. `held` counts jobs this keeper is bidding on or working on,
 * against its capacity. Returns steps in the order they should run.
 */
export function planJob(
  jobId: bigint,
  terms: Terms,
  chain: ChainJob,
  local: LocalJob,
  me: Me,
  cfg: Pick<
    KeeperConfig,
    "housekeeping" | "housekeepingDelaySec" | "faults" | "strategy" | "minReward" | "acceptUnlistedTokens"
  >,
  held: number,
  capacity: number,
): Action[] {
  const { state, round } = chain;
  const mine = same(chain.winner, me.address);
  const out: Action[] = [];
  const step = (kind: string, extra?: string) => stepKey(kind, jobId, round, extra);

  if (TERMINAL.has(state)) {
    out.push(...forfeits(jobId, local, me, cfg, round, state), ...advanceJobStep(jobId, chain, local, cfg));
    if (!out.length) out.push({ kind: "done" });
    return out;
  }

  switch (state) {
    case S.Open:
      // Never again after a deterministic failure: whoever posted it, the same spec fails the same way.
      if (
        local.decision === "bid" &&
        !local.failedBefore &&
        !local.hasBid &&
        !local.hasStep(step("commit")) &&
        held < capacity
      ) {
        out.push(...bid(terms, chain, local, me, cfg, step("commit")));
      }
      break;
    case S.Revealing:
      if (
        local.hasBid &&
        chain.myCommitment !== ZERO_HASH &&
        !cfg.faults.neverReveal &&
        !local.hasStep(step("reveal"))
      ) {
        out.push({ kind: "reveal", key: step("reveal"), round });
      }
      break;
    case S.Awarding:
    case S.Assigned:
      // The winner executes at once (submitResult finalizes implicitly, saving a transaction).
      // Others finalize only for a winner that let its execution deadline pass, so that the no-show
      // can be slashed: a winner that delivers never needs a separate finalizeAuction.
      if (mine) out.push(...winnerSteps(terms, chain, local, step));
      else if (
        state === S.Awarding &&
        cfg.housekeeping &&
        chain.now >= chain.revealDeadline + terms.executionWindow &&
        !local.hasStep(step("finalize"))
      ) {
        out.push({ kind: "finalize", key: step("finalize") });
      }
      break;
    case S.Overdue:
      if (!mine && cfg.housekeeping && !local.hasStep(step("slash")))
        out.push({ kind: "slashNoShow", key: step("slash") });
      break;
    case S.Settleable:
      // The winner, whom the settlement pays, settles first; each other keeper waits its own turn
      // after the challenge deadline, as two settlements in one block only make the second revert.
      if (
        !local.hasStep(step("settle")) &&
        (mine ||
          (cfg.housekeeping && chain.now >= chain.deadline + turnDelay(jobId, me.address, cfg.housekeepingDelaySec)))
      )
        out.push({ kind: "settle", key: step("settle") });
      break;
    case S.Disputed: {
      // A committee whose voting period ended without a majority rules for the worker once anyone
      // calls resolve; until then the job waits for the market's longer ruling timeout.
      const c = chain.committee;
      if (cfg.housekeeping && c && c.openedAt > 0 && !c.resolved && chain.now >= c.votingEnds) {
        const key = step("committee", String(c.openedAt));
        if (!local.hasStep(key)) out.push({ kind: "resolveCommittee", key });
      }
      break;
    }
    case S.RulingOverdue:
      if ((mine || cfg.housekeeping) && !local.hasStep(step("stale"))) {
        out.push({ kind: "resolveStaleDispute", key: step("stale") });
      }
      break;
    default:
      break;
  }
  out.push(...forfeits(jobId, local, me, cfg, round, state));
  if (state === S.Unfilled) out.push(...advanceJobStep(jobId, chain, local, cfg));
  return out;
}

/**
 * How long after a step opens this keeper waits before taking it for a job it does not hold:
 * between `base` and twice `base` seconds, at a point drawn from the job and the keeper's address.
 * Every keeper computes its own turn without talking to the others, and two keepers rarely share
 * one, so the step is sent once in the common case even when the party that should send it is gone.
 */
export function turnDelay(jobId: bigint, keeper: `0x${string}`, base: number): number {
  const draw = BigInt(keccak256(encodePacked(["uint256", "address"], [jobId, keeper])));
  return base + Math.floor((Number(draw % 1_000_000n) / 1_000_000) * base);
}

/** Job states in which a job this keeper bid on takes a place of its capacity, whoever leads. */
export const HOLDING_STATES: readonly number[] = [S.Open, S.Revealing];

/**
 * When a job next needs this keeper, in chain seconds, once a pass has planned it; null when only
 * the job's next event can change that. The store's working set reads a job again when that time
 * comes or when one of its events is synced (`Store.wake`), and not otherwise: every step the
 * planner takes depends on the job's state, which only an event or one of the deadlines below
 * changes, and on this keeper's own records, which it changes itself.
 *
 * - A job still to bid on (open, decided "bid", no bid yet) is due every pass while it is open:
 *   the capacity or the free stake it waits for can come back at any time.
 * - A job left pending (its workflow inputs not resolvable yet) is due at once.
 * - Otherwise the next of its deadlines still ahead: the commit or stage deadline, the reveal
 *   deadline, the end of the execution window, the end of a committee's voting and, with
 *   housekeeping, this keeper's own turn to settle a submitted result after its challenge deadline.
 */
export function nextDue(
  job: Pick<PassJob, "id" | "terms" | "chain" | "local" | "pending">,
  me: Pick<Me, "address">,
  cfg: Pick<KeeperConfig, "housekeeping" | "housekeepingDelaySec">,
): number | null {
  const { chain, terms, local } = job;
  if (job.pending) return chain.now;
  if (chain.state === S.Open && local.decision === "bid" && !local.hasBid && !local.failedBefore) return chain.now;
  const times = [chain.deadline, chain.revealDeadline, chain.revealDeadline + terms.executionWindow];
  if (chain.committee) times.push(chain.committee.votingEnds);
  if (cfg.housekeeping && (chain.state === S.Submitted || chain.state === S.Settleable)) {
    times.push(chain.deadline + turnDelay(job.id, me.address, cfg.housekeepingDelaySec));
  }
  const ahead = times.filter((t) => t > chain.now);
  return ahead.length ? Math.min(...ahead) : null;
}

/** A tracked job as one pass plans it. */
export type PassJob = {
  id: bigint;
  terms: Terms;
  chain: ChainJob;
  local: LocalJob;
  /** Left alone this pass (its workflow inputs could not be resolved yet); it keeps its place. */
  pending?: boolean;
};

/**
 * Whether the job takes a place of this keeper's capacity: it holds a bid in the current round's
 * auction, or it won the job and the job has not ended.
 */
export function holds(chain: Pick<ChainJob, "state" | "winner">, hasBid: boolean, me: Pick<Me, "address">): boolean {
  if (!hasBid) return false;
  if (HOLDING_STATES.includes(chain.state)) return true;
  return same(chain.winner, me.address) && !TERMINAL.has(chain.state);
}

/**
 * One pass's plan over the jobs read (`planJob` for each), returned in their order. The jobs this
 * keeper holds count against `capacity`; each commit planned takes a place and locks its bond, so
 * the jobs planned after it see the capacity and the free stake that are left. Open jobs are
 * planned last, in `bidOrder`, so that several keepers with little capacity spread over a burst of
 * jobs instead of all bidding on the same few.
 */
export function planPass(
  jobs: readonly PassJob[],
  me: Me,
  cfg: Parameters<typeof planJob>[5],
  capacity: number,
): Action[][] {
  let held = jobs.filter((j) => holds(j.chain, j.local.hasBid, me)).length;
  let locked = me.locked;
  const plans: Action[][] = jobs.map(() => []);
  for (const i of bidOrder(jobs, me.address)) {
    const j = jobs[i];
    if (j.pending) continue;
    const actions = planJob(j.id, j.terms, j.chain, j.local, { ...me, locked }, cfg, held, capacity);
    for (const action of actions) {
      if (action.kind !== "commit") continue;
      held += 1;
      locked += j.terms.bond;
    }
    plans[i] = actions;
  }
  return plans;
}

/**
 * The order in which a pass plans its jobs (indices into `jobs`): every job not open first, as
 * read; then the open ones, those with the fewest sealed bids of other keepers in the current
 * round first (a job nobody bid on yet needs this keeper most), and among equals in an order drawn
 * from the job and this keeper's address, which differs from one keeper to the next.
 */
export function bidOrder(jobs: readonly Pick<PassJob, "id" | "chain" | "local">[], me: `0x${string}`): number[] {
  const others = (j: (typeof jobs)[number]) =>
    j.local.unrevealed.filter((u) => u.round === j.chain.round && !same(u.bidder, me)).length;
  const draw = (j: (typeof jobs)[number]) => BigInt(keccak256(encodePacked(["uint256", "address"], [j.id, me])));
  const rest: number[] = [];
  const keyed: { i: number; others: number; draw: bigint }[] = [];
  for (const [i, j] of jobs.entries()) {
    if (j.chain.state === S.Open) keyed.push({ i, others: others(j), draw: draw(j) });
    else rest.push(i);
  }
  keyed.sort((a, b) => a.others - b.others || (a.draw < b.draw ? -1 : a.draw > b.draw ? 1 : 0));
  return [...rest, ...keyed.map((k) => k.i)];
}

/**
 * A bid on an open job this keeper decided to bid on: at its price, once the bond fits the stake
 * not locked by other bids and jobs (`me.locked`, which `planPass` raises by each bond it commits).
 */
function bid(
  terms: Terms,
  chain: ChainJob,
  local: LocalJob,
  me: Me,
  cfg: Pick<KeeperConfig, "strategy" | "minReward" | "acceptUnlistedTokens">,
  key: string,
): Action[] {
  if (local.specKind === undefined) return [];
  const quote = priceFor(terms, local.specKind, cfg, chain.gasPrice);
  if ("skip" in quote) return [{ kind: "decline", reason: quote.skip }];
  const free = me.stake - me.locked;
  if (free < terms.bond) return [{ kind: "lackStake", free, bond: terms.bond }];
  return [{ kind: "commit", key, round: chain.round, price: quote.price }];
}

/**
 * A workflow step whose job ended (settled, refunded, cancelled) or went unfilled while the
 * orchestrator still shows it Posted with that job: its settlement callback failed, or nothing
 * tells the orchestrator of the other endings. `advance` records the outcome, re-auctions or fails
 * the step, and posts the dependents that became ready.
 */
function advanceJobStep(
  jobId: bigint,
  chain: ChainJob,
  local: LocalJob,
  cfg: Pick<KeeperConfig, "housekeeping">,
): Action[] {
  const s = chain.step;
  if (!cfg.housekeeping || !s || s.status !== STEP.Posted || s.jobId !== jobId) return [];
  const key = `advance:${s.workflowId}:${s.step}:job:${jobId}`;
  return local.hasStep(key) ? [] : [{ kind: "advanceStep", key, workflowId: s.workflowId, step: s.step }];
}

/**
 * A step the orchestrator marked Ready (its `StepReady` event: the callback ran short of gas, or
 * the market refused the posting) is posted by `advance`, once per posting attempt, while its
 * workflow is active. Undefined when there is nothing to do for it.
 */
export function planReadyStep(
  s: StepView,
  hasStep: (key: string) => boolean,
  cfg: Pick<KeeperConfig, "housekeeping">,
): Extract<Action, { kind: "advanceStep" }> | undefined {
  if (!cfg.housekeeping || s.status !== STEP.Ready || !s.workflowActive) return undefined;
  const key = `advance:${s.workflowId}:${s.step}:ready:${s.attempts}`;
  return hasStep(key) ? undefined : { kind: "advanceStep", key, workflowId: s.workflowId, step: s.step };
}

/**
 * The winner's next step: execute, submit, or give the job back. A failed execution is never
 * submitted; while the execution deadline has not passed, the job is abandoned (a smaller penalty
 * than a no-show's, and the job reopens at once for others). A job whose spec already failed
 * deterministically here is given back without running it again.
 */
function winnerSteps(terms: Terms, chain: ChainJob, local: LocalJob, step: (kind: string) => string): Action[] {
  const round = chain.round;
  const canAbandon = chain.now < chain.revealDeadline + terms.executionWindow && !local.hasStep(step("abandon"));
  const abandon = (reason: string): Action[] =>
    canAbandon ? [{ kind: "abandon", key: step("abandon"), round, reason }] : [];
  switch (local.execution) {
    case undefined:
      if (local.failedBefore) return abandon(`spec failed before on job ${local.failedBefore.jobId}`);
      return [{ kind: "execute", round }];
    case "done":
      return local.hasStep(step("submit")) ? [] : [{ kind: "submit", key: step("submit"), round }];
    case "failed":
      return abandon("execution failed");
    default:
      return [];
  }
}

/** Non-revealed bids whose reveal window is over: earlier rounds, or the current one once revealing ended. */
function forfeits(
  jobId: bigint,
  local: LocalJob,
  me: Me,
  cfg: Pick<KeeperConfig, "housekeeping">,
  round: number,
  state: number,
): Action[] {
  if (!cfg.housekeeping) return [];
  const currentOver = state !== S.Open && state !== S.Revealing;
  return local.unrevealed
    .filter((u) => !same(u.bidder, me.address) && (u.round < round || currentOver))
    .map((u) => ({
      kind: "forfeit" as const,
      key: stepKey("forfeit", jobId, u.round, u.bidder),
      round: u.round,
      bidder: u.bidder,
    }))
    .filter((a) => !local.hasStep(a.key));
}

// ------------------------------------------------------------------ bidding decision and price

export type Decision = { bid: true } | { bid: false; reason: string };

/**
 * Whether to bid on a job at all, from its terms, its spec's kind, this worker's standing and its
 * own record of deterministic failures (of this job, or of its spec hash on another job).
 */
export function decide(
  terms: Terms,
  spec: { ok: true; kind: string } | { ok: false; error: string },
  me: Me,
  cfg: Pick<
    KeeperConfig,
    "capabilities" | "minReward" | "acceptUnlistedTokens" | "trustedArbiters" | "maxBondToReward" | "maxBondWei"
  >,
  /** `failureReason` of a recorded deterministic failure, if any. */
  failedBefore?: string,
): Decision {
  if (!spec.ok) return { bid: false, reason: `invalid spec: ${spec.error}` };
  if (failedBefore) return { bid: false, reason: failedBefore };
  if (!(cfg.capabilities as string[]).includes(spec.kind))
    return { bid: false, reason: `no capability for kind ${spec.kind}` };
  if (!me.registered) return { bid: false, reason: "not registered" };
  if (same(terms.requester, me.address)) return { bid: false, reason: "own job" };
  const bondRisk = riskyBond(terms, cfg);
  if (bondRisk) return { bid: false, reason: bondRisk };
  if (me.stake < terms.minStake)
    return { bid: false, reason: `stake ${me.stake} below the job's minimum ${terms.minStake}` };
  if (me.completed < terms.minCompleted) {
    return { bid: false, reason: `${me.completed} completed jobs, the job requires ${terms.minCompleted}` };
  }
  const floor = minRewardFor(terms.token, cfg);
  if (floor === undefined) return { bid: false, reason: `token ${terms.token} is not accepted` };
  if (terms.maxReward < floor) return { bid: false, reason: `reward ${terms.maxReward} below the minimum ${floor}` };
  return { bid: true };
}

/**
 * Why the job's bond is not worth risking, if it is not. The arbiter decides disputes and so who
 * keeps the bond: only trusted arbiters are accepted. A bond larger than the reward makes slashing
 * profitable for the requester, so ETH jobs whose bond exceeds `maxBondToReward` times the reward
 * are refused (token rewards are in other units; `maxBondWei` caps every job's bond).
 */
export function riskyBond(
  terms: Terms,
  cfg: Pick<KeeperConfig, "trustedArbiters" | "maxBondToReward" | "maxBondWei">,
): string | undefined {
  if (!cfg.trustedArbiters.some((a) => same(a, terms.arbiter))) {
    return `arbiter ${terms.arbiter} is not trusted`;
  }
  if (cfg.maxBondWei !== undefined && terms.bond > BigInt(cfg.maxBondWei.split(".")[0])) {
    return `bond ${terms.bond} above the maximum ${cfg.maxBondWei.split(".")[0]}`;
  }
  if (same(terms.token, ETH_TOKEN)) {
    const ppm = BigInt(Math.round(cfg.maxBondToReward * 1_000_000));
    if (terms.bond * 1_000_000n > terms.maxReward * ppm) {
      return `bond ${terms.bond} above ${cfg.maxBondToReward}x the reward ${terms.maxReward}`;
    }
  }
  return undefined;
}

function minRewardFor(
  token: string,
  cfg: Pick<KeeperConfig, "minReward" | "acceptUnlistedTokens">,
): bigint | undefined {
  const key = same(token, ETH_TOKEN) ? "ETH" : Object.keys(cfg.minReward).find((k) => same(k, token));
  const value = key ? cfg.minReward[key] : undefined;
  if (value !== undefined) return BigInt(value.split(".")[0]);
  if (same(token, ETH_TOKEN) || cfg.acceptUnlistedTokens) return 0n;
  return undefined;
}

/**
 * The price to bid, or a reason not to. ETH jobs price gas in: the whole lifecycle costs about
 * `gasPerJob` gas at the current gas price, and a bid that would not cover it is not made.
 */
export function priceFor(
  terms: Terms,
  kind: string,
  cfg: Pick<KeeperConfig, "strategy" | "minReward" | "acceptUnlistedTokens">,
  gasPriceWei: bigint,
): { price: bigint } | { skip: string } {
  const isEth = same(terms.token, ETH_TOKEN);
  const floor = minRewardFor(terms.token, cfg) ?? 0n;
  let price: bigint;
  const s = cfg.strategy;
  if (s.kind === "fraction") {
    price = (terms.maxReward * BigInt(Math.round(s.fraction * 1_000_000))) / 1_000_000n;
  } else {
    const execution = BigInt((s.executionCostWei[kind] ?? "0").split(".")[0]);
    const cost = isEth ? execution + BigInt(s.gasPerJob) * gasPriceWei : floor;
    price = (cost * BigInt(Math.round((1 + s.margin) * 1_000_000))) / 1_000_000n;
  }
  if (isEth && cfg.strategy.kind === "cost-plus") {
    const gasCost = BigInt(cfg.strategy.gasPerJob) * gasPriceWei;
    if (price < gasCost) price = gasCost;
  }
  if (price < floor) price = floor;
  if (price === 0n) price = 1n;
  if (price > terms.maxReward) return { skip: `price ${price} above the job's maximum reward ${terms.maxReward}` };
  return { price };
}

// ------------------------------------------------------------------ retrying executions

/**
 * How long to wait before retrying an execution that failed for a transient reason, after
 * `attempt` failed attempts (the last of which took `lastRunMs`): exponential backoff from
 * `baseDelayMs`, capped at `maxDelayMs`. Undefined when a retry started after that wait, running
 * as long as the last attempt, would not end `submitMarginSec` before the execution deadline:
 * the failure is then final.
 */
export function retryDelay(
  attempt: number,
  nowMs: number,
  lastRunMs: number,
  deadlineMs: number,
  cfg: KeeperConfig["executionRetry"],
): number | undefined {
  const delay = Math.min(cfg.maxDelayMs, cfg.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const latestEnd = deadlineMs - cfg.submitMarginSec * 1000;
  return nowMs + delay + Math.max(0, lastRunMs) <= latestEnd ? delay : undefined;
}
