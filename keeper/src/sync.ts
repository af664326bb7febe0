import { hexToBytes, type Chain, type PublicClient, type Transport } from "viem";
import type { Logger } from "pino";
import { jobMarketAbi, LogCursor, LogFetchError, readLogs, unpackTerms, workflowOrchestratorAbi } from "@baton/sdk";
import type { KeeperConfig } from "./config.js";
import type { Metrics } from "./metrics.js";
import type { Store } from "./store.js";
import { termsToJson } from "./terms.js";
import { blockOrUndefined } from "./chain.js";

/** Block hashes recorded per pass: deeper reorgs resync from the start block. */
const RECORDED_HASHES = 8;
/**
 * The market's events the keeper follows: jobs, the bids on them, the result hash standing on
 * each (which the calls on a job with a result must pass back), and every other change of a job's
 * state. Each one makes its job due in the working set (`Store.wake`): between its events and
 * its deadlines a job needs nothing, and is not read.
 */
const SYNCED_EVENTS = [
  "JobPosted",
  "BidCommitted",
  "BidRevealed",
  "BidForfeited",
  "JobAssigned",
  "JobReopened",
  "ResultSubmitted",
  "JobDisputed",
  "DisputeResolved",
  "WorkerSlashed",
  "JobSettled",
  "JobCancelled",
  "JobRefunded",
] as const;
/** A decoded log of one of the synced events. */
type SyncedLog = Awaited<ReturnType<LogCursor<typeof jobMarketAbi, (typeof SYNCED_EVENTS)[number]>["next"]>>[number];
/** Logs read and applied at a time: a backfill holds about this many decoded logs in memory. */
const SYNC_BATCH_LOGS = 1_000;
/** The store's meta key of the orchestrator's `StepReady` cursor. */
const STEP_READY_CURSOR = "orchestrator_cursor";

/**
 * Follows the market like an indexer: the sdk's windowed log reader from the persisted cursor up to
 * `head - confirmations`, applied in one SQLite transaction together with the new cursor, so a
 * crash re-applies a window at most (every handler is idempotent). Before each pass the cursor's
 * block hash is compared with the chain; on a mismatch the keeper walks back its recorded hashes
 * to the fork point and forgets what it learnt from the replaced blocks. Only a different hash is
 * a reorg: a failed request fails the pass, and a block the node does not have yet (a node behind
 * the others of a load balancer, or one the keeper failed over to) leaves the pass for later.
 */
export class Syncer {
  /** The market's logs, read on from the store's cursor each pass. */
  private readonly logs: LogCursor<typeof jobMarketAbi, (typeof SYNCED_EVENTS)[number]>;

  /** Reads one block whose logs are too large an answer for `client`, through `wideClient`. */
  private readonly wide: LogCursor<typeof jobMarketAbi, (typeof SYNCED_EVENTS)[number]> | undefined;

  /**
   * `wideClient`, when given, accepts larger answers than `client` (whose cap keeps the keeper's
   * memory small): a single block whose logs `client` refuses is read through it.
   */
  constructor(
    private readonly store: Store,
    private readonly client: PublicClient<Transport, Chain>,
    private readonly cfg: Pick<KeeperConfig, "market" | "startBlock" | "confirmations" | "logWindow">,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    wideClient?: PublicClient<Transport, Chain>,
  ) {
    const filter = {
      address: cfg.market as `0x${string}`,
      abi: jobMarketAbi,
      eventNames: SYNCED_EVENTS,
      fromBlock: cfg.startBlock,
      windowSize: BigInt(cfg.logWindow),
    };
    this.logs = new LogCursor(client, filter);
    this.wide = wideClient ? new LogCursor(wideClient, { ...filter, windowSize: 1n }) : undefined;
  }

  /** The next batch of logs; a single block too large for the client's answers comes through the wide one. */
  private async nextLogs(target: bigint, options: Parameters<Syncer["logs"]["next"]>[1]): Promise<SyncedLog[]> {
    try {
      return await this.logs.next(target, options);
    } catch (error) {
      if (!this.wide || !(error instanceof LogFetchError) || error.fromBlock !== error.toBlock) throw error;
      this.log.info({ block: error.fromBlock.toString() }, "a block's logs exceed the answer cap; reading it alone");
      this.wide.nextBlock = error.fromBlock;
      const logs = await this.wide.next(error.fromBlock);
      this.logs.nextBlock = error.fromBlock + 1n;
      return logs;
    }
  }

