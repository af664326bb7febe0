// The gas limit every Baton transaction is sent with, whoever sends it (the dApp, the keeper, the
// CLI, scripts).
import { numberToHex, type Address, type Client, type EIP1193RequestFn, type Hex } from "viem";
import { FALLBACK_GAS, GAS_CAP } from "./limits.js";

/** A transaction to estimate: who sends it, to where, with what calldata and value. */
export type GasRequest = {
  from: Address;
  to: Address;
  data: Hex;
  value?: bigint;
  /** The block to estimate on (the node's default, "latest", when left out). */
  blockTag?: "latest" | "pending";
};

/**
 * The gas limit to send `tx` with: the node's estimate plus 20% and 10,000 of headroom for state
 * changes between estimate and inclusion, asked for under the per-transaction cap (`GAS_CAP`) —
 * raw `eth_estimateGas` with an explicit `gas`, because viem's `estimateGas` drops a caller's gas
 * and some nodes then search up from the block gas limit and refuse it as above the cap.
 *
 * When the node cannot estimate a call (its binary search fails on calls that check `gasleft()`,
 * such as a settlement that runs the requester's callback), `FALLBACK_GAS` is returned; only gas
 * used is paid. This never throws for an estimator failure: simulate first (`eth_call`) to learn
 * whether the call reverts.
 */
export async function estimateGas(client: Pick<Client, "request">, tx: GasRequest): Promise<bigint> {
  try {
    const estimate = await (client.request as EIP1193RequestFn)({
      method: "eth_estimateGas",
      params: [
        {
          from: tx.from,
          to: tx.to,
          data: tx.data,
          gas: numberToHex(GAS_CAP),
          ...(tx.value !== undefined && tx.value !== 0n ? { value: numberToHex(tx.value) } : {}),
        },
        ...(tx.blockTag ? [tx.blockTag] : []),
      ],
    } as never);
    return withHeadroom(BigInt(estimate as string));
  } catch {
    return FALLBACK_GAS;
  }
}

/** An estimate plus the headroom `estimateGas` adds (20% and 10,000 gas), never above `GAS_CAP`. */
export function withHeadroom(estimate: bigint): bigint {
  const padded = (estimate * 12n) / 10n + 10_000n;
  return padded > GAS_CAP ? GAS_CAP : padded;
}
