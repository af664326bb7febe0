import {
  automationRegistryAbi,
  BatonContractError,
  batonErrorsAbi,
  committeeArbiterAbi,
  jobMarketAbi,
  testTokenAbi,
  toBatonError,
  TransactionRevertedError,
  workflowOrchestratorAbi,
} from "@baton/sdk";
import { describe, expect, it } from "vitest";
import {
  BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  UserRejectedRequestError,
  zeroAddress,
  type Abi,
  type TransactionReceipt,
} from "viem";

type AbiError = Extract<Abi[number], { type: "error" }>;
import { acceptedStates, contractErrorMessage, describeError, errorMessages } from "../src/lib/errors.ts";

const errorsOf = (abi: readonly { type: string }[]) => abi.filter((i): i is AbiError => i.type === "error");

/** A revert of `name(args)` as viem reports it from simulateContract. */
function revert(name: string, args: readonly unknown[]) {
  const data = encodeErrorResult({ abi: batonErrorsAbi, errorName: name, args } as never);
  const reverted = new ContractFunctionRevertedError({ abi: jobMarketAbi, data, functionName: "withdraw" });
  return new ContractFunctionExecutionError(reverted as BaseError, {
    abi: jobMarketAbi,
    functionName: "withdraw",
    args: [zeroAddress],
  });
}

describe("error messages", () => {
  it("has a sentence for every custom error of the market, the committee, the orchestrator and reward tokens", () => {
    const names = new Set(
      [
        ...errorsOf(jobMarketAbi),
        ...errorsOf(committeeArbiterAbi),
        ...errorsOf(workflowOrchestratorAbi),
        ...errorsOf(testTokenAbi),
        ...errorsOf(batonErrorsAbi),
        ...errorsOf(automationRegistryAbi),
      ].map((e) => e.name),
    );
    expect(names.size).toBeGreaterThan(80);
    expect([...names]).toContain("WorkflowStepInProgress");
    expect([...names]).toContain("AutomationUnderfunded");
    const missing = [...names].filter((n) => !errorMessages[n]);
    expect(missing).toEqual([]);
  });

  it("turns every error, with sample arguments, into a sentence without raw names", () => {
    for (const item of errorsOf(batonErrorsAbi)) {
      const args = item.inputs.map((input) => {
        if (input.type === "address") return "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
        if (input.type === "string") return "feeBps";
        if (input.type === "bool") return true;
        if (input.type === "bytes32") return "0x0000000000000000000000000000000000000000000000000000000000000006";
        if (input.type.startsWith("uint8")) return 5;
        if (input.type.startsWith("uint32")) return 1_900_000_000;
        return 1_000_000_000_000_000n;
      });
      const message = describeError(revert(item.name, args));
      expect(message, item.name).toMatch(/[.!]$/);
      expect(message, item.name).not.toContain(item.name);
    }
  });

  it("explains every automation registry error, with sample arguments, in a sentence without raw names", () => {
    for (const item of errorsOf(automationRegistryAbi)) {
      const args = item.inputs.map((input) => {
        if (input.type === "address") return "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
        if (input.type === "string") return "epoch too short";
        if (input.type === "uint8") return 2;
        if (input.type === "uint32") return 1_900_000_000;
        if (input.type.startsWith("bytes")) return "0x";
        return 1_000_000_000_000_000n;
      });
      const message = errorMessages[item.name]!(args);
      expect(message, item.name).toMatch(/[.!]$/);
      expect(message, item.name).not.toContain(item.name);
    }
    expect(errorMessages.AutomationWrongStatus!([3n, 2])).toBe(
      "This is not possible while upkeep #3 is paused: the page shows its current status.",
    );
    expect(errorMessages.CronInvalid!([1, 4n])).toBe(
      "The cron expression is not valid in its hour field (at character 5).",
    );
  });

  it("names the accepted and current states of an unexpected-state revert", () => {
    expect(acceptedStates("0x0000000000000000000000000000000000000000000000000000000000000180")).toEqual([
      "Submitted",
      "Settleable",
    ]);
    const message = describeError(
      revert("JobMarketUnexpectedState", [
        7n,
        11,
        "0x0000000000000000000000000000000000000000000000000000000000000180",
      ]),
    );
    expect(message).toContain("job #7 is Submitted or Settleable; it is now Settled");
  });

  it("explains a decoded error with its evidence", () => {
    const error = toBatonError(revert("JobMarketExpiryTooSoon", [100, 200n]));
    expect(error).toBeInstanceOf(BatonContractError);
    expect(contractErrorMessage(error as BatonContractError)).toMatch(
      /^The expiry .* leaves no time for one full round/,
    );
    expect(describeError(revert("JobMarketHasBids", [3n]))).toBe(
      "job #3 already has bids in this round, so it can no longer be cancelled. If nobody reveals, you can reclaim it after the reveal window.",
    );
  });

  it("explains a transaction mined but reverted, as the sdk's send reports it", () => {
    const receipt = { blockNumber: 12n, status: "reverted" } as TransactionReceipt;
    expect(describeError(new TransactionRevertedError("Settle", `0x${"ab".repeat(32)}`, receipt))).toBe(
      "The transaction was mined but reverted: the job changed in the meantime.",
    );
  });

  it("explains wallet rejections and unknown failures", () => {
    expect(describeError(new UserRejectedRequestError(new Error("User rejected the request.")))).toBe(
      "You rejected the request in your wallet; nothing was sent.",
    );
    expect(describeError(new Error("boom"))).toBe("boom");
  });
});
