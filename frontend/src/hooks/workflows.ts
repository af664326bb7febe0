// Query hooks over the WorkflowOrchestrator: the list of workflows, one workflow (events, summary,
// its jobs' market states) and the account's refunds. Refreshed live like the rest of the app.
import { readWorkflowCount, reduceWorkflow, workflowOrchestratorAbi, type JobView } from "@baton/sdk";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Address } from "viem";
import { readContract } from "viem/actions";
import { useBaton } from "../BatonContext.tsx";
import { loadJobViews } from "../lib/market.ts";
import { LIST_EVENTS, loadOrchestratorLogsIncremental, workflowsFromLogs } from "../lib/workflowModel.ts";

/** The orchestrator of the chosen deployment, if it has one. */
export function useOrchestrator(): Address | undefined {
  return useBaton().chain.addressBook.workflowOrchestrator;
}

/**
 * Every workflow (newest first): `workflowCount` and the list events, one `eth_getLogs` per window
 * the first time and then only the new blocks.
 */
export function useWorkflowList() {
  const { chain, client, pollMs } = useBaton();
  const orchestrator = useOrchestrator();
  return useQuery({
    queryKey: ["workflows", chain.chainId, orchestrator],
    queryFn: async () => {
      const [count, logs] = await Promise.all([
        readWorkflowCount(client, orchestrator!),
        loadOrchestratorLogsIncremental(client, `list:${chain.chainId}:${orchestrator}`, {
          orchestrator: orchestrator!,
          fromBlock: chain.addressBook.deploymentBlock,
          eventNames: LIST_EVENTS,
        }),
      ]);
      return { count, workflows: workflowsFromLogs(logs) };
    },
    enabled: !!orchestrator,
    refetchInterval: pollMs * 3,
    placeholderData: keepPreviousData,
  });
}

/**
 * One workflow: its state from its events (read incrementally: each refresh reads only new blocks),
 * its summary (balance) and its jobs' market states.
 */
export function useWorkflow(id: bigint) {
  const { chain, client, pollMs } = useBaton();
  const orchestrator = useOrchestrator();
  return useQuery({
    queryKey: ["workflow", chain.chainId, orchestrator, String(id)],
    queryFn: async () => {
      const [logs, view] = await Promise.all([
        loadOrchestratorLogsIncremental(client, `workflow:${chain.chainId}:${orchestrator}:${id}`, {
          orchestrator: orchestrator!,
          fromBlock: chain.addressBook.deploymentBlock,
          workflowId: id,
        }),
        readContract(client, {
          address: orchestrator!,
          abi: workflowOrchestratorAbi,
          functionName: "getWorkflow",
          args: [id],
        }),
      ]);
      if (!logs.some((l) => l.eventName === "WorkflowCreated")) return null;
      const state = reduceWorkflow(id, logs);
      const jobIds = state.steps.flatMap((s) => (s.jobIds.length ? [s.jobIds.at(-1)!] : []));
      const views = await loadJobViews(client, chain.addressBook, jobIds);
      return { state, balance: view.balance, jobs: new Map<bigint, JobView>(views.map((v) => [v.id, v])) };
    },
    enabled: !!orchestrator,
    refetchInterval: pollMs,
    placeholderData: keepPreviousData,
  });
}

/** The account's refund waiting in the orchestrator, in `token`. */
export function useOrchestratorCredit(account: Address | undefined, token: Address | undefined) {
  const { chain, client, pollMs } = useBaton();
  const orchestrator = useOrchestrator();
  return useQuery({
    queryKey: ["orchestratorCredit", chain.chainId, orchestrator, account, token],
    queryFn: () =>
      readContract(client, {
        address: orchestrator!,
        abi: workflowOrchestratorAbi,
        functionName: "creditOf",
        args: [account!, token!],
      }),
    enabled: !!orchestrator && !!account && !!token,
    refetchInterval: pollMs * 2,
  });
}
