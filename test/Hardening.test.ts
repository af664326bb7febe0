import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BOND,
  DEFAULT_PARAMS,
  ETH,
  JobState,
  Pricing,
  RESULT,
  RESULT_HASH,
  WORKER_STAKE,
  bidAndSubmit,
  commit,
  deployMarket,
  expectConservation,
  jobOf,
  postJob,
  reveal,
  runAuction,
  salt,
  type Fixture,
  type JobTerms,
  packTerms,
} from "./helpers/fixture";
import {
  CAP,
  StepStatus,
  bidAndSubmitAll,
  createWorkflow,
  deployOrchestrator,
  expectOrchestratorSolvent,
  jobOfStep,
  resultHashOfJob,
  settleWithFailedCallback,
  step,
  termsOf,
  type WorkflowFixture,
} from "./helpers/workflow";

// The findings of the security review, each with the attack that worked before its fix.

const P = (eth: string) => ethers.parseEther(eth);
const BPS = 10_000n;
const MAX_UINT32 = 2n ** 32n - 1n;

/** Wins a workflow step's job with worker1 at `price` and lets its execution deadline pass. */
async function noShow(f: WorkflowFixture, jobId: bigint, price = P("0.5")) {
  const terms = await termsOf(f, jobId);
  const job = await jobOf(f, jobId);
  const s = salt(`${jobId}:${job.round}:${f.worker1.address}`);
  await f.market
    .connect(f.worker1)
    .commitBid(
      jobId,
      packTerms(terms),
      await f.market.computeCommitment(jobId, job.round, f.worker1.address, price, s),
    );
  await time.increaseTo((await jobOf(f, jobId)).deadline);
  await f.market.connect(f.worker1).revealBid(jobId, packTerms(terms), price, s);
  await time.increaseTo((await jobOf(f, jobId)).revealDeadline);
  await f.market.finalizeAuction(jobId, packTerms(terms));
  await time.increaseTo((await jobOf(f, jobId)).deadline);
  return terms;
}

async function solvent(f: WorkflowFixture, extra: string[] = []) {
  await expectOrchestratorSolvent(f, ETH, [f.requester.address, ...extra]);
}

