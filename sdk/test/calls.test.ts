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
  prepareBatch,
  prepareMulticall,
  preparePostJob,
  preparePostJobs,
  ZERO_ADDRESS,
  ZERO_HASH,
  packTerms,
  unpackTerms,
} from "../src/index.js";

const MARKET: Address = "0x00000000000000000000000000000000000000aa";
const TOKEN: Address = "0x00000000000000000000000000000000000000bb";
const RESULT = keccak256(toBytes("the result"));
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

  it("carry the job's own dispute bond and the disputed result's hash with a dispute", () => {
    const terms = sampleTerms({ disputeBond: 123n });
    const dispute = prepareDispute({ market: MARKET, jobId: 7n, terms, resultHash: RESULT });
    expect(dispute.value).toBe(123n);
    expect(dispute.args).toEqual([7n, packTerms(terms), RESULT]);
  });

  it("encode to the calldata the ABI decodes back", () => {
    const terms = sampleTerms({ token: ZERO_ADDRESS });
    const { to, data, value } = encodeCall(marketCall(MARKET, "settle", [9n, packTerms(terms), RESULT]));
    expect({ to, value }).toEqual({ to: MARKET, value: 0n });
    const decoded = decodeFunctionData({ abi: jobMarketAbi, data });
    expect(decoded.functionName).toBe("settle");
    expect(decoded.args).toEqual([9n, packTerms(terms), RESULT]);
    expect(unpackTerms(decoded.args![1] as `0x${string}`)).toEqual(terms);
  });

  it("post several jobs in one call, escrowing the sum of the ETH rewards", () => {
    const eth = sampleTerms({ maxReward: parseEther("2") });
    const erc20 = sampleTerms({ token: TOKEN, maxReward: parseEther("5") });
    const specHash = keccak256(toBytes("elsewhere"));
    const batch = preparePostJobs({
      market: MARKET,
      jobs: [
        { terms: eth, spec },
        { terms: erc20, spec: { uri: "ipfs://bafy", specHash } },
        { terms: eth, spec },
      ],
    });
    expect(batch.functionName).toBe("postJobs");
    expect(batch.value).toBe(parseEther("4"));
    expect(batch.specHashes).toEqual([keccak256(encodeSpec(spec)), specHash, keccak256(encodeSpec(spec))]);
    expect(batch.args[0]).toEqual([eth, erc20, eth].map(packTerms));
    expect(batch.args[1]).toEqual(batch.specHashes);
    expect(batch.args[2]).toHaveLength(3);
    expect(() => preparePostJobs({ market: MARKET, jobs: [] })).toThrow(RangeError);
    expect(preparePostJobs({ market: MARKET, jobs: [{ terms: erc20, spec }] }).value).toBeUndefined();
  });

  it("bundle a sender's own market calls into one multicall, in order", () => {
    const terms = sampleTerms();
    const calls = [
      marketCall(MARKET, "settle", [1n, packTerms(terms), RESULT]),
      marketCall(MARKET, "finalizeAuction", [2n, packTerms(terms)]),
      marketCall(MARKET, "forfeitUnrevealed", [3n, packTerms(terms), ZERO_HASH, 0, TOKEN]),
    ];
    const batch = prepareMulticall({ market: MARKET, calls });
    expect(batch.functionName).toBe("multicall");
    expect(batch.value).toBeUndefined();
    const [data] = batch.args;
    expect(data).toEqual(calls.map((c) => encodeCall(c).data));
    expect(decodeFunctionData({ abi: jobMarketAbi, data: data[1]! }).functionName).toBe("finalizeAuction");
  });

  it("batch calls of one step into the market's batch function, and mixed ones into a multicall", () => {
    const [a, b] = [sampleTerms(), sampleTerms({ bond: 7n })];
    const settles = [
      marketCall(MARKET, "settle", [1n, packTerms(a), RESULT]),
      marketCall(MARKET, "settle", [2n, packTerms(b), ZERO_HASH]),
    ];
    const settleMany = prepareBatch({ market: MARKET, calls: settles });
    expect(settleMany.functionName).toBe("settleMany");
    expect(settleMany.args).toEqual([
      [1n, 2n],
      [packTerms(a), packTerms(b)],
      [RESULT, ZERO_HASH],
    ]);
    const reveals = [1n, 2n].map((id) => marketCall(MARKET, "revealBid", [id, packTerms(a), 5n, RESULT]));
    expect(prepareBatch({ market: MARKET, calls: reveals })).toMatchObject({
      functionName: "revealBids",
      args: [
        [1n, 2n],
        [packTerms(a), packTerms(a)],
        [5n, 5n],
        [RESULT, RESULT],
      ],
    });
    const mixed = [...settles, marketCall(MARKET, "finalizeAuction", [3n, packTerms(a)])];
    expect(prepareBatch({ market: MARKET, calls: mixed })).toEqual(prepareMulticall({ market: MARKET, calls: mixed }));
    // One call, or a step without a batch function, stays a multicall.
    expect(prepareBatch({ market: MARKET, calls: settles.slice(0, 1) }).functionName).toBe("multicall");
    const finalizes = [1n, 2n].map((id) => marketCall(MARKET, "finalizeAuction", [id, packTerms(a)]));
    expect(prepareBatch({ market: MARKET, calls: finalizes }).functionName).toBe("multicall");
    expect(() =>
      prepareBatch({ market: MARKET, calls: [marketCall(TOKEN, "settle", [1n, packTerms(a), RESULT]), settles[0]!] }),
    ).toThrow(/market's own functions/);
  });

  it("refuse a multicall of another contract's call or of a call that carries ETH", () => {
    const terms = sampleTerms({ disputeBond: 5n });
    expect(() =>
      prepareMulticall({ market: MARKET, calls: [marketCall(TOKEN, "settle", [1n, packTerms(terms), RESULT])] }),
    ).toThrow(/market's own functions/);
    expect(() =>
      prepareMulticall({
        market: MARKET,
        calls: [prepareDispute({ market: MARKET, jobId: 1n, terms, resultHash: RESULT })],
      }),
    ).toThrow(/not payable/);
  });

  it("type-check arguments against the ABI", () => {
    const terms = sampleTerms();
    // @ts-expect-error settle takes the job id, its terms and the standing result hash
    const missing = () => marketCall(MARKET, "settle", [1n, packTerms(terms)]);
    // @ts-expect-error no such market function
    const unknown = () => marketCall(MARKET, "settleAll", [1n, terms]);
    // @ts-expect-error a view function is not a transaction
    const view = () => marketCall(MARKET, "jobState", [1n]);
    expect([missing, unknown, view].every((f) => typeof f === "function")).toBe(true);
  });
});
