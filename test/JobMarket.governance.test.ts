import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BOND,
  DAY,
  DEFAULT_PARAMS,
  ETH,
  REWARD,
  RESULT,
  RESULT_HASH,
  SPEC,
  SPEC_HASH,
  commit,
  deployMarket,
  expectConservation,
  makeTerms,
  postJob,
  reveal,
  submitted,
  type Fixture,
  type JobTerms,
  type Params,
  packTerms,
} from "./helpers/fixture";

const PRICE = ethers.parseEther("1.5");

function feeOf(price: bigint, feeBps: number | bigint): bigint {
  return (price * BigInt(feeBps)) / 10_000n;
}

function params(f: Fixture, overrides: Partial<Params> = {}): Params {
  return { treasury: f.treasury.address, ...DEFAULT_PARAMS, ...overrides };
}

/** The struct as the ParamsUpdated event carries it, in field order. */
function paramsTuple(p: Params) {
  return [
    p.treasury,
    p.feeBps,
    p.forfeitBps,
    p.slashBountyBps,
    p.callbackGasLimit,
    p.rulingTimeout,
    p.unbondingDelay,
    p.disputeBond,
  ];
}

async function expectParams(f: Fixture, p: Params) {
  const stored = await f.market.getParams();
  expect(stored.treasury).to.equal(p.treasury);
  expect(stored.feeBps).to.equal(p.feeBps);
  expect(stored.forfeitBps).to.equal(p.forfeitBps);
  expect(stored.slashBountyBps).to.equal(p.slashBountyBps);
  expect(stored.callbackGasLimit).to.equal(p.callbackGasLimit);
  expect(stored.rulingTimeout).to.equal(p.rulingTimeout);
  expect(stored.unbondingDelay).to.equal(p.unbondingDelay);
  expect(stored.disputeBond).to.equal(p.disputeBond);
}

/** Runs one auction round of an already-posted job with `bidder` alone, then submits its result. */
async function runToSubmitted(f: Fixture, jobId: bigint, terms: JobTerms, bidder = f.worker1, price = PRICE) {
  await commit(f, jobId, terms, bidder, price);
  await time.increaseTo((await f.market.getJob(jobId)).deadline);
  await reveal(f, jobId, terms, bidder, price);
  await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
  await f.market.finalizeAuction(jobId, packTerms(terms));
  await f.market.connect(bidder).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT);
}

async function passChallengeWindow(f: Fixture, jobId: bigint) {
  await time.increaseTo((await f.market.getJob(jobId)).deadline);
}

