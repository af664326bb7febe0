// Workflow transactions for scripts and tests: build (`calls.ts`), send (`send.ts`), read back.
import type { Client, Hex } from "viem";
import { orchestratorCall, prepareCreateWorkflow } from "../calls.js";
import { ZERO_ADDRESS } from "../limits.js";
import { parseWorkflowCreated } from "../receipts.js";
import { send, type SigningClient } from "../send.js";
import type { Address } from "../types.js";
import { ensureAllowance } from "../writes.js";
import type { BuiltWorkflow } from "./build.js";

/**
 * Creates a workflow: approves the orchestrator for an ERC-20 budget if needed, sends
 * `createWorkflow` (a revert throws `BatonContractError` and nothing is sent), and returns the id.
 */
export async function createWorkflow(
  wallet: SigningClient,
  publicClient: Client,
  params: { orchestrator: Address; workflow: BuiltWorkflow },
): Promise<{ workflowId: bigint; hash: Hex; blockNumber: bigint }> {
  const { orchestrator, workflow } = params;
  if (workflow.token !== ZERO_ADDRESS) {
    await ensureAllowance(wallet, publicClient, {
      token: workflow.token,
      spender: orchestrator,
      amount: workflow.budget,
    });
  }
  const sent = await send(wallet, publicClient, prepareCreateWorkflow(params));
  const created = parseWorkflowCreated(sent.receipt, orchestrator);
  return { workflowId: created.workflowId, hash: sent.hash, blockNumber: sent.receipt.blockNumber };
}

/** `advance(workflowId, step)`: records a finished job, re-auctions or fails it, or posts ready steps. */
export async function advanceWorkflow(
  wallet: SigningClient,
  publicClient: Client,
  params: { orchestrator: Address; workflowId: bigint; step: number },
): Promise<Hex> {
  const write = orchestratorCall(params.orchestrator, "advance", [params.workflowId, params.step]);
  return (await send(wallet, publicClient, write)).hash;
}

/** `cancel(workflowId)`: the requester ends the workflow; unstarted budget becomes withdrawable. */
export async function cancelWorkflow(
  wallet: SigningClient,
  publicClient: Client,
  params: { orchestrator: Address; workflowId: bigint },
): Promise<Hex> {
  return (await send(wallet, publicClient, orchestratorCall(params.orchestrator, "cancel", [params.workflowId]))).hash;
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
  const token = params.token ?? ZERO_ADDRESS;
  const write =
    params.to !== undefined
      ? orchestratorCall(params.orchestrator, "withdrawTo", [token, params.to])
      : orchestratorCall(params.orchestrator, "withdraw", [token]);
  return (await send(wallet, publicClient, write)).hash;
}
