import { readFileSync } from "node:fs";
import { toFunctionSelector, toEventSelector } from "viem";
import { describe, expect, it } from "vitest";
import { generateAbis, outputFile } from "../scripts/generate-abis.mjs";
import {
  committeeArbiterAbi,
  jobMarketAbi,
  multicall3Abi,
  testTokenAbi,
  workflowOrchestratorAbi,
} from "../src/index.js";
import { hasArtifacts } from "@baton/testkit/artifacts";

describe("generated ABIs", () => {
  it.skipIf(!hasArtifacts)(
    hasArtifacts
      ? "match the current contract build (regenerate with `npm run generate -w sdk`)"
      : "match the current contract build — skipped: no artifacts/ (run `node_modules/.bin/hardhat compile`)",
    async () => {
      const { source } = await generateAbis();
      // A plain equality keeps the failure short; the message says how to fix it.
      expect(
        source === readFileSync(outputFile, "utf8"),
        "sdk/src/generated/abis.ts is stale: run `npm run generate -w sdk`",
      ).toBe(true);
    },
  );

  it("expose every entry point the sdk, keeper and frontend call", () => {
    const selectors = (abi: readonly { type: string }[]) =>
      abi.filter((i) => i.type === "function").map((i) => toFunctionSelector(i as never));
    // The terms travel packed, as `bytes`.
    expect(selectors(jobMarketAbi)).toContain(toFunctionSelector("postJob(bytes,bytes32,bytes)"));
    expect(selectors(jobMarketAbi)).toContain(toFunctionSelector("commitBid(uint256,bytes,bytes32)"));
    expect(selectors(jobMarketAbi)).toContain(toFunctionSelector("abandon(uint256,bytes)"));
    expect(selectors(jobMarketAbi)).toContain(toFunctionSelector("settleMany(uint256[],bytes[],bytes32[])"));
    expect(selectors(jobMarketAbi)).toContain(toFunctionSelector("commitBids(uint256[],bytes[],bytes32[])"));
    expect(selectors(workflowOrchestratorAbi)).toContain(toFunctionSelector("withdrawTo(address,address)"));
    expect(selectors(multicall3Abi)).toContain("0x82ad56cb"); // aggregate3((address,bool,bytes)[])
    expect(selectors(testTokenAbi)).toContain("0x095ea7b3"); // approve(address,uint256)
    expect(committeeArbiterAbi.some((i) => i.type === "function" && i.name === "vote")).toBe(true);
    const events = jobMarketAbi.filter((i) => i.type === "event").map((i) => i.name);
    for (const name of ["JobPosted", "BidCommitted", "BidRevealed", "JobAssigned", "ResultSubmitted", "JobSettled"]) {
      expect(events).toContain(name);
    }
    expect(toEventSelector(jobMarketAbi.find((i) => i.type === "event" && i.name === "JobCancelled") as never)).toBe(
      toEventSelector("JobCancelled(uint256)"),
    );
  });
});
