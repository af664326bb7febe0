import { concat, getAddress, maxUint96, size, slice } from "viem";
import { describe, expect, it } from "vitest";
import { sampleTerms } from "@baton/testkit";
import { MalformedTermsError, PACKED_TERMS_BYTES, packTerms, unpackTerms } from "../src/index.js";

describe("packed terms", () => {
  it("pack every field at its width, in declared order, into 144 bytes that unpack to the same terms", () => {
    const terms = sampleTerms({
      requester: getAddress("0x1111111111111111111111111111111111111111"),
      token: getAddress("0x2222222222222222222222222222222222222222"),
      maxReward: maxUint96,
      arbiter: getAddress("0x3333333333333333333333333333333333333333"),
      bond: 0x0102n,
      minStake: maxUint96 - 1n,
      minCompleted: 2 ** 32 - 1,
      commitWindow: 0x0a0b0c0d,
      expiry: 4_000_000_000,
      feeBps: 0xfffe,
      disputeBond: 7n,
      rulingTimeout: 600,
      pricing: 1,
      callback: true,
    });
    const packed = packTerms(terms);
    expect(size(packed)).toBe(PACKED_TERMS_BYTES);
    expect(slice(packed, 0, 20)).toBe("0x1111111111111111111111111111111111111111");
    expect(slice(packed, 40, 52)).toBe("0xffffffffffffffffffffffff");
    expect(slice(packed, 72, 84)).toBe("0x000000000000000000000102");
    expect(slice(packed, 100, 104)).toBe("0x0a0b0c0d");
    expect(slice(packed, 120, 122)).toBe("0xfffe");
    expect(slice(packed, 142, 144)).toBe("0x0101");
    expect(unpackTerms(packed)).toEqual(terms);
    expect(unpackTerms(packTerms(sampleTerms()))).toEqual(sampleTerms());
  });

  it("refuse bytes the market would refuse at posting, naming what is wrong", () => {
    const packed = packTerms(sampleTerms());
    expect(() => unpackTerms(concat([packed, "0x00"]))).toThrow(MalformedTermsError);
    expect(() => unpackTerms(slice(packed, 0, 143))).toThrow(/143 bytes, expected 144/);
    expect(() => unpackTerms(concat([slice(packed, 0, 142), "0x0200"]))).toThrow(/pricing byte is 2/);
    expect(() => unpackTerms(concat([slice(packed, 0, 142), "0x00ff"]))).toThrow(/callback byte is 255/);
  });

  it("refuse a field out of its Solidity range instead of packing it wrong", () => {
    expect(() => packTerms(sampleTerms({ maxReward: maxUint96 + 1n }))).toThrow();
    expect(() => packTerms(sampleTerms({ expiry: 2 ** 32 }))).toThrow();
    expect(() => packTerms(sampleTerms({ feeBps: -1 }))).toThrow();
  });
});
