// The pure call builders: what each transaction carries, and (checked by `npm run typecheck`)
// that arguments which do not fit the ABI do not compile.
import { decodeFunctionData, keccak256, parseEther, toBytes, type Address } from "viem";
import { describe, expect, it } from "vitest";
import { sampleSpec, sampleTerms } from "@baton/testkit";
import {
  encodeCall,
  encodeSpec,
  jobMarketAbi,
  marketCall,
  PayloadTooLargeError,
  prepareDispute,
  preparePostJob,
  ZERO_ADDRESS,
} from "../src/index.js";

const MARKET: Address = "0x00000000000000000000000000000000000000aa";
const TOKEN: Address = "0x00000000000000000000000000000000000000bb";
const spec = sampleSpec;

describe("call builders", () => {
  it("escrow an ETH reward as value, and nothing for a token reward", () => {
    const eth = preparePostJob({ market: MARKET, terms: sampleTerms({ maxReward: parseEther("2") }), spec });
    expect(eth.value).toBe(parseEther("2"));
    expect(eth.specHash).toBe(keccak256(encodeSpec(spec)));
    const token = preparePostJob({ market: MARKET, terms: sampleTerms({ token: TOKEN }), spec });
    expect(token.value).toBeUndefined();
    expect(encodeCall(token).value).toBe(0n);
  });

  it("post a spec by URI with the hash given, and refuse a URI longer than the market takes", () => {
    const specHash = keccak256(toBytes("elsewhere"));
    const byUri = preparePostJob({ market: MARKET, terms: sampleTerms(), spec: { uri: "ipfs://bafy", specHash } });
    expect(byUri.args[1]).toBe(specHash);
    expect(() =>
      preparePostJob({
        market: MARKET,
        terms: sampleTerms(),
        spec: { uri: `https://x/${"a".repeat(20_000)}`, specHash },
      }),
    ).toThrow(PayloadTooLargeError);
  });

  it("carry the job's own dispute bond with a dispute", () => {
    const terms = sampleTerms({ disputeBond: 123n });
    expect(prepareDispute({ market: MARKET, jobId: 7n, terms }).value).toBe(123n);
  });

  it("encode to the calldata the ABI decodes back", () => {
    const terms = sampleTerms({ token: ZERO_ADDRESS });
    const { to, data, value } = encodeCall(marketCall(MARKET, "settle", [9n, terms]));
    expect({ to, value }).toEqual({ to: MARKET, value: 0n });
    const decoded = decodeFunctionData({ abi: jobMarketAbi, data });
    expect(decoded.functionName).toBe("settle");
    expect(decoded.args![0]).toBe(9n);
  });

  it("type-check arguments against the ABI", () => {
    const terms = sampleTerms();
    // @ts-expect-error settle takes the job id and its terms
    const missing = () => marketCall(MARKET, "settle", [1n]);
    // @ts-expect-error no such market function
    const unknown = () => marketCall(MARKET, "settleAll", [1n, terms]);
    // @ts-expect-error a view function is not a transaction
    const view = () => marketCall(MARKET, "jobState", [1n]);
    expect([missing, unknown, view].every((f) => typeof f === "function")).toBe(true);
  });
});
