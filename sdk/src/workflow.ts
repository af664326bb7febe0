// Workflows: a DAG of jobs run by the WorkflowOrchestrator with one budget. This module builds and
// checks a workflow before any transaction (the same rules the contract enforces, plus the spec's
// inputs against the graph), sends it, reads a workflow back from its events, and resolves a step
// job's inputs from its parents' results, checked against the hashes bound on-chain.
import {
  bytesToHex,
  concat,
  decodeEventLog,
  keccak256,
  numberToHex,
  zeroAddress,
  zeroHash,
  type Client,
  type Log,
  type PublicClient,
} from "viem";
import { readContract } from "viem/actions";
import { BatonError } from "./errors.js";
import { fetchTopicLogs } from "./events.js";
import { jobMarketAbi, workflowOrchestratorAbi } from "./generated/abis.js";
import {
  canonicalBytes,
  decodeResult,
  decodeSpec,
  jobSpecSchema,
  MAX_PAYLOAD_BYTES,
  selectJsonPath,
  type JobSpec,
  type JobSpecInput,
  type JsonValue,
} from "./spec.js";
import { Pricing, type Address, type Hex } from "./types.js";
import { ensureAllowance, simulateAndSend, type SigningClient, type Windows } from "./writes.js";

/** Limits of the orchestrator (`WorkflowOrchestrator` constants). */
export const MAX_WORKFLOW_STEPS = 32;
export const MAX_WORKFLOW_EDGES = 64;
export const MAX_WORKFLOW_RETRIES = 10;
export const MAX_WORKFLOW_SPEC_BYTES = 24_575;
const MAX_WINDOW = 30 * 86_400;

export const workflowStatusNames = ["None", "Active", "Completed", "Failed", "Cancelled"] as const;
export type WorkflowStatusName = (typeof workflowStatusNames)[number];
export const stepStatusNames = ["Waiting", "Ready", "Posted", "Settled", "Failed", "Cancelled"] as const;
export type StepStatusName = (typeof stepStatusNames)[number];

/** One step as a person writes it. */
export type WorkflowStepDraft = {
  /** A label for people (UI, logs); not stored on-chain. */
  name?: string;
  spec: JobSpecInput;
  /** Indices of earlier steps whose results this step consumes. */
  dependsOn?: readonly number[];
  maxReward: bigint;
  arbiter: Address;
  bond: bigint;
  minStake?: bigint;
  minCompleted?: number;
  windows: Windows;
  /** Seconds after posting by which no new auction round may start; default: four rounds. */
  expiryWindow?: number;
  pricing?: Pricing;
};

export type WorkflowDraft = {
  steps: readonly WorkflowStepDraft[];
  /** Budget token; ETH when omitted. */
  token?: Address;
  /** Defaults to the sum of the steps' caps. */
  budget?: bigint;
  /** Re-auctions per failed step; 0 (the default) fails fast. */
  maxRetries?: number;
};

/** The orchestrator's `StepInput`. */
export type OrchestratorStep = {
  spec: Hex;
  maxReward: bigint;
  arbiter: Address;
  bond: bigint;
  minStake: bigint;
  minCompleted: number;
  commitWindow: number;
  revealWindow: number;
  executionWindow: number;
  challengeWindow: number;
  expiryWindow: number;
  pricing: number;
};

/** A checked workflow: the arguments of `createWorkflow`. */
export type BuiltWorkflow = {
  steps: OrchestratorStep[];
  dependencies: number[][];
  token: Address;
  budget: bigint;
  maxRetries: number;
  /** Sum of the steps' caps: the least budget. */
  required: bigint;
};

export type WorkflowIssue = { step?: number; field: string; message: string };

/** A workflow draft breaks a rule; `issues` lists every problem found, each with its step and field. */
export class WorkflowValidationError extends BatonError {
  readonly issues: WorkflowIssue[];
  constructor(issues: WorkflowIssue[]) {
    super(
      `invalid workflow: ${issues.map((i) => `${i.step === undefined ? "" : `step ${i.step}: `}${i.field}: ${i.message}`).join("; ")}`,
    );
    this.name = "WorkflowValidationError";
    this.issues = issues;
  }
}

