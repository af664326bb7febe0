import type { JobSpecInput, JobTerms } from "@baton/sdk";

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * Plausible job terms for tests that never reach a chain (plan, UI): an ETH job with a one-minute
 * commit and reveal window, five minutes to execute, two to challenge. Override what a test needs.
 */
export function sampleTerms(overrides: Partial<JobTerms> = {}): JobTerms {
  return {
    requester: "0x00000000000000000000000000000000000000cc",
    token: ZERO,
    maxReward: 10n ** 18n,
    arbiter: "0x00000000000000000000000000000000000000dd",
    bond: 10n ** 17n,
    minStake: 0n,
    minCompleted: 0,
    commitWindow: 60,
    revealWindow: 60,
    executionWindow: 300,
    challengeWindow: 120,
    expiry: 2_000_000_000,
    feeBps: 250,
    forfeitBps: 2000,
    slashBountyBps: 1000,
    disputeBond: 10n ** 16n,
    rulingTimeout: 600,
    pricing: 0,
    callback: false,
    ...overrides,
  };
}

/** A small `http.json` spec for tests that post jobs and never run them. */
export const sampleSpec = {
  kind: "http.json",
  version: 1,
  url: "https://api.example.com/price",
  method: "GET",
  path: "$.price",
} as const satisfies JobSpecInput;
