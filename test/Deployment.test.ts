import { expect } from "chai";
import { ethers, ignition } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import BatonLocal from "../ignition/modules/BatonLocal";
import type { CommitteeArbiter, JobMarket, TimelockController } from "../typechain-types";
import type { IJobMarket } from "../typechain-types/contracts/JobMarket";

async function deployLocal() {
  const deployed = await ignition.deploy(BatonLocal, {
    parameters: { BatonLocal: { timelockDelay: 60 } },
  });
  return {
    market: deployed.market as unknown as JobMarket,
    timelock: deployed.timelock as unknown as TimelockController,
    arbiter: deployed.arbiter as unknown as CommitteeArbiter,
    demoToken: deployed.demoToken,
    multicall3: deployed.multicall3 as unknown as import("../typechain-types").Multicall3,
    signers: await ethers.getSigners(),
  };
}

describe("Deployment (Ignition BatonLocal)", function () {
  it("deploys the market owned by the timelock, a committee and an allowlisted demo token", async function () {
    const { market, timelock, arbiter, demoToken, signers } = await loadFixture(deployLocal);
    expect(await market.owner()).to.equal(await timelock.getAddress());
    expect(await arbiter.market()).to.equal(await market.getAddress());
    expect(await arbiter.members()).to.deep.equal([signers[17].address, signers[18].address, signers[19].address]);
    expect(await market.isTokenAllowed(await demoToken.getAddress())).to.equal(true);
    expect((await market.getParams()).treasury).to.equal(signers[0].address);
  });

  it("refuses governance calls that do not go through the timelock", async function () {
    const { market, signers } = await loadFixture(deployLocal);
    await expect(market.connect(signers[0]).pause())
      .to.be.revertedWithCustomError(market, "OwnableUnauthorizedAccount")
      .withArgs(signers[0].address);
  });

  it("applies a parameter change only after the timelock delay", async function () {
    const { market, timelock, signers } = await loadFixture(deployLocal);
    const current = await market.getParams();
    const params: IJobMarket.ParamsStruct = {
      treasury: current.treasury,
      feeBps: 100,
      forfeitBps: current.forfeitBps,
      slashBountyBps: current.slashBountyBps,
      callbackGasLimit: current.callbackGasLimit,
      rulingTimeout: current.rulingTimeout,
      unbondingDelay: current.unbondingDelay,
      disputeBond: current.disputeBond,
    };
    const data = market.interface.encodeFunctionData("setParams", [params]);
    const target = await market.getAddress();
    const salt = ethers.id("fee-change");
    await timelock.connect(signers[0]).schedule(target, 0, data, ethers.ZeroHash, salt, 60);
    await expect(timelock.execute(target, 0, data, ethers.ZeroHash, salt)).to.be.revertedWithCustomError(
      timelock,
      "TimelockUnexpectedOperationState",
    );
    await time.increase(60);
    // Anyone may execute once the delay has passed.
    await expect(timelock.connect(signers[5]).execute(target, 0, data, ethers.ZeroHash, salt)).to.emit(
      market,
      "ParamsUpdated",
    );
    expect((await market.getParams()).feeBps).to.equal(100n);
  });

  it("batches reads through Multicall3 and reports or propagates failures as asked", async function () {
    const { market, multicall3 } = await loadFixture(deployLocal);
    const target = await market.getAddress();
    const calls = [1n, 2n, 3n].map((id) => ({
      target,
      allowFailure: false,
      callData: market.interface.encodeFunctionData("jobState", [id]),
    }));
    const results = await multicall3.aggregate3.staticCall(calls);
    expect(results.map((r) => r.success)).to.deep.equal([true, true, true]);
    // A failing call is reported when failure is allowed, and reverts the batch otherwise.
    const bad = { target, allowFailure: true, callData: "0xdeadbeef" };
    const [ok, failed] = await multicall3.aggregate3.staticCall([calls[0], bad]);
    expect(ok.success).to.equal(true);
    expect(failed.success).to.equal(false);
    await expect(multicall3.aggregate3.staticCall([{ ...bad, allowFailure: false }]))
      .to.be.revertedWithCustomError(multicall3, "Multicall3CallFailed")
      .withArgs(0);
  });
});
