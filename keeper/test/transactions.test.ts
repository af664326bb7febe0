import { describe, expect, it } from "vitest";
import { decodeFunctionData, type Abi } from "viem";
import { committeeArbiterAbi, JobState, jobMarketAbi, workflowOrchestratorAbi, ZERO_HASH, packTerms } from "@baton/sdk";
import { sampleTerms } from "@baton/testkit";
import { stepKey, type Terms } from "../src/plan.js";
import { advanceTransaction, resultHashFor, transactionFor, type Transaction } from "../src/transactions.js";

const MARKET = "0x000000000000000000000000000000000000000a" as const;
const ORCHESTRATOR = "0x000000000000000000000000000000000000000b" as const;
const COMMITTEE = "0x000000000000000000000000000000000000000c" as const;
const OTHER = "0x00000000000000000000000000000000000000bb" as const;
const HASH = `0x${"1".repeat(64)}` as const;
const RESULT = `0x${"2".repeat(64)}` as const;
const contracts = { market: MARKET, orchestrator: ORCHESTRATOR, committeeArbiter: COMMITTEE };

const terms: Terms = sampleTerms();
const job = { id: 7n, terms };
/** The job with a result standing on it. */
const withResult = { ...job, resultHash: RESULT };

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
      [{ kind: "slashNoShow", key: "k" }, "slash", "slashNoShow"],
      [{ kind: "abandon", key: "k", round: 0, reason: "execution failed" }, "abandon", "abandon"],
    ] as const;
    for (const [action, kind, functionName] of cases) {
      expect(decoded(transactionFor(action, job, contracts))).toEqual({
        kind,
        to: MARKET,
        functionName,
        args: [7n, packTerms(terms)],
      });
    }
  });

  it("passes the standing result hash back to the calls on a job with a result, and sends none without it", () => {
    const cases = [
      [{ kind: "settle", key: "k" }, "settle", "settle"],
      [{ kind: "resolveStaleDispute", key: "k" }, "stale", "resolveStaleDispute"],
    ] as const;
    for (const [action, kind, functionName] of cases) {
      expect(decoded(transactionFor(action, withResult, contracts))).toEqual({
        kind,
        to: MARKET,
        functionName,
        args: [7n, packTerms(terms), RESULT],
      });
      expect(transactionFor(action, job, contracts)).toBeUndefined();
    }
  });

  it("seals a commit with the recorded commitment, and reveals the recorded bid", () => {
    const commit = { kind: "commit", key: stepKey("commit", 7n, 0), round: 0, price: 5n } as const;
    expect(decoded(transactionFor(commit, job, contracts, { commitment: HASH }))).toEqual({
      kind: "commit",
      to: MARKET,
      functionName: "commitBid",
      args: [7n, packTerms(terms), HASH],
    });
    expect(transactionFor(commit, job, contracts)).toBeUndefined();
    const reveal = { kind: "reveal", key: "k", round: 0 } as const;
    expect(decoded(transactionFor(reveal, job, contracts, { bid: { price: 5n, salt: HASH } }))).toEqual({
      kind: "reveal",
      to: MARKET,
      functionName: "revealBid",
      args: [7n, packTerms(terms), 5n, HASH],
    });
    expect(transactionFor(reveal, job, contracts, { bid: undefined })).toBeUndefined();
  });

  it("submits only a finished execution's result", () => {
    const submit = { kind: "submit", key: "k", round: 0 } as const;
    const result = new Uint8Array([1, 2, 3]);
    expect(
      decoded(transactionFor(submit, job, contracts, { execution: { status: "done", result, resultHash: HASH } })),
    ).toEqual({
      kind: "submit",
      to: MARKET,
      functionName: "submitResult",
      args: [7n, packTerms(terms), HASH, "0x010203"],
    });
    for (const execution of [
      undefined,
      { status: "running", result: null, resultHash: null },
      { status: "failed", result: null, resultHash: null },
    ]) {
      expect(transactionFor(submit, job, contracts, { execution })).toBeUndefined();
    }
  });

  it("forfeits another bidder's unrevealed bid of its round, with the result hash standing or zero", () => {
    const forfeit = { kind: "forfeit", key: "k", round: 2, bidder: OTHER } as const;
    expect(decoded(transactionFor(forfeit, { ...job, resultHash: ZERO_HASH }, contracts))).toEqual({
      kind: "forfeit",
      to: MARKET,
      functionName: "forfeitUnrevealed",
      args: [7n, packTerms(terms), ZERO_HASH, 2, OTHER],
    });
    expect(decoded(transactionFor(forfeit, withResult, contracts)).args).toEqual([
      7n,
      packTerms(terms),
      RESULT,
      2,
      OTHER,
    ]);
    expect(transactionFor(forfeit, job, contracts)).toBeUndefined();
  });

  it("takes the recorded result hash while the chain shows a result standing, zero otherwise", () => {
    for (const state of [JobState.Submitted, JobState.Settleable, JobState.Disputed, JobState.RulingOverdue]) {
      expect(resultHashFor(state, RESULT)).toBe(RESULT);
      // Not synced yet: nothing to send until it is.
      expect(resultHashFor(state, null)).toBeUndefined();
    }
    // Reopened after a lost dispute, before the keeper synced the ruling: the old hash is not used.
    for (const state of [JobState.Open, JobState.Revealing, JobState.Assigned, JobState.Overdue, JobState.Refunded])
      expect(resultHashFor(state, RESULT)).toBe(ZERO_HASH);
  });

  it("sends housekeeping to the committee and the orchestrator, when they are configured", () => {
    const resolve = { kind: "resolveCommittee", key: "k" } as const;
    expect(decoded(transactionFor(resolve, withResult, contracts), committeeArbiterAbi)).toEqual({
      kind: "committee",
      to: COMMITTEE,
      functionName: "resolve",
      args: [7n, packTerms(terms), RESULT],
    });
    const advance = { kind: "advanceStep", key: "k", workflowId: 4n, step: 1 } as const;
    const expected = { kind: "advance", to: ORCHESTRATOR, functionName: "advance", args: [4n, 1] };
    expect(decoded(transactionFor(advance, job, contracts), workflowOrchestratorAbi)).toEqual(expected);
    expect(decoded(advanceTransaction(advance, contracts), workflowOrchestratorAbi)).toEqual(expected);
    expect(transactionFor(resolve, withResult, { market: MARKET })).toBeUndefined();
    expect(advanceTransaction(advance, { market: MARKET })).toBeUndefined();
  });
});
