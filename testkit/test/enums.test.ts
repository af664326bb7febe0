// The enum mirrors (the sdk's, and the contract tests' in src/enums.ts) against the compiled
// contracts: a member added, removed or reordered in Solidity fails here.
import { beforeAll, describe, expect, it } from "vitest";
import { jobStateNames, pricingNames, slashReasonNames, statusNames } from "@baton/sdk";
import { ensureArtifacts, solidityEnumMembers } from "../src/artifacts.js";
import { JobState, memberNames, Pricing } from "../src/enums.js";

const members = (name: string) => solidityEnumMembers("contracts/interfaces/IJobMarket.sol", "IJobMarket", name);

describe("enum mirrors", () => {
  beforeAll(() => ensureArtifacts(), 180_000);

  it("the sdk lists every IJobMarket enum's members in declaration order", () => {
    expect([...jobStateNames]).toEqual(members("JobState"));
    expect([...statusNames]).toEqual(members("Status"));
    expect([...pricingNames]).toEqual(members("Pricing"));
    expect([...slashReasonNames]).toEqual(members("SlashReason"));
  });

  it("the contract tests' mirror matches the compiled enums, value for value", () => {
    expect(memberNames(JobState)).toEqual(members("JobState"));
    expect(memberNames(Pricing)).toEqual(members("Pricing"));
    // Values are positions: no member carries an explicit value that would skip one.
    expect(Object.values(JobState).filter((v) => typeof v === "number")).toEqual(members("JobState").map((_, i) => i));
    expect(Object.values(Pricing).filter((v) => typeof v === "number")).toEqual(members("Pricing").map((_, i) => i));
  });

  it("reads names from the compiler's AST, and fails for an unknown enum", () => {
    expect(() => members("NoSuchEnum")).toThrow(/not found/);
  });
});
