import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, ContractTransactionResponse, Interface } from "ethers";
import type { Multicall3 } from "../../typechain-types";
import { DAY, ETH, JobState, SPEC, SPEC_HASH } from "./fixture";
import { StepStatus, WorkflowStatus, deployOrchestrator, type StepInput, type WorkflowFixture } from "./workflow";

// A TypeScript model of the job market, its worker registry, the committee arbiter and the
// workflow orchestrator, used by the model-based randomized test. Every operation predicts the
// contract's outcome (success or a specific custom error) from the model alone, then updates the
// model the way the contracts update their state. Only what the model cannot know in advance
// (whether a settlement callback had gas enough to post a dependent step) is read from the chain.

export const BPS = 10_000n;
export const GAS_LIMIT = 15_000_000n;
export const VOTING_PERIOD = DAY;
export const MAJORITY = 2;

/** Market state bitmaps, as in `JobMarketUnexpectedState`. */
export const bits = (...list: JobState[]) => list.reduce((acc, s) => acc | (1n << BigInt(s)), 0n);
export const OPEN = bits(JobState.Open);
export const REVEALING = bits(JobState.Revealing);
export const AWARDING = bits(JobState.Awarding);
export const UNFILLED = bits(JobState.Unfilled);
export const ASSIGNED_OR_AWARDING = bits(JobState.Assigned, JobState.Awarding);
export const OVERDUE = bits(JobState.Overdue);
export const SUBMITTED = bits(JobState.Submitted);
export const SUBMITTED_OR_SETTLEABLE = bits(JobState.Submitted, JobState.Settleable);
export const SETTLEABLE = bits(JobState.Settleable);
export const DISPUTED_OR_OVERDUE = bits(JobState.Disputed, JobState.RulingOverdue);
export const RULING_OVERDUE = bits(JobState.RulingOverdue);

/** Stored job status, as `IJobMarket.Status`. */
export enum Status {
  None,
  Auction,
  Assigned,
  Submitted,
  Disputed,
  Settled,
  Cancelled,
  Refunded,
}

export enum SlashReason {
  NoShow,
  DisputeLost,
  Abandoned,
}

// ------------------------------------------------------------------ world

/** The deployment every sequence starts from: market, committee, orchestrator, three tokens. */
export async function deployModelWorld() {
  const f = await deployOrchestrator();
  const signers = f.signers;
  const requester2 = signers[10];
  const multicall = (await (await ethers.getContractFactory("Multicall3")).deploy()) as unknown as Multicall3;
  const marketAddress = await f.market.getAddress();
  const orchestratorAddress = await f.orchestrator.getAddress();
  // worker1 also posts jobs, so that a worker can be its own requester.
  for (const who of [f.requester, requester2, f.worker1]) {
    for (const t of [f.token, f.token6]) {
      if (who !== f.requester) await t.mint(who.address, 10n ** 32n);
      await t.connect(who).approve(marketAddress, ethers.MaxUint256);
      await t.connect(who).approve(orchestratorAddress, ethers.MaxUint256);
    }
  }
  return {
    ...f,
    requester2,
    multicall,
    multicallAddress: await multicall.getAddress(),
    marketAddress,
    orchestratorAddress,
    tokenAddresses: [ETH, await f.token.getAddress(), await f.token6.getAddress()],
    startTime: await time.latest(),
  };
}

export type World = Awaited<ReturnType<typeof deployModelWorld>>;

/** Amount units per token: ETH, an 18-decimal token and a 6-decimal token whose amounts are tiny
 * enough that some fees round to zero. */
export const UNITS = [10n ** 16n, 10n ** 18n, 16n];
export const QUARTER_ETH = ethers.parseEther("0.25");

// ------------------------------------------------------------------ model types

export type Terms = {
  requester: string;
  token: string;
  maxReward: bigint;
  arbiter: string;
  bond: bigint;
  minStake: bigint;
  minCompleted: number;
  commitWindow: number;
  revealWindow: number;
  executionWindow: number;
  challengeWindow: number;
  expiry: number;
  feeBps: number;
  forfeitBps: number;
  slashBountyBps: number;
  disputeBond: bigint;
  rulingTimeout: number;
  pricing: number;
  callback: boolean;
};

