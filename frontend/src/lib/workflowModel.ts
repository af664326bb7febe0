// Workflows for display: the layout of a DAG (columns by depth), what each step status means and
// looks like, which steps may be advanced, the timeline's sentences, and the orchestrator's logs
// read through the sdk's `readLogs` (a workflow list costs one `eth_getLogs` per window, not one
// per row).
import {
  jobMarketAbi,
  jobStateNames,
  readLogs,
  reduceWorkflow,
  topicOf,
  workflowOrchestratorAbi,
  type DecodedLog,
  type MarketLog,
  type StepStatusName,
  type WorkflowStepState,
  type WorkflowState,
  type WorkflowStatusName,
} from "@baton/sdk";
import type { Address, Client, ContractEventName } from "viem";
import { getBlockNumber } from "viem/actions";
import { checkResult, type ResultCheck } from "./jobModel.ts";
import { LOG_WINDOW } from "./market.ts";

/** What each step status means, in words, for the legend and the nodes. */
export const STEP_STATUS: Record<StepStatusName, { label: string; meaning: string }> = {
  Waiting: { label: "Waiting", meaning: "waits for its dependencies to settle" },
  Ready: { label: "Ready", meaning: "dependencies settled; not posted yet (anyone can advance it)" },
  Posted: { label: "Posted", meaning: "its job is in the market" },
  Settled: { label: "Settled", meaning: "its job settled; the result is recorded" },
  Failed: { label: "Failed", meaning: "its job ended without a result and no retry was left" },
  Cancelled: { label: "Cancelled", meaning: "the workflow ended before it produced a result" },
};
export const STEP_STATUSES = Object.keys(STEP_STATUS) as StepStatusName[];

export const WORKFLOW_STATUS: Record<Exclude<WorkflowStatusName, "None">, string> = {
  Active: "steps are running or waiting",
  Completed: "every step settled",
  Failed: "a step failed with no retry left",
  Cancelled: "the requester cancelled it",
};

/** Column (depth) and row of each step: roots in column 0, every step right of all its dependencies. */
export function layoutSteps(dependsOn: readonly (readonly number[])[]): { column: number; row: number }[] {
  const depth: number[] = [];
  const rows = new Map<number, number>();
  return dependsOn.map((deps, i) => {
    const d = deps.reduce((m, p) => Math.max(m, (depth[p] ?? -1) + 1), 0);
    depth[i] = d;
    const row = rows.get(d) ?? 0;
    rows.set(d, row + 1);
    return { column: d, row };
  });
}

/** Node positions in pixels for a layout (columns left to right). */
export function positions(dependsOn: readonly (readonly number[])[], width = 230, height = 110) {
  const layout = layoutSteps(dependsOn);
  const tallest = Math.max(1, ...layout.map((l) => l.row + 1));
  const perColumn = new Map<number, number>();
  for (const l of layout) perColumn.set(l.column, (perColumn.get(l.column) ?? 0) + 1);
  // Centre each column vertically against the tallest one.
  return layout.map((l) => ({
    x: l.column * width,
    y: l.row * height + ((tallest - (perColumn.get(l.column) ?? 1)) * height) / 2,
  }));
}

/** The market states in which a step's job has ended, so `advance` can record or retry it. */
const ENDED = new Set(["Unfilled", "Settleable", "Settled", "Cancelled", "Refunded"]);

/**
 * Whether to offer `advance` on a step: it is Ready, or its job has ended in the market. The
 * contract has the last word (it may answer that there is nothing to advance).
 */
export function canAdvance(status: StepStatusName, jobState: number | undefined, workflow: WorkflowStatusName) {
  if (workflow !== "Active") return false;
  if (status === "Ready") return true;
  if (status === "Posted" && jobState !== undefined) return ENDED.has(jobStateNames[jobState] ?? "");
  return false;
}

export type WorkflowSummary = {
  id: bigint;
  requester: Address;
  token: Address;
  budget: bigint;
  status: WorkflowStatusName;
  steps: number;
  settled: number;
  spent: bigint;
  refunded: bigint;
  createdBlock: bigint;
};

