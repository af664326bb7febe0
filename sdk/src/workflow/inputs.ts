// Resolving a step job's inputs: its parents' results, read from the market and checked against
// the hashes the orchestrator bound on-chain, then each input's JSON path.
import { bytesToHex, keccak256, zeroHash, type Client } from "viem";
import { readContract } from "viem/actions";
import { BatonError } from "../errors.js";
import { jobMarketAbi, workflowOrchestratorAbi } from "../generated/abis.js";
import { readLogs, topicOf } from "../logs.js";
import { decodeResult, decodeSpec, selectJsonPath, type JsonValue } from "../spec/index.js";
import type { Address, Hex } from "../types.js";
import { bindInputs } from "./bind.js";

export type ResolvedInputs = {
  workflowId: bigint;
  step: number;
  /** Each input's value, by name, after its JSON path. */
  values: Record<string, JsonValue>;
  /** The parents' settled results, by step index, each checked against the hash bound on-chain. */
  parents: Map<number, { jobId: bigint; resultHash: Hex; value: JsonValue }>;
};

/** A step job's inputs could not be resolved or did not check out; `retryable` if a later try may succeed. */
export class WorkflowInputError extends BatonError {
  readonly retryable: boolean;
  constructor(message: string, retryable = false) {
    super(message);
    this.name = "WorkflowInputError";
    this.retryable = retryable;
  }
}

/**
 * Resolves the inputs of a workflow step's job: reads the job's parents from the orchestrator
 * (`inputsOf`), checks that the spec bytes are the step's template and that the posted spec hash
 * binds exactly the parents' result hashes, fetches each parent's `ResultSubmitted` payload from
 * the market, checks it against the bound hash, and applies each input's JSON path.
 */
export async function resolveWorkflowInputs(
  client: Client,
  params: {
    orchestrator: Address;
    market: Address;
    jobId: bigint;
    /** The spec bytes and spec hash from the job's `JobPosted` event. */
    specBytes: Hex | Uint8Array;
    specHash: Hex;
    fromBlock?: bigint;
  },
): Promise<ResolvedInputs> {
  const { orchestrator, market, jobId } = params;
  const [found, workflowId, step] = await readContract(client, {
    address: orchestrator,
    abi: workflowOrchestratorAbi,
    functionName: "stepOfJob",
    args: [jobId],
  });
  if (!found) throw new WorkflowInputError(`job ${jobId} is not a step of any workflow on ${orchestrator}`);
  const [templateHash, parentSteps, parentJobIds, parentHashes] = await readContract(client, {
    address: orchestrator,
    abi: workflowOrchestratorAbi,
    functionName: "inputsOf",
    args: [jobId],
  });
  const bytes = typeof params.specBytes === "string" ? params.specBytes : bytesToHex(params.specBytes);
  if (keccak256(bytes) !== templateHash) {
    throw new WorkflowInputError(
      `job ${jobId}: the posted spec is not the template of workflow ${workflowId} step ${step}`,
    );
  }
  if (parentHashes.some((h) => h === zeroHash)) {
    throw new WorkflowInputError(`job ${jobId}: a parent step has no settled result yet`, true);
  }
  if (bindInputs(templateHash, parentHashes) !== params.specHash) {
    throw new WorkflowInputError(`job ${jobId}: the spec hash does not bind the parents' result hashes`);
  }
  const decoded = decodeSpec(bytes);
  if (!decoded.ok) throw new WorkflowInputError(`job ${jobId}: ${decoded.error}`);

  const parents = new Map<number, { jobId: bigint; resultHash: Hex; value: JsonValue }>();
  for (const [k, parentStep] of parentSteps.entries()) {
    const parentJob = parentJobIds[k]!;
    const expected = parentHashes[k]!;
    const logs = await readLogs(client, {
      address: market,
      abi: jobMarketAbi,
      eventNames: ["ResultSubmitted"],
      indexed: [topicOf(parentJob)],
      fromBlock: params.fromBlock ?? 0n,
    });
    const match = logs.map((l) => l.args.result).find((result) => keccak256(result) === expected);
    if (match === undefined) {
      throw new WorkflowInputError(`job ${jobId}: no result of parent job ${parentJob} hashes to ${expected}`, true);
    }
    const result = decodeResult(match, { expectedHash: expected });
    if (!result.ok) {
      throw new WorkflowInputError(`job ${jobId}: parent job ${parentJob}'s result cannot be used: ${result.error}`);
    }
    parents.set(Number(parentStep), { jobId: parentJob, resultHash: expected, value: result.value });
  }

  const values: Record<string, JsonValue> = {};
  const inputs = decoded.spec.kind === "wasm" ? (decoded.spec.inputs ?? {}) : {};
  for (const [name, input] of Object.entries(inputs)) {
    const parent = parents.get(input.step);
    if (!parent) throw new WorkflowInputError(`job ${jobId}: input ${name} reads step ${input.step}, not a dependency`);
    const selected = selectJsonPath(parent.value, input.path ?? "$");
    if (!selected.found) throw new WorkflowInputError(`job ${jobId}: input ${name}: ${selected.reason}`);
    values[name] = selected.value as JsonValue;
  }
  return { workflowId, step: Number(step), values, parents };
}
