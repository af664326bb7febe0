import { ethers } from "hardhat";
import { expect } from "chai";
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import { DAY, DEFAULT_PARAMS, JobState, packTerms } from "./fixture";
import { StepStatus, WorkflowStatus } from "./workflow";
import {
  ASSIGNED_OR_AWARDING,
  AWARDING,
  DISPUTED_OR_OVERDUE,
  MAJORITY,
  Model,
  OPEN,
  OVERDUE,
  QUARTER_ETH,
  REVEALING,
  RULING_OVERDUE,
  SETTLEABLE,
  SPEC,
  SPEC_HASH,
  SUBMITTED,
  SUBMITTED_OR_SETTLEABLE,
  SlashReason,
  Status,
  UNFILLED,
  UNITS,
  VOTING_PERIOD,
  callbackOutcome,
  commitmentOf,
  exec,
  type Commit,
  type Expect,
  type MJob,
  type MStep,
  type MWorkflow,
  type World,
} from "./model";

// The commands of the model-based test. Each command's arguments are small selectors; the model
// resolves them against its state when the command runs (preferring targets where the action can
// succeed), predicts the outcome, sends the transaction and updates itself.

type Args = Record<string, number | boolean>;
type Runner = (m: Model, w: World, a: Args) => Promise<void>;

const num = (a: Args, k: string) => Number(a[k]);

const requesters = (w: World) => [w.requester, w.requester2, w.worker1];
const bidders = (w: World) => [w.worker1, w.worker2, w.worker3, w.other];
const withdrawers = (w: World) => [
  w.requester,
  w.requester2,
  w.worker1,
  w.worker2,
  w.worker3,
  w.other,
  w.treasury,
  w.members[0],
];
/** Every account the checks compare credits for (with the orchestrator): the market's own
 * account holds the protocol fees. */
export const creditAccounts = (w: World) => [...new Set([...withdrawers(w).map((s) => s.address), w.marketAddress])];

function signerOf(w: World, address: string): HardhatEthersSigner {
  const s = w.signers.find((x) => x.address === address);
  if (!s) throw new Error(`no signer for ${address}`);
  return s;
}

/** A signer for `address`, or `fallback` when it is a contract (the orchestrator). */
function signerOr(w: World, address: string, fallback: HardhatEthersSigner): HardhatEthersSigner {
  return w.signers.find((x) => x.address === address) ?? fallback;
}

/** The coming deadlines of live jobs (commit, reveal, execution, challenge or ruling deadline,
 * voting end, expiry) and of unbonding stake, in order. */
function futureMarks(m: Model): number[] {
  const marks = new Set<number>();
  for (const j of m.jobList()) {
    if (!m.isLive(j)) continue;
    marks.add(j.deadline);
    marks.add(j.revealDeadline);
    marks.add(j.revealDeadline + j.terms.executionWindow);
    marks.add(j.terms.expiry);
    if (j.tally && !j.tally.resolved) marks.add(j.tally.openedAt + VOTING_PERIOD);
  }
  for (const wk of m.workers.values()) if (wk.unbonding > 0n) marks.add(wk.readyAt);
  return [...marks].filter((t) => t > m.now + 1).sort((x, y) => x - y);
}

/**
 * Picks a target for a command and moves the clock to the next block. Prefers targets for which
 * the command can succeed at that block; with `ripen` set and none available, first moves time to
 * the earliest coming deadline at which one is; failing both, picks among `fallback`.
 */
function choose<T>(m: Model, a: Args, key: string, candidates: (t: number) => T[], fallback: T[]): T {
  let list = candidates(m.now + 1);
  if (list.length === 0 && a.ripen) {
    for (const mark of futureMarks(m)) {
      const found = candidates(mark);
      if (found.length > 0) {
        m.log.push(`  (time moves to ${mark})`);
        m.now = mark - 1;
        list = found;
        break;
      }
    }
  }
  if (list.length === 0) list = fallback;
  m.tick();
  return list[num(a, key) % list.length];
}

/** The jobs a command may target: the one named by `target` (set by `progress`), or all. */
function targets(m: Model, a: Args): MJob[] {
  return a.target !== undefined ? [m.jobs.get(BigInt(a.target))!] : m.jobList();
}

function pickJob(m: Model, a: Args, ok: (j: MJob, t: number) => boolean): MJob {
  const pool = targets(m, a);
  return choose(m, a, "job", (t) => pool.filter((j) => ok(j, t)), pool);
}

function outstandingCommits(m: Model): { job: MJob; c: Commit }[] {
  const out: { job: MJob; c: Commit }[] = [];
  for (const job of m.jobList()) for (const c of job.commits.values()) out.push({ job, c });
  return out;
}

/** A holder and token to withdraw: with `funded` set, one that holds a credit if any does. */
function pickHolder(
  holders: HardhatEthersSigner[],
  credit: (who: HardhatEthersSigner, ti: number) => bigint,
  a: Args,
): { who: HardhatEthersSigner; ti: number } {
  if (a.funded) {
    const rich = holders.flatMap((who) => [0, 1, 2].filter((ti) => credit(who, ti) > 0n).map((ti) => ({ who, ti })));
    if (rich.length > 0) return rich[num(a, "who") % rich.length];
  }
  return { who: holders[num(a, "who") % holders.length], ti: num(a, "tok") };
}

const label = (kind: string, a: Args, extra = "") => `${kind}(${JSON.stringify(a)})${extra}`;

async function arbiterAddress(w: World) {
  return w.arbiter.getAddress();
}

// ------------------------------------------------------------------ settlement callbacks

/** For a dependent posted from a settlement callback: the chain says whether gas allowed it. */
function observedTryPost(m: Model, w: World, arbiter: string) {
  return async (wf: MWorkflow, child: number) => {
    const s = await w.orchestrator.getStep(wf.id, child);
    if (Number(s.status) === StepStatus.Posted) m.postStep(wf, child, arbiter, s.jobId);
    else if (Number(s.status) === StepStatus.Ready) wf.steps[child].status = StepStatus.Ready;
    else throw new Error(`step ${child} of workflow ${wf.id} neither posted nor ready`);
  };
}

/** Inside a transaction with ample gas, a step is always posted. */
function predictedTryPost(m: Model, arbiter: string) {
  return async (wf: MWorkflow, child: number) => m.postStep(wf, child, arbiter);
}

/** Applies the orchestrator's `onJobSettled` after the market settled `job`. */
async function afterSettlement(m: Model, w: World, job: MJob, receipt: ContractTransactionReceipt) {
  const outcome = callbackOutcome(m, receipt, job.id);
  if (!job.terms.callback) {
    expect(outcome, "callback without request").to.equal(undefined);
    return;
  }
  expect(outcome, `callback of job ${job.id}`).to.not.equal(undefined);
  // The orchestrator's callback must never fail, however many dependents it has to post.
  expect(outcome, `settlement callback of job ${job.id} succeeded`).to.equal(true);
  const s = m.stepOfJob(job);
  if (!s || s.step.status !== StepStatus.Posted || s.step.jobId !== job.id) return;
  await m.recordSettlement(s.wf, s.index, job.price, observedTryPost(m, w, await arbiterAddress(w)));
}

// ------------------------------------------------------------------ market commands

