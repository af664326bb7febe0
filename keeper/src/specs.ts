// Job specs as the planner and the executions need them: decoded, checked against the hash each
// job was posted with, and for a workflow step with its inputs resolved from its parents' results.
// Resolved inputs (or why they cannot be) are cached per job until the job is done.
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
    const decoded = decodeSpec(row.spec);
    if (!decoded.ok) return { spec: decoded };
    const names = decoded.spec.kind === "wasm" ? Object.keys(decoded.spec.inputs ?? {}) : [];
    if (names.length === 0) {
      if (decoded.hash === row.specHash) return { spec: decoded };
      return { spec: { ok: false, error: `spec hashes to ${decoded.hash}, but job was posted with ${row.specHash}` } };
    }
    const key = row.id.toString();
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

  /** Drops what is cached for a job that is done. */
  forget(jobId: bigint): void {
    this.inputs.delete(jobId.toString());
  }
}
