import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BOND,
  DEFAULT_PARAMS,
  ETH,
  JobState,
  REWARD,
  RESULT,
  RESULT_HASH,
  SPEC,
  SPEC_HASH,
  WORKER_STAKE,
  bidAndSubmit,
  deployMarket,
  expectConservation,
  makeTerms,
  runAuction,
  states,
  submitted,
  type Fixture,
  type JobTerms,
  packTerms,
} from "./helpers/fixture";
import { coverageRun } from "./helpers/coverage";

const P = (eth: string) => ethers.parseEther(eth);
const PRICE = P("1.5");
const FEE = (PRICE * BigInt(DEFAULT_PARAMS.feeBps)) / 10_000n;

describe("JobMarket settlement", function () {
  describe("submitResult", function () {
    it("records the result hash and opens the challenge window", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: PRICE }]);
      await f.market.finalizeAuction(jobId, packTerms(terms));
      const now = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(now);
      await expect(f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT))
        .to.emit(f.market, "ResultSubmitted")
        .withArgs(jobId, f.worker1.address, RESULT_HASH, ethers.hexlify(RESULT), now + Number(terms.challengeWindow));
      // The result hash joins the job's digest: later calls must pass it back.
      expect((await f.market.getJob(jobId)).digest).to.equal(
        await f.market.jobDigest(jobId, packTerms(terms), RESULT_HASH),
      );
      expect(await f.market.jobState(jobId)).to.equal(JobState.Submitted);
    });

    it("finalizes the auction implicitly when the winner submits first", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: PRICE }]);
      await expect(f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT))
        .to.emit(f.market, "JobAssigned")
        .and.to.emit(f.market, "ResultSubmitted");
    });

    it("reverts for anyone but the winner, a zero hash or an oversized result", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: PRICE }]);
      await f.market.finalizeAuction(jobId, packTerms(terms));
      await expect(f.market.connect(f.worker2).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT))
        .to.be.revertedWithCustomError(f.market, "JobMarketNotWinner")
        .withArgs(jobId, f.worker2.address);
      await expect(
        f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), ethers.ZeroHash, RESULT),
      ).to.be.revertedWithCustomError(f.market, "JobMarketZeroHash");
      await expect(
        f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, new Uint8Array(16_385)),
      )
        .to.be.revertedWithCustomError(f.market, "JobMarketPayloadTooLarge")
        .withArgs(16_385n, 16_384n);
    });

    it("accepts a result in the last second before the execution deadline and reverts at it", async function () {
      const f = await loadFixture(deployMarket);
      const a = await runAuction(f, [{ bidder: f.worker1, price: PRICE }]);
      await f.market.finalizeAuction(a.jobId, packTerms(a.terms));
      const deadline = await f.market.executionDeadline(a.jobId, packTerms(a.terms));
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(f.market.connect(f.worker1).submitResult(a.jobId, packTerms(a.terms), RESULT_HASH, RESULT)).to.emit(
        f.market,
        "ResultSubmitted",
      );

      const b = await runAuction(f, [{ bidder: f.worker2, price: PRICE }]);
      await f.market.finalizeAuction(b.jobId, packTerms(b.terms));
      await time.setNextBlockTimestamp(await f.market.executionDeadline(b.jobId, packTerms(b.terms)));
      await expect(f.market.connect(f.worker2).submitResult(b.jobId, packTerms(b.terms), RESULT_HASH, RESULT))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(b.jobId, JobState.Overdue, states(JobState.Awarding, JobState.Assigned));
    });

    it("reverts an implicit finalize that comes after the execution deadline", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: PRICE }]);
      await time.increaseTo(await f.market.executionDeadline(jobId, packTerms(terms)));
      await expect(f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Overdue, states(JobState.Awarding, JobState.Assigned));
    });
  });

  describe("accept", function () {
    it("settles at once: worker paid price minus fee, fee to the fee account, unused reward to requester", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      await expect(f.market.connect(f.requester).accept(jobId, packTerms(terms), RESULT_HASH))
        .to.emit(f.market, "JobSettled")
        .withArgs(jobId, f.worker1.address, RESULT_HASH, PRICE, FEE, REWARD - PRICE);
      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(PRICE - FEE);
      expect(await f.market.creditOf(await f.market.getAddress(), ETH)).to.equal(FEE);
      expect(await f.market.creditOf(f.treasury.address, ETH)).to.equal(0n);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(REWARD - PRICE);
      const w = await f.market.getWorker(f.worker1.address);
      expect(w.completed).to.equal(1);
      expect(w.locked).to.equal(0n);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Settled);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("reverts for anyone but the requester", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      await expect(f.market.connect(f.worker1).accept(jobId, packTerms(terms), RESULT_HASH))
        .to.be.revertedWithCustomError(f.market, "JobMarketNotRequester")
        .withArgs(jobId, f.worker1.address);
    });
  });

  describe("settle", function () {
    it("is open to anyone from the end of the challenge window, not a second before", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      const { deadline } = await f.market.getJob(jobId);
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(f.market.connect(f.other).settle(jobId, packTerms(terms), RESULT_HASH))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Submitted, states(JobState.Settleable));
      await time.setNextBlockTimestamp(deadline);
      await expect(f.market.connect(f.other).settle(jobId, packTerms(terms), RESULT_HASH)).to.emit(
        f.market,
        "JobSettled",
      );
    });

    it("reverts on a second settlement", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      await time.increaseTo((await f.market.getJob(jobId)).deadline);
      await f.market.settle(jobId, packTerms(terms), RESULT_HASH);
      await expect(f.market.settle(jobId, packTerms(terms), RESULT_HASH))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Settled, states(JobState.Settleable));
    });

    it("settles ERC-20 jobs in their token and bonds in ETH", async function () {
      const f = await loadFixture(deployMarket);
      const token = await f.token6.getAddress();
      const { jobId, terms } = await submitted(f, 1_500_000n, { token, maxReward: 2_000_000n });
      await f.market.connect(f.requester).accept(jobId, packTerms(terms), RESULT_HASH);
      const fee = (1_500_000n * BigInt(DEFAULT_PARAMS.feeBps)) / 10_000n;
      expect(await f.market.creditOf(f.worker1.address, token)).to.equal(1_500_000n - fee);
      await expect(f.market.connect(f.worker1).withdraw(token)).to.changeTokenBalance(
        f.token6,
        f.worker1,
        1_500_000n - fee,
      );
      await expectConservation(f, [{ jobId, terms }]);
    });
  });

  describe("dispute", function () {
    it("takes the dispute bond, notifies the arbiter and stops settlement", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      const bond = DEFAULT_PARAMS.disputeBond;
      const now = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(now);
      await expect(f.market.connect(f.other).dispute(jobId, packTerms(terms), RESULT_HASH, { value: bond }))
        .to.emit(f.market, "JobDisputed")
        .withArgs(jobId, f.other.address, await f.arbiter.getAddress(), bond, now + DEFAULT_PARAMS.rulingTimeout)
        .and.to.emit(f.arbiter, "DisputeOpened");
      expect(await f.market.jobState(jobId)).to.equal(JobState.Disputed);
      expect(await f.market.getDispute(jobId)).to.deep.equal([f.other.address, bond]);
      await expect(
        f.market.connect(f.requester).accept(jobId, packTerms(terms), RESULT_HASH),
      ).to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState");
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("reverts with the wrong bond and after the challenge window (boundary)", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      await expect(f.market.connect(f.other).dispute(jobId, packTerms(terms), RESULT_HASH, { value: 1n }))
        .to.be.revertedWithCustomError(f.market, "JobMarketWrongValue")
        .withArgs(DEFAULT_PARAMS.disputeBond, 1n);
      const { deadline } = await f.market.getJob(jobId);
      await time.setNextBlockTimestamp(deadline);
      await expect(
        f.market.connect(f.other).dispute(jobId, packTerms(terms), RESULT_HASH, { value: DEFAULT_PARAMS.disputeBond }),
      )
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Settleable, states(JobState.Submitted));
    });

    it("accepts a dispute in the last second of the challenge window", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      await time.setNextBlockTimestamp((await f.market.getJob(jobId)).deadline - 1n);
      await expect(
        f.market
          .connect(f.requester)
          .dispute(jobId, packTerms(terms), RESULT_HASH, { value: DEFAULT_PARAMS.disputeBond }),
      ).to.emit(f.market, "JobDisputed");
    });
  });

  describe("slashNoShow", function () {
    it("slashes the whole bond, pays the caller a bounty and reopens when time is left", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: PRICE }]);
      await f.market.finalizeAuction(jobId, packTerms(terms));
      const deadline = await f.market.executionDeadline(jobId, packTerms(terms));
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(f.market.connect(f.other).slashNoShow(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Assigned, states(JobState.Overdue));
      await time.setNextBlockTimestamp(deadline);
      const bounty = (BOND * BigInt(DEFAULT_PARAMS.slashBountyBps)) / 10_000n;
      await expect(f.market.connect(f.other).slashNoShow(jobId, packTerms(terms)))
        .to.emit(f.market, "WorkerSlashed")
        .withArgs(jobId, f.worker1.address, 0, BOND, f.other.address, bounty)
        .and.to.emit(f.market, "JobReopened");
      const w = await f.market.getWorker(f.worker1.address);
      expect(w.stake).to.equal(WORKER_STAKE - BOND);
      expect(w.locked).to.equal(0n);
      expect(w.noShows).to.equal(1);
      expect(await f.market.creditOf(f.other.address, ETH)).to.equal(bounty);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(BOND - bounty);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Open);
      const job = await f.market.getJob(jobId);
      expect(job.round).to.equal(1);
      expect(job.winner).to.equal(ethers.ZeroAddress);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("pays no bounty to a worker that slashes itself: all of it goes to the requester", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: PRICE }]);
      await f.market.finalizeAuction(jobId, packTerms(terms));
      await time.increaseTo(await f.market.executionDeadline(jobId, packTerms(terms)));
      const bounty = (BOND * BigInt(DEFAULT_PARAMS.slashBountyBps)) / 10_000n;
      await expect(f.market.connect(f.worker1).slashNoShow(jobId, packTerms(terms)))
        .to.emit(f.market, "WorkerSlashed")
        .withArgs(jobId, f.worker1.address, 0, BOND, f.requester.address, bounty);
      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(0n);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(BOND);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("refunds the reward when no new round fits before the expiry", async function () {
      const f = await loadFixture(deployMarket);
      const roundLength = 4 * 3600;
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: PRICE }], {
        expiry: (await time.latest()) + roundLength + 1800,
      });
      await f.market.finalizeAuction(jobId, packTerms(terms));
      await time.increaseTo(await f.market.executionDeadline(jobId, packTerms(terms)));
      await expect(f.market.connect(f.other).slashNoShow(jobId, packTerms(terms)))
        .to.emit(f.market, "JobRefunded")
        .withArgs(jobId, REWARD);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Refunded);
      await expectConservation(f, [{ jobId, terms }]);
    });
  });

  describe("settlement callback", function () {
    async function consumerJob(f: Fixture, mode: number) {
      const consumer = await (await ethers.getContractFactory("TestConsumer")).deploy(await f.market.getAddress());
      await consumer.setMode(mode);
      const terms = await makeTerms(f, { requester: await consumer.getAddress(), callback: true });
      await consumer.act(f.market.interface.encodeFunctionData("postJob", [packTerms(terms), SPEC_HASH, SPEC]), {
        value: REWARD,
      });
      const jobId = await f.market.jobCount();
      await bidAndSubmit(f, jobId, terms, PRICE);
      return { consumer, jobId, terms };
    }

    it("delivers the job id, result hash, worker and price to the requester contract", async function () {
      const f = await loadFixture(deployMarket);
      const { consumer, jobId, terms } = await consumerJob(f, 0);
      await expect(f.market.connect(f.other).settle(jobId, packTerms(terms), RESULT_HASH))
        .to.emit(f.market, "SettlementCallback")
        .withArgs(jobId, true);
      expect(await consumer.lastJobId()).to.equal(jobId);
      expect(await consumer.lastResultHash()).to.equal(RESULT_HASH);
      expect(await consumer.lastWorker()).to.equal(f.worker1.address);
      expect(await consumer.lastPrice()).to.equal(PRICE);
    });

    for (const [mode, label] of [
      [1, "reverts"],
      [2, "burns all its gas"],
      [3, "returns a huge buffer"],
    ] as const) {
      it(`settles anyway when the consumer ${label}`, async function () {
        const f = await loadFixture(deployMarket);
        const { consumer, jobId, terms } = await consumerJob(f, mode);
        const tx = f.market.connect(f.other).settle(jobId, packTerms(terms), RESULT_HASH, { gasLimit: 1_000_000 });
        await expect(tx)
          .to.emit(f.market, "SettlementCallback")
          .withArgs(jobId, mode === 3);
        expect(await f.market.jobState(jobId)).to.equal(JobState.Settled);
        expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(PRICE - FEE);
        expect(await consumer.calls()).to.equal(0n);
        // A missed callback is kept for the consumer to pick up: what the callback carried.
        const missed = await f.market.undeliveredSettlementOf(jobId);
        expect([...missed]).to.deep.equal(
          mode === 3 ? [ethers.ZeroHash, ethers.ZeroAddress, 0n] : [RESULT_HASH, f.worker1.address, PRICE],
        );
        const receipt = await (await tx).wait();
        // The consumer can never cost the settler more than its gas limit plus the settlement
        // itself, the two fresh slots of a missed callback's record included (instrumented code
        // under coverage costs more, so the bound is checked only without it).
        if (!coverageRun) expect(receipt!.gasUsed).to.be.lessThan(BigInt(DEFAULT_PARAMS.callbackGasLimit) + 180_000n);
      });
    }

    (coverageRun ? it.skip : it)(
      "reverts when the caller supplies too little gas for the callback's full limit (skipped under coverage: instrumented gas)",
      async function () {
        const f = await loadFixture(deployMarket);
        const { jobId, terms } = await consumerJob(f, 0);
        await expect(
          f.market.connect(f.other).settle(jobId, packTerms(terms), RESULT_HASH, { gasLimit: 150_000 }),
        ).to.be.revertedWithCustomError(f.market, "JobMarketInsufficientGas");
        expect(await f.market.jobState(jobId)).to.equal(JobState.Settleable);
      },
    );
  });

  describe("withdraw", function () {
    it("pays out all credits once and reverts when there is nothing left", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      await f.market.connect(f.requester).accept(jobId, packTerms(terms), RESULT_HASH);
      await expect(f.market.connect(f.worker1).withdraw(ETH))
        .to.emit(f.market, "Withdrawn")
        .withArgs(f.worker1.address, ETH, f.worker1.address, PRICE - FEE);
      await expect(f.market.connect(f.worker1).withdraw(ETH))
        .to.be.revertedWithCustomError(f.market, "JobMarketNothingToWithdraw")
        .withArgs(f.worker1.address, ETH);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("pays the protocol fees to the treasury whoever calls, once", async function () {
      const f = await loadFixture(deployMarket);
      const market = await f.market.getAddress();
      const { jobId, terms } = await submitted(f, PRICE);
      await f.market.connect(f.requester).accept(jobId, packTerms(terms), RESULT_HASH);
      expect(await f.market.creditOf(market, ETH)).to.equal(FEE);
      const tx = f.market.connect(f.other).withdrawFees(ETH);
      await expect(tx).to.emit(f.market, "Withdrawn").withArgs(market, ETH, f.treasury.address, FEE);
      await expect(tx).to.changeEtherBalances([f.treasury, f.other], [FEE, 0n]);
      await expect(f.market.withdrawFees(ETH))
        .to.be.revertedWithCustomError(f.market, "JobMarketNothingToWithdraw")
        .withArgs(market, ETH);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("pays fees accrued before a treasury change to the new treasury", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      await f.market.connect(f.requester).accept(jobId, packTerms(terms), RESULT_HASH);
      await f.market.connect(f.owner).setParams({ ...DEFAULT_PARAMS, treasury: f.other.address });
      await expect(f.market.withdrawFees(ETH)).to.changeEtherBalances([f.other, f.treasury], [FEE, 0n]);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("lets a blocklisted account withdraw tokens to another address", async function () {
      const f = await loadFixture(deployMarket);
      const token = await f.noReturnToken.getAddress();
      const { jobId, terms } = await submitted(f, 1_000_000n, { token, maxReward: 2_000_000n });
      await f.market.connect(f.requester).accept(jobId, packTerms(terms), RESULT_HASH);
      await f.noReturnToken.setBlocked(f.requester.address, true);
      await expect(f.market.connect(f.requester).withdraw(token)).to.be.reverted;
      // The failed withdrawal lost nothing.
      expect(await f.market.creditOf(f.requester.address, token)).to.equal(1_000_000n);
      await f.market.connect(f.requester).withdrawTo(token, f.other.address);
      expect(await f.noReturnToken.balanceOf(f.other.address)).to.equal(1_000_000n);
      await expect(f.market.connect(f.worker1).withdrawTo(token, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.market,
        "JobMarketZeroAddress",
      );
      await expectConservation(f, [{ jobId, terms }]);
    });
  });

  describe("reentrancy and payee failures", function () {
    it("blocks re-entry from an ETH receiver on withdraw, and the attacker gets paid once", async function () {
      const f = await loadFixture(deployMarket);
      const attacker = await (await ethers.getContractFactory("ReentrantReceiver")).deploy(await f.market.getAddress());
      const terms = await makeTerms(f, { requester: await attacker.getAddress() });
      await attacker.act(f.market.interface.encodeFunctionData("postJob", [packTerms(terms), SPEC_HASH, SPEC]), {
        value: REWARD,
      });
      const jobId = await f.market.jobCount();
      await attacker.act(f.market.interface.encodeFunctionData("cancel", [jobId, packTerms(terms)]));
      await attacker.setReentryCall(f.market.interface.encodeFunctionData("withdraw", [ETH]));
      const before = await ethers.provider.getBalance(await attacker.getAddress());
      await attacker.act(f.market.interface.encodeFunctionData("withdraw", [ETH]));
      expect(await attacker.reentryAttempted()).to.equal(true);
      expect(await attacker.reentrySucceeded()).to.equal(false);
      expect((await ethers.provider.getBalance(await attacker.getAddress())) - before).to.equal(REWARD);
      await expectConservation(f, [{ jobId, terms }], [await attacker.getAddress()]);
    });

    it("blocks re-entry into every mutator during an ETH payout with ReentrancyGuardReentrantCall", async function () {
      const f = await loadFixture(deployMarket);
      const attacker = await (await ethers.getContractFactory("ReentrantReceiver")).deploy(await f.market.getAddress());
      const terms = await makeTerms(f, { requester: await attacker.getAddress() });
      const post = f.market.interface.encodeFunctionData("postJob", [packTerms(terms), SPEC_HASH, SPEC]);
      const guard = f.market.interface.getError("ReentrancyGuardReentrantCall")!.selector;
      const reentries = [
        f.market.interface.encodeFunctionData("withdraw", [ETH]),
        f.market.interface.encodeFunctionData("withdrawTo", [ETH, await attacker.getAddress()]),
        post,
        f.market.interface.encodeFunctionData("cancel", [1n, packTerms(terms)]),
        f.market.interface.encodeFunctionData("settle", [1n, packTerms(terms), RESULT_HASH]),
        f.market.interface.encodeFunctionData("register", [[], ""]),
        f.market.interface.encodeFunctionData("withdrawUnbonded"),
      ];
      const jobs = [];
      for (const data of reentries) {
        // Each round: post and cancel a job so the attacker has a credit, then withdraw it.
        await attacker.act(post, { value: REWARD });
        const jobId = await f.market.jobCount();
        jobs.push({ jobId, terms });
        await attacker.act(f.market.interface.encodeFunctionData("cancel", [jobId, packTerms(terms)]));
        await attacker.setReentryCall(data);
        await attacker.act(f.market.interface.encodeFunctionData("withdraw", [ETH]));
        expect(await attacker.reentrySucceeded()).to.equal(false);
        expect((await attacker.reentryRevertData()).slice(0, 10)).to.equal(guard);
      }
      await expectConservation(f, jobs, [await attacker.getAddress()]);
    });

    it("a payee that rejects ETH only blocks its own withdrawal", async function () {
      const f = await loadFixture(deployMarket);
      const stubborn = await (await ethers.getContractFactory("RevertingReceiver")).deploy(await f.market.getAddress());
      const terms = await makeTerms(f, { requester: await stubborn.getAddress() });
      await stubborn.act(f.market.interface.encodeFunctionData("postJob", [packTerms(terms), SPEC_HASH, SPEC]), {
        value: REWARD,
      });
      const jobId = await f.market.jobCount();
      await bidAndSubmit(f, jobId, terms, PRICE);
      await f.market.connect(f.other).settle(jobId, packTerms(terms), RESULT_HASH);

      await expect(stubborn.act(f.market.interface.encodeFunctionData("withdraw", [ETH])))
        .to.be.revertedWithCustomError(f.market, "JobMarketTransferFailed")
        .withArgs(await stubborn.getAddress(), REWARD - PRICE);
      await expect(f.market.connect(f.worker1).withdraw(ETH)).to.changeEtherBalance(f.worker1, PRICE - FEE);
      await expect(f.market.connect(f.other).withdrawFees(ETH)).to.changeEtherBalance(f.treasury, FEE);
      // It can still take its refund elsewhere.
      await stubborn.act(f.market.interface.encodeFunctionData("withdrawTo", [ETH, f.other.address]));
      await expectConservation(f, [{ jobId, terms }], [await stubborn.getAddress()]);
    });
  });
});

export type { JobTerms };