export function summarize(state: WorkflowState): WorkflowSummary {
  return {
    id: state.workflowId,
    requester: state.requester,
    token: state.token,
    budget: state.budget,
    status: state.status,
    steps: state.steps.length,
    settled: state.steps.filter((s) => s.status === "Settled").length,
    spent: state.spent,
    refunded: state.refunded,
    createdBlock: state.createdBlock,
  };
}

/** Events a workflow list needs: creation, settlements and the endings. */
export const LIST_EVENTS = [
  "WorkflowCreated",
  "StepSettled",
  "WorkflowCompleted",
  "WorkflowFailed",
  "WorkflowCancelled",
  "LateRefund",
] as const;

/** The orchestrator logs read so far, up to and including block `toBlock`. */
export type LogsSoFar = { toBlock: bigint; logs: DecodedLog[] };

/**
 * The orchestrator's logs up to the head, optionally only some events or one workflow (topic 1),
 * decoded and in chain order, read with the sdk's `readLogs` in bounded windows. Incremental: given
 * the logs read so far, reads only the blocks after them (a chain that went back below them, such
 * as a restarted node, is read again from `fromBlock`).
 */
export async function extendOrchestratorLogs(
  client: Client,
  params: {
    orchestrator: Address;
    fromBlock: bigint;
    eventNames?: readonly ContractEventName<typeof workflowOrchestratorAbi>[];
    workflowId?: bigint;
  },
  previous?: LogsSoFar,
): Promise<LogsSoFar> {
  const head = await getBlockNumber(client, { cacheTime: 0 });
  const base = previous && previous.toBlock <= head ? previous : undefined;
  const fromBlock = base ? base.toBlock + 1n : params.fromBlock;
  const logs = base ? [...base.logs] : [];
  if (fromBlock <= head) {
    const read = await readLogs(client, {
      address: params.orchestrator,
      abi: workflowOrchestratorAbi,
      ...(params.eventNames ? { eventNames: params.eventNames } : {}),
      ...(params.workflowId !== undefined ? { indexed: [topicOf(params.workflowId)] } : {}),
      fromBlock,
      toBlock: head,
      windowSize: LOG_WINDOW,
    });
    for (const log of read) {
      logs.push({
        eventName: log.eventName,
        args: log.args as unknown as DecodedLog["args"],
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
      });
    }
  }
  return { toBlock: head, logs };
}

