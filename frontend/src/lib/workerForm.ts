// The worker forms as data: the capabilities a worker may declare, and the checks of the
// registration, stake deposit and unbond forms, each with a sentence before any transaction.
import { MARKET_LIMITS } from "@baton/sdk";
import { formatEther, hexToString, parseEther, stringToHex, type Hex } from "viem";

/** Capability tags a keeper understands (one per job spec kind). */
export const CAPABILITIES = ["wasm", "http.json", "contract.call"] as const;

const { MAX_METADATA_BYTES } = MARKET_LIMITS;

/** A capability tag (bytes32) as text: `wasm`, or the raw tag when it is not text. */
export function capabilityName(tag: Hex): string {
  try {
    return hexToString(tag, { size: 32 }).replace(/\0+$/, "");
  } catch {
    return tag;
  }
}

/** A capability name (a job kind, as keepers register it) as the registry's bytes32 tag. */
export const capabilityTag = (cap: string): Hex => stringToHex(cap, { size: 32 });

/** Capability names as the registry's bytes32 tags. */
export const capabilityTags = (caps: readonly string[]): Hex[] => caps.map(capabilityTag);

/** An amount of ETH as typed (at most 18 decimals), or undefined when it is not one. */
export function parseEth(text: string): bigint | undefined {
  if (!/^(0|[1-9][0-9]*)(\.[0-9]{1,18})?$/.test(text.trim())) return undefined;
  return parseEther(text.trim());
}

export type WorkerErrors = Record<string, string>;

/** Problems of the registration form, by field (`caps`, `metadata`); none when it may be sent. */
export function checkRegistration(caps: readonly string[], metadata: string): WorkerErrors {
  if (caps.length === 0) return { caps: "Choose at least one capability." };
  if (new TextEncoder().encode(metadata).length > MAX_METADATA_BYTES) {
    return { metadata: `The metadata URI may be at most ${MAX_METADATA_BYTES} bytes.` };
  }
  return {};
}

/** The stake to deposit, or the problem with it. */
export function checkDeposit(text: string): { value: bigint } | { error: string } {
  const value = parseEth(text);
  return value ? { value } : { error: "Enter an amount of ETH above zero, such as 1 or 0.5." };
}

/** The stake to unbond (at most the free stake), or the problem with it. */
export function checkUnbond(text: string, free: bigint): { value: bigint } | { error: string } {
  const value = parseEth(text);
  if (!value) return { error: "Enter an amount of ETH above zero." };
  if (value > free) return { error: `At most ${formatEther(free)} ETH of your stake is free.` };
  return { value };
}
