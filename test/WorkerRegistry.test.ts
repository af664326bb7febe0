import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BOND,
  DAY,
  DEFAULT_PARAMS,
  ETH,
  REWARD,
  WORKER_STAKE,
  atTime,
  commit,
  deployMarket,
  expectConservation,
  postJob,
  submitted,
  type Fixture,
  RESULT_HASH,
  packTerms,
} from "./helpers/fixture";

const WASM = ethers.encodeBytes32String("wasm");
const DOCKER = ethers.encodeBytes32String("docker");
const MAX_CAPABILITIES = 16;
const MAX_METADATA_BYTES = 256;
const DELAY = DEFAULT_PARAMS.unbondingDelay;

function caps(n: number): string[] {
  return Array.from({ length: n }, (_, i) => ethers.encodeBytes32String(`cap${i}`));
}

/** Requests an unbond in a block at a known time; returns that time and the expected readyAt. */
async function unbondAt(f: Fixture, amount: bigint, worker = f.worker1) {
  const at = (await time.latest()) + 10;
  await atTime(at);
  await f.market.connect(worker).requestUnbond(amount);
  return { at, readyAt: at + DELAY };
}

async function deployRevertingWorker(f: Fixture, stake: bigint) {
  const receiver = await (await ethers.getContractFactory("RevertingReceiver")).deploy(await f.market.getAddress());
  const iface = f.market.interface;
  await receiver.act(iface.encodeFunctionData("register", [[WASM], "ipfs://reverting"]));
  await receiver.act(iface.encodeFunctionData("depositStake"), { value: stake });
  return receiver;
}