/**
 * Checks a draft against every rule the orchestrator enforces (so a bad workflow fails here, with
 * all its problems listed, and never as a reverted transaction) and against the specs' own inputs:
 * each input must name one of the step's dependencies. Returns the `createWorkflow` arguments.
 */
export function buildWorkflow(draft: WorkflowDraft): BuiltWorkflow {
  const issues: WorkflowIssue[] = [];
  const { steps } = draft;
  if (steps.length === 0) issues.push({ field: "steps", message: "a workflow needs at least one step" });
  if (steps.length > MAX_WORKFLOW_STEPS) {
    issues.push({ field: "steps", message: `at most ${MAX_WORKFLOW_STEPS} steps (got ${steps.length})` });
  }
  const maxRetries = draft.maxRetries ?? 0;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_WORKFLOW_RETRIES) {
    issues.push({ field: "maxRetries", message: `must be an integer from 0 to ${MAX_WORKFLOW_RETRIES}` });
  }

  let edges = 0;
  let specBytes = 0;
  let required = 0n;
  const built: OrchestratorStep[] = [];
  const dependencies: number[][] = [];
  steps.forEach((step, i) => {
    const problem = (field: string, message: string) => issues.push({ step: i, field, message });
    const deps = [...(step.dependsOn ?? [])];
    edges += deps.length;
    const seen = new Set<number>();
    for (const d of deps) {
      if (!Number.isInteger(d) || d < 0) problem("dependsOn", `${d} is not a step index`);
      else if (d === i) problem("dependsOn", "a step cannot depend on itself");
      else if (d > i) problem("dependsOn", `step ${d} comes later; dependencies must be earlier steps`);
      else if (seen.has(d)) problem("dependsOn", `step ${d} is named twice`);
      seen.add(d);
    }
    dependencies.push(deps);

    let bytes: Uint8Array = new Uint8Array();
    const parsed = jobSpecSchema.safeParse(step.spec);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problem(issue.path.length > 0 ? `spec.${issue.path.join(".")}` : "spec", issue.message);
      }
    } else {
      // encodeSpec's bytes, without its throw on oversize: that is reported as an issue below.
      bytes = canonicalBytes(parsed.data);
      if (bytes.length > MAX_PAYLOAD_BYTES) problem("spec", `is ${bytes.length} bytes; at most ${MAX_PAYLOAD_BYTES}`);
      const inputs = parsed.data.kind === "wasm" ? (parsed.data.inputs ?? {}) : {};
      for (const [name, input] of Object.entries(inputs)) {
        if (!seen.has(input.step)) {
          problem(`spec.inputs.${name}`, `reads step ${input.step}, which is not among this step's dependencies`);
        }
      }
    }
    specBytes += bytes.length;

    if (step.maxReward <= 0n) problem("maxReward", "must be more than zero");
    if (step.bond <= 0n) problem("bond", "must be more than zero");
    if (step.arbiter === zeroAddress) problem("arbiter", "must be an arbiter contract");
    for (const key of ["commitWindow", "revealWindow", "executionWindow", "challengeWindow"] as const) {
      const w = step.windows[key];
      if (!Number.isInteger(w) || w <= 0 || w > MAX_WINDOW)
        problem(`windows.${key}`, `must be 1 to ${MAX_WINDOW} seconds`);
    }
    const round = step.windows.commitWindow + step.windows.revealWindow + step.windows.executionWindow;
    const expiryWindow = step.expiryWindow ?? 4 * round;
    if (expiryWindow < round) {
      problem("expiryWindow", `must be at least one round (commit + reveal + execution = ${round} seconds)`);
    }
    required += step.maxReward;
    built.push({
      spec: bytesToHex(bytes),
      maxReward: step.maxReward,
      arbiter: step.arbiter,
      bond: step.bond,
      minStake: step.minStake ?? 0n,
      minCompleted: step.minCompleted ?? 0,
      ...step.windows,
      expiryWindow,
      pricing: step.pricing ?? Pricing.FirstPrice,
    });
  });
  if (edges > MAX_WORKFLOW_EDGES)
    issues.push({ field: "dependsOn", message: `at most ${MAX_WORKFLOW_EDGES} dependencies in all (got ${edges})` });
  if (specBytes > MAX_WORKFLOW_SPEC_BYTES) {
    issues.push({
      field: "spec",
      message: `specs total ${specBytes} bytes; a workflow holds at most ${MAX_WORKFLOW_SPEC_BYTES}`,
    });
  }
  const budget = draft.budget ?? required;
  if (budget < required) {
    issues.push({ field: "budget", message: `is ${budget}, below the sum of the step caps (${required})` });
  }
  if (issues.length > 0) throw new WorkflowValidationError(issues);
  return { steps: built, dependencies, token: draft.token ?? zeroAddress, budget, maxRetries, required };
}

