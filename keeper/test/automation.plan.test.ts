import { describe, expect, it } from "vitest";
import { ZERO_ADDRESS, ZERO_HASH, type AutomationParams, type LeaseState, type UpkeepState } from "@baton/sdk";
import { parseConfig } from "../src/config.js";
import {
  blockedBy,
  conditionBackupStep,
  expectedPerforms,
  LEASE_GAS,
  leasePremium,
  logOpen,
  planLease,
  planLeaseEnd,
  roleOf,
  timeTickOpen,
  type AutomationConfig,
  type AutomationMe,
  type UpkeepView,
} from "../src/automation/plan.js";
import { matches } from "../src/automation/service.js";

const ME = "0x00000000000000000000000000000000000000aa" as const;
const OTHER = "0x00000000000000000000000000000000000000bb" as const;
const GWEI = 10n ** 9n;

const params: AutomationParams = {
  epoch: 600,
  commitWindow: 60,
  revealWindow: 60,
  leaseBond: 10n ** 17n,
  forfeitBps: 2_000,
  missPenaltyBps: 2_500,
  graceSeconds: 10,
  graceBlocks: 5,
  minStake: 10n ** 17n,
  performOverheadGas: 35_000,
  maxPerformGas: 5_000_000,
  checkGasLimit: 5_000_000,
  withdrawDelay: 600,
  unbondingDelay: 600,
};

const noLease: LeaseState = { holder: ZERO_ADDRESS, premium: 0n, pending: 0, bondHeld: false, misses: 0 };
const leaseOf = (holder: `0x${string}`, premium = 1_000n): LeaseState => ({
  holder,
  premium,
  pending: 0,
  bondHeld: true,
  misses: 0,
});

function upkeep(over: Partial<UpkeepState> = {}): UpkeepState {
  return {
    id: 7n,
    owner: OTHER,
    target: OTHER,
    forwarder: OTHER,
    kind: "interval",
    status: "active",
    performGasLimit: 100_000,
    balance: 10n ** 18n,
    cursor: 0n,
    owed: 0n,
    owedEpoch: 0,
    maxGasPrice: 100n * GWEI,
    maxPremium: 10_000n,
    withdrawableAt: 0,
    trigger: 60n,
    ...over,
  };
}

const view = (over: Partial<UpkeepView> = {}, u: Partial<UpkeepState> = {}): UpkeepView => ({
  upkeep: upkeep(u),
  lease: noLease,
  next: noLease,
  myNextCommitment: ZERO_HASH,
  dueReport: 0n,
  ...over,
});

const me: AutomationMe = { address: ME, stake: 10n ** 18n, locked: 0n };
const cfg = (automation: Record<string, unknown> = {}, strategy?: unknown): AutomationConfig =>
  parseConfig({
    rpcUrls: ["http://127.0.0.1:8545"],
    chainId: 31337,
    market: OTHER,
    dbPath: ":memory:",
    capabilities: ["wasm"],
    strategy: strategy ?? { kind: "fraction", fraction: 0.5 },
    automation,
  });

describe("roleOf", () => {
  it("is holder for the lease holder, whatever its free stake", () => {
    expect(roleOf(view({ lease: leaseOf(ME) }), { ...me, stake: 0n }, params, cfg())).toBe("holder");
  });
  it("serves an upkeep without a lease in open service, unless configured not to", () => {
    expect(roleOf(view(), me, params, cfg())).toBe("open");
    expect(roleOf(view(), me, params, cfg({ openService: false }))).toBeNull();
  });
  it("backs up another keeper's lease, unless configured not to", () => {
    expect(roleOf(view({ lease: leaseOf(OTHER) }), me, params, cfg())).toBe("backup");
    expect(roleOf(view({ lease: leaseOf(OTHER) }), me, params, cfg({ backup: false }))).toBeNull();
  });
  it("serves nothing it does not hold below the registry's minimum stake", () => {
    expect(roleOf(view(), { ...me, stake: params.minStake - 1n }, params, cfg())).toBeNull();
  });
});

