import { createPublicClient, custom, numberToHex } from "viem";
import { describe, expect, it } from "vitest";
import { estimateGas, FALLBACK_GAS, GAS_CAP, withHeadroom } from "../src/index.js";

const tx = {
  from: "0x00000000000000000000000000000000000000bb",
  to: "0x00000000000000000000000000000000000000aa",
  data: "0x12345678",
  value: 5n,
} as const;

/** A client whose node answers eth_estimateGas with `estimate` (or fails), recording the request. */
function client(estimate: (params: Record<string, string>) => bigint) {
  const seen: Record<string, string>[] = [];
  const transport = custom({
    request: async ({ method, params }: { method: string; params: unknown[] }) => {
      if (method === "eth_estimateGas") {
        const request = params[0] as Record<string, string>;
        seen.push(request);
        return numberToHex(estimate(request));
      }
      throw new Error(`unexpected ${method}`);
    },
  });
  return { publicClient: createPublicClient({ transport }), seen };
}

describe("estimateGas", () => {
  it("asks the node under the per-transaction cap and adds 20% and 10,000 of headroom", async () => {
    const { publicClient, seen } = client(() => 100_000n);
    expect(await estimateGas(publicClient, tx)).toBe(130_000n);
    expect(seen[0]).toEqual({ from: tx.from, to: tx.to, data: tx.data, gas: numberToHex(GAS_CAP), value: "0x5" });
  });

  it("leaves a zero value out of the request", async () => {
    const { publicClient, seen } = client(() => 21_000n);
    await estimateGas(publicClient, { ...tx, value: 0n });
    expect(seen[0]).not.toHaveProperty("value");
  });

  it("falls back to a generous fixed limit when the node cannot estimate a call that simulates", async () => {
    const { publicClient } = client(() => {
      throw new Error("An internal error was received.");
    });
    expect(await estimateGas(publicClient, tx)).toBe(FALLBACK_GAS);
  });

  it("never pads past the cap", () => {
    expect(withHeadroom(GAS_CAP - 1n)).toBe(GAS_CAP);
  });
});
