import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { DEFAULT_PARAMS, ETH, JobState, expectConservation, jobOf, salt, packTerms } from "./helpers/fixture";
import {
  CAP,
  DIAMOND,
  StepStatus,
  WorkflowStatus,
  bidAndSubmitAll,
  complete,
  completeAll,
  createWorkflow,
  deployOrchestrator,
  expectOrchestratorSolvent,
  jobOfStep,
  resultOf,
  resultHashOfJob,
  settleWithFailedCallback,
  specHashOf,
  step,
  stepSpec,
  termsOf,
  type WorkflowFixture,
} from "./helpers/workflow";

const P = (eth: string) => ethers.parseEther(eth);
const hashOf = (bytes: Uint8Array) => ethers.keccak256(bytes);
const bind = (template: string, ...parents: string[]) =>
  ethers.solidityPackedKeccak256(Array(parents.length + 1).fill("bytes32"), [template, ...parents]);

/** Every job posted for the workflow's steps so far, with terms, for the market's conservation check. */
async function workflowJobs(f: WorkflowFixture) {
  const logs = await f.orchestrator.queryFilter(f.orchestrator.filters.StepPosted());
  return Promise.all(logs.map(async (l) => ({ jobId: l.args.jobId, terms: await termsOf(f, l.args.jobId) })));
}

async function expectAllConserved(f: WorkflowFixture) {
  const orchestrator = await f.orchestrator.getAddress();
  await expectConservation(f, await workflowJobs(f), [orchestrator]);
  await expectOrchestratorSolvent(f, ETH, [f.requester.address]);
}

