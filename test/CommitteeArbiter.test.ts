import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BOND,
  DAY,
  DEFAULT_PARAMS,
  ETH,
  HOUR,
  JobState,
  REWARD,
  RESULT,
  RESULT_HASH,
  WINDOWS,
  WORKER_STAKE,
  atTime,
  commit,
  deployMarket,
  expectConservation,
  reveal,
  states,
  submitted,
  type Fixture,
  type JobTerms,
  packTerms,
} from "./helpers/fixture";

const VOTING_PERIOD = DAY; // as deployed by the fixture
const DISPUTE_BOND = DEFAULT_PARAMS.disputeBond;
const PRICE = ethers.parseEther("1.5");
const FEE = (PRICE * BigInt(DEFAULT_PARAMS.feeBps)) / 10_000n;
const BOUNTY = (BOND * BigInt(DEFAULT_PARAMS.slashBountyBps)) / 10_000n;
const SLASH_REASON_DISPUTE_LOST = 1;

/** Disputes a submitted result at a known time; `f.other` is the disputer. */
async function openDispute(f: Fixture, jobId: bigint, terms: JobTerms) {
  const openedAt = (await time.latest()) + 10;
  await atTime(openedAt);
  await f.market.connect(f.other).dispute(jobId, packTerms(terms), RESULT_HASH, { value: DISPUTE_BOND });
  return { openedAt, votingEnds: openedAt + VOTING_PERIOD, rulingDeadline: openedAt + DEFAULT_PARAMS.rulingTimeout };
}

/** A job with worker1's result under dispute. */
async function disputed(f: Fixture, overrides: Partial<JobTerms> = {}) {
  const { jobId, terms } = await submitted(f, PRICE, overrides);
  return { jobId, terms, ...(await openDispute(f, jobId, terms)) };
}

/** Runs round `round` of a reopened job with worker1 alone and submits the result again. */
async function resubmit(f: Fixture, jobId: bigint, terms: JobTerms, round: number) {
  await commit(f, jobId, terms, f.worker1, PRICE, round);
  await time.increaseTo((await f.market.getJob(jobId)).deadline);
  await reveal(f, jobId, terms, f.worker1, PRICE, round);
  await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
  await f.market.finalizeAuction(jobId, packTerms(terms));
  await f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT);
}

async function voteAll(f: Fixture, jobId: bigint, votes: boolean[]) {
  for (let i = 0; i < votes.length; i++) await f.arbiter.connect(f.members[i]).vote(jobId, votes[i]);
}

function fakeAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => ethers.getAddress(ethers.toBeHex(0x1000 + i, 20)));
}

