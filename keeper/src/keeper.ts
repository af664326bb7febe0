// The daemon's pass loop: sync (`sync.ts`), read (`reads.ts`, `specs.ts`), plan (`plan.ts`, pure),
// perform (`transactions.ts` for the outbox, `executions.ts` for the work), send (`sender.ts`).
import { setMaxListeners } from "node:events";
import {
  createPublicClient,
  webSocket,
  type Chain,
  type PrivateKeyAccount,
  type PublicClient,
  type Transport,
} from "viem";
import type { Logger } from "pino";
import type { Server } from "node:http";
import { computeCommitment, newSalt, readResultHash, ZERO_HASH } from "@baton/sdk";
import { heldLimit, type KeeperConfig } from "./config.js";
import { chainFor, makePublicClient, WIDE_RESPONSE_BYTES } from "./chain.js";
import { Metrics, serveMetrics } from "./metrics.js";
import {
  decide,
  failureReason,
  HOLDING_STATES,
  nextDue,
  planPass,
  planReadyStep,
  type Action,
  type LocalJob,
  type Me,
  type PassJob,
} from "./plan.js";
import { TxSender } from "./sender.js";
import { Store } from "./store.js";
import { Syncer, syncReadySteps } from "./sync.js";
import { termsFromJson } from "./terms.js";
import { createExecutors } from "./executors/index.js";
import { Executions } from "./executions.js";
import { sleep } from "./sleep.js";
import { JobSpecs, type JobSpec } from "./specs.js";
import { ChainReads, type JobOnChain } from "./reads.js";
import { AutomationService } from "./automation/service.js";
import {
  advanceTransaction,
  RESULT_STANDING_STATES,
  resultHashFor,
  transactionFor,
  type Contracts,
} from "./transactions.js";

type Tracked = JobOnChain & JobSpec;

/**
 * The daemon: each pass syncs logs, reads the state of the jobs in its working set (the jobs it
 * holds, and those whose due time came or whose event arrived: `Store.workingSet`) in a few
 * multicalls, plans the next steps (pure `plan.ts`), records when each job is next due
 * (`nextDue`), queues transactions in the outbox and lets the sender deliver them. Executions run
 * in the background within the capacity limit.
 */
