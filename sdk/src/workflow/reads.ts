// Reading workflows from a node: their events (one windowed, topic-filtered log read) and count.
import type { Client } from "viem";
import { readContract } from "viem/actions";
import { BatonError } from "../errors.js";
import { workflowOrchestratorAbi } from "../generated/abis.js";
import { readLogs, topicOf } from "../logs.js";
import type { Address } from "../types.js";
import { reduceWorkflow, type DecodedLog, type WorkflowState } from "./state.js";

/**
 * The orchestrator's logs for one workflow (topic 1 is the workflow id on every workflow event),
 * filtered by the RPC and read in bounded windows (`readLogs`), decoded.
 */
export async function fetchWorkflowLogs(
  client: Pick<Client, "request">,
  params: { orchestrator: Address; workflowId: bigint; fromBlock?: bigint; toBlock?: bigint },
): Promise<DecodedLog[]> {
  const logs = await readLogs(client, {
    address: params.orchestrator,
    abi: workflowOrchestratorAbi,
    indexed: [topicOf(params.workflowId)],
    fromBlock: params.fromBlock ?? 0n,
    ...(params.toBlock === undefined ? {} : { toBlock: params.toBlock }),
  });
  return logs.map((log) => ({
    eventName: log.eventName,
    args: log.args as unknown as Record<string, unknown>,
    blockNumber: log.blockNumber,
    logIndex: log.logIndex,
  }));
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
