import { BaseError, ContractFunctionRevertedError, decodeErrorResult, type Abi, type Hex } from "viem";

export type Revert = { name: string; args: readonly unknown[] };

/** Contract errors that mean "somebody already did it" or "the moment has passed": normal. */
export const BENIGN_REVERTS = new Set([
  "JobMarketUnexpectedState",
  "JobMarketAlreadyCommitted",
  "JobMarketNoCommitment",
  "JobMarketNothingToWithdraw",
  "JobMarketRevealStillOpen",
  "CommitteeArbiterNoDispute",
]);

/** Finds revert data in a viem error and decodes it against `abi`; undefined for non-revert errors. */
export function decodeRevert(error: unknown, abi: Abi): Revert | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) {
    return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  }
  const withData = error.walk((e) => typeof (e as { data?: unknown }).data === "string") as { data?: Hex } | null;
  const data = withData?.data;
  if (typeof data === "string" && data.length >= 10) {
    try {
      const decoded = decodeErrorResult({ abi, data });
      return { name: decoded.errorName, args: decoded.args ?? [] };
    } catch {
      return { name: `unknown revert ${data.slice(0, 10)}`, args: [] };
    }
  }
  if (/revert/i.test(error.message) && !/nonce|fee|underpriced|insufficient funds/i.test(error.message)) {
    return { name: "revert without data", args: [] };
  }
  return undefined;
}

/** Messages that mean the node already has, or has already mined, this nonce. */
export const isNonceTooLow = (e: unknown) => /nonce too low|nonce has already been used|already known|known transaction/i.test(String((e as Error)?.message ?? e));
