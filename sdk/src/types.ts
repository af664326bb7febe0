// Protocol types shared by keeper and frontend. Enums mirror `contracts/interfaces/IJobMarket.sol`
// value for value (testkit/test/enums.test.ts checks them against the compiled contracts), and the
// struct types are checked against the generated ABI at compile time (see the end of this file).
import type { ContractFunctionReturnType } from "viem";
import type { jobMarketAbi } from "./generated/abis.js";

export type Address = `0x${string}`;
export type Hex = `0x${string}`;

/** Makes a name → value object and its value type from the Solidity enum's member names, in order. */
function solidityEnum<const Names extends readonly string[]>(names: Names) {
  return Object.freeze(Object.fromEntries(names.map((name, i) => [name, i]))) as {
    readonly [K in keyof Names & `${number}` as Names[K]]: K extends `${infer N extends number}` ? N : never;
  };
}

// ---------------------------------------------------------------- enums

/** `IJobMarket.JobState` member names, indexed by value. */
export const jobStateNames = [
  "None",
  "Open",
  "Revealing",
  "Awarding",
  "Unfilled",
  "Assigned",
  "Overdue",
  "Submitted",
  "Settleable",
  "Disputed",
  "RulingOverdue",
  "Settled",
  "Cancelled",
  "Refunded",
] as const;
/** The derived state a job is in now (`JobMarket.jobState(id)`). */
export const JobState = solidityEnum(jobStateNames);
export type JobState = (typeof JobState)[keyof typeof JobState];
export type JobStateName = (typeof jobStateNames)[number];

/** `IJobMarket.Status` member names: the stored part of a job's lifecycle. */
export const statusNames = [
  "None",
  "Auction",
  "Assigned",
  "Submitted",
  "Disputed",
  "Settled",
  "Cancelled",
  "Refunded",
] as const;
export const Status = solidityEnum(statusNames);
export type Status = (typeof Status)[keyof typeof Status];
export type StatusName = (typeof statusNames)[number];

/** `IJobMarket.Pricing` member names. */
export const pricingNames = ["FirstPrice", "SecondPrice"] as const;
export const Pricing = solidityEnum(pricingNames);
export type Pricing = (typeof Pricing)[keyof typeof Pricing];
export type PricingName = (typeof pricingNames)[number];

/** `IJobMarket.SlashReason` member names. */
export const slashReasonNames = ["NoShow", "DisputeLost", "Abandoned"] as const;
export const SlashReason = solidityEnum(slashReasonNames);
export type SlashReason = (typeof SlashReason)[keyof typeof SlashReason];
export type SlashReasonName = (typeof slashReasonNames)[number];

/** States no call can leave: the job's money has been paid out or refunded. */
export const terminalJobStates: readonly JobState[] = [JobState.Settled, JobState.Cancelled, JobState.Refunded];

/** Whether nothing more can happen to a job in `state`. */
export function isTerminalState(state: number): boolean {
  return state === JobState.Settled || state === JobState.Cancelled || state === JobState.Refunded;
}

/** The Solidity name of a job state value, e.g. `jobStateName(7) === "Submitted"`. */
export function jobStateName(state: number): JobStateName {
  const name = jobStateNames[state];
  if (name === undefined) throw new RangeError(`${state} is not a JobState (0..${jobStateNames.length - 1})`);
  return name;
}

// ---------------------------------------------------------------- structs

/**
 * A job's immutable terms (`IJobMarket.JobTerms`). The market stores only a digest of them (with
 * the job id and the standing result hash, see `jobDigest`); pass the full terms (from `JobPosted`,
 * `unpackTerms`, or `postJob`'s result) back to every call on the job, packed (`packTerms`).
 */