describe("WorkflowOrchestrator", function () {
  describe("createWorkflow", function () {
    it("escrows the budget, stores the graph and posts only the root steps", async function () {
      const f = await loadFixture(deployOrchestrator);
      const budget = P("5");
      const steps = await Promise.all(DIAMOND.map((_, i) => step(f, `s${i}`)));
      const tx = f.orchestrator.connect(f.requester).createWorkflow(steps, DIAMOND, ETH, budget, 1, { value: budget });
      await expect(tx).to.emit(f.orchestrator, "WorkflowCreated").and.to.emit(f.market, "JobPosted");
      await expect(tx).to.changeEtherBalances([f.requester, f.market], [-budget, CAP]);

      const wf = await f.orchestrator.getWorkflow(1);
      expect(wf.requester).to.equal(f.requester.address);
      expect(wf.status).to.equal(WorkflowStatus.Active);
      expect(wf.stepCount).to.equal(4);
      expect(wf.maxRetries).to.equal(1);
      expect(wf.budget).to.equal(budget);
      expect(wf.balance).to.equal(budget - CAP);

      const a = await f.orchestrator.getStep(1, 0);
      expect(a.status).to.equal(StepStatus.Posted);
      expect(a.attempts).to.equal(1);
      expect(a.dependents).to.equal(0b0110);
      const d = await f.orchestrator.getStep(1, 3);
      expect(d.status).to.equal(StepStatus.Waiting);
      expect(d.dependencies).to.equal(0b0110);
      expect(d.pendingDependencies).to.equal(2);
      expect(d.jobId).to.equal(0n);

      // The root job is an ordinary job: its spec inline, hashed plainly, the orchestrator its requester.
      expect(await specHashOf(f, a.jobId)).to.equal(hashOf(stepSpec("s0")));
      const terms = await termsOf(f, a.jobId);
      expect(terms.requester).to.equal(await f.orchestrator.getAddress());
      expect(terms.callback).to.equal(true);
      expect(terms.feeBps).to.equal(DEFAULT_PARAMS.feeBps);
      for (let i = 0; i < 4; i++)
        expect(await f.orchestrator.stepSpec(1, i)).to.equal(ethers.hexlify(stepSpec(`s${i}`)));
      expect(await f.orchestrator.stepOfJob(a.jobId)).to.deep.equal([true, 1n, 0n]);
      expect((await f.orchestrator.stepOfJob(999)).found).to.equal(false);
      await expectAllConserved(f);
    });

    it("posts every root of a graph with several", async function () {
      const f = await loadFixture(deployOrchestrator);
      await createWorkflow(f, [[], [], [0, 1]]);
      expect((await f.orchestrator.getStep(1, 0)).status).to.equal(StepStatus.Posted);
      expect((await f.orchestrator.getStep(1, 1)).status).to.equal(StepStatus.Posted);
      expect((await f.orchestrator.getStep(1, 2)).status).to.equal(StepStatus.Waiting);
      expect(await f.market.jobCount()).to.equal(2n);
    });
  });

  describe("a diamond end to end", function () {
    it("releases each step when its dependencies settle, binds their results, completes and refunds the rest", async function () {
      const f = await loadFixture(deployOrchestrator);
      const budget = P("4.5");
      const { workflowId } = await createWorkflow(f, DIAMOND, { budget });
      const [a] = [await jobOfStep(f, workflowId, 0)];

      await expect(complete(f, { jobId: a, price: P("0.4") }))
        .to.emit(f.orchestrator, "StepSettled")
        .withArgs(workflowId, 0, a, hashOf(resultOf(String(a))), P("0.4"));
      const b = await jobOfStep(f, workflowId, 1);
      const c = await jobOfStep(f, workflowId, 2);
      expect(b).to.be.greaterThan(a);
      expect(c).to.be.greaterThan(b);
      const ra = hashOf(resultOf(String(a)));
      expect(await specHashOf(f, b)).to.equal(bind(hashOf(stepSpec("s1")), ra));
      expect(await specHashOf(f, c)).to.equal(bind(hashOf(stepSpec("s2")), ra));
      const [, parentSteps, parentJobs, parentHashes] = await f.orchestrator.inputsOf(b);
      expect(parentSteps).to.deep.equal([0n]);
      expect(parentJobs).to.deep.equal([a]);
      expect(parentHashes).to.deep.equal([ra]);
      expect((await f.orchestrator.getStep(workflowId, 3)).pendingDependencies).to.equal(2);
      await expectAllConserved(f);

      // B and C run side by side, each in its own market; D waits for both.
      const terms = await bidAndSubmitAll(f, [
        { jobId: b, price: P("0.5") },
        { jobId: c, price: P("0.6"), worker: f.worker2 },
      ]);
      await f.market.settle(b, packTerms(terms[0]), resultHashOfJob(b));
      expect((await f.orchestrator.getStep(workflowId, 3)).status).to.equal(StepStatus.Waiting);
      await expect(f.market.settle(c, packTerms(terms[1]), resultHashOfJob(c))).to.emit(f.orchestrator, "StepPosted");
      const d = await jobOfStep(f, workflowId, 3);
      const [tpl, dSteps, dJobs, dHashes] = await f.orchestrator.inputsOf(d);
      expect(tpl).to.equal(hashOf(stepSpec("s3")));
      expect(dSteps).to.deep.equal([1n, 2n]);
      expect(dJobs).to.deep.equal([b, c]);
      expect(dHashes).to.deep.equal([hashOf(resultOf(String(b))), hashOf(resultOf(String(c)))]);
      expect(await specHashOf(f, d)).to.equal(bind(tpl, ...dHashes));

      const spent = P("0.4") + P("0.5") + P("0.6") + P("0.7");
      await expect(complete(f, { jobId: d, price: P("0.7") }))
        .to.emit(f.orchestrator, "WorkflowCompleted")
        .withArgs(workflowId, budget - spent);
      const wf = await f.orchestrator.getWorkflow(workflowId);
      expect(wf.status).to.equal(WorkflowStatus.Completed);
      expect(wf.settledCount).to.equal(4);
      expect(wf.balance).to.equal(0n);
      expect(await f.orchestrator.creditOf(f.requester.address, ETH)).to.equal(budget - spent);
      await expectAllConserved(f);

      await expect(f.orchestrator.connect(f.requester).withdraw(ETH)).to.changeEtherBalance(
        f.requester,
        budget - spent,
      );
      expect(await f.orchestrator.owed(ETH)).to.equal(0n);
      await expectAllConserved(f);
    });

    it("runs on an ERC-20 budget, approving the market per step", async function () {
      const f = await loadFixture(deployOrchestrator);
      const token = await f.token.getAddress();
      const budget = P("3");
      const steps = [await step(f, "a"), await step(f, "b")];
      await expect(
        f.orchestrator.connect(f.requester).createWorkflow(steps, [[], [0]], token, budget, 0),
      ).to.changeTokenBalances(f.token, [f.requester, f.market], [-budget, CAP]);
      const workflowId = 1n;
      await completeAll(f, [{ jobId: await jobOfStep(f, workflowId, 0), price: P("0.25") }]);
      await completeAll(f, [{ jobId: await jobOfStep(f, workflowId, 1), price: P("0.75") }]);
      expect((await f.orchestrator.getWorkflow(workflowId)).status).to.equal(WorkflowStatus.Completed);
      await expect(f.orchestrator.connect(f.requester).withdraw(token)).to.changeTokenBalance(
        f.token,
        f.requester,
        budget - P("1"),
      );
      await expectOrchestratorSolvent(f, token, [f.requester.address]);
      expect(await f.token.allowance(await f.orchestrator.getAddress(), await f.market.getAddress())).to.equal(0n);
    });
  });

  describe("gas-limited callbacks and advance", function () {
    it("marks dependents Ready when the callback runs short, and advance posts them", async function () {
      const f = await loadFixture(deployOrchestrator);
      await f.market.connect(f.owner).setParams({ treasury: f.treasury.address, ...DEFAULT_PARAMS });
      const { workflowId } = await createWorkflow(f, DIAMOND);
      const a = await jobOfStep(f, workflowId, 0);
      await expect(complete(f, { jobId: a, price: P("0.5") }))
        .to.emit(f.orchestrator, "StepReady")
        .withArgs(workflowId, 1, "0x");
      expect((await f.orchestrator.getStep(workflowId, 1)).status).to.equal(StepStatus.Ready);
      expect((await f.orchestrator.getStep(workflowId, 2)).status).to.equal(StepStatus.Ready);

      // Advancing the settled parent posts its ready dependents; a second call has nothing to do.
      await expect(f.orchestrator.connect(f.other).advance(workflowId, 0)).to.emit(f.orchestrator, "StepPosted");
      expect((await f.orchestrator.getStep(workflowId, 1)).status).to.equal(StepStatus.Posted);
      expect((await f.orchestrator.getStep(workflowId, 2)).status).to.equal(StepStatus.Posted);
      await expect(f.orchestrator.advance(workflowId, 0))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowNothingToAdvance")
        .withArgs(workflowId, 0);
      await expectAllConserved(f);
    });

    it("marks a dependent Ready when the market refuses it, and advance posts it once the market accepts", async function () {
      const f = await loadFixture(deployOrchestrator);
      const { workflowId } = await createWorkflow(f, [[], [0]]);
      const a = await jobOfStep(f, workflowId, 0);
      const [terms] = await bidAndSubmitAll(f, [{ jobId: a, price: P("0.5") }]);
      await f.market.connect(f.owner).pause();
      await expect(f.market.settle(a, packTerms(terms), resultHashOfJob(a)))
        .to.emit(f.orchestrator, "StepReady")
        .withArgs(workflowId, 1, f.market.interface.getError("EnforcedPause")!.selector);
      await expect(f.orchestrator.advance(workflowId, 1)).to.be.revertedWithCustomError(f.market, "EnforcedPause");
      await f.market.connect(f.owner).unpause();
      await expect(f.orchestrator.advance(workflowId, 1))
        .to.emit(f.orchestrator, "StepPosted")
        .withArgs(workflowId, 1, a + 1n, 1, bind(hashOf(stepSpec("s1")), hashOf(resultOf(String(a)))));
      await expectAllConserved(f);
    });

    it("records a settlement whose callback failed when anyone advances the step", async function () {
      const f = await loadFixture(deployOrchestrator);
      const { workflowId } = await createWorkflow(f, [[], [0]]);
      const a = await jobOfStep(f, workflowId, 0);
      // Governance lowered the callback gas below what recording a settlement takes.
      await settleWithFailedCallback(f, { jobId: a, price: P("0.5") });
      expect((await f.orchestrator.getStep(workflowId, 0)).status).to.equal(StepStatus.Posted);
      await expect(f.orchestrator.connect(f.other).advance(workflowId, 0))
        .to.emit(f.orchestrator, "StepSettled")
        .withArgs(workflowId, 0, a, hashOf(resultOf(String(a))), P("0.5"))
        .and.to.emit(f.orchestrator, "StepPosted");
      expect((await f.orchestrator.getWorkflow(workflowId)).balance).to.equal(CAP - P("0.5"));
      await expectAllConserved(f);
    });

    it("advances the workflow from a settleMany of two steps: both callbacks run once both are settled", async function () {
      const f = await loadFixture(deployOrchestrator);
      const { workflowId } = await createWorkflow(f, DIAMOND);
      await completeAll(f, [{ jobId: await jobOfStep(f, workflowId, 0), price: P("0.2") }]);
      const [b, c] = [await jobOfStep(f, workflowId, 1), await jobOfStep(f, workflowId, 2)];
      const work = [
        { jobId: b, price: P("0.3") },
        { jobId: c, price: P("0.4") },
      ];
      const terms = await bidAndSubmitAll(f, work);
      // Each callback posts dependents through the market, so it must run outside the market's lock.
      const tx = f.market.connect(f.other).settleMany(
        [b, c],
        terms.map((t) => packTerms(t)),
        [resultHashOfJob(b), resultHashOfJob(c)],
      );
      await expect(tx).to.emit(f.market, "SettlementCallback").withArgs(b, true);
      await expect(tx).to.emit(f.market, "SettlementCallback").withArgs(c, true);
      await expect(tx).to.emit(f.orchestrator, "StepPosted");
      expect((await f.orchestrator.getStep(workflowId, 3)).status).to.equal(StepStatus.Posted);
      await expectAllConserved(f);
    });

    it("costs the same to settle a step with one dependent whatever the workflow's size", async function () {
      const gasOfSettlingRoot = async (deps: number[][]) => {
        // A fresh deployment each time, warmed by one finished workflow so that the accounts' slots
        // (worker record, treasury and orchestrator credits) start out alike.
        const f = await deployOrchestrator();
        await completeAll(f, [
          { jobId: await jobOfStep(f, (await createWorkflow(f, [[]])).workflowId, 0), price: P("0.5") },
        ]);
        const { workflowId } = await createWorkflow(f, deps);
        const a = await jobOfStep(f, workflowId, 0);
        const [terms] = await bidAndSubmitAll(f, [{ jobId: a, price: P("0.5") }]);
        const tx = await f.market.settle(a, packTerms(terms), resultHashOfJob(a));
        const receipt = await tx.wait();
        // Less the calldata's cost, which follows the bytes of the terms (a zero byte in a
        // time-derived field such as the expiry costs 12 gas less), not the workflow's size.
        const bytes = ethers.getBytes(tx.data);
        const calldata = bytes.reduce((sum, b) => sum + (b === 0 ? 4n : 16n), 0n);
        return receipt!.gasUsed - calldata;
      };
      // Two steps, then thirty: the root has one dependent in both; the other steps are unrelated chains.
      const small = await gasOfSettlingRoot([[], [0]]);
      const large = await gasOfSettlingRoot([
        [],
        [0],
        ...Array.from({ length: 28 }, (_, i) => (i === 0 ? [] : [i + 1])),
      ]);
      expect(large).to.equal(small);
    });
  });

  describe("failure policy", function () {
    it("re-auctions a failed step, keeps upstream results, then fails with the exact refund", async function () {
      const f = await loadFixture(deployOrchestrator);
      const budget = P("4");
      const { workflowId } = await createWorkflow(f, [[], [0], [1]], { budget, retries: 1 });
      const a = await jobOfStep(f, workflowId, 0);
      await completeAll(f, [{ jobId: a, price: P("0.3") }]);
      const b1 = await jobOfStep(f, workflowId, 1);

      // Nobody bids on B: once its reveal window closes it is Unfilled; advance reclaims and re-auctions.
      await expect(f.orchestrator.advance(workflowId, 1))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowStepInProgress")
        .withArgs(workflowId, 1, JobState.Open);
      await time.increaseTo((await jobOf(f, b1)).revealDeadline);
      await expect(f.orchestrator.connect(f.other).advance(workflowId, 1))
        .to.emit(f.orchestrator, "StepFailed")
        .withArgs(workflowId, 1, b1, 1, true)
        .and.to.emit(f.orchestrator, "StepPosted");
      const b2 = await jobOfStep(f, workflowId, 1);
      expect(b2).to.not.equal(b1);
      expect(await f.market.jobState(b1)).to.equal(JobState.Refunded);
      // The retry binds the same upstream result.
      expect(await specHashOf(f, b2)).to.equal(await specHashOf(f, b1));
      expect((await f.orchestrator.getStep(workflowId, 1)).attempts).to.equal(2);

      // No bid again: no retries left, the workflow fails and everything unspent goes back.
      await time.increaseTo((await jobOf(f, b2)).revealDeadline);
      await expect(f.orchestrator.advance(workflowId, 1))
        .to.emit(f.orchestrator, "WorkflowFailed")
        .withArgs(workflowId, 1, budget - P("0.3"));
      expect((await f.orchestrator.getWorkflow(workflowId)).status).to.equal(WorkflowStatus.Failed);
      expect((await f.orchestrator.getStep(workflowId, 1)).status).to.equal(StepStatus.Failed);
      expect((await f.orchestrator.getStep(workflowId, 0)).status).to.equal(StepStatus.Settled);
      expect((await f.orchestrator.getStep(workflowId, 2)).status).to.equal(StepStatus.Waiting);
      await expectAllConserved(f);
      await expect(f.orchestrator.connect(f.requester).withdraw(ETH)).to.changeEtherBalance(
        f.requester,
        budget - P("0.3"),
      );
      await expect(f.orchestrator.advance(workflowId, 2))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowNothingToAdvance")
        .withArgs(workflowId, 2);
    });

    it("fails fast: the first failed step ends the workflow and cancels sibling jobs without bids", async function () {
      const f = await loadFixture(deployOrchestrator);
      const budget = P("3");
      const steps = [
        await step(f, "a"),
        await step(f, "b", { commitWindow: 4 * 3600, expiryWindow: 8 * 3600 }),
        await step(f, "c"),
      ];
      const { workflowId } = await createWorkflow(f, [[], [], [0, 1]], { budget, steps });
      const a = await jobOfStep(f, workflowId, 0);
      const b = await jobOfStep(f, workflowId, 1);
      await time.increaseTo((await jobOf(f, a)).revealDeadline);
      expect(await f.market.jobState(b)).to.equal(JobState.Open);
      await expect(f.orchestrator.advance(workflowId, 0))
        .to.emit(f.orchestrator, "WorkflowFailed")
        .withArgs(workflowId, 0, budget)
        .and.to.emit(f.market, "JobCancelled")
        .withArgs(b);
      expect((await f.orchestrator.getStep(workflowId, 1)).status).to.equal(StepStatus.Cancelled);
      expect(await f.orchestrator.creditOf(f.requester.address, ETH)).to.equal(budget);
      await expectAllConserved(f);
    });

    it("re-auctions a step whose worker never showed and whose job ran out of time", async function () {
      const f = await loadFixture(deployOrchestrator);
      const steps = [await step(f, "a", { expiryWindow: 4 * 3600 })];
      const { workflowId } = await createWorkflow(f, [[]], { steps, retries: 2 });
      const a = await jobOfStep(f, workflowId, 0);
      const terms = await termsOf(f, a);
      const s = salt(`${a}:0:${f.worker1.address}`);
      await f.market
        .connect(f.worker1)
        .commitBid(a, packTerms(terms), await f.market.computeCommitment(a, 0, f.worker1.address, P("0.5"), s));
      await time.increaseTo((await jobOf(f, a)).deadline);
      await f.market.connect(f.worker1).revealBid(a, packTerms(terms), P("0.5"), s);
      await time.increaseTo((await jobOf(f, a)).revealDeadline);
      await f.market.finalizeAuction(a, packTerms(terms));
      await time.increaseTo((await jobOf(f, a)).deadline);
      // The slash pays the orchestrator (as requester) a share of the bond, which no workflow owns.
      await f.market.connect(f.other).slashNoShow(a, packTerms(terms));
      expect(await f.market.jobState(a)).to.equal(JobState.Refunded);
      await expect(f.orchestrator.advance(workflowId, 0))
        .to.emit(f.orchestrator, "StepFailed")
        .withArgs(workflowId, 0, a, 1, true);
      const bond = BigInt(terms.bond);
      const penalty = bond - (bond * BigInt(DEFAULT_PARAMS.slashBountyBps)) / 10_000n;
      // While the retry's cap is in the market, the penalty cannot be told apart from money that
      // may come back to the workflow: nothing is sweepable yet.
      expect(await f.orchestrator.surplus(ETH)).to.equal(0n);
      await expect(f.orchestrator.sweepSurplus(ETH)).to.be.revertedWithCustomError(f.orchestrator, "WorkflowNoSurplus");
      await expectAllConserved(f);
      const retry = await jobOfStep(f, workflowId, 0);
      expect(retry).to.not.equal(a);
      await completeAll(f, [{ jobId: retry, price: P("0.5") }]);
      expect(await f.orchestrator.surplus(ETH)).to.equal(penalty);
      await expectAllConserved(f);
      await expect(f.orchestrator.sweepSurplus(ETH))
        .to.emit(f.orchestrator, "SurplusSwept")
        .withArgs(ETH, f.treasury.address, penalty);
      await expect(f.orchestrator.sweepSurplus(ETH))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowNoSurplus")
        .withArgs(ETH);
      await expectAllConserved(f);
    });
  });

  describe("cancel", function () {
    it("mid-flight: cancels jobs without bids, refunds exactly the unstarted budget, then late refunds", async function () {
      const f = await loadFixture(deployOrchestrator);
      const budget = P("5");
      const { workflowId } = await createWorkflow(f, DIAMOND, { budget });
      const a = await jobOfStep(f, workflowId, 0);
      await completeAll(f, [{ jobId: a, price: P("0.4") }]);
      const b = await jobOfStep(f, workflowId, 1);
      const c = await jobOfStep(f, workflowId, 2);
      // B has a bid, C has none.
      const bTerms = await termsOf(f, b);
      const s = salt(`${b}:0:${f.worker1.address}`);
      await f.market
        .connect(f.worker1)
        .commitBid(b, packTerms(bTerms), await f.market.computeCommitment(b, 0, f.worker1.address, P("0.5"), s));

      await expect(f.orchestrator.connect(f.other).cancel(workflowId))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowNotRequester")
        .withArgs(workflowId, f.other.address);
      // Unstarted: C (cancelled in the market), D (never posted) and the budget's slack.
      const unstarted = budget - P("0.4") - CAP;
      await expect(f.orchestrator.connect(f.requester).cancel(workflowId))
        .to.emit(f.orchestrator, "WorkflowCancelled")
        .withArgs(workflowId, unstarted)
        .and.to.emit(f.market, "JobCancelled")
        .withArgs(c)
        .and.to.emit(f.orchestrator, "StepCancelled")
        .withArgs(workflowId, 2, c);
      expect(await f.orchestrator.creditOf(f.requester.address, ETH)).to.equal(unstarted);
      expect((await f.orchestrator.getStep(workflowId, 1)).status).to.equal(StepStatus.Posted);
      expect((await f.orchestrator.getStep(workflowId, 2)).status).to.equal(StepStatus.Cancelled);
      await expect(f.orchestrator.connect(f.requester).cancel(workflowId))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowNotActive")
        .withArgs(workflowId, WorkflowStatus.Cancelled);
      await expectAllConserved(f);

      // B runs to its end; its unspent cap comes back to the requester, and nothing is posted after it.
      await time.increaseTo((await jobOf(f, b)).deadline);
      await f.market.connect(f.worker1).revealBid(b, packTerms(bTerms), P("0.5"), s);
      await time.increaseTo((await jobOf(f, b)).revealDeadline);
      const result = resultOf("b");
      await f.market.connect(f.worker1).submitResult(b, packTerms(bTerms), hashOf(result), result);
      await time.increaseTo((await jobOf(f, b)).deadline);
      await expect(f.market.settle(b, packTerms(bTerms), hashOf(result)))
        .to.emit(f.orchestrator, "LateRefund")
        .withArgs(workflowId, 1, CAP - P("0.5"));
      expect(await f.market.jobCount()).to.equal(c);
      expect(await f.orchestrator.creditOf(f.requester.address, ETH)).to.equal(unstarted + CAP - P("0.5"));
      await expectAllConserved(f);
    });
  });

  describe("bad input", function () {
    async function rejects(f: WorkflowFixture, error: string, args: unknown[], options: Parameters<typeof build>[1]) {
      const { steps, deps, token, budget, retries, value } = await build(f, options);
      await expect(f.orchestrator.connect(f.requester).createWorkflow(steps, deps, token, budget, retries, { value }))
        .to.be.revertedWithCustomError(f.orchestrator, error)
        .withArgs(...args);
    }

    async function build(
      f: WorkflowFixture,
      o: {
        count?: number;
        deps?: number[][];
        patch?: (steps: Awaited<ReturnType<typeof step>>[]) => void;
        token?: string;
        budget?: bigint;
        retries?: number;
        value?: bigint;
      },
    ) {
      const deps = o.deps ?? Array.from({ length: o.count ?? 2 }, () => []);
      const steps = await Promise.all(Array.from({ length: o.count ?? deps.length }, (_, i) => step(f, `s${i}`)));
      o.patch?.(steps);
      const required = steps.reduce((sum, s) => sum + BigInt(s.maxReward), 0n);
      const budget = o.budget ?? required;
      const token = o.token ?? ETH;
      return { steps, deps, token, budget, retries: o.retries ?? 0, value: o.value ?? (token === ETH ? budget : 0n) };
    }

    it("rejects an empty graph, too many steps and too many edges", async function () {
      const f = await loadFixture(deployOrchestrator);
      await rejects(f, "WorkflowNoSteps", [], { count: 0, deps: [] });
      await rejects(f, "WorkflowTooManySteps", [33, 32], { count: 33, deps: Array.from({ length: 33 }, () => []) });
      // Step i depends on every earlier step: 0 + 1 + ... + 11 = 66 edges.
      await rejects(f, "WorkflowTooManyEdges", [66, 64], {
        deps: Array.from({ length: 12 }, (_, i) => Array.from({ length: i }, (_, j) => j)),
      });
      await rejects(f, "WorkflowDependencyCountMismatch", [2, 1], { count: 2, deps: [[]] });
    });

    it("rejects self, forward and duplicate dependencies", async function () {
      const f = await loadFixture(deployOrchestrator);
      await rejects(f, "WorkflowSelfDependency", [1], { deps: [[], [1]] });
      await rejects(f, "WorkflowForwardDependency", [0, 1], { deps: [[1], []] });
      await rejects(f, "WorkflowDuplicateDependency", [2, 0], { deps: [[], [0], [0, 1, 0]] });
    });

    it("rejects empty or oversized specs and invalid step terms", async function () {
      const f = await loadFixture(deployOrchestrator);
      const arbiter = f.other.address;
      await rejects(f, "WorkflowEmptySpec", [1], { patch: (s) => (s[1].spec = "0x") });
      await rejects(f, "WorkflowSpecTooLarge", [0, 16_385, 16_384], {
        patch: (s) => (s[0].spec = new Uint8Array(16_385).fill(0x41)),
      });
      // Two steps: their specs and 69 bytes of parameters each.
      await rejects(f, "WorkflowSpecsTooLarge", [30_000 + 2 * 69, 24_575], {
        patch: (s) => {
          s[0].spec = new Uint8Array(15_000).fill(0x41);
          s[1].spec = new Uint8Array(15_000).fill(0x42);
        },
      });
      await rejects(f, "WorkflowZeroReward", [1], { patch: (s) => (s[1].maxReward = 0n) });
      await rejects(f, "WorkflowZeroBond", [0], { patch: (s) => (s[0].bond = 0n) });
      await rejects(f, "WorkflowInvalidArbiter", [1, arbiter], { patch: (s) => (s[1].arbiter = arbiter) });
      await rejects(f, "WorkflowInvalidWindow", [0, 0], { patch: (s) => (s[0].revealWindow = 0) });
      await rejects(f, "WorkflowInvalidWindow", [1, 30 * 86400 + 1], {
        patch: (s) => (s[1].challengeWindow = 30 * 86400 + 1),
      });
      await rejects(f, "WorkflowExpiryWindowTooShort", [0, 3600, 4 * 3600], {
        patch: (s) => (s[0].expiryWindow = 3600),
      });
    });

    it("rejects a short budget, a wrong value, a token the market does not allow and a short-delivering token", async function () {
      const f = await loadFixture(deployOrchestrator);
      await rejects(f, "WorkflowBudgetTooLow", [CAP * 2n - 1n, CAP * 2n], { budget: CAP * 2n - 1n });
      await rejects(f, "WorkflowWrongValue", [CAP * 2n, CAP], { value: CAP });
      const token = await f.token.getAddress();
      await rejects(f, "WorkflowWrongValue", [0, 1], { token, value: 1n });
      await rejects(f, "WorkflowTokenNotAllowed", [f.other.address], { token: f.other.address });
      const feeToken = await f.feeToken.getAddress();
      const budget = CAP * 2n;
      await rejects(f, "WorkflowTokenShortfall", [feeToken, budget, budget - budget / 100n], { token: feeToken });
      await rejects(f, "WorkflowTooManyRetries", [11, 10], { retries: 11 });
    });

    it("rejects unknown workflows and steps, a foreign callback, stray ETH and empty withdrawals", async function () {
      const f = await loadFixture(deployOrchestrator);
      await expect(f.orchestrator.advance(7, 0))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowUnknown")
        .withArgs(7);
      await expect(f.orchestrator.cancel(7))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowUnknown")
        .withArgs(7);
      const { workflowId } = await createWorkflow(f, [[], [0]]);
      await expect(f.orchestrator.advance(workflowId, 2))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowUnknownStep")
        .withArgs(workflowId, 2);
      await expect(f.orchestrator.getStep(workflowId, 2)).to.be.revertedWithCustomError(
        f.orchestrator,
        "WorkflowUnknownStep",
      );
      await expect(f.orchestrator.advance(workflowId, 1))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowNothingToAdvance")
        .withArgs(workflowId, 1);
      await expect(f.orchestrator.connect(f.other).onJobSettled(1, ethers.ZeroHash, f.other.address, 0))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowNotMarket")
        .withArgs(f.other.address);
      await expect(f.other.sendTransaction({ to: await f.orchestrator.getAddress(), value: 1n }))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowNotMarket")
        .withArgs(f.other.address);
      await expect(f.orchestrator.connect(f.requester).withdraw(ETH))
        .to.be.revertedWithCustomError(f.orchestrator, "WorkflowNothingToWithdraw")
        .withArgs(f.requester.address, ETH);
      await expect(
        (await ethers.getContractFactory("WorkflowOrchestrator")).deploy(ethers.ZeroAddress, f.treasury.address),
      ).to.be.revertedWithCustomError(f.orchestrator, "WorkflowZeroAddress");
    });

    it("keeps the orchestrator's copy of the market limits equal to the market's", async function () {
      const f = await loadFixture(deployOrchestrator);
      expect(await f.orchestrator.MAX_WINDOW()).to.equal(await f.market.MAX_WINDOW());
      expect(await f.orchestrator.MAX_SPEC_BYTES()).to.equal(await f.market.MAX_PAYLOAD_BYTES());
    });
  });
});
