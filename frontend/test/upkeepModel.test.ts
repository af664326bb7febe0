import { PERFORM_RESERVE_GAS, type LeaseState, type UpkeepState } from "@baton/sdk";
import { describe, expect, it } from "vitest";
import { encodeErrorResult, parseEther, parseGwei, zeroAddress, type Address } from "viem";
import { automationTestTargetAbi } from "@baton/sdk";
import {
  cursorText,
  describeCheck,
  explainUpkeep,
  logEmitter,
  performsLeft,
  revertText,
  triggerText,
  upkeepFigures,
} from "../src/lib/upkeepModel.ts";
import { formatAmount } from "../src/lib/format.ts";

const KEEPER: Address = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const TARGET: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const params = { performOverheadGas: 35_000 };
const NOW = 1_700_000_030;

function upkeep(changes: Partial<UpkeepState> = {}): UpkeepState {
  return {
    id: 1n,
    owner: KEEPER,
    target: TARGET,
    forwarder: TARGET,
    kind: "condition",
    status: "active",
    performGasLimit: 200_000,
    balance: parseEther("0.05"),
    cursor: 0n,
    owed: 0n,
    owedEpoch: 0,
    maxGasPrice: parseGwei("100"),
    maxPremium: parseEther("0.0001"),
    withdrawableAt: 0,
    trigger: 0n,
    ...changes,
  };
}
const noLease: LeaseState = { holder: zeroAddress, premium: 0n, pending: 0, bondHeld: false, misses: 0 };
const leased: LeaseState = { holder: KEEPER, premium: parseEther("0.00002"), pending: 0, bondHeld: true, misses: 0 };
const texts = (input: Partial<Parameters<typeof explainUpkeep>[0]> = {}) =>
  explainUpkeep({
    upkeep: upkeep(),
    params,
    gasPrice: parseGwei("2"),
    now: NOW,
    lease: noLease,
    check: { ok: true, needed: true, performData: "0x" },
    money: (v) => formatAmount(v),
    ...input,
  }).map((e) => `${e.tone}: ${e.text}`);

describe("an upkeep's figures", () => {
  it("counts the performs the balance pays at today's gas price, premium included", () => {
    const gas = BigInt(200_000 + 35_000) + PERFORM_RESERVE_GAS;
    const figures = upkeepFigures({ upkeep: upkeep(), params, gasPrice: parseGwei("2"), lease: noLease });
    // Without a lease a perform pays the owner's maximum premium (open service).
    expect(figures.premium).toBe(parseEther("0.0001"));
    expect(figures.cost).toBe(gas * parseGwei("2") + parseEther("0.0001"));
    expect(figures.left).toBe(parseEther("0.05") / figures.cost);
    // (200,000 + 35,000 + 60,000 gas) × 2 gwei + 0.0001 ETH = 0.00069 ETH: 72 performs in 0.05 ETH.
    expect(figures.left).toBe(72n);
    // A lease holder's lower premium makes each perform cheaper.
    const withLease = upkeepFigures({ upkeep: upkeep(), params, gasPrice: parseGwei("2"), lease: leased });
    expect(withLease.premium).toBe(parseEther("0.00002"));
    expect(withLease.left).toBeGreaterThan(figures.left!);
    // The gas price is capped at the ceiling: the owner never pays more.
    const high = upkeepFigures({ upkeep: upkeep(), params, gasPrice: parseGwei("500"), lease: noLease });
    expect(high.cost).toBe(gas * parseGwei("100") + parseEther("0.0001"));
  });

  it("has no count when a perform costs nothing", () => {
    expect(performsLeft(10n, 0n)).toBeNull();
    expect(performsLeft(10n, 3n)).toBe(3n);
    expect(performsLeft(2n, 3n)).toBe(0n);
  });
});

