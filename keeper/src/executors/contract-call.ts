// The "contract.call" executor: call one view or pure function through the keeper's own RPC client for
// the spec's chain, at the spec's block tag, and return the decoded result as JSON.
//
// JSON conventions, both ways: integers (any width) are decimal strings (inputs may also be safe
// integer numbers), addresses and bytes are 0x hex, tuples are arrays or objects keyed by component
// name, a function with several outputs returns an array and one with none returns null. Arguments
// are checked against the signature and converted by the sdk (`contractCallRequest`), as the spec's
// validation did.
import { contractCallRequest } from "@baton/sdk";
import { BaseError, ContractFunctionRevertedError, ContractFunctionZeroDataError, type PublicClient } from "viem";
import { validateSpec } from "./schemas.js";
import {
  abortedError,
  ExecutionError,
  type ExecutionContext,
  type ExecutionResult,
  type Executor,
  type JsonValue,
} from "./types.js";

export interface ContractCallExecutorConfig {
  /** One public client per chain id this keeper can read; a spec for any other chain is UNSUPPORTED. */
  publicClients: ReadonlyMap<number, PublicClient>;
  /** Limit per call, on top of the transport's own timeout and retries. */
  callTimeoutMs?: number;
}

export const CONTRACT_CALL_DEFAULTS = { callTimeoutMs: 15_000 } as const;

/** Converts a decoded result to JSON: integers become decimal strings. */
export function toJson(value: unknown): JsonValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint" || typeof value === "number") return value.toString();
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  throw new ExecutionError("CALL_FAILED", `cannot represent a ${typeof value} result as JSON`);
}

/** Classifies a failed readContract: reverts and empty returns are final, transport trouble is not. */
function callError(error: unknown): ExecutionError {
  if (error instanceof ExecutionError) return error;
  if (!(error instanceof BaseError)) {
    return new ExecutionError("CALL_FAILED", (error as Error).message, { retryable: true, cause: error });
  }
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) {
    return new ExecutionError("CALL_FAILED", `call reverted: ${reverted.reason ?? reverted.shortMessage}`, {
      cause: error,
    });
  }
  if (error.walk((e) => e instanceof ContractFunctionZeroDataError)) {
    return new ExecutionError("CALL_FAILED", "call returned no data (is there a contract at this address?)", {
      cause: error,
    });
  }
  // A result that does not decode against the signature will not decode next time either; anything
  // else (transport failures, node errors such as a pruned block) may go through on a retry.
  const codec = error.walk((e) => /^Abi(Decoding|Encoding)/.test((e as Error).name ?? ""));
  return new ExecutionError("CALL_FAILED", error.shortMessage, { retryable: codec === null, cause: error });
}

export class ContractCallExecutor implements Executor {
  readonly kind = "contract.call";
  private readonly clients: ReadonlyMap<number, PublicClient>;
  private readonly callTimeoutMs: number;

  constructor(config: ContractCallExecutorConfig) {
    for (const [chainId, client] of config.publicClients) {
      if (client.chain && client.chain.id !== chainId) {
        throw new Error(`public client for chain ${chainId} is configured for chain ${client.chain.id}`);
      }
    }
    this.clients = config.publicClients;
    this.callTimeoutMs = config.callTimeoutMs ?? CONTRACT_CALL_DEFAULTS.callTimeoutMs;
  }

  async execute(rawSpec: unknown, ctx: ExecutionContext): Promise<ExecutionResult> {
    const spec = validateSpec("contract.call", rawSpec);
    const client = this.clients.get(spec.chainId);
    if (!client) throw new ExecutionError("UNSUPPORTED", `this keeper has no client for chain ${spec.chainId}`);
    const { to, abi, functionName, args, blockTag } = contractCallRequest(spec);
    const { stateMutability } = abi[0];
    if (stateMutability !== "view" && stateMutability !== "pure") {
      throw new ExecutionError(
        "UNSUPPORTED",
        `only view and pure functions are called; ${functionName} is ${stateMutability}`,
      );
    }
    if (ctx.signal.aborted) throw abortedError(ctx.signal);

    const timeout = AbortSignal.timeout(this.callTimeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    let onAbort = () => {};
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () =>
        reject(
          ctx.signal.aborted
            ? abortedError(ctx.signal)
            : new ExecutionError("TIMEOUT", `call did not complete within ${this.callTimeoutMs} ms`, {
                retryable: true,
              }),
        );
      signal.addEventListener("abort", onAbort, { once: true });
    });
    const started = performance.now();
    try {
      const result = await Promise.race([
        client.readContract({ address: to, abi, functionName, args, blockTag }),
        stopped,
      ]);
      const output = toJson(result);
      ctx.logger.debug(
        { chainId: spec.chainId, to, fn: functionName, ms: Math.round(performance.now() - started) },
        "contract.call done",
      );
      return { output };
    } catch (error) {
      throw callError(error);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }
}

export function createContractCallExecutor(config: ContractCallExecutorConfig): ContractCallExecutor {
  return new ContractCallExecutor(config);
}