describe("Hardening", function () {
  describe("orchestrator solvency: surplus never includes workflow money", function () {
    it("slashNoShow and sweepSurplus in one transaction take nothing, and every workflow can still withdraw", async function () {
      const f = await loadFixture(deployOrchestrator);
      // Two workflows; the first's only step is won by a no-show whose job has no time to reopen.
      const short = [await step(f, "a", { expiryWindow: 4 * 3600 })];
      const { workflowId: w1 } = await createWorkflow(f, [[]], { steps: short });
      const { workflowId: w2 } = await createWorkflow(f, [[]]);
      const a = await jobOfStep(f, w1, 0);
      const terms = await noShow(f, a);

      const attacker = await (await ethers.getContractFactory("SlashAndSweep")).deploy();
      await expect(
        attacker.run(await f.market.getAddress(), a, packTerms(terms), await f.orchestrator.getAddress()),
      ).to.be.revertedWithCustomError(f.orchestrator, "WorkflowNoSurplus");

      // Slashed on its own, the refund is still not sweepable before the workflow records it.
      await f.market.connect(f.other).slashNoShow(a, packTerms(terms));
      expect(await f.market.jobState(a)).to.equal(JobState.Refunded);
      await expect(f.orchestrator.sweepSurplus(ETH)).to.be.revertedWithCustomError(f.orchestrator, "WorkflowNoSurplus");
      await solvent(f);

      // The first workflow fails (no retries) and refunds its whole budget; the penalty, which no
      // workflow owns, becomes sweepable; the second workflow cancels and withdraws in full.
      await f.orchestrator.advance(w1, 0);
      const penalty = BOND - (BOND * BigInt(DEFAULT_PARAMS.slashBountyBps)) / BPS;
      // The second workflow's job went unfilled: cancelling the workflow leaves it posted, and the
      // penalty stays unsweepable until anyone advances the step and its cap is recorded.
      await f.orchestrator.connect(f.requester).cancel(w2);
      expect(await f.orchestrator.surplus(ETH)).to.equal(0n);
      await f.orchestrator.connect(f.other).advance(w2, 0);
      await solvent(f);
      expect(await f.orchestrator.surplus(ETH)).to.equal(penalty);
      await f.orchestrator.sweepSurplus(ETH);
      await expect(f.orchestrator.connect(f.requester).withdraw(ETH)).to.changeEtherBalance(f.requester, 2n * CAP);
      await solvent(f);
    });

    it("the cap of an expired unfilled step is not sweepable before advance records it", async function () {
      const f = await loadFixture(deployOrchestrator);
      const steps = [await step(f, "a", { expiryWindow: 4 * 3600 })];
      const { workflowId } = await createWorkflow(f, [[]], { steps });
      const a = await jobOfStep(f, workflowId, 0);
      const terms = await termsOf(f, a);
      await time.increaseTo(terms.expiry);
      // Anyone may reclaim an expired unfilled job: the cap returns to the orchestrator's credit.
      await f.market.connect(f.other).reclaim(a, packTerms(terms));
      expect(await f.orchestrator.surplus(ETH)).to.equal(0n);
      await expect(f.orchestrator.sweepSurplus(ETH)).to.be.revertedWithCustomError(f.orchestrator, "WorkflowNoSurplus");
      await solvent(f);
      await f.orchestrator.advance(workflowId, 0);
      await expect(f.orchestrator.connect(f.requester).withdraw(ETH)).to.changeEtherBalance(f.requester, CAP);
      await solvent(f);
    });

    it("the unspent cap after a failed settlement callback is not sweepable before advance records it", async function () {
      const f = await loadFixture(deployOrchestrator);
      const { workflowId } = await createWorkflow(f, [[]]);
      const a = await jobOfStep(f, workflowId, 0);
      // A callback gas limit too low for the orchestrator's callback: it fails, the job settles.
      await settleWithFailedCallback(f, { jobId: a, price: P("0.25") });
      expect(await f.orchestrator.surplus(ETH)).to.equal(0n);
      await expect(f.orchestrator.sweepSurplus(ETH)).to.be.revertedWithCustomError(f.orchestrator, "WorkflowNoSurplus");
      await solvent(f);
      await f.orchestrator.advance(workflowId, 0);
      await expect(f.orchestrator.connect(f.requester).withdraw(ETH)).to.changeEtherBalance(
        f.requester,
        CAP - P("0.25"),
      );
      await solvent(f);
    });
  });

  describe("second-price shilling costs the shill", function () {
    it("a requester's unrevealed sybil bids forfeit to the treasury, not to the requester", async function () {
      const f = await loadFixture(deployMarket);
      // worker1 is honest; worker2 and worker3 are the requester's sybils.
      const { jobId, terms } = await postJob(f, { pricing: Pricing.SecondPrice });
      await commit(f, jobId, terms, f.worker1, P("1"));
      await commit(f, jobId, terms, f.worker2, P("1.01"));
      await commit(f, jobId, terms, f.worker3, P("1.5"));
      await time.increaseTo((await jobOf(f, jobId)).deadline);
      await reveal(f, jobId, terms, f.worker1, P("1"));
      // The requester reveals only the grid point just above the leader.
      await reveal(f, jobId, terms, f.worker2, P("1.01"));
      await time.increaseTo((await jobOf(f, jobId)).revealDeadline);
      // ...and closes the unrevealed one itself to collect what it can.
      await f.market
        .connect(f.requester)
        .forfeitUnrevealed(jobId, packTerms(terms), ethers.ZeroHash, 0, f.worker3.address);

      const forfeited = (BOND * BigInt(DEFAULT_PARAMS.forfeitBps)) / BPS;
      const bounty = (forfeited * BigInt(DEFAULT_PARAMS.slashBountyBps)) / BPS;
      const requesterSide = [f.requester, f.worker2, f.worker3];
      let gained = 0n;
      for (const a of requesterSide) gained += await f.market.creditOf(a.address, ETH);
      let staked = 0n;
      for (const a of requesterSide.slice(1)) staked += (await f.market.getWorker(a.address)).stake;
      // The shill's net position: it lost the forfeit and got back only the caller's bounty.
      expect(gained + staked - 2n * WORKER_STAKE).to.equal(bounty - forfeited);
      expect(await f.market.creditOf(f.treasury.address, ETH)).to.equal(forfeited - bounty);
      // Second price still pays the winner at least its own bid.
      await f.market.finalizeAuction(jobId, packTerms(terms));
      expect((await jobOf(f, jobId)).price).to.equal(P("1.01"));
      await expectConservation(f, [{ jobId, terms }]);
    });
  });

  describe("orchestrator refunds to another address", function () {
    it("a requester contract that refuses ETH withdraws to an address it names", async function () {
      const f = await loadFixture(deployOrchestrator);
      const requester = await (await ethers.getContractFactory("RejectingRequester")).deploy();
      const o = f.orchestrator;
      expect(await o.market()).to.equal(await f.market.getAddress());
      const steps = [await step(f, "a")];
      const create = o.interface.encodeFunctionData("createWorkflow", [steps, [[]], ETH, CAP, 0]);
      await requester.call(await o.getAddress(), create, { value: CAP });
      const workflowId = await o.workflowCount();
      await requester.call(await o.getAddress(), o.interface.encodeFunctionData("cancel", [workflowId]));
      const requesterAddress = await requester.getAddress();
      expect(await o.creditOf(requesterAddress, ETH)).to.equal(CAP);

      await expect(
        requester.call(await o.getAddress(), o.interface.encodeFunctionData("withdraw", [ETH])),
      ).to.be.revertedWithCustomError(o, "WorkflowTransferFailed");
      await expect(
        requester.call(await o.getAddress(), o.interface.encodeFunctionData("withdrawTo", [ETH, ethers.ZeroAddress])),
      ).to.be.revertedWithCustomError(o, "WorkflowZeroAddress");
      const withdrawTo = o.interface.encodeFunctionData("withdrawTo", [ETH, f.other.address]);
      await expect(requester.call(await o.getAddress(), withdrawTo))
        .to.emit(o, "Withdrawn")
        .withArgs(requesterAddress, ETH, f.other.address, CAP);
      expect(await o.creditOf(requesterAddress, ETH)).to.equal(0n);
      await expectOrchestratorSolvent(f, ETH, [requesterAddress]);
    });

    it("withdrawTo with no credit names the account and token", async function () {
      const f = await loadFixture(deployOrchestrator);
      await expect(f.orchestrator.connect(f.other).withdrawTo(ETH, f.requester.address))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowNothingToWithdraw")
        .withArgs(f.other.address, ETH);
    });
  });

  describe("wide fan-out", function () {
    it("a step with the most dependents settles with a successful callback at the deployed gas limit", async function () {
      const f = await loadFixture(deployOrchestrator);
      const max = Number(await f.orchestrator.MAX_STEPS());
      const deps = [[], ...Array.from({ length: max - 1 }, () => [0])];
      const steps = await Promise.all(deps.map((_, i) => step(f, `s${i}`, { maxReward: P("0.01") })));
      const { workflowId } = await createWorkflow(f, deps, { steps });
      expect((await f.market.getParams()).callbackGasLimit).to.equal(1_000_000n);
      const a = await jobOfStep(f, workflowId, 0);
      const [terms] = await bidAndSubmitAll(f, [{ jobId: a, price: P("0.005") }]);
      await expect(f.market.connect(f.other).settle(a, packTerms(terms), resultHashOfJob(a)))
        .to.emit(f.market, "SettlementCallback")
        .withArgs(a, true);
      const statuses = await Promise.all(
        deps.slice(1).map(async (_, i) => Number((await f.orchestrator.getStep(workflowId, i + 1)).status)),
      );
      // Every dependent was visited: posted while gas allowed, the rest Ready for advance.
      expect(statuses.every((s) => s === StepStatus.Posted || s === StepStatus.Ready)).to.equal(true);
      expect(statuses.filter((s) => s === StepStatus.Ready).length).to.be.greaterThan(0);
      await f.orchestrator.connect(f.other).advance(workflowId, 0);
      for (let i = 1; i < max; i++) {
        expect((await f.orchestrator.getStep(workflowId, i)).status).to.equal(StepStatus.Posted);
      }
      await solvent(f);
    });
  });

  describe("advance never settles on the cheap path", function () {
    it("reverts with too little gas to post a dependent instead of leaving it Ready", async function () {
      const f = await loadFixture(deployOrchestrator);
      const { workflowId } = await createWorkflow(f, [[], [0]]);
      const a = await jobOfStep(f, workflowId, 0);
      await settleWithFailedCallback(f, { jobId: a, price: P("0.5") });
      // A gas estimator searching for the smallest limit that succeeds must not find one that
      // records the settlement but leaves the dependent Ready: short gas is an error here.
      await expect(
        f.orchestrator.connect(f.other).advance(workflowId, 0, { gasLimit: 250_000 }),
      ).to.be.revertedWithCustomError(f.orchestrator, "WorkflowInsufficientGas");
      const estimate = await f.orchestrator.connect(f.other).advance.estimateGas(workflowId, 0);
      await f.orchestrator.connect(f.other).advance(workflowId, 0, { gasLimit: estimate });
      expect((await f.orchestrator.getStep(workflowId, 1)).status).to.equal(StepStatus.Posted);
      await solvent(f);
    });
  });

  describe("reputation cannot be farmed", function () {
    async function settledBy(f: Fixture, requester: typeof f.worker1, price: bigint, reward = price) {
      const { jobId, terms } = await postJob(f, { maxReward: reward, bond: 1n }, requester);
      await bidAndSubmit(f, jobId, terms, price);
      await f.market.settle(jobId, packTerms(terms), RESULT_HASH);
      return (await f.market.getWorker(f.worker1.address)).completed;
    }

    it("a job whose fee rounds to zero does not count", async function () {
      const f = await loadFixture(deployMarket);
      expect(await settledBy(f, f.requester, 1n)).to.equal(0n);
      // The smallest price that pays a fee does count.
      const smallest = (BPS + BigInt(DEFAULT_PARAMS.feeBps) - 1n) / BigInt(DEFAULT_PARAMS.feeBps);
      expect(await settledBy(f, f.requester, smallest - 1n)).to.equal(0n);
      expect(await settledBy(f, f.requester, smallest)).to.equal(1n);
    });

    it("a job the worker posted itself does not count, whatever it paid", async function () {
      const f = await loadFixture(deployMarket);
      expect(await settledBy(f, f.worker1, P("1"))).to.equal(0n);
      expect(await settledBy(f, f.requester, P("1"))).to.equal(1n);
    });
  });

  describe("dispute terms are fixed at posting", function () {
    it("a governance change of the dispute bond and ruling timeout does not reach a posted job", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      const newParams = {
        treasury: f.treasury.address,
        ...DEFAULT_PARAMS,
        disputeBond: DEFAULT_PARAMS.disputeBond * 4n,
        rulingTimeout: DEFAULT_PARAMS.rulingTimeout * 2,
      };
      await f.market.connect(f.owner).setParams(newParams);
      await commit(f, jobId, terms, f.worker1, P("1"));
      await time.increaseTo((await jobOf(f, jobId)).deadline);
      await reveal(f, jobId, terms, f.worker1, P("1"));
      await time.increaseTo((await jobOf(f, jobId)).revealDeadline);
      await f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT);
      await expect(
        f.market.connect(f.other).dispute(jobId, packTerms(terms), RESULT_HASH, { value: newParams.disputeBond }),
      )
        .to.be.revertedWithCustomError(f.market, "JobMarketWrongValue")
        .withArgs(DEFAULT_PARAMS.disputeBond, newParams.disputeBond);
      const tx = f.market
        .connect(f.other)
        .dispute(jobId, packTerms(terms), RESULT_HASH, { value: DEFAULT_PARAMS.disputeBond });
      await expect(tx).to.emit(f.market, "JobDisputed");
      const disputedAt = await time.latest();
      expect((await jobOf(f, jobId)).deadline).to.equal(BigInt(disputedAt + DEFAULT_PARAMS.rulingTimeout));

      // New jobs must carry the new values.
      await expect(postJob(f))
        .to.be.revertedWithCustomError(f.market, "JobMarketParamMismatch")
        .withArgs("disputeBond", DEFAULT_PARAMS.disputeBond, newParams.disputeBond);
      await expect(postJob(f, { disputeBond: newParams.disputeBond }))
        .to.be.revertedWithCustomError(f.market, "JobMarketParamMismatch")
        .withArgs("rulingTimeout", DEFAULT_PARAMS.rulingTimeout, newParams.rulingTimeout);
      await postJob(f, { disputeBond: newParams.disputeBond, rulingTimeout: newParams.rulingTimeout });
    });
  });

  describe("the uint32 timestamp boundary (2106)", function () {
    it("a result whose challenge deadline would pass 2^32 - 1 is refused with the deadline; one that ends on it is taken", async function () {
      const f = await loadFixture(deployMarket);
      const start = MAX_UINT32 - 10n * 3600n;
      await time.setNextBlockTimestamp(start);
      await ethers.provider.send("evm_mine", []);
      // Submitted between the reveal deadline (start + 2 h) and the execution deadline (start + 4 h).
      const challengeWindow = 7 * 3600;
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: P("1") }], {
        challengeWindow,
        expiry: Number(MAX_UINT32),
      });
      const last = MAX_UINT32 - BigInt(challengeWindow);
      await time.setNextBlockTimestamp(last + 1n);
      await expect(f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT))
        .to.be.revertedWithCustomError(f.market, "JobMarketTimestampOverflow")
        .withArgs(MAX_UINT32 + 1n);
      // The same job one second earlier: the challenge deadline is exactly the last second.
      const g = await loadFixture(deployMarket);
      await time.setNextBlockTimestamp(start);
      await ethers.provider.send("evm_mine", []);
      const again = await runAuction(g, [{ bidder: g.worker1, price: P("1") }], {
        challengeWindow,
        expiry: Number(MAX_UINT32),
      });
      await time.setNextBlockTimestamp(last);
      await g.market.connect(g.worker1).submitResult(again.jobId, packTerms(again.terms), RESULT_HASH, RESULT);
      expect((await jobOf(g, again.jobId)).deadline).to.equal(MAX_UINT32);
    });

    it("a dispute whose ruling deadline would pass 2^32 - 1 is refused", async function () {
      const f = await loadFixture(deployMarket);
      await time.setNextBlockTimestamp(MAX_UINT32 - 4n * 86_400n);
      await ethers.provider.send("evm_mine", []);
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: P("1") }], {
        challengeWindow: 2 * 86_400,
        expiry: Number(MAX_UINT32),
      });
      await f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT);
      const at = MAX_UINT32 - BigInt(DEFAULT_PARAMS.rulingTimeout) + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(
        f.market.connect(f.other).dispute(jobId, packTerms(terms), RESULT_HASH, { value: DEFAULT_PARAMS.disputeBond }),
      )
        .to.be.revertedWithCustomError(f.market, "JobMarketTimestampOverflow")
        .withArgs(MAX_UINT32 + 1n);
    });

    it("an unbonding whose end would pass 2^32 - 1 is refused; one that ends on it is taken", async function () {
      const f = await loadFixture(deployMarket);
      const delay = BigInt(DEFAULT_PARAMS.unbondingDelay);
      await time.setNextBlockTimestamp(MAX_UINT32 - delay + 1n);
      await expect(f.market.connect(f.worker1).requestUnbond(1n))
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryTimestampOverflow")
        .withArgs(MAX_UINT32 + 1n);
      const g = await loadFixture(deployMarket);
      await time.setNextBlockTimestamp(MAX_UINT32 - delay);
      await g.market.connect(g.worker1).requestUnbond(1n);
      expect((await g.market.getUnbonding(g.worker1.address)).readyAt).to.equal(MAX_UINT32);
    });
  });

  describe("abandon: a winner gives the job back at once", function () {
    async function assigned(f: Fixture, overrides: Partial<JobTerms> = {}, finalize = true) {
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: P("1") }], overrides);
      if (finalize) await f.market.finalizeAuction(jobId, packTerms(terms));
      return { jobId, terms };
    }

    it("takes forfeitBps of the bond to the treasury, counts a no-show and reopens the job", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await assigned(f);
      const penalty = (BOND * BigInt(DEFAULT_PARAMS.forfeitBps)) / BPS;
      await expect(f.market.connect(f.worker1).abandon(jobId, packTerms(terms)))
        .to.emit(f.market, "WorkerSlashed")
        .withArgs(jobId, f.worker1.address, 2, penalty, f.treasury.address, 0)
        .and.to.emit(f.market, "JobReopened");
      expect(penalty).to.be.lessThan(BOND);
      const w = await f.market.getWorker(f.worker1.address);
      expect(w.stake).to.equal(WORKER_STAKE - penalty);
      expect(w.locked).to.equal(0n);
      expect(w.noShows).to.equal(1n);
      expect(await f.market.creditOf(f.treasury.address, ETH)).to.equal(penalty);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(0n);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Open);
      await expectConservation(f, [{ jobId, terms }]);

      // With no bid in the new round, the requester may cancel and get the whole reward back.
      await expect(f.market.connect(f.requester).cancel(jobId, packTerms(terms))).to.emit(f.market, "JobCancelled");
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(terms.maxReward);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("works before finalization, and refunds when no round fits before expiry", async function () {
      const f = await loadFixture(deployMarket);
      const now = await time.latest();
      // A round takes 4 h: after this one's 2 h auction, a new one no longer fits.
      const { jobId, terms } = await assigned(f, { expiry: now + 5 * 3600 }, false);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Awarding);
      await expect(f.market.connect(f.worker1).abandon(jobId, packTerms(terms)))
        .to.emit(f.market, "JobRefunded")
        .withArgs(jobId, terms.maxReward);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Refunded);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("only the winner, only before the execution deadline", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await assigned(f);
      await expect(f.market.connect(f.worker2).abandon(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketNotWinner")
        .withArgs(jobId, f.worker2.address);
      await time.increaseTo((await jobOf(f, jobId)).deadline);
      await expect(f.market.connect(f.worker1).abandon(jobId, packTerms(terms))).to.be.revertedWithCustomError(
        f.market,
        "JobMarketUnexpectedState",
      );
      // Once a result is in, the job cannot be given back either: the job's digest now binds the
      // result, which `abandon` does not take.
      const g = await loadFixture(deployMarket);
      const other = await assigned(g);
      await g.market.connect(g.worker1).submitResult(other.jobId, packTerms(other.terms), RESULT_HASH, RESULT);
      await expect(
        g.market.connect(g.worker1).abandon(other.jobId, packTerms(other.terms)),
      ).to.be.revertedWithCustomError(g.market, "JobMarketTermsMismatch");
    });
  });
});
