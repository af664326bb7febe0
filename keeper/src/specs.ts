// Job specs as the planner and the executions need them: decoded, checked against the hash each
// job was posted with, and for a workflow step with its inputs resolved from its parents' results.
// Decoded specs and resolved inputs (or why they cannot be) are cached per job until the job is
// done or leaves the working set.
import type { Chain, PublicClient, Transport } from "viem";
import type { Logger } from "pino";
import { decodeSpec, resolveWorkflowInputs, WorkflowInputError, type JsonValue } from "@baton/sdk";
import type { KeeperConfig } from "./config.js";
import type { JobRow } from "./store.js";

type ResolvedInputs = { ok: true; values: Record<string, JsonValue> } | { ok: false; error: string };

/** A job's checked spec, and a workflow step's inputs. */
export type JobSpec = {
  spec: ReturnType<typeof decodeSpec>;
  /** A workflow step's resolved inputs. */
  inputs?: Record<string, JsonValue>;
  /** A workflow step whose inputs could not be resolved yet (an RPC fault): left alone this pass. */
  pending?: boolean;
};

export class JobSpecs {
  /** Resolved workflow inputs (or why they cannot be), by job id. */
  private readonly inputs = new Map<string, ResolvedInputs>();
  /**
   * Decoded specs, by job id, with the hash the job was posted with (a reorg may post another
   * job under the same id): decoded once while the job stays in the working set.
   */
  private readonly decoded = new Map<string, { specHash: string; spec: ReturnType<typeof decodeSpec> }>();

  constructor(
    private readonly client: PublicClient<Transport, Chain>,
    private readonly cfg: Pick<KeeperConfig, "orchestrator" | "market" | "startBlock">,
    private readonly log: Logger,
  ) {}

  /**
   * A job's spec, checked against the hash it was posted with. A workflow step (a wasm spec with
   * inputs) is posted with its parents' result hashes bound into that hash: its inputs are
   * resolved from the parents' results and checked against the binding (once per job; an RPC
   * fault leaves the job pending until a later pass).
   */
  async of(row: JobRow): Promise<JobSpec> {
    const key = row.id.toString();
    let cached = this.decoded.get(key);
    if (cached?.specHash !== row.specHash) {
      cached = { specHash: row.specHash, spec: decodeSpec(row.spec) };
      this.decoded.set(key, cached);
    }
    const decoded = cached.spec;
    if (!decoded.ok) return { spec: decoded };
    const names = decoded.spec.kind === "wasm" ? Object.keys(decoded.spec.inputs ?? {}) : [];
    if (names.length === 0) {
      if (decoded.hash === row.specHash) return { spec: decoded };
      return { spec: { ok: false, error: `spec hashes to ${decoded.hash}, but job was posted with ${row.specHash}` } };
    }
    let resolved = this.inputs.get(key);
    if (!resolved) {
      if (!this.cfg.orchestrator) {
        resolved = { ok: false, error: "workflow step, but no orchestrator is configured to resolve its inputs" };
      } else {
        try {
          const r = await resolveWorkflowInputs(this.client, {
            orchestrator: this.cfg.orchestrator as `0x${string}`,
            market: this.cfg.market as `0x${string}`,
            jobId: row.id,
            specBytes: row.spec,
            specHash: row.specHash,
            fromBlock: this.cfg.startBlock,
          });
          resolved = { ok: true, values: r.values };
          this.log.info({ job: key, workflow: r.workflowId.toString(), step: r.step }, "resolved workflow inputs");
        } catch (error) {
          if (!(error instanceof WorkflowInputError) || error.retryable) {
            this.log.warn({ job: key, err: (error as Error).message }, "workflow inputs not resolvable yet");
            return { spec: decoded, pending: true };
          }
          resolved = { ok: false, error: error.message };
        }
      }
      this.inputs.set(key, resolved);
    }
    return resolved.ok ? { spec: decoded, inputs: resolved.values } : { spec: { ok: false, error: resolved.error } };
  }

  /** Drops what is cached for a job that is done or has left the working set. */
  forget(jobId: bigint): void {
    this.inputs.delete(jobId.toString());
    this.decoded.delete(jobId.toString());
  }
}
