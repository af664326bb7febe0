import { expect } from "chai";
import { ethers } from "hardhat";
import { ZeroAddress } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { anyUint } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { AutomationCompatibleInterface, UpkeepCounter } from "../../typechain-types";

// Chainlink's UpkeepCounter, compiled unmodified by solc 0.8.16, driven the way an Automation node
// drives an upkeep: `checkUpkeep` simulated from the zero address, then `performUpkeep` with the
// returned data. The call goes through Chainlink's AutomationCompatibleInterface, compiled by 0.8.28.

const TEST_RANGE = 3600; // seconds after the first perform during which the counter stays eligible
const INTERVAL = 60; // seconds between performs

/** Simulates `checkUpkeep(checkData)` from the zero address, as Chainlink's nodes do. */
async function check(upkeep: AutomationCompatibleInterface, checkData: string): Promise<[boolean, string]> {
  const iface = upkeep.interface;
  const raw = await ethers.provider.call({
    from: ZeroAddress,
    to: await upkeep.getAddress(),
    data: iface.encodeFunctionData("checkUpkeep", [checkData]),
  });
  const [needed, performData] = iface.decodeFunctionResult("checkUpkeep", raw);
  return [needed as boolean, performData as string];
}

describe("Chainlink UpkeepCounter (solc 0.8.16)", function () {
  let counter: UpkeepCounter;
  let upkeep: AutomationCompatibleInterface;

  before(async function () {
    counter = await ethers.deployContract("UpkeepCounter", [TEST_RANGE, INTERVAL]);
    upkeep = await ethers.getContractAt("AutomationCompatibleInterface", await counter.getAddress());
  });

  it("is eligible at once, echoes the check data, and counts each perform", async function () {
    expect(await counter.testRange()).to.equal(TEST_RANGE);
    expect(await counter.interval()).to.equal(INTERVAL);

    const [needed, performData] = await check(upkeep, "0xc0ffee");
    expect(needed).to.equal(true);
    expect(performData).to.equal("0xc0ffee");

    const [signer] = await ethers.getSigners();
    const performed = upkeep.performUpkeep(performData);
    await expect(performed).to.emit(counter, "PerformingUpkeep").withArgs(signer!.address, anyUint, anyUint, 0, 1);
    const block = await (await (await performed).wait())!.getBlock();
    expect(await counter.initialTimestamp()).to.equal(block.timestamp);
    expect(await counter.lastTimestamp()).to.equal(block.timestamp);
    expect(await counter.counter()).to.equal(1n);
  });

  it("waits out the interval between performs and stops after the test range", async function () {
    expect((await check(upkeep, "0x"))[0]).to.equal(false);

    await time.increase(INTERVAL);
    const [needed, performData] = await check(upkeep, "0x");
    expect(needed).to.equal(true);
    await upkeep.performUpkeep(performData);
    expect(await counter.counter()).to.equal(2n);
    expect((await check(upkeep, "0x"))[0]).to.equal(false);

    await time.increase(TEST_RANGE);
    expect((await check(upkeep, "0x"))[0]).to.equal(false);
  });
});