describe("JobMarket governance", function () {
  describe("setParams", function () {
    it("reverts when the caller is not the owner", async function () {
      const f = await loadFixture(deployMarket);
      for (const caller of [f.other, f.treasury, f.requester]) {
        await expect(f.market.connect(caller).setParams(params(f, { feeBps: 0 })))
          .to.be.revertedWithCustomError(f.market, "OwnableUnauthorizedAccount")
          .withArgs(caller.address);
      }
      await expectParams(f, params(f));
    });

    it("reverts when the treasury is the zero address", async function () {
      const f = await loadFixture(deployMarket);
      await expect(f.market.setParams(params(f, { treasury: ethers.ZeroAddress }))).to.be.revertedWithCustomError(
        f.market,
        "JobMarketZeroAddress",
      );
      await expectParams(f, params(f));
    });

    const bounds: { name: keyof typeof DEFAULT_PARAMS; bad: bigint | number; limit: bigint | number }[] = [
      { name: "feeBps", bad: 1_001, limit: 1_000 },
      { name: "forfeitBps", bad: 5_001, limit: 5_000 },
      { name: "slashBountyBps", bad: 5_001, limit: 5_000 },
      { name: "callbackGasLimit", bad: 19_999, limit: 20_000 },
      { name: "callbackGasLimit", bad: 1_000_001, limit: 1_000_000 },
      { name: "rulingTimeout", bad: 59, limit: 60 },
      { name: "rulingTimeout", bad: 30 * DAY + 1, limit: 30 * DAY },
      { name: "unbondingDelay", bad: 59, limit: 60 },
      { name: "unbondingDelay", bad: 30 * DAY + 1, limit: 30 * DAY },
      { name: "disputeBond", bad: 0n, limit: 1n },
      { name: "disputeBond", bad: ethers.parseEther("100") + 1n, limit: ethers.parseEther("100") },
    ];
    for (const { name, bad, limit } of bounds) {
      it(`reverts when ${name} is ${bad} and accepts ${limit}`, async function () {
        const f = await loadFixture(deployMarket);
        await expect(f.market.setParams(params(f, { [name]: bad })))
          .to.be.revertedWithCustomError(f.market, "JobMarketParamOutOfBounds")
          .withArgs(name, bad);
        await expectParams(f, params(f));

        const ok = params(f, { [name]: limit });
        await expect(f.market.setParams(ok)).to.emit(f.market, "ParamsUpdated");
        await expectParams(f, ok);
      });
    }

    it("replaces every parameter and emits ParamsUpdated", async function () {
      const f = await loadFixture(deployMarket);
      const next: Params = {
        treasury: f.other.address,
        feeBps: 100,
        forfeitBps: 3_000,
        slashBountyBps: 500,
        callbackGasLimit: 300_000,
        rulingTimeout: 5 * DAY,
        unbondingDelay: 2 * DAY,
        disputeBond: ethers.parseEther("0.2"),
      };
      await expect(f.market.setParams(next)).to.emit(f.market, "ParamsUpdated").withArgs(paramsTuple(next));
      await expectParams(f, next);
    });

    it("applies a fee change only to jobs posted afterwards", async function () {
      const f = await loadFixture(deployMarket);
      const old = await postJob(f);
      const newFee = 500;
      await f.market.setParams(params(f, { feeBps: newFee }));

      // The job posted before the change settles with the fee in its own terms.
      await runToSubmitted(f, old.jobId, old.terms);
      await passChallengeWindow(f, old.jobId);
      const oldFee = feeOf(PRICE, DEFAULT_PARAMS.feeBps);
      await expect(f.market.settle(old.jobId, packTerms(old.terms), RESULT_HASH))
        .to.emit(f.market, "JobSettled")
        .withArgs(old.jobId, f.worker1.address, RESULT_HASH, PRICE, oldFee, REWARD - PRICE);
      expect(await f.market.creditOf(await f.market.getAddress(), ETH)).to.equal(oldFee);
      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(PRICE - oldFee);

      // Posting with the old fee now fails; the new fee is required.
      const stale = await makeTerms(f);
      await expect(f.market.connect(f.requester).postJob(packTerms(stale), SPEC_HASH, SPEC, { value: REWARD }))
        .to.be.revertedWithCustomError(f.market, "JobMarketParamMismatch")
        .withArgs("feeBps", DEFAULT_PARAMS.feeBps, newFee);
      const fresh = await postJob(f, { feeBps: newFee });

      await runToSubmitted(f, fresh.jobId, fresh.terms);
      await passChallengeWindow(f, fresh.jobId);
      await expect(f.market.settle(fresh.jobId, packTerms(fresh.terms), RESULT_HASH))
        .to.emit(f.market, "JobSettled")
        .withArgs(fresh.jobId, f.worker1.address, RESULT_HASH, PRICE, feeOf(PRICE, newFee), REWARD - PRICE);
      await expectConservation(f, [old, fresh]);
    });
  });

  describe("penalty parameters", function () {
    it("keep the forfeit share and bounty of jobs posted before a change", async function () {
      const f = await loadFixture(deployMarket);
      const old = await postJob(f);
      await commit(f, old.jobId, old.terms, f.worker2, PRICE);
      await f.market.setParams(params(f, { forfeitBps: 5_000, slashBountyBps: 5_000 }));
      await time.increaseTo((await f.market.getJob(old.jobId)).revealDeadline);

      const forfeited = (BOND * BigInt(DEFAULT_PARAMS.forfeitBps)) / 10_000n;
      const bounty = (forfeited * BigInt(DEFAULT_PARAMS.slashBountyBps)) / 10_000n;
      await expect(
        f.market
          .connect(f.other)
          .forfeitUnrevealed(old.jobId, packTerms(old.terms), ethers.ZeroHash, 0, f.worker2.address),
      )
        .to.emit(f.market, "BidForfeited")
        .withArgs(old.jobId, f.worker2.address, 0, forfeited, f.other.address);
      expect(await f.market.creditOf(f.other.address, ETH)).to.equal(bounty);

      const stale = await makeTerms(f, { feeBps: DEFAULT_PARAMS.feeBps });
      await expect(f.market.connect(f.requester).postJob(packTerms(stale), SPEC_HASH, SPEC, { value: REWARD }))
        .to.be.revertedWithCustomError(f.market, "JobMarketParamMismatch")
        .withArgs("forfeitBps", DEFAULT_PARAMS.forfeitBps, 5_000);
      const halfStale = await makeTerms(f, { forfeitBps: 5_000 });
      await expect(f.market.connect(f.requester).postJob(packTerms(halfStale), SPEC_HASH, SPEC, { value: REWARD }))
        .to.be.revertedWithCustomError(f.market, "JobMarketParamMismatch")
        .withArgs("slashBountyBps", DEFAULT_PARAMS.slashBountyBps, 5_000);
      await expectConservation(f, [old]);
    });
  });

  describe("setTokenAllowed", function () {
    it("reverts when the caller is not the owner", async function () {
      const f = await loadFixture(deployMarket);
      const token = await f.token.getAddress();
      await expect(f.market.connect(f.other).setTokenAllowed(token, false))
        .to.be.revertedWithCustomError(f.market, "OwnableUnauthorizedAccount")
        .withArgs(f.other.address);
      expect(await f.market.isTokenAllowed(token)).to.equal(true);
    });

    it("reverts for the zero address, which stands for ETH and is always allowed", async function () {
      const f = await loadFixture(deployMarket);
      for (const allowed of [true, false]) {
        await expect(f.market.setTokenAllowed(ethers.ZeroAddress, allowed)).to.be.revertedWithCustomError(
          f.market,
          "JobMarketZeroAddress",
        );
      }
      expect(await f.market.isTokenAllowed(ETH)).to.equal(true);
    });

    it("adds and removes a token and emits TokenAllowed", async function () {
      const f = await loadFixture(deployMarket);
      const fresh = await (await ethers.getContractFactory("TestToken")).deploy("New", "NEW", 18);
      const address = await fresh.getAddress();
      expect(await f.market.isTokenAllowed(address)).to.equal(false);

      await expect(f.market.setTokenAllowed(address, true)).to.emit(f.market, "TokenAllowed").withArgs(address, true);
      expect(await f.market.isTokenAllowed(address)).to.equal(true);
      await expect(f.market.setTokenAllowed(address, false)).to.emit(f.market, "TokenAllowed").withArgs(address, false);
      expect(await f.market.isTokenAllowed(address)).to.equal(false);
    });

    it("blocks new jobs in a removed token but lets existing ones settle and withdraw", async function () {
      const f = await loadFixture(deployMarket);
      const token = await f.token.getAddress();
      const job = await postJob(f, { token });
      expect(await f.token.balanceOf(await f.market.getAddress())).to.equal(REWARD);

      await f.market.setTokenAllowed(token, false);
      const terms = await makeTerms(f, { token });
      await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC))
        .to.be.revertedWithCustomError(f.market, "JobMarketTokenNotAllowed")
        .withArgs(token);

      // The job posted before the removal still runs to the end.
      await runToSubmitted(f, job.jobId, job.terms);
      await passChallengeWindow(f, job.jobId);
      const fee = feeOf(PRICE, DEFAULT_PARAMS.feeBps);
      await expect(f.market.settle(job.jobId, packTerms(job.terms), RESULT_HASH))
        .to.emit(f.market, "JobSettled")
        .withArgs(job.jobId, f.worker1.address, RESULT_HASH, PRICE, fee, REWARD - PRICE);
      await expectConservation(f, [job]);

      await expect(f.market.connect(f.worker1).withdraw(token)).to.changeTokenBalances(
        f.token,
        [f.worker1, f.market],
        [PRICE - fee, -(PRICE - fee)],
      );
      await expect(f.market.connect(f.requester).withdraw(token))
        .to.emit(f.market, "Withdrawn")
        .withArgs(f.requester.address, token, f.requester.address, REWARD - PRICE);
      await expect(f.market.withdrawFees(token)).to.changeTokenBalances(f.token, [f.treasury, f.market], [fee, -fee]);
      expect(await f.token.balanceOf(await f.market.getAddress())).to.equal(0n);
      await expectConservation(f, [job]);
    });
  });

  describe("pause and unpause", function () {
    it("reverts when the caller is not the owner", async function () {
      const f = await loadFixture(deployMarket);
      await expect(f.market.connect(f.other).pause())
        .to.be.revertedWithCustomError(f.market, "OwnableUnauthorizedAccount")
        .withArgs(f.other.address);
      expect(await f.market.paused()).to.equal(false);

      await f.market.pause();
      await expect(f.market.connect(f.other).unpause())
        .to.be.revertedWithCustomError(f.market, "OwnableUnauthorizedAccount")
        .withArgs(f.other.address);
      expect(await f.market.paused()).to.equal(true);
    });

    it("stops new jobs and reposts until unpaused, and lets bids on open jobs through", async function () {
      const f = await loadFixture(deployMarket);
      const unfilled = await postJob(f);
      await time.increaseTo((await f.market.getJob(unfilled.jobId)).revealDeadline);
      const open = await postJob(f);
      const salt = ethers.id("paused-bid");
      const commitment = await f.market.computeCommitment(open.jobId, 0, f.worker1.address, PRICE, salt);
      const newTerms = await makeTerms(f);

      await expect(f.market.pause()).to.emit(f.market, "Paused").withArgs(f.owner.address);
      await expect(
        f.market.connect(f.requester).postJob(packTerms(newTerms), SPEC_HASH, SPEC, { value: REWARD }),
      ).to.be.revertedWithCustomError(f.market, "EnforcedPause");
      await expect(
        f.market.connect(f.requester).repost(unfilled.jobId, packTerms(unfilled.terms)),
      ).to.be.revertedWithCustomError(f.market, "EnforcedPause");
      // The pause is checked where it costs nothing (posting); a bid risks only the bidder's stake.
      await expect(f.market.connect(f.worker1).commitBid(open.jobId, packTerms(open.terms), commitment)).to.emit(
        f.market,
        "BidCommitted",
      );
      expect((await f.market.getWorker(f.worker1.address)).locked).to.equal(BOND);

      await expect(f.market.unpause()).to.emit(f.market, "Unpaused").withArgs(f.owner.address);
      await expect(
        f.market.connect(f.requester).postJob(packTerms(newTerms), SPEC_HASH, SPEC, { value: REWARD }),
      ).to.emit(f.market, "JobPosted");
      await expect(f.market.connect(f.requester).repost(unfilled.jobId, packTerms(unfilled.terms))).to.emit(
        f.market,
        "JobReopened",
      );
    });

    it("keeps reveals, results, settlement, disputes and withdrawals working while paused", async function () {
      const f = await loadFixture(deployMarket);
      const disputedJob = await submitted(f, PRICE);
      const job = await postJob(f);
      await commit(f, job.jobId, job.terms, f.worker2, PRICE);
      await f.market.pause();

      await expect(
        f.market
          .connect(f.other)
          .dispute(disputedJob.jobId, packTerms(disputedJob.terms), RESULT_HASH, { value: DEFAULT_PARAMS.disputeBond }),
      ).to.emit(f.market, "JobDisputed");
      await f.arbiter.connect(f.members[0]).vote(disputedJob.jobId, true);
      await f.arbiter.connect(f.members[1]).vote(disputedJob.jobId, true);
      await expect(f.arbiter.resolve(disputedJob.jobId, packTerms(disputedJob.terms), RESULT_HASH))
        .to.emit(f.market, "DisputeResolved")
        .withArgs(disputedJob.jobId, true, false);

      await time.increaseTo((await f.market.getJob(job.jobId)).deadline);
      await expect(reveal(f, job.jobId, job.terms, f.worker2, PRICE))
        .to.emit(f.market, "BidRevealed")
        .withArgs(job.jobId, f.worker2.address, 0, PRICE, true);
      await time.increaseTo((await f.market.getJob(job.jobId)).revealDeadline);
      await expect(
        f.market.connect(f.worker2).submitResult(job.jobId, packTerms(job.terms), RESULT_HASH, RESULT),
      ).to.emit(f.market, "ResultSubmitted");
      await passChallengeWindow(f, job.jobId);
      const fee = feeOf(PRICE, DEFAULT_PARAMS.feeBps);
      await expect(f.market.settle(job.jobId, packTerms(job.terms), RESULT_HASH))
        .to.emit(f.market, "JobSettled")
        .withArgs(job.jobId, f.worker2.address, RESULT_HASH, PRICE, fee, REWARD - PRICE);

      await expect(f.market.connect(f.worker2).withdraw(ETH)).to.changeEtherBalances(
        [f.worker2, f.market],
        [PRICE - fee, -(PRICE - fee)],
      );
      const worker1Credit = PRICE - fee + DEFAULT_PARAMS.disputeBond;
      await expect(f.market.connect(f.worker1).withdrawTo(ETH, f.other.address))
        .to.emit(f.market, "Withdrawn")
        .withArgs(f.worker1.address, ETH, f.other.address, worker1Credit);
      expect(await f.market.paused()).to.equal(true);
      await expectConservation(f, [disputedJob, job]);
    });
  });

  describe("Ownable2Step", function () {
    it("hands over ownership only when the new owner accepts", async function () {
      const f = await loadFixture(deployMarket);
      const [, , , , , , , , , , newOwner, stranger] = f.signers;

      await expect(f.market.connect(newOwner).transferOwnership(newOwner.address))
        .to.be.revertedWithCustomError(f.market, "OwnableUnauthorizedAccount")
        .withArgs(newOwner.address);

      await expect(f.market.transferOwnership(newOwner.address))
        .to.emit(f.market, "OwnershipTransferStarted")
        .withArgs(f.owner.address, newOwner.address);
      expect(await f.market.owner()).to.equal(f.owner.address);
      expect(await f.market.pendingOwner()).to.equal(newOwner.address);

      // Until it accepts, the pending owner has no powers and the old owner keeps them.
      await expect(f.market.connect(newOwner).pause())
        .to.be.revertedWithCustomError(f.market, "OwnableUnauthorizedAccount")
        .withArgs(newOwner.address);
      await expect(f.market.connect(stranger).acceptOwnership())
        .to.be.revertedWithCustomError(f.market, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      await f.market.pause();
      await f.market.unpause();

      await expect(f.market.connect(newOwner).acceptOwnership())
        .to.emit(f.market, "OwnershipTransferred")
        .withArgs(f.owner.address, newOwner.address);
      expect(await f.market.owner()).to.equal(newOwner.address);
      expect(await f.market.pendingOwner()).to.equal(ethers.ZeroAddress);

      await expect(f.market.pause())
        .to.be.revertedWithCustomError(f.market, "OwnableUnauthorizedAccount")
        .withArgs(f.owner.address);
      await expect(f.market.connect(newOwner).pause()).to.emit(f.market, "Paused").withArgs(newOwner.address);
    });
  });

  describe("governance cannot move escrow", function () {
    /** Everything the owner must not be able to touch: balances, credits, stakes, jobs. */
    async function snapshot(f: Fixture, jobIds: bigint[]) {
      const market = await f.market.getAddress();
      const token = await f.token.getAddress();
      const out: Record<string, string> = {
        marketEth: (await ethers.provider.getBalance(market)).toString(),
        marketToken: (await f.token.balanceOf(market)).toString(),
      };
      for (const s of f.signers.slice(0, 12)) {
        out[`credit:${s.address}:eth`] = (await f.market.creditOf(s.address, ETH)).toString();
        out[`credit:${s.address}:token`] = (await f.market.creditOf(s.address, token)).toString();
        out[`worker:${s.address}`] = (await f.market.getWorker(s.address)).toString();
        out[`unbonding:${s.address}`] = (await f.market.getUnbonding(s.address)).toString();
      }
      for (const id of jobIds) {
        out[`job:${id}`] = (await f.market.getJob(id)).toString();
        out[`dispute:${id}`] = (await f.market.getDispute(id)).toString();
      }
      return out;
    }

    it("leaves balances, credits, stakes and jobs unchanged across every owner call", async function () {
      const f = await loadFixture(deployMarket);
      const token = await f.token.getAddress();
      // Money in every place the market holds it: open escrow in ETH and a token, a locked bid
      // bond, an execution bond, a dispute bond, requester credits and unbonding stake.
      const cancelled = await postJob(f);
      await f.market.connect(f.requester).cancel(cancelled.jobId, packTerms(cancelled.terms));
      const tokenJob = await postJob(f, { token });
      await commit(f, tokenJob.jobId, tokenJob.terms, f.worker2, PRICE);
      const disputedJob = await submitted(f, PRICE);
      await f.market
        .connect(f.other)
        .dispute(disputedJob.jobId, packTerms(disputedJob.terms), RESULT_HASH, { value: DEFAULT_PARAMS.disputeBond });
      await f.market.connect(f.worker3).requestUnbond(ethers.parseEther("2"));
      const jobs = [cancelled, tokenJob, disputedJob];
      const ids = jobs.map((j) => j.jobId);

      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(REWARD);
      expect(await f.token.balanceOf(await f.market.getAddress())).to.equal(REWARD);
      const before = await snapshot(f, ids);
      await expectConservation(f, jobs);

      const [, , , , , , , , , , newOwner] = f.signers;
      const owner = f.owner;
      const calls = [
        () =>
          f.market.connect(owner).setParams(
            params(f, {
              treasury: owner.address,
              feeBps: 1_000,
              forfeitBps: 5_000,
              slashBountyBps: 5_000,
              disputeBond: ethers.parseEther("100"),
            }),
          ),
        () => f.market.connect(owner).setTokenAllowed(token, false),
        () => f.market.connect(owner).setTokenAllowed(token, true),
        () => f.market.connect(owner).pause(),
        () => f.market.connect(owner).unpause(),
        () => f.market.connect(owner).transferOwnership(newOwner.address),
        () => f.market.connect(newOwner).acceptOwnership(),
        () => f.market.connect(newOwner).setParams(params(f)),
      ];
      for (const call of calls) {
        await expect(call()).to.changeEtherBalance(f.market, 0n);
        expect(await snapshot(f, ids)).to.deep.equal(before);
      }
      expect(await f.market.owner()).to.equal(newOwner.address);
      await expect(f.market.connect(newOwner).renounceOwnership()).to.be.revertedWithCustomError(
        f.market,
        "JobMarketRenounceDisabled",
      );
      await expectConservation(f, jobs);

      // Escrowed funds leave through the users' own calls.
      await expect(f.market.connect(f.requester).withdraw(ETH)).to.changeEtherBalances(
        [f.requester, f.market],
        [REWARD, -REWARD],
      );
      await expect(f.market.connect(f.requester).reclaim(tokenJob.jobId, packTerms(tokenJob.terms)))
        .to.emit(f.market, "JobRefunded")
        .withArgs(tokenJob.jobId, REWARD);
      await expect(f.market.connect(f.requester).withdraw(token)).to.changeTokenBalances(
        f.token,
        [f.requester, f.market],
        [REWARD, -REWARD],
      );
      await f.arbiter.connect(f.members[0]).vote(disputedJob.jobId, true);
      await f.arbiter.connect(f.members[1]).vote(disputedJob.jobId, true);
      await f.arbiter.resolve(disputedJob.jobId, packTerms(disputedJob.terms), RESULT_HASH);
      const fee = feeOf(PRICE, DEFAULT_PARAMS.feeBps);
      await expect(f.market.connect(f.worker1).withdraw(ETH)).to.changeEtherBalance(
        f.worker1,
        PRICE - fee + DEFAULT_PARAMS.disputeBond,
      );
      await expectConservation(f, jobs);
    });

    it("exposes owner powers only through the reviewed governance functions", async function () {
      const f = await loadFixture(deployMarket);
      const mutating = f.market.interface.fragments
        .filter((x): x is import("ethers").FunctionFragment => x.type === "function")
        .filter((fn) => fn.stateMutability !== "view" && fn.stateMutability !== "pure")
        .map((fn) => fn.name)
        .sort();
      // A new state-changing function must be added here after checking it cannot move escrow.
      expect(mutating).to.deep.equal(
        [
          "abandon",
          "acceptOwnership",
          "accept",
          "cancel",
          "commitBid",
          "commitBids",
          "depositStake",
          "dispute",
          "finalizeAuction",
          "forfeitUnrevealed",
          // Batches the caller's own calls on this market (delegatecall to itself, same sender).
          "multicall",
          "pause",
          "postJob",
          "postJobs",
          "reclaim",
          "register",
          "repost",
          "requestUnbond",
          "resolveStaleDispute",
          "revealBid",
          "revealBids",
          "rule",
          "setParams",
          "setTokenAllowed",
          "settle",
          "settleMany",
          "slashNoShow",
          "submitResult",
          "submitResults",
          "transferOwnership",
          "unpause",
          "withdraw",
          "withdrawFees",
          "withdrawTo",
          "withdrawUnbonded",
          "withdrawUnbondedTo",
        ].sort(),
      );

      // Each governance function is closed to everyone but the owner.
      const token = await f.token.getAddress();
      const asOther = f.market.connect(f.other);
      const gated = [
        () => asOther.setParams(params(f)),
        () => asOther.setTokenAllowed(token, false),
        () => asOther.pause(),
        () => asOther.unpause(),
        () => asOther.transferOwnership(f.other.address),
        () => asOther.renounceOwnership(),
      ];
      for (const call of gated) {
        await expect(call())
          .to.be.revertedWithCustomError(f.market, "OwnableUnauthorizedAccount")
          .withArgs(f.other.address);
      }
      expect(await f.market.owner()).to.equal(f.owner.address);
    });
  });
});
