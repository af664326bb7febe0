// What the keeper benchmarks read back from the blocks: every transaction the requester and the
// keepers sent to the market, attributed to its jobs (a bundle's gas shared equally by its steps),
// and how many of the keepers' transactions reverted.
import { decodeFunctionData, parseEventLogs, type Hex, type PublicClient } from "viem";
import { BATCH_FUNCTIONS, jobMarketAbi } from "@baton/sdk";

/** The step a market function is, in the lifecycle's words. */
const STEP: Record<string, string> = {
  postJob: "post",
  commitBid: "commit",
  revealBid: "reveal",
  finalizeAuction: "finalize",
  submitResult: "submit",
  settle: "settle",
  accept: "settle",
  forfeitUnrevealed: "forfeit",
  slashNoShow: "slash",
};
export const STEPS = ["post", "commit", "reveal", "finalize", "submit", "settle", "forfeit", "slash", "other"];

/** A job's gas per step, the gas of reverted transactions, and its share of transactions. */
export type JobGas = Record<string, number> & { reverted: number; revertedTxs: number; txs: number };

/** What a job's gas adds up: every step, and the reverted transactions. */
export const COUNTED = [...STEPS, "reverted"];
export const totalOf = (g: JobGas) => COUNTED.reduce((a, s) => a + g[s]!, 0);

const emptyGas = (): JobGas => ({
  ...Object.fromEntries(STEPS.map((s) => [s, 0])),
  reverted: 0,
  revertedTxs: 0,
  txs: 0,
});

export type Ledger = {
  jobs: Map<bigint, JobGas>;
  /** Block number → timestamp, for every block read. */
  timestamps: Map<bigint, number>;
  keeperTxs: number;
  keeperReverted: number;
  /** The keepers' reverted transactions: sender, function and the jobs they named. */
  reverts: { from: string; functionName: string; jobIds: string[] }[];
  /** Every market event of the blocks read. */
  events: Awaited<ReturnType<typeof marketEvents>>;
};

const marketEvents = (client: PublicClient, market: `0x${string}`, from: bigint, to: bigint) =>
  client.getContractEvents({ address: market, abi: jobMarketAbi, fromBlock: from, toBlock: to });

/** A reader of `ledger.events`: the events `name` about `jobId`. */
export function eventsOf(ledger: Pick<Ledger, "events">) {
  return (name: string, jobId: bigint) =>
    ledger.events.filter((l) => l.eventName === name && (l.args as { jobId?: bigint }).jobId === jobId);
}

/**
 * Reads blocks `from`..`to` and attributes every transaction to the market from `requester` or one
 * of `keepers` to the jobs of `jobIds` it names: a posting names its jobs in its events, a batch
 * function (`commitBids`, …) in its first argument, a multicall in its calls, any other step first.
 * Also returns the market's events of those blocks.
 */
export async function readLedger(
  client: PublicClient,
  market: `0x${string}`,
  {
    requester,
    keepers,
    jobIds,
    from,
    to,
  }: {
    requester: string;
    keepers: readonly string[];
    jobIds: readonly bigint[];
    from: bigint;
    to: bigint;
  },
): Promise<Ledger> {
  const keeperSet = new Set(keepers.map((a) => a.toLowerCase()));
  const senders = new Set([requester.toLowerCase(), ...keeperSet]);
  const jobs = new Map(jobIds.map((id) => [id, emptyGas()]));
  const ledger: Ledger = {
    jobs,
    timestamps: new Map(),
    keeperTxs: 0,
    keeperReverted: 0,
    reverts: [],
    events: await marketEvents(client, market, from, to),
  };
  for (let b = from; b <= to; b++) {
    const block = await client.getBlock({ blockNumber: b, includeTransactions: true });
    ledger.timestamps.set(b, Number(block.timestamp));
    for (const tx of block.transactions) {
      if (!senders.has(tx.from.toLowerCase()) || tx.to?.toLowerCase() !== market.toLowerCase()) continue;
      const receipt = await client.getTransactionReceipt({ hash: tx.hash });
      const gas = Number(receipt.gasUsed);
      const ok = receipt.status === "success";
      const call = decodeFunctionData({ abi: jobMarketAbi, data: tx.input as Hex });
      const single = Object.entries(BATCH_FUNCTIONS).find(([, batch]) => batch === call.functionName)?.[0];
      const steps: { name: string; jobId: bigint | undefined }[] = (
        call.functionName === "multicall"
          ? call.args[0].map((data) => decodeFunctionData({ abi: jobMarketAbi, data }))
          : single
            ? (call.args![0] as readonly bigint[]).map((jobId) => ({ functionName: single, args: [jobId] }))
            : [call]
      ).flatMap((step) =>
        step.functionName === "postJob" || step.functionName === "postJobs"
          ? parseEventLogs({ abi: jobMarketAbi, logs: receipt.logs, eventName: "JobPosted" }).map(
              (l): { name: string; jobId: bigint | undefined } => ({ name: "postJob", jobId: l.args.jobId }),
            )
          : [{ name: step.functionName, jobId: step.args?.[0] as bigint | undefined }],
      );
      if (keeperSet.has(tx.from.toLowerCase())) {
        ledger.keeperTxs++;
        if (!ok) {
          ledger.keeperReverted++;
          ledger.reverts.push({
            from: tx.from,
            functionName: call.functionName,
            jobIds: steps.map((s) => String(s.jobId)),
          });
        }
      }
      for (const step of steps) {
        const job = step.jobId === undefined ? undefined : jobs.get(step.jobId);
        if (!job) continue;
        const share = gas / steps.length;
        job.txs += 1 / steps.length;
        if (!ok) {
          job.reverted += share;
          job.revertedTxs += 1 / steps.length;
          continue;
        }
        job[STEP[step.name] ?? "other"] += share;
      }
    }
  }
  return ledger;
}
