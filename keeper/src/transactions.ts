// Plan actions as transactions: the outbox entry (its kind and raw fields) that carries out each
// action the planner returns, built with the sdk's typed call builders and encoded for the outbox,
// which signs itself. Pure: what the keeper recorded (the sealed bid's commitment, the bid to
// reveal, the result to submit) is passed in.
import { bytesToHex } from "viem";
import {
  committeeCall,
  encodeCall,
  marketCall,
  orchestratorCall,
  prepareCommitBid,
  ZERO_HASH,
  type ContractWrite,
  packTerms,
} from "@baton/sdk";
import { S, type Action, type Terms } from "./plan.js";

type Address = `0x${string}`;
type Hex = `0x${string}`;

/** What the outbox sends: `kind` labels it in logs and metrics. */
export type Transaction = { kind: string; to: Address; data: Hex; value: bigint };

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

const entry = (kind: string, write: ContractWrite): Transaction => ({ kind, ...encodeCall(write) });

/** Job states in which a result stands on the job, so that its digest binds the result's hash. */
export const RESULT_STANDING_STATES: ReadonlySet<number> = new Set([
  S.Submitted,
  S.Settleable,
  S.Disputed,
  S.RulingOverdue,
  S.Settled,
]);

/**
 * The result hash the calls on a job in `state` pass back: the recorded one while a result stands
 * (undefined when none is recorded yet, so nothing is sent), zero otherwise. Going by the chain's
 * state rather than the logs alone keeps a hash the logs have not cleared yet out of the calls.
 */
export function resultHashFor(state: number, recorded: Hex | null | undefined): Hex | undefined {
  if (!RESULT_STANDING_STATES.has(state)) return ZERO_HASH;
  return recorded ?? undefined;
}

/**
 * The transaction that carries out `action` on job `job`; undefined when what it needs is not
 * recorded (no bid to reveal, no finished execution to submit, no result hash for a call on a
 * job whose result stands) or its contract is not configured. `job.resultHash` is the hash
 * standing on the job (`resultHashFor`): settle, forfeit, resolveStaleDispute and the committee's
 * resolve pass it back; the other calls are only valid while none stands.
 */
export function transactionFor(
  action: TransactionAction,
  job: { id: bigint; terms: Terms; resultHash?: Hex | undefined },
  contracts: Contracts,
  recorded: Recorded = {},
): Transaction | undefined {
  const { id, terms, resultHash } = job;
  const { market } = contracts;
  switch (action.kind) {
    case "commit": {
      const commitment = recorded.commitment;
      if (!commitment) return undefined;
      return entry("commit", prepareCommitBid({ market, jobId: id, terms, commitment }));
    }
    case "reveal": {
      const bid = recorded.bid;
      if (!bid) return undefined;
      return entry("reveal", marketCall(market, "revealBid", [id, packTerms(terms), bid.price, bid.salt]));
    }
    case "finalize":
      return entry("finalize", marketCall(market, "finalizeAuction", [id, packTerms(terms)]));
    case "submit": {
      const exec = recorded.execution;
      if (!exec || exec.status !== "done" || !exec.result || !exec.resultHash) return undefined;
      return entry(
        "submit",
        marketCall(market, "submitResult", [id, packTerms(terms), exec.resultHash, bytesToHex(exec.result)]),
      );
    }
    case "settle":
      if (!resultHash) return undefined;
      return entry("settle", marketCall(market, "settle", [id, packTerms(terms), resultHash]));
    case "slashNoShow":
      return entry("slash", marketCall(market, "slashNoShow", [id, packTerms(terms)]));
    case "abandon":
      return entry("abandon", marketCall(market, "abandon", [id, packTerms(terms)]));
    case "forfeit":
      if (!resultHash) return undefined;
      return entry(
        "forfeit",
        marketCall(market, "forfeitUnrevealed", [id, packTerms(terms), resultHash, action.round, action.bidder]),
      );
    case "resolveStaleDispute":
      if (!resultHash) return undefined;
      return entry("stale", marketCall(market, "resolveStaleDispute", [id, packTerms(terms), resultHash]));
    case "resolveCommittee":
      if (!contracts.committeeArbiter || !resultHash) return undefined;
      return entry(
        "committee",
        committeeCall(contracts.committeeArbiter, "resolve", [id, packTerms(terms), resultHash]),
      );
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
  return entry("advance", orchestratorCall(contracts.orchestrator, "advance", [action.workflowId, action.step]));
}
