// Enum mirrors for the contract tests. Hardhat runs those tests through ts-node as CommonJS, which
// cannot load the (ESM) sdk, so this file imports nothing and the root tsconfig's `ts-node.moduleTypes`
// loads it as CommonJS. Every other test imports the enums from `@baton/sdk`.
// test/enums.test.ts checks these members, and the sdk's, against the compiled contracts' AST.

/** `IJobMarket.JobState`: derived job states, as `JobMarket.jobState(id)` returns them. */
export enum JobState {
  None,
  Open,
  Revealing,
  Awarding,
  Unfilled,
  Assigned,
  Overdue,
  Submitted,
  Settleable,
  Disputed,
  RulingOverdue,
  Settled,
  Cancelled,
  Refunded,
}

/** `IJobMarket.Pricing`. */
export enum Pricing {
  FirstPrice,
  SecondPrice,
}

/** A numeric enum's member names, indexed by value. */
export function memberNames(e: Record<string, string | number>): string[] {
  return Object.entries(e)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .sort((a, b) => a[1] - b[1])
    .map(([name]) => name);
}
