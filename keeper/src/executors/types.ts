// Shapes the executors consume and produce. Job specs are the sdk's: the executors validate with
// its schema (see schemas.ts), so what they run is exactly what the protocol hashes.
import { encodeResult, jobKinds, type JsonValue } from "@baton/sdk";
import type { Logger } from "pino";

export type { ContractCallSpec, HttpJsonSpec, JobSpec, JsonValue, WasmSpec } from "@baton/sdk";

/** Executor kinds this package implements (every kind the sdk defines); a keeper serves the subset named in its capabilities. */
export const EXECUTOR_KINDS = jobKinds;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

export interface ExecutionContext {
  /** Aborted when the keeper shuts down or gives up on the job; executors stop promptly. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * A workflow step's inputs, by name, resolved from its parents' settled results and checked
   * against the hashes the orchestrator bound on-chain (the sdk's `resolveWorkflowInputs`).
   */
  inputs?: Readonly<Record<string, JsonValue>>;
}

export interface ExecutionResult {
  /** The job's result. Its canonical JSON (the sdk's `encodeResult`) is what the keeper hashes and submits. */
  output: JsonValue;
}

export interface Executor {
  readonly kind: string;
  /** Validates `spec` (untrusted JSON from the chain) and runs it. Rejects only with ExecutionError. */
  execute(spec: unknown, ctx: ExecutionContext): Promise<ExecutionResult>;
}

export const EXECUTION_ERROR_CODES = [
  "TIMEOUT",
  "MEMORY",
  "MODULE_HASH_MISMATCH",
  "MODULE_FETCH",
  "TRAP",
  "BAD_INPUT",
  "HTTP",
  "SIZE_LIMIT",
  "JSON_PATH",
  "CALL_FAILED",
  "UNSUPPORTED",
] as const;
export type ExecutionErrorCode = (typeof EXECUTION_ERROR_CODES)[number];

/**
 * Why an execution produced no result. `retryable` says whether running the same spec again later
 * may succeed (a network fault, a 5xx, a shutdown) or cannot (a bad spec, a trap, a limit).
 */
export class ExecutionError extends Error {
  readonly code: ExecutionErrorCode;
  readonly retryable: boolean;

  constructor(code: ExecutionErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ExecutionError";
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  toJSON(): { code: ExecutionErrorCode; message: string; retryable: boolean } {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

export function isExecutionError(error: unknown): error is ExecutionError {
  return error instanceof ExecutionError;
}

/** The error for work stopped by the caller's signal (shutdown, or the job's deadline): retryable. */
export function abortedError(signal: AbortSignal): ExecutionError {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "aborted");
  return new ExecutionError("TIMEOUT", `execution aborted: ${reason}`, { retryable: true, cause: signal.reason });
}

/**
 * The result for `value` parsed from untrusted JSON, checked to have a canonical result encoding:
 * any finite number goes, but JSON.parse reads `1e400` as Infinity, which has none. Fails with
 * `code` (not retryable), naming `source`.
 */
export function resultOf(value: JsonValue, code: ExecutionErrorCode, source: string): ExecutionResult {
  try {
    encodeResult(value, { maxBytes: Number.POSITIVE_INFINITY });
  } catch (error) {
    throw new ExecutionError(code, `${source} has no canonical JSON encoding: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { output: value };
}