const run: Record<string, Runner> = {
  async post(m, w, a) {
    const who = requesters(w)[num(a, "req")];
    const ti = num(a, "tok");
    const t = m.tick();
    const cw = [600, 3600][num(a, "cw")];
    const rw = [600, 3600][num(a, "rw")];
    const ew = [3600, 7200][num(a, "ew")];
    const chw = [3600, DAY][num(a, "ch")];
    const terms = m.makeTerms(who.address, ti, {
      maxReward: UNITS[ti] * BigInt(num(a, "reward")),
      bond: QUARTER_ETH * BigInt(num(a, "bond")),
      minStake: a.minStake ? ethers.parseEther("12") : 0n,
      minCompleted: num(a, "minCompleted"),
      commitWindow: cw,
      revealWindow: rw,
      executionWindow: ew,
      challengeWindow: chw,
      expiry: t + cw + rw + ew + [0, 3600, DAY, 3 * DAY][num(a, "extra")],
      pricing: a.second ? 1 : 0,
      callback: false,
    });
    terms.arbiter = await arbiterAddress(w);
    const sent = { ...terms };
    let expected: Expect;
    // A stale copy of one of the market parameters the terms must carry.
    const bad = num(a, "badParam");
    if (bad === 1) {
      sent.feeBps = terms.feeBps + 1;
      expected = { name: "JobMarketParamMismatch", args: ["feeBps", sent.feeBps, terms.feeBps] };
    } else if (bad === 2) {
      sent.disputeBond = terms.disputeBond + 1n;
      expected = { name: "JobMarketParamMismatch", args: ["disputeBond", sent.disputeBond, terms.disputeBond] };
    } else if (bad === 3) {
      sent.rulingTimeout = terms.rulingTimeout + 60;
      expected = { name: "JobMarketParamMismatch", args: ["rulingTimeout", sent.rulingTimeout, terms.rulingTimeout] };
    }
    const value = ti === 0 ? terms.maxReward : 0n;
    const receipt = await exec(
      m,
      label("post", a),
      (o) => w.market.connect(who).postJob(packTerms(sent), SPEC_HASH, SPEC, o),
      expected,
      value,
    );
    if (receipt) m.posted(terms, ti);
  },

  async commit(m, w, a) {
    const job = pickJob(m, a, (j, t) => m.stateOf(j, t) === JobState.Open);
    const bidder = bidders(w)[num(a, "worker")];
    const round = job.round;
    const price = (UNITS[job.tokenIndex] * BigInt(num(a, "k"))) / 4n;
    const salt = ethers.id(`salt:${job.id}:${round}:${bidder.address}`);
    const key = `${round}:${bidder.address}`;
    const wk = m.worker(bidder.address);
    const free = wk.stake - wk.locked;
    const expected: Expect =
      m.expectBeforeResult(job, OPEN) ??
      (job.commits.has(key) ? { name: "JobMarketAlreadyCommitted", args: [job.id, bidder.address] } : undefined) ??
      (!wk.registered ? { name: "WorkerRegistryNotRegistered", args: [bidder.address] } : undefined) ??
      (wk.stake < job.terms.minStake
        ? { name: "JobMarketStakeTooLow", args: [wk.stake, job.terms.minStake] }
        : undefined) ??
      (wk.completed < job.terms.minCompleted
        ? { name: "JobMarketReputationTooLow", args: [wk.completed, job.terms.minCompleted] }
        : undefined) ??
      (free < job.terms.bond ? { name: "JobMarketInsufficientFreeStake", args: [free, job.terms.bond] } : undefined);
    const commitment = commitmentOf(w, job.id, round, bidder.address, price, salt);
    const receipt = await exec(
      m,
      label("commit", a, ` job ${job.id}`),
      (o) => w.market.connect(bidder).commitBid(job.id, packTerms(job.terms), commitment, o),
      expected,
    );
    if (!receipt) return;
    wk.locked += job.terms.bond;
    job.commits.set(key, { round, bidder: bidder.address, price, salt });
    job.commitCount = Math.min(job.commitCount + 1, 63);
  },

  async reveal(m, w, a) {
    const all = outstandingCommits(m).filter(({ job }) => targets(m, a).includes(job));
    const { job, c } = choose(
      m,
      a,
      "bid",
      (t) => all.filter(({ job, c }) => m.stateOf(job, t) === JobState.Revealing && c.round === job.round),
      all,
    );
    const salt = a.bad ? ethers.id("not the salt") : c.salt;
    const stored = job.commits.get(`${job.round}:${c.bidder}`);
    const expected: Expect =
      m.expectBeforeResult(job, REVEALING) ??
      (!stored ? { name: "JobMarketNoCommitment", args: [job.id, c.bidder] } : undefined) ??
      (stored!.price !== c.price || stored!.salt !== salt
        ? { name: "JobMarketCommitmentMismatch", args: [job.id, c.bidder] }
        : undefined) ??
      (c.price === 0n || c.price > job.terms.maxReward
        ? { name: "JobMarketInvalidPrice", args: [job.id, c.price, job.terms.maxReward] }
        : undefined);
    const receipt = await exec(
      m,
      label("reveal", a, ` job ${job.id} bidder ${c.bidder}`),
      (o) => w.market.connect(signerOf(w, c.bidder)).revealBid(job.id, packTerms(job.terms), c.price, salt, o),
      expected,
    );
    if (!receipt) return;
    job.commits.delete(`${job.round}:${c.bidder}`);
    const second = job.terms.pricing === 1;
    const leading = job.winner === ethers.ZeroAddress || c.price < job.price;
    if (leading) {
      if (job.winner !== ethers.ZeroAddress) {
        m.worker(job.winner).locked -= job.terms.bond;
        if (second) job.secondPrice = job.price;
      }
      job.winner = c.bidder;
      job.price = c.price;
    } else {
      m.worker(c.bidder).locked -= job.terms.bond;
      if (second && (job.secondPrice === 0n || c.price < job.secondPrice)) job.secondPrice = c.price;
    }
  },

  async forfeit(m, w, a) {
    const open = (job: MJob, c: Commit, t: number) =>
      c.round === job.round && job.status === Status.Auction && t < job.revealDeadline;
    const all = outstandingCommits(m).filter(({ job }) => targets(m, a).includes(job));
    const { job, c } = choose(m, a, "bid", (t) => all.filter(({ job, c }) => !open(job, c, t)), all);
    const t = m.now;
    const requester = signerOr(w, job.terms.requester, w.other);
    const caller = [w.other, signerOf(w, c.bidder), requester][num(a, "caller")];
    const expected: Expect = open(job, c, t)
      ? { name: "JobMarketRevealStillOpen", args: [job.id, job.revealDeadline] }
      : undefined;
    const receipt = await exec(
      m,
      label("forfeit", a, ` job ${job.id} round ${c.round} bidder ${c.bidder}`),
      (o) =>
        w.market.connect(caller).forfeitUnrevealed(job.id, packTerms(job.terms), job.resultHash, c.round, c.bidder, o),
      expected,
    );
    if (receipt) m.forfeit(job, c, caller.address);
  },

  async finalize(m, w, a) {
    const job = pickJob(m, a, (j, t) => m.stateOf(j, t) === JobState.Awarding);
    const receipt = await exec(
      m,
      label("finalize", a, ` job ${job.id}`),
      (o) => w.market.connect(w.other).finalizeAuction(job.id, packTerms(job.terms), o),
      m.expectBeforeResult(job, AWARDING),
    );
    if (receipt) m.assign(job);
  },

  async submit(m, w, a) {
    const job = pickJob(m, a, (j, t) => [JobState.Assigned, JobState.Awarding].includes(m.stateOf(j, t)));
    const t = m.now;
    const state = m.stateOf(job, t);
    const winner = job.winner === ethers.ZeroAddress ? undefined : signerOf(w, job.winner);
    const caller = a.byWinner && winner ? winner : w.other;
    const execDeadline = job.revealDeadline + job.terms.executionWindow;
    const expected: Expect =
      m.expectBeforeResult(job, ASSIGNED_OR_AWARDING) ??
      (caller.address !== job.winner ? { name: "JobMarketNotWinner", args: [job.id, caller.address] } : undefined) ??
      (state === JobState.Awarding && t >= execDeadline
        ? { name: "JobMarketUnexpectedState", args: [job.id, JobState.Overdue, ASSIGNED_OR_AWARDING] }
        : undefined);
    const result = ethers.toUtf8Bytes(`{"job":${job.id},"round":${job.round}}`);
    const receipt = await exec(
      m,
      label("submit", a, ` job ${job.id}`),
      (o) => w.market.connect(caller).submitResult(job.id, packTerms(job.terms), ethers.keccak256(result), result, o),
      expected,
    );
    if (!receipt) return;
    if (state === JobState.Awarding) m.assign(job);
    job.resultHash = ethers.keccak256(result);
    job.status = Status.Submitted;
    job.deadline = t + job.terms.challengeWindow;
  },

  async abandon(m, w, a) {
    const job = pickJob(m, a, (j, t) => [JobState.Assigned, JobState.Awarding].includes(m.stateOf(j, t)));
    const winner = job.winner === ethers.ZeroAddress ? undefined : signerOf(w, job.winner);
    const caller = a.byWinner && winner ? winner : w.other;
    const expected: Expect =
      m.expectBeforeResult(job, ASSIGNED_OR_AWARDING) ??
      (caller.address !== job.winner ? { name: "JobMarketNotWinner", args: [job.id, caller.address] } : undefined);
    const receipt = await exec(
      m,
      label("abandon", a, ` job ${job.id}`),
      (o) => w.market.connect(caller).abandon(job.id, packTerms(job.terms), o),
      expected,
    );
    if (receipt) m.abandon(job);
  },

  async setParams(m, w, a) {
    m.tick();
    const next = { ...PARAM_SETS[num(a, "set")], treasury: w.treasury.address };
    const receipt = await exec(
      m,
      label("setParams", a),
      (o) => w.market.connect(w.owner).setParams({ ...next, callbackGasLimit: CALLBACK_GAS }, o),
      undefined,
    );
    if (receipt) m.params = next;
  },

  async accept(m, w, a) {
    const job = pickJob(m, a, (j, t) => [JobState.Submitted, JobState.Settleable].includes(m.stateOf(j, t)));
    const caller = a.byRequester ? signerOr(w, job.terms.requester, w.other) : w.other;
    const expected: Expect =
      m.expectState(job, SUBMITTED_OR_SETTLEABLE) ??
      (caller.address !== job.terms.requester
        ? { name: "JobMarketNotRequester", args: [job.id, caller.address] }
        : undefined);
    const receipt = await exec(
      m,
      label("accept", a, ` job ${job.id}`),
      (o) => w.market.connect(caller).accept(job.id, packTerms(job.terms), job.resultHash, o),
      expected,
    );
    if (!receipt) return;
    m.settleJob(job);
    await afterSettlement(m, w, job, receipt);
  },

  async dispute(m, w, a) {
    const job = pickJob(m, a, (j, t) => m.stateOf(j, t) === JobState.Submitted);
    const t = m.now;
    const disputer = [w.other, signerOr(w, job.terms.requester, w.other), w.worker2][num(a, "who")];
    const bond = job.terms.disputeBond;
    const value = a.badValue ? bond - 1n : bond;
    const expected: Expect =
      m.expectState(job, SUBMITTED) ??
      (value !== bond ? { name: "JobMarketWrongValue", args: [bond, value] } : undefined);
    const receipt = await exec(
      m,
      label("dispute", a, ` job ${job.id}`),
      (o) => w.market.connect(disputer).dispute(job.id, packTerms(job.terms), job.resultHash, o),
      expected,
      value,
    );
    if (!receipt) return;
    job.dispute = { disputer: disputer.address, bond };
    job.status = Status.Disputed;
    job.deadline = t + job.terms.rulingTimeout;
    job.disputeSeq += 1;
    job.tally = { openedAt: t, forWorker: 0, against: 0, resolved: false, voted: new Set() };
  },

  async vote(m, w, a) {
    const job = pickJob(m, a, (j, t) => !!j.tally && !j.tally.resolved && t < j.tally.openedAt + VOTING_PERIOD);
    const t = m.now;
    const member = w.members[num(a, "member")];
    const tl = job.tally;
    const expected: Expect =
      !tl || tl.resolved
        ? { name: "CommitteeArbiterNoDispute", args: [job.id] }
        : t >= tl.openedAt + VOTING_PERIOD
          ? { name: "CommitteeArbiterVotingClosed", args: [job.id, tl.openedAt + VOTING_PERIOD] }
          : tl.voted.has(member.address)
            ? { name: "CommitteeArbiterAlreadyVoted", args: [job.id, member.address] }
            : undefined;
    const receipt = await exec(
      m,
      label("vote", a, ` job ${job.id}`),
      (o) => w.arbiter.connect(member).vote(job.id, !!a.forWorker, o),
      expected,
    );
    if (!receipt) return;
    tl!.voted.add(member.address);
    if (a.forWorker) tl!.forWorker += 1;
    else tl!.against += 1;
  },

  async resolve(m, w, a) {
    const decided = (tl: MJob["tally"], t: number) =>
      !!tl && !tl.resolved && (tl.against >= MAJORITY || tl.forWorker >= MAJORITY || t >= tl.openedAt + VOTING_PERIOD);
    const job = pickJob(
      m,
      a,
      (j, t) => decided(j.tally, t) && [JobState.Disputed, JobState.RulingOverdue].includes(m.stateOf(j, t)),
    );
    const t = m.now;
    const tl = job.tally;
    let expected: Expect;
    let workerWins = true;
    if (!tl || tl.resolved) {
      expected = { name: "CommitteeArbiterNoDispute", args: [job.id] };
    } else if (tl.against >= MAJORITY) {
      workerWins = false;
    } else if (tl.forWorker < MAJORITY && t < tl.openedAt + VOTING_PERIOD) {
      expected = { name: "CommitteeArbiterVotingOpen", args: [job.id, tl.openedAt + VOTING_PERIOD] };
    }
    expected = expected ?? m.expectState(job, DISPUTED_OR_OVERDUE);
    const receipt = await exec(
      m,
      label("resolve", a, ` job ${job.id}`),
      (o) => w.arbiter.connect(w.other).resolve(job.id, packTerms(job.terms), job.resultHash, o),
      expected,
    );
    if (!receipt) return;
    tl!.resolved = true;
    m.resolveDispute(job, workerWins);
    if (job.status === Status.Settled) await afterSettlement(m, w, job, receipt);
  },

  async ruleByStranger(m, w, a) {
    const job = pickJob(m, a, () => true);
    await exec(
      m,
      label("ruleByStranger", a, ` job ${job.id}`),
      (o) => w.market.connect(w.other).rule(job.id, packTerms(job.terms), job.resultHash, true, o),
      { name: "JobMarketNotArbiter", args: [job.id, w.other.address] },
    );
  },

  async stale(m, w, a) {
    const job = pickJob(m, a, (j, t) => m.stateOf(j, t) === JobState.RulingOverdue);
    const receipt = await exec(
      m,
      label("stale", a, ` job ${job.id}`),
      (o) => w.market.connect(w.other).resolveStaleDispute(job.id, packTerms(job.terms), job.resultHash, o),
      m.expectState(job, RULING_OVERDUE),
    );
    if (!receipt) return;
    m.resolveDispute(job, true);
    await afterSettlement(m, w, job, receipt);
  },

  async settle(m, w, a) {
    const job = pickJob(m, a, (j, t) => m.stateOf(j, t) === JobState.Settleable);
    const receipt = await exec(
      m,
      label("settle", a, ` job ${job.id}`),
      (o) => w.market.connect(w.other).settle(job.id, packTerms(job.terms), job.resultHash, o),
      m.expectState(job, SETTLEABLE),
    );
    if (!receipt) return;
    m.settleJob(job);
    await afterSettlement(m, w, job, receipt);
  },

  async slash(m, w, a) {
    const job = pickJob(m, a, (j, t) => m.stateOf(j, t) === JobState.Overdue);
    const winner = job.winner === ethers.ZeroAddress ? w.other : signerOf(w, job.winner);
    const caller = [w.other, winner, signerOr(w, job.terms.requester, w.other)][num(a, "caller")];
    const receipt = await exec(
      m,
      label("slash", a, ` job ${job.id}`),
      (o) => w.market.connect(caller).slashNoShow(job.id, packTerms(job.terms), o),
      m.expectBeforeResult(job, OVERDUE),
    );
    if (!receipt) return;
    m.slash(job, SlashReason.NoShow, caller.address);
    m.reopenOrRefund(job);
  },

  async cancel(m, w, a) {
    const job = pickJob(m, a, (j, t) => m.stateOf(j, t) === JobState.Open && j.commitCount === 0);
    const caller = a.byRequester ? signerOr(w, job.terms.requester, w.other) : w.other;
    const expected: Expect =
      m.expectBeforeResult(job, OPEN) ??
      (caller.address !== job.terms.requester
        ? { name: "JobMarketNotRequester", args: [job.id, caller.address] }
        : undefined) ??
      (job.commitCount !== 0 ? { name: "JobMarketHasBids", args: [job.id] } : undefined);
    const receipt = await exec(
      m,
      label("cancel", a, ` job ${job.id}`),
      (o) => w.market.connect(caller).cancel(job.id, packTerms(job.terms), o),
      expected,
    );
    if (!receipt) return;
    job.status = Status.Cancelled;
    m.addCredit(job.terms.requester, job.tokenIndex, job.terms.maxReward);
  },

  async reclaim(m, w, a) {
    const job = pickJob(m, a, (j, t) => m.stateOf(j, t) === JobState.Unfilled);
    const t = m.now;
    const caller = a.byRequester ? signerOr(w, job.terms.requester, w.other) : w.other;
    const expected: Expect =
      m.expectBeforeResult(job, UNFILLED) ??
      (caller.address !== job.terms.requester && t < job.terms.expiry
        ? { name: "JobMarketNotRequester", args: [job.id, caller.address] }
        : undefined);
    const receipt = await exec(
      m,
      label("reclaim", a, ` job ${job.id}`),
      (o) => w.market.connect(caller).reclaim(job.id, packTerms(job.terms), o),
      expected,
    );
    if (receipt) m.refund(job);
  },

  async repost(m, w, a) {
    const job = pickJob(m, a, (j, t) => m.stateOf(j, t) === JobState.Unfilled);
    const t = m.now;
    const caller = signerOr(w, job.terms.requester, w.other);
    const expected: Expect =
      m.expectBeforeResult(job, UNFILLED) ??
      (caller.address !== job.terms.requester
        ? { name: "JobMarketNotRequester", args: [job.id, caller.address] }
        : undefined) ??
      (!m.roundFits(job, t) ? { name: "JobMarketNoTimeLeft", args: [job.id, job.terms.expiry] } : undefined);
    const receipt = await exec(
      m,
      label("repost", a, ` job ${job.id}`),
      (o) => w.market.connect(caller).repost(job.id, packTerms(job.terms), o),
      expected,
    );
    if (receipt) m.startRound(job, t);
  },

  async withdraw(m, w, a) {
    m.tick();
    const { who, ti } = pickHolder(withdrawers(w), (x, t) => m.credit(x.address, t), a);
    const token = w.tokenAddresses[ti];
    const amount = m.credit(who.address, ti);
    const expected: Expect =
      amount === 0n ? { name: "JobMarketNothingToWithdraw", args: [who.address, token] } : undefined;
    const receipt = await exec(m, label("withdraw", a), (o) => w.market.connect(who).withdraw(token, o), expected);
    if (receipt) m.credits.get(who.address)![ti] = 0n;
  },

  async withdrawFees(m, w, a) {
    m.tick();
    const ti = num(a, "tok");
    const token = w.tokenAddresses[ti];
    const amount = m.credit(w.marketAddress, ti);
    const expected: Expect =
      amount === 0n ? { name: "JobMarketNothingToWithdraw", args: [w.marketAddress, token] } : undefined;
    const caller = withdrawers(w)[num(a, "who")];
    const receipt = await exec(
      m,
      label("withdrawFees", a),
      (o) => w.market.connect(caller).withdrawFees(token, o),
      expected,
    );
    if (!receipt) return;
    // Paid out to the treasury, not credited to it.
    m.credits.get(w.marketAddress)![ti] = 0n;
  },

  async withdrawTo(m, w, a) {
    m.tick();
    const { who, ti } = pickHolder(withdrawers(w), (x, t) => m.credit(x.address, t), a);
    const token = w.tokenAddresses[ti];
    const to = [w.other.address, w.orchestratorAddress, ethers.ZeroAddress][num(a, "to")];
    const amount = m.credit(who.address, ti);
    const expected: Expect =
      to === ethers.ZeroAddress
        ? { name: "JobMarketZeroAddress", args: [] }
        : amount === 0n
          ? { name: "JobMarketNothingToWithdraw", args: [who.address, token] }
          : undefined;
    const receipt = await exec(
      m,
      label("withdrawTo", a),
      (o) => w.market.connect(who).withdrawTo(token, to, o),
      expected,
    );
    if (!receipt) return;
    m.credits.get(who.address)![ti] = 0n;
    if (to === w.orchestratorAddress) m.held[ti] += amount;
  },

  async deposit(m, w, a) {
    m.tick();
    const who = bidders(w)[num(a, "worker")];
    const amount = ethers.parseEther(String(num(a, "amount")));
    const wk = m.worker(who.address);
    const expected: Expect = !wk.registered
      ? { name: "WorkerRegistryNotRegistered", args: [who.address] }
      : amount === 0n
        ? { name: "WorkerRegistryZeroAmount", args: [] }
        : undefined;
    const receipt = await exec(m, label("deposit", a), (o) => w.market.connect(who).depositStake(o), expected, amount);
    if (receipt) wk.stake += amount;
  },

  async unbond(m, w, a) {
    const t = m.tick();
    const who = bidders(w)[num(a, "worker")];
    const amount = ethers.parseEther("0.5") * BigInt(num(a, "amount"));
    const wk = m.worker(who.address);
    const free = wk.stake - wk.locked;
    const expected: Expect =
      amount === 0n
        ? { name: "WorkerRegistryZeroAmount", args: [] }
        : amount > free
          ? { name: "WorkerRegistryInsufficientFreeStake", args: [amount, free] }
          : undefined;
    const receipt = await exec(m, label("unbond", a), (o) => w.market.connect(who).requestUnbond(amount, o), expected);
    if (!receipt) return;
    wk.stake -= amount;
    wk.unbonding += amount;
    wk.readyAt = t + m.params.unbondingDelay;
  },

  async withdrawUnbonded(m, w, a) {
    const t = m.tick();
    const who = bidders(w)[num(a, "worker")];
    const wk = m.worker(who.address);
    const expected: Expect =
      wk.unbonding === 0n || t < wk.readyAt
        ? { name: "WorkerRegistryUnbondingNotReady", args: [wk.readyAt, t] }
        : undefined;
    const receipt = await exec(
      m,
      label("withdrawUnbonded", a),
      (o) => w.market.connect(who).withdrawUnbonded(o),
      expected,
    );
    if (!receipt) return;
    wk.unbonding = 0n;
    wk.readyAt = 0;
  },

  async wait(m, _w, a) {
    m.tick(num(a, "seconds"));
    m.log.push(label("wait", a));
  },

  /** Moves time to one of the next deadlines of the live jobs (commit, reveal, execution,
   * challenge or ruling deadline, voting end, expiry) or of unbonding stake, so that the next
   * transaction lands just before, at or just after it. */
  async waitFor(m, _w, a) {
    const next = futureMarks(m);
    if (next.length === 0) return;
    const target = next[Math.min(num(a, "skip"), next.length - 1)] + num(a, "offset");
    if (target - 1 > m.now) m.now = target - 1;
    m.log.push(label("waitFor", a, ` next block at ${m.now + 1}`));
  },

  /** Takes the next natural step of one live job, through the command for that step. */
  async progress(m, w, a) {
    const live = m.jobList().filter((j) => m.isLive(j));
    const job = live[num(a, "job") % live.length];
    const choice = num(a, "choice");
    const state = m.stateOf(job, m.now + 1);
    const target = Number(job.id);
    const go = (kind: string, args: Args) => run[kind](m, w, { ...args, target, ripen: true });
    const mine = [...job.commits.values()].filter((c) => c.round === job.round);
    const stepOf = m.stepOfJob(job);
    switch (state) {
      case JobState.Open: {
        const fresh = [0, 1, 2].filter((k) => !job.commits.has(`${job.round}:${bidders(w)[k].address}`));
        if ((choice === 5 || fresh.length === 0) && mine.length > 0) return go("reveal", { bid: choice, bad: false });
        const cap = Number((4n * job.terms.maxReward) / UNITS[job.tokenIndex]);
        return go("commit", {
          job: 0,
          worker: fresh.length > 0 ? fresh[choice % fresh.length] : choice % 3,
          k: 1 + ((choice * 5 + Number(job.id)) % cap),
        });
      }
      case JobState.Revealing:
        if (mine.length > 0) return go("reveal", { bid: choice, bad: false });
        if (job.winner !== ethers.ZeroAddress) return go("finalize", { job: 0 });
        return go("reclaim", { job: 0, byRequester: true });
      case JobState.Awarding:
        if (choice === 5) return go("abandon", { job: 0, byWinner: true });
        return choice < 2 ? go("finalize", { job: 0 }) : go("submit", { job: 0, byWinner: true });
      case JobState.Assigned:
        if (choice === 4) return go("abandon", { job: 0, byWinner: true });
        return choice < 4 ? go("submit", { job: 0, byWinner: true }) : go("slash", { job: 0, caller: 0 });
      case JobState.Overdue:
        return go("slash", { job: 0, caller: choice % 3 });
      case JobState.Submitted:
        if (choice === 0 && !stepOf) return go("accept", { job: 0, byRequester: true });
        if (choice < 3) return go("dispute", { job: 0, who: choice % 3, badValue: false });
        return go("settle", { job: 0 });
      case JobState.Settleable:
        return go("settle", { job: 0 });
      case JobState.Disputed:
      case JobState.RulingOverdue: {
        const tl = job.tally!;
        const voter = w.members.findIndex((x) => !tl.voted.has(x.address));
        const open = m.now + 1 < tl.openedAt + VOTING_PERIOD;
        if (!tl.resolved && open && voter >= 0 && choice < 4) {
          return go("vote", { job: 0, member: voter, forWorker: choice % 2 === 0 });
        }
        if (!tl.resolved && choice !== 5) return go("resolve", { job: 0 });
        return go("stale", { job: 0 });
      }
      case JobState.Unfilled:
        if (stepOf) return go("wfAdvance", { pick: 0 });
        return choice % 2 === 0 ? go("repost", { job: 0 }) : go("reclaim", { job: 0, byRequester: true });
    }
  },

  // ---------------------------------------------------------------- workflow commands

  async wfCreate(m, w, a) {
    m.tick();
    const who = [w.requester, w.requester2][num(a, "req")];
    const ti = num(a, "tok");
    const shape = SHAPES[num(a, "shape")];
    const seed = num(a, "seed");
    const arbiter = await arbiterAddress(w);
    const cw = [600, 3600][num(a, "slow")];
    const steps = shape.map((_, i) => ({
      spec: ethers.toUtf8Bytes(`{"kind":"wasm","step":"s${i}"}`),
      maxReward: UNITS[ti] * BigInt(1 + ((seed + 7 * i) % 3)),
      arbiter,
      bond: QUARTER_ETH * BigInt(1 + ((seed + i) % 4)),
      minStake: 0n,
      minCompleted: 0,
      commitWindow: cw,
      revealWindow: cw,
      executionWindow: 3600,
      challengeWindow: 3600,
      expiryWindow: 2 * cw + 3600 + [0, 7200, DAY][num(a, "exp")],
      pricing: (seed + i) % 2,
    }));
    const required = steps.reduce((s, x) => s + x.maxReward, 0n);
    const budget = a.short ? required - 1n : required + UNITS[ti] * BigInt(num(a, "extra"));
    const retries = num(a, "retries");
    const expected: Expect = a.short ? { name: "WorkflowBudgetTooLow", args: [budget, required] } : undefined;
    const receipt = await exec(
      m,
      label("wfCreate", a),
      (o) => w.orchestrator.connect(who).createWorkflow(steps, shape, w.tokenAddresses[ti], budget, retries, o),
      expected,
      ti === 0 ? budget : 0n,
    );
    if (!receipt) return;
    const wf: MWorkflow = {
      id: BigInt(m.workflows.length + 1),
      requester: who.address,
      tokenIndex: ti,
      status: WorkflowStatus.Active,
      steps: steps.map((input, i): MStep => ({
        input,
        dependencies: shape[i],
        dependents: shape.flatMap((deps, j) => (deps.includes(i) ? [j] : [])),
        pending: shape[i].length,
        status: StepStatus.Waiting,
        attempts: 0,
        jobId: 0n,
        expiry: 0,
      })),
      settledCount: 0,
      maxRetries: retries,
      balance: budget,
      budget,
    };
    m.workflows.push(wf);
    m.held[ti] += budget;
    m.owed[ti] += budget;
    for (const [i, s] of wf.steps.entries()) if (s.dependencies.length === 0) m.postStep(wf, i, arbiter);
  },

  async wfAdvance(m, w, a) {
    const t = m.tick();
    const arbiter = await arbiterAddress(w);
    const pairs: { wf: MWorkflow; index: number }[] = [];
    for (const wf of m.workflows) for (let i = 0; i <= wf.steps.length; i++) pairs.push({ wf, index: i });
    const advanceable = ({ wf, index }: { wf: MWorkflow; index: number }) => {
      const s = wf.steps[index];
      if (!s) return false;
      if (s.status === StepStatus.Ready) return true;
      if (s.status !== StepStatus.Posted) return false;
      const st = m.stateOf(m.jobs.get(s.jobId)!, t);
      return [JobState.Settled, JobState.Unfilled, JobState.Refunded, JobState.Cancelled].includes(st);
    };
    const good = pairs.filter(
      (p) => advanceable(p) && (a.target === undefined || p.wf.steps[p.index].jobId === BigInt(a.target)),
    );
    const list = good.length > 0 ? good : pairs;
    const { wf, index } = list[num(a, "pick") % list.length];
    const s = wf.steps[index];
    const tag = label("wfAdvance", a, ` workflow ${wf.id} step ${index}`);
    let expected: Expect;
    const send = () => exec(m, tag, (o) => w.orchestrator.connect(w.other).advance(wf.id, index, o), expected);
    if (!s) {
      expected = { name: "WorkflowUnknownStep", args: [wf.id, index] };
      await send();
      return;
    }
    const post = predictedTryPost(m, arbiter);
    if (s.status === StepStatus.Posted) {
      const job = m.jobs.get(s.jobId)!;
      const st = m.stateOf(job, t);
      if (![JobState.Settled, JobState.Unfilled, JobState.Refunded, JobState.Cancelled].includes(st)) {
        expected = { name: "WorkflowStepInProgress", args: [wf.id, index, st] };
      }
      if (!(await send())) return;
      if (st === JobState.Settled) {
        await m.recordSettlement(wf, index, job.price, post);
      } else {
        if (st === JobState.Unfilled) m.refund(job);
        await m.recordFailure(wf, index, post);
      }
      return;
    }
    if (s.status === StepStatus.Ready) {
      if (wf.status !== WorkflowStatus.Active) expected = { name: "WorkflowNotActive", args: [wf.id, wf.status] };
      if (await send()) m.postStep(wf, index, arbiter);
      return;
    }
    const ready =
      s.status === StepStatus.Settled && wf.status === WorkflowStatus.Active
        ? s.dependents.filter((c) => wf.steps[c].status === StepStatus.Ready)
        : [];
    if (ready.length === 0) expected = { name: "WorkflowNothingToAdvance", args: [wf.id, index] };
    if (await send()) for (const c of ready) m.postStep(wf, c, arbiter);
  },

  async wfCancel(m, w, a) {
    m.tick();
    const active = m.workflows.filter((x) => x.status === WorkflowStatus.Active);
    const list = active.length > 0 ? active : m.workflows;
    const wf = list[num(a, "wf") % list.length];
    const caller = a.byRequester ? signerOf(w, wf.requester) : w.other;
    const expected: Expect =
      wf.status !== WorkflowStatus.Active
        ? { name: "WorkflowNotActive", args: [wf.id, wf.status] }
        : caller.address !== wf.requester
          ? { name: "WorkflowNotRequester", args: [wf.id, caller.address] }
          : undefined;
    const receipt = await exec(
      m,
      label("wfCancel", a, ` workflow ${wf.id}`),
      (o) => w.orchestrator.connect(caller).cancel(wf.id, o),
      expected,
    );
    if (receipt) m.endWorkflow(wf, WorkflowStatus.Cancelled);
  },

  async wfSweep(m, w, a) {
    m.tick();
    const ti = num(a, "tok");
    const token = w.tokenAddresses[ti];
    const amount = m.surplus(ti);
    const expected: Expect = amount === 0n ? { name: "WorkflowNoSurplus", args: [token] } : undefined;
    const receipt = await exec(
      m,
      label("wfSweep", a),
      (o) => w.orchestrator.connect(w.other).sweepSurplus(token, o),
      expected,
    );
    if (!receipt) return;
    if (m.ensureHeld(ti, amount)) throw new Error("model: sweep cannot be funded");
    m.held[ti] -= amount;
  },

  async wfWithdraw(m, w, a) {
    m.tick();
    const { who, ti } = pickHolder([w.requester, w.requester2, w.other], (x, t) => m.orchCredit(x.address, t), a);
    const token = w.tokenAddresses[ti];
    const amount = m.orchCredit(who.address, ti);
    // 0: withdraw; 1: withdrawTo another address; 2: withdrawTo the zero address.
    const to = [who.address, w.other.address, ethers.ZeroAddress][num(a, "to")];
    const expected: Expect =
      to === ethers.ZeroAddress
        ? { name: "WorkflowZeroAddress", args: [] }
        : amount === 0n
          ? { name: "WorkflowNothingToWithdraw", args: [who.address, token] }
          : undefined;
    const receipt = await exec(
      m,
      label("wfWithdraw", a),
      (o) =>
        num(a, "to") === 0
          ? w.orchestrator.connect(who).withdraw(token, o)
          : w.orchestrator.connect(who).withdrawTo(token, to, o),
      expected,
    );
    if (!receipt) return;
    m.orchCredits.get(who.address)![ti] = 0n;
    m.owed[ti] -= amount;
    if (m.ensureHeld(ti, amount)) throw new Error("model: withdrawal cannot be funded");
    m.held[ti] -= amount;
  },
};

