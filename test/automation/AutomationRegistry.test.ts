import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import type { UpkeepForwarder } from "../../typechain-types";
import { coverageRun } from "../helpers/coverage";
import {
  AUTOMATION_PARAMS,
  EVERY_MINUTE,
  FUNDING,
  GAS_LIMIT,
  KEEPER_STAKE,
  MAX_GAS_PRICE,
  MAX_PREMIUM,
  TargetMode,
  TriggerKind,
  UpkeepStatus,
  commitBid,
  cronTrigger,
  deployAutomation,
  epochNow,
  epochStart,
  expectAutomationConservation,
  intervalTrigger,
  leaseSalt,
  logPosition,
  logTrigger,
  nextTick,
  ping,
  pingFilter,
  register,
  registration,
  revealBid,
  runLease,
  toNextEpoch,
  type AutomationFixture,
  type Bid,
  type LogRef,
} from "../helpers/automation";

const P = AUTOMATION_PARAMS;
const BOND = P.leaseBond;
const PENALTY = (BOND * BigInt(P.missPenaltyBps)) / 10_000n;
const FORFEIT = (BOND * BigInt(P.forfeitBps)) / 10_000n;
const MIN_PERFORM_GAS = 10_000;
const PERFORM_RESERVE_GAS = 60_000n;
const MAX_GAS = BigInt(GAS_LIMIT) + PERFORM_RESERVE_GAS + BigInt(P.performOverheadGas);
const MAX_CHECK_DATA_BYTES = 2_048;
const MIN_INTERVAL = 5;
const MAX_INTERVAL = 365 * 24 * 3_600;
// Explicit gas skips estimation, so that a revert is reported by the mined block at a set time.
const TX = { gasLimit: 3_000_000 };
const coder = ethers.AbiCoder.defaultAbiCoder();

type Performed = {
  keeper: string;
  success: boolean;
  trigger: bigint;
  targetGas: bigint;
  payment: bigint;
  premium: bigint;
};

/** The `UpkeepPerformed` event of a receipt. */
function performedOf(f: AutomationFixture, receipt: ContractTransactionReceipt | null): Performed {
  for (const log of receipt!.logs) {
    const parsed = f.registry.interface.parseLog(log);
    if (parsed?.name === "UpkeepPerformed") {
      const [, keeper, success, trigger, targetGas, payment, premium] = parsed.args;
      return { keeper, success, trigger, targetGas, payment, premium };
    }
  }
  throw new Error("no UpkeepPerformed event");
}

async function performed(f: AutomationFixture, tx: Promise<ContractTransactionResponse>) {
  const receipt = await (await tx).wait();
  return { receipt: receipt!, event: performedOf(f, receipt) };
}

/** Mines blocks until the next block has number `block` (at least). */
async function mineTo(block: number) {
  const latest = await ethers.provider.getBlockNumber();
  if (block - 1 > latest) await mine(block - 1 - latest);
}

async function deployRejecting(f: AutomationFixture) {
  return (await ethers.getContractFactory("RevertingReceiver")).deploy(await f.registry.getAddress());
}

async function forwarderAt(address: string): Promise<UpkeepForwarder> {
  return (await ethers.getContractAt("UpkeepForwarder", address)) as unknown as UpkeepForwarder;
}

