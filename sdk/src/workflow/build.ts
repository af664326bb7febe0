// Building a workflow before any transaction: the draft a user writes, checked against the same
// rules the orchestrator enforces (sizes, windows, the graph, every step's spec and its inputs),
// and turned into the orchestrator's step structs. Pure: no I/O.
import { bytesToHex, zeroAddress } from "viem";
import { BatonError } from "../errors.js";
import {
  MAX_PAYLOAD_BYTES,
  MAX_WINDOW,
  MAX_WORKFLOW_EDGES,
  MAX_WORKFLOW_RETRIES,
  MAX_WORKFLOW_SPEC_BYTES,
  MAX_WORKFLOW_STEPS,
} from "../limits.js";
import { canonicalBytes, jobSpecSchema, type JobSpecInput } from "../spec/index.js";
import { Pricing, type Address, type Hex } from "../types.js";
import type { Windows } from "../terms.js";

export const workflowStatusNames = ["None", "Active", "Completed", "Failed", "Cancelled"] as const;
export type WorkflowStatusName = (typeof workflowStatusNames)[number];
export const stepStatusNames = ["Waiting", "Ready", "Posted", "Settled", "Failed", "Cancelled"] as const;
export type StepStatusName = (typeof stepStatusNames)[number];

/** One step as a person writes it. */
export type WorkflowStepDraft = {
  /** A label for people (UI, logs); kept on chain only when also given as the spec's `name`. */
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
