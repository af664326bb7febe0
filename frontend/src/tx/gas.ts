// The gas limit every transaction of the app is sent with.
import { encodeFunctionData, numberToHex, type Abi, type Address, type Client, type EIP1193RequestFn } from "viem";

/** The per-transaction gas cap of EIP-7825: estimates run under it. */
export const GAS_CAP = 16_777_216n;
/** For a call that simulates fine but that the node cannot estimate; only gas used is paid. */
export const FALLBACK_GAS = 3_000_000n;

export type GasCall = {
  address: Address;
  abi: Abi | readonly unknown[];
  functionName: string;
  args?: readonly unknown[];
  account: Address | { address: Address };
  value?: bigint;
};

/**
 * The gas limit to send with: the node's estimate with 20% headroom, asked for under the
 * per-transaction cap (`eth_estimateGas` with an explicit `gas`; without one, some nodes search up
 * from the block gas limit and refuse it as above the cap). If the node still cannot estimate a
 * call that simulates fine (calls that check `gasleft()`, such as a settlement that runs the
 * requester's callback, as every workflow step does), a generous fixed limit is used.
 */
export async function gasLimitFor(client: Pick<Client, "request">, call: GasCall): Promise<bigint> {
  const from = typeof call.account === "string" ? call.account : call.account.address;
  const data = encodeFunctionData({ abi: call.abi as Abi, functionName: call.functionName, args: call.args ?? [] });
  try {
    const estimate = await (client.request as EIP1193RequestFn)({
      method: "eth_estimateGas",
      params: [
        {
          from,
          to: call.address,
          data,
          gas: numberToHex(GAS_CAP),
          ...(call.value !== undefined ? { value: numberToHex(call.value) } : {}),
        },
      ],
    } as never);
    return (BigInt(estimate as string) * 12n) / 10n;
  } catch {
    return FALLBACK_GAS;
  }
}
