// The two hashes the market computes, reproduced off-chain so a client never needs a call for
// them: the terms hash every job call checks, and the sealed-bid commitment.
import { bytesToHex, encodeAbiParameters, keccak256 } from "viem";
import { jobMarketAbi } from "./generated/abis.js";
import type { Address, Hex, JobTerms } from "./types.js";

// The `JobTerms` tuple as declared in the ABI, so the encoding follows the contract.
const termsParameters = jobMarketAbi.find(
  (item): item is Extract<(typeof jobMarketAbi)[number], { name: "hashTerms" }> =>
    item.type === "function" && item.name === "hashTerms",
)!.inputs;

const commitmentParameters = [
  { type: "uint256", name: "chainId" },
  { type: "address", name: "market" },
  { type: "uint256", name: "jobId" },
  { type: "uint8", name: "round" },
  { type: "address", name: "bidder" },
  { type: "uint96", name: "price" },
  { type: "bytes32", name: "salt" },
] as const;

/** keccak256 of the ABI-encoded terms: equals `JobMarket.hashTerms(terms)` and a job's stored `termsHash`. */
export function hashTerms(terms: JobTerms): Hex {
  return keccak256(encodeAbiParameters(termsParameters, [terms]));
}

export type CommitmentInput = {
  chainId: number | bigint;
  /** The JobMarket address. */
  market: Address;
  jobId: bigint;
  /** The auction round the bid is for (`getJob(jobId).round`). */
  round: number;
  bidder: Address;
  /** The sealed price (uint96). */
  price: bigint;
  /** 32 random bytes, kept secret until the reveal (see `newSalt`). */
  salt: Hex;
};

/**
 * The sealed bid to pass to `commitBid`: equals `JobMarket.computeCommitment(jobId, round,
 * bidder, price, salt)` on chain `chainId`. It binds chain, market, job, round and bidder, so a
 * commitment cannot be replayed elsewhere or copied by another bidder.
 */
export function computeCommitment(input: CommitmentInput): Hex {
  return keccak256(
    encodeAbiParameters(commitmentParameters, [
      BigInt(input.chainId),
      input.market,
      input.jobId,
      input.round,
      input.bidder,
      input.price,
      input.salt,
    ]),
  );
}

/**
 * 32 bytes from the platform's cryptographic random source (Web Crypto, in Node and browsers).
 * Persist it before sending the commitment: without it the bid cannot be revealed.
 */
export function newSalt(): Hex {
  return bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}
