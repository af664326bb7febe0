// What `npm run dev` prints after its summary: one line per demo job and per demo workflow step as
// it settles, read from the market's and the orchestrator's events through the sdk's log reader.
// An ES module (.mts) so that the launcher can import it through tsx's loader.
import { createPublicClient, formatEther, getAddress, http } from "viem";
import { decodeSpec, jobMarketAbi, LogCursor, workflowOrchestratorAbi } from "@baton/sdk";
import { readAddressBook } from "@baton/sdk/node";

export type FollowOptions = {
  /** The address book `npm run dev` wrote. */
  addressBook: string;
  /** The demo jobs, as `seed` printed them. */
  jobs: { jobId: string | bigint; label: string }[];
  /** The demo workflow, as `workflow` printed it. */
  workflow: { workflowId: string | bigint; names: string[] };
  /** The demo keepers, to name the winners. */
  keepers: { name: string; address: string }[];
  print: (line: string) => void;
  signal?: AbortSignal;
  pollMs?: number;
};

/**
 * Follows the market's and the orchestrator's logs from the deployment block (through the sdk's
 * `LogCursor`) and prints one line per demo job and per demo workflow step as it settles (or
 * fails), e.g. "job 3 settled: keeper-b won at 0.0085 ETH (matrix product, wasm)" and "workflow 1
 * step 5 (merge) settled: job 9, keeper-a won at 0.02 ETH". Runs until `signal` aborts; an RPC
 * error is retried at the next poll.
 */
export async function followDemo(rpcUrl: string, options: FollowOptions) {
  const { jobs, workflow, keepers, print, signal, pollMs = 1000 } = options;
  const book = await readAddressBook(options.addressBook);
  const publicClient = createPublicClient({ transport: http(rpcUrl) });
  const labels = new Map(jobs.map((j) => [BigInt(j.jobId), j.label]));
  const names = new Map(keepers.map((k) => [getAddress(k.address), k.name]));
  const who = (worker: string) => names.get(getAddress(worker)) ?? worker;
  // Four significant digits are enough to tell the keepers' prices apart.
  const eth = (wei: bigint) => `${Number(Number(formatEther(wei)).toPrecision(4))} ETH`;
  const workflowId = BigInt(workflow.workflowId);
  const stepName = (step: number) => workflow.names[step] ?? `step ${step}`;
  const market = new LogCursor(publicClient, {
    address: book.jobMarket,
    abi: jobMarketAbi,
    eventNames: ["JobPosted", "JobSettled", "JobCancelled"],
    fromBlock: book.deploymentBlock,
  });
  const orchestrator = book.workflowOrchestrator
    ? new LogCursor(publicClient, {
        address: book.workflowOrchestrator,
        abi: workflowOrchestratorAbi,
        eventNames: ["StepSettled", "StepFailed", "WorkflowCompleted", "WorkflowFailed"],
        fromBlock: book.deploymentBlock,
      })
    : undefined;
  const kinds = new Map<bigint, string>();
  const winners = new Map<bigint, string>();
  while (!signal?.aborted) {
    try {
      const head = await publicClient.getBlockNumber();
      for (const log of await market.next(head, { signal })) {
        if (log.eventName === "JobPosted") {
          const spec = decodeSpec(log.args.spec);
          if (spec.ok) kinds.set(log.args.jobId, spec.spec.kind);
        } else if (log.eventName === "JobSettled") {
          const { jobId, worker, price } = log.args;
          winners.set(jobId, who(worker));
          if (labels.has(jobId))
            print(
              `job ${jobId} settled: ${who(worker)} won at ${eth(price)} (${labels.get(jobId)}, ${kinds.get(jobId)})`,
            );
        } else if (log.eventName === "JobCancelled" && labels.has(log.args.jobId)) {
          print(`job ${log.args.jobId} was cancelled (${labels.get(log.args.jobId)})`);
        }
      }
      for (const log of orchestrator ? await orchestrator.next(head, { signal }) : []) {
        if (log.args.workflowId !== workflowId) continue;
        const prefix = `workflow ${workflowId}`;
        if (log.eventName === "StepSettled") {
          const winner = winners.get(log.args.jobId);
          print(
            `${prefix} step ${log.args.step} (${stepName(log.args.step)}) settled: job ${log.args.jobId}` +
              `${winner ? `, ${winner} won` : ""} at ${eth(log.args.price)}`,
          );
        } else if (log.eventName === "StepFailed") {
          print(
            `${prefix} step ${log.args.step} (${stepName(log.args.step)}) failed in job ${log.args.jobId}` +
              (log.args.retrying ? "; posting it again" : ""),
          );
        } else if (log.eventName === "WorkflowCompleted") {
          print(`${prefix} completed (refund ${eth(log.args.refund)})`);
        } else {
          print(`${prefix} failed at step ${log.args.step} (refund ${eth(log.args.refund)})`);
        }
      }
    } catch {
      // Stopping, or the node is busy: a cursor that failed reads the same blocks again next time.
      if (signal?.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
