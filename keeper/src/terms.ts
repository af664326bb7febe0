import type { Terms } from "./plan.js";

/** Terms as stored in SQLite: amounts as decimal strings. */
export function termsToJson(t: Terms): string {
  return JSON.stringify(t, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

export function termsFromJson(json: string): Terms {
  const raw = JSON.parse(json) as Record<string, unknown>;
  return {
    requester: raw.requester as `0x${string}`,
    token: raw.token as `0x${string}`,
    maxReward: BigInt(raw.maxReward as string),
    arbiter: raw.arbiter as `0x${string}`,
    bond: BigInt(raw.bond as string),
    minStake: BigInt(raw.minStake as string),
    minCompleted: Number(raw.minCompleted),
    commitWindow: Number(raw.commitWindow),
    revealWindow: Number(raw.revealWindow),
    executionWindow: Number(raw.executionWindow),
    challengeWindow: Number(raw.challengeWindow),
    expiry: Number(raw.expiry),
    feeBps: Number(raw.feeBps),
    forfeitBps: Number(raw.forfeitBps),
    slashBountyBps: Number(raw.slashBountyBps),
    disputeBond: BigInt(raw.disputeBond as string),
    rulingTimeout: Number(raw.rulingTimeout),
    pricing: Number(raw.pricing),
    callback: Boolean(raw.callback),
  };
}