describe("CommitteeArbiter", function () {
  describe("constructor", function () {
    async function factoryAndMarket() {
      const f = await loadFixture(deployMarket);
      return { f, factory: await ethers.getContractFactory("CommitteeArbiter"), market: await f.market.getAddress() };
    }

    it("stores the market, members and voting period", async function () {
      const f = await loadFixture(deployMarket);
      const members = f.members.map((m) => m.address);
      expect(await f.arbiter.market()).to.equal(await f.market.getAddress());
      expect(await f.arbiter.votingPeriod()).to.equal(VOTING_PERIOD);
      expect(await f.arbiter.members()).to.deep.equal(members);
      for (const m of members) expect(await f.arbiter.isMember(m)).to.equal(true);
      expect(await f.arbiter.isMember(f.other.address)).to.equal(false);
      expect(await f.arbiter.isMember(ethers.ZeroAddress)).to.equal(false);
    });

    it("reverts when the market is the zero address", async function () {
      const { factory } = await factoryAndMarket();
      await expect(factory.deploy(ethers.ZeroAddress, fakeAddresses(3), DAY)).to.be.revertedWithCustomError(
        factory,
        "CommitteeArbiterZeroMarket",
      );
    });

    it("reverts when the member list is empty", async function () {
      const { factory, market } = await factoryAndMarket();
      await expect(factory.deploy(market, [], DAY))
        .to.be.revertedWithCustomError(factory, "CommitteeArbiterInvalidMembers")
        .withArgs(ethers.ZeroAddress);
    });

    it("accepts 32 members and reverts with 33", async function () {
      const { factory, market } = await factoryAndMarket();
      const big = await factory.deploy(market, fakeAddresses(32), DAY);
      expect(await big.members()).to.have.length(32);
      await expect(factory.deploy(market, fakeAddresses(33), DAY))
        .to.be.revertedWithCustomError(factory, "CommitteeArbiterInvalidMembers")
        .withArgs(ethers.ZeroAddress);
    });

    it("reverts when a member is the zero address", async function () {
      const { factory, market } = await factoryAndMarket();
      const members = fakeAddresses(3);
      members[1] = ethers.ZeroAddress;
      await expect(factory.deploy(market, members, DAY))
        .to.be.revertedWithCustomError(factory, "CommitteeArbiterInvalidMembers")
        .withArgs(ethers.ZeroAddress);
    });

    it("reverts when a member appears twice", async function () {
      const { factory, market } = await factoryAndMarket();
      const members = fakeAddresses(3);
      members[2] = members[0];
      await expect(factory.deploy(market, members, DAY))
        .to.be.revertedWithCustomError(factory, "CommitteeArbiterInvalidMembers")
        .withArgs(members[0]);
    });

    it("reverts when the voting period is zero", async function () {
      const { factory, market } = await factoryAndMarket();
      await expect(factory.deploy(market, fakeAddresses(3), 0))
        .to.be.revertedWithCustomError(factory, "CommitteeArbiterInvalidPeriod")
        .withArgs(0);
    });

    it("accepts a 30-day voting period and reverts one second longer", async function () {
      const { factory, market } = await factoryAndMarket();
      const ok = await factory.deploy(market, fakeAddresses(3), 30 * DAY);
      expect(await ok.votingPeriod()).to.equal(30 * DAY);
      await expect(factory.deploy(market, fakeAddresses(3), 30 * DAY + 1))
        .to.be.revertedWithCustomError(factory, "CommitteeArbiterInvalidPeriod")
        .withArgs(30 * DAY + 1);
    });
  });

  describe("onDisputeOpened", function () {
    it("reverts when the caller is not the market", async function () {
      const f = await loadFixture(deployMarket);
      for (const caller of [f.other, f.members[0], f.owner]) {
        await expect(f.arbiter.connect(caller).onDisputeOpened(1, caller.address, f.worker1.address, RESULT_HASH))
          .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterNotMarket")
          .withArgs(caller.address);
      }
    });

    it("opens a tally and emits the voting deadline when the market opens a dispute", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      const openedAt = (await time.latest()) + 10;
      await atTime(openedAt);
      const tx = f.market.connect(f.other).dispute(jobId, packTerms(terms), RESULT_HASH, { value: DISPUTE_BOND });
      await expect(tx)
        .to.emit(f.arbiter, "DisputeOpened")
        .withArgs(jobId, f.other.address, f.worker1.address, RESULT_HASH, openedAt + VOTING_PERIOD);
      await expect(tx)
        .to.emit(f.market, "JobDisputed")
        .withArgs(
          jobId,
          f.other.address,
          await f.arbiter.getAddress(),
          DISPUTE_BOND,
          openedAt + DEFAULT_PARAMS.rulingTimeout,
        );
      await expect(tx).to.changeEtherBalances([f.other, f.market], [-DISPUTE_BOND, DISPUTE_BOND]);

      const t = await f.arbiter.tally(jobId);
      expect(t.openedAt).to.equal(openedAt);
      expect(t.forWorker).to.equal(0n);
      expect(t.againstWorker).to.equal(0n);
      expect(t.resolved).to.equal(false);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Disputed);
      await expectConservation(f, [{ jobId, terms }]);
    });
  });

  describe("vote", function () {
    it("reverts when the caller is not a member", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId } = await disputed(f);
      for (const caller of [f.other, f.worker1, f.requester]) {
        await expect(f.arbiter.connect(caller).vote(jobId, false))
          .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterNotMember")
          .withArgs(caller.address);
      }
    });

    it("reverts when the job has no dispute", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId } = await submitted(f, PRICE);
      await expect(f.arbiter.connect(f.members[0]).vote(jobId, false))
        .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterNoDispute")
        .withArgs(jobId);
      await expect(f.arbiter.connect(f.members[0]).vote(999, true))
        .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterNoDispute")
        .withArgs(999);
    });

    it("accepts a vote one second before voting closes and reverts at the close", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, votingEnds } = await disputed(f);

      await atTime(votingEnds - 1);
      await expect(f.arbiter.connect(f.members[0]).vote(jobId, true))
        .to.emit(f.arbiter, "Voted")
        .withArgs(jobId, f.members[0].address, true);

      await atTime(votingEnds);
      await expect(f.arbiter.connect(f.members[1]).vote(jobId, false))
        .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterVotingClosed")
        .withArgs(jobId, votingEnds);
      expect(await f.arbiter.hasVoted(jobId, f.members[1].address)).to.equal(false);
    });

    it("reverts when the member votes twice", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId } = await disputed(f);
      await f.arbiter.connect(f.members[0]).vote(jobId, true);
      for (const again of [true, false]) {
        await expect(f.arbiter.connect(f.members[0]).vote(jobId, again))
          .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterAlreadyVoted")
          .withArgs(jobId, f.members[0].address);
      }
      expect((await f.arbiter.tally(jobId)).forWorker).to.equal(1n);
    });

    it("emits Voted and counts each side in the tally", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, openedAt } = await disputed(f);

      await expect(f.arbiter.connect(f.members[0]).vote(jobId, false))
        .to.emit(f.arbiter, "Voted")
        .withArgs(jobId, f.members[0].address, false);
      await expect(f.arbiter.connect(f.members[1]).vote(jobId, true))
        .to.emit(f.arbiter, "Voted")
        .withArgs(jobId, f.members[1].address, true);

      const t = await f.arbiter.tally(jobId);
      expect(t.openedAt).to.equal(openedAt);
      expect(t.forWorker).to.equal(1n);
      expect(t.againstWorker).to.equal(1n);
      expect(t.resolved).to.equal(false);
      expect(await f.arbiter.hasVoted(jobId, f.members[0].address)).to.equal(true);
      expect(await f.arbiter.hasVoted(jobId, f.members[1].address)).to.equal(true);
      expect(await f.arbiter.hasVoted(jobId, f.members[2].address)).to.equal(false);
      // Voting alone moves no money and does not end the dispute.
      expect(await f.market.jobState(jobId)).to.equal(JobState.Disputed);
    });

    it("reverts after the dispute is resolved", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await disputed(f);
      await voteAll(f, jobId, [true, true]);
      await f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH);
      await expect(f.arbiter.connect(f.members[2]).vote(jobId, false))
        .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterNoDispute")
        .withArgs(jobId);
    });
  });

  describe("resolve", function () {
    it("slashes the worker on a majority against it and reopens the job", async function () {
      const f = await loadFixture(deployMarket);
      const job = await disputed(f);
      const { jobId, terms } = job;
      await voteAll(f, jobId, [false, false]);

      const at = (await time.latest()) + 10;
      await atTime(at);
      const tx = f.arbiter.connect(f.requester).resolve(jobId, packTerms(terms), RESULT_HASH);
      await expect(tx).to.emit(f.arbiter, "Ruled").withArgs(jobId, false, false);
      await expect(tx).to.emit(f.market, "DisputeResolved").withArgs(jobId, false, false);
      await expect(tx)
        .to.emit(f.market, "WorkerSlashed")
        .withArgs(jobId, f.worker1.address, SLASH_REASON_DISPUTE_LOST, BOND, f.other.address, BOUNTY);
      await expect(tx)
        .to.emit(f.market, "JobReopened")
        .withArgs(jobId, 1, at + WINDOWS.commitWindow, at + WINDOWS.commitWindow + WINDOWS.revealWindow);
      await expect(tx).not.to.emit(f.market, "JobSettled");
      await expect(tx).not.to.emit(f.market, "JobRefunded");

      const w = await f.market.getWorker(f.worker1.address);
      expect(w.stake).to.equal(WORKER_STAKE - BOND);
      expect(w.locked).to.equal(0n);
      expect(w.disputesLost).to.equal(1n);
      expect(w.completed).to.equal(0n);
      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(0n);
      expect(await f.market.creditOf(f.other.address, ETH)).to.equal(DISPUTE_BOND + BOUNTY);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(BOND - BOUNTY);

      expect(await f.market.jobState(jobId)).to.equal(JobState.Open);
      const stored = await f.market.getJob(jobId);
      expect(stored.round).to.equal(1n);
      expect(stored.winner).to.equal(ethers.ZeroAddress);
      // The rejected result left the digest: the reopened job takes no result hash.
      expect(stored.digest).to.equal(await f.market.jobDigest(jobId, packTerms(terms), ethers.ZeroHash));
      const d = await f.market.getDispute(jobId);
      expect(d.disputer).to.equal(ethers.ZeroAddress);
      expect(d.bond).to.equal(0n);
      expect((await f.arbiter.tally(jobId)).resolved).to.equal(true);
      await expectConservation(f, [{ jobId, terms }]);

      // The disputer can take out the bond and the bounty.
      await expect(f.market.connect(f.other).withdraw(ETH)).to.changeEtherBalances(
        [f.other, f.market],
        [DISPUTE_BOND + BOUNTY, -(DISPUTE_BOND + BOUNTY)],
      );
    });

    it("settles the job on a majority for the worker and pays it the dispute bond", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await disputed(f);
      await voteAll(f, jobId, [true, false, true]);

      const tx = f.arbiter.connect(f.other).resolve(jobId, packTerms(terms), RESULT_HASH);
      await expect(tx).to.emit(f.arbiter, "Ruled").withArgs(jobId, true, false);
      await expect(tx).to.emit(f.market, "DisputeResolved").withArgs(jobId, true, false);
      await expect(tx)
        .to.emit(f.market, "JobSettled")
        .withArgs(jobId, f.worker1.address, RESULT_HASH, PRICE, FEE, REWARD - PRICE);
      await expect(tx).not.to.emit(f.market, "WorkerSlashed");

      expect(await f.market.jobState(jobId)).to.equal(JobState.Settled);
      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(PRICE - FEE + DISPUTE_BOND);
      expect(await f.market.creditOf(f.other.address, ETH)).to.equal(0n);
      expect(await f.market.creditOf(await f.market.getAddress(), ETH)).to.equal(FEE);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(REWARD - PRICE);
      const w = await f.market.getWorker(f.worker1.address);
      expect(w.stake).to.equal(WORKER_STAKE);
      expect(w.locked).to.equal(0n);
      expect(w.completed).to.equal(1n);
      expect(w.disputesLost).to.equal(0n);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("rules at once when a majority is reached, before the voting period ends", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms, votingEnds } = await disputed(f);
      await voteAll(f, jobId, [true, true]);
      expect(await time.latest()).to.be.lessThan(votingEnds);
      await expect(f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH))
        .to.emit(f.arbiter, "Ruled")
        .withArgs(jobId, true, false);
    });

    it("reverts without a majority while the voting period is running, one second before it ends", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms, votingEnds } = await disputed(f);
      await voteAll(f, jobId, [true, false]);

      await atTime(votingEnds - 1);
      await expect(f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH))
        .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterVotingOpen")
        .withArgs(jobId, votingEnds);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Disputed);

      // At the end of the period the split vote falls back to the default: the worker prevails.
      await atTime(votingEnds);
      const tx = f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH);
      await expect(tx).to.emit(f.arbiter, "Ruled").withArgs(jobId, true, true);
      await expect(tx).to.emit(f.market, "DisputeResolved").withArgs(jobId, true, false);
    });

    it("lets the worker win by default when nobody votes and the period has ended", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms, votingEnds } = await disputed(f);

      await atTime(votingEnds + 1);
      const tx = f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH);
      await expect(tx).to.emit(f.arbiter, "Ruled").withArgs(jobId, true, true);
      await expect(tx).to.emit(f.market, "DisputeResolved").withArgs(jobId, true, false);
      await expect(tx)
        .to.emit(f.market, "JobSettled")
        .withArgs(jobId, f.worker1.address, RESULT_HASH, PRICE, FEE, REWARD - PRICE);

      expect(await f.market.jobState(jobId)).to.equal(JobState.Settled);
      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(PRICE - FEE + DISPUTE_BOND);
      expect(await f.market.creditOf(f.other.address, ETH)).to.equal(0n);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("reverts when the dispute was already resolved", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await disputed(f);
      await voteAll(f, jobId, [false, false]);
      await f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH);

      await expect(f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH))
        .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterNoDispute")
        .withArgs(jobId);
    });

    it("reverts when the job was never disputed", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f, PRICE);
      await expect(f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH))
        .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterNoDispute")
        .withArgs(jobId);
    });

    it("keeps a fresh tally for a second dispute after the job is reopened and resubmitted", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms, openedAt: firstOpenedAt } = await disputed(f);
      await voteAll(f, jobId, [false, false, true]);
      await f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Open);

      await resubmit(f, jobId, terms, 1);
      // Between disputes the committee has no open dispute for the job.
      await expect(f.arbiter.connect(f.members[0]).vote(jobId, true))
        .to.be.revertedWithCustomError(f.arbiter, "CommitteeArbiterNoDispute")
        .withArgs(jobId);

      const { openedAt } = await openDispute(f, jobId, terms);
      expect(openedAt).to.be.greaterThan(firstOpenedAt);
      const t = await f.arbiter.tally(jobId);
      expect(t.openedAt).to.equal(openedAt);
      expect(t.forWorker).to.equal(0n);
      expect(t.againstWorker).to.equal(0n);
      expect(t.resolved).to.equal(false);
      for (const m of f.members) expect(await f.arbiter.hasVoted(jobId, m.address)).to.equal(false);

      // Members who voted on the first dispute vote again; this time the worker wins.
      await voteAll(f, jobId, [true, true]);
      const tx = f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH);
      await expect(tx).to.emit(f.arbiter, "Ruled").withArgs(jobId, true, false);
      await expect(tx)
        .to.emit(f.market, "JobSettled")
        .withArgs(jobId, f.worker1.address, RESULT_HASH, PRICE, FEE, REWARD - PRICE);

      const w = await f.market.getWorker(f.worker1.address);
      expect(w.stake).to.equal(WORKER_STAKE - BOND);
      expect(w.locked).to.equal(0n);
      expect(w.disputesLost).to.equal(1n);
      expect(w.completed).to.equal(1n);
      // Both disputes were opened by `other`: the first bond came back with a bounty, the second went to the worker.
      expect(await f.market.creditOf(f.other.address, ETH)).to.equal(DISPUTE_BOND + BOUNTY);
      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(PRICE - FEE + DISPUTE_BOND);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(BOND - BOUNTY + REWARD - PRICE);
      await expectConservation(f, [{ jobId, terms }]);
    });
  });

  describe("JobMarket.rule", function () {
    it("reverts when the caller is not the job's arbiter", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await disputed(f);
      for (const caller of [f.other, f.members[0], f.requester, f.owner]) {
        for (const workerWins of [true, false]) {
          await expect(f.market.connect(caller).rule(jobId, packTerms(terms), RESULT_HASH, workerWins))
            .to.be.revertedWithCustomError(f.market, "JobMarketNotArbiter")
            .withArgs(jobId, caller.address);
        }
      }
      expect(await f.market.jobState(jobId)).to.equal(JobState.Disputed);
    });

    it("reverts when the terms are altered to name the caller as arbiter", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await disputed(f);
      const forged = { ...terms, arbiter: f.other.address };
      await expect(f.market.connect(f.other).rule(jobId, packTerms(forged), RESULT_HASH, false))
        .to.be.revertedWithCustomError(f.market, "JobMarketTermsMismatch")
        .withArgs(jobId);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Disputed);
    });
  });

  describe("JobMarket.resolveStaleDispute", function () {
    it("reverts one second before the ruling deadline and lets the worker win at it", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms, rulingDeadline } = await disputed(f);
      // A majority against the worker that nobody sends to the market does not count.
      await voteAll(f, jobId, [false, false]);

      await atTime(rulingDeadline - 1);
      await expect(f.market.connect(f.worker1).resolveStaleDispute(jobId, packTerms(terms), RESULT_HASH))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Disputed, states(JobState.RulingOverdue));

      await atTime(rulingDeadline);
      const tx = f.market.connect(f.worker1).resolveStaleDispute(jobId, packTerms(terms), RESULT_HASH);
      await expect(tx).to.emit(f.market, "DisputeResolved").withArgs(jobId, true, true);
      await expect(tx)
        .to.emit(f.market, "JobSettled")
        .withArgs(jobId, f.worker1.address, RESULT_HASH, PRICE, FEE, REWARD - PRICE);

      expect(await f.market.jobState(jobId)).to.equal(JobState.Settled);
      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(PRICE - FEE + DISPUTE_BOND);
      expect(await f.market.creditOf(f.other.address, ETH)).to.equal(0n);
      expect((await f.market.getWorker(f.worker1.address)).stake).to.equal(WORKER_STAKE);
      await expectConservation(f, [{ jobId, terms }]);

      // The committee can no longer overturn the settled job.
      await expect(f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Settled, states(JobState.Disputed, JobState.RulingOverdue));
    });

    it("lets the committee still rule after the ruling deadline if nobody resolved the dispute", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms, rulingDeadline } = await disputed(f);
      await voteAll(f, jobId, [false, false]);
      await time.increaseTo(rulingDeadline);
      expect(await f.market.jobState(jobId)).to.equal(JobState.RulingOverdue);
      await expect(f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH))
        .to.emit(f.market, "DisputeResolved")
        .withArgs(jobId, false, false);
      // The rejected result left the job's digest, so the reopened job is addressed without it.
      await expect(f.market.resolveStaleDispute(jobId, packTerms(terms), RESULT_HASH)).to.be.revertedWithCustomError(
        f.market,
        "JobMarketTermsMismatch",
      );
      await expect(f.market.resolveStaleDispute(jobId, packTerms(terms), ethers.ZeroHash))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Open, states(JobState.RulingOverdue));
    });
  });

  describe("reopen or refund after a lost dispute", function () {
    it("refunds the requester instead of reopening when the expiry leaves no time for another round", async function () {
      const f = await loadFixture(deployMarket);
      const roundLength = WINDOWS.commitWindow + WINDOWS.revealWindow + WINDOWS.executionWindow;
      const expiry = (await time.latest()) + roundLength + HOUR;
      const { jobId, terms } = await disputed(f, { expiry });
      await voteAll(f, jobId, [false, false]);

      const tx = f.arbiter.resolve(jobId, packTerms(terms), RESULT_HASH);
      await expect(tx).to.emit(f.arbiter, "Ruled").withArgs(jobId, false, false);
      await expect(tx)
        .to.emit(f.market, "WorkerSlashed")
        .withArgs(jobId, f.worker1.address, SLASH_REASON_DISPUTE_LOST, BOND, f.other.address, BOUNTY);
      await expect(tx).to.emit(f.market, "JobRefunded").withArgs(jobId, REWARD);
      await expect(tx).not.to.emit(f.market, "JobReopened");

      expect(await f.market.jobState(jobId)).to.equal(JobState.Refunded);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(REWARD + BOND - BOUNTY);
      expect(await f.market.creditOf(f.other.address, ETH)).to.equal(DISPUTE_BOND + BOUNTY);
      expect((await f.market.getWorker(f.worker1.address)).stake).to.equal(WORKER_STAKE - BOND);
      await expectConservation(f, [{ jobId, terms }]);

      await expect(f.market.connect(f.requester).withdraw(ETH)).to.changeEtherBalances(
        [f.requester, f.market],
        [REWARD + BOND - BOUNTY, -(REWARD + BOND - BOUNTY)],
      );
    });
  });
});