/** The spec hash a step with dependencies is posted with: keccak256(template hash ‖ parent result hashes). */
export function bindInputs(templateHash: Hex, parentResultHashes: readonly Hex[]): Hex {
  return parentResultHashes.length === 0 ? templateHash : keccak256(concat([templateHash, ...parentResultHashes]));
}

// ---------------------------------------------------------------- writes

type WorkflowWriteName = "createWorkflow" | "advance" | "cancel" | "withdraw" | "withdrawTo" | "sweepSurplus";

async function writeOrchestrator(
  wallet: SigningClient,
  publicClient: Client,
  params: { orchestrator: Address; functionName: WorkflowWriteName; args: readonly unknown[]; value?: bigint },
) {
  const call = {
    address: params.orchestrator,
    abi: workflowOrchestratorAbi,
    functionName: params.functionName,
    args: params.args,
    account: wallet.account,
    ...(params.value ? { value: params.value } : {}),
  };
  return simulateAndSend(wallet, publicClient, call, params.functionName);
}

/**
 * Creates a workflow: approves the orchestrator for an ERC-20 budget if needed, simulates (a
 * revert throws `BatonContractError` and nothing is sent), sends, waits, and returns the id.
 */
export async function createWorkflow(
  wallet: SigningClient,
  publicClient: Client,
  params: { orchestrator: Address; workflow: BuiltWorkflow },
): Promise<{ workflowId: bigint; hash: Hex; blockNumber: bigint }> {
  const { orchestrator, workflow } = params;
  if (workflow.token !== zeroAddress) {
    await ensureAllowance(wallet, publicClient, {
      token: workflow.token,
      spender: orchestrator,
      amount: workflow.budget,
    });
  }
  const sent = await writeOrchestrator(wallet, publicClient, {
    orchestrator,
    functionName: "createWorkflow",
    args: [workflow.steps, workflow.dependencies, workflow.token, workflow.budget, workflow.maxRetries],
    value: workflow.token === zeroAddress ? workflow.budget : 0n,
  });
  return { workflowId: sent.result as bigint, hash: sent.hash, blockNumber: sent.receipt.blockNumber };
}

/** `advance(workflowId, step)`: records a finished job, re-auctions or fails it, or posts ready steps. */
export async function advanceWorkflow(
  wallet: SigningClient,
  publicClient: Client,
  params: { orchestrator: Address; workflowId: bigint; step: number },
): Promise<Hex> {
  const args = [params.workflowId, params.step] as const;
  return (await writeOrchestrator(wallet, publicClient, { ...params, functionName: "advance", args })).hash;
}

/** `cancel(workflowId)`: the requester ends the workflow; unstarted budget becomes withdrawable. */
export async function cancelWorkflow(
  wallet: SigningClient,
  publicClient: Client,
  params: { orchestrator: Address; workflowId: bigint },
): Promise<Hex> {
  return (
    await writeOrchestrator(wallet, publicClient, { ...params, functionName: "cancel", args: [params.workflowId] })
  ).hash;
}

/**
 * `withdraw(token)`: pays the account's refunds from the orchestrator; with `to`, `withdrawTo(token,
 * to)` pays them to another address (for an account that cannot receive ETH or the token).
 */
export async function withdrawFromOrchestrator(
  wallet: SigningClient,
  publicClient: Client,
  params: { orchestrator: Address; token?: Address; to?: Address },
): Promise<Hex> {
  const token = params.token ?? zeroAddress;
  if (params.to !== undefined) {
    const args = [token, params.to] as const;
    return (await writeOrchestrator(wallet, publicClient, { ...params, functionName: "withdrawTo", args })).hash;
  }
  return (await writeOrchestrator(wallet, publicClient, { ...params, functionName: "withdraw", args: [token] })).hash;
}