export class Keeper {
  readonly store: Store;
  readonly metrics = new Metrics();
  private readonly client: PublicClient<Transport, Chain>;
  private readonly sender: TxSender;
  private readonly syncer: Syncer;
  private readonly executions: Executions;
  private readonly specs: JobSpecs;
  private readonly reads: ChainReads;
  private readonly contracts: Contracts;
  /** Serves the automation registry's upkeeps (with `automationRegistry` configured). */
  private readonly automation: AutomationService | undefined;
  private readonly abort = new AbortController();
  private server: Server | undefined;
  private lastTickAt = 0;
  private lastSummaryAt = 0;
  private stopped: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A new head arrived while a pass was running: the next pass starts at once. */
  private headArrived = false;
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly cfg: KeeperConfig,
    private readonly account: PrivateKeyAccount,
    private readonly log: Logger,
  ) {
    this.store = new Store(cfg.dbPath);
    this.contracts = {
      market: cfg.market as `0x${string}`,
      orchestrator: cfg.orchestrator as `0x${string}` | undefined,
      committeeArbiter: cfg.committeeArbiter as `0x${string}` | undefined,
    };
    this.client = makePublicClient(cfg);
    this.sender = new TxSender(this.store, this.client, account, cfg, log.child({ part: "tx" }), this.metrics);
    this.specs = new JobSpecs(this.client, cfg, log);
    this.reads = new ChainReads(this.client, cfg, account.address);
    this.syncer = new Syncer(
      this.store,
      this.client,
      cfg,
      log.child({ part: "sync" }),
      this.metrics,
      makePublicClient(cfg, WIDE_RESPONSE_BYTES),
    );
    const executors = createExecutors({
      ...cfg.executors,
      capabilities: cfg.capabilities,
      publicClients: new Map([[cfg.chainId, this.client]]),
    });
    this.executions = new Executions(this.store, executors, cfg, this.metrics, log, this.abort.signal);
    this.automation = cfg.automationRegistry
      ? new AutomationService(
          this.store,
          this.client,
          cfg,
          account.address,
          log.child({ part: "automation" }),
          this.metrics,
        )
      : undefined;
  }

  get address() {
    return this.account.address;
  }

  /** Runs until `stop()`; returns when the last pass has finished and state is recorded. */
  async run(): Promise<void> {
    const chainId = await this.client.getChainId().catch(() => undefined);
    if (chainId !== undefined && chainId !== this.cfg.chainId) {
      throw new Error(`the RPC serves chain ${chainId}, the config says ${this.cfg.chainId}`);
    }
    if (this.cfg.metricsPort) {
      this.server = await serveMetrics(
        this.metrics,
        this.cfg.metricsPort,
        () => Date.now() - this.lastTickAt < Math.max(10_000, this.cfg.pollIntervalMs * 10),
      );
    }
    // Every execution listens on the shutdown signal.
    setMaxListeners(this.cfg.capacity === "stake" ? 0 : this.cfg.capacity + 16, this.abort.signal);
    if (this.cfg.wsUrl) this.watchBlocks(this.cfg.wsUrl);
    if (this.cfg.trustedArbiters.length === 0) {
      this.log.warn("no trusted arbiter configured (committeeArbiter or trustedArbiters): no job will be bid on");
    }
    const interrupted = this.store.clearInterruptedExecutions();
    if (interrupted) this.log.info({ interrupted }, "re-running executions interrupted by a crash");
    this.log.info(
      {
        address: this.address,
        market: this.cfg.market,
        chainId: this.cfg.chainId,
        ...(this.cfg.automationRegistry ? { automationRegistry: this.cfg.automationRegistry } : {}),
      },
      "keeper started",
    );
    this.stopped = this.loop();
    return this.stopped;
  }

  /** Stops taking work, waits for the current pass and running executions, closes the store. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.stopped?.catch(() => undefined);
  }

  private async loop() {
    while (!this.abort.signal.aborted) {
      const started = Date.now();
      this.headArrived = false;
      try {
        await this.tick();
        this.lastTickAt = Date.now();
        this.metrics.lastTick.set(Math.floor(this.lastTickAt / 1000));
      } catch (error) {
        this.metrics.rpcErrors.inc();
        this.log.warn({ err: (error as Error).message }, "pass failed; retrying");
      }
      // A block mined during the pass is not waited for: what it made due goes out in the next block.
      const wait = this.headArrived ? 0 : Math.max(0, this.cfg.pollIntervalMs - (Date.now() - started));
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void sleep(wait, this.abort.signal).then(resolve);
      });
      this.wake = undefined;
    }
    this.unwatch?.();
    // Graceful shutdown: executions finish or are abandoned (they rerun after a restart).
    await this.executions.settle(20_000);
    this.server?.close();
    this.store.close();
    this.log.info("keeper stopped");
  }

  /** New heads over WebSocket end the wait between passes early; if the socket fails, polling carries on. */
  private watchBlocks(wsUrl: string) {
    const ws = createPublicClient({ chain: chainFor(this.cfg), transport: webSocket(wsUrl, { reconnect: true }) });
    this.unwatch = ws.watchBlockNumber({
      emitOnBegin: false,
      onBlockNumber: () => {
        this.headArrived = true;
        this.wake?.();
      },
      onError: (error) => this.log.warn({ err: error.message.split("\n")[0] }, "block subscription failed; polling"),
    });
  }

  async tick(): Promise<void> {
    const head = await this.client.getBlockNumber({ cacheTime: 0 });
    this.metrics.headBlock.set(Number(head));
    await this.syncer.sync(head);

    // Independent reads go out together: behind a slow endpoint a pass pays one round trip for them.
    const [me, block, gasPrice] = await Promise.all([
      this.reads.me(),
      this.client.getBlock({ blockNumber: head }),
      this.client.getGasPrice(),
    ]);
    const now = Number(block.timestamp);
    const tracked = await this.readTracked(now);
    await this.readMissingResultHashes(tracked, head);

    for (const job of tracked) if (!job.pending) this.recordDecision(job, me);
    const passJobs: PassJob[] = tracked.map((job) => ({
      id: job.id,
      terms: job.terms,
      chain: { ...job.chain, gasPrice },
      local: this.localView(job),
      ...(job.pending ? { pending: true } : {}),
    }));
    const plans = planPass(passJobs, me, this.cfg, heldLimit(this.cfg));
    for (const [i, job] of tracked.entries()) {
      if (this.abort.signal.aborted) break;
      for (const action of plans[i]) this.perform(job, action);
    }
    this.scheduleNext(passJobs, me);
    await this.advanceReadySteps(head);
    await this.serveUpkeeps({ head, now, gasPrice });
    this.metrics.activeJobs.set(tracked.length);
    await this.sender.tick(head, now);
    this.summary(head, tracked.length, now);
  }

  /**
   * Records when each job of the pass is next due, from what the pass read and the two records
   * `nextDue` reads that the pass itself may have changed (the decision, a commit queued). A job
   * due only on its next event leaves the working set, and its cached spec is dropped.
   */
  private scheduleNext(jobs: readonly PassJob[], me: Me) {
    const next = jobs.map((job) => {
      const local = job.pending
        ? job.local
        : {
            ...job.local,
            decision: this.store.job(job.id)?.decision ?? null,
            hasBid: this.store.bid(job.id, job.chain.round) !== undefined,
          };
      const dueAt = nextDue({ ...job, local }, me, this.cfg);
      if (dueAt === null) this.specs.forget(job.id);
      return { id: job.id, state: job.chain.state, winner: job.chain.winner, dueAt };
    });
    this.store.observe(next);
  }

  /** Whether to bid on a job at all, decided once (and revised after a deterministic failure). */
  private recordDecision(job: Tracked, me: Me) {
    const row = this.store.job(job.id)!;
    const failure = this.store.deterministicFailure(job.id, row.specHash);
    const failedBefore = failure && failureReason(job.id, failure);
    if (row.decision === null) {
      const spec = job.spec.ok
        ? { ok: true as const, kind: job.spec.spec.kind }
        : { ok: false as const, error: job.spec.error };
      const d = decide(job.terms, spec, me, this.cfg, failedBefore);
      const decision = d.bid ? "bid" : `skip: ${d.reason}`;
      this.store.setDecision(job.id, decision);
      this.metrics.decisions.inc({ decision: d.bid ? "bid" : "skip" });
      this.log.info({ job: job.id.toString(), decision }, "decided");
    } else if (row.decision === "bid" && failedBefore) {
      // Decided before the failure (an earlier round, or another job with the same spec).
      this.store.setDecision(job.id, `skip: ${failedBefore}`);
      this.log.info({ job: job.id.toString(), reason: failedBefore }, "not bidding again");
    }
  }

  /** What this keeper recorded about the job, as the planner sees it. */
  private localView(job: Tracked): LocalJob {
    const row = this.store.job(job.id)!;
    const exec = this.store.execution(job.id, job.chain.round);
    const failure = this.store.deterministicFailure(job.id, row.specHash);
    return {
      decision: row.decision,
      specKind: job.spec.ok ? job.spec.spec.kind : undefined,
      hasBid: this.store.bid(job.id, job.chain.round) !== undefined,
      execution: exec?.status,
      unrevealed: this.store.unrevealed(job.id),
      hasStep: (key: string) => this.store.hasStep(key),
      ...(failure ? { failedBefore: failure } : {}),
    };
  }

  /** Carries out one planned action: records, queues its transaction, or starts its execution. */
  private perform(job: Tracked, action: Action) {
    switch (action.kind) {
      case "decline":
        this.store.setDecision(job.id, `skip: ${action.reason}`);
        this.log.info({ job: job.id.toString(), reason: action.reason }, "not bidding");
        return;
      case "lackStake":
        this.log.info(
          { job: job.id.toString(), free: action.free.toString(), bond: action.bond.toString() },
          "not enough free stake to bid",
        );
        return;
      case "execute":
        if (!this.executions.start(job, action.round) && job.spec.ok) {
          this.log.debug({ job: job.id.toString(), running: this.executions.size }, "waiting for an execution slot");
        }
        return;
      case "done":
        this.store.markDone(job.id);
        this.specs.forget(job.id);
        return;
      case "commit": {
        const salt = newSalt();
        const commitment = computeCommitment({
          chainId: this.cfg.chainId,
          market: this.contracts.market,
          jobId: job.id,
          round: action.round,
          bidder: this.address,
          price: action.price,
          salt,
        });
        const tx = transactionFor(action, job, this.contracts, { commitment })!;
        // The salt is on disk before the commitment can reach the chain.
        this.store.tx(() => {
          this.store.saveBid({ jobId: job.id, round: action.round, price: action.price, salt, commitment });
          // A block at or after the commit deadline refuses the commit.
          this.store.enqueue({ key: action.key, jobId: job.id, ...tx, notAfter: job.chain.deadline - 1 });
        });
        this.log.info({ job: job.id.toString(), round: action.round, price: action.price.toString() }, "bidding");
        return;
      }
      case "advanceStep":
        this.queueAdvance(action, job.id);
        return;
      default: {
        const recorded =
          action.kind === "reveal"
            ? { bid: this.store.bid(job.id, action.round) }
            : action.kind === "submit"
              ? { execution: this.store.execution(job.id, action.round) }
              : {};
        const resultHash = resultHashFor(job.chain.state, this.store.job(job.id)?.resultHash);
        const tx = transactionFor(action, { ...job, resultHash }, this.contracts, recorded);
        if (!tx) return;
        // A reveal in a block at or after the reveal deadline is refused.
        const notAfter = action.kind === "reveal" ? { notAfter: job.chain.revealDeadline - 1 } : {};
        const queued = this.store.enqueue({ key: action.key, jobId: job.id, ...tx, ...notAfter });
        // Given back at once rather than left to the no-show path: a smaller penalty, and the job
        // reopens for others without waiting for the execution deadline.
        if (queued && action.kind === "abandon") {
          this.log.warn({ job: job.id.toString(), round: action.round, reason: action.reason }, "giving the job back");
        }
        return;
      }
    }
  }

  private queueAdvance(action: Extract<Action, { kind: "advanceStep" }>, jobId?: bigint) {
    const tx = advanceTransaction(action, this.contracts);
    if (!tx) return;
    const queued = this.store.enqueue({ key: action.key, ...(jobId === undefined ? {} : { jobId }), ...tx });
    if (queued) {
      this.log.info({ workflow: action.workflowId.toString(), step: action.step, key: action.key }, "advancing step");
    }
  }

  /** The automation pass: its failure leaves the market's work of the pass to go out. */
  private async serveUpkeeps(clock: { head: bigint; now: number; gasPrice: bigint }) {
    if (!this.automation || this.abort.signal.aborted) return;
    try {
      await this.automation.pass(clock);
    } catch (error) {
      this.metrics.rpcErrors.inc();
      this.log.warn({ err: (error as Error).message.split("\n")[0] }, "automation pass failed; retrying");
    }
  }

  /** Advances the steps the orchestrator reported Ready, once per posting attempt. */
  private async advanceReadySteps(head: bigint) {
    if (!this.cfg.housekeeping || !this.cfg.orchestrator) return;
    try {
      await syncReadySteps(this.store, this.client, this.cfg, head - BigInt(this.cfg.confirmations));
      const views = await this.reads.steps(this.store.readySteps());
      for (const view of views) {
        const action = planReadyStep(view, (key) => this.store.hasStep(key), this.cfg);
        if (action) this.queueAdvance(action);
        // Queued, or nothing left to do (posted, or its workflow ended): a new StepReady log brings it back.
        this.store.removeReadyStep(view.workflowId, view.step);
      }
    } catch (error) {
      this.metrics.rpcErrors.inc();
      this.log.warn({ err: (error as Error).message.split("\n")[0] }, "workflow housekeeping failed; retrying");
    }
  }

  /**
   * Reads the standing result hash of each job the chain shows with a result but the synced logs
   * do not (yet): its `ResultSubmitted` is younger than the confirmations, or a reorg took the log
   * that cleared it. Rare, so one log read per such job; the logs the syncer applies later win.
   */
  private async readMissingResultHashes(tracked: readonly Tracked[], head: bigint) {
    for (const job of tracked) {
      if (!RESULT_STANDING_STATES.has(job.chain.state) || this.store.job(job.id)?.resultHash) continue;
      try {
        const resultHash = await readResultHash(this.client, {
          address: this.contracts.market,
          jobId: job.id,
          fromBlock: this.store.job(job.id)?.blockNumber ?? this.cfg.startBlock,
          toBlock: head,
          windowSize: BigInt(this.cfg.logWindow),
        });
        if (resultHash !== ZERO_HASH) this.store.setResultHash(job.id, resultHash, head);
      } catch (error) {
        this.metrics.rpcErrors.inc();
        this.log.warn(
          { job: job.id.toString(), err: (error as Error).message.split("\n")[0] },
          "could not read the result hash",
        );
      }
    }
  }

  /** State of the working set's jobs (in a few multicall batches), with their checked specs. */
  private async readTracked(now: number): Promise<Tracked[]> {
    const rows = this.store.workingSet(now, this.cfg.maxJobsPerPass, HOLDING_STATES, this.address);
    const jobs = await this.reads.jobs(
      rows.map((r) => ({ id: r.id, terms: termsFromJson(r.terms) })),
      (jobId, round) => this.store.bid(jobId, round) !== undefined,
      now,
    );
    return Promise.all(jobs.map(async (job, i) => ({ ...job, ...(await this.specs.of(rows[i])) })));
  }

  private summary(head: bigint, active: number, chainNow: number) {
    const now = Date.now();
    if (now - this.lastSummaryAt < this.cfg.summaryIntervalSec * 1000) return;
    this.lastSummaryAt = now;
    const counts = this.store.outboxCounts();
    this.log.info(
      {
        head: head.toString(),
        synced: this.store.cursor()?.toString(),
        active,
        tracked: this.store.countJobs().active,
        due: this.store.countDue(chainNow),
        running: this.executions.size,
        outbox: counts,
      },
      "summary",
    );
  }
}
