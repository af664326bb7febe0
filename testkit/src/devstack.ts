// What `npm run dev` gives its demo keepers and jobs, shared by the dev stack's setup
// (scripts/demo.ts) and the benchmark that measures the stack under a burst (`npm run bench:burst`),
// so that the benchmark measures the stack as it runs.

const ETHER = 10n ** 18n;

/** The demo workers: node account, keeper name and pricing strategy. */
export const DEV_KEEPERS = [
  { index: 2, name: "keeper-a", strategy: { kind: "fraction", fraction: 0.85 } },
  { index: 3, name: "keeper-b", strategy: { kind: "fraction", fraction: 0.6 } },
  {
    index: 4,
    name: "keeper-c",
    strategy: {
      kind: "cost-plus",
      margin: 0.4,
      executionCostWei: { wasm: ((4n * ETHER) / 1000n).toString() },
      gasPerJob: 400_000,
    },
  },
] as const;

/** The stake each demo worker deposits: 100 bonds of a demo job. */
export const DEV_STAKE_WEI = 5n * ETHER;

/** The stake each demo worker deposits in the automation registry: ten lease bonds. */
export const DEV_AUTOMATION_STAKE_WEI = ETHER;

/**
 * The demo keepers' settings besides their accounts, strategies and paths. The capacity is what
 * the free stake covers; executions stay capped by the keeper's default `maxExecutions`.
 */
export const DEV_KEEPER_SETTINGS = {
  confirmations: 1,
  pollIntervalMs: 1000,
  capabilities: ["wasm", "http.json"],
  capacity: "stake",
  summaryIntervalSec: 30,
} as const;

/** The demo jobs' reward and bond, and their windows in seconds. */
export const DEV_JOB = {
  maxReward: (5n * ETHER) / 100n,
  bond: (5n * ETHER) / 100n,
  windows: { commitWindow: 20, revealWindow: 20, executionWindow: 60, challengeWindow: 20 },
} as const;
