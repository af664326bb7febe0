import { describe, expect, it } from "vitest";
import { createPublicClient, custom, numberToHex, parseAbi } from "viem";
import { FALLBACK_GAS, GAS_CAP, gasLimitFor } from "../src/tx/gas";

const abi = parseAbi(["function settle(uint256 jobId)"]);
const call = {
  address: "0x00000000000000000000000000000000000000aa",
  abi,
  functionName: "settle",
  args: [1n],
  account: "0x00000000000000000000000000000000000000bb",
  value: 5n,
} as const;

/** A client whose node answers eth_estimateGas with `estimate` (or fails), recording the request. */
function client(estimate: (params: Record<string, string>) => bigint) {
  const seen: Record<string, string>[] = [];
  const transport = custom({
    request: async ({ method, params }: { method: string; params: unknown[] }) => {
      if (method === "eth_chainId") return numberToHex(31337);
      if (method === "eth_estimateGas") {
        const tx = params[0] as Record<string, string>;
        seen.push(tx);
        return numberToHex(estimate(tx));
      }
      throw new Error(`unexpected ${method}`);
    },
  });
  return { publicClient: createPublicClient({ transport }), seen };
}

describe("the gas limit of a transaction", () => {
  it("is the node's estimate, made under the per-transaction cap, with 20% headroom", async () => {
    const { publicClient, seen } = client(() => 100_000n);
    expect(await gasLimitFor(publicClient, call)).toBe(120_000n);
    expect(seen[0]).toMatchObject({
      from: call.account,
      to: call.address,
      gas: numberToHex(GAS_CAP),
      value: "0x5",
    });
  });

  it("falls back to a generous fixed limit when the node cannot estimate a call that simulates", async () => {
    const { publicClient } = client(() => {
      throw new Error("An internal error was received.");
    });
    expect(await gasLimitFor(publicClient, call)).toBe(FALLBACK_GAS);
  });
});