/** Every workflow from the list events, newest first. */
export function workflowsFromLogs(logs: readonly DecodedLog[]): WorkflowSummary[] {
  const byId = new Map<bigint, DecodedLog[]>();
  for (const log of logs) {
    const id = log.args.workflowId as bigint | undefined;
    if (id === undefined) continue;
    let list = byId.get(id);
    if (!list) byId.set(id, (list = []));
    list.push(log);
  }
  const out: WorkflowSummary[] = [];
  for (const [id, list] of byId) {
    if (!list.some((l) => l.eventName === "WorkflowCreated")) continue;
    out.push(summarize(reduceWorkflow(id, list)));
  }
  return out.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** A workflow event as one line of the timeline. */
export function describeEvent(
  event: WorkflowState["events"][number],
  money: (v: bigint) => string,
  /** A step's title by index (with its name), `Step n` by default. */
  titleOf: (index: number) => string = (i) => `Step ${i + 1}`,
): { title: string; detail?: string } {
  const a = event.args;
  const step = a.step === undefined ? "" : titleOf(Number(a.step));
  switch (event.name) {
    case "WorkflowCreated":
      return {
        title: "Workflow created",
        detail: `budget ${money(a.budget as bigint)}, ${(a.steps as unknown[]).length} steps, ${Number(a.maxRetries)} retries per step`,
      };
    case "StepPosted":
      return {
        title: `${step} posted as job #${String(a.jobId)}`,
        detail: Number(a.attempt) > 1 ? `attempt ${Number(a.attempt)}` : undefined,
      };
    case "StepReady":
      return {
        title: `${step} is ready`,
        detail:
          a.reason && a.reason !== "0x"
            ? "the market refused the job for now; advance it to post it"
            : "the settlement callback ran short of gas; advance it to post it",
      };
    case "StepSettled":
      return {
        title: `${step} settled (job #${String(a.jobId)})`,
        detail: `price ${money(a.price as bigint)}, result ${String(a.resultHash).slice(0, 10)}…`,
      };
    case "StepFailed":
      return {
        title: `${step}: job #${String(a.jobId)} ended without a result`,
        detail: a.retrying ? "re-auctioned" : "no retry left",
      };
    case "StepCancelled":
      return { title: `${step}: job #${String(a.jobId)} cancelled` };
    case "WorkflowCompleted":
      return { title: "Workflow completed", detail: `refund ${money(a.refund as bigint)}` };
    case "WorkflowFailed":
      return { title: `Workflow failed at step ${Number(a.step) + 1}`, detail: `refund ${money(a.refund as bigint)}` };
    case "WorkflowCancelled":
      return { title: "Workflow cancelled", detail: `refund ${money(a.refund as bigint)}` };
    case "LateRefund":
      return { title: `${step}: late refund`, detail: money(a.amount as bigint) };
    default:
      return { title: event.name };
  }
}

/**
 * The market jobs the orchestrator posted for workflows `account` created (their requester on the
 * market is the orchestrator), from `WorkflowCreated` and `StepPosted` logs.
 */
export function workflowJobsOf(logs: readonly DecodedLog[], account: string | undefined): Set<bigint> {
  const jobs = new Set<bigint>();
  if (!account) return jobs;
  const mine = new Set<bigint>();
  for (const log of logs) {
    if (log.eventName === "WorkflowCreated" && String(log.args.requester).toLowerCase() === account.toLowerCase()) {
      mine.add(log.args.workflowId as bigint);
    }
    if (log.eventName === "StepPosted" && mine.has(log.args.workflowId as bigint)) jobs.add(log.args.jobId as bigint);
  }
  return jobs;
}

/** A step's title: its number and, when the builder gave one, its name (from its spec). */
export function stepTitle(step: Pick<WorkflowStepState, "index" | "spec">): string {
  const name = step.spec?.name;
  return name ? `Step ${step.index + 1}: ${name}` : `Step ${step.index + 1}`;
}

/** One output of a workflow: a step no other step depends on, and its settled result. */
export type FinalOutput = {
  step: WorkflowStepState;
  /** The job whose result stands, once the step settled. */
  jobId?: bigint;
  /** The result, checked against the hash the orchestrator recorded; undefined until read. */
  result?: ResultCheck;
};

/** The workflow's terminal steps (no dependents): their results are its output. */
export function terminalSteps(state: WorkflowState): WorkflowStepState[] {
  return state.steps.filter((s) => s.dependents.length === 0);
}

/**
 * The workflow's final output: each terminal step with the result of the job it settled on, found
 * among `results` (`ResultSubmitted` logs of those jobs) by job and by the result hash recorded in
 * `StepSettled`, and checked against it.
 */
export function finalOutputs(state: WorkflowState, results: readonly MarketLog[]): FinalOutput[] {
  return terminalSteps(state).map((step) => {
    if (step.status !== "Settled" || !step.resultHash) return { step };
    const jobId = step.jobIds.at(-1);
    const log = results.find(
      (l) =>
        l.eventName === "ResultSubmitted" &&
        l.args.jobId === jobId &&
        l.args.resultHash.toLowerCase() === step.resultHash!.toLowerCase(),
    ) as MarketLog<"ResultSubmitted"> | undefined;
    return {
      step,
      ...(jobId !== undefined ? { jobId } : {}),
      ...(log ? { result: checkResult(step.resultHash, log.args.result) } : {}),
    };
  });
}

/**
 * The `ResultSubmitted` logs of the settled terminal steps' jobs (one topic-filtered `eth_getLogs`
 * per window, from the workflow's creation), for `finalOutputs`.
 */
export async function readFinalResults(client: Client, market: Address, state: WorkflowState): Promise<MarketLog[]> {
  const jobs = terminalSteps(state)
    .filter((s) => s.status === "Settled")
    .map((s) => s.jobIds.at(-1))
    .filter((j): j is bigint => j !== undefined);
  if (jobs.length === 0) return [];
  return readLogs(client, {
    address: market,
    abi: jobMarketAbi,
    eventNames: ["ResultSubmitted"],
    indexed: [jobs.map((j) => topicOf(j))],
    fromBlock: state.createdBlock,
    windowSize: LOG_WINDOW,
  });
}