describe("AutomationRegistry", function () {
  describe("deployment", function () {
    it("exposes its parameters", async function () {
      const f = await loadFixture(deployAutomation);
      const p = await f.registry.params();
      expect(p.epoch).to.equal(P.epoch);
      expect(p.commitWindow).to.equal(P.commitWindow);
      expect(p.revealWindow).to.equal(P.revealWindow);
      expect(p.leaseBond).to.equal(P.leaseBond);
      expect(p.forfeitBps).to.equal(P.forfeitBps);
      expect(p.missPenaltyBps).to.equal(P.missPenaltyBps);
      expect(p.graceSeconds).to.equal(P.graceSeconds);
      expect(p.graceBlocks).to.equal(P.graceBlocks);
      expect(p.minStake).to.equal(P.minStake);
      expect(p.performOverheadGas).to.equal(P.performOverheadGas);
      expect(p.maxPerformGas).to.equal(P.maxPerformGas);
      expect(p.checkGasLimit).to.equal(P.checkGasLimit);
      expect(p.withdrawDelay).to.equal(P.withdrawDelay);
      expect(p.unbondingDelay).to.equal(P.unbondingDelay);
      expect(await f.registry.upkeepCount()).to.equal(0n);
    });

    const invalid: [string, Partial<typeof P>, string][] = [
      ["a zero epoch", { epoch: 0 }, "commitWindow + revealWindow must be shorter than epoch"],
      [
        "windows as long as the epoch",
        { commitWindow: 3_000 },
        "commitWindow + revealWindow must be shorter than epoch",
      ],
      ["a zero commit window", { commitWindow: 0 }, "commitWindow + revealWindow must be shorter than epoch"],
      ["a zero reveal window", { revealWindow: 0 }, "revealWindow must be positive"],
      ["a forfeit above 100%", { forfeitBps: 10_001 }, "bps above 10000"],
      ["a miss penalty above 100%", { missPenaltyBps: 10_001 }, "bps above 10000"],
      ["a zero lease bond", { leaseBond: 0n }, "leaseBond must be positive"],
      [
        "a gas ceiling under the minimum",
        { maxPerformGas: MIN_PERFORM_GAS - 1 },
        "maxPerformGas below MIN_PERFORM_GAS",
      ],
      ["no grace in blocks", { graceBlocks: 0 }, "grace must be positive"],
      ["no grace in seconds", { graceSeconds: 0 }, "grace must be positive"],
    ];
    for (const [what, change, reason] of invalid) {
      it(`reverts on ${what}`, async function () {
        const factory = await ethers.getContractFactory("AutomationRegistry");
        await expect(factory.deploy({ ...P, ...change }))
          .to.be.revertedWithCustomError(factory, "AutomationInvalidParams")
          .withArgs(reason);
      });
    }
  });

  describe("registerUpkeep", function () {
    for (const kind of [TriggerKind.Condition, TriggerKind.Interval, TriggerKind.Cron, TriggerKind.Log]) {
      it(`registers a ${TriggerKind[kind]} upkeep, deploys its forwarder and stores its trigger`, async function () {
        const f = await loadFixture(deployAutomation);
        const reg = await registration(f, kind);
        const forwarder = await f.registry.forwarderOf(1);
        expect(await ethers.provider.getCode(forwarder)).to.equal("0x");

        const tx = f.registry.connect(f.owner).registerUpkeep(reg, { value: FUNDING });
        const receipt = (await (await tx).wait())!;
        const block = (await receipt.getBlock())!;
        const targetAddress = await f.target.getAddress();
        const word =
          kind === TriggerKind.Interval
            ? 60n
            : kind === TriggerKind.Log
              ? BigInt(targetAddress)
              : kind === TriggerKind.Condition
                ? 0n
                : (await f.registry.getUpkeep(1)).trigger;
        await expect(tx)
          .to.emit(f.registry, "UpkeepRegistered")
          .withArgs(
            1,
            f.owner.address,
            targetAddress,
            forwarder,
            kind,
            word,
            reg.checkData,
            GAS_LIMIT,
            MAX_GAS_PRICE,
            MAX_PREMIUM,
            FUNDING,
          );

        expect(await f.registry.upkeepCount()).to.equal(1n);
        const u = await f.registry.getUpkeep(1);
        expect(u.owner).to.equal(f.owner.address);
        expect(u.target).to.equal(targetAddress);
        expect(u.forwarder).to.equal(forwarder);
        expect(u.kind).to.equal(kind);
        expect(u.status).to.equal(UpkeepStatus.Active);
        expect(u.performGasLimit).to.equal(GAS_LIMIT);
        expect(u.balance).to.equal(FUNDING);
        expect(u.owed).to.equal(0n);
        expect(u.owedEpoch).to.equal(0n);
        expect(u.maxGasPrice).to.equal(MAX_GAS_PRICE);
        expect(u.maxPremium).to.equal(MAX_PREMIUM);
        expect(u.withdrawableAt).to.equal(0n);
        expect(u.trigger).to.equal(word);
        // Time triggers start at the registration time, logs at the registration block.
        const cursor =
          kind === TriggerKind.Condition
            ? 0n
            : kind === TriggerKind.Log
              ? BigInt(receipt.blockNumber) << 24n
              : BigInt(block.timestamp);
        expect(u.cursor).to.equal(cursor);
        if (kind === TriggerKind.Cron) expect(word).to.not.equal(0n);

        // The forwarder is deployed where `forwarderOf` said, and answers only to this registry.
        expect(await ethers.provider.getCode(forwarder)).to.not.equal("0x");
        expect(await (await forwarderAt(forwarder)).REGISTRY()).to.equal(await f.registry.getAddress());
        expect(await f.registry.checkDataOf(1)).to.equal(reg.checkData);
        const filter = await f.registry.logFilterOf(1);
        if (kind === TriggerKind.Log) {
          const want = pingFilter(f, targetAddress);
          expect(filter.emitter).to.equal(want.emitter);
          expect(filter.topic0).to.equal(want.topic0);
          expect(filter.topics).to.deep.equal(want.topics);
          expect(filter.topicMask).to.equal(0n);
        } else {
          expect(filter.emitter).to.equal(ethers.ZeroAddress);
        }
      });
    }

    it("numbers upkeeps from 1 and gives each its own forwarder", async function () {
      const f = await loadFixture(deployAutomation);
      const a = await register(f, TriggerKind.Condition);
      const b = await register(f, TriggerKind.Condition);
      expect([a, b]).to.deep.equal([1n, 2n]);
      const [fa, fb] = [await f.registry.forwarderOf(a), await f.registry.forwarderOf(b)];
      expect(fa).to.not.equal(fb);
      expect((await f.registry.getUpkeep(b)).forwarder).to.equal(fb);
    });

    it("stores a log filter's topics and mask in the trigger word", async function () {
      const f = await loadFixture(deployAutomation);
      const filter = pingFilter(f, await f.target.getAddress(), 7n);
      const id = await register(f, TriggerKind.Log, { trigger: logTrigger(filter) });
      const stored = await f.registry.logFilterOf(id);
      expect(stored.topics[0]).to.equal(ethers.toBeHex(7n, 32));
      expect(stored.topicMask).to.equal(1n);
      expect((await f.registry.getUpkeep(id)).trigger).to.equal(BigInt(filter.emitter) | (1n << 160n));
    });

    it("accepts gas limits at both bounds and check data of the maximum length", async function () {
      const f = await loadFixture(deployAutomation);
      const checkData = "0x" + "ab".repeat(MAX_CHECK_DATA_BYTES);
      await register(f, TriggerKind.Condition, { performGasLimit: MIN_PERFORM_GAS, checkData });
      await register(f, TriggerKind.Condition, { performGasLimit: P.maxPerformGas });
      expect(await f.registry.checkDataOf(1)).to.equal(checkData);
      expect((await f.registry.getUpkeep(2)).performGasLimit).to.equal(P.maxPerformGas);
    });

    it("reverts when the target has no code", async function () {
      const f = await loadFixture(deployAutomation);
      const reg = await registration(f, TriggerKind.Condition, { target: f.other.address });
      await expect(f.registry.registerUpkeep(reg, { value: FUNDING }))
        .to.be.revertedWithCustomError(f.registry, "AutomationTargetHasNoCode")
        .withArgs(f.other.address);
    });

    it("reverts when the gas limit is below the minimum or above the maximum", async function () {
      const f = await loadFixture(deployAutomation);
      for (const limit of [MIN_PERFORM_GAS - 1, P.maxPerformGas + 1]) {
        const reg = await registration(f, TriggerKind.Condition, { performGasLimit: limit });
        await expect(f.registry.registerUpkeep(reg, { value: FUNDING }))
          .to.be.revertedWithCustomError(f.registry, "AutomationGasLimitOutOfRange")
          .withArgs(limit, MIN_PERFORM_GAS, P.maxPerformGas);
      }
    });

    it("reverts when the check data is too long", async function () {
      const f = await loadFixture(deployAutomation);
      const reg = await registration(f, TriggerKind.Log, { checkData: "0x" + "00".repeat(MAX_CHECK_DATA_BYTES + 1) });
      await expect(f.registry.registerUpkeep(reg, { value: FUNDING }))
        .to.be.revertedWithCustomError(f.registry, "AutomationCheckDataTooLong")
        .withArgs(MAX_CHECK_DATA_BYTES + 1, MAX_CHECK_DATA_BYTES);
    });

    it("reverts when a time trigger is given check data", async function () {
      const f = await loadFixture(deployAutomation);
      for (const kind of [TriggerKind.Interval, TriggerKind.Cron]) {
        const reg = await registration(f, kind, { checkData: "0x0102" });
        await expect(f.registry.registerUpkeep(reg, { value: FUNDING }))
          .to.be.revertedWithCustomError(f.registry, "AutomationCheckDataUnused")
          .withArgs(2);
      }
    });

    it("reverts without funds, over the 96-bit balance, or with a zero gas price ceiling", async function () {
      const f = await loadFixture(deployAutomation);
      const reg = await registration(f, TriggerKind.Condition);
      await expect(f.registry.registerUpkeep(reg)).to.be.revertedWithCustomError(f.registry, "AutomationZeroBalance");
      const tooMuch = 1n << 96n;
      await network.provider.send("hardhat_setBalance", [f.funder.address, ethers.toQuantity(tooMuch * 2n)]);
      await expect(f.registry.connect(f.funder).registerUpkeep(reg, { value: tooMuch }))
        .to.be.revertedWithCustomError(f.registry, "AutomationAmountTooLarge")
        .withArgs(tooMuch);
      const free = await registration(f, TriggerKind.Condition, { maxGasPrice: 0 });
      await expect(f.registry.registerUpkeep(free, { value: FUNDING })).to.be.revertedWithCustomError(
        f.registry,
        "AutomationZeroGasPrice",
      );
    });

    it("reverts when the interval is outside its range", async function () {
      const f = await loadFixture(deployAutomation);
      for (const interval of [MIN_INTERVAL - 1, MAX_INTERVAL + 1]) {
        const reg = await registration(f, TriggerKind.Interval, { trigger: intervalTrigger(interval) });
        await expect(f.registry.registerUpkeep(reg, { value: FUNDING }))
          .to.be.revertedWithCustomError(f.registry, "AutomationIntervalOutOfRange")
          .withArgs(interval, MIN_INTERVAL, MAX_INTERVAL);
      }
      await register(f, TriggerKind.Interval, { trigger: intervalTrigger(MIN_INTERVAL) });
      await register(f, TriggerKind.Interval, { trigger: intervalTrigger(MAX_INTERVAL) });
    });

    it("reverts when the trigger's encoding does not fit its kind", async function () {
      const f = await loadFixture(deployAutomation);
      const filter = logTrigger(pingFilter(f, await f.target.getAddress()));
      const cases: [TriggerKind, string][] = [
        [TriggerKind.Condition, intervalTrigger(60)],
        [TriggerKind.Interval, cronTrigger(EVERY_MINUTE)],
        [TriggerKind.Interval, "0x"],
        [TriggerKind.Cron, intervalTrigger(60)],
        [TriggerKind.Log, cronTrigger(EVERY_MINUTE)],
        [TriggerKind.Log, filter + "00"],
      ];
      for (const [kind, trigger] of cases) {
        const reg = await registration(f, kind, { trigger });
        await expect(f.registry.registerUpkeep(reg, { value: FUNDING }))
          .to.be.revertedWithCustomError(f.registry, "AutomationMalformedTrigger")
          .withArgs(kind, ethers.dataLength(trigger));
      }
    });

    it("reverts when the log filter's emitter has no code or its mask names a fourth topic", async function () {
      const f = await loadFixture(deployAutomation);
      const noCode = { ...pingFilter(f, f.other.address) };
      const badMask = { ...pingFilter(f, await f.target.getAddress()), topicMask: 8 };
      for (const filter of [noCode, badMask]) {
        const reg = await registration(f, TriggerKind.Log, { trigger: logTrigger(filter) });
        await expect(f.registry.registerUpkeep(reg, { value: FUNDING }))
          .to.be.revertedWithCustomError(f.registry, "AutomationInvalidLogFilter")
          .withArgs(filter.emitter, filter.topicMask);
      }
    });
  });

  describe("addFunds", function () {
    it("lets anyone fund an active or paused upkeep", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await expect(f.registry.connect(f.funder).addFunds(id, { value: 5n }))
        .to.emit(f.registry, "UpkeepFunded")
        .withArgs(id, f.funder.address, 5n, FUNDING + 5n);
      await f.registry.connect(f.owner).setPaused(id, true);
      await expect(f.registry.connect(f.funder).addFunds(id, { value: 7n }))
        .to.emit(f.registry, "UpkeepFunded")
        .withArgs(id, f.funder.address, 7n, FUNDING + 12n);
      expect((await f.registry.getUpkeep(id)).balance).to.equal(FUNDING + 12n);
      await expectAutomationConservation(f);
    });

    it("reverts without ETH, over the 96-bit balance, or for a canceled or unknown upkeep", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await expect(f.registry.addFunds(id)).to.be.revertedWithCustomError(f.registry, "AutomationZeroBalance");
      const max = (1n << 96n) - 1n;
      await network.provider.send("hardhat_setBalance", [f.funder.address, ethers.toQuantity(max * 2n)]);
      await expect(f.registry.connect(f.funder).addFunds(id, { value: max }))
        .to.be.revertedWithCustomError(f.registry, "AutomationAmountTooLarge")
        .withArgs(max + FUNDING);
      await expect(f.registry.addFunds(99, { value: 1n }))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(99, UpkeepStatus.None);
      await f.registry.cancelUpkeep(id);
      await expect(f.registry.addFunds(id, { value: 1n }))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(id, UpkeepStatus.Canceled);
    });
  });

  describe("setPaused", function () {
    it("pauses and resumes; a paused upkeep refuses performs and due reports", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await expect(f.registry.setPaused(id, true)).to.emit(f.registry, "UpkeepPaused").withArgs(id, true);
      expect((await f.registry.getUpkeep(id)).status).to.equal(UpkeepStatus.Paused);
      await expect(f.registry.connect(f.keeper1).performCondition(id, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(id, UpkeepStatus.Paused);
      await expect(f.registry.connect(f.keeper1).reportDue(id))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(id, UpkeepStatus.Paused);
      await expect(f.registry.setPaused(id, false)).to.emit(f.registry, "UpkeepPaused").withArgs(id, false);
      await f.registry.connect(f.keeper1).performCondition(id, "0x");
      expect(await f.target.performs()).to.equal(1n);
    });

    it("reverts when the upkeep is already in the asked state", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await expect(f.registry.setPaused(id, false))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(id, UpkeepStatus.Active);
      await f.registry.setPaused(id, true);
      await expect(f.registry.setPaused(id, true))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(id, UpkeepStatus.Paused);
      await f.registry.cancelUpkeep(id);
      await expect(f.registry.setPaused(id, false))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(id, UpkeepStatus.Canceled);
    });

    it("reverts for anyone but the owner and for an unknown upkeep", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await expect(f.registry.connect(f.other).setPaused(id, true))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotOwner")
        .withArgs(id, f.other.address, f.owner.address);
      await expect(f.registry.setPaused(99, true))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnknownUpkeep")
        .withArgs(99);
    });
  });

  describe("cancelUpkeep", function () {
    it("cancels for good: no more performs, funding or bids, and withdrawal after the delay", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const at = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(at);
      await expect(f.registry.cancelUpkeep(id))
        .to.emit(f.registry, "UpkeepCanceled")
        .withArgs(id, at + P.withdrawDelay);
      const u = await f.registry.getUpkeep(id);
      expect(u.status).to.equal(UpkeepStatus.Canceled);
      expect(u.withdrawableAt).to.equal(at + P.withdrawDelay);
      await expect(f.registry.connect(f.keeper1).performCondition(id, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(id, UpkeepStatus.Canceled);
      await expect(commitBid(f, id, (await epochNow()) + 1, { keeper: f.keeper1, premium: 1n }))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(id, UpkeepStatus.Canceled);
      await expect(f.registry.cancelUpkeep(id))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(id, UpkeepStatus.Canceled);
    });

    it("reverts for anyone but the owner and for an unknown upkeep", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await expect(f.registry.connect(f.other).cancelUpkeep(id))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotOwner")
        .withArgs(id, f.other.address, f.owner.address);
      await expect(f.registry.cancelUpkeep(99))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnknownUpkeep")
        .withArgs(99);
    });

    it("waits for sealed bids on the next epoch to be revealed, and allows cancel once they are", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const auction = await toNextEpoch();
      const leased = auction + 1;
      const revealEnds = epochStart(auction) + P.commitWindow + P.revealWindow;
      const bid = { keeper: f.keeper1, premium: 100n };
      await commitBid(f, id, leased, bid);
      await expect(f.registry.cancelUpkeep(id))
        .to.be.revertedWithCustomError(f.registry, "AutomationAuctionPending")
        .withArgs(id, leased, 1, revealEnds);
      // Still unrevealed inside the reveal window.
      await time.increaseTo(epochStart(auction) + P.commitWindow);
      await expect(f.registry.cancelUpkeep(id))
        .to.be.revertedWithCustomError(f.registry, "AutomationAuctionPending")
        .withArgs(id, leased, 1, revealEnds);
      await revealBid(f, id, leased, bid);
      await expect(f.registry.cancelUpkeep(id)).to.emit(f.registry, "UpkeepCanceled");
      // The canceled upkeep's lease can be closed at once: the bond goes back.
      await expect(f.registry.closeLease(id, leased))
        .to.emit(f.registry, "LeaseClosed")
        .withArgs(id, leased, f.keeper1.address, BOND);
      expect((await f.registry.getWorker(f.keeper1.address)).locked).to.equal(0n);
      await expectAutomationConservation(f);
    });

    it("allows cancel after the reveal window even with a bid never revealed", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const auction = await toNextEpoch();
      const leased = auction + 1;
      await commitBid(f, id, leased, { keeper: f.keeper1, premium: 100n });
      await time.increaseTo(epochStart(auction) + P.commitWindow + P.revealWindow);
      await expect(f.registry.cancelUpkeep(id)).to.emit(f.registry, "UpkeepCanceled");
      await expect(f.registry.forfeitLease(id, leased, f.keeper1.address))
        .to.emit(f.registry, "LeaseBidForfeited")
        .withArgs(id, leased, f.keeper1.address, FORFEIT);
      await expectAutomationConservation(f);
    });
  });

  describe("withdrawFunds", function () {
    async function canceled() {
      const f = await deployAutomation();
      const id = await register(f, TriggerKind.Condition);
      await f.registry.connect(f.keeper1).performCondition(id, "0x");
      await f.registry.cancelUpkeep(id);
      const { balance, withdrawableAt } = await f.registry.getUpkeep(id);
      return { f, id, balance, withdrawableAt: Number(withdrawableAt) };
    }

    it("sends a canceled upkeep's balance to the given address once the delay has passed", async function () {
      const { f, id, balance, withdrawableAt } = await loadFixture(canceled);
      await time.setNextBlockTimestamp(withdrawableAt - 1);
      await expect(f.registry.withdrawFunds(id, f.other.address, TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationWithdrawNotReady")
        .withArgs(id, withdrawableAt, withdrawableAt - 1);
      await time.setNextBlockTimestamp(withdrawableAt);
      const tx = f.registry.withdrawFunds(id, f.other.address);
      await expect(tx).to.emit(f.registry, "UpkeepWithdrawn").withArgs(id, f.other.address, balance);
      await expect(tx).to.changeEtherBalances([f.registry, f.other], [-balance, balance]);
      expect((await f.registry.getUpkeep(id)).balance).to.equal(0n);
      await expect(f.registry.withdrawFunds(id, f.other.address)).to.be.revertedWithCustomError(
        f.registry,
        "AutomationNothingToWithdraw",
      );
      await expectAutomationConservation(f);
    });

    it("reverts for an upkeep that is not canceled", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await expect(f.registry.withdrawFunds(id, f.owner.address))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(id, UpkeepStatus.Active);
    });

    it("reverts for the zero address, for anyone but the owner and for an unknown upkeep", async function () {
      const { f, id, withdrawableAt } = await loadFixture(canceled);
      await time.increaseTo(withdrawableAt);
      await expect(f.registry.withdrawFunds(id, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.registry,
        "AutomationZeroAddress",
      );
      await expect(f.registry.connect(f.other).withdrawFunds(id, f.other.address))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotOwner")
        .withArgs(id, f.other.address, f.owner.address);
      await expect(f.registry.withdrawFunds(99, f.owner.address))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnknownUpkeep")
        .withArgs(99);
    });

    it("reverts when the recipient rejects ETH, and keeps the balance", async function () {
      const { f, id, balance, withdrawableAt } = await loadFixture(canceled);
      await time.increaseTo(withdrawableAt);
      const rejecting = await deployRejecting(f);
      const to = await rejecting.getAddress();
      await expect(f.registry.withdrawFunds(id, to))
        .to.be.revertedWithCustomError(f.registry, "AutomationTransferFailed")
        .withArgs(to, balance);
      expect((await f.registry.getUpkeep(id)).balance).to.equal(balance);
    });
  });

  describe("performCondition", function () {
    it("calls the target through the forwarder with the keeper's perform data and pays the keeper", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const forwarder = await f.registry.forwarderOf(id);
      // A target may accept its forwarder only.
      await f.target.setForwarder(forwarder);
      const tx = f.registry.connect(f.keeper1).performCondition(id, "0xdeadbeef");
      const { receipt, event } = await performed(f, tx);
      await expect(tx)
        .to.emit(f.registry, "UpkeepPerformed")
        .withArgs(id, f.keeper1.address, true, receipt.blockNumber, anyValue, event.payment, MAX_PREMIUM);
      await expect(tx).to.emit(f.target, "Performed").withArgs(1, forwarder, "0xdeadbeef");
      expect(await f.target.lastCaller()).to.equal(forwarder);
      expect(await f.target.lastPerformData()).to.equal("0xdeadbeef");
      const u = await f.registry.getUpkeep(id);
      expect(u.cursor).to.equal(receipt.blockNumber);
      expect(u.balance).to.equal(FUNDING - event.payment);
      // Open service pays the owner's maximum premium, to the keeper's credits.
      expect(await f.registry.creditsOf(f.keeper1.address)).to.equal(event.payment);
      await expectAutomationConservation(f);
    });

    it("reverts on a second perform in the same block", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await network.provider.send("evm_setAutomine", [false]);
      try {
        const first = await f.registry.connect(f.keeper1).performCondition(id, "0x01", { gasLimit: 500_000 });
        const block = (await ethers.provider.getBlockNumber()) + 1;
        // Against the pending block, which holds the first perform.
        await expect(f.registry.connect(f.keeper2).performCondition.staticCall(id, "0x02", { blockTag: "pending" }))
          .to.be.revertedWithCustomError(f.registry, "AutomationAlreadyPerformedInBlock")
          .withArgs(id, block);
        const second = await f.registry.connect(f.keeper2).performCondition(id, "0x02", { gasLimit: 500_000 });
        await network.provider.send("evm_mine", []);
        const [r1, r2] = await Promise.all(
          [first.hash, second.hash].map((h) => ethers.provider.getTransactionReceipt(h)),
        );
        expect([r1!.blockNumber, r2!.blockNumber]).to.deep.equal([block, block]);
        expect([r1!.status, r2!.status]).to.deep.equal([1, 0]);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      expect(await f.target.performs()).to.equal(1n);
      expect(await f.target.lastPerformData()).to.equal("0x01");
      // The next block may perform again.
      await f.registry.connect(f.keeper2).performCondition(id, "0x03");
      expect(await f.target.performs()).to.equal(2n);
    });

    it("reverts for a keeper without enough stake", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await expect(f.registry.connect(f.other).performCondition(id, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotStaked")
        .withArgs(f.other.address, 0, P.minStake);
      const half = P.minStake / 2n;
      await f.registry.connect(f.other).register([], "");
      await f.registry.connect(f.other).depositStake({ value: half });
      await expect(f.registry.connect(f.other).performCondition(id, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotStaked")
        .withArgs(f.other.address, half, P.minStake);
    });

    it("reverts for another trigger kind and for an unknown upkeep", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Interval);
      await expect(f.registry.connect(f.keeper1).performCondition(id, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongTrigger")
        .withArgs(id, TriggerKind.Interval);
      await expect(f.registry.connect(f.keeper1).performCondition(99, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnknownUpkeep")
        .withArgs(99);
    });
  });

  describe("performTime", function () {
    it("performs the due tick of an interval upkeep with abi.encode(tick) as perform data", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Interval);
      const tick = await nextTick(60);
      await time.setNextBlockTimestamp(tick + 5);
      const tx = f.registry.connect(f.keeper1).performTime(id, tick);
      await expect(tx)
        .to.emit(f.registry, "UpkeepPerformed")
        .withArgs(id, f.keeper1.address, true, tick, anyValue, anyValue, MAX_PREMIUM);
      const data = coder.encode(["uint256"], [tick]);
      await expect(tx)
        .to.emit(f.target, "Performed")
        .withArgs(1, await f.registry.forwarderOf(id), data);
      expect(await f.target.lastPerformData()).to.equal(data);
      expect((await f.registry.getUpkeep(id)).cursor).to.equal(tick);
      await expect(f.registry.connect(f.keeper2).performTime(id, tick))
        .to.be.revertedWithCustomError(f.registry, "AutomationTickAlreadyPerformed")
        .withArgs(id, tick, tick);
    });

    it("reverts for a tick in the future, off the schedule, superseded, or not after registration", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Interval);
      const registered = Number((await f.registry.getUpkeep(id)).cursor);
      const tick = await nextTick(60);
      await time.setNextBlockTimestamp(tick + 1);
      await expect(f.registry.connect(f.keeper1).performTime(id, tick + 60, TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationTickNotDue")
        .withArgs(id, tick + 60, tick + 1);
      await expect(f.registry.connect(f.keeper1).performTime(id, tick + 1, TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationTickNotScheduled")
        .withArgs(id, tick + 1);
      // The tick at or before registration was never owed.
      const before = registered - (registered % 60);
      await expect(f.registry.connect(f.keeper1).performTime(id, before, TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationTickAlreadyPerformed")
        .withArgs(id, before, registered);
      // Once the next tick is due, the missed one is skipped.
      await time.setNextBlockTimestamp(tick + 61);
      await expect(f.registry.connect(f.keeper1).performTime(id, tick, TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationTickSuperseded")
        .withArgs(id, tick, tick + 60);
      await f.registry.connect(f.keeper1).performTime(id, tick + 60);
      expect(await f.target.performs()).to.equal(1n);
    });

    it("performs the latest minute of a cron upkeep and skips a missed one", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Cron);
      const minute = await nextTick(60);
      await time.setNextBlockTimestamp(minute + 61);
      await expect(f.registry.connect(f.keeper1).performTime(id, minute, TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationTickSuperseded")
        .withArgs(id, minute, minute + 60);
      await expect(f.registry.connect(f.keeper1).performTime(id, minute + 30, TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationTickNotScheduled")
        .withArgs(id, minute + 30);
      const tx = f.registry.connect(f.keeper1).performTime(id, minute + 60);
      await expect(tx)
        .to.emit(f.target, "Performed")
        .withArgs(1, await f.registry.forwarderOf(id), coder.encode(["uint256"], [minute + 60]));
      await expect(f.registry.connect(f.keeper1).performTime(id, minute + 60))
        .to.be.revertedWithCustomError(f.registry, "AutomationTickAlreadyPerformed")
        .withArgs(id, minute + 60, minute + 60);
      expect((await f.registry.getUpkeep(id)).cursor).to.equal(minute + 60);
    });

    it("reverts for another trigger kind, a paused upkeep and an unknown upkeep", async function () {
      const f = await loadFixture(deployAutomation);
      const cond = await register(f, TriggerKind.Condition);
      const log = await register(f, TriggerKind.Log);
      const cron = await register(f, TriggerKind.Cron);
      const tick = await nextTick(60);
      await time.increaseTo(tick);
      await expect(f.registry.connect(f.keeper1).performTime(cond, tick))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongTrigger")
        .withArgs(cond, TriggerKind.Condition);
      await expect(f.registry.connect(f.keeper1).performTime(log, tick))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongTrigger")
        .withArgs(log, TriggerKind.Log);
      await expect(f.registry.connect(f.keeper1).performTime(99, tick))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnknownUpkeep")
        .withArgs(99);
      await f.registry.setPaused(cron, true);
      await expect(f.registry.connect(f.keeper1).performTime(cron, tick))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(cron, UpkeepStatus.Paused);
    });
  });

  describe("performLog", function () {
    it("performs a log with the keeper's perform data and records it", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Log);
      const ref = await ping(f, 5n, 6n);
      const tx = f.registry.connect(f.keeper1).performLog(id, ref, "0xbeef");
      const position = logPosition(ref);
      await expect(tx)
        .to.emit(f.registry, "UpkeepPerformed")
        .withArgs(id, f.keeper1.address, true, position, anyValue, anyValue, MAX_PREMIUM);
      await expect(tx)
        .to.emit(f.registry, "UpkeepLogPerformed")
        .withArgs(id, ref.txHash, ref.blockNumber, ref.logIndex);
      await expect(tx)
        .to.emit(f.target, "Performed")
        .withArgs(1, await f.registry.forwarderOf(id), "0xbeef");
      expect((await f.registry.getUpkeep(id)).cursor).to.equal(position);
      await expect(f.registry.connect(f.keeper2).performLog(id, ref, "0xbeef"))
        .to.be.revertedWithCustomError(f.registry, "AutomationLogAlreadyPerformed")
        .withArgs(id, position, position);
    });

    it("performs logs of one block in order and refuses an earlier one after a later", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Log);
      await network.provider.send("evm_setAutomine", [false]);
      let receipts;
      try {
        const txs = [await f.target.ping(1, 0), await f.target.ping(2, 0), await f.target.ping(3, 0)];
        await network.provider.send("evm_mine", []);
        receipts = await Promise.all(txs.map((t) => t.wait()));
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      const refs = receipts.map((r) => {
        const l = r!.logs[0]!;
        return {
          blockNumber: l.blockNumber,
          blockHash: l.blockHash,
          logIndex: l.index,
          txHash: l.transactionHash,
          source: l.address,
          topics: [...l.topics],
        } satisfies LogRef;
      });
      expect(refs.map((r) => r.logIndex)).to.deep.equal([0, 1, 2]);
      await f.registry.connect(f.keeper1).performLog(id, refs[0]!, "0x00");
      await f.registry.connect(f.keeper1).performLog(id, refs[2]!, "0x02");
      await expect(f.registry.connect(f.keeper1).performLog(id, refs[1]!, "0x01"))
        .to.be.revertedWithCustomError(f.registry, "AutomationLogAlreadyPerformed")
        .withArgs(id, logPosition(refs[1]!), logPosition(refs[2]!));
      expect(await f.target.performs()).to.equal(2n);
    });

    it("refuses a log of an earlier block once a later block's was performed", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Log);
      const early = await ping(f, 1n);
      const late = await ping(f, 2n);
      await f.registry.connect(f.keeper1).performLog(id, late, "0x");
      await expect(f.registry.connect(f.keeper1).performLog(id, early, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationLogAlreadyPerformed")
        .withArgs(id, logPosition(early), logPosition(late));
    });

    it("reverts when the log does not fit the upkeep's filter", async function () {
      const f = await loadFixture(deployAutomation);
      const any = await register(f, TriggerKind.Log);
      const tagged = await register(f, TriggerKind.Log, {
        trigger: logTrigger(pingFilter(f, await f.target.getAddress(), 7n)),
      });
      const ref = await ping(f, 8n);
      const [topic0, ...rest] = ref.topics as string[];
      for (const wrong of [
        { ...ref, source: f.other.address },
        { ...ref, topics: [ethers.id("Other(uint256)"), ...rest] },
        { ...ref, topics: [] },
      ]) {
        await expect(f.registry.connect(f.keeper1).performLog(any, wrong, "0x"))
          .to.be.revertedWithCustomError(f.registry, "AutomationLogFilterMismatch")
          .withArgs(any);
      }
      // The tagged filter wants topic1 = 7.
      for (const wrong of [ref, { ...ref, topics: [topic0!] }]) {
        await expect(f.registry.connect(f.keeper1).performLog(tagged, wrong, "0x"))
          .to.be.revertedWithCustomError(f.registry, "AutomationLogFilterMismatch")
          .withArgs(tagged);
      }
      await f.registry.connect(f.keeper1).performLog(any, ref, "0x");
      await f.registry.connect(f.keeper1).performLog(tagged, await ping(f, 7n), "0x");
      expect(await f.target.performs()).to.equal(2n);
    });

    it("refuses a log emitted before the registration block", async function () {
      const f = await loadFixture(deployAutomation);
      const old = await ping(f);
      const id = await register(f, TriggerKind.Log);
      const cursor = (await f.registry.getUpkeep(id)).cursor;
      await expect(f.registry.connect(f.keeper1).performLog(id, old, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationLogAlreadyPerformed")
        .withArgs(id, logPosition(old), cursor);
    });

    it("reverts for a log of the current block or later", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Log);
      const ref = await ping(f);
      const pending = (await ethers.provider.getBlockNumber()) + 1;
      await expect(f.registry.connect(f.keeper1).performLog(id, { ...ref, blockNumber: pending }, "0x", TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationLogNotFinal")
        .withArgs(id, pending);
    });

    it("reverts when the log's block hash is not the chain's (a reorged log)", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Log);
      const ref = await ping(f);
      const forged = ethers.id("another fork");
      await expect(f.registry.connect(f.keeper1).performLog(id, { ...ref, blockHash: forged }, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationLogReorged")
        .withArgs(id, ref.blockNumber, ref.blockHash, forged);
    });

    it("accepts a log older than the last 256 block hashes on its position", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Log);
      const ref = await ping(f);
      await mine(300);
      await f.registry.connect(f.keeper1).performLog(id, ref, "0x");
      expect((await f.registry.getUpkeep(id)).cursor).to.equal(logPosition(ref));
    });

    it("reverts for another trigger kind and for an unknown upkeep", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const ref = await ping(f);
      await expect(f.registry.connect(f.keeper1).performLog(id, ref, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongTrigger")
        .withArgs(id, TriggerKind.Condition);
      await expect(f.registry.connect(f.keeper1).performLog(99, ref, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnknownUpkeep")
        .withArgs(99);
    });
  });

  describe("perform gas", function () {
    // Exact gas: skipped under coverage, whose instrumented contracts use more.
    (coverageRun ? it.skip : it)("gives the target its gas limit, less only the call's own cost", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const { event } = await performed(f, f.registry.connect(f.keeper1).performCondition(id, "0x"));
      const atStart = await f.target.gasAtStart();
      expect(atStart).to.be.at.most(BigInt(GAS_LIMIT));
      expect(atStart).to.be.at.least(BigInt(GAS_LIMIT) - 1_000n);
      expect(event.targetGas).to.be.at.most(BigInt(GAS_LIMIT) + 5_000n);
    });

    it("reverts when the transaction's gas cannot give the target its limit", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const needed = BigInt(GAS_LIMIT) + BigInt(GAS_LIMIT) / 63n + PERFORM_RESERVE_GAS;
      await expect(f.registry.connect(f.keeper1).performCondition(id, "0x", { gasLimit: 250_000 }))
        .to.be.revertedWithCustomError(f.registry, "AutomationInsufficientGas")
        .withArgs((left: bigint) => left < needed, needed);
      expect(await f.target.performs()).to.equal(0n);
      expect((await f.registry.getUpkeep(id)).balance).to.equal(FUNDING);
    });

    // Exact gas: skipped under coverage, whose instrumented contracts use more.
    (coverageRun ? it.skip : it)(
      "lets the forwarder refuse where the registry's reserve is too small for a large limit",
      async function () {
        const f = await loadFixture(deployAutomation);
        const limit = P.maxPerformGas;
        const id = await register(f, TriggerKind.Condition, { performGasLimit: limit });
        const forwarder = await forwarderAt(await f.registry.forwarderOf(id));
        const call = (gasLimit: number) =>
          f.registry
            .connect(f.keeper1)
            .performCondition.staticCall(id, "0x", { gasLimit })
            .then(
              () => "ok",
              (e: { data?: string }) => {
                if (!e.data) throw e;
                return (f.registry.interface.parseError(e.data) ?? forwarder.interface.parseError(e.data))?.name;
              },
            );
        // The least transaction gas that passes the registry's check.
        let lo = limit;
        let hi = limit + 400_000;
        expect(await call(lo)).to.equal("AutomationInsufficientGas");
        expect(await call(hi)).to.equal("ok");
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if ((await call(mid)) === "AutomationInsufficientGas") lo = mid;
          else hi = mid;
        }
        // With a 5,000,000 limit, the registry's reserve (the limit's 1/63 plus 60,000) does not
        // cover the second 1/64 the forwarder's own call keeps back: there the forwarder refuses.
        await expect(f.registry.connect(f.keeper1).performCondition(id, "0x", { gasLimit: hi }))
          .to.be.revertedWithCustomError(forwarder, "UpkeepForwarderInsufficientGas")
          .withArgs((g: bigint) => g < BigInt(limit) + BigInt(limit) / 63n + 5_000n, limit);
        expect(await f.target.performs()).to.equal(0n);
        // Somewhat more gas and the target gets its limit.
        await f.registry.connect(f.keeper1).performCondition(id, "0x", { gasLimit: hi + 40_000 });
        expect(await f.target.gasAtStart()).to.be.at.least(BigInt(limit) - 1_000n);
      },
    );

    it("charges a reverting target's perform, reports the reason and moves the cursor", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Interval);
      await f.target.setMode(TargetMode.Revert);
      const tick = await nextTick(60);
      await time.setNextBlockTimestamp(tick);
      const tx = f.registry.connect(f.keeper1).performTime(id, tick);
      const { event } = await performed(f, tx);
      const reason = f.target.interface.encodeErrorResult("TargetFailed", ["target says no"]);
      await expect(tx).to.emit(f.registry, "UpkeepTargetReverted").withArgs(id, reason);
      expect(event.success).to.equal(false);
      expect(event.payment).to.be.greaterThan(MAX_PREMIUM);
      const u = await f.registry.getUpkeep(id);
      expect(u.cursor).to.equal(tick);
      expect(u.balance).to.equal(FUNDING - event.payment);
      expect(await f.registry.creditsOf(f.keeper1.address)).to.equal(event.payment);
      expect(await f.target.performs()).to.equal(0n);
      await expectAutomationConservation(f);
    });

    it("charges a target that burns all its gas at most the maximum perform cost", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await f.target.setMode(TargetMode.BurnGas);
      const gasPrice = ethers.parseUnits("2", "gwei");
      const tx = f.registry.connect(f.keeper1).performCondition(id, "0x", { gasPrice });
      const { receipt, event } = await performed(f, tx);
      await expect(tx).to.emit(f.registry, "UpkeepTargetReverted").withArgs(id, "0x");
      expect(receipt.gasPrice).to.equal(gasPrice);
      expect(event.success).to.equal(false);
      expect(event.targetGas).to.be.at.least(BigInt(GAS_LIMIT));
      expect(event.payment).to.be.at.most(await f.registry.maxPerformCost(id, gasPrice));
      expect(event.payment).to.be.at.least(BigInt(GAS_LIMIT) * gasPrice + MAX_PREMIUM);
      expect((await f.registry.getUpkeep(id)).balance).to.equal(FUNDING - event.payment);
      await expectAutomationConservation(f);
    });
  });

  describe("payment", function () {
    // An odd ceiling, so that a payment divisible by it shows which price was used.
    const CEILING = ethers.parseUnits("2", "gwei") + 7n;

    // Exact gas: skipped under coverage, whose instrumented contracts use more.
    (coverageRun ? it.skip : it)(
      "pays min(gas charged, cap) × min(gas price, ceiling) + premium, to the wei",
      async function () {
        const f = await loadFixture(deployAutomation);
        const id = await register(f, TriggerKind.Condition, { maxGasPrice: CEILING });
        // The first perform writes the target's slots for the first time; the next two take the same path.
        await f.registry.connect(f.keeper1).performCondition(id, "0x");

        const low = ethers.parseUnits("1", "gwei") + 3n;
        const before = await f.registry.getUpkeep(id);
        const credits = await f.registry.creditsOf(f.keeper1.address);
        const a = await performed(f, f.registry.connect(f.keeper1).performCondition(id, "0x", { gasPrice: low }));
        expect(a.receipt.gasPrice).to.equal(low);
        expect(a.event.premium).to.equal(MAX_PREMIUM);
        expect((a.event.payment - MAX_PREMIUM) % low).to.equal(0n);
        const charged = (a.event.payment - MAX_PREMIUM) / low;
        expect(charged).to.be.greaterThan(a.event.targetGas);
        expect(charged).to.be.at.most(MAX_GAS);
        // The charge follows the transaction's own gas, within the fixed overhead's approximation.
        expect(charged).to.be.closeTo(a.receipt.gasUsed, 15_000n);
        expect((await f.registry.getUpkeep(id)).balance).to.equal(before.balance - a.event.payment);
        expect(await f.registry.creditsOf(f.keeper1.address)).to.equal(credits + a.event.payment);

        // Above the ceiling the owner pays the ceiling: the same gas (but for the price comparison's
        // other branch) at CEILING.
        const high = ethers.parseUnits("5", "gwei");
        const b = await performed(f, f.registry.connect(f.keeper1).performCondition(id, "0x", { gasPrice: high }));
        expect(b.receipt.gasPrice).to.equal(high);
        expect((b.event.payment - MAX_PREMIUM) % CEILING).to.equal(0n);
        expect((b.event.payment - MAX_PREMIUM) / CEILING).to.be.closeTo(charged, 50n);
        expect((await f.registry.getUpkeep(id)).balance).to.equal(before.balance - a.event.payment - b.event.payment);
        expect(await f.registry.creditsOf(f.keeper1.address)).to.equal(credits + a.event.payment + b.event.payment);
        await expectAutomationConservation(f);
      },
    );

    it("caps the gas charged at the limit plus the reserve and the overhead, whatever the perform data", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition, { maxGasPrice: CEILING });
      const gasPrice = ethers.parseUnits("1", "gwei") + 3n;
      // 128 KiB of perform data: copying it through memory costs the registry far more than the reserve.
      const data = ethers.hexlify(ethers.randomBytes(128 * 1024));
      const { event } = await performed(
        f,
        f.registry.connect(f.keeper1).performCondition(id, data, { gasPrice, gasLimit: 8_000_000 }),
      );
      expect(event.payment).to.equal(MAX_GAS * gasPrice + MAX_PREMIUM);
      expect(event.payment).to.equal(await f.registry.maxPerformCost(id, gasPrice));
      expect((await f.registry.getUpkeep(id)).balance).to.equal(FUNDING - event.payment);
    });

    it("warns when the balance no longer covers a perform at the ceiling, then refuses one", async function () {
      const f = await loadFixture(deployAutomation);
      const atCeiling = MAX_GAS * CEILING + MAX_PREMIUM;
      const id = await register(f, TriggerKind.Condition, { maxGasPrice: CEILING }, atCeiling);
      expect(await f.registry.maxPerformCost(id, CEILING * 2n)).to.equal(atCeiling);
      const low = ethers.parseUnits("1", "gwei");
      const tx = f.registry.connect(f.keeper1).performCondition(id, "0x", { gasPrice: low });
      const { event } = await performed(f, tx);
      const left = atCeiling - event.payment;
      await expect(tx).to.emit(f.registry, "UpkeepUnderfunded").withArgs(id, left, atCeiling);
      await expect(f.registry.connect(f.keeper1).performCondition(id, "0x", { gasPrice: CEILING }))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnderfunded")
        .withArgs(id, left, atCeiling);
      // Topping up lets it run again.
      await f.registry.addFunds(id, { value: atCeiling });
      await f.registry.connect(f.keeper1).performCondition(id, "0x", { gasPrice: CEILING });
      await expectAutomationConservation(f);
    });

    it("does not warn while the balance covers the next perform", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      await expect(f.registry.connect(f.keeper1).performCondition(id, "0x")).to.not.emit(
        f.registry,
        "UpkeepUnderfunded",
      );
    });
  });

  describe("commitLease", function () {
    it("locks the bond and records the sealed bid", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const leased = (await toNextEpoch()) + 1;
      const commitment = await f.registry.computeLeaseCommitment(
        id,
        leased,
        f.keeper1.address,
        100n,
        leaseSalt(id, leased, f.keeper1.address),
      );
      expect(commitment).to.equal(
        ethers.keccak256(
          coder.encode(
            ["uint256", "uint32", "address", "uint64", "bytes32"],
            [id, leased, f.keeper1.address, 100n, leaseSalt(id, leased, f.keeper1.address)],
          ),
        ),
      );
      await expect(f.registry.connect(f.keeper1).commitLease(id, leased, commitment))
        .to.emit(f.registry, "LeaseBidCommitted")
        .withArgs(id, leased, f.keeper1.address, commitment);
      expect(await f.registry.commitmentOf(id, leased, f.keeper1.address)).to.equal(commitment);
      expect((await f.registry.getWorker(f.keeper1.address)).locked).to.equal(BOND);
      expect((await f.registry.getLease(id, leased)).pending).to.equal(1n);
      await expect(f.registry.connect(f.keeper1).commitLease(id, leased, commitment))
        .to.be.revertedWithCustomError(f.registry, "AutomationAlreadyCommitted")
        .withArgs(id, leased, f.keeper1.address);
      await expect(
        f.registry.connect(f.keeper2).commitLease(id, leased, ethers.ZeroHash),
      ).to.be.revertedWithCustomError(f.registry, "AutomationZeroCommitment");
    });

    it("commits for several upkeeps in one multicall, as the sender, and reverts it as a whole", async function () {
      const f = await loadFixture(deployAutomation);
      const a = await register(f, TriggerKind.Condition);
      const b = await register(f, TriggerKind.Condition);
      const leased = (await toNextEpoch()) + 1;
      const seal = (id: bigint) =>
        f.registry.computeLeaseCommitment(
          id,
          leased,
          f.keeper1.address,
          100n,
          leaseSalt(id, leased, f.keeper1.address),
        );
      const call = async (id: bigint) =>
        f.registry.interface.encodeFunctionData("commitLease", [id, leased, await seal(id)]);
      await expect(f.registry.connect(f.keeper1).multicall([await call(a), await call(b)]))
        .to.emit(f.registry, "LeaseBidCommitted")
        .withArgs(b, leased, f.keeper1.address, await seal(b));
      expect(await f.registry.commitmentOf(a, leased, f.keeper1.address)).to.equal(await seal(a));
      expect((await f.registry.getWorker(f.keeper1.address)).locked).to.equal(2n * BOND);
      // The second call fails (already committed): the first is undone with it.
      const c = await register(f, TriggerKind.Condition);
      await expect(f.registry.connect(f.keeper1).multicall([await call(c), await call(a)]))
        .to.be.revertedWithCustomError(f.registry, "AutomationAlreadyCommitted")
        .withArgs(a, leased, f.keeper1.address);
      expect(await f.registry.commitmentOf(c, leased, f.keeper1.address)).to.equal(ethers.ZeroHash);
      expect((await f.registry.getWorker(f.keeper1.address)).locked).to.equal(2n * BOND);
    });

    it("reverts outside the commit window and for any epoch but the next", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const current = await toNextEpoch();
      const bid = { keeper: f.keeper1, premium: 100n };
      const span = P.commitWindow + P.revealWindow;
      let at = epochStart(current) + 10;
      await time.setNextBlockTimestamp(at);
      await expect(commitBid(f, id, current, bid))
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseWindow")
        .withArgs(id, current, epochStart(current - 1), epochStart(current - 1) + span, at);
      at += 1;
      await time.setNextBlockTimestamp(at);
      await expect(commitBid(f, id, current + 2, bid))
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseWindow")
        .withArgs(id, current + 2, epochStart(current + 1), epochStart(current + 1) + span, at);
      at += 1;
      await time.setNextBlockTimestamp(at);
      await expect(commitBid(f, id, 0, bid))
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseWindow")
        .withArgs(id, 0, 0, span, at);
      at = epochStart(current) + P.commitWindow;
      await time.setNextBlockTimestamp(at);
      await expect(commitBid(f, id, current + 1, bid))
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseWindow")
        .withArgs(id, current + 1, epochStart(current), epochStart(current) + P.commitWindow, at);
    });

    it("reverts for a keeper without the minimum stake or without a free bond", async function () {
      const f = await loadFixture(deployAutomation);
      const a = await register(f, TriggerKind.Condition);
      const b = await register(f, TriggerKind.Condition);
      const leased = (await toNextEpoch()) + 1;
      await expect(commitBid(f, a, leased, { keeper: f.other, premium: 1n }))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotStaked")
        .withArgs(f.other.address, 0, P.minStake);
      await f.registry.connect(f.other).register([], "");
      await f.registry.connect(f.other).depositStake({ value: BOND });
      await commitBid(f, a, leased, { keeper: f.other, premium: 1n });
      await expect(commitBid(f, b, leased, { keeper: f.other, premium: 1n }))
        .to.be.revertedWithCustomError(f.registry, "AutomationInsufficientFreeStake")
        .withArgs(0, BOND);
    });

    it("keeps the bond out of the stake a keeper may unbond until the lease closes", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const epoch = await runLease(f, id, [{ keeper: f.keeper1, premium: 100n }]);
      await expect(f.registry.connect(f.keeper1).requestUnbond(KEEPER_STAKE))
        .to.be.revertedWithCustomError(f.registry, "WorkerRegistryInsufficientFreeStake")
        .withArgs(KEEPER_STAKE, KEEPER_STAKE - BOND);
      await time.increaseTo(epochStart(epoch + 1));
      await f.registry.closeLease(id, epoch);
      await f.registry.connect(f.keeper1).requestUnbond(KEEPER_STAKE);
      await time.increase(P.unbondingDelay);
      await expect(f.registry.connect(f.keeper1).withdrawUnbonded()).to.changeEtherBalance(f.keeper1, KEEPER_STAKE);
      await expect(f.registry.connect(f.keeper1).performCondition(id, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotStaked")
        .withArgs(f.keeper1.address, 0, P.minStake);
      await expectAutomationConservation(f);
    });

    it("reverts for an unknown upkeep", async function () {
      const f = await loadFixture(deployAutomation);
      const leased = (await toNextEpoch()) + 1;
      await expect(commitBid(f, 99n, leased, { keeper: f.keeper1, premium: 1n }))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongStatus")
        .withArgs(99, UpkeepStatus.None);
    });
  });

  describe("revealLease", function () {
    it("gives the lease to the lowest premium, ties to the earlier reveal, and releases the others' bonds", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const auction = await toNextEpoch();
      const leased = auction + 1;
      const bids: Bid[] = [
        { keeper: f.keeper1, premium: 500n },
        { keeper: f.keeper2, premium: 300n },
        { keeper: f.keeper3, premium: 300n },
      ];
      for (const b of bids) await commitBid(f, id, leased, b);
      expect((await f.registry.getLease(id, leased)).pending).to.equal(3n);
      await time.increaseTo(epochStart(auction) + P.commitWindow);
      const locked = async (k: Bid["keeper"]) => (await f.registry.getWorker(k.address)).locked;

      await expect(revealBid(f, id, leased, bids[0]!))
        .to.emit(f.registry, "LeaseBidRevealed")
        .withArgs(id, leased, f.keeper1.address, 500n, true);
      await expect(revealBid(f, id, leased, bids[1]!))
        .to.emit(f.registry, "LeaseBidRevealed")
        .withArgs(id, leased, f.keeper2.address, 300n, true);
      expect(await locked(f.keeper1)).to.equal(0n);
      await expect(revealBid(f, id, leased, bids[2]!))
        .to.emit(f.registry, "LeaseBidRevealed")
        .withArgs(id, leased, f.keeper3.address, 300n, false);
      expect([await locked(f.keeper1), await locked(f.keeper2), await locked(f.keeper3)]).to.deep.equal([0n, BOND, 0n]);
      const lease = await f.registry.getLease(id, leased);
      expect(lease.holder).to.equal(f.keeper2.address);
      expect(lease.premium).to.equal(300n);
      expect(lease.pending).to.equal(0n);
      expect(lease.bondHeld).to.equal(true);
      expect(lease.misses).to.equal(0n);
      for (const b of bids)
        expect(await f.registry.commitmentOf(id, leased, b.keeper.address)).to.equal(ethers.ZeroHash);
      await expectAutomationConservation(f);
    });

    it("reverts outside the reveal window", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const auction = await toNextEpoch();
      const leased = auction + 1;
      const bid = { keeper: f.keeper1, premium: 100n };
      await commitBid(f, id, leased, bid);
      const opens = epochStart(auction) + P.commitWindow;
      await time.setNextBlockTimestamp(opens - 1);
      await expect(
        f.registry.connect(f.keeper1).revealLease(id, leased, 100n, leaseSalt(id, leased, f.keeper1.address), TX),
      )
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseWindow")
        .withArgs(id, leased, opens, opens + P.revealWindow, opens - 1);
      await time.setNextBlockTimestamp(opens + P.revealWindow);
      await expect(
        f.registry.connect(f.keeper1).revealLease(id, leased, 100n, leaseSalt(id, leased, f.keeper1.address), TX),
      )
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseWindow")
        .withArgs(id, leased, opens, opens + P.revealWindow, opens + P.revealWindow);
    });

    it("reverts when the reveal does not match a commitment, or its premium is above the maximum", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const auction = await toNextEpoch();
      const leased = auction + 1;
      const greedy = { keeper: f.keeper2, premium: MAX_PREMIUM + 1n };
      await commitBid(f, id, leased, { keeper: f.keeper1, premium: 100n });
      await commitBid(f, id, leased, greedy);
      await time.increaseTo(epochStart(auction) + P.commitWindow);
      await expect(revealBid(f, id, leased, { keeper: f.keeper1, premium: 99n }))
        .to.be.revertedWithCustomError(f.registry, "AutomationCommitmentMismatch")
        .withArgs(id, leased, f.keeper1.address);
      await expect(revealBid(f, id, leased, { keeper: f.keeper3, premium: 100n }))
        .to.be.revertedWithCustomError(f.registry, "AutomationCommitmentMismatch")
        .withArgs(id, leased, f.keeper3.address);
      await expect(revealBid(f, id, leased, greedy))
        .to.be.revertedWithCustomError(f.registry, "AutomationPremiumTooHigh")
        .withArgs(MAX_PREMIUM + 1n, MAX_PREMIUM);
    });
  });

  describe("forfeitLease", function () {
    it("takes the forfeit of a bid never revealed into the upkeep's balance and releases the rest", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const auction = await toNextEpoch();
      const leased = auction + 1;
      await commitBid(f, id, leased, { keeper: f.keeper1, premium: 100n });
      await commitBid(f, id, leased, { keeper: f.keeper2, premium: 200n });
      await time.increaseTo(epochStart(auction) + P.commitWindow);
      await revealBid(f, id, leased, { keeper: f.keeper2, premium: 200n });
      const revealEnds = epochStart(auction) + P.commitWindow + P.revealWindow;
      await time.setNextBlockTimestamp(revealEnds - 1);
      await expect(f.registry.forfeitLease(id, leased, f.keeper1.address, TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseWindow")
        .withArgs(id, leased, revealEnds, ethers.MaxUint256, revealEnds - 1);

      await time.increaseTo(epochStart(leased) + P.epoch);
      // The unrevealed bid keeps the lease from closing until it is forfeited.
      await expect(f.registry.closeLease(id, leased))
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseNotClosable")
        .withArgs(id, leased, epochStart(leased) + P.epoch);
      await expect(f.registry.connect(f.other).forfeitLease(id, leased, f.keeper1.address))
        .to.emit(f.registry, "LeaseBidForfeited")
        .withArgs(id, leased, f.keeper1.address, FORFEIT);
      const w = await f.registry.getWorker(f.keeper1.address);
      expect(w.stake).to.equal(KEEPER_STAKE - FORFEIT);
      expect(w.locked).to.equal(0n);
      expect((await f.registry.getUpkeep(id)).balance).to.equal(FUNDING + FORFEIT);
      expect((await f.registry.getLease(id, leased)).pending).to.equal(0n);
      await expect(f.registry.forfeitLease(id, leased, f.keeper1.address))
        .to.be.revertedWithCustomError(f.registry, "AutomationCommitmentMismatch")
        .withArgs(id, leased, f.keeper1.address);
      await expect(f.registry.forfeitLease(id, leased, f.keeper2.address))
        .to.be.revertedWithCustomError(f.registry, "AutomationCommitmentMismatch")
        .withArgs(id, leased, f.keeper2.address);
      await expect(f.registry.closeLease(id, leased))
        .to.emit(f.registry, "LeaseClosed")
        .withArgs(id, leased, f.keeper2.address, BOND);
      await expectAutomationConservation(f);
    });

    it("reverts for epoch 0", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const at = (await time.latest()) + 5;
      await time.setNextBlockTimestamp(at);
      await expect(f.registry.forfeitLease(id, 0, f.keeper1.address, TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseWindow")
        .withArgs(id, 0, 0, 0, at);
    });
  });

  describe("leased performs", function () {
    /** A lease on `kind` held by keeper2 at 300 wei a perform; the chain is at the leased epoch's start. */
    async function leasedUpkeep(f: AutomationFixture, kind: TriggerKind) {
      const id = await register(f, kind);
      const epoch = await runLease(f, id, [
        { keeper: f.keeper2, premium: 300n },
        { keeper: f.keeper1, premium: 400n },
      ]);
      return { id, epoch };
    }

    it("pays the holder its premium into the upkeep's owed pay, credited at close with the bond", async function () {
      const f = await loadFixture(deployAutomation);
      const { id, epoch } = await leasedUpkeep(f, TriggerKind.Condition);
      expect(await f.registry.currentEpoch(id)).to.equal(epoch);
      expect(await f.registry.maxPerformCost(id, MAX_GAS_PRICE)).to.equal(MAX_GAS * MAX_GAS_PRICE + 300n);
      const a = await performed(f, f.registry.connect(f.keeper2).performCondition(id, "0x"));
      const b = await performed(f, f.registry.connect(f.keeper2).performCondition(id, "0x"));
      expect(a.event.premium).to.equal(300n);
      let u = await f.registry.getUpkeep(id);
      expect(u.owed).to.equal(a.event.payment + b.event.payment);
      expect(u.owedEpoch).to.equal(epoch);
      expect(await f.registry.creditsOf(f.keeper2.address)).to.equal(0n);
      await expectAutomationConservation(f);

      const endsAt = epochStart(epoch) + P.epoch;
      await expect(f.registry.closeLease(id, epoch))
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseNotClosable")
        .withArgs(id, epoch, endsAt);
      await time.increaseTo(endsAt);
      await expect(f.registry.connect(f.other).closeLease(id, epoch))
        .to.emit(f.registry, "LeaseClosed")
        .withArgs(id, epoch, f.keeper2.address, BOND);
      u = await f.registry.getUpkeep(id);
      expect(u.owed).to.equal(0n);
      expect(await f.registry.creditsOf(f.keeper2.address)).to.equal(a.event.payment + b.event.payment);
      expect((await f.registry.getWorker(f.keeper2.address)).locked).to.equal(0n);
      expect((await f.registry.getLease(id, epoch)).bondHeld).to.equal(false);
      await expect(f.registry.closeLease(id, epoch))
        .to.be.revertedWithCustomError(f.registry, "AutomationLeaseNotClosable")
        .withArgs(id, epoch, endsAt);
      await expectAutomationConservation(f);
    });

    it("moves the holder's owed pay to its credits before it would overflow 64 bits", async function () {
      const f = await loadFixture(deployAutomation);
      // Premiums of 10 ETH: two performs owe more than a uint64 holds (about 18.4 ETH).
      const premium = ethers.parseEther("10");
      const id = await register(f, TriggerKind.Condition, { maxPremium: premium }, ethers.parseEther("30"));
      const epoch = await runLease(f, id, [{ keeper: f.keeper1, premium }]);
      const a = await performed(f, f.registry.connect(f.keeper1).performCondition(id, "0x"));
      const b = await performed(f, f.registry.connect(f.keeper1).performCondition(id, "0x"));
      expect(a.event.payment + b.event.payment).to.be.greaterThan(2n ** 64n - 1n);
      expect(await f.registry.creditsOf(f.keeper1.address)).to.equal(a.event.payment);
      const u = await f.registry.getUpkeep(id);
      expect(u.owed).to.equal(b.event.payment);
      expect(u.owedEpoch).to.equal(epoch);
      await expectAutomationConservation(f);
    });

    it("credits an epoch's owed pay to its holder at the first perform of the next holder", async function () {
      const f = await loadFixture(deployAutomation);
      const { id, epoch } = await leasedUpkeep(f, TriggerKind.Condition);
      const first = await performed(f, f.registry.connect(f.keeper2).performCondition(id, "0x"));
      // The next epoch's auction runs now; keeper1 wins it.
      await commitBid(f, id, epoch + 1, { keeper: f.keeper1, premium: 200n });
      await time.increaseTo(epochStart(epoch) + P.commitWindow);
      await revealBid(f, id, epoch + 1, { keeper: f.keeper1, premium: 200n });
      await time.increaseTo(epochStart(epoch + 1));
      const second = await performed(f, f.registry.connect(f.keeper1).performCondition(id, "0x"));
      expect(second.event.premium).to.equal(200n);
      expect(await f.registry.creditsOf(f.keeper2.address)).to.equal(first.event.payment);
      const u = await f.registry.getUpkeep(id);
      expect(u.owed).to.equal(second.event.payment);
      expect(u.owedEpoch).to.equal(epoch + 1);
      // Closing the earlier lease releases the bond and credits nothing twice.
      await expect(f.registry.closeLease(id, epoch))
        .to.emit(f.registry, "LeaseClosed")
        .withArgs(id, epoch, f.keeper2.address, BOND);
      expect(await f.registry.creditsOf(f.keeper2.address)).to.equal(first.event.payment);
      await expectAutomationConservation(f);
    });

    it("turns away others until the grace has passed (time: tick + graceSeconds), then penalizes the holder", async function () {
      const f = await loadFixture(deployAutomation);
      const { id, epoch } = await leasedUpkeep(f, TriggerKind.Interval);
      const tick = epochStart(epoch);
      await time.setNextBlockTimestamp(tick + P.graceSeconds - 1);
      await expect(f.registry.connect(f.backup).performTime(id, tick, TX))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotLeaseHolder")
        .withArgs(id, epoch, f.keeper2.address, tick + P.graceSeconds);
      await time.setNextBlockTimestamp(tick + P.graceSeconds);
      const tx = f.registry.connect(f.backup).performTime(id, tick);
      const { event } = await performed(f, tx);
      await expect(tx)
        .to.emit(f.registry, "LeaseMissed")
        .withArgs(id, epoch, f.keeper2.address, f.backup.address, PENALTY);
      // The backup is paid the lease premium and the holder's penalty.
      expect(event.premium).to.equal(300n);
      expect(await f.registry.creditsOf(f.backup.address)).to.equal(event.payment + PENALTY);
      const holder = await f.registry.getWorker(f.keeper2.address);
      expect(holder.stake).to.equal(KEEPER_STAKE - PENALTY);
      expect(holder.locked).to.equal(BOND - PENALTY);
      expect(holder.noShows).to.equal(1n);
      expect((await f.registry.getLease(id, epoch)).misses).to.equal(1n);
      await expectAutomationConservation(f);

      // The holder still serves the rest of the epoch; at close it gets back what is left of its bond.
      const next = tick + 60;
      await time.setNextBlockTimestamp(next);
      const own = await performed(f, f.registry.connect(f.keeper2).performTime(id, next));
      await time.increaseTo(epochStart(epoch + 1));
      await expect(f.registry.closeLease(id, epoch))
        .to.emit(f.registry, "LeaseClosed")
        .withArgs(id, epoch, f.keeper2.address, BOND - PENALTY);
      expect(await f.registry.creditsOf(f.keeper2.address)).to.equal(own.event.payment);
      expect((await f.registry.getWorker(f.keeper2.address)).locked).to.equal(0n);
      await expectAutomationConservation(f);
    });

    it("turns away others until the grace has passed (log: log block + graceBlocks)", async function () {
      const f = await loadFixture(deployAutomation);
      const { id, epoch } = await leasedUpkeep(f, TriggerKind.Log);
      const ref = await ping(f);
      const graceEnds = Number(ref.blockNumber) + P.graceBlocks;
      await expect(f.registry.connect(f.backup).performLog(id, ref, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotLeaseHolder")
        .withArgs(id, epoch, f.keeper2.address, graceEnds);
      await mineTo(graceEnds - 1);
      await expect(f.registry.connect(f.backup).performLog(id, ref, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotLeaseHolder")
        .withArgs(id, epoch, f.keeper2.address, graceEnds);
      const tx = f.registry.connect(f.backup).performLog(id, ref, "0x");
      await expect(tx)
        .to.emit(f.registry, "LeaseMissed")
        .withArgs(id, epoch, f.keeper2.address, f.backup.address, PENALTY);
      expect((await tx.then((t) => t.wait()))!.blockNumber).to.equal(graceEnds);
      // The holder serves the next log itself, without waiting.
      const next = await ping(f, 2n);
      await f.registry.connect(f.keeper2).performLog(id, next, "0x");
      expect(await f.target.performs()).to.equal(2n);
      await expectAutomationConservation(f);
    });

    it("turns away others until a due report's grace has passed (condition)", async function () {
      const f = await loadFixture(deployAutomation);
      const { id, epoch } = await leasedUpkeep(f, TriggerKind.Condition);
      await expect(f.registry.connect(f.backup).performCondition(id, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotLeaseHolder")
        .withArgs(id, epoch, f.keeper2.address, 0);
      await expect(f.registry.connect(f.backup).reportDue(id))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotNeeded")
        .withArgs(id);
      await f.target.setNeeded(true);
      const tx = f.registry.connect(f.backup).reportDue(id);
      const reported = (await (await tx).wait())!.blockNumber;
      await expect(tx).to.emit(f.registry, "UpkeepDueReported").withArgs(id, f.backup.address, reported);
      expect(await f.registry.dueReportOf(id)).to.equal(reported);
      await expect(f.registry.connect(f.keeper1).reportDue(id))
        .to.be.revertedWithCustomError(f.registry, "AutomationReportNotNeeded")
        .withArgs(id);
      const graceEnds = reported + P.graceBlocks;
      await expect(f.registry.connect(f.backup).performCondition(id, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotLeaseHolder")
        .withArgs(id, epoch, f.keeper2.address, graceEnds);
      await mineTo(graceEnds);
      const perform = f.registry.connect(f.backup).performCondition(id, "0x");
      await expect(perform)
        .to.emit(f.registry, "LeaseMissed")
        .withArgs(id, epoch, f.keeper2.address, f.backup.address, PENALTY);
      // The perform answered the report.
      expect(await f.registry.dueReportOf(id)).to.equal(0n);
      await expect(f.registry.connect(f.backup).performCondition(id, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotLeaseHolder")
        .withArgs(id, epoch, f.keeper2.address, 0);
      await expectAutomationConservation(f);
    });

    it("does not count a report the holder answered by performing", async function () {
      const f = await loadFixture(deployAutomation);
      const { id, epoch } = await leasedUpkeep(f, TriggerKind.Condition);
      await f.target.setNeeded(true);
      await f.registry.connect(f.backup).reportDue(id);
      await f.registry.connect(f.keeper2).performCondition(id, "0x");
      expect(await f.registry.dueReportOf(id)).to.equal(0n);
      await mine(P.graceBlocks);
      await expect(f.registry.connect(f.backup).performCondition(id, "0x"))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotLeaseHolder")
        .withArgs(id, epoch, f.keeper2.address, 0);
    });

    it("takes no penalty when the backup's perform reverted in the target", async function () {
      const f = await loadFixture(deployAutomation);
      const { id, epoch } = await leasedUpkeep(f, TriggerKind.Interval);
      await f.target.setMode(TargetMode.Revert);
      const tick = epochStart(epoch);
      await time.setNextBlockTimestamp(tick + P.graceSeconds);
      const tx = f.registry.connect(f.backup).performTime(id, tick);
      await expect(tx).to.emit(f.registry, "UpkeepTargetReverted");
      await expect(tx).to.not.emit(f.registry, "LeaseMissed");
      expect((await f.registry.getWorker(f.keeper2.address)).stake).to.equal(KEEPER_STAKE);
      expect((await f.registry.getLease(id, epoch)).misses).to.equal(0n);
      await expectAutomationConservation(f);
    });

    it("rejects a due report without a lease, from an unstaked keeper, for a time upkeep, or when the check reverts", async function () {
      const f = await loadFixture(deployAutomation);
      const open = await register(f, TriggerKind.Condition);
      const timed = await register(f, TriggerKind.Interval);
      await f.target.setNeeded(true);
      await expect(f.registry.connect(f.backup).reportDue(open))
        .to.be.revertedWithCustomError(f.registry, "AutomationReportNotNeeded")
        .withArgs(open);
      await expect(f.registry.connect(f.other).reportDue(open))
        .to.be.revertedWithCustomError(f.registry, "AutomationNotStaked")
        .withArgs(f.other.address, 0, P.minStake);
      await expect(f.registry.connect(f.backup).reportDue(timed))
        .to.be.revertedWithCustomError(f.registry, "AutomationWrongTrigger")
        .withArgs(timed, TriggerKind.Interval);
      await expect(f.registry.connect(f.backup).reportDue(99))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnknownUpkeep")
        .withArgs(99);

      const { id } = await leasedUpkeep(f, TriggerKind.Condition);
      // A target that only answers simulations cannot be reported on chain.
      await f.target.setSimulationOnly(true);
      const reason = f.target.interface.encodeErrorResult("OnlySimulatedBackend", []);
      await expect(f.registry.connect(f.backup).reportDue(id))
        .to.be.revertedWithCustomError(f.registry, "AutomationCheckReverted")
        .withArgs(id, reason);
      expect(await f.registry.dueReportOf(id)).to.equal(0n);
    });

    it("keeps letting backups perform once the holder's bond is spent, at no further penalty", async function () {
      const f = await loadFixture(deployAutomation);
      const { id, epoch } = await leasedUpkeep(f, TriggerKind.Interval);
      // 30% a miss: 0.3, 0.3, 0.3, then the last 0.1, then nothing.
      const expected = [PENALTY, PENALTY, PENALTY, BOND - 3n * PENALTY, 0n, 0n];
      let paid = 0n;
      for (const [i, penalty] of expected.entries()) {
        const tick = epochStart(epoch) + 60 * i;
        await time.setNextBlockTimestamp(tick + P.graceSeconds);
        const tx = f.registry.connect(f.backup).performTime(id, tick, TX);
        await expect(tx)
          .to.emit(f.registry, "LeaseMissed")
          .withArgs(id, epoch, f.keeper2.address, f.backup.address, penalty);
        paid += performedOf(f, await (await tx).wait()).payment;
      }
      const holder = await f.registry.getWorker(f.keeper2.address);
      expect(holder.stake).to.equal(KEEPER_STAKE - BOND);
      expect(holder.locked).to.equal(0n);
      expect(await f.registry.creditsOf(f.backup.address)).to.equal(paid + BOND);
      await time.increaseTo(epochStart(epoch + 1));
      await expect(f.registry.closeLease(id, epoch))
        .to.emit(f.registry, "LeaseClosed")
        .withArgs(id, epoch, f.keeper2.address, 0);
      await expectAutomationConservation(f);
    });
  });

  describe("withdrawCredits", function () {
    async function credited() {
      const f = await deployAutomation();
      const id = await register(f, TriggerKind.Condition);
      await f.registry.connect(f.keeper1).performCondition(id, "0x");
      return { f, amount: await f.registry.creditsOf(f.keeper1.address) };
    }

    it("sends the caller's credits to the given address", async function () {
      const { f, amount } = await loadFixture(credited);
      const tx = f.registry.connect(f.keeper1).withdrawCredits(f.other.address);
      await expect(tx).to.emit(f.registry, "CreditsWithdrawn").withArgs(f.keeper1.address, f.other.address, amount);
      await expect(tx).to.changeEtherBalances([f.registry, f.other], [-amount, amount]);
      expect(await f.registry.creditsOf(f.keeper1.address)).to.equal(0n);
      await expect(f.registry.connect(f.keeper1).withdrawCredits(f.keeper1.address)).to.be.revertedWithCustomError(
        f.registry,
        "AutomationNothingToWithdraw",
      );
      await expectAutomationConservation(f);
    });

    it("reverts for the zero address and when the recipient rejects ETH", async function () {
      const { f, amount } = await loadFixture(credited);
      await expect(f.registry.connect(f.keeper1).withdrawCredits(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.registry,
        "AutomationZeroAddress",
      );
      const to = await (await deployRejecting(f)).getAddress();
      await expect(f.registry.connect(f.keeper1).withdrawCredits(to))
        .to.be.revertedWithCustomError(f.registry, "AutomationTransferFailed")
        .withArgs(to, amount);
      expect(await f.registry.creditsOf(f.keeper1.address)).to.equal(amount);
    });
  });

  describe("views", function () {
    it("revert for an unknown upkeep where an upkeep is read", async function () {
      const f = await loadFixture(deployAutomation);
      await expect(f.registry.getUpkeep(1))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnknownUpkeep")
        .withArgs(1);
      await expect(f.registry.currentEpoch(1))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnknownUpkeep")
        .withArgs(1);
      await expect(f.registry.maxPerformCost(1, 1n))
        .to.be.revertedWithCustomError(f.registry, "AutomationUnknownUpkeep")
        .withArgs(1);
    });

    it("report the epoch and the most a perform may cost", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      expect(await f.registry.currentEpoch(id)).to.equal(await epochNow());
      const price = ethers.parseUnits("3", "gwei");
      expect(await f.registry.maxPerformCost(id, price)).to.equal(MAX_GAS * price + MAX_PREMIUM);
      expect(await f.registry.maxPerformCost(id, MAX_GAS_PRICE * 10n)).to.equal(MAX_GAS * MAX_GAS_PRICE + MAX_PREMIUM);
      expect(await f.registry.dueReportOf(id)).to.equal(0n);
    });
  });

  describe("UpkeepForwarder", function () {
    it("reverts when anyone but the registry calls forward", async function () {
      const f = await loadFixture(deployAutomation);
      const id = await register(f, TriggerKind.Condition);
      const forwarder = await forwarderAt(await f.registry.forwarderOf(id));
      const data = f.target.interface.encodeFunctionData("performUpkeep", ["0x"]);
      await expect(forwarder.connect(f.other).forward(await f.target.getAddress(), 100_000, data))
        .to.be.revertedWithCustomError(forwarder, "UpkeepForwarderNotRegistry")
        .withArgs(f.other.address);
    });

    it("reports a target without code as a failed call, and refuses a call it cannot give its gas", async function () {
      const f = await loadFixture(deployAutomation);
      // A forwarder whose registry is an account of the test.
      const forwarder = (await (
        await ethers.getContractFactory("UpkeepForwarder", f.other)
      ).deploy()) as unknown as UpkeepForwarder;
      const [success, , reason] = await forwarder.forward.staticCall(f.funder.address, 100_000, "0x");
      expect(success).to.equal(false);
      expect(reason).to.equal(
        forwarder.interface.encodeErrorResult("UpkeepForwarderTargetHasNoCode", [f.funder.address]),
      );
      const data = f.target.interface.encodeFunctionData("performUpkeep", ["0x"]);
      await expect(forwarder.forward(await f.target.getAddress(), 1_000_000, data, { gasLimit: 500_000 }))
        .to.be.revertedWithCustomError(forwarder, "UpkeepForwarderInsufficientGas")
        .withArgs((g: bigint) => g < 500_000n, 1_000_000);
      await forwarder.forward(await f.target.getAddress(), 100_000, data);
      expect(await f.target.lastCaller()).to.equal(await forwarder.getAddress());
    });
  });

  describe("conservation", function () {
    it("reconciles every balance to the wei across registrations, leases, performs, penalties and withdrawals", async function () {
      const f = await loadFixture(deployAutomation);
      const cond = await register(f, TriggerKind.Condition);
      const timed = await register(f, TriggerKind.Interval);
      const log = await register(f, TriggerKind.Log);
      await f.registry.connect(f.keeper1).performCondition(cond, "0x");
      const epoch = await runLease(f, timed, [
        { keeper: f.keeper2, premium: 300n },
        { keeper: f.keeper3, premium: 250n },
      ]);
      await time.setNextBlockTimestamp(epochStart(epoch) + P.graceSeconds);
      await f.registry.connect(f.backup).performTime(timed, epochStart(epoch));
      await time.setNextBlockTimestamp(epochStart(epoch) + 60);
      await f.registry.connect(f.keeper3).performTime(timed, epochStart(epoch) + 60);
      const ref = await ping(f);
      await f.registry.connect(f.keeper1).performLog(log, ref, "0x");
      await f.registry.connect(f.keeper1).requestUnbond(ethers.parseEther("1"));
      await f.registry.connect(f.backup).withdrawCredits(f.backup.address);
      await f.registry.cancelUpkeep(cond);
      await expectAutomationConservation(f);
      await time.increaseTo(epochStart(epoch + 1));
      await f.registry.closeLease(timed, epoch);
      await f.registry.withdrawFunds(cond, f.owner.address);
      await expectAutomationConservation(f);
    });
  });
});
