import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BOND,
  DEFAULT_PARAMS,
  ETH,
  JobState,
  Pricing,
  REWARD,
  WORKER_STAKE,
  commit,
  deployMarket,
  expectConservation,
  postJob,
  reveal,
  runAuction,
  salt,
  states,
  postUntilSameBidSlot,
  postUntilSameAwardLane,
  packTerms,
  jobOf,
  RESULT,
  RESULT_HASH,
} from "./helpers/fixture";

const P = (eth: string) => ethers.parseEther(eth);
const low192 = (commitment: string) => ethers.toBeHex(BigInt(commitment) & ((1n << 192n) - 1n), 32);

/** Gas of a fresh sealed bid by `bidder` on the job. */
async function commitGas(
  f: Awaited<ReturnType<typeof deployMarket>>,
  jobId: bigint,
  terms: Parameters<typeof commit>[2],
  bidder: Parameters<typeof commit>[3],
) {
  const c = await f.market.computeCommitment(jobId, 0, bidder.address, P("1"), salt(`${jobId}:0:${bidder.address}`));
  return (await (await f.market.connect(bidder).commitBid(jobId, packTerms(terms), c)).wait())!.gasUsed;
}

describe("JobMarket auction", function () {
  describe("commitBid", function () {
    it("stores the commitment, locks the bond and emits BidCommitted", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      const commitment = await f.market.computeCommitment(jobId, 0, f.worker1.address, P("1"), salt("a"));
      await expect(f.market.connect(f.worker1).commitBid(jobId, packTerms(terms), commitment))
        .to.emit(f.market, "BidCommitted")
        .withArgs(jobId, f.worker1.address, 0, commitment);
      // The market keeps the commitment's low 192 bits.
      expect(await f.market.commitmentOf(jobId, 0, f.worker1.address)).to.equal(low192(commitment));
      expect((await f.market.getWorker(f.worker1.address)).locked).to.equal(BOND);
      expect((await f.market.getJob(jobId)).commits).to.equal(1);
      await commit(f, jobId, terms, f.worker2, P("1"));
      expect((await f.market.getJob(jobId)).commits).to.equal(2);
    });

    describe("the bidder's ring of bid slots", function () {
      it("reuses a slot once its bid is revealed, for the next job of the same residue", async function () {
        const f = await loadFixture(deployMarket);
        const first = await postJob(f);
        await commit(f, first.jobId, first.terms, f.worker1, P("1"));
        await time.increaseTo((await f.market.getJob(first.jobId)).deadline);
        await reveal(f, first.jobId, first.terms, f.worker1, P("1"));
        expect(await f.market.commitmentOf(first.jobId, 0, f.worker1.address)).to.equal(ethers.ZeroHash);

        await postUntilSameBidSlot(f, first.jobId);
        const next = await postJob(f);
        expect(next.jobId % (await f.market.BID_SLOTS())).to.equal(first.jobId % (await f.market.BID_SLOTS()));
        // A slot written before: a rewrite, far below the 20,000 of a fresh slot.
        const warm = await commitGas(f, next.jobId, next.terms, f.worker1);
        const fresh = await commitGas(f, next.jobId, next.terms, f.worker2);
        expect(fresh - warm).to.be.greaterThan(12_000n);
        await expect(commit(f, next.jobId, next.terms, f.worker1, P("1")))
          .to.be.revertedWithCustomError(f.market, "JobMarketAlreadyCommitted")
          .withArgs(next.jobId, f.worker1.address);
        await time.increaseTo((await f.market.getJob(next.jobId)).deadline);
        await expect(reveal(f, next.jobId, next.terms, f.worker1, P("1")))
          .to.emit(f.market, "BidRevealed")
          .withArgs(next.jobId, f.worker1.address, 0, P("1"), true);
      });

      it("sets a bid aside while its slot holds another job's unrevealed bid", async function () {
        const f = await loadFixture(deployMarket);
        const held = await postJob(f);
        await commit(f, held.jobId, held.terms, f.worker1, P("1"));
        await postUntilSameBidSlot(f, held.jobId);
        const next = await postJob(f);
        await commit(f, next.jobId, next.terms, f.worker1, P("0.5"));
        const sealed = await f.market.computeCommitment(
          next.jobId,
          0,
          f.worker1.address,
          P("0.5"),
          salt(`${next.jobId}:0:${f.worker1.address}`),
        );
        expect(await f.market.commitmentOf(next.jobId, 0, f.worker1.address)).to.equal(low192(sealed));
        await expect(commit(f, next.jobId, next.terms, f.worker1, P("0.4")))
          .to.be.revertedWithCustomError(f.market, "JobMarketAlreadyCommitted")
          .withArgs(next.jobId, f.worker1.address);
        // Both bids are whole: each reveals against its own job, or is forfeited there.
        await time.increaseTo((await f.market.getJob(next.jobId)).deadline);
        await expect(f.market.connect(f.worker1).revealBid(next.jobId, packTerms(next.terms), P("0.5"), salt("wrong")))
          .to.be.revertedWithCustomError(f.market, "JobMarketCommitmentMismatch")
          .withArgs(next.jobId, f.worker1.address);
        await reveal(f, next.jobId, next.terms, f.worker1, P("0.5"));
        expect((await f.market.getJob(next.jobId)).winner).to.equal(f.worker1.address);
        expect(await f.market.commitmentOf(held.jobId, 0, f.worker1.address)).to.not.equal(ethers.ZeroHash);
        await time.increaseTo((await f.market.getJob(held.jobId)).revealDeadline);
        await expect(
          f.market
            .connect(f.other)
            .forfeitUnrevealed(held.jobId, packTerms(held.terms), ethers.ZeroHash, 0, f.worker1.address),
        ).to.emit(f.market, "BidForfeited");
        expect(await f.market.commitmentOf(held.jobId, 0, f.worker1.address)).to.equal(ethers.ZeroHash);
      });

      it("refuses a second bid on a job whose bid was set aside, after the slot was freed", async function () {
        const f = await loadFixture(deployMarket);
        const held = await postJob(f, { commitWindow: 100 });
        await commit(f, held.jobId, held.terms, f.worker1, P("1"));
        await postUntilSameBidSlot(f, held.jobId);
        const next = await postJob(f, { commitWindow: 1_000 });
        await commit(f, next.jobId, next.terms, f.worker1, P("1.5"));
        // The held bid is revealed while the next job is still open: its slot is free again.
        await time.increaseTo((await f.market.getJob(held.jobId)).deadline);
        await reveal(f, held.jobId, held.terms, f.worker1, P("1"));
        expect(await f.market.jobState(next.jobId)).to.equal(JobState.Open);
        // A second bid there would let the bidder pick which of its two prices to reveal.
        const second = await f.market.computeCommitment(next.jobId, 0, f.worker1.address, P("0.1"), salt("second"));
        await expect(f.market.connect(f.worker1).commitBid(next.jobId, packTerms(next.terms), second))
          .to.be.revertedWithCustomError(f.market, "JobMarketAlreadyCommitted")
          .withArgs(next.jobId, f.worker1.address);
        // A job posted after the slot was freed uses it.
        await postUntilSameBidSlot(f, next.jobId);
        const later = await postJob(f);
        const reused = await commitGas(f, later.jobId, later.terms, f.worker1);
        expect((await commitGas(f, later.jobId, later.terms, f.worker2)) - reused).to.be.greaterThan(12_000n);
      });

      it("refuses a commitment whose low 192 bits are zero", async function () {
        const f = await loadFixture(deployMarket);
        const { jobId, terms } = await postJob(f);
        const highOnly = ethers.toBeHex(1n << 200n, 32);
        await expect(
          f.market.connect(f.worker1).commitBid(jobId, packTerms(terms), highOnly),
        ).to.be.revertedWithCustomError(f.market, "JobMarketZeroCommitment");
      });
    });

    it("binds chain id, market, job, round, bidder, price and salt into the commitment", async function () {
      const f = await loadFixture(deployMarket);
      const { chainId } = await ethers.provider.getNetwork();
      const expected = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["uint256", "address", "uint256", "uint8", "address", "uint96", "bytes32"],
          [chainId, await f.market.getAddress(), 7n, 2, f.worker1.address, P("1"), salt("x")],
        ),
      );
      expect(await f.market.computeCommitment(7n, 2, f.worker1.address, P("1"), salt("x"))).to.equal(expected);
    });

    it("reverts for a second commitment by the same bidder in a round", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      await expect(f.market.connect(f.worker1).commitBid(jobId, packTerms(terms), ethers.id("again")))
        .to.be.revertedWithCustomError(f.market, "JobMarketAlreadyCommitted")
        .withArgs(jobId, f.worker1.address);
    });

    it("names the second commitment, not the stake, when the first locked all free stake", async function () {
      const f = await loadFixture(deployMarket);
      // A bond of the whole stake: after the first bid nothing is free.
      const { jobId, terms } = await postJob(f, { bond: WORKER_STAKE });
      await commit(f, jobId, terms, f.worker1, P("1"));
      await expect(f.market.connect(f.worker1).commitBid(jobId, packTerms(terms), ethers.id("again")))
        .to.be.revertedWithCustomError(f.market, "JobMarketAlreadyCommitted")
        .withArgs(jobId, f.worker1.address);
    });

    it("reverts for a zero commitment and for an unregistered bidder", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await expect(
        f.market.connect(f.worker1).commitBid(jobId, packTerms(terms), ethers.ZeroHash),
      ).to.be.revertedWithCustomError(f.market, "JobMarketZeroCommitment");
      await expect(f.market.connect(f.other).commitBid(jobId, packTerms(terms), ethers.id("c")))
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryNotRegistered")
        .withArgs(f.other.address);
    });

    it("enforces the job's minimum stake and reputation filter", async function () {
      const f = await loadFixture(deployMarket);
      const a = await postJob(f, { minStake: WORKER_STAKE + 1n });
      await expect(f.market.connect(f.worker1).commitBid(a.jobId, packTerms(a.terms), ethers.id("c")))
        .to.be.revertedWithCustomError(f.market, "JobMarketStakeTooLow")
        .withArgs(WORKER_STAKE, WORKER_STAKE + 1n);
      const b = await postJob(f, { minCompleted: 1 });
      await expect(f.market.connect(f.worker1).commitBid(b.jobId, packTerms(b.terms), ethers.id("c")))
        .to.be.revertedWithCustomError(f.market, "JobMarketReputationTooLow")
        .withArgs(0, 1);
      const c = await postJob(f, { minStake: WORKER_STAKE });
      await expect(f.market.connect(f.worker1).commitBid(c.jobId, packTerms(c.terms), ethers.id("c"))).to.emit(
        f.market,
        "BidCommitted",
      );
    });

    it("reverts when free stake cannot cover the bond", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f, { bond: WORKER_STAKE });
      await commit(f, jobId, terms, f.worker1, P("1"));
      const second = await postJob(f, { bond: 1n });
      await expect(f.market.connect(f.worker1).commitBid(second.jobId, packTerms(second.terms), ethers.id("c")))
        .to.be.revertedWithCustomError(f.market, "JobMarketInsufficientFreeStake")
        .withArgs(0n, 1n);
    });

    it("accepts a commit in the last second of the window and reverts at the deadline", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      const deadline = (await f.market.getJob(jobId)).deadline;
      await time.setNextBlockTimestamp(deadline - 1n);
      await commit(f, jobId, terms, f.worker1, P("1"));
      await time.setNextBlockTimestamp(deadline);
      await expect(f.market.connect(f.worker2).commitBid(jobId, packTerms(terms), ethers.id("late")))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Revealing, states(JobState.Open));
    });
  });

  describe("revealBid", function () {
    it("reveals in the window, tracks the lowest price and releases losers' bonds", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1.5"));
      await commit(f, jobId, terms, f.worker2, P("1.0"));
      await commit(f, jobId, terms, f.worker3, P("1.2"));
      await time.increaseTo((await f.market.getJob(jobId)).deadline);

      await expect(reveal(f, jobId, terms, f.worker1, P("1.5")))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.worker1.address, 0, P("1.5"), true);
      await expect(reveal(f, jobId, terms, f.worker2, P("1.0")))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.worker2.address, 0, P("1.0"), true);
      // The displaced leader gets its bond back.
      expect((await f.market.getWorker(f.worker1.address)).locked).to.equal(0n);
      await expect(reveal(f, jobId, terms, f.worker3, P("1.2")))
        .to.emit(f.market, "BidRevealed")
        .withArgs(jobId, f.worker3.address, 0, P("1.2"), false);
      expect((await f.market.getWorker(f.worker3.address)).locked).to.equal(0n);
      expect((await f.market.getWorker(f.worker2.address)).locked).to.equal(BOND);

      const job = await f.market.getJob(jobId);
      expect(job.winner).to.equal(f.worker2.address);
      expect(job.price).to.equal(P("1.0"));
      expect(await f.market.commitmentOf(jobId, 0, f.worker1.address)).to.equal(ethers.ZeroHash);
    });

    it("gives a tie to the earlier reveal", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId } = await runAuction(f, [
        { bidder: f.worker2, price: P("1") },
        { bidder: f.worker1, price: P("1") },
      ]);
      expect((await f.market.getJob(jobId)).winner).to.equal(f.worker2.address);
    });

    it("reverts before the commit deadline, at the reveal deadline, and accepts the seconds in between", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      await commit(f, jobId, terms, f.worker2, P("1.1"));
      const job = await f.market.getJob(jobId);
      await time.setNextBlockTimestamp(job.deadline - 1n);
      await expect(reveal(f, jobId, terms, f.worker1, P("1")))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Open, states(JobState.Revealing));
      await time.setNextBlockTimestamp(job.deadline);
      await expect(reveal(f, jobId, terms, f.worker1, P("1"))).to.emit(f.market, "BidRevealed");
      await time.setNextBlockTimestamp(job.revealDeadline - 1n);
      await expect(reveal(f, jobId, terms, f.worker2, P("1.1"))).to.emit(f.market, "BidRevealed");
      expect(await f.market.jobState(jobId)).to.equal(JobState.Revealing);
      await time.increaseTo(job.revealDeadline);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Awarding);
    });

    it("reverts at the reveal deadline", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      await time.setNextBlockTimestamp((await f.market.getJob(jobId)).revealDeadline);
      await expect(reveal(f, jobId, terms, f.worker1, P("1")))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Unfilled, states(JobState.Revealing));
    });

    it("reverts when price or salt do not match the commitment", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      await time.increaseTo((await f.market.getJob(jobId)).deadline);
      await expect(reveal(f, jobId, terms, f.worker1, P("0.9")))
        .to.be.revertedWithCustomError(f.market, "JobMarketCommitmentMismatch")
        .withArgs(jobId, f.worker1.address);
      await expect(f.market.connect(f.worker1).revealBid(jobId, packTerms(terms), P("1"), salt("wrong")))
        .to.be.revertedWithCustomError(f.market, "JobMarketCommitmentMismatch")
        .withArgs(jobId, f.worker1.address);
    });

    it("rejects a commitment copied from another bidder at reveal", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      const copied = await f.market.commitmentOf(jobId, 0, f.worker1.address);
      await f.market.connect(f.worker2).commitBid(jobId, packTerms(terms), copied);
      await time.increaseTo((await f.market.getJob(jobId)).deadline);
      // Even with the victim's price and salt, the copier's address breaks the hash.
      const victimSalt = salt(`${jobId}:0:${f.worker1.address}`);
      await expect(f.market.connect(f.worker2).revealBid(jobId, packTerms(terms), P("1"), victimSalt))
        .to.be.revertedWithCustomError(f.market, "JobMarketCommitmentMismatch")
        .withArgs(jobId, f.worker2.address);
    });

    it("reverts for a price of zero or above the maximum reward", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, REWARD + 1n);
      await commit(f, jobId, terms, f.worker2, 0n);
      await time.increaseTo((await f.market.getJob(jobId)).deadline);
      await expect(reveal(f, jobId, terms, f.worker1, REWARD + 1n))
        .to.be.revertedWithCustomError(f.market, "JobMarketInvalidPrice")
        .withArgs(jobId, REWARD + 1n, REWARD);
      await expect(reveal(f, jobId, terms, f.worker2, 0n))
        .to.be.revertedWithCustomError(f.market, "JobMarketInvalidPrice")
        .withArgs(jobId, 0n, REWARD);
    });

    it("reverts without a commitment, and on a second reveal", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      await time.increaseTo((await f.market.getJob(jobId)).deadline);
      await expect(reveal(f, jobId, terms, f.worker2, P("1")))
        .to.be.revertedWithCustomError(f.market, "JobMarketNoCommitment")
        .withArgs(jobId, f.worker2.address);
      await reveal(f, jobId, terms, f.worker1, P("1"));
      await expect(reveal(f, jobId, terms, f.worker1, P("1")))
        .to.be.revertedWithCustomError(f.market, "JobMarketNoCommitment")
        .withArgs(jobId, f.worker1.address);
    });
  });

  describe("finalizeAuction", function () {
    it("assigns the lowest bidder at its own price (first price); execution clock runs from the reveal deadline", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(f, [
        { bidder: f.worker1, price: P("1.4") },
        { bidder: f.worker2, price: P("1.1") },
      ]);
      const job = await f.market.getJob(jobId);
      await time.increase(600);
      const executionDeadline = job.revealDeadline + BigInt(terms.executionWindow);
      await expect(f.market.connect(f.other).finalizeAuction(jobId, packTerms(terms)))
        .to.emit(f.market, "JobAssigned")
        .withArgs(jobId, f.worker2.address, P("1.1"), executionDeadline);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Assigned);
      expect(await f.market.executionDeadline(jobId, packTerms(terms))).to.equal(executionDeadline);
    });

    it("pays the second-lowest price in a second-price auction", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(
        f,
        [
          { bidder: f.worker1, price: P("1.4") },
          { bidder: f.worker2, price: P("1.1") },
          { bidder: f.worker3, price: P("1.2") },
        ],
        { pricing: Pricing.SecondPrice },
      );
      await expect(f.market.finalizeAuction(jobId, packTerms(terms)))
        .to.emit(f.market, "JobAssigned")
        .withArgs(
          jobId,
          f.worker2.address,
          P("1.2"),
          (await f.market.getJob(jobId)).revealDeadline + BigInt(terms.executionWindow),
        );
    });

    it("pays the displaced best price when the winner reveals last (second price)", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(
        f,
        [
          { bidder: f.worker1, price: P("1.3") },
          { bidder: f.worker2, price: P("1.5") },
          { bidder: f.worker3, price: P("1.0") },
        ],
        { pricing: Pricing.SecondPrice },
      );
      await f.market.finalizeAuction(jobId, packTerms(terms));
      const job = await f.market.getJob(jobId);
      expect(job.winner).to.equal(f.worker3.address);
      expect(job.price).to.equal(P("1.3"));
    });

    it("pays the maximum reward in a second-price auction with a single bid", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: P("0.5") }], {
        pricing: Pricing.SecondPrice,
      });
      await f.market.finalizeAuction(jobId, packTerms(terms));
      expect((await f.market.getJob(jobId)).price).to.equal(REWARD);
    });

    it("reverts during the reveal window and when nobody revealed", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      const job = await f.market.getJob(jobId);
      await time.setNextBlockTimestamp(job.revealDeadline - 1n);
      await expect(f.market.finalizeAuction(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Revealing, states(JobState.Awarding));
      await time.setNextBlockTimestamp(job.revealDeadline);
      await expect(f.market.finalizeAuction(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Unfilled, states(JobState.Awarding));
    });
  });

  describe("forfeitUnrevealed", function () {
    it("takes forfeitBps of a non-revealer's bond: a bounty to the caller, the rest to the treasury", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      await commit(f, jobId, terms, f.worker2, P("1.2"));
      await time.increaseTo((await f.market.getJob(jobId)).deadline);
      await reveal(f, jobId, terms, f.worker1, P("1"));
      await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);

      const forfeited = (BOND * BigInt(DEFAULT_PARAMS.forfeitBps)) / 10_000n;
      const bounty = (forfeited * BigInt(DEFAULT_PARAMS.slashBountyBps)) / 10_000n;
      await expect(
        f.market.connect(f.other).forfeitUnrevealed(jobId, packTerms(terms), ethers.ZeroHash, 0, f.worker2.address),
      )
        .to.emit(f.market, "BidForfeited")
        .withArgs(jobId, f.worker2.address, 0, forfeited, f.other.address);
      const w = await f.market.getWorker(f.worker2.address);
      expect(w.stake).to.equal(WORKER_STAKE - forfeited);
      expect(w.locked).to.equal(0n);
      expect(await f.market.creditOf(f.other.address, ETH)).to.equal(bounty);
      expect(await f.market.creditOf(f.treasury.address, ETH)).to.equal(forfeited - bounty);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(0n);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("pays no bounty to a bidder that forfeits its own bid", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
      const forfeited = (BOND * BigInt(DEFAULT_PARAMS.forfeitBps)) / 10_000n;
      await f.market
        .connect(f.worker1)
        .forfeitUnrevealed(jobId, packTerms(terms), ethers.ZeroHash, 0, f.worker1.address);
      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(0n);
      expect(await f.market.creditOf(f.treasury.address, ETH)).to.equal(forfeited);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(0n);
    });

    it("reverts while the reveal window is open (boundary at the deadline)", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      const { revealDeadline } = await f.market.getJob(jobId);
      await time.setNextBlockTimestamp(revealDeadline - 1n);
      await expect(f.market.forfeitUnrevealed(jobId, packTerms(terms), ethers.ZeroHash, 0, f.worker1.address))
        .to.be.revertedWithCustomError(f.market, "JobMarketRevealStillOpen")
        .withArgs(jobId, revealDeadline);
      await time.setNextBlockTimestamp(revealDeadline);
      await expect(f.market.forfeitUnrevealed(jobId, packTerms(terms), ethers.ZeroHash, 0, f.worker1.address)).to.emit(
        f.market,
        "BidForfeited",
      );
    });

    it("reverts for a revealed bid, an unknown bidder and a second forfeit", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: P("1") }]);
      await expect(f.market.forfeitUnrevealed(jobId, packTerms(terms), ethers.ZeroHash, 0, f.worker1.address))
        .to.be.revertedWithCustomError(f.market, "JobMarketNoCommitment")
        .withArgs(jobId, f.worker1.address);
      await expect(f.market.forfeitUnrevealed(jobId, packTerms(terms), ethers.ZeroHash, 0, f.worker2.address))
        .to.be.revertedWithCustomError(f.market, "JobMarketNoCommitment")
        .withArgs(jobId, f.worker2.address);
    });

    it("closes bids of an earlier round after the job was reposted", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, P("1"));
      await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
      await f.market.connect(f.requester).repost(jobId, packTerms(terms));
      await expect(f.market.forfeitUnrevealed(jobId, packTerms(terms), ethers.ZeroHash, 0, f.worker1.address)).to.emit(
        f.market,
        "BidForfeited",
      );
      // The same worker may bid again in the new round.
      await commit(f, jobId, terms, f.worker1, P("1"), 1);
      expect(await f.market.commitmentOf(jobId, 1, f.worker1.address)).to.not.equal(ethers.ZeroHash);
    });
  });

  describe("repost", function () {
    it("starts a new round for an unfilled job", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Unfilled);
      const now = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(now);
      const commitDeadline = now + Number(terms.commitWindow);
      await expect(f.market.connect(f.requester).repost(jobId, packTerms(terms)))
        .to.emit(f.market, "JobReopened")
        .withArgs(jobId, 1, commitDeadline, commitDeadline + Number(terms.revealWindow));
      expect(await f.market.jobState(jobId)).to.equal(JobState.Open);
      await runRound(f, jobId, terms);
    });

    it("reverts for anyone but the requester, and when no round fits before expiry", async function () {
      const f = await loadFixture(deployMarket);
      const roundLength = 4 * 3600;
      const { jobId, terms } = await postJob(f, { expiry: (await time.latest()) + roundLength + 1800 });
      await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
      await expect(f.market.connect(f.other).repost(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketNotRequester")
        .withArgs(jobId, f.other.address);
      await expect(f.market.connect(f.requester).repost(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketNoTimeLeft")
        .withArgs(jobId, terms.expiry);
    });
  });

  describe("reclaim", function () {
    it("credits the reward back to the requester of an unfilled job", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
      await expect(f.market.connect(f.requester).reclaim(jobId, packTerms(terms)))
        .to.emit(f.market, "JobRefunded")
        .withArgs(jobId, REWARD);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(REWARD);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Refunded);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("lets anyone reclaim for the requester from the expiry on, and nobody else before", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await time.setNextBlockTimestamp(BigInt(terms.expiry) - 1n);
      await expect(f.market.connect(f.other).reclaim(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketNotRequester")
        .withArgs(jobId, f.other.address);
      await time.setNextBlockTimestamp(terms.expiry);
      await expect(f.market.connect(f.other).reclaim(jobId, packTerms(terms))).to.emit(f.market, "JobRefunded");
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(REWARD);
      expect(await f.market.creditOf(f.other.address, ETH)).to.equal(0n);
    });

    it("reverts while the auction still has a winner to assign", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await runAuction(f, [{ bidder: f.worker1, price: P("1") }]);
      await expect(f.market.connect(f.requester).reclaim(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Awarding, states(JobState.Unfilled));
    });
  });

  describe("award lanes", function () {
    type F = Awaited<ReturnType<typeof deployMarket>>;
    type Job = Awaited<ReturnType<typeof postJob>>;

    /** Each winner submits; once every challenge window has passed, anyone settles each job. */
    async function submitAndSettle(f: F, wins: { job: Job; winner: typeof f.worker1; price: bigint }[]) {
      for (const { job, winner } of wins) {
        await f.market.connect(winner).submitResult(job.jobId, packTerms(job.terms), RESULT_HASH, RESULT);
      }
      await time.increaseTo((await jobOf(f, wins[wins.length - 1].job.jobId)).deadline);
      for (const { job, winner, price } of wins) await settled(f, job, winner, price);
    }

    async function settled(f: F, job: Job, winner: typeof f.worker1, price: bigint) {
      const fee = (price * BigInt(DEFAULT_PARAMS.feeBps)) / 10_000n;
      await expect(f.market.connect(f.other).settle(job.jobId, packTerms(job.terms), RESULT_HASH))
        .to.emit(f.market, "JobSettled")
        .withArgs(job.jobId, winner.address, RESULT_HASH, price, fee, REWARD - price);
      const record = await jobOf(f, job.jobId);
      // Forgotten once the job is over: the lane serves later jobs; JobSettled keeps them.
      expect([record.winner, record.price]).to.deep.equal([ethers.ZeroAddress, 0n]);
    }

    async function revealGas(f: F, job: Job, bidder: typeof f.worker1, price: bigint, round = 0) {
      return (await (await reveal(f, job.jobId, job.terms, bidder, price, round)).wait())!.gasUsed;
    }

    it("sets an award aside while a live job holds its lane; each job pays its own winner and price", async function () {
      const f = await loadFixture(deployMarket);
      // The first job's result is in: the job is live and its award holds the lane.
      const first = await runAuction(f, [{ bidder: f.worker1, price: P("1.5") }]);
      await f.market.connect(f.worker1).submitResult(first.jobId, packTerms(first.terms), RESULT_HASH, RESULT);
      const fillers = await postUntilSameAwardLane(f, first.jobId);
      const second = await postJob(f);
      expect(second.jobId - first.jobId).to.equal(await f.market.AWARD_LANES());

      await commit(f, second.jobId, second.terms, f.worker2, P("1.2"));
      await commit(f, second.jobId, second.terms, f.worker3, P("0.9"));
      await time.increaseTo((await jobOf(f, second.jobId)).deadline);
      await reveal(f, second.jobId, second.terms, f.worker2, P("1.2"));
      await expect(reveal(f, second.jobId, second.terms, f.worker3, P("0.9")))
        .to.emit(f.market, "BidRevealed")
        .withArgs(second.jobId, f.worker3.address, 0, P("0.9"), true);
      const [a, b] = [await jobOf(f, first.jobId), await jobOf(f, second.jobId)];
      expect([a.winner, a.price]).to.deep.equal([f.worker1.address, P("1.5")]);
      expect([b.winner, b.price, b.commits]).to.deep.equal([f.worker3.address, P("0.9"), 2n]);
      // The displaced leader's bond is free again.
      expect((await f.market.getWorker(f.worker2.address)).locked).to.equal(0n);

      await time.increaseTo(b.revealDeadline);
      await submitAndSettle(f, [{ job: second, winner: f.worker3, price: P("0.9") }]);
      await settled(f, first, f.worker1, P("1.5"));
      await expectConservation(f, [first, ...fillers, second]);
    });

    it("frees a lane at settlement: the job AWARD_LANES later rewrites it instead of filling a fresh slot", async function () {
      const f = await loadFixture(deployMarket);
      const first = await postJob(f);
      await commit(f, first.jobId, first.terms, f.worker1, P("1.5"));
      await time.increaseTo((await jobOf(f, first.jobId)).deadline);
      const freshLane = await revealGas(f, first, f.worker1, P("1.5"));
      await time.increaseTo((await jobOf(f, first.jobId)).revealDeadline);
      await submitAndSettle(f, [{ job: first, winner: f.worker1, price: P("1.5") }]);

      const fillers = await postUntilSameAwardLane(f, first.jobId);
      const second = await postJob(f);
      await commit(f, second.jobId, second.terms, f.worker2, P("1.2"));
      await time.increaseTo((await jobOf(f, second.jobId)).deadline);
      const reusedLane = await revealGas(f, second, f.worker2, P("1.2"));
      // A fresh slot costs 20,000 gas to fill, a used one 2,900 to rewrite (a set-aside award
      // would fill a fresh slot again).
      expect(freshLane - reusedLane).to.be.greaterThan(15_000n);
      await time.increaseTo((await jobOf(f, second.jobId)).revealDeadline);
      await submitAndSettle(f, [{ job: second, winner: f.worker2, price: P("1.2") }]);
      await expectConservation(f, [first, ...fillers, second]);
    });

    it("frees a lane when its job reopens after a no-show; the new round sets aside if the lane is taken", async function () {
      const f = await loadFixture(deployMarket);
      const first = await runAuction(f, [{ bidder: f.worker1, price: P("1.5") }]);
      await f.market.finalizeAuction(first.jobId, packTerms(first.terms));
      await time.increaseTo((await jobOf(f, first.jobId)).deadline);
      await expect(f.market.connect(f.other).slashNoShow(first.jobId, packTerms(first.terms))).to.emit(
        f.market,
        "JobReopened",
      );
      const reopened = await jobOf(f, first.jobId);
      expect([reopened.winner, reopened.price, reopened.round]).to.deep.equal([ethers.ZeroAddress, 0n, 1n]);

      // A later job of the same lane takes it; the reopened round then sets its award aside.
      const fillers = await postUntilSameAwardLane(f, first.jobId);
      const second = await postJob(f);
      await commit(f, first.jobId, first.terms, f.worker3, P("0.7"), 1);
      await commit(f, second.jobId, second.terms, f.worker2, P("1.2"));
      await time.increaseTo((await jobOf(f, second.jobId)).deadline);
      const laneGas = await revealGas(f, second, f.worker2, P("1.2"));
      const asideGas = await revealGas(f, first, f.worker3, P("0.7"), 1);
      expect(asideGas - laneGas).to.be.greaterThan(15_000n);
      const [a, b] = [await jobOf(f, first.jobId), await jobOf(f, second.jobId)];
      expect([a.winner, a.price]).to.deep.equal([f.worker3.address, P("0.7")]);
      expect([b.winner, b.price]).to.deep.equal([f.worker2.address, P("1.2")]);

      await time.increaseTo(b.revealDeadline);
      await submitAndSettle(f, [
        { job: first, winner: f.worker3, price: P("0.7") },
        { job: second, winner: f.worker2, price: P("1.2") },
      ]);
      await expectConservation(f, [first, ...fillers, second]);
    });
  });
});

/** Runs one more round of bidding on a reopened job and checks it assigns. */
async function runRound(
  f: Awaited<ReturnType<typeof deployMarket>>,
  jobId: bigint,
  terms: Parameters<typeof commit>[2],
) {
  const job = await f.market.getJob(jobId);
  await commit(f, jobId, terms, f.worker3, P("0.7"), Number(job.round));
  await time.increaseTo(job.deadline);
  await reveal(f, jobId, terms, f.worker3, P("0.7"), Number(job.round));
  await time.increaseTo(job.revealDeadline);
  await f.market.finalizeAuction(jobId, packTerms(terms));
  expect((await f.market.getJob(jobId)).winner).to.equal(f.worker3.address);
}
