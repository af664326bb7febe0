// Plan actions as transactions: the outbox entry (its kind, target and calldata) that carries out
// each action the planner returns. Pure: what the keeper recorded (the sealed bid's commitment, the
// bid to reveal, the result to submit) is passed in.
import { bytesToHex, encodeFunctionData } from "viem";
import { committeeArbiterAbi, jobMarketAbi, workflowOrchestratorAbi } from "@baton/sdk";
import type { Action, Terms } from "./plan.js";

type Address = `0x${string}`;
type Hex = `0x${string}`;

/** What the outbox sends: `kind` labels it in logs and metrics. */
export type Transaction = { kind: string; to: Address; data: Hex };

/** The actions that are transactions (each has an outbox key). */
export type TransactionAction = Extract<Action, { key: string }>;

/** The contracts the keeper's transactions go to. */
export type Contracts = { market: Address; orchestrator?: Address; committeeArbiter?: Address };

/** What the keeper recorded that an action's transaction carries. */
export type Recorded = {
  /** The commitment sealing a `commit` action's bid. */
  commitment?: Hex;
  /** The bid a `reveal` action opens. */
  bid?: { price: bigint; salt: Hex };
  /** The execution a `submit` action submits (only a finished one with a result is submitted). */
  execution?: { status: string; result: Uint8Array | null; resultHash: Hex | null };
};

/**
 * The transaction that carries out `action` on job `job`; undefined when what it needs is not
 * recorded (no bid to reveal, no finished execution to submit) or its contract is not configured.
 */
export function transactionFor(
  action: TransactionAction,
  job: { id: bigint; terms: Terms },
  contracts: Contracts,
  recorded: Recorded = {},
): Transaction | undefined {
  const { id, terms } = job;
  const market = (kind: string, data: Hex): Transaction => ({ kind, to: contracts.market, data });
  switch (action.kind) {
    case "commit":
      if (!recorded.commitment) return undefined;
      return market(
        "commit",
        encodeFunctionData({ abi: jobMarketAbi, functionName: "commitBid", args: [id, terms, recorded.commitment] }),
      );
    case "reveal": {
      const bid = recorded.bid;
      if (!bid) return undefined;
      return market(
        "reveal",
        encodeFunctionData({ abi: jobMarketAbi, functionName: "revealBid", args: [id, terms, bid.price, bid.salt] }),
      );
    }
    case "finalize":
      return market(
        "finalize",
        encodeFunctionData({ abi: jobMarketAbi, functionName: "finalizeAuction", args: [id, terms] }),
      );
    case "submit": {
      const exec = recorded.execution;
      if (!exec || exec.status !== "done" || !exec.result || !exec.resultHash) return undefined;
      return market(
        "submit",
        encodeFunctionData({
          abi: jobMarketAbi,
          functionName: "submitResult",
          args: [id, terms, exec.resultHash, bytesToHex(exec.result)],
        }),
      );
    }
    case "settle":
      return market("settle", encodeFunctionData({ abi: jobMarketAbi, functionName: "settle", args: [id, terms] }));
    case "slashNoShow":
      return market("slash", encodeFunctionData({ abi: jobMarketAbi, functionName: "slashNoShow", args: [id, terms] }));
    case "abandon":
      return market("abandon", encodeFunctionData({ abi: jobMarketAbi, functionName: "abandon", args: [id, terms] }));
    case "forfeit":
      return market(
        "forfeit",
        encodeFunctionData({
          abi: jobMarketAbi,
          functionName: "forfeitUnrevealed",
          args: [id, terms, action.round, action.bidder],
        }),
      );
    case "resolveStaleDispute":
      return market(
        "stale",
        encodeFunctionData({ abi: jobMarketAbi, functionName: "resolveStaleDispute", args: [id, terms] }),
      );
    case "resolveCommittee":
      if (!contracts.committeeArbiter) return undefined;
      return {
        kind: "committee",
        to: contracts.committeeArbiter,
        data: encodeFunctionData({ abi: committeeArbiterAbi, functionName: "resolve", args: [id, terms] }),
      };
    case "advanceStep":
      return advanceTransaction(action, contracts);
  }
}

/** `advance` of a workflow step, for a job's step or a step the orchestrator reported Ready. */
export function advanceTransaction(
  action: Extract<Action, { kind: "advanceStep" }>,
  contracts: Contracts,
): Transaction | undefined {
  if (!contracts.orchestrator) return undefined;
  return {
    kind: "advance",
    to: contracts.orchestrator,
    data: encodeFunctionData({
      abi: workflowOrchestratorAbi,
      functionName: "advance",
      args: [action.workflowId, action.step],
    }),
  };
}