/** Governance parameter sets the test switches between (the treasury stays). */
const PARAM_SETS = [
  {
    feeBps: DEFAULT_PARAMS.feeBps,
    forfeitBps: DEFAULT_PARAMS.forfeitBps,
    slashBountyBps: DEFAULT_PARAMS.slashBountyBps,
    rulingTimeout: DEFAULT_PARAMS.rulingTimeout,
    unbondingDelay: DEFAULT_PARAMS.unbondingDelay,
    disputeBond: DEFAULT_PARAMS.disputeBond,
  },
  {
    feeBps: 100,
    forfeitBps: 3_000,
    slashBountyBps: 2_500,
    rulingTimeout: 2 * DAY,
    unbondingDelay: 3 * DAY,
    disputeBond: ethers.parseEther("0.08"),
  },
];
/** The callback gas limit of the orchestrator fixture. */
const CALLBACK_GAS = 1_000_000;

/** Workflow shapes: one step, a chain, a fork, a diamond, and a wide fan-out whose settlement
 * callback cannot post every dependent. */
const SHAPES: number[][][] = [
  [[]],
  [[], [0]],
  [[], [0], [0]],
  [[], [0], [0], [1, 2]],
  [[], [0], [0], [0], [0], [0], [0], [0]],
];

// ------------------------------------------------------------------ fast-check commands