describe("blockedBy", () => {
  it("refuses a gas price above the owner's ceiling", () => {
    expect(blockedBy(view(), "open", params, 101n * GWEI)).toBe("gas-price-above-ceiling");
  });
  it("refuses a balance short of the most a perform costs, premium included", () => {
    // (100k + 60k reserve + 35k overhead) × 1 gwei + the 10,000 wei maximum premium.
    const needed = 195_000n * GWEI + 10_000n;
    expect(blockedBy(view({}, { balance: needed }), "open", params, GWEI)).toBeNull();
    expect(blockedBy(view({}, { balance: needed - 1n }), "open", params, GWEI)).toBe("underfunded");
    // The holder earns its own (lower) premium, so the same balance covers one more of its performs.
    expect(
      blockedBy(view({ lease: leaseOf(ME, 9_999n) }, { balance: needed - 1n }), "holder", params, GWEI),
    ).toBeNull();
  });
  it("names a paused upkeep", () => {
    expect(blockedBy(view({}, { status: "paused" }), "open", params, GWEI)).toBe("paused");
  });
});

describe("grace", () => {
  it("lets a backup perform a tick only once the grace has passed by the next block", () => {
    expect(timeTickOpen("holder", 1_000n, 999, params)).toBe(true);
    expect(timeTickOpen("backup", 1_000n, 1_008, params)).toBe(false);
    expect(timeTickOpen("backup", 1_000n, 1_009, params)).toBe(true);
  });
  it("lets a backup perform a log only graceBlocks after its block", () => {
    expect(logOpen("open", 100n, 100n, params)).toBe(true);
    expect(logOpen("backup", 100n, 103n, params)).toBe(false);
    expect(logOpen("backup", 100n, 104n, params)).toBe(true);
  });
  it("has a backup report a true condition first, then perform after the grace", () => {
    expect(conditionBackupStep({ dueReport: 0n, upkeep: upkeep({ cursor: 0n }) }, 50n, params)).toBe("report");
    // A report older than the last perform was answered by it.
    expect(conditionBackupStep({ dueReport: 40n, upkeep: upkeep({ cursor: 45n }) }, 50n, params)).toBe("report");
    expect(conditionBackupStep({ dueReport: 48n, upkeep: upkeep({ cursor: 45n }) }, 51n, params)).toBe("wait");
    expect(conditionBackupStep({ dueReport: 48n, upkeep: upkeep({ cursor: 45n }) }, 52n, params)).toBe("perform");
  });
});

