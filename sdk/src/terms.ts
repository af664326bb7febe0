// Job terms: the default windows of a chain, and complete terms from the few a requester cares
// about, with the market's current parameters filled in.
import { zeroAddress, type Account, type Client } from "viem";
import { getBlock, getChainId } from "viem/actions";
import type { AddressBook } from "./addresses.js";
import { BatonError } from "./errors.js";
import { readParams } from "./reads.js";
import { Pricing, type Address, type JobTerms } from "./types.js";

export type Windows = Pick<JobTerms, "commitWindow" | "revealWindow" | "executionWindow" | "challengeWindow">;

/** Chain ids of local development nodes (Hardhat, Anvil, Ganache). */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337];

/**
 * Default windows in seconds: short on local chains (commit 60, reveal 60, execution 300,
 * challenge 120), roomier elsewhere (commit 600, reveal 600, execution 3600, challenge 3600), where
 * keepers poll every few blocks and transactions can wait in the mempool.
 */
export function defaultWindows(chainId: number): Windows {
  return LOCAL_CHAIN_IDS.includes(chainId)
    ? { commitWindow: 60, revealWindow: 60, executionWindow: 300, challengeWindow: 120 }
    : { commitWindow: 600, revealWindow: 600, executionWindow: 3600, challengeWindow: 3600 };
}

export type TermsInput = Partial<JobTerms> & {
  /** Escrowed reward, the highest price a bid may name (token units, or wei for ETH). */
  maxReward: bigint;
  /** Wei of each bidder's stake locked per bid and kept as the winner's execution bond. */
  bond: bigint;
};

/**
 * Complete terms for `postJob` from the few that matter: `feeBps`, `forfeitBps`,
 * `slashBountyBps`, `disputeBond` and `rulingTimeout` from the market's current `getParams`
 * (posting fails with other values),
 * default windows for the chain (`defaultWindows`), `expiry` one day after the latest block
 * (at least one round later), ETH as token, first-price, no reputation filter, no callback.
 * `requester` defaults to the client's account and `arbiter` to the book's committee arbiter
 * when `market` is an address book.
 */
export async function buildTerms(
  publicClient: Client,
  market: Address | AddressBook,
  partial: TermsInput,
): Promise<JobTerms> {
  const marketAddress = typeof market === "string" ? market : market.jobMarket;
  const requester = partial.requester ?? (publicClient.account as Account | undefined)?.address;
  if (!requester) throw new BatonError("buildTerms: pass terms.requester (the client has no account)");
  const arbiter = partial.arbiter ?? (typeof market === "string" ? undefined : market.committeeArbiter);
  if (!arbiter) throw new BatonError("buildTerms: pass terms.arbiter, or an address book as market");
  const [params, block, chainId] = await Promise.all([
    readParams(publicClient, marketAddress),
    getBlock(publicClient, { blockTag: "latest" }),
    getChainId(publicClient),
  ]);
  const windows = {
    ...defaultWindows(chainId),
    ...pick(partial, ["commitWindow", "revealWindow", "executionWindow", "challengeWindow"]),
  };
  const now = Number(block.timestamp);
  const oneRound = windows.commitWindow + windows.revealWindow + windows.executionWindow;
  return {
    requester,
    token: partial.token ?? zeroAddress,
    maxReward: partial.maxReward,
    arbiter,
    bond: partial.bond,
    minStake: partial.minStake ?? 0n,
    minCompleted: partial.minCompleted ?? 0,
    ...windows,
    // A margin over one round, because the job is mined a few blocks after this read.
    expiry: partial.expiry ?? now + Math.max(86_400, 2 * oneRound),
    feeBps: partial.feeBps ?? params.feeBps,
    forfeitBps: partial.forfeitBps ?? params.forfeitBps,
    slashBountyBps: partial.slashBountyBps ?? params.slashBountyBps,
    disputeBond: partial.disputeBond ?? params.disputeBond,
    rulingTimeout: partial.rulingTimeout ?? params.rulingTimeout,
    pricing: partial.pricing ?? Pricing.FirstPrice,
    callback: partial.callback ?? false,
  };
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}