const needs: Record<string, (m: Model) => boolean> = {
  post: () => true,
  deposit: () => true,
  unbond: () => true,
  withdrawUnbonded: () => true,
  withdraw: () => true,
  withdrawTo: () => true,
  withdrawFees: () => true,
  wait: () => true,
  waitFor: () => true,
  wfCreate: () => true,
  setParams: () => true,
  wfSweep: () => true,
  wfWithdraw: () => true,
  reveal: (m) => m.jobList().some((j) => j.commits.size > 0),
  forfeit: (m) => m.jobList().some((j) => j.commits.size > 0),
  wfAdvance: (m) => m.workflows.length > 0,
  wfCancel: (m) => m.workflows.length > 0,
  progress: (m) => m.jobList().some((j) => m.isLive(j)),
};

export class Op implements fc.AsyncCommand<Model, World> {
  constructor(
    readonly kind: string,
    readonly args: Args,
  ) {}

  check(m: Readonly<Model>): boolean {
    const need = needs[this.kind];
    return need ? need(m as Model) : m.jobs.size > 0;
  }

  async run(m: Model, w: World): Promise<void> {
    await run[this.kind](m, w, this.args);
    await checkInvariants(m, w);
  }

  toString(): string {
    return `${this.kind}(${JSON.stringify(this.args)})`;
  }
}

