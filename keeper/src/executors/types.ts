// Shapes the executors consume and produce. The job-spec schema proper lives in the sdk; these are the
// minimal views of it that the executors read, kept compatible with it (extra fields are ignored).
import type { Logger } from "pino";

/** Any value that JSON can carry. Executor outputs are always one of these. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Executor kinds this package implements; a keeper serves the subset named in its capabilities. */
export const EXECUTOR_KINDS = ["wasm", "http.json", "contract.call"] as const;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

/** Run a WebAssembly module (fetched by URI, verified by sha256) on input bytes. */
export interface WasmSpec {
  kind: "wasm";
  version: 1;
  module: {
    /** http(s)://, data:, file: (only where the keeper allows it) or ipfs://. */
    uri: string;
    /** sha256 of the module bytes, 64 lowercase hex digits. */
    sha256: string;
  };
  /**
   * The module's input bytes: UTF-8 text, base64-decoded bytes, or for "json" the canonical JSON text
   * of `data` (keys sorted by UTF-16 code units, no whitespace).
   */
  input:
    { encoding: "utf8"; data: string } | { encoding: "base64"; data: string } | { encoding: "json"; data: JsonValue };
  limits?: { timeoutMs?: number; memoryMb?: number };
}

/** GET a URL and extract one value from its JSON body. */
export interface HttpJsonSpec {
  kind: "http.json";
  version: 1;
  url: string;
  method?: "GET";
  /** `$`, `.key`, `["key"]`, `[index]` steps, e.g. "$.data.price" or "data.items[0].id". */
  path: string;
  headers?: Record<string, string>;
  limits?: { timeoutMs?: number; maxBytes?: number };
}

/** Named block tags, or a block number (a non-negative integer, or one written in decimal). */
export type BlockTagSpec = "latest" | "safe" | "finalized" | "earliest" | "pending" | number | string;

/** Call a view or pure function of a contract. */
export interface ContractCallSpec {
  kind: "contract.call";
  version: 1;
  chainId: number;
  to: string;
  /** One human-readable ABI item, e.g. "function balanceOf(address) view returns (uint256)". */
  signature: string;
  /** Arguments as JSON: integers as decimal strings (or safe numbers), bytes and addresses as hex. */
  args: JsonValue[];
  blockTag?: BlockTagSpec;
}

export type JobSpec = WasmSpec | HttpJsonSpec | ContractCallSpec;

export interface ExecutionContext {
  /** Aborted when the keeper shuts down or gives up on the job; executors stop promptly. */
  signal: AbortSignal;
  logger: Logger;
}

export interface ExecutionResult {
  /** The job's result. Its canonical JSON is what the keeper hashes and submits. */
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
