import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { coverageRun } from "../helpers/coverage";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ContractTransactionResponse } from "ethers";
import {
  deployMarket,
  makeTerms,
  salt,
  SPEC,
  SPEC_HASH,
  RESULT,
  RESULT_HASH,
  Pricing,
  postUntilSameBidSlot,
  type Fixture,
  packTerms,
} from "../helpers/fixture";
import { batchRound } from "../../bench/batch";

// Gas per step is deterministic on the in-process network, so it is snapshotted here: a step
// that grows more than TOLERANCE fails the suite. Run with UPDATE_GAS_SNAPSHOT=1 to accept a change.
const SNAPSHOT_FILE = path.join(__dirname, "snapshots.json");
const TOLERANCE = 0.005;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

/** One sealed-bid lifecycle with one bidder; returns gas per step. */
async function lifecycle(f: Fixture, pricing: Pricing, token?: string) {
  const terms = await makeTerms(f, { pricing, ...(token ? { token } : {}) });
  const value = token ? 0n : terms.maxReward;
  const price = ethers.parseEther("1.5");
  const gas: Record<string, number> = {};
  gas.postJob = await gasOf(f.market.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC, { value }));
  const jobId = await f.market.jobCount();
  const s = salt(`gas:${jobId}`);
  const commitment = await f.market.computeCommitment(jobId, 0, f.worker1.address, price, s);
  gas.commitBid = await gasOf(f.market.connect(f.worker1).commitBid(jobId, packTerms(terms), commitment));
  await time.increaseTo((await f.market.getJob(jobId)).deadline);
  gas.revealBid = await gasOf(f.market.connect(f.worker1).revealBid(jobId, packTerms(terms), price, s));
  await time.increaseTo((await f.market.getJob(jobId)).revealDeadline);
  gas.finalizeAuction = await gasOf(f.market.connect(f.worker1).finalizeAuction(jobId, packTerms(terms)));
  gas.submitResult = await gasOf(
    f.market.connect(f.worker1).submitResult(jobId, packTerms(terms), RESULT_HASH, RESULT),
  );
  await time.increaseTo((await f.market.getJob(jobId)).deadline);
  gas.settle = await gasOf(f.market.connect(f.worker1).settle(jobId, packTerms(terms), RESULT_HASH));
  gas.lifecycle = Object.values(gas).reduce((a, b) => a + b, 0);
  return gas;
}

describe("JobMarket gas", function () {
  // Instrumented code under `npm run coverage` uses more gas, so the snapshot is checked only in
  // the ordinary run.
  (coverageRun ? it.skip : it)(
    "records gas per step and fails when a step grows more than 0.5% (skipped under coverage: instrumented gas)",
    async function () {
      const f = await loadFixture(deployMarket);
      const snapshot: Record<string, Record<string, number>> = {};
      // The first job pays for first-time credit slots, and each of the bidder's first bids on a
      // residue modulo BID_SLOTS for a fresh slot of its ring. The steady state is a job whose
      // accounts have used every slot before.
      snapshot.ethFirstJob = await lifecycle(f, Pricing.FirstPrice);
      snapshot.ethFreshBidSlot = await lifecycle(f, Pricing.FirstPrice);
      await lifecycle(f, Pricing.SecondPrice);
      await lifecycle(f, Pricing.FirstPrice, await f.token.getAddress());
      await lifecycle(f, Pricing.FirstPrice, await f.token.getAddress());
      await postUntilSameBidSlot(f, 1n);
      snapshot.ethSteadyState = await lifecycle(f, Pricing.FirstPrice);
      snapshot.ethSecondPrice = await lifecycle(f, Pricing.SecondPrice);
      snapshot.erc20SteadyState = await lifecycle(f, Pricing.FirstPrice, await f.token.getAddress());
      // Ten jobs through every step with the batch functions (`postJobs`, `commitBids`,
      // `revealBids`, `submitResults`, `settleMany`): gas per job.
      snapshot.ethBatch10PerJob = await batchRound(f, 10);

      if (process.env.UPDATE_GAS_SNAPSHOT === "1" || !fs.existsSync(SNAPSHOT_FILE)) {
        fs.writeFileSync(SNAPSHOT_FILE, JSON.stringify(snapshot, null, 2) + "\n");
        return;
      }
      const recorded = JSON.parse(fs.readFileSync(SNAPSHOT_FILE, "utf8")) as typeof snapshot;
      for (const [scenario, steps] of Object.entries(snapshot)) {
        for (const [step, gas] of Object.entries(steps)) {
          const before = recorded[scenario]?.[step];
          expect(before, `${scenario}.${step} is missing from ${SNAPSHOT_FILE}`).to.not.equal(undefined);
          expect(gas, `${scenario}.${step} grew from ${before}`).to.be.at.most(Math.floor(before * (1 + TOLERANCE)));
        }
      }
    },
  );
});