// ---------------------------------------------------------------- reads

export type WorkflowStepState = {
  index: number;
  spec: JobSpec | undefined;
  specBytes: Hex;
  dependsOn: number[];
  dependents: number[];
  maxReward: bigint;
  status: StepStatusName;
  /** Every job posted for the step, oldest first. */
  jobIds: bigint[];
  attempts: number;
  resultHash?: Hex;
  price?: bigint;
};

export type WorkflowState = {
  workflowId: bigint;
  requester: Address;
  token: Address;
  budget: bigint;
  maxRetries: number;
  status: WorkflowStatusName;
  steps: WorkflowStepState[];
  /** Refund credited when it ended (plus late refunds). */
  refunded: bigint;
  /** Price paid per settled step, summed. */
  spent: bigint;
  createdBlock: bigint;
  /** Every event of the workflow in order, for timelines. */
  events: { name: string; blockNumber: bigint; logIndex: number; args: Record<string, unknown> }[];
};

type DecodedLog = { eventName: string; args: Record<string, unknown>; blockNumber: bigint; logIndex: number };

/**
 * A workflow's state from its events alone (`WorkflowCreated`, `StepPosted`, `StepReady`,
 * `StepSettled`, `StepFailed`, `WorkflowCompleted` / `Failed` / `Cancelled`, `LateRefund`), in log order.
 * Throws if the logs hold no `WorkflowCreated`.
 */
export function reduceWorkflow(workflowId: bigint, logs: readonly DecodedLog[]): WorkflowState {
  const created = logs.find((l) => l.eventName === "WorkflowCreated");
  if (!created) throw new BatonError(`no WorkflowCreated event for workflow ${workflowId}`);
  const a = created.args as {
    requester: Address;
    token: Address;
    budget: bigint;
    steps: readonly { spec: Hex; maxReward: bigint }[];
    dependencies: readonly (readonly number[])[];
    maxRetries: number;
  };
  const steps: WorkflowStepState[] = a.steps.map((s, index) => {
    const decoded = decodeSpec(s.spec);
    return {
      index,
      spec: decoded.ok ? decoded.spec : undefined,
      specBytes: s.spec,
      dependsOn: [...a.dependencies[index]!].map(Number).sort((x, y) => x - y),
      dependents: [],
      maxReward: s.maxReward,
      status: "Waiting",
      jobIds: [],
      attempts: 0,
    };
  });
  for (const s of steps) for (const d of s.dependsOn) steps[d]?.dependents.push(s.index);
  const state: WorkflowState = {
    workflowId,
    requester: a.requester,
    token: a.token,
    budget: a.budget,
    maxRetries: Number(a.maxRetries),
    status: "Active",
    steps,
    refunded: 0n,
    spent: 0n,
    createdBlock: created.blockNumber,
    events: [],
  };
  for (const log of logs) {
    const args = log.args as Record<string, unknown>;
    const step = args.step === undefined ? undefined : steps[Number(args.step)];
    state.events.push({ name: log.eventName, blockNumber: log.blockNumber, logIndex: log.logIndex, args: log.args });
    switch (log.eventName) {
      case "StepPosted":
        step!.status = "Posted";
        step!.jobIds.push(args.jobId as bigint);
        step!.attempts = Number(args.attempt);
        break;
      case "StepReady":
        step!.status = "Ready";
        break;
      case "StepSettled":
        step!.status = "Settled";
        step!.resultHash = args.resultHash as Hex;
        step!.price = args.price as bigint;
        state.spent += args.price as bigint;
        break;
      case "StepFailed":
        step!.status = args.retrying ? "Ready" : state.status === "Active" ? "Failed" : "Cancelled";
        break;
      case "StepCancelled":
        step!.status = "Cancelled";
        break;
      case "WorkflowCompleted":
        state.status = "Completed";
        state.refunded += args.refund as bigint;
        break;
      case "WorkflowFailed":
        state.status = "Failed";
        state.refunded += args.refund as bigint;
        break;
      case "WorkflowCancelled":
        state.status = "Cancelled";
        state.refunded += args.refund as bigint;
        break;
      case "LateRefund":
        state.refunded += args.amount as bigint;
        break;
    }
  }
  return state;
}