describe("why an upkeep is not performing", () => {
  it("says nothing holds back a due condition upkeep, noting the open service", () => {
    expect(texts()).toEqual([
      "info: No keeper holds this epoch's lease: any keeper staked in the registry may perform it (open service) at its maximum premium.",
      "info: Nothing holds it back: it is due, and a keeper should perform it within a block or two.",
    ]);
    expect(texts({ lease: leased })).toEqual([
      "info: Nothing holds it back: it is due, and a keeper should perform it within a block or two.",
    ]);
  });

  it("gives a paused, underfunded upkeep over its gas price ceiling every reason, most important first", () => {
    const u = upkeep({ status: "paused", balance: parseEther("0.0001"), maxGasPrice: parseGwei("1") });
    const reasons = texts({ upkeep: u, lease: leased });
    expect(reasons[0]).toBe("warning: The owner paused it: performs are refused until it is resumed.");
    expect(reasons[1]).toMatch(
      /^warning: Underfunded: its balance of 0\.0001 ETH does not cover one perform, which may cost up to .* ETH at today's gas price\. Add funds\.$/,
    );
    expect(reasons[2]).toBe(
      "warning: The gas price (2 gwei) is above its ceiling (1 gwei): keepers wait until it falls below.",
    );
    expect(reasons).toHaveLength(3);
  });

  it("says when the target's checkUpkeep returns false or reverts", () => {
    expect(texts({ check: { ok: true, needed: false, performData: "0x" }, lease: leased })).toEqual([
      "info: Not needed: the target's checkUpkeep, simulated just now, returns false. A keeper performs once it returns true.",
    ]);
    expect(texts({ check: { ok: false, reason: '"target says no"' }, lease: leased })).toEqual([
      'warning: The target\'s checkUpkeep reverts ("target says no"), so no keeper can tell that it is due.',
    ]);
  });

  it("tells a reverting checkUpkeep from a failed perform", () => {
    expect(
      texts({ check: { ok: false, reason: "OnlySimulatedBackend()" }, lastFailure: '"target says no"', lease: leased }),
    ).toEqual([
      "warning: The target's checkUpkeep reverts (OnlySimulatedBackend()), so no keeper can tell that it is due.",
      'warning: The last perform failed in the target ("target says no"); it was still charged. Keepers keep trying while it is due.',
    ]);
    expect(texts({ lastFailure: "panic 0x11", lease: leased })).toEqual([
      "warning: The last perform failed in the target (panic 0x11); it was still charged. Keepers keep trying while it is due.",
    ]);
  });

  it("gives the next tick of a time upkeep that is not due", () => {
    // Every 60 s, the tick of 1_700_000_040 is the next one; the last one (…19_980) was performed.
    const u = upkeep({ kind: "interval", trigger: 60n, cursor: 1_699_999_980n });
    const reasons = texts({ upkeep: u, lease: leased });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^info: Not due: the next tick is in 10 s \(at .+\)\.$/);
    // Once the tick has passed and was not performed, nothing holds it back.
    expect(
      texts({ upkeep: upkeep({ kind: "interval", trigger: 60n, cursor: 1_699_999_920n }), lease: leased }),
    ).toEqual(["info: Nothing holds it back: it is due, and a keeper should perform it within a block or two."]);
  });
});

describe("an upkeep in words", () => {
  it("describes the simulated checkUpkeep", () => {
    expect(describeCheck({ ok: true, needed: true, performData: "0x1234" }).text).toBe(
      "checkUpkeep returned needed = true: a keeper would perform now with performData 0x1234.",
    );
    expect(describeCheck({ ok: true, needed: false, performData: "0x" }).text).toBe(
      "checkUpkeep returned needed = false (performData 0x (empty)): nothing would be performed until it returns true.",
    );
    expect(describeCheck({ ok: false, reason: "x", noCode: true })).toEqual({
      tone: "warning",
      text: "There is no contract at the target address on this network.",
    });
  });

  it("decodes revert data", () => {
    expect(revertText("0x")).toBe("it reverted without a reason (or ran out of gas)");
    expect(
      revertText(
        encodeErrorResult({ abi: automationTestTargetAbi, errorName: "TargetFailed", args: ["target says no"] }),
      ),
    ).toBe("TargetFailed(target says no)");
    expect(revertText("0xdeadbeef")).toBe("custom error 0xdeadbeef");
  });

  it("describes triggers and cursors", () => {
    expect(triggerText({ kind: "interval", trigger: 90n })).toBe("every 1 min 30 s");
    expect(triggerText({ kind: "condition", trigger: 0n })).toBe("when its checkUpkeep says so");
    const word = BigInt(TARGET) | (3n << 160n);
    expect(logEmitter(word)).toBe(TARGET);
    expect(triggerText({ kind: "log", trigger: word })).toBe("logs of 0xe7f1…0512");
    expect(cursorText({ kind: "condition", cursor: 0n }, NOW, false)).toBe("never performed");
    expect(cursorText({ kind: "condition", cursor: 42n }, NOW, true)).toBe("last performed in block 42");
    expect(cursorText({ kind: "log", cursor: 42n << 24n }, NOW, false)).toBe("watching logs from block 42");
    expect(cursorText({ kind: "log", cursor: ((43n << 24n) | 2n) + 1n }, NOW, true)).toBe(
      "last performed the log at block 43, index 2",
    );
  });
});
