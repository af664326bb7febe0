// A workflow's state from its events alone. Pure: the logs come from `reads.ts`.
import { decodeEventLog, type Log } from "viem";
import { BatonError } from "../errors.js";
import { workflowOrchestratorAbi } from "../generated/abis.js";
import { decodeSpec, type JobSpec } from "../spec/index.js";
import type { Address, Hex } from "../types.js";
import type { StepStatusName, WorkflowStatusName } from "./build.js";

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

export type DecodedLog = { eventName: string; args: Record<string, unknown>; blockNumber: bigint; logIndex: number };

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