/** Decodes orchestrator logs into workflow events in chain order, leaving out anything else. */
export function decodeWorkflowLogs(logs: readonly Log[]): DecodedLog[] {
  const out: DecodedLog[] = [];
  for (const log of logs) {
    try {
      const decoded = decodeEventLog({ abi: workflowOrchestratorAbi, data: log.data, topics: log.topics as never });
      out.push({
        eventName: decoded.eventName,
        args: decoded.args as unknown as Record<string, unknown>,
        blockNumber: log.blockNumber!,
        logIndex: log.logIndex!,
      });
    } catch {
      // An event of another shape under the same topic layout: not a workflow event.
    }
  }
  return out.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
}

/**
 * The orchestrator's logs for one workflow (topic 1 is the workflow id on every workflow event),
 * in bounded windows, decoded.
 */
export async function fetchWorkflowLogs(
  client: Client,
  params: { orchestrator: Address; workflowId: bigint; fromBlock?: bigint; toBlock?: bigint },
): Promise<DecodedLog[]> {
  const logs = await fetchTopicLogs(client, {
    address: params.orchestrator,
    fromBlock: params.fromBlock ?? 0n,
    ...(params.toBlock === undefined ? {} : { toBlock: params.toBlock }),
    topics: [null, numberToHex(params.workflowId, { size: 32 })],
  });
  return decodeWorkflowLogs(logs);
}

/**
 * Reads a workflow with every step's state from its events alone (`eth_getLogs` over the
 * workflow's topic). Throws `BatonError` for an unknown workflow.
 */
export async function readWorkflow(
  client: Client,
  params: { orchestrator: Address; workflowId: bigint; fromBlock?: bigint },
): Promise<WorkflowState> {
  const logs = await fetchWorkflowLogs(client, params);
  if (!logs.some((l) => l.eventName === "WorkflowCreated")) {
    throw new BatonError(`workflow ${params.workflowId} does not exist on orchestrator ${params.orchestrator}`);
  }
  return reduceWorkflow(params.workflowId, logs);
}

/** Number of workflows created on the orchestrator (ids run from 1). */
export async function readWorkflowCount(client: Client, orchestrator: Address): Promise<bigint> {
  return readContract(client, { address: orchestrator, abi: workflowOrchestratorAbi, functionName: "workflowCount" });
}

// ---------------------------------------------------------------- inputs

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
    const logs = await (client as PublicClient).getLogs({
      address: market,
      event: jobMarketAbi.find((i) => i.type === "event" && i.name === "ResultSubmitted") as never,
      args: { jobId: parentJob } as never,
      fromBlock: params.fromBlock ?? 0n,
      toBlock: "latest",
    });
    const match = logs
      .map((l) => (l as unknown as { args: { result: Hex } }).args.result)
      .find((result) => keccak256(result) === expected);
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

/**
 * The bytes a wasm step's module receives: its own input, then each workflow input in name order,
 * joined by newlines. A string input is passed as its UTF-8 text, anything else as canonical JSON
 * with numbers as results carry them (any finite number, as `encodeResult` writes it).
 * Jobs without inputs get their own input unchanged.
 */
export function composeWasmInput(own: Uint8Array, values: Readonly<Record<string, JsonValue>>): Uint8Array {
  const names = Object.keys(values).sort();
  if (names.length === 0) return own;
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = own.length > 0 ? [own] : [];
  for (const name of names) {
    const v = values[name]!;
    parts.push(typeof v === "string" ? encoder.encode(v) : canonicalBytes(v, { numbers: "finite" }));
  }
  const total = parts.reduce((n, p) => n + p.length, 0) + parts.length - 1;
  const out = new Uint8Array(total);
  let at = 0;
  parts.forEach((p, i) => {
    if (i > 0) out[at++] = 0x0a;
    out.set(p, at);
    at += p.length;
  });
  return out;
}
