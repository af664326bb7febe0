import { BaseError, ContractFunctionRevertedError, decodeErrorResult, type Abi, type Hex } from "viem";

export type Revert = { name: string; args: readonly unknown[] };

/**
 * Contract errors (of the market, the orchestrator and the committee) that mean "somebody already
 * did it" or "the moment has passed": normal.
 */
export const BENIGN_REVERTS = new Set([
  "JobMarketUnexpectedState",
  "JobMarketAlreadyCommitted",
  "JobMarketNoCommitment",
  "JobMarketNothingToWithdraw",
  "JobMarketRevealStillOpen",
  "CommitteeArbiterNoDispute",
  "WorkflowNothingToAdvance",
  "WorkflowStepInProgress",
  "WorkflowNotActive",
]);

/**
 * Finds revert data in a viem error and decodes it against `abi`; undefined when the error is not
 * a revert (network trouble, rate limits). Nodes report reverts differently: as ABI-encoded data
 * (geth, anvil, most providers) or, from Hardhat's estimateGas, only in the message text.
 */
export function decodeRevert(error: unknown, abi: Abi): Revert | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) {
    return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  }
  const withData = error.walk((e) => isHex((e as { data?: unknown }).data)) as { data?: Hex } | null;
  const data = withData?.data;
  if (data && data.length >= 10) {
    try {
      const decoded = decodeErrorResult({ abi, data });
      return { name: decoded.errorName, args: decoded.args ?? [] };
    } catch {
      return { name: `unknown revert ${data.slice(0, 10)}`, args: [] };
    }
  }
  const details = error.details ?? "";
  const custom = /reverted with custom error '(\w+)\(/.exec(details);
  if (custom) return { name: custom[1], args: [] };
  if (/execution reverted|reverted with reason|VM Exception while processing transaction: revert/i.test(details)) {
    return { name: "revert without data", args: [] };
  }
  return undefined;
}

const isHex = (v: unknown): v is Hex => typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v);

/** Messages that mean the node already has, or has already mined, this nonce. */
export const isNonceTooLow = (e: unknown) =>
  /nonce too low|nonce has already been used|already known|known transaction/i.test(String((e as Error)?.message ?? e));