describe("lease pricing", () => {
  it("counts the epoch's performs of interval and cron upkeeps", () => {
    expect(expectedPerforms(upkeep({ kind: "interval", trigger: 60n }), 6_000, params, cfg())).toBe(10);
    expect(expectedPerforms(upkeep({ kind: "interval", trigger: 3_600n }), 6_000, params, cfg())).toBe(1);
    expect(expectedPerforms(upkeep({ kind: "condition" }), 6_000, params, cfg({ expectedPerforms: 42 }))).toBe(42);
  });
  it("bids a fraction of the owner's maximum premium", () => {
    expect(leasePremium(upkeep({ maxPremium: 10_000n }), { kind: "fraction", fraction: 0.25 }, 10, GWEI)).toBe(2_500n);
  });
  it("recovers the auction's gas over the epoch's performs with cost-plus, and declines above the maximum", () => {
    const strategy = { kind: "cost-plus" as const, margin: 0.5, executionCostWei: {}, gasPerJob: 400_000 };
    const u = upkeep({ maxPremium: 10n ** 18n });
    expect(leasePremium(u, strategy, 10, GWEI)).toBe((((LEASE_GAS * GWEI) / 10n) * 3n) / 2n);
    expect(leasePremium({ ...u, maxPremium: 1n }, strategy, 10, GWEI)).toMatch(/above the owner's maximum of 1/);
  });
});

describe("planLease", () => {
  const clock = (now: number) => ({ head: 100n, now, gasPrice: GWEI });
  const local = { bid: false, leasesHeld: 0, revealQueued: false };
  it("commits for the next epoch while the commit window is open for the next block", () => {
    expect(planLease(view(), clock(6_000 + 58), me, params, cfg(), local)).toEqual({
      kind: "commitLease",
      epoch: 11,
      premium: 5_000n,
    });
    expect(planLease(view(), clock(6_000 + 59), me, params, cfg(), local)).toBeNull();
  });
  it("bids only on the configured upkeeps, within the lease limit and the free stake", () => {
    expect(planLease(view(), clock(6_000), me, params, cfg({ bidOn: ["8"] }), local)).toBeNull();
    expect(planLease(view(), clock(6_000), me, params, cfg({ bidOn: ["7"] }), local)?.kind).toBe("commitLease");
    expect(planLease(view(), clock(6_000), me, params, cfg({ maxLeases: 1 }), { ...local, leasesHeld: 1 })).toBeNull();
    const tight = { ...me, locked: me.stake - params.leaseBond + 1n };
    expect(planLease(view(), clock(6_000), tight, params, cfg(), local)).toBeNull();
  });
  it("reveals its stored bid in the reveal window, once", () => {
    const sealed = view({ myNextCommitment: `0x${"1".repeat(64)}` });
    expect(planLease(sealed, clock(6_059), me, params, cfg(), { ...local, bid: true })).toBeNull();
    expect(planLease(sealed, clock(6_060), me, params, cfg(), { ...local, bid: true })).toEqual({
      kind: "revealLease",
      epoch: 11,
      closesAt: 6_120,
    });
    expect(planLease(sealed, clock(6_060), me, params, cfg(), { ...local, bid: true, revealQueued: true })).toBeNull();
    // Revealed already (the commitment is gone from the chain).
    expect(planLease(view(), clock(6_060), me, params, cfg(), { ...local, bid: true })).toBeNull();
  });
  it("does not bid on a paused upkeep", () => {
    expect(planLease(view({}, { status: "paused" }), clock(6_000), me, params, cfg(), local)).toBeNull();
  });
});

describe("planLeaseEnd", () => {
  it("waits for the auction, forgets a lost lease, forfeits non-reveals, then closes after the epoch", () => {
    const epoch = 11;
    const auctionEnds = 10 * 600 + 120;
    expect(planLeaseEnd(leaseOf(ME), epoch, auctionEnds - 1, false, me, params)).toBe("wait");
    expect(planLeaseEnd(leaseOf(OTHER), epoch, auctionEnds, false, me, params)).toBe("forget");
    expect(planLeaseEnd({ ...leaseOf(ME), pending: 1 }, epoch, auctionEnds, false, me, params)).toBe("forfeitOthers");
    expect(planLeaseEnd(leaseOf(ME), epoch, 12 * 600 - 1, false, me, params)).toBe("wait");
    expect(planLeaseEnd(leaseOf(ME), epoch, 12 * 600, false, me, params)).toBe("close");
    expect(planLeaseEnd(leaseOf(ME), epoch, auctionEnds, true, me, params)).toBe("close");
    expect(planLeaseEnd({ ...leaseOf(ME), bondHeld: false }, epoch, 12 * 600, false, me, params)).toBe("forget");
  });
});

describe("log filters", () => {
  const topic = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as `0x${string}`;
  const f = { emitter: OTHER, topic0: topic(1), topics: [topic(2), topic(0), topic(4)], topicMask: 0b101 };
  it("matches the emitter, topic0 and each masked topic", () => {
    expect(matches(f, OTHER.toUpperCase().replace("0X", "0x"), [topic(1), topic(2), topic(9), topic(4)])).toBe(true);
    expect(matches(f, ME, [topic(1), topic(2), topic(9), topic(4)])).toBe(false);
    expect(matches(f, OTHER, [topic(3), topic(2), topic(9), topic(4)])).toBe(false);
    expect(matches(f, OTHER, [topic(1), topic(2), topic(9), topic(5)])).toBe(false);
    expect(matches(f, OTHER, [topic(1), topic(2)])).toBe(false);
  });
});