const sel = fc.nat(1_000);
const rare = fc.constantFrom(false, false, false, false, false, false, false, true);
const mostly = fc.constantFrom(true, true, true, true, true, false);
const op = (kind: string, shape: Record<string, fc.Arbitrary<number | boolean>>, weight: number) => ({
  weight,
  arbitrary: fc.record(shape).map((a) => new Op(kind, a as Args)),
});

export const commandArb: fc.Arbitrary<fc.AsyncCommand<Model, World>> = fc.oneof(
  op(
    "post",
    {
      req: fc.nat(2),
      tok: fc.nat(2),
      reward: fc.integer({ min: 1, max: 5 }),
      bond: fc.integer({ min: 1, max: 8 }),
      second: fc.boolean(),
      cw: fc.nat(1),
      rw: fc.nat(1),
      ew: fc.nat(1),
      ch: fc.nat(1),
      extra: fc.nat(3),
      minStake: rare,
      minCompleted: fc.constantFrom(0, 0, 0, 1),
      badParam: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3),
    },
    3,
  ),
  op("progress", { job: sel, choice: fc.nat(5) }, 100),
  op("commit", { job: sel, worker: fc.constantFrom(0, 0, 1, 1, 2, 2, 3), k: fc.nat(24) }, 12),
  op("reveal", { bid: sel, bad: rare, ripen: mostly }, 10),
  op("forfeit", { bid: sel, caller: fc.nat(2), ripen: mostly }, 2),
  op("finalize", { job: sel, ripen: mostly }, 4),
  op("submit", { job: sel, byWinner: mostly, ripen: mostly }, 8),
  op("abandon", { job: sel, byWinner: mostly, ripen: mostly }, 2),
  op("setParams", { set: fc.nat(1) }, 1),
  op("accept", { job: sel, byRequester: mostly }, 3),
  op("dispute", { job: sel, who: fc.nat(2), badValue: rare }, 4),
  op("vote", { job: sel, member: fc.nat(2), forWorker: fc.boolean() }, 6),
  op("resolve", { job: sel, ripen: mostly }, 3),
  op("ruleByStranger", { job: sel }, 1),
  op("stale", { job: sel, ripen: mostly }, 2),
  op("settle", { job: sel, ripen: mostly }, 5),
  op("slash", { job: sel, caller: fc.nat(2), ripen: mostly }, 3),
  op("cancel", { job: sel, byRequester: mostly }, 2),
  op("reclaim", { job: sel, byRequester: fc.boolean(), ripen: mostly }, 3),
  op("repost", { job: sel, ripen: mostly }, 2),
  op("withdraw", { who: fc.nat(7), tok: fc.nat(2), funded: mostly }, 3),
  op("withdrawTo", { who: fc.nat(7), tok: fc.nat(2), to: fc.constantFrom(0, 0, 1, 2), funded: mostly }, 2),
  op("withdrawFees", { who: fc.nat(7), tok: fc.nat(2) }, 1),
  op("deposit", { worker: fc.nat(3), amount: fc.nat(3) }, 1),
  op("unbond", { worker: fc.nat(3), amount: fc.nat(6) }, 1),
  op("withdrawUnbonded", { worker: fc.nat(3) }, 1),
  op("wait", { seconds: fc.constantFrom(60, 600, 600, 1800, 3600, 3600, 7200, DAY, 3 * DAY, 8 * DAY) }, 3),
  op("waitFor", { skip: fc.constantFrom(0, 0, 0, 1, 2), offset: fc.constantFrom(-1, 0, 0, 0, 1) }, 14),
  op(
    "wfCreate",
    {
      req: fc.nat(1),
      tok: fc.nat(2),
      shape: fc.constantFrom(0, 1, 2, 3, 0, 1, 2, 3, 4),
      seed: fc.nat(11),
      slow: fc.nat(1),
      exp: fc.nat(2),
      retries: fc.nat(2),
      extra: fc.nat(2),
      short: rare,
    },
    3,
  ),
  op("wfAdvance", { pick: sel }, 6),
  op("wfCancel", { wf: sel, byRequester: mostly }, 1),
  op("wfSweep", { tok: fc.nat(2) }, 2),
  op("wfWithdraw", { who: fc.nat(2), tok: fc.nat(2), to: fc.constantFrom(0, 0, 1, 2), funded: mostly }, 2),
);

