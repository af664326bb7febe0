// Enum mirrors for the contract tests. Hardhat runs those tests through ts-node as CommonJS, which
// cannot load the (ESM) sdk, so this file imports nothing and the root tsconfig's `ts-node.moduleTypes`
// loads it as CommonJS. Every other test imports the enums from `@baton/sdk`.
// test/enums.test.ts checks these names, and the sdk's, against the compiled contracts' AST.

/** Makes a name → value object from a Solidity enum's member names, in declaration order. */
function solidityEnum<const Names extends readonly string[]>(names: Names) {
  return Object.freeze(Object.fromEntries(names.map((name, i) => [name, i]))) as {
    readonly [K in keyof Names & `${number}` as Names[K]]: K extends `${infer N extends number}` ? N : never;
  };
}

/** `IJobMarket.JobState` member names, indexed by value. */
export const jobStateNames = [
  "None",
  "Open",
  "Revealing",
  "Awarding",
  "Unfilled",
  "Assigned",
  "Overdue",
  "Submitted",
  "Settleable",
  "Disputed",
  "RulingOverdue",
  "Settled",
  "Cancelled",
  "Refunded",
] as const;
/** Derived job states, as `JobMarket.jobState(id)` returns them. */
export const JobState = solidityEnum(jobStateNames);
export type JobState = (typeof JobState)[keyof typeof JobState];
export type JobStateName = (typeof jobStateNames)[number];

/** `IJobMarket.Pricing` member names. */
export const pricingNames = ["FirstPrice", "SecondPrice"] as const;
export const Pricing = solidityEnum(pricingNames);
export type Pricing = (typeof Pricing)[keyof typeof Pricing];
