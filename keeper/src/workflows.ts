// Workflow housekeeping reads: the orchestrator's `StepReady` logs, and the state of steps and
// committee disputes the planner (`plan.ts`) decides on.
import { encodeEventTopics, parseEventLogs, type Chain, type PublicClient, type Transport } from "viem";
import { committeeArbiterAbi, fetchTopicLogs, workflowOrchestratorAbi } from "@baton/sdk";
import type { KeeperConfig } from "./config.js";
import type { StepView } from "./plan.js";
import type { Store } from "./store.js";

const CURSOR = "orchestrator_cursor";
const STEP_READY = encodeEventTopics({ abi: workflowOrchestratorAbi, eventName: "StepReady" })[0];
/** `IWorkflowOrchestrator.WorkflowStatus.Active`. */
const ACTIVE = 1;

type Client = PublicClient<Transport, Chain>;

/**
 * Records the steps the orchestrator reported Ready up to block `target` (already `confirmations`
 * deep), from a cursor of its own. A record is only a hint: the step is read on chain before
 * anything is sent for it, so a reorged-out log costs one read.
 */
export async function syncReadySteps(
  store: Store,
  client: Client,
  cfg: Pick<KeeperConfig, "orchestrator" | "startBlock" | "logWindow">,
  target: bigint,
): Promise<number> {
  if (!cfg.orchestrator) return 0;
  const saved = store.getMeta(CURSOR);
  const cursor = saved === undefined ? cfg.startBlock - 1n : BigInt(saved);
  if (target <= cursor) return 0;
  const logs = await fetchTopicLogs(client, {
    address: cfg.orchestrator as `0x${string}`,
    fromBlock: cursor + 1n,
    toBlock: target,
    topics: [STEP_READY],
    windowSize: BigInt(cfg.logWindow),
  });
  const events = parseEventLogs({ abi: workflowOrchestratorAbi, logs, eventName: "StepReady" });
  store.tx(() => {
    for (const e of events) store.addReadyStep(e.args.workflowId, Number(e.args.step), e.blockNumber);
    store.setMeta(CURSOR, target.toString());
  });
  return events.length;
}

/** Steps as the orchestrator reports them, with whether their workflows are active, in one multicall. */
export async function readSteps(
  client: Client,
  cfg: Pick<KeeperConfig, "orchestrator" | "multicall3">,
  steps: readonly { workflowId: bigint; step: number }[],
): Promise<StepView[]> {
  if (steps.length === 0 || !cfg.orchestrator) return [];
  const address = cfg.orchestrator as `0x${string}`;
  const results = await client.multicall({
    allowFailure: false,
    multicallAddress: cfg.multicall3 as `0x${string}` | undefined,
    contracts: steps.flatMap((s) => [
      { address, abi: workflowOrchestratorAbi, functionName: "getStep", args: [s.workflowId, s.step] } as const,
      { address, abi: workflowOrchestratorAbi, functionName: "getWorkflow", args: [s.workflowId] } as const,
    ]),
  });
  return steps.map((s, i) => {
    const step = results[2 * i] as { status: number; attempts: number; jobId: bigint };
    const workflow = results[2 * i + 1] as { status: number };
    return {
      workflowId: s.workflowId,
      step: s.step,
      status: Number(step.status),
      attempts: Number(step.attempts),
      jobId: BigInt(step.jobId),
      workflowActive: Number(workflow.status) === ACTIVE,
    };
  });
}

/** The workflow steps of orchestrator jobs (`stepOfJob`), then their state; jobs of no step are left out. */
export async function readJobSteps(
  client: Client,
  cfg: Pick<KeeperConfig, "orchestrator" | "multicall3">,
  jobIds: readonly bigint[],
): Promise<Map<bigint, StepView>> {
  if (jobIds.length === 0 || !cfg.orchestrator) return new Map();
  const address = cfg.orchestrator as `0x${string}`;
  const found = await client.multicall({
    allowFailure: false,
    multicallAddress: cfg.multicall3 as `0x${string}` | undefined,
    contracts: jobIds.map(
      (id) => ({ address, abi: workflowOrchestratorAbi, functionName: "stepOfJob", args: [id] }) as const,
    ),
  });
  const owned = jobIds
    .map((id, i) => ({ id, result: found[i] as readonly [boolean, bigint, number] }))
    .filter((j) => j.result[0]);
  const views = await readSteps(
    client,
    cfg,
    owned.map((j) => ({ workflowId: j.result[1], step: Number(j.result[2]) })),
  );
  return new Map(owned.map((j, i) => [j.id, views[i]]));
}

/** The committee's current dispute of each job, and when its voting ends, in one multicall. */
export async function readCommitteeDisputes(
  client: Client,
  cfg: Pick<KeeperConfig, "committeeArbiter" | "multicall3">,
  jobIds: readonly bigint[],
  votingPeriod: number,
): Promise<Map<bigint, { openedAt: number; resolved: boolean; votingEnds: number }>> {
  if (jobIds.length === 0 || !cfg.committeeArbiter) return new Map();
  const address = cfg.committeeArbiter as `0x${string}`;
  const tallies = await client.multicall({
    allowFailure: false,
    multicallAddress: cfg.multicall3 as `0x${string}` | undefined,
    contracts: jobIds.map((id) => ({ address, abi: committeeArbiterAbi, functionName: "tally", args: [id] }) as const),
  });
  return new Map(
    jobIds.map((id, i) => {
      const t = tallies[i] as { openedAt: number; resolved: boolean };
      const openedAt = Number(t.openedAt);
      return [id, { openedAt, resolved: t.resolved, votingEnds: openedAt + votingPeriod }];
    }),
  );
}
