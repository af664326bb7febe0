import { describe, expect, it } from "vitest";
import { decodeFunctionData, type Abi } from "viem";
import { committeeArbiterAbi, jobMarketAbi, workflowOrchestratorAbi } from "@baton/sdk";
import { sampleTerms } from "@baton/testkit";
import { stepKey, type Terms } from "../src/plan.js";
import { advanceTransaction, transactionFor, type Transaction } from "../src/transactions.js";

const MARKET = "0x000000000000000000000000000000000000000a" as const;
const ORCHESTRATOR = "0x000000000000000000000000000000000000000b" as const;
const COMMITTEE = "0x000000000000000000000000000000000000000c" as const;
const OTHER = "0x00000000000000000000000000000000000000bb" as const;
const HASH = `0x${"1".repeat(64)}` as const;
const contracts = { market: MARKET, orchestrator: ORCHESTRATOR, committeeArbiter: COMMITTEE };

const terms: Terms = sampleTerms();
const job = { id: 7n, terms };

/** The transaction's kind, target, function and arguments (none of the keeper's carries ETH). */
function decoded(tx: Transaction | undefined, abi: Abi = jobMarketAbi) {
  expect(tx).toBeDefined();
  expect(tx!.value).toBe(0n);
  const { functionName, args } = decodeFunctionData({ abi, data: tx!.data });
  return { kind: tx!.kind, to: tx!.to, functionName, args };
}

describe("transactionFor", () => {
  it("turns each market action into its call on the market, with the job's id and terms", () => {
    const cases = [
      [{ kind: "finalize", key: "k" }, "finalize", "finalizeAuction"],
      [{ kind: "settle", key: "k" }, "settle", "settle"],
      [{ kind: "slashNoShow", key: "k" }, "slash", "slashNoShow"],
      [{ kind: "abandon", key: "k", round: 0, reason: "execution failed" }, "abandon", "abandon"],
      [{ kind: "resolveStaleDispute", key: "k" }, "stale", "resolveStaleDispute"],
    ] as const;
    for (const [action, kind, functionName] of cases) {
      expect(decoded(transactionFor(action, job, contracts))).toEqual({
        kind,
        to: MARKET,
        functionName,
        args: [7n, terms],
      });
    }
  });

  it("seals a commit with the recorded commitment, and reveals the recorded bid", () => {
    const commit = { kind: "commit", key: stepKey("commit", 7n, 0), round: 0, price: 5n } as const;
    expect(decoded(transactionFor(commit, job, contracts, { commitment: HASH }))).toEqual({
      kind: "commit",
      to: MARKET,
      functionName: "commitBid",
      args: [7n, terms, HASH],
    });
    expect(transactionFor(commit, job, contracts)).toBeUndefined();
    const reveal = { kind: "reveal", key: "k", round: 0 } as const;
    expect(decoded(transactionFor(reveal, job, contracts, { bid: { price: 5n, salt: HASH } }))).toEqual({
      kind: "reveal",
      to: MARKET,
      functionName: "revealBid",
      args: [7n, terms, 5n, HASH],
    });
    expect(transactionFor(reveal, job, contracts, { bid: undefined })).toBeUndefined();
  });

  it("submits only a finished execution's result", () => {
    const submit = { kind: "submit", key: "k", round: 0 } as const;
    const result = new Uint8Array([1, 2, 3]);
    expect(
      decoded(transactionFor(submit, job, contracts, { execution: { status: "done", result, resultHash: HASH } })),
    ).toEqual({ kind: "submit", to: MARKET, functionName: "submitResult", args: [7n, terms, HASH, "0x010203"] });
    for (const execution of [
      undefined,
      { status: "running", result: null, resultHash: null },
      { status: "failed", result: null, resultHash: null },
    ]) {
      expect(transactionFor(submit, job, contracts, { execution })).toBeUndefined();
    }
  });

  it("forfeits another bidder's unrevealed bid of its round", () => {
    const forfeit = { kind: "forfeit", key: "k", round: 2, bidder: OTHER } as const;
    expect(decoded(transactionFor(forfeit, job, contracts))).toEqual({
      kind: "forfeit",
      to: MARKET,
      functionName: "forfeitUnrevealed",
      args: [7n, terms, 2, OTHER],
    });
  });

  it("sends housekeeping to the committee and the orchestrator, when they are configured", () => {
    const resolve = { kind: "resolveCommittee", key: "k" } as const;
    expect(decoded(transactionFor(resolve, job, contracts), committeeArbiterAbi)).toEqual({
      kind: "committee",
      to: COMMITTEE,
      functionName: "resolve",
      args: [7n, terms],
    });
    const advance = { kind: "advanceStep", key: "k", workflowId: 4n, step: 1 } as const;
    const expected = { kind: "advance", to: ORCHESTRATOR, functionName: "advance", args: [4n, 1] };
    expect(decoded(transactionFor(advance, job, contracts), workflowOrchestratorAbi)).toEqual(expected);
    expect(decoded(advanceTransaction(advance, contracts), workflowOrchestratorAbi)).toEqual(expected);
    expect(transactionFor(resolve, job, { market: MARKET })).toBeUndefined();
    expect(advanceTransaction(advance, { market: MARKET })).toBeUndefined();
  });
});