export type Commit = { round: number; bidder: string; price: bigint; salt: string };

export type Tally = { openedAt: number; forWorker: number; against: number; resolved: boolean; voted: Set<string> };

export type MJob = {
  id: bigint;
  terms: Terms;
  tokenIndex: number;
  status: Status;
  round: number;
  /** Sealed bids committed in the current round, as the market counts them (stops at 63). */
  commitCount: number;
  deadline: number;
  revealDeadline: number;
  winner: string;
  price: bigint;
  secondPrice: bigint;
  /** The hash of the result that stands (submitted, disputed or settled), else zero: part of the job's digest. */
  resultHash: string;
  commits: Map<string, Commit>;
  dispute?: { disputer: string; bond: bigint };
  disputeSeq: number;
  tally?: Tally;
  step?: { workflow: bigint; index: number };
};

export type MWorker = {
  registered: boolean;
  stake: bigint;
  locked: bigint;
  completed: number;
  noShows: number;
  disputesLost: number;
  unbonding: bigint;
  readyAt: number;
};

export type MStep = {
  input: StepInput & { maxReward: bigint; bond: bigint };
  dependencies: number[];
  dependents: number[];
  pending: number;
  status: StepStatus;
  attempts: number;
  jobId: bigint;
  expiry: number;
};

export type MWorkflow = {
  id: bigint;
  requester: string;
  tokenIndex: number;
  status: WorkflowStatus;
  steps: MStep[];
  settledCount: number;
  maxRetries: number;
  balance: bigint;
  budget: bigint;
};

export type Params = {
  treasury: string;
  feeBps: number;
  forfeitBps: number;
  slashBountyBps: number;
  rulingTimeout: number;
  unbondingDelay: number;
  disputeBond: bigint;
};

/** Deliberate model faults, used to show that the checks catch a wrong model. */
export type Mutation = "none" | "fee-lost";

export type Expect = { name: string; args?: unknown[] } | undefined;

export class Model {
  now: number;
  params: Params;
  jobs = new Map<bigint, MJob>();
  jobCount = 0n;
  workers = new Map<string, MWorker>();
  /** Market credits: account => per-token amounts. */
  credits = new Map<string, bigint[]>();
  workflows: MWorkflow[] = [];
  /** The orchestrator's own token balances, its liabilities and its requesters' credits. */
  held = [0n, 0n, 0n];
  owed = [0n, 0n, 0n];
  orchCredits = new Map<string, bigint[]>();
  mutation: Mutation = "none";
  /** Jobs (by id) and workflows (by negated id) already checked in a final state. */
  settledRecords = new Set<bigint>();
  /** What the last command did, for the failure report. */
  log: string[] = [];

  constructor(
    readonly w: World,
    params: Params,
  ) {
    this.now = w.startTime;
    this.params = params;
    for (const worker of w.workers) {
      this.workers.set(worker.address, {
        registered: true,
        stake: ethers.parseEther("10"),
        locked: 0n,
        completed: 0,
        noShows: 0,
        disputesLost: 0,
        unbonding: 0n,
        readyAt: 0,
      });
    }
  }

  get orchestrator(): string {
    return this.w.orchestratorAddress;
  }

  worker(address: string): MWorker {
    let w = this.workers.get(address);
    if (!w) {
      w = {
        registered: false,
        stake: 0n,
        locked: 0n,
        completed: 0,
        noShows: 0,
        disputesLost: 0,
        unbonding: 0n,
        readyAt: 0,
      };
      this.workers.set(address, w);
    }
    return w;
  }

  credit(account: string, tokenIndex: number): bigint {
    return this.credits.get(account)?.[tokenIndex] ?? 0n;
  }

