// The "contract.call" executor: call one view or pure function through the keeper's own RPC client for
// the spec's chain, at the spec's block, and return the decoded result as JSON.
//
// JSON conventions, both ways: integers (any width) are decimal strings (inputs may also be safe
// integer numbers), addresses and bytes are 0x hex, tuples are arrays or objects keyed by component
// name, a function with several outputs returns an array and one with none returns null.
import {
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  isAddress,
  parseAbiItem,
  type AbiFunction,
  type AbiParameter,
  type PublicClient,
} from "viem";
import { contractCallSpecSchema, parseSpec } from "./schemas.js";
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

const BLOCK_TAGS = new Set(["latest", "safe", "finalized", "earliest", "pending"]);

function badArg(where: string, problem: string): ExecutionError {
  return new ExecutionError("BAD_INPUT", `${where}: ${problem}`);
}

/** Converts one JSON argument to the value viem encodes for `param`; throws BAD_INPUT. */
export function coerceArgument(param: AbiParameter, value: JsonValue, where: string): unknown {
  const type = param.type;
  const array = /^(.*)\[(\d*)\]$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) throw badArg(where, `expected an array for ${type}`);
    const [, inner, length] = array;
    if (length !== "" && value.length !== Number(length)) {
      throw badArg(where, `expected ${length} elements for ${type}, got ${value.length}`);
    }
    const element = { ...param, type: inner } as AbiParameter;
    return value.map((v, i) => coerceArgument(element, v, `${where}[${i}]`));
  }
  if (type === "tuple") {
    const components = (param as { components?: readonly AbiParameter[] }).components ?? [];
    if (Array.isArray(value)) {
      if (value.length !== components.length) {
        throw badArg(where, `expected ${components.length} tuple fields, got ${value.length}`);
      }
      return components.map((c, i) => coerceArgument(c, value[i], `${where}[${i}]`));
    }
    if (typeof value === "object" && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [i, c] of components.entries()) {
        if (!c.name || !Object.hasOwn(value, c.name)) throw badArg(where, `missing tuple field ${c.name ?? i}`);
        out[c.name] = coerceArgument(c, value[c.name], `${where}.${c.name}`);
      }
      return out;
    }
    throw badArg(where, "expected an array or object for a tuple");
  }
  const int = /^(u?)int(\d*)$/.exec(type);
  if (int) {
    const bits = BigInt(int[2] === "" ? 256 : Number(int[2]));
    let n: bigint;
    if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
    else if (typeof value === "string" && /^-?(0|[1-9][0-9]*)$/.test(value)) n = BigInt(value);
    else throw badArg(where, `expected a decimal integer string for ${type}`);
    const [min, max] = int[1] === "u" ? [0n, 2n ** bits - 1n] : [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n];
    if (n < min || n > max) throw badArg(where, `${value} is out of range for ${type}`);
    return n;
  }
  if (type === "address") {
    if (typeof value !== "string" || !isAddress(value, { strict: false })) throw badArg(where, "expected an address");
    return value;
  }
  if (type === "bool") {
    if (typeof value !== "boolean") throw badArg(where, "expected true or false");
    return value;
  }
  if (type === "string") {
    if (typeof value !== "string") throw badArg(where, "expected a string");
    return value;
  }
  const bytes = /^bytes(\d*)$/.exec(type);
  if (bytes) {
    if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) throw badArg(where, "expected 0x hex bytes");
    if (bytes[1] !== "" && value.length !== 2 + 2 * Number(bytes[1])) {
      throw badArg(where, `expected exactly ${bytes[1]} bytes for ${type}`);
    }
    return value;
  }
  throw badArg(where, `parameter type ${type} is not supported`);
}

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

function parseFunction(signature: string): AbiFunction {
  let item;
  try {
    item = parseAbiItem(signature);
  } catch (error) {
    const message = error instanceof BaseError ? error.shortMessage : (error as Error).message;
    throw new ExecutionError("BAD_INPUT", `cannot parse signature ${JSON.stringify(signature)}: ${message}`);
  }
  if (item.type !== "function") throw new ExecutionError("BAD_INPUT", `signature is a ${item.type}, not a function`);
  if (item.stateMutability !== "view" && item.stateMutability !== "pure") {
    throw new ExecutionError(
      "UNSUPPORTED",
      `only view and pure functions are called; ${item.name} is ${item.stateMutability}`,
    );
  }
  return item;
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
    const spec = parseSpec(contractCallSpecSchema, "contract.call", rawSpec);
    const client = this.clients.get(spec.chainId);
    if (!client) throw new ExecutionError("UNSUPPORTED", `this keeper has no client for chain ${spec.chainId}`);
    const fn = parseFunction(spec.signature);
    if (spec.args.length !== fn.inputs.length) {
      throw new ExecutionError("BAD_INPUT", `${fn.name} takes ${fn.inputs.length} arguments, got ${spec.args.length}`);
    }
    const args = fn.inputs.map((param, i) => coerceArgument(param, spec.args[i], `args[${i}]`));
    const tag = spec.blockTag ?? "latest";
    const block =
      typeof tag === "string" && BLOCK_TAGS.has(tag)
        ? { blockTag: tag as "latest" | "safe" | "finalized" | "earliest" | "pending" }
        : { blockNumber: BigInt(tag) };
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
        client.readContract({ address: spec.to as `0x${string}`, abi: [fn], functionName: fn.name, args, ...block }),
        stopped,
      ]);
      const output = toJson(result);
      ctx.logger.debug(
        { chainId: spec.chainId, to: spec.to, fn: fn.name, ms: Math.round(performance.now() - started) },
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
