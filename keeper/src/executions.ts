// Executions: each job this keeper won runs in the background on the executor of its spec's kind,
// with transient failures retried while a retry can still finish before the execution deadline.
// The outcome (a result, or a failure that is never submitted) is recorded in the store, where the
// next pass's plan finds it.
import type { Logger } from "pino";
import { encodeResult, resultHash, type decodeSpec, type JsonValue } from "@baton/sdk";
import type { KeeperConfig } from "./config.js";
import { ExecutionError, type Executor } from "./executors/index.js";
import type { Metrics } from "./metrics.js";
import { retryDelay, type ChainJob, type Terms } from "./plan.js";
import { sleep } from "./sleep.js";
import type { Store } from "./store.js";

/** What an execution needs to know of its job. */
export type ExecutableJob = {
  id: bigint;
  terms: Pick<Terms, "executionWindow">;
  chain: Pick<ChainJob, "revealDeadline" | "now">;
  spec: ReturnType<typeof decodeSpec>;
  /** A workflow step's resolved inputs. */
  inputs?: Record<string, JsonValue>;
};

export class Executions {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly executors: Map<string, Executor>,
    private readonly cfg: Pick<KeeperConfig, "executionRetry" | "maxExecutions">,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    /** Shutdown: running executions are told to stop, and are left to run again after a restart. */
    private readonly signal: AbortSignal,
  ) {}

  /** Count of executions running now. */
  get size(): number {
    return this.running.size;
  }

  /** Waits for the running executions to end, at most `ms`. */
  async settle(ms: number): Promise<void> {
    await Promise.race([Promise.allSettled(this.running.values()), sleep(ms)]);
  }

  /**
   * Starts executing the job's round `round` in the background, unless it is running already or
   * `maxExecutions` are running: then it waits, and the next pass's plan asks again. Returns
   * whether it runs now.
   */
  start(job: ExecutableJob, round: number): boolean {
    const key = `${job.id}:${round}`;
    if (this.running.has(key)) return true;
    if (!job.spec.ok || this.running.size >= this.cfg.maxExecutions) return false;
    const spec = job.spec.spec;
    const row = this.store.job(job.id)!;
    const executor = this.executors.get(spec.kind);
    this.store.startExecution(job.id, round);
    const log = this.log.child({ job: job.id.toString(), round, kind: spec.kind });
    // The execution deadline on this machine's clock, from the chain's clock at the last pass.
    const deadlineMs = Date.now() + (job.chain.revealDeadline + job.terms.executionWindow - job.chain.now) * 1000;
    const run = (async () => {
      try {
        if (!executor) throw new ExecutionError("UNSUPPORTED", `no executor for kind ${spec.kind}`);
        let output: JsonValue | undefined;
        for (let attempt = 1; output === undefined; attempt++) {
          log.info({ attempt }, "executing");
          const started = Date.now();
          try {
            ({ output } = await executor.execute(spec as never, {
              signal: this.signal,
              logger: log,
              ...(job.inputs ? { inputs: job.inputs } : {}),
            }));
          } catch (error) {
            // A transient failure (a 5xx, a timeout, a module fetch) is retried while a retry can
            // still finish with time left to submit; then it is final.
            const retryable = error instanceof ExecutionError && error.retryable && !this.signal.aborted;
            const wait = retryable
              ? retryDelay(attempt, Date.now(), Date.now() - started, deadlineMs, this.cfg.executionRetry)
              : undefined;
            if (wait === undefined) throw error;
            this.metrics.executions.inc({ kind: spec.kind, outcome: "retried" });
            log.warn(
              { err: (error as Error).message, code: (error as ExecutionError).code, attempt, wait },
              "execution failed; retrying",
            );
            await sleep(wait, this.signal);
            if (this.signal.aborted) throw error;
          }
        }
        const result = encodeResult(output);
        const hash = resultHash(output);
        this.store.finishExecution(job.id, round, { result, resultHash: hash });
        this.metrics.executions.inc({ kind: spec.kind, outcome: "done" });
        log.info({ resultHash: hash }, "executed");
      } catch (error) {
        const e = error as Error & { code?: string };
        if (this.signal.aborted) {
          // Stopped by shutdown, not failed: left `running`, so the next start runs it again.
          log.info("execution interrupted by shutdown; it runs again after a restart");
          return;
        }
        // A failed execution is never submitted.
        const message = `${e.code ?? e.name}: ${e.message}`;
        const deterministic = error instanceof ExecutionError && !error.retryable;
        this.store.tx(() => {
          this.store.finishExecution(job.id, round, { error: message });
          // Running it again cannot help: remembered, so neither this job nor its spec is bid on again.
          if (deterministic) {
            this.store.recordDeterministicFailure({ jobId: job.id, round, specHash: row.specHash, error: message });
          }
        });
        this.metrics.executions.inc({ kind: spec.kind, outcome: e.code ?? "error" });
        log.warn({ err: e.message, code: e.code, deterministic }, "execution failed; not submitting");
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, run);
    return true;
  }
}