  addCredit(account: string, tokenIndex: number, amount: bigint) {
    if (amount === 0n) return;
    const row = this.credits.get(account) ?? [0n, 0n, 0n];
    row[tokenIndex] += amount;
    this.credits.set(account, row);
  }

  orchCredit(account: string, tokenIndex: number): bigint {
    return this.orchCredits.get(account)?.[tokenIndex] ?? 0n;
  }

  addOrchCredit(account: string, tokenIndex: number, amount: bigint) {
    const row = this.orchCredits.get(account) ?? [0n, 0n, 0n];
    row[tokenIndex] += amount;
    this.orchCredits.set(account, row);
  }

  /** Advances the clock to the next block's timestamp and returns it. */
  tick(seconds = 1): number {
    this.now += seconds;
    return this.now;
  }

  jobList(): MJob[] {
    return [...this.jobs.values()];
  }

  // ---------------------------------------------------------------- market: derived state

  stateOf(job: MJob, t = this.now): JobState {
    switch (job.status) {
      case Status.Auction:
        if (t < job.deadline) return JobState.Open;
        if (t < job.revealDeadline) return JobState.Revealing;
        return job.winner === ethers.ZeroAddress ? JobState.Unfilled : JobState.Awarding;
      case Status.Assigned:
        return t < job.deadline ? JobState.Assigned : JobState.Overdue;
      case Status.Submitted:
        return t < job.deadline ? JobState.Submitted : JobState.Settleable;
      case Status.Disputed:
        return t < job.deadline ? JobState.Disputed : JobState.RulingOverdue;
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

  /** The expected revert if the job is not in one of `allowed` at time `t`. */
  /** For a call that takes no result hash: the job's digest binds a standing result, so such a
   * call fails the digest check (before any state check) while one stands. */
  expectBeforeResult(job: MJob, allowed: bigint, t = this.now): Expect {
    if (job.resultHash !== ethers.ZeroHash) return { name: "JobMarketTermsMismatch", args: [job.id] };
    return this.expectState(job, allowed, t);
  }

  expectState(job: MJob, allowed: bigint, t = this.now): Expect {
    const state = this.stateOf(job, t);
    if (((1n << BigInt(state)) & allowed) === 0n) {
      return { name: "JobMarketUnexpectedState", args: [job.id, state, allowed] };
    }
    return undefined;
  }

  roundFits(job: MJob, t = this.now): boolean {
    const end = t + job.terms.commitWindow + job.terms.revealWindow + job.terms.executionWindow;
    return job.round < 255 && end <= job.terms.expiry;
  }

  isLive(job: MJob): boolean {
    return job.status !== Status.Settled && job.status !== Status.Cancelled && job.status !== Status.Refunded;
  }

  // ---------------------------------------------------------------- market: transitions

  makeTerms(
    requester: string,
    tokenIndex: number,
    o: Omit<
      Terms,
      "requester" | "token" | "feeBps" | "forfeitBps" | "slashBountyBps" | "disputeBond" | "rulingTimeout" | "arbiter"
    >,
  ): Terms {
    return {
      requester,
      token: this.w.tokenAddresses[tokenIndex],
      arbiter: "",
      feeBps: this.params.feeBps,
      forfeitBps: this.params.forfeitBps,
      slashBountyBps: this.params.slashBountyBps,
      disputeBond: this.params.disputeBond,
      rulingTimeout: this.params.rulingTimeout,
      ...o,
    };
  }

  /** Records a posted job (the escrow already moved). */
  posted(terms: Terms, tokenIndex: number, t = this.now): MJob {
    const id = ++this.jobCount;
    const job: MJob = {
      id,
      terms,
      tokenIndex,
      status: Status.Auction,
      round: 0,
      commitCount: 0,
      deadline: t + terms.commitWindow,
      revealDeadline: t + terms.commitWindow + terms.revealWindow,
      winner: ethers.ZeroAddress,
      price: 0n,
      secondPrice: 0n,
      resultHash: ethers.ZeroHash,
      commits: new Map(),
      disputeSeq: 0,
    };
    this.jobs.set(id, job);
    return job;
  }

  startRound(job: MJob, t = this.now) {
    job.round += 1;
    job.winner = ethers.ZeroAddress;
    job.price = 0n;
    job.secondPrice = 0n;
    job.resultHash = ethers.ZeroHash;
    job.status = Status.Auction;
    job.commitCount = 0;
    job.deadline = t + job.terms.commitWindow;
    job.revealDeadline = job.deadline + job.terms.revealWindow;
  }

  refund(job: MJob) {
    job.status = Status.Refunded;
    this.addCredit(job.terms.requester, job.tokenIndex, job.terms.maxReward);
  }

  reopenOrRefund(job: MJob, t = this.now) {
    if (this.roundFits(job, t)) this.startRound(job, t);
    else this.refund(job);
  }

  assign(job: MJob) {
    if (job.terms.pricing === 1) {
      job.price = job.secondPrice === 0n ? job.terms.maxReward : job.secondPrice;
    }
    job.status = Status.Assigned;
    job.deadline = job.revealDeadline + job.terms.executionWindow;
  }

  /** Pays a penalty in wei: the bounty share to `beneficiary`, the rest to the requester. */
  payPenalty(job: MJob, amount: bigint, beneficiary: string): bigint {
    const bounty = (amount * BigInt(job.terms.slashBountyBps)) / BPS;
    this.addCredit(beneficiary, 0, bounty);
    this.addCredit(job.terms.requester, 0, amount - bounty);
    return bounty;
  }

  takeBond(worker: string, bond: bigint, amount: bigint, reason?: SlashReason) {
    const w = this.worker(worker);
    w.locked -= bond;
    w.stake -= amount;
    if (reason === SlashReason.NoShow && w.noShows < 0xffff) w.noShows += 1;
    if (reason === SlashReason.DisputeLost && w.disputesLost < 0xff) w.disputesLost += 1;
  }

  slash(job: MJob, reason: SlashReason, caller: string) {
    const worker = job.winner;
    const amount = job.terms.bond;
    this.takeBond(worker, amount, amount, reason);
    const beneficiary = caller === worker ? job.terms.requester : caller;
    this.payPenalty(job, amount, beneficiary);
  }

  /** A bid left unrevealed: the bounty share of the forfeit to the caller unless it is the bidder,
   * the rest to the treasury. */
  forfeit(job: MJob, commit: Commit, caller: string) {
    job.commits.delete(`${commit.round}:${commit.bidder}`);
    const forfeited = (job.terms.bond * BigInt(job.terms.forfeitBps)) / BPS;
    this.takeBond(commit.bidder, job.terms.bond, forfeited);
    const bounty = caller === commit.bidder ? 0n : (forfeited * BigInt(job.terms.slashBountyBps)) / BPS;
    this.addCredit(caller, 0, bounty);
    this.addCredit(this.params.treasury, 0, forfeited - bounty);
  }

  /** The winner gives the job back: `forfeitBps` of its bond to the treasury, a no-show counted,
   * the rest released; then the job reopens or is refunded. */
  abandon(job: MJob) {
    const penalty = (job.terms.bond * BigInt(job.terms.forfeitBps)) / BPS;
    this.takeBond(job.winner, job.terms.bond, penalty, SlashReason.NoShow);
    this.addCredit(this.params.treasury, 0, penalty);
    this.reopenOrRefund(job);
  }

  /** Settles a job; returns the price for the callback. */
  settleJob(job: MJob) {
    const worker = job.winner;
    const price = job.price;
    const fee = (price * BigInt(job.terms.feeBps)) / BPS;
    const refund = job.terms.maxReward - price;
    job.status = Status.Settled;
    const w = this.worker(worker);
    w.locked -= job.terms.bond;
    // Only a completion that cost its requester a fee, by a worker that did not post the job, counts.
    if (fee !== 0n && worker !== job.terms.requester && w.completed < 0xffffffff) w.completed += 1;
    this.addCredit(worker, job.tokenIndex, price - fee);
    if (this.mutation !== "fee-lost") this.addCredit(this.w.marketAddress, job.tokenIndex, fee);
    this.addCredit(job.terms.requester, job.tokenIndex, refund);
  }

  resolveDispute(job: MJob, workerWins: boolean) {
    const d = job.dispute!;
    job.dispute = undefined;
    if (workerWins) {
      this.addCredit(job.winner, 0, d.bond);
      this.settleJob(job);
    } else {
      this.addCredit(d.disputer, 0, d.bond);
      this.slash(job, SlashReason.DisputeLost, d.disputer);
      job.resultHash = ethers.ZeroHash;
      this.reopenOrRefund(job);
    }
  }

  // ---------------------------------------------------------------- orchestrator

  stepOfJob(job: MJob): { wf: MWorkflow; step: MStep; index: number } | undefined {
    if (!job.step) return undefined;
    const wf = this.workflows[Number(job.step.workflow) - 1];
    return { wf, step: wf.steps[job.step.index], index: job.step.index };
  }

  stepTerms(wf: MWorkflow, step: MStep, expiry: number): Terms {
    const i = step.input;
    return this.makeTerms(this.orchestrator, wf.tokenIndex, {
      maxReward: i.maxReward,
      bond: i.bond,
      minStake: BigInt(i.minStake),
      minCompleted: Number(i.minCompleted),
      commitWindow: Number(i.commitWindow),
      revealWindow: Number(i.revealWindow),
      executionWindow: Number(i.executionWindow),
      challengeWindow: Number(i.challengeWindow),
      expiry,
      pricing: Number(i.pricing),
      callback: true,
    });
  }

  /** `_ensureHeld`: pulls the orchestrator's market credit when it holds less than `amount`.
   * Returns the revert the market would raise, if any. */
  ensureHeld(tokenIndex: number, amount: bigint): Expect {
    if (this.held[tokenIndex] >= amount) return undefined;
    const c = this.credit(this.orchestrator, tokenIndex);
    if (c === 0n) {
      return { name: "JobMarketNothingToWithdraw", args: [this.orchestrator, this.w.tokenAddresses[tokenIndex]] };
    }
    this.credits.get(this.orchestrator)![tokenIndex] = 0n;
    this.held[tokenIndex] += c;
    return undefined;
  }

  /** `_post` (and the successful path of `_tryPost`): posts a step's job in the market. */
  postStep(wf: MWorkflow, index: number, arbiter: string, jobId?: bigint) {
    const step = wf.steps[index];
    const terms = this.stepTerms(wf, step, this.now + Number(step.input.expiryWindow));
    terms.arbiter = arbiter;
    const failure = this.ensureHeld(wf.tokenIndex, step.input.maxReward);
    if (failure) throw new Error(`model: orchestrator cannot fund step ${index} of workflow ${wf.id}`);
    this.held[wf.tokenIndex] -= step.input.maxReward;
    const job = this.posted(terms, wf.tokenIndex);
    if (jobId !== undefined && jobId !== job.id) throw new Error(`model: step posted as job ${jobId}, not ${job.id}`);
    job.step = { workflow: wf.id, index };
    // The cap moves from the balance into the market's escrow and stays owed to the workflow.
    wf.balance -= step.input.maxReward;
    step.status = StepStatus.Posted;
    step.attempts += 1;
    step.jobId = job.id;
    step.expiry = terms.expiry;
  }

  lateRefund(wf: MWorkflow, amount: bigint) {
    if (amount === 0n) return;
    this.addOrchCredit(wf.requester, wf.tokenIndex, amount);
  }

  /** `_end`: cancels every posted job without a bid and credits the requester with the balance. */
  endWorkflow(wf: MWorkflow, status: WorkflowStatus) {
    wf.status = status;
    if (status !== WorkflowStatus.Completed) {
      for (const step of wf.steps) {
        if (step.status !== StepStatus.Posted) continue;
        const job = this.jobs.get(step.jobId)!;
        if (this.stateOf(job) === JobState.Open && job.commitCount === 0) {
          job.status = Status.Cancelled;
          this.addCredit(this.orchestrator, wf.tokenIndex, job.terms.maxReward);
          step.status = StepStatus.Cancelled;
          wf.balance += step.input.maxReward;
        }
      }
    }
    const refund = wf.balance;
    wf.balance = 0n;
    if (refund !== 0n) this.addOrchCredit(wf.requester, wf.tokenIndex, refund);
  }

  /**
   * `_recordSettlement`. `tryPost` decides for each dependent whose dependencies all settled whether
   * it was posted (true) or left Ready (false); it is asked in ascending step order.
   */
  async recordSettlement(
    wf: MWorkflow,
    index: number,
    price: bigint,
    tryPost: (wf: MWorkflow, child: number) => Promise<void>,
  ) {
    const step = wf.steps[index];
    const refund = step.input.maxReward - price;
    step.status = StepStatus.Settled;
    wf.settledCount += 1;
    this.owed[wf.tokenIndex] -= price;
    if (wf.status !== WorkflowStatus.Active) {
      this.lateRefund(wf, refund);
      return;
    }
    wf.balance += refund;
    if (wf.settledCount === wf.steps.length) {
      this.endWorkflow(wf, WorkflowStatus.Completed);
      return;
    }
    for (const child of step.dependents) {
      const c = wf.steps[child];
      c.pending -= 1;
      if (c.pending === 0) await tryPost(wf, child);
    }
  }

  /** `_recordFailure`. */
  async recordFailure(wf: MWorkflow, index: number, tryPost: (wf: MWorkflow, child: number) => Promise<void>) {
    const step = wf.steps[index];
    const cap = step.input.maxReward;
    if (wf.status !== WorkflowStatus.Active) {
      step.status = StepStatus.Cancelled;
      this.lateRefund(wf, cap);
      return;
    }
    wf.balance += cap;
    if (step.attempts <= wf.maxRetries) {
      await tryPost(wf, index);
    } else {
      step.status = StepStatus.Failed;
      this.endWorkflow(wf, WorkflowStatus.Failed);
    }
  }

  /** Caps of posted steps whose outcome the orchestrator has not recorded. */
  inFlight(tokenIndex: number): bigint {
    let sum = 0n;
    for (const wf of this.workflows) {
      if (wf.tokenIndex !== tokenIndex) continue;
      for (const step of wf.steps) if (step.status === StepStatus.Posted) sum += step.input.maxReward;
    }
    return sum;
  }

  /** What the market still holds for unrecorded steps: the escrow of live jobs, and the price a
   * settled but unrecorded job paid out (which will leave `owed` when recorded). */
  inMarket(tokenIndex: number): bigint {
    let sum = 0n;
    for (const wf of this.workflows) {
      if (wf.tokenIndex !== tokenIndex) continue;
      for (const step of wf.steps) {
        if (step.status !== StepStatus.Posted) continue;
        const job = this.jobs.get(step.jobId)!;
        if (this.isLive(job)) sum += step.input.maxReward;
        else if (job.status === Status.Settled) sum += job.price;
      }
    }
    return sum;
  }

  /** Money returned to the orchestrator by the market for a workflow that has not recorded it yet. */
  unrecorded(tokenIndex: number): bigint {
    let sum = 0n;
    for (const wf of this.workflows) {
      if (wf.tokenIndex !== tokenIndex) continue;
      for (const step of wf.steps) {
        if (step.status !== StepStatus.Posted) continue;
        const job = this.jobs.get(step.jobId)!;
        if (job.status === Status.Refunded || job.status === Status.Cancelled) sum += step.input.maxReward;
        if (job.status === Status.Settled) sum += step.input.maxReward - job.price;
      }
    }
    return sum;
  }

  /** What `surplus(token)` should return. */
  surplus(tokenIndex: number): bigint {
    const assets = this.held[tokenIndex] + this.credit(this.orchestrator, tokenIndex);
    const liabilities = this.owed[tokenIndex];
    return assets > liabilities ? assets - liabilities : 0n;
  }
}

// ------------------------------------------------------------------ chain access

export function commitmentOf(w: World, jobId: bigint, round: number, bidder: string, price: bigint, salt: string) {
  return ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ["uint256", "address", "uint256", "uint8", "address", "uint96", "bytes32"],
      [31337, w.marketAddress, jobId, round, bidder, price, salt],
    ),
  );
}

function findRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || error === null || typeof error !== "object") return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.data === "string" && e.data.startsWith("0x") && e.data.length >= 10) return e.data;
  for (const key of ["data", "error", "info", "cause", "revert"]) {
    const found = findRevertData(e[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function decodeRevert(w: World, error: unknown): { name: string; args: unknown[] } | undefined {
  const data = findRevertData(error);
  if (!data) return undefined;
  const ifaces: Interface[] = [w.market.interface, w.orchestrator.interface, w.arbiter.interface];
  for (const iface of ifaces) {
    try {
      const parsed = iface.parseError(data);
      if (parsed) return { name: parsed.name, args: [...parsed.args] };
    } catch {
      // not this interface
    }
  }
  return undefined;
}

function sameValue(expected: unknown, actual: unknown): boolean {
  if (typeof expected === "bigint" || typeof expected === "number") {
    try {
      return BigInt(expected) === BigInt(actual as bigint);
    } catch {
      return false;
    }
  }
  if (typeof expected === "string" && typeof actual === "string")
    return expected.toLowerCase() === actual.toLowerCase();
  return expected === actual;
}

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

/**
 * Sends one transaction at the model's current timestamp with a fixed gas limit, and checks that
 * it succeeded or failed with exactly the expected custom error. Returns the receipt on success.
 */
export async function exec(
  m: Model,
  label: string,
  send: (overrides: { gasLimit: bigint; value?: bigint }) => Promise<ContractTransactionResponse>,
  expected: Expect,
  value?: bigint,
): Promise<ContractTransactionReceipt | undefined> {
  await network.provider.send("evm_setNextBlockTimestamp", [m.now]);
  let receipt: ContractTransactionReceipt | undefined;
  try {
    const tx = await send(value === undefined ? { gasLimit: GAS_LIMIT } : { gasLimit: GAS_LIMIT, value });
    receipt = (await tx.wait()) ?? undefined;
  } catch (error) {
    const got = decodeRevert(m.w, error);
    if (!expected) {
      throw new Error(`${label}: the model expected success, got ${got ? show(got) : String(error)}`, {
        cause: error,
      });
    }
    if (!got || got.name !== expected.name) {
      throw new Error(`${label}: expected ${expected.name}, got ${got ? show(got) : String(error)}`, {
        cause: error,
      });
    }
    if (expected.args) {
      const ok = expected.args.length === got.args.length && expected.args.every((a, i) => sameValue(a, got.args[i]));
      if (!ok) throw new Error(`${label}: expected ${show(expected)}, got ${show(got)}`, { cause: error });
    }
    m.log.push(`${label} -> ${expected.name}`);
    return undefined;
  }
  if (expected) throw new Error(`${label}: the model expected ${show(expected)}, the call succeeded`);
  m.log.push(`${label} -> ok`);
  return receipt;
}

/** The `success` flag of the settlement callback for `jobId` in a receipt, if one ran. */
export function callbackOutcome(m: Model, receipt: ContractTransactionReceipt, jobId: bigint): boolean | undefined {
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== m.w.marketAddress.toLowerCase()) continue;
    const parsed = m.w.market.interface.parseLog(log);
    if (parsed?.name === "SettlementCallback" && parsed.args.jobId === jobId) return parsed.args.success as boolean;
  }
  return undefined;
}

export { ETH, SPEC, SPEC_HASH, JobState, StepStatus, WorkflowStatus };
export type { HardhatEthersSigner, WorkflowFixture };