describe("WorkerRegistry", function () {
  describe("register", function () {
    it("registers a new worker and emits its capabilities and URI", async function () {
      const f = await loadFixture(deployMarket);
      expect((await f.market.getWorker(f.other.address)).registered).to.equal(false);

      await expect(f.market.connect(f.other).register([WASM, DOCKER], "https://other.example"))
        .to.emit(f.market, "WorkerRegistered")
        .withArgs(f.other.address, [WASM, DOCKER], "https://other.example");

      const w = await f.market.getWorker(f.other.address);
      expect(w.registered).to.equal(true);
      expect(w.stake).to.equal(0n);
      expect(w.locked).to.equal(0n);
      expect(w.completed).to.equal(0n);
    });

    it("accepts exactly the maximum number of capabilities and metadata bytes", async function () {
      const f = await loadFixture(deployMarket);
      const uri = "u".repeat(MAX_METADATA_BYTES);
      await expect(f.market.connect(f.other).register(caps(MAX_CAPABILITIES), uri))
        .to.emit(f.market, "WorkerRegistered")
        .withArgs(f.other.address, caps(MAX_CAPABILITIES), uri);
    });

    it("reverts when more than the maximum number of capabilities is given", async function () {
      const f = await loadFixture(deployMarket);
      await expect(f.market.connect(f.other).register(caps(MAX_CAPABILITIES + 1), "ipfs://x"))
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryTooManyCapabilities")
        .withArgs(MAX_CAPABILITIES + 1, MAX_CAPABILITIES);
      expect((await f.market.getWorker(f.other.address)).registered).to.equal(false);
    });

    it("reverts when the metadata URI is longer than the maximum", async function () {
      const f = await loadFixture(deployMarket);
      // Length is counted in bytes, not characters: "é" is two bytes in UTF-8.
      const uri = "é".repeat(MAX_METADATA_BYTES / 2) + "x";
      await expect(f.market.connect(f.other).register([WASM], uri))
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryMetadataTooLong")
        .withArgs(MAX_METADATA_BYTES + 1, MAX_METADATA_BYTES);
      expect((await f.market.getWorker(f.other.address)).registered).to.equal(false);
    });

    it("updates the profile on re-registration and keeps stake and reputation", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await submitted(f);
      await time.increaseTo((await f.market.getJob(jobId)).deadline);
      await f.market.settle(jobId, packTerms(terms), RESULT_HASH);
      const before = await f.market.getWorker(f.worker1.address);

      await expect(f.market.connect(f.worker1).register([DOCKER], "https://new.example"))
        .to.emit(f.market, "WorkerRegistered")
        .withArgs(f.worker1.address, [DOCKER], "https://new.example");

      const after = await f.market.getWorker(f.worker1.address);
      expect(after.registered).to.equal(true);
      expect(after.stake).to.equal(before.stake);
      expect(after.locked).to.equal(before.locked);
      expect(after.completed).to.equal(1n);
    });
  });

  describe("depositStake", function () {
    it("reverts when the caller is not registered", async function () {
      const f = await loadFixture(deployMarket);
      await expect(f.market.connect(f.other).depositStake({ value: 1n }))
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryNotRegistered")
        .withArgs(f.other.address);
    });

    it("reverts when no ETH is sent", async function () {
      const f = await loadFixture(deployMarket);
      await expect(f.market.connect(f.worker1).depositStake({ value: 0n })).to.be.revertedWithCustomError(
        f.market,
        "WorkerRegistryZeroAmount",
      );
    });

    it("adds the ETH to the stake and emits the new total", async function () {
      const f = await loadFixture(deployMarket);
      const amount = ethers.parseEther("2.5");
      const tx = f.market.connect(f.worker1).depositStake({ value: amount });
      await expect(tx)
        .to.emit(f.market, "StakeDeposited")
        .withArgs(f.worker1.address, amount, WORKER_STAKE + amount);
      await expect(tx).to.changeEtherBalances([f.worker1, f.market], [-amount, amount]);
      expect((await f.market.getWorker(f.worker1.address)).stake).to.equal(WORKER_STAKE + amount);
      await expectConservation(f, []);
    });
  });

  describe("requestUnbond", function () {
    it("reverts when the amount is zero", async function () {
      const f = await loadFixture(deployMarket);
      await expect(f.market.connect(f.worker1).requestUnbond(0n)).to.be.revertedWithCustomError(
        f.market,
        "WorkerRegistryZeroAmount",
      );
    });

    it("reverts when the amount is more than the stake", async function () {
      const f = await loadFixture(deployMarket);
      await expect(f.market.connect(f.worker1).requestUnbond(WORKER_STAKE + 1n))
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryInsufficientFreeStake")
        .withArgs(WORKER_STAKE + 1n, WORKER_STAKE);
    });

    it("reverts when the amount reaches into stake locked by a committed bid", async function () {
      const f = await loadFixture(deployMarket);
      const { jobId, terms } = await postJob(f);
      await commit(f, jobId, terms, f.worker1, ethers.parseEther("1"));
      expect((await f.market.getWorker(f.worker1.address)).locked).to.equal(BOND);

      const free = WORKER_STAKE - BOND;
      await expect(f.market.connect(f.worker1).requestUnbond(free + 1n))
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryInsufficientFreeStake")
        .withArgs(free + 1n, free);

      // All of the free stake can still leave; the bond stays behind, locked.
      await f.market.connect(f.worker1).requestUnbond(free);
      const w = await f.market.getWorker(f.worker1.address);
      expect(w.stake).to.equal(BOND);
      expect(w.locked).to.equal(BOND);
      await expectConservation(f, [{ jobId, terms }]);
    });

    it("moves stake into unbonding and emits the total and readyAt", async function () {
      const f = await loadFixture(deployMarket);
      const amount = ethers.parseEther("3");
      const at = (await time.latest()) + 10;
      await atTime(at);
      await expect(f.market.connect(f.worker1).requestUnbond(amount))
        .to.emit(f.market, "UnbondingStarted")
        .withArgs(f.worker1.address, amount, amount, at + DELAY);

      expect((await f.market.getWorker(f.worker1.address)).stake).to.equal(WORKER_STAKE - amount);
      const u = await f.market.getUnbonding(f.worker1.address);
      expect(u.amount).to.equal(amount);
      expect(u.readyAt).to.equal(at + DELAY);
      await expectConservation(f, []);
    });

    it("adds to unbonding stake and restarts the delay", async function () {
      const f = await loadFixture(deployMarket);
      const first = ethers.parseEther("1");
      const second = ethers.parseEther("2");
      const { readyAt: firstReadyAt } = await unbondAt(f, first);

      const later = firstReadyAt - DAY;
      await atTime(later);
      await expect(f.market.connect(f.worker1).requestUnbond(second))
        .to.emit(f.market, "UnbondingStarted")
        .withArgs(f.worker1.address, second, first + second, later + DELAY);

      const u = await f.market.getUnbonding(f.worker1.address);
      expect(u.amount).to.equal(first + second);
      expect(u.readyAt).to.equal(later + DELAY);

      // The first amount is not withdrawable at its original readyAt any more.
      await atTime(firstReadyAt);
      await expect(f.market.connect(f.worker1).withdrawUnbonded())
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryUnbondingNotReady")
        .withArgs(later + DELAY, firstReadyAt);
    });
  });

  describe("withdrawUnbonded", function () {
    it("reverts one second before readyAt and pays out at readyAt", async function () {
      const f = await loadFixture(deployMarket);
      const amount = ethers.parseEther("4");
      const { readyAt } = await unbondAt(f, amount);

      await atTime(readyAt - 1);
      await expect(f.market.connect(f.worker1).withdrawUnbonded())
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryUnbondingNotReady")
        .withArgs(readyAt, readyAt - 1);

      await atTime(readyAt);
      const tx = f.market.connect(f.worker1).withdrawUnbonded();
      await expect(tx).to.emit(f.market, "StakeWithdrawn").withArgs(f.worker1.address, f.worker1.address, amount);
      await expect(tx).to.changeEtherBalances([f.worker1, f.market], [amount, -amount]);
      await expectConservation(f, []);
    });

    it("pays out one second after readyAt and clears the unbonding", async function () {
      const f = await loadFixture(deployMarket);
      const amount = ethers.parseEther("4");
      const { readyAt } = await unbondAt(f, amount);

      await atTime(readyAt + 1);
      const tx = f.market.connect(f.worker1).withdrawUnbonded();
      await expect(tx).to.emit(f.market, "StakeWithdrawn").withArgs(f.worker1.address, f.worker1.address, amount);
      await expect(tx).to.changeEtherBalances([f.worker1, f.market], [amount, -amount]);

      const u = await f.market.getUnbonding(f.worker1.address);
      expect(u.amount).to.equal(0n);
      expect(u.readyAt).to.equal(0n);
      expect((await f.market.getWorker(f.worker1.address)).stake).to.equal(WORKER_STAKE - amount);

      // Withdrawing again finds nothing.
      const now = (await time.latest()) + 1;
      await atTime(now);
      await expect(f.market.connect(f.worker1).withdrawUnbonded())
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryUnbondingNotReady")
        .withArgs(0, now);
      await expectConservation(f, []);
    });

    it("reverts when nothing is unbonding", async function () {
      const f = await loadFixture(deployMarket);
      const now = (await time.latest()) + 5;
      await atTime(now);
      await expect(f.market.connect(f.worker1).withdrawUnbonded())
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryUnbondingNotReady")
        .withArgs(0, now);
    });

    it("reverts with WorkerRegistryTransferFailed when the worker contract rejects ETH", async function () {
      const f = await loadFixture(deployMarket);
      const stake = ethers.parseEther("3");
      const receiver = await deployRevertingWorker(f, stake);
      const receiverAddress = await receiver.getAddress();
      expect((await f.market.getWorker(receiverAddress)).stake).to.equal(stake);

      const at = (await time.latest()) + 10;
      await atTime(at);
      await receiver.act(f.market.interface.encodeFunctionData("requestUnbond", [stake]));

      await atTime(at + DELAY);
      await expect(receiver.act(f.market.interface.encodeFunctionData("withdrawUnbonded")))
        .to.be.revertedWithCustomError(f.market, "WorkerRegistryTransferFailed")
        .withArgs(receiverAddress, stake);

      // Nothing was lost: the stake is still unbonding and held by the market.
      const u = await f.market.getUnbonding(receiverAddress);
      expect(u.amount).to.equal(stake);
      expect(u.readyAt).to.equal(at + DELAY);
      await expectConservation(f, [], [receiverAddress]);

      // It can still take the stake out to another address.
      await expect(
        receiver.act(f.market.interface.encodeFunctionData("withdrawUnbondedTo", [f.other.address])),
      ).to.changeEtherBalance(f.other, stake);
      await expect(
        receiver.act(f.market.interface.encodeFunctionData("withdrawUnbondedTo", [ethers.ZeroAddress])),
      ).to.be.revertedWithCustomError(f.market, "WorkerRegistryZeroAddress");
      await expectConservation(f, [], [receiverAddress]);
    });
  });

  describe("views", function () {
    it("report stake, reputation and credits after a settled job", async function () {
      const f = await loadFixture(deployMarket);
      const price = ethers.parseEther("1.5");
      const job = await submitted(f, price);
      expect((await f.market.getWorker(f.worker1.address)).locked).to.equal(BOND);
      await time.increaseTo((await f.market.getJob(job.jobId)).deadline);
      await f.market.settle(job.jobId, packTerms(job.terms), RESULT_HASH);

      const fee = (price * BigInt(DEFAULT_PARAMS.feeBps)) / 10_000n;
      const w = await f.market.getWorker(f.worker1.address);
      expect(w.stake).to.equal(WORKER_STAKE);
      expect(w.locked).to.equal(0n);
      expect(w.registered).to.equal(true);
      expect(w.completed).to.equal(1n);
      expect(w.noShows).to.equal(0n);
      expect(w.disputesLost).to.equal(0n);

      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(price - fee);
      expect(await f.market.creditOf(f.requester.address, ETH)).to.equal(REWARD - price);

      const u = await f.market.getUnbonding(f.worker1.address);
      expect(u.amount).to.equal(0n);
      expect(u.readyAt).to.equal(0n);
      await expectConservation(f, [job]);
    });

    it("keep the credit slot warm after a withdrawal, without dust", async function () {
      const f = await loadFixture(deployMarket);
      const price = ethers.parseEther("1.5");
      const job = await submitted(f, price);
      await time.increaseTo((await f.market.getJob(job.jobId)).deadline);
      await f.market.settle(job.jobId, packTerms(job.terms), RESULT_HASH);
      const fee = (price * BigInt(DEFAULT_PARAMS.feeBps)) / 10_000n;

      await expect(f.market.connect(f.worker1).withdraw(ETH)).to.changeEtherBalances(
        [f.worker1, f.market],
        [price - fee, -(price - fee)],
      );
      expect(await f.market.creditOf(f.worker1.address, ETH)).to.equal(0n);
      // The slot keeps a marker (credit + 1), not a balance: a second withdrawal finds nothing.
      const slotMarker = await f.market
        .connect(f.worker1)
        .withdraw.staticCall(ETH)
        .catch((e: Error) => e);
      expect(String(slotMarker)).to.contain("JobMarketNothingToWithdraw");
      await expectConservation(f, [job]);
    });
  });
});