// ------------------------------------------------------------------ invariants

type Read = { target: string; iface: import("ethers").Interface; fn: string; args: unknown[] };

/** Reads many views in one call through Multicall3. */
async function readAll(w: World, reads: Read[]): Promise<import("ethers").Result[]> {
  const calls = reads.map((r) => ({
    target: r.target,
    allowFailure: false,
    callData: r.iface.encodeFunctionData(r.fn, r.args),
  }));
  const mc = w.multicall.interface;
  const raw = (await ethers.provider.send("eth_call", [
    { to: w.multicallAddress, data: mc.encodeFunctionData("aggregate3", [calls]) },
    "latest",
  ])) as string;
  const results = mc.decodeFunctionResult("aggregate3", raw)[0] as { returnData: string }[];
  return results.map((res, i) => reads[i].iface.decodeFunctionResult(reads[i].fn, res.returnData));
}

/**
 * Compares the chain with the model: per-token conservation of the market's holdings, every credit,
 * every worker's stake and bonds, every job's stored record, the orchestrator's holdings,
 * liabilities, workflows and steps, its solvency, and that its surplus never takes workflow money.
 */
export async function checkInvariants(m: Model, w: World) {
  const market = w.market.interface;
  const orch = w.orchestrator.interface;
  const erc20 = w.token.interface;
  const M = w.marketAddress;
  const O = w.orchestratorAddress;
  const accounts = [...new Set([...creditAccounts(w), O, ...m.credits.keys()])];
  const workers = bidders(w).map((s) => s.address);
  const jobs = m.jobList();
  // A job's record is read until it has been seen terminal once; terminal records never change.
  const watched = jobs.filter((j) => !m.settledRecords.has(j.id));
  const workflows = m.workflows.filter((wf) => !m.settledRecords.has(-wf.id));
  const reads: Read[] = [];
  const at = (r: Read) => reads.push(r) - 1;

  const creditIdx = accounts.map((acct) =>
    [0, 1, 2].map((ti) => at({ target: M, iface: market, fn: "creditOf", args: [acct, w.tokenAddresses[ti]] })),
  );
  const workerIdx = workers.map((addr) => [
    at({ target: M, iface: market, fn: "getWorker", args: [addr] }),
    at({ target: M, iface: market, fn: "getUnbonding", args: [addr] }),
  ]);
  const tokenBal = [1, 2].map((ti) => [
    at({ target: w.tokenAddresses[ti], iface: erc20, fn: "balanceOf", args: [M] }),
    at({ target: w.tokenAddresses[ti], iface: erc20, fn: "balanceOf", args: [O] }),
  ]);
  const orchIdx = [0, 1, 2].map((ti) => [
    at({ target: O, iface: orch, fn: "owed", args: [w.tokenAddresses[ti]] }),
    at({ target: O, iface: orch, fn: "surplus", args: [w.tokenAddresses[ti]] }),
  ]);
  const orchAccounts = [w.requester.address, w.requester2.address, w.other.address];
  const orchCreditIdx = orchAccounts.map((acct) =>
    [0, 1, 2].map((ti) => at({ target: O, iface: orch, fn: "creditOf", args: [acct, w.tokenAddresses[ti]] })),
  );
  const jobIdx = watched.map((j) => [
    at({ target: M, iface: market, fn: "getJob", args: [j.id] }),
    at({ target: M, iface: market, fn: "getDispute", args: [j.id] }),
  ]);
  const wfIdx = workflows.map((wf) => ({
    wf: at({ target: O, iface: orch, fn: "getWorkflow", args: [wf.id] }),
    steps: wf.steps.map((_, i) => at({ target: O, iface: orch, fn: "getStep", args: [wf.id, i] })),
  }));

  const [res, ethMarket, ethOrch] = await Promise.all([
    readAll(w, reads),
    ethers.provider.getBalance(M),
    ethers.provider.getBalance(O),
  ]);
  const marketBalance = [ethMarket, res[tokenBal[0][0]][0] as bigint, res[tokenBal[1][0]][0] as bigint];
  const orchBalance = [ethOrch, res[tokenBal[0][1]][0] as bigint, res[tokenBal[1][1]][0] as bigint];

  // Conservation per token from the model alone, then every credit.
  for (const ti of [0, 1, 2]) {
    let expected = 0n;
    for (const j of jobs) if (j.tokenIndex === ti && m.isLive(j)) expected += j.terms.maxReward;
    for (const row of m.credits.values()) expected += row[ti];
    if (ti === 0) {
      for (const wk of m.workers.values()) expected += wk.stake + wk.unbonding;
      for (const j of jobs) expected += j.dispute?.bond ?? 0n;
    }
    expect(marketBalance[ti], `conservation of token ${ti} in the market`).to.equal(expected);
  }
  accounts.forEach((acct, i) =>
    [0, 1, 2].forEach((ti) =>
      expect(res[creditIdx[i][ti]][0], `market credit of ${acct} in token ${ti}`).to.equal(m.credit(acct, ti)),
    ),
  );

  workers.forEach((addr, i) => {
    const info = res[workerIdx[i][0]][0];
    const unb = res[workerIdx[i][1]][0];
    const wk = m.worker(addr);
    const tag = `worker ${addr}`;
    expect(info.stake, `${tag} stake`).to.equal(wk.stake);
    expect(info.locked, `${tag} locked`).to.equal(wk.locked);
    expect(info.registered, `${tag} registered`).to.equal(wk.registered);
    expect(info.completed, `${tag} completed`).to.equal(wk.completed);
    expect(info.noShows, `${tag} noShows`).to.equal(wk.noShows);
    expect(info.disputesLost, `${tag} disputesLost`).to.equal(wk.disputesLost);
    expect(unb.amount, `${tag} unbonding`).to.equal(wk.unbonding);
    expect(unb.readyAt, `${tag} readyAt`).to.equal(wk.readyAt);
    expect(wk.locked <= wk.stake, `${tag} locked within stake`).to.equal(true);
  });

  watched.forEach((j, i) => {
    const job = res[jobIdx[i][0]][0];
    const d = res[jobIdx[i][1]];
    const tag = `job ${j.id}`;
    expect(job.status, `${tag} status`).to.equal(j.status);
    expect(job.round, `${tag} round`).to.equal(j.round);
    // The market forgets a job's award once the job is over (its lane serves later jobs).
    expect(job.winner, `${tag} winner`).to.equal(m.isLive(j) ? j.winner : ethers.ZeroAddress);
    expect(job.price, `${tag} price`).to.equal(m.isLive(j) ? j.price : 0n);
    expect(job.secondPrice, `${tag} second price`).to.equal(j.secondPrice);
    expect(job.commits, `${tag} commits`).to.equal(j.commitCount);
    expect(job.deadline, `${tag} deadline`).to.equal(j.deadline);
    expect(job.revealDeadline, `${tag} reveal deadline`).to.equal(j.revealDeadline);
    expect(d[1], `${tag} dispute bond`).to.equal(j.dispute?.bond ?? 0n);
    if (!m.isLive(j)) m.settledRecords.add(j.id);
  });

  // The orchestrator.
  for (const ti of [0, 1, 2]) {
    const owed = res[orchIdx[ti][0]][0] as bigint;
    const surplus = res[orchIdx[ti][1]][0] as bigint;
    const credit = m.credit(O, ti);
    // What belongs to workflows and requesters outside the market's escrow.
    let liabilities = 0n;
    for (const wf of m.workflows) if (wf.tokenIndex === ti) liabilities += wf.balance;
    for (const row of m.orchCredits.values()) liabilities += row[ti];
    expect(m.owed[ti], `model owed of token ${ti} = balances + credits + caps in flight`).to.equal(
      liabilities + m.inFlight(ti),
    );
    expect(orchBalance[ti], `orchestrator holdings of token ${ti}`).to.equal(m.held[ti]);
    expect(owed, `orchestrator owed in token ${ti}`).to.equal(m.owed[ti]);
    const unrecorded = m.unrecorded(ti);
    expect(
      orchBalance[ti] + credit + m.inMarket(ti) >= owed,
      `orchestrator solvency in token ${ti}: holdings, market credit and escrow cover owed`,
    ).to.equal(true);
    expect(
      orchBalance[ti] + credit >= liabilities + unrecorded,
      `orchestrator solvency in token ${ti}: what it holds covers balances, credits and returned caps`,
    ).to.equal(true);
    expect(
      surplus <= orchBalance[ti] + credit - liabilities - unrecorded,
      `surplus of token ${ti} (${surplus}) takes workflow money (${unrecorded} unrecorded)`,
    ).to.equal(true);
    expect(surplus, `orchestrator surplus in token ${ti}`).to.equal(m.surplus(ti));
  }
  orchAccounts.forEach((acct, i) =>
    [0, 1, 2].forEach((ti) =>
      expect(res[orchCreditIdx[i][ti]][0], `orchestrator credit of ${acct} in token ${ti}`).to.equal(
        m.orchCredit(acct, ti),
      ),
    ),
  );
  workflows.forEach((wf, i) => {
    const view = res[wfIdx[i].wf][0];
    const tag = `workflow ${wf.id}`;
    expect(view.status, `${tag} status`).to.equal(wf.status);
    expect(view.balance, `${tag} balance`).to.equal(wf.balance);
    expect(view.settledCount, `${tag} settled`).to.equal(wf.settledCount);
    wf.steps.forEach((s, k) => {
      const sv = res[wfIdx[i].steps[k]][0];
      expect(sv.status, `${tag} step ${k} status`).to.equal(s.status);
      expect(sv.attempts, `${tag} step ${k} attempts`).to.equal(s.attempts);
      expect(sv.jobId, `${tag} step ${k} job`).to.equal(s.jobId);
      expect(sv.pendingDependencies, `${tag} step ${k} pending`).to.equal(s.pending);
    });
    const open = wf.status === WorkflowStatus.Active || wf.steps.some((s) => s.status === StepStatus.Posted);
    if (!open) m.settledRecords.add(-wf.id);
  });
}
