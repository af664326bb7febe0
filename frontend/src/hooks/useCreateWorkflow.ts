// Creating a workflow from the builder's form: the pure check, then the checks that need the chain
// (each arbiter is a contract, the balance covers the budget), still before any transaction; then
// the approval a token budget needs, `createWorkflow`, and the new workflow's id from the receipt.
import { parseReceiptEvents, prepareCreateWorkflow, workflowOrchestratorAbi, type BuiltWorkflow } from "@baton/sdk";
import { useState } from "react";
import { useConnection } from "wagmi";
import type { Address } from "viem";
import { useBaton } from "../BatonContext.tsx";
import { formatAmount, type TokenInfo } from "../lib/format.ts";
import { checkWorkflow, stepField, type WorkflowErrors, type WorkflowForm } from "../lib/workflowForm.ts";
import { approveIfNeeded, balanceIn, isContract } from "../tx/payment.ts";
import { useTransactor } from "../tx/TxProvider.tsx";

export type WorkflowCheck = { ok: true; built: BuiltWorkflow } | { ok: false; errors: WorkflowErrors };

export function useCreateWorkflow(orchestrator: Address) {
  const { chain, client } = useBaton();
  const { address, chainId: walletChainId } = useConnection();
  const { send, busy } = useTransactor();
  const [checking, setChecking] = useState(false);

  /** Every problem of the form, keyed to its field, or the `createWorkflow` arguments. */
  async function check(form: WorkflowForm, token: TokenInfo): Promise<WorkflowCheck> {
    const checked = checkWorkflow(form, token.decimals);
    if (!checked.ok) return checked;
    if (!address) return { ok: false, errors: { steps: "Connect a wallet to create the workflow." } };
    if (walletChainId !== chain.chainId) {
      return { ok: false, errors: { steps: `Switch your wallet to ${chain.name} first.` } };
    }
    const { built } = checked;
    setChecking(true);
    try {
      const found: WorkflowErrors = {};
      for (const arbiter of checked.arbiters) {
        if (!(await isContract(client, arbiter))) {
          const owner = form.steps.find((s) => s.overrides.arbiter?.trim().toLowerCase() === arbiter.toLowerCase());
          found[owner ? stepField(owner.key, "arbiter") : "defaults.arbiter"] =
            "There is no contract at this arbiter address on this network.";
        }
      }
      const balance = await balanceIn(client, built.token, address);
      if (balance < built.budget) {
        found.budget = `Your balance of ${formatAmount(balance, token)} does not cover a budget of ${formatAmount(built.budget, token)}.`;
      }
      if (Object.keys(found).length) return { ok: false, errors: found };
    } catch (error) {
      return { ok: false, errors: { steps: `Could not check the chain: ${(error as Error).message.split("\n")[0]}` } };
    } finally {
      setChecking(false);
    }
    return { ok: true, built };
  }

  /** Approves a token budget if needed, creates the workflow; resolves with its id, or undefined. */
  async function create(built: BuiltWorkflow, token: TokenInfo): Promise<bigint | undefined> {
    if (!address) return undefined;
    const approved = await approveIfNeeded(client, send, {
      token: built.token,
      owner: address,
      spender: orchestrator,
      amount: built.budget,
      label: `Approve ${formatAmount(built.budget, token)}`,
    });
    if (!approved) return undefined;
    const receipt = await send({
      ...prepareCreateWorkflow({ orchestrator, workflow: built }),
      label: "Create workflow",
    });
    if (!receipt) return undefined;
    const [created] = parseReceiptEvents(receipt, orchestrator, workflowOrchestratorAbi, "WorkflowCreated");
    return created?.args.workflowId;
  }

  return { check, create, checking, busy, connected: !!address };
}
