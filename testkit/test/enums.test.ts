// The enum mirrors (the sdk's, and the contract tests' in src/enums.ts) against the compiled
// contracts: a member added, removed or reordered in Solidity fails here.
import { beforeAll, describe, expect, it } from "vitest";
import { jobStateNames, pricingNames, slashReasonNames, statusNames } from "@baton/sdk";
import { ensureArtifacts, solidityEnumMembers } from "../src/artifacts.js";
import * as mirror from "../src/enums.js";

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
    expect([...mirror.jobStateNames]).toEqual(members("JobState"));
    expect([...mirror.pricingNames]).toEqual(members("Pricing"));
    members("JobState").forEach((name, value) => expect(mirror.JobState[name as mirror.JobStateName]).toBe(value));
    members("Pricing").forEach((name, value) => expect(mirror.Pricing[name as keyof typeof mirror.Pricing]).toBe(value));
  });

  it("reads names from the compiler's AST, and fails for an unknown enum", () => {
    expect(() => members("NoSuchEnum")).toThrow(/not found/);
  });
});
