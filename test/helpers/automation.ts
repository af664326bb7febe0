import { ethers } from "hardhat";
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { BigNumberish, Log } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AutomationCounter, AutomationRegistry, AutomationTestTarget } from "../../typechain-types";
import type { IAutomationRegistry } from "../../typechain-types/contracts/automation/AutomationRegistry";

export type Registration = IAutomationRegistry.RegistrationStruct;
export type LogFilter = { emitter: string; topic0: string; topics: [string, string, string]; topicMask: number };
export type LogRef = IAutomationRegistry.LogRefStruct;

/** `IAutomationRegistry.TriggerKind`. */
export enum TriggerKind {
  Condition,
  Interval,
  Cron,
  Log,
}

/** `IAutomationRegistry.UpkeepStatus`. */
export enum UpkeepStatus {
  None,
  Active,
  Paused,
  Canceled,
}

/** `AutomationTestTarget.Mode`. */
export enum TargetMode {
  Succeed,
  Revert,
  BurnGas,
}

/** Every minute: the one expression whose meaning the cron library's stand-in shares with the real one. */
export const EVERY_MINUTE = "* * * * *";

export const AUTOMATION_PARAMS = {
  epoch: 3_600,
  commitWindow: 600,
  revealWindow: 600,
  leaseBond: ethers.parseEther("1"),
  forfeitBps: 2_000,
  // 30% a miss: three misses take 0.9 of the bond, the fourth the last 0.1.
  missPenaltyBps: 3_000,
  graceSeconds: 20,
  graceBlocks: 5,
  minStake: ethers.parseEther("1"),
  performOverheadGas: 30_000,
  maxPerformGas: 5_000_000,
  checkGasLimit: 500_000,
  withdrawDelay: 600,
  unbondingDelay: 7 * 24 * 3_600,
} satisfies IAutomationRegistry.ParamsStruct;

export const KEEPER_STAKE = ethers.parseEther("5");
export const FUNDING = ethers.parseEther("1");
export const GAS_LIMIT = 200_000;
export const MAX_GAS_PRICE = ethers.parseUnits("100", "gwei");
export const MAX_PREMIUM = ethers.parseUnits("1000000", "gwei");
const AUTOMATION = ethers.encodeBytes32String("automation");

export async function deployAutomation() {
  const signers = await ethers.getSigners();
  const [owner, keeper1, keeper2, keeper3, backup, other, funder] = signers;
  const registry = (await (
    await ethers.getContractFactory("AutomationRegistry")
  ).deploy(AUTOMATION_PARAMS)) as unknown as AutomationRegistry;
  const target = (await (
    await ethers.getContractFactory("AutomationTestTarget")
  ).deploy()) as unknown as AutomationTestTarget;
  const counter = (await (
    await ethers.getContractFactory("AutomationCounter")
  ).deploy()) as unknown as AutomationCounter;
  const keepers = [keeper1, keeper2, keeper3, backup];
  for (const k of keepers) {
    await registry.connect(k).register([AUTOMATION], `https://keepers.example/${k.address}`);
    await registry.connect(k).depositStake({ value: KEEPER_STAKE });
  }
  return {
    registry,
    target,
    counter,
    owner,
    keeper1,
    keeper2,
    keeper3,
    backup,
    other,
    funder,
    keepers,
    signers,
  };
}

export type AutomationFixture = Awaited<ReturnType<typeof deployAutomation>>;

const coder = ethers.AbiCoder.defaultAbiCoder();
const LOG_FILTER = "tuple(address emitter, bytes32 topic0, bytes32[3] topics, uint8 topicMask)";

export function intervalTrigger(seconds: BigNumberish): string {
  return coder.encode(["uint32"], [seconds]);
}

export function cronTrigger(expr: string): string {
  return coder.encode(["string"], [expr]);
}

export function logTrigger(filter: LogFilter): string {
  return coder.encode([LOG_FILTER], [filter]);
}

/** A filter on the test target's `Ping` events, any tag unless `tag` is given. */
export function pingFilter(f: AutomationFixture, emitter: string, tag?: bigint): LogFilter {
  const zero = ethers.ZeroHash;
  return {
    emitter,
    topic0: f.target.interface.getEvent("Ping").topicHash,
    topics: [tag === undefined ? zero : ethers.toBeHex(tag, 32), zero, zero],
    topicMask: tag === undefined ? 0 : 1,
  };
}

/** What `trigger` must be for `kind` (an interval of a minute, every minute, pings of `target`). */
export async function defaultTrigger(f: AutomationFixture, kind: TriggerKind, target: string): Promise<string> {
  switch (kind) {
    case TriggerKind.Condition:
      return "0x";
    case TriggerKind.Interval:
      return intervalTrigger(60);
    case TriggerKind.Cron:
      return cronTrigger(EVERY_MINUTE);
    case TriggerKind.Log:
      return logTrigger(pingFilter(f, target));
  }
}

