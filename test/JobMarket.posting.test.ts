import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyUint, anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  BOND,
  DAY,
  DEFAULT_PARAMS,
  ETH,
  JobState,
  REWARD,
  SPEC,
  SPEC_HASH,
  WINDOWS,
  commit,
  deployMarket,
  expectConservation,
  makeTerms,
  postJob,
  states,
  packTerms,
  RESULT,
  RESULT_HASH,
  salt,
  type Fixture,
} from "./helpers/fixture";

describe("JobMarket posting", function () {
  describe("postJob", function () {
    it("escrows ETH, stores only the terms hash and emits the full terms", async function () {
      const f = await loadFixture(deployMarket);
      const terms = await makeTerms(f);
      const tx = f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC, { value: REWARD });
      await expect(tx).to.changeEtherBalances([f.requester, f.market], [-REWARD, REWARD]);
      const now = await time.latest();
      const commitDeadline = now + WINDOWS.commitWindow;
      const revealDeadline = commitDeadline + WINDOWS.revealWindow;
      await expect(tx)
        .to.emit(f.market, "JobPosted")
        .withArgs(1n, f.requester.address, packTerms(terms), SPEC_HASH, ethers.hexlify(SPEC), commitDeadline);

      const job = await f.market.getJob(1n);
      expect(job.digest).to.equal(await f.market.jobDigest(1n, packTerms(terms), ethers.ZeroHash));
      expect(job.digest).to.equal(
        ethers.dataSlice(
          ethers.keccak256(
            ethers.solidityPacked(["uint256", "bytes32", "bytes"], [1n, ethers.ZeroHash, packTerms(terms)]),
          ),
          0,
          21,
        ),
      );
      expect(job.deadline).to.equal(commitDeadline);
      expect(job.revealDeadline).to.equal(revealDeadline);
      expect(await f.market.jobState(1n)).to.equal(JobState.Open);
      expect(await f.market.jobCount()).to.equal(1n);
      await expectConservation(f, [{ jobId: 1n, terms }]);
    });

    it("escrows an allowlisted ERC-20 by transferFrom", async function () {
      const f = await loadFixture(deployMarket);
      const terms = await makeTerms(f, { token: await f.token.getAddress() });
      await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC)).to.changeTokenBalances(
        f.token,
        [f.requester, f.market],
        [-REWARD, REWARD],
      );
      await expectConservation(f, [{ jobId: 1n, terms }]);
    });

    it("accepts tokens with 6 and 24 decimals and tokens that return nothing", async function () {
      const f = await loadFixture(deployMarket);
      const jobs = [];
      jobs.push(await postJob(f, { token: await f.token6.getAddress(), maxReward: 25_000_000n }));
      jobs.push(await postJob(f, { token: await f.token24.getAddress(), maxReward: ethers.parseUnits("50000", 24) }));
      jobs.push(await postJob(f, { token: await f.noReturnToken.getAddress(), maxReward: 7_000_000n }));
      expect(await f.noReturnToken.balanceOf(await f.market.getAddress())).to.equal(7_000_000n);
      await expectConservation(f, jobs);
    });

    it("reverts on a fee-on-transfer shortfall and keeps nothing", async function () {
      const f = await loadFixture(deployMarket);
      const token = await f.feeToken.getAddress();
      const terms = await makeTerms(f, { token });
      await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC))
        .to.be.revertedWithCustomError(f.market, "JobMarketTokenShortfall")
        .withArgs(token, REWARD, (REWARD * 99n) / 100n);
      expect(await f.feeToken.balanceOf(await f.market.getAddress())).to.equal(0n);
    });

    it("reverts when the ETH sent differs from the reward", async function () {
      const f = await loadFixture(deployMarket);
      const terms = await makeTerms(f);
      await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC, { value: REWARD - 1n }))
        .to.be.revertedWithCustomError(f.market, "JobMarketWrongValue")
        .withArgs(REWARD, REWARD - 1n);
    });

    it("reverts when ETH is sent with a token job", async function () {
      const f = await loadFixture(deployMarket);
      const terms = await makeTerms(f, { token: await f.token.getAddress() });
      await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC, { value: 1n }))
        .to.be.revertedWithCustomError(f.market, "JobMarketWrongValue")
        .withArgs(0n, 1n);
    });

    it("reverts when the requester in the terms is not the caller", async function () {
      const f = await loadFixture(deployMarket);
      const terms = await makeTerms(f, { requester: f.other.address });
      await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC, { value: REWARD }))
        .to.be.revertedWithCustomError(f.market, "JobMarketRequesterMismatch")
        .withArgs(f.other.address, f.requester.address);
    });

    it("reverts for a token that is not allowlisted", async function () {
      const f = await loadFixture(deployMarket);
      const other = await (await ethers.getContractFactory("TestToken")).deploy("X", "X", 18);
      const terms = await makeTerms(f, { token: await other.getAddress() });
      await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC))
        .to.be.revertedWithCustomError(f.market, "JobMarketTokenNotAllowed")
        .withArgs(await other.getAddress());
    });

    it("reverts for a zero reward, zero bond, zero spec hash or an oversized spec", async function () {
      const f = await loadFixture(deployMarket);
      const zeroReward = await makeTerms(f, { maxReward: 0n });
      await expect(
        f.market.connect(f.requester).postJob(packTerms(zeroReward), SPEC_HASH, SPEC),
      ).to.be.revertedWithCustomError(f.market, "JobMarketZeroReward");
      const zeroBond = await makeTerms(f, { bond: 0n });
      await expect(
        f.market.connect(f.requester).postJob(packTerms(zeroBond), SPEC_HASH, SPEC, { value: REWARD }),
      ).to.be.revertedWithCustomError(f.market, "JobMarketZeroBond");
      const terms = await makeTerms(f);
      await expect(
        f.market.connect(f.requester).postJob(packTerms(terms), ethers.ZeroHash, SPEC, { value: REWARD }),
      ).to.be.revertedWithCustomError(f.market, "JobMarketZeroHash");
      const big = new Uint8Array(16_385);
      await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, big, { value: REWARD }))
        .to.be.revertedWithCustomError(f.market, "JobMarketPayloadTooLarge")
        .withArgs(16_385n, 16_384n);
    });

    it("reverts when the arbiter is not a contract", async function () {
      const f = await loadFixture(deployMarket);
      const terms = await makeTerms(f, { arbiter: f.other.address });
      await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC, { value: REWARD }))
        .to.be.revertedWithCustomError(f.market, "JobMarketInvalidArbiter")
        .withArgs(f.other.address);
    });

    it("reverts when the fee in the terms is not the current fee", async function () {
      const f = await loadFixture(deployMarket);
      const terms = await makeTerms(f, { feeBps: 0 });
      await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC, { value: REWARD }))
        .to.be.revertedWithCustomError(f.market, "JobMarketParamMismatch")
        .withArgs("feeBps", 0, DEFAULT_PARAMS.feeBps);
    });

    for (const field of ["commitWindow", "revealWindow", "executionWindow", "challengeWindow"] as const) {
      it(`reverts when ${field} is zero or longer than 30 days`, async function () {
        const f = await loadFixture(deployMarket);
        for (const window of [0, 30 * DAY + 1]) {
          const terms = await makeTerms(f, { [field]: window, expiry: (await time.latest()) + 200 * DAY });
          await expect(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC, { value: REWARD }))
            .to.be.revertedWithCustomError(f.market, "JobMarketInvalidWindow")
            .withArgs(window);
        }
        const ok = await makeTerms(f, { [field]: 30 * DAY, expiry: (await time.latest()) + 200 * DAY });
        await expect(f.market.connect(f.requester).postJob(packTerms(ok), SPEC_HASH, SPEC, { value: REWARD })).to.emit(
          f.market,
          "JobPosted",
        );
      });
    }

    it("reverts when the expiry leaves no time for one round (boundary at the last second)", async function () {
      const f = await loadFixture(deployMarket);
      const roundLength = WINDOWS.commitWindow + WINDOWS.revealWindow + WINDOWS.executionWindow;
      const now = (await time.latest()) + 10;
      const tooSoon = await makeTerms(f, { expiry: now + roundLength - 1 });
      await time.setNextBlockTimestamp(now);
      await expect(f.market.connect(f.requester).postJob(packTerms(tooSoon), SPEC_HASH, SPEC, { value: REWARD }))
        .to.be.revertedWithCustomError(f.market, "JobMarketExpiryTooSoon")
        .withArgs(now + roundLength - 1, now + roundLength);
      const exact = await makeTerms(f, { expiry: now + 1 + roundLength });
      await time.setNextBlockTimestamp(now + 1);
      await expect(f.market.connect(f.requester).postJob(packTerms(exact), SPEC_HASH, SPEC, { value: REWARD })).to.emit(
        f.market,
        "JobPosted",
      );
    });
  });

  describe("postJobs", function () {
    it("posts each job with the next id, escrows the sum and writes the job counter once", async function () {
      const f = await loadFixture(deployMarket);
      const token = await f.token.getAddress();
      const terms = [await makeTerms(f), await makeTerms(f, { token }), await makeTerms(f, { maxReward: 3n })];
      const value = REWARD + 3n;
      const first = await f.market.connect(f.requester).postJobs.staticCall(
        terms.map((t) => packTerms(t)),
        [SPEC_HASH, SPEC_HASH, SPEC_HASH],
        [SPEC, SPEC, SPEC],
        { value },
      );
      expect(first).to.equal(1n);
      const tx = f.market.connect(f.requester).postJobs(
        terms.map((t) => packTerms(t)),
        [SPEC_HASH, SPEC_HASH, SPEC_HASH],
        [SPEC, SPEC, SPEC],
        { value },
      );
      await expect(tx).to.changeEtherBalances([f.requester, f.market], [-value, value]);
      await expect(tx).to.changeTokenBalances(f.token, [f.requester, f.market], [-REWARD, REWARD]);
      await expect(tx)
        .to.emit(f.market, "JobPosted")
        .withArgs(3n, f.requester.address, packTerms(terms[2]), SPEC_HASH, ethers.hexlify(SPEC), anyUint);
      expect(await f.market.jobCount()).to.equal(3n);
      for (const id of [1n, 2n, 3n]) expect(await f.market.jobState(id)).to.equal(JobState.Open);
      await expectConservation(
        f,
        terms.map((t, i) => ({ jobId: BigInt(i + 1), terms: t })),
      );
    });

    it("reverts when the ETH sent is not the sum of the ETH rewards, or the lists differ in length", async function () {
      const f = await loadFixture(deployMarket);
      const terms = [await makeTerms(f), await makeTerms(f)];
      await expect(
        f.market.connect(f.requester).postJobs(
          terms.map((t) => packTerms(t)),
          [SPEC_HASH, SPEC_HASH],
          [SPEC, SPEC],
          { value: REWARD },
        ),
      )
        .to.be.revertedWithCustomError(f.market, "JobMarketBatchMismatch")
        .withArgs(2n * REWARD, REWARD);
      await expect(
        f.market.connect(f.requester).postJobs(
          terms.map((t) => packTerms(t)),
          [SPEC_HASH],
          [SPEC, SPEC],
          { value: 2n * REWARD },
        ),
      )
        .to.be.revertedWithCustomError(f.market, "JobMarketBatchMismatch")
        .withArgs(2n, 1n);
      await expect(
        f.market.connect(f.requester).postJobs(
          terms.map((t) => packTerms(t)),
          [SPEC_HASH, SPEC_HASH],
          [SPEC],
          { value: 2n * REWARD },
        ),
      )
        .to.be.revertedWithCustomError(f.market, "JobMarketBatchMismatch")
        .withArgs(2n, 1n);
    });

    it("checks every job like postJob, and the pause", async function () {
      const f = await loadFixture(deployMarket);
      const good = await makeTerms(f);
      const bad = await makeTerms(f, { bond: 0n });
      await expect(
        f.market.connect(f.requester).postJobs(
          [good, bad].map((t) => packTerms(t)),
          [SPEC_HASH, SPEC_HASH],
          [SPEC, SPEC],
          { value: 2n * REWARD },
        ),
      ).to.be.revertedWithCustomError(f.market, "JobMarketZeroBond");
      await f.market.connect(f.owner).pause();
      await expect(
        f.market.connect(f.requester).postJobs(
          [good].map((t) => packTerms(t)),
          [SPEC_HASH],
          [SPEC],
          { value: REWARD },
        ),
      ).to.be.revertedWithCustomError(f.market, "EnforcedPause");
    });
  });

  describe("multicall", function () {
    it("runs several of the caller's own calls in one transaction, as the caller", async function () {
      const f = await loadFixture(deployMarket);
      const a = await postJob(f);
      const b = await postJob(f);
      const price = ethers.parseEther("1");
      const calls = [];
      for (const job of [a, b]) {
        const s = ethers.id(`multicall:${job.jobId}`);
        const commitment = await f.market.computeCommitment(job.jobId, 0, f.worker1.address, price, s);
        calls.push(f.market.interface.encodeFunctionData("commitBid", [job.jobId, packTerms(job.terms), commitment]));
      }
      await expect(f.market.connect(f.worker1).multicall(calls))
        .to.emit(f.market, "BidCommitted")
        .withArgs(b.jobId, f.worker1.address, 0, anyValue);
      expect((await f.market.getWorker(f.worker1.address)).locked).to.equal(2n * BOND);
    });

    it("reverts as a whole with the failing call's error", async function () {
      const f = await loadFixture(deployMarket);
      const a = await postJob(f);
      const s = ethers.id("multicall:dup");
      const commitment = await f.market.computeCommitment(a.jobId, 0, f.worker1.address, 1n, s);
      const call = f.market.interface.encodeFunctionData("commitBid", [a.jobId, packTerms(a.terms), commitment]);
      await expect(f.market.connect(f.worker1).multicall([call, call]))
        .to.be.revertedWithCustomError(f.market, "JobMarketAlreadyCommitted")
        .withArgs(a.jobId, f.worker1.address);
      expect((await f.market.getWorker(f.worker1.address)).locked).to.equal(0n);
    });

    it("takes no ETH, so a batch cannot reuse one msg.value for several postJob calls", async function () {
      const f = await loadFixture(deployMarket);
      const terms = await makeTerms(f);
      const post = f.market.interface.encodeFunctionData("postJob", [packTerms(terms), SPEC_HASH, SPEC]);
      const data = f.market.interface.encodeFunctionData("multicall", [[post, post]]);
      await expect(f.requester.sendTransaction({ to: await f.market.getAddress(), data, value: REWARD })).to.be
        .reverted;
    });
  });

  describe("batch functions", function () {
    const PRICE = ethers.parseEther("1.5");

    async function threeJobs(f: Fixture) {
      const jobs = [await postJob(f), await postJob(f), await postJob(f)];
      const ids = jobs.map((j) => j.jobId);
      const packed = jobs.map((j) => packTerms(j.terms));
      const salts = ids.map((id) => salt(`batch:${id}`));
      const commitments = await Promise.all(
        ids.map((id, i) => f.market.computeCommitment(id, 0, f.worker1.address, PRICE, salts[i])),
      );
      return { jobs, ids, packed, salts, commitments };
    }

    it("take several jobs through commit, reveal, submission and settlement as the single calls do", async function () {
      const f = await loadFixture(deployMarket);
      const { jobs, ids, packed, salts, commitments } = await threeJobs(f);
      const bidding = f.market.connect(f.worker1).commitBids(ids, packed, commitments);
      for (const id of ids)
        await expect(bidding).to.emit(f.market, "BidCommitted").withArgs(id, f.worker1.address, 0, anyValue);
      expect((await f.market.getWorker(f.worker1.address)).locked).to.equal(3n * BOND);

      await time.increaseTo((await f.market.getJob(ids[2])).deadline);
      const prices = ids.map(() => PRICE);
      const revealing = f.market.connect(f.worker1).revealBids(ids, packed, prices, salts);
      for (const id of ids)
        await expect(revealing).to.emit(f.market, "BidRevealed").withArgs(id, f.worker1.address, 0, PRICE, true);

      await time.increaseTo((await f.market.getJob(ids[2])).revealDeadline);
      const hashes = ids.map(() => RESULT_HASH);
      const submitting = f.market.connect(f.worker1).submitResults(
        ids,
        packed,
        hashes,
        ids.map(() => RESULT),
      );
      for (const id of ids)
        await expect(submitting)
          .to.emit(f.market, "ResultSubmitted")
          .withArgs(id, f.worker1.address, RESULT_HASH, anyValue, anyUint);

      await time.increaseTo((await f.market.getJob(ids[2])).deadline);
      const settling = f.market.connect(f.other).settleMany(ids, packed, hashes);
      for (const id of ids)
        await expect(settling)
          .to.emit(f.market, "JobSettled")
          .withArgs(id, f.worker1.address, RESULT_HASH, PRICE, anyUint, anyUint);
      for (const id of ids) expect(await f.market.jobState(id)).to.equal(JobState.Settled);
      expect((await f.market.getWorker(f.worker1.address)).locked).to.equal(0n);
      await expectConservation(f, jobs);
    });

    it("refuse arrays of different lengths, naming both", async function () {
      const f = await loadFixture(deployMarket);
      const { ids, packed, salts, commitments } = await threeJobs(f);
      const w = f.market.connect(f.worker1);
      await expect(w.commitBids(ids, packed.slice(1), commitments))
        .to.be.revertedWithCustomError(f.market, "JobMarketBatchMismatch")
        .withArgs(3, 2);
      await expect(w.commitBids(ids, packed, commitments.slice(1)))
        .to.be.revertedWithCustomError(f.market, "JobMarketBatchMismatch")
        .withArgs(3, 2);
      await expect(w.revealBids(ids, packed, [PRICE, PRICE, PRICE], salts.slice(1)))
        .to.be.revertedWithCustomError(f.market, "JobMarketBatchMismatch")
        .withArgs(3, 2);
      await expect(w.submitResults(ids, packed, [RESULT_HASH, RESULT_HASH, RESULT_HASH], [RESULT]))
        .to.be.revertedWithCustomError(f.market, "JobMarketBatchMismatch")
        .withArgs(3, 1);
      await expect(f.market.settleMany(ids.slice(1), packed, [RESULT_HASH, RESULT_HASH]))
        .to.be.revertedWithCustomError(f.market, "JobMarketBatchMismatch")
        .withArgs(2, 3);
    });

    it("revert as a whole with the first failing job's error", async function () {
      const f = await loadFixture(deployMarket);
      const { jobs, ids, packed, commitments } = await threeJobs(f);
      const wrong = [packed[0], packTerms({ ...jobs[1].terms, bond: 1n }), packed[2]];
      await expect(f.market.connect(f.worker1).commitBids(ids, wrong, commitments))
        .to.be.revertedWithCustomError(f.market, "JobMarketTermsMismatch")
        .withArgs(ids[1]);
      expect((await f.market.getWorker(f.worker1.address)).locked).to.equal(0n);
      expect((await f.market.getJob(ids[0])).commits).to.equal(0);
    });
  });

  describe("cancel", function () {
    it("refunds the requester through credits when no bid was committed", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await expect(f.market.connect(f.requester).cancel(jobId, packTerms(terms)))
        .to.emit(f.market, "JobCancelled")
        .withArgs(jobId);
      expect(await f.market.jobState(jobId)).to.equal(JobState.Cancelled);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(REWARD);
      await expect(f.market.connect(f.requester).withdraw(ETH)).to.changeEtherBalance(f.requester, REWARD);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("reverts once a bid has been committed", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, REWARD);
      await expect(f.market.connect(f.requester).cancel(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketHasBids")
        .withArgs(jobId);
    });

    it("reverts for anyone but the requester", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await expect(f.market.connect(f.other).cancel(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketNotRequester")
        .withArgs(jobId, f.other.address);
    });

    it("works until the last second of the commit window and reverts at the deadline", async function () {
      const f = await loadFixture(deployMarket);
      const a = await postJob(f);
      await time.increase(10);
      const b = await postJob(f);
      const deadlineA = (await f.market.getJob(a.jobId)).deadline;
      await time.setNextBlockTimestamp(deadlineA);
      await expect(f.market.connect(f.requester).cancel(a.jobId, packTerms(a.terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(a.jobId, JobState.Revealing, states(JobState.Open));
      const deadlineB = (await f.market.getJob(b.jobId)).deadline;
      await time.setNextBlockTimestamp(deadlineB - 1n);
      await expect(f.market.connect(f.requester).cancel(b.jobId, packTerms(b.terms))).to.emit(f.market, "JobCancelled");
    });

    it("reverts twice cancelled and with terms that are not the job's", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await f.market.connect(f.requester).cancel(jobId, packTerms(terms));
      await expect(f.market.connect(f.requester).cancel(jobId, packTerms(terms)))
        .to.be.revertedWithCustomError(f.market, "JobMarketUnexpectedState")
        .withArgs(jobId, JobState.Cancelled, states(JobState.Open));
      await expect(f.market.connect(f.requester).cancel(jobId, packTerms({ ...terms, maxReward: BOND * 100n })))
        .to.be.revertedWithCustomError(f.market, "JobMarketTermsMismatch")
        .withArgs(jobId);
    });
  });

  describe("terms binding", function () {
    it("refuses to post packed terms of another length or with a flag byte other than 0 or 1", async function () {
      const f = await loadFixture(deployMarket);
      const terms = await makeTerms(f);
      const packed = packTerms(terms);
      expect(ethers.dataLength(packed)).to.equal(144);
      const post = (bytes: string) =>
        f.market.connect(f.requester).postJob(bytes, SPEC_HASH, SPEC, { value: terms.maxReward });
      await expect(post(ethers.concat([packed, "0x00"])))
        .to.be.revertedWithCustomError(f.market, "JobMarketTermsLength")
        .withArgs(145, 144);
      await expect(post(ethers.dataSlice(packed, 0, 143)))
        .to.be.revertedWithCustomError(f.market, "JobMarketTermsLength")
        .withArgs(143, 144);
      // Byte 142 is `pricing`, byte 143 `callback`.
      await expect(post(ethers.concat([ethers.dataSlice(packed, 0, 142), "0x0200"])))
        .to.be.revertedWithCustomError(f.market, "JobMarketTermsFlags")
        .withArgs(2, 0);
      await expect(post(ethers.concat([ethers.dataSlice(packed, 0, 142), "0x01ff"])))
        .to.be.revertedWithCustomError(f.market, "JobMarketTermsFlags")
        .withArgs(1, 255);
      expect(await f.market.jobCount()).to.equal(0n);
      await expect(post(packed)).to.emit(f.market, "JobPosted");
    });

    it("refuses the job's own terms with a byte more or a byte less", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      const packed = packTerms(terms);
      for (const bytes of [ethers.concat([packed, "0x00"]), ethers.dataSlice(packed, 0, 143)]) {
        await expect(f.market.connect(f.requester).cancel(jobId, bytes))
          .to.be.revertedWithCustomError(f.market, "JobMarketTermsMismatch")
          .withArgs(jobId);
      }
      await expect(f.market.connect(f.requester).cancel(jobId, packed)).to.emit(f.market, "JobCancelled");
    });
  });

  describe("jobState", function () {
    it("is None for a job that does not exist", async function () {
      const f = await loadFixture(deployMarket);
      expect(await f.market.jobState(42n)).to.equal(JobState.None);
    });
  });
});