  /**
   * Applies every confirmed log up to `head`, in batches of about `SYNC_BATCH_LOGS` logs, each
   * applied (with the cursor moved past it) before the next is read: a backfill over a busy market
   * holds one batch in memory, not its whole history. Returns the number of new jobs discovered.
   */
  async sync(head: bigint): Promise<number> {
    if (!(await this.checkReorg())) return 0;
    const target = head - BigInt(this.cfg.confirmations);
    const cursor = this.store.cursor() ?? this.cfg.startBlock - 1n;
    if (target <= cursor) return 0;
    const backfill = target - cursor > BigInt(this.cfg.logWindow);
    // The store's cursor is the truth: a pass that read logs but stopped before applying them (a
    // block the node does not have yet) reads them again.
    this.logs.nextBlock = cursor + 1n;
    let discovered = 0;
    let logCount = 0;
    while (this.logs.nextBlock <= target) {
      const from = this.logs.nextBlock;
      const logs = await this.nextLogs(target, {
        maxLogs: SYNC_BATCH_LOGS,
        onProgress: backfill
          ? (p) => this.log.info({ done: p.to.toString(), total: target.toString() }, "backfill progress (blocks)")
          : undefined,
      });
      const end = this.logs.nextBlock - 1n;
      // Hashes of the newest blocks of the batch, so that a reorg rolls back exactly to its fork point.
      const first = end - BigInt(RECORDED_HASHES - 1) > from ? end - BigInt(RECORDED_HASHES - 1) : from;
      const numbers = Array.from({ length: Number(end - first + 1n) }, (_, i) => first + BigInt(i));
      // Fetched together: behind a slow endpoint the pass pays one round trip for them, not one a block.
      const blocks = await Promise.all(numbers.map((n) => this.block(n)));
      const recent: { number: bigint; hash: `0x${string}` }[] = [];
      for (const [i, n] of numbers.entries()) {
        const b = blocks[i];
        if (!b) return this.behind(n, discovered);
        recent.push({ number: n, hash: b.hash });
      }
      const found = this.apply(logs, recent);
      this.metrics.jobsSeen.inc(found);
      discovered += found;
      logCount += logs.length;
      this.metrics.syncedBlock.set(Number(end));
    }
    if (backfill) {
      this.log.info({ from: (cursor + 1n).toString(), to: target.toString(), logs: logCount }, "backfill complete");
    }
    return discovered;
  }

  /** Applies one batch of logs and moves the cursor past it, in one SQLite transaction; returns the new jobs. */
  private apply(logs: SyncedLog[], recent: readonly { number: bigint; hash: `0x${string}` }[]): number {
    let discovered = 0;
    this.store.tx(() => {
      for (const log of logs) {
        if (log.eventName !== "JobPosted") this.store.wake(log.args.jobId);
        switch (log.eventName) {
          case "JobPosted": {
            const { jobId, terms, specHash, spec } = log.args;
            if (!this.store.job(jobId)) discovered++;
            this.store.upsertJob({
              id: jobId,
              terms: termsToJson(unpackTerms(terms)),
              specHash,
              spec: hexToBytes(spec),
              blockNumber: log.blockNumber,
            });
            break;
          }
          case "BidCommitted":
            this.store.recordCommit(log.args.jobId, Number(log.args.round), log.args.bidder, log.blockNumber);
            break;
          case "BidRevealed":
          case "BidForfeited":
            this.store.recordReveal(log.args.jobId, Number(log.args.round), log.args.bidder);
            break;
          case "ResultSubmitted":
            this.store.setResultHash(log.args.jobId, log.args.resultHash, log.blockNumber);
            break;
          case "DisputeResolved":
            // A lost dispute reopens or refunds the job: no result stands on it any more.
            if (!log.args.workerWins) this.store.setResultHash(log.args.jobId, null, log.blockNumber);
            break;
        }
      }
      for (const r of recent) this.store.setCursor(r.number, r.hash);
    });
    return discovered;
  }

  /** Rolls back a reorg if the cursor's block was replaced; false when the node is behind the cursor. */
  private async checkReorg(): Promise<boolean> {
    const cursor = this.store.cursor();
    if (cursor === undefined) return true;
    const recorded = this.store.blockHash(cursor);
    if (!recorded) return true;
    const onChain = await this.block(cursor);
    if (!onChain) return this.behind(cursor, false);
    if (onChain.hash === recorded) return true;
    // Walk back to the newest recorded block the chain still has.
    for (const b of this.store.recentBlocks()) {
      const block = await this.block(b.number);
      if (!block) return this.behind(b.number, false);
      if (block.hash === b.hash) {
        this.log.warn({ from: cursor.toString(), to: b.number.toString() }, "reorg detected; rolling back");
        this.metrics.reorgs.inc();
        this.store.rollbackTo(b.number, b.hash);
        return true;
      }
    }
    const restart = this.cfg.startBlock - 1n;
    this.log.warn(
      { from: cursor.toString(), to: restart.toString() },
      "reorg deeper than the recorded history; resyncing",
    );
    this.metrics.reorgs.inc();
    this.store.rollbackTo(restart, undefined);
    return true;
  }

  private block(n: bigint) {
    return blockOrUndefined(this.client, n);
  }

  /** Leaves this pass's sync for later, as the node does not have block `n` yet; returns `result`. */
  private behind<T>(n: bigint, result: T): T {
    this.log.debug({ block: n.toString() }, "the node does not have this block yet; syncing later");
    return result;
  }
}

/**
 * Records the steps the orchestrator reported Ready up to block `target` (already `confirmations`
 * deep), from a cursor of its own. A record is only a hint: the step is read on chain before
 * anything is sent for it, so a reorged-out log costs one read.
 */
export async function syncReadySteps(
  store: Store,
  client: PublicClient<Transport, Chain>,
  cfg: Pick<KeeperConfig, "orchestrator" | "startBlock" | "logWindow">,
  target: bigint,
): Promise<number> {
  if (!cfg.orchestrator) return 0;
  const saved = store.getMeta(STEP_READY_CURSOR);
  const cursor = saved === undefined ? cfg.startBlock - 1n : BigInt(saved);
  if (target <= cursor) return 0;
  const events = await readLogs(client, {
    address: cfg.orchestrator as `0x${string}`,
    abi: workflowOrchestratorAbi,
    eventNames: ["StepReady"],
    fromBlock: cursor + 1n,
    toBlock: target,
    windowSize: BigInt(cfg.logWindow),
  });
  store.tx(() => {
    for (const e of events) store.addReadyStep(e.args.workflowId, Number(e.args.step), e.blockNumber);
    store.setMeta(STEP_READY_CURSOR, target.toString());
  });
  return events.length;
}