/** A registration of the test target (or `overrides.target`) for `kind`. */
export async function registration(
  f: AutomationFixture,
  kind: TriggerKind,
  overrides: Partial<Registration> = {},
): Promise<Registration> {
  const target = String(overrides.target ?? (await f.target.getAddress()));
  return {
    target,
    kind,
    trigger: await defaultTrigger(f, kind, target),
    checkData: kind === TriggerKind.Interval || kind === TriggerKind.Cron ? "0x" : "0xc0ffee",
    performGasLimit: GAS_LIMIT,
    maxGasPrice: MAX_GAS_PRICE,
    maxPremium: MAX_PREMIUM,
    ...overrides,
  };
}

/** Registers an upkeep funded with `value` and returns its id. */
export async function register(
  f: AutomationFixture,
  kind: TriggerKind,
  overrides: Partial<Registration> = {},
  value: bigint = FUNDING,
  from: HardhatEthersSigner = f.owner,
): Promise<bigint> {
  await f.registry.connect(from).registerUpkeep(await registration(f, kind, overrides), { value });
  return f.registry.upkeepCount();
}

/** The `LogRef` a keeper sends for a log it read from a receipt. */
export function logRef(log: Log): LogRef {
  return {
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    logIndex: log.index,
    txHash: log.transactionHash,
    source: log.address,
    topics: [...log.topics],
  };
}

/** Emits a `Ping` from the test target and returns the `LogRef` of that log. */
export async function ping(f: AutomationFixture, tag = 1n, value = 0n): Promise<LogRef> {
  const receipt = await (await f.target.ping(tag, value)).wait();
  return logRef(receipt!.logs[0]!);
}

/** The position the registry gives a log: `(blockNumber << 24 | logIndex) + 1`. */
export function logPosition(ref: LogRef): bigint {
  return ((BigInt(ref.blockNumber) << 24n) | BigInt(ref.logIndex)) + 1n;
}

// ---------------------------------------------------------------- time and epochs

const EPOCH = AUTOMATION_PARAMS.epoch;

export function epochStart(epoch: number): number {
  return epoch * EPOCH;
}

/** The epoch of the last block. */
export async function epochNow(): Promise<number> {
  return Math.floor((await time.latest()) / EPOCH);
}

/** Mines a block at the start of the next epoch and returns that epoch. */
export async function toNextEpoch(): Promise<number> {
  const next = (await epochNow()) + 1;
  await time.increaseTo(epochStart(next));
  return next;
}

/** The next multiple of `step` seconds after the last block (a due tick once a block reaches it). */
export async function nextTick(step = 60): Promise<number> {
  const now = await time.latest();
  return now - (now % step) + step;
}

// ---------------------------------------------------------------- leases

export type Bid = { keeper: HardhatEthersSigner; premium: bigint };

export function leaseSalt(upkeepId: bigint, epoch: number, bidder: string): string {
  return ethers.id(`lease:${upkeepId}:${epoch}:${bidder}`);
}

export async function commitBid(f: AutomationFixture, upkeepId: bigint, epoch: number, bid: Bid) {
  const s = leaseSalt(upkeepId, epoch, bid.keeper.address);
  const commitment = await f.registry.computeLeaseCommitment(upkeepId, epoch, bid.keeper.address, bid.premium, s);
  return f.registry.connect(bid.keeper).commitLease(upkeepId, epoch, commitment);
}

export async function revealBid(f: AutomationFixture, upkeepId: bigint, epoch: number, bid: Bid) {
  return f.registry
    .connect(bid.keeper)
    .revealLease(upkeepId, epoch, bid.premium, leaseSalt(upkeepId, epoch, bid.keeper.address));
}

/**
 * Runs the auction of the epoch after the next: moves to the next epoch's start, commits `bids`,
 * reveals them in order at the reveal window's start, and (unless `enter` is false) moves to the
 * start of the leased epoch. Returns the leased epoch.
 */
export async function runLease(f: AutomationFixture, upkeepId: bigint, bids: Bid[], enter = true): Promise<number> {
  const auction = await toNextEpoch();
  const leased = auction + 1;
  for (const b of bids) await commitBid(f, upkeepId, leased, b);
  await time.increaseTo(epochStart(auction) + AUTOMATION_PARAMS.commitWindow);
  for (const b of bids) await revealBid(f, upkeepId, leased, b);
  if (enter) await time.increaseTo(epochStart(leased));
  return leased;
}

// ---------------------------------------------------------------- accounting

/**
 * Conservation: the registry's ETH equals every upkeep's balance and owed pay, every keeper's
 * credits, and every worker's stake and unbonding stake, to the wei.
 */
export async function expectAutomationConservation(f: AutomationFixture, extraAccounts: string[] = []) {
  const registry = f.registry;
  let expected = 0n;
  const count = await registry.upkeepCount();
  for (let id = 1n; id <= count; id++) {
    const u = await registry.getUpkeep(id);
    expected += u.balance + u.owed;
  }
  const accounts = new Set([...f.signers.map((s) => s.address), ...extraAccounts]);
  for (const a of accounts) {
    expected += await registry.creditsOf(a);
    expected += (await registry.getWorker(a)).stake;
    expected += (await registry.getUnbonding(a)).amount;
  }
  const balance = await ethers.provider.getBalance(await registry.getAddress());
  expect(balance, "the registry's ETH against balances, owed, credits, stakes and unbonding").to.equal(expected);
}
