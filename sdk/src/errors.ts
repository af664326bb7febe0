// Error classes the sdk throws. Every one extends `BatonError`, so callers can tell sdk failures
// from their own with one `instanceof`; each carries the evidence a caller needs to react.
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Abi,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { committeeArbiterAbi, jobMarketAbi, testTokenAbi, workflowOrchestratorAbi } from "./generated/abis.js";

export class BatonError extends Error {
  override name = "BatonError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A value is not valid canonical JSON (float, NaN, bigint, cycle, non-plain object …). */
export class CanonicalJsonError extends BatonError {
  override name = "CanonicalJsonError";
  /** Where in the value, as a JSON path (`$.items[2].price`). */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}

/** A job spec does not satisfy `jobSpecSchema`, or its encoding is too large. */
export class SpecValidationError extends BatonError {
  override name = "SpecValidationError";
  /** One entry per problem; `path` is the field (`module.sha256`, `args[0]`), empty for the whole spec. */
  readonly issues: readonly { path: string; message: string }[];
  constructor(issues: readonly { path: string; message: string }[]) {
    super(`invalid job spec: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`);
    this.issues = issues;
  }
}

/** An encoded spec or result exceeds the market's `MAX_PAYLOAD_BYTES`; store it elsewhere and post its URI. */
export class PayloadTooLargeError extends BatonError {
  override name = "PayloadTooLargeError";
  readonly length: number;
  readonly max: number;
  constructor(what: string, length: number, max: number) {
    super(`${what} is ${length} bytes, more than the ${max} allowed inline; store it at a URI and post the URI`);
    this.length = length;
    this.max = max;
  }
}

/** Packed job terms that are not 144 bytes, or whose `pricing` or `callback` byte is not 0 or 1. */
export class MalformedTermsError extends BatonError {
  override name = "MalformedTermsError";
  constructor(detail: string) {
    super(`malformed packed terms: ${detail}`);
  }
}

/** An address book or Ignition deployment could not be read. */
export class AddressBookError extends BatonError {
  override name = "AddressBookError";
}

/** `eth_getLogs` refused even a one-block window as too large. */
export class LogFetchError extends BatonError {
  override name = "LogFetchError";
  readonly fromBlock: bigint;
  readonly toBlock: bigint;
  constructor(message: string, fromBlock: bigint, toBlock: bigint, cause: unknown) {
    super(message, { cause });
    this.fromBlock = fromBlock;
    this.toBlock = toBlock;
  }
}

/** Every error the Baton contracts (and the tokens they call) can revert with, for decoding. */
export const batonErrorsAbi: Abi = (() => {
  const seen = new Set<string>();
  const items = [];
  for (const item of [...jobMarketAbi, ...committeeArbiterAbi, ...workflowOrchestratorAbi, ...testTokenAbi]) {
    if (item.type !== "error") continue;
    const key = `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push(item);
  }
  return items;
})();

/**
 * A contract call reverted (in simulation or on-chain). `errorName` and `args` are the decoded
 * custom error, e.g. `JobMarketParamMismatch` with `["feeBps", 100n, 250n]`; see docs/errors.md for
 * what each means and how to fix it. `errorName` is undefined when the revert could not be decoded
 * (then `data` holds the raw revert data, if any).
 */
export class BatonContractError extends BatonError {
  override name = "BatonContractError";
  readonly errorName: string | undefined;
  readonly args: readonly unknown[];
  readonly data: Hex | undefined;
  readonly functionName: string | undefined;
  readonly address: Hex | undefined;
  constructor(fields: {
    errorName: string | undefined;
    args: readonly unknown[];
    data: Hex | undefined;
    functionName: string | undefined;
    address: Hex | undefined;
    reason: string;
    cause: unknown;
  }) {
    const call = fields.functionName ? `${fields.functionName}` : "call";
    const what = fields.errorName
      ? `${fields.errorName}(${fields.args.map(formatArg).join(", ")})`
      : `without a decodable error (${fields.reason})`;
    super(`${call} reverted: ${what}`, { cause: fields.cause });
    this.errorName = fields.errorName;
    this.args = fields.args;
    this.data = fields.data;
    this.functionName = fields.functionName;
    this.address = fields.address;
  }
}

function formatArg(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

/** A transaction was mined but reverted: the state changed between its simulation and its block. */
export class TransactionRevertedError extends BatonError {
  override name = "TransactionRevertedError";
  readonly hash: Hex;
  readonly receipt: TransactionReceipt;
  constructor(label: string, hash: Hex, receipt: TransactionReceipt) {
    super(
      `${label} transaction ${hash} reverted on-chain in block ${receipt.blockNumber} (state changed after simulation)`,
    );
    this.hash = hash;
    this.receipt = receipt;
  }
}

/** A decoded revert: the custom error's name and arguments. */
export type Revert = { name: string; args: readonly unknown[]; data?: Hex };

/**
 * Finds revert data anywhere in a viem error and decodes it against `abi` (default: every Baton
 * error); undefined when the error is not a revert (network trouble, rate limits), so retry logic
 * can tell the two apart. Nodes report reverts differently: as ABI-encoded data (geth, anvil, most
 * providers), as an already-decoded `ContractFunctionRevertedError` (viem's contract actions), or,
 * from Hardhat's `eth_estimateGas`, only in the message text.
 */
export function decodeRevert(error: unknown, abi: Abi = batonErrorsAbi): Revert | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) {
    if (reverted.data?.errorName) {
      return { name: reverted.data.errorName, args: reverted.data.args ?? [], data: reverted.raw };
    }
    if (reverted.raw && reverted.raw.length >= 10) return decodeData(reverted.raw, abi);
    return { name: "revert without data", args: [] };
  }
  const withData = error.walk((e) => isHex((e as { data?: unknown }).data)) as { data?: Hex } | null;
  const data = withData?.data;
  if (data && data.length >= 10) return decodeData(data, abi);
  const details = error.details ?? "";
  const custom = /reverted with custom error '(\w+)\(/.exec(details);
  if (custom) return { name: custom[1]!, args: [] };
  if (/execution reverted|reverted with reason|VM Exception while processing transaction: revert/i.test(details)) {
    return { name: "revert without data", args: [] };
  }
  return undefined;
}

function decodeData(data: Hex, abi: Abi): Revert {
  // The calling ABI may not know an error raised further down (e.g. a token's): try all of ours.
  for (const candidate of abi === batonErrorsAbi ? [abi] : [abi, batonErrorsAbi]) {
    try {
      const decoded = decodeErrorResult({ abi: candidate, data });
      return { name: decoded.errorName, args: decoded.args ?? [], data };
    } catch {
      // try the next ABI
    }
  }
  return { name: `unknown revert ${data.slice(0, 10)}`, args: [], data };
}

const isHex = (v: unknown): v is Hex => typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v);

/**
 * Turns a viem error from `simulateContract`, `writeContract`, `estimateGas`, `call` or
 * `readContract` into a `BatonContractError` when it is a contract revert; returns any other error
 * unchanged (RPC and transport failures stay viem errors, so retry logic can keep telling them
 * apart).
 */
export function toBatonError(error: unknown): unknown {
  if (error instanceof BatonError || !(error instanceof BaseError)) return error;
  const revert = decodeRevert(error);
  if (!revert) return error;
  const reverted = error.walk(
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError | null;
  const context = error as BaseError & { functionName?: string; contractAddress?: Hex };
  const decoded = !revert.name.startsWith("unknown revert") && revert.name !== "revert without data";
  return new BatonContractError({
    functionName: context.functionName,
    address: context.contractAddress,
    reason: reverted?.reason ?? reverted?.shortMessage ?? error.shortMessage,
    cause: error,
    errorName: decoded ? revert.name : undefined,
    args: decoded ? revert.args : [],
    data: revert.data,
  });
}
