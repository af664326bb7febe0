// Query hooks over the WorkflowOrchestrator: the list of workflows, one workflow (events, summary,
// its jobs' market states) and the account's refunds. Refreshed live like the rest of the app.
import { readWorkflowCount, reduceWorkflow, workflowOrchestratorAbi, type JobView } from "@baton/sdk";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Address } from "viem";
import { readContract } from "viem/actions";
import { useBaton } from "../BatonContext.tsx";
import { loadJobViews } from "../lib/market.ts";
import {
  LIST_EVENTS,
  extendOrchestratorLogs,
  finalOutputs,
  readFinalResults,
  workflowJobsOf,
  workflowsFromLogs,
  type LogsSoFar,
} from "../lib/workflowModel.ts";

// The logs read so far stay in each query's data, for the next refresh; callers see the rest.
const selectList = <T extends { read: LogsSoFar }>({ read: _, ...list }: T) => list;
const selectWorkflow = <T>(data: { read: LogsSoFar; workflow: T }) => data.workflow;

/** The orchestrator of the chosen deployment, if it has one. */
export function useOrchestrator(): Address | undefined {
  return useBaton().chain.addressBook.workflowOrchestrator;
}

/**
 * Every workflow (newest first): `workflowCount` and the list events, one `eth_getLogs` per window
 * the first time and then only the new blocks (the logs read so far stay in the query's data).
 */
export function useWorkflowList() {
  const { chain, client, pollMs } = useBaton();
  const orchestrator = useOrchestrator();
  const queryClient = useQueryClient();
  const queryKey = ["workflows", chain.chainId, orchestrator];
  return useQuery({
    queryKey,
    queryFn: async () => {
      const [count, read] = await Promise.all([
        readWorkflowCount(client, orchestrator!),
        extendOrchestratorLogs(
          client,
          { orchestrator: orchestrator!, fromBlock: chain.addressBook.deploymentBlock, eventNames: LIST_EVENTS },
          queryClient.getQueryData<{ read: LogsSoFar }>(queryKey)?.read,
        ),
      ]);
      return { count, read, workflows: workflowsFromLogs(read.logs) };
    },
    select: selectList,
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
  const queryClient = useQueryClient();
  const queryKey = ["workflow", chain.chainId, orchestrator, String(id)];
  return useQuery({
    queryKey,
    queryFn: async () => {
      const [read, view] = await Promise.all([
        extendOrchestratorLogs(
          client,
          { orchestrator: orchestrator!, fromBlock: chain.addressBook.deploymentBlock, workflowId: id },
          queryClient.getQueryData<{ read: LogsSoFar }>(queryKey)?.read,
        ),
        readContract(client, {
          address: orchestrator!,
          abi: workflowOrchestratorAbi,
          functionName: "getWorkflow",
          args: [id],
        }),
      ]);
      if (!read.logs.some((l) => l.eventName === "WorkflowCreated")) return { read, workflow: null };
      const state = reduceWorkflow(id, read.logs);
      const jobIds = state.steps.flatMap((s) => (s.jobIds.length ? [s.jobIds.at(-1)!] : []));
      const [views, results] = await Promise.all([
        loadJobViews(client, chain.addressBook, jobIds),
        readFinalResults(client, chain.addressBook.jobMarket, state),
      ]);
      const jobs = new Map<bigint, JobView>(views.map((v) => [v.id, v]));
      return { read, workflow: { state, balance: view.balance, jobs, outputs: finalOutputs(state, results) } };
    },
    select: selectWorkflow,
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

/**
 * The market jobs posted for the workflows `account` created (their market requester is the
 * orchestrator): the orchestrator's `WorkflowCreated` and `StepPosted` logs, read incrementally.
 */
export function useWorkflowJobsOf(account: Address | undefined) {
  const { chain, client, pollMs } = useBaton();
  const orchestrator = useOrchestrator();
  const queryClient = useQueryClient();
  const queryKey = ["workflowJobs", chain.chainId, orchestrator];
  const query = useQuery({
    queryKey,
    queryFn: async () => ({
      read: await extendOrchestratorLogs(
        client,
        {
          orchestrator: orchestrator!,
          fromBlock: chain.addressBook.deploymentBlock,
          eventNames: ["WorkflowCreated", "StepPosted"],
        },
        queryClient.getQueryData<{ read: LogsSoFar }>(queryKey)?.read,
      ),
    }),
    enabled: !!orchestrator && !!account,
    refetchInterval: pollMs * 3,
    placeholderData: keepPreviousData,
  });
  return { ...query, jobs: workflowJobsOf(query.data?.read.logs ?? [], account) };
}