export type JobTerms = {
  /** Who posted the job; must be the sender of `postJob`. */
  requester: Address;
  /** Reward token, or the zero address for ETH. */
  token: Address;
  /** Escrowed reward (uint96, token units or wei); the highest price a bid may name. */
  maxReward: bigint;
  /** The `IArbiter` that rules on disputes. */
  arbiter: Address;
  /** Wei of stake locked per bid and kept as the winner's execution bond (uint96). */
  bond: bigint;
  /** Minimum total stake in wei a worker needs to bid (uint96). */
  minStake: bigint;
  /** Minimum completed jobs a worker needs to bid (uint32). */
  minCompleted: number;
  /** Seconds of each round's commit phase (uint32). */
  commitWindow: number;
  /** Seconds of the reveal phase (uint32). */
  revealWindow: number;
  /** Seconds after the reveal deadline by which the winner must submit (uint32). */
  executionWindow: number;
  /** Seconds after submission during which the result may be disputed (uint32). */
  challengeWindow: number;
  /** Unix time after which no new round may start (uint32). */
  expiry: number;
  /** Protocol fee in basis points; must equal the market's current `feeBps` (uint16). */
  feeBps: number;
  /** Share of a bond a non-revealer forfeits; must equal the market's current value (uint16). */
  forfeitBps: number;
  /** Share of a slashed bond paid as a bounty; must equal the market's current value (uint16). */
  slashBountyBps: number;
  /** Wei a disputer deposits; must equal the market's current `disputeBond` (uint96). */
  disputeBond: bigint;
  /** Seconds the arbiter has to rule on a dispute; must equal the market's current value (uint32). */
  rulingTimeout: number;
  /** `Pricing.FirstPrice` (0) or `Pricing.SecondPrice` (1); a plain number, as decoded from the chain. */
  pricing: number;
  /** Whether the requester contract receives `IJobConsumer.onJobSettled`. */
  callback: boolean;
};

/** What the market stores for a job (`IJobMarket.Job`, from `getJob`). */
export type JobRecord = {
  /**
   * `jobDigest(id, terms, resultHash)` (21 bytes): binds the terms and, while a result stands
   * (submitted, disputed or settled), its hash; a zero result hash otherwise.
   */
  digest: Hex;
  /** Leading bidder during reveals, then the assigned worker (zero address when none). */
  winner: Address;
  /** Leading price during reveals, then the price to be paid. */
  price: bigint;
  secondPrice: bigint;
  /** Stored `Status` value; `jobState` refines it with the clock. */
  status: number;
  round: number;
  /** Sealed bids committed in the current round (the market stops counting at 63). */
  commits: number;
  /** Commit deadline during an auction; then the execution, challenge or ruling deadline. */
  deadline: number;
  revealDeadline: number;
};

/** Governance parameters (`IJobMarket.Params`, from `getParams`). */
export type MarketParams = {
  treasury: Address;
  feeBps: number;
  forfeitBps: number;
  slashBountyBps: number;
  callbackGasLimit: number;
  rulingTimeout: number;
  unbondingDelay: number;
  disputeBond: bigint;
};

/** A worker's stake and reputation (`IWorkerRegistry.Worker`). */
export type WorkerRecord = {
  stake: bigint;
  locked: bigint;
  registered: boolean;
  completed: number;
  noShows: number;
  disputesLost: number;
};

/** Stake waiting for its unbonding delay (`IWorkerRegistry.Unbonding`). */
export type Unbonding = { amount: bigint; readyAt: number };

/**
 * The derived state of a stored job at `now` (Unix seconds), as `JobMarket.jobState` computes it
 * on-chain: lets a UI tick states over from a record read once, without polling per job.
 */
export function deriveJobState(
  job: Pick<JobRecord, "status" | "deadline" | "revealDeadline" | "winner">,
  now: number | bigint,
): JobState {
  const t = BigInt(now);
  const before = (deadline: number) => t < BigInt(deadline);
  switch (job.status) {
    case Status.Auction:
      if (before(job.deadline)) return JobState.Open;
      if (before(job.revealDeadline)) return JobState.Revealing;
      return /^0x0{40}$/i.test(job.winner) ? JobState.Unfilled : JobState.Awarding;
    case Status.Assigned:
      return before(job.deadline) ? JobState.Assigned : JobState.Overdue;
    case Status.Submitted:
      return before(job.deadline) ? JobState.Submitted : JobState.Settleable;
    case Status.Disputed:
      return before(job.deadline) ? JobState.Disputed : JobState.RulingOverdue;
    case Status.Settled:
      return JobState.Settled;
    case Status.Cancelled:
      return JobState.Cancelled;
    case Status.Refunded:
      return JobState.Refunded;
    default:
      return JobState.None;
  }
}

// ---------------------------------------------------------------- ABI agreement (compile time only)

type Outputs<Name extends "getJob" | "getParams" | "getWorker" | "getUnbonding"> = ContractFunctionReturnType<
  typeof jobMarketAbi,
  "view",
  Name
>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Each entry fails to compile when a contract struct and its documented type here diverge.
const structsMatchAbi: [
  Same<Outputs<"getJob">, JobRecord>,
  Same<Outputs<"getParams">, MarketParams>,
  Same<Outputs<"getWorker">, WorkerRecord>,
  Same<Outputs<"getUnbonding">, Unbonding>,
] = [true, true, true, true];
void structsMatchAbi;
