// The two hashes the market computes, reproduced off-chain so a client never needs a call for
// them: the job digest every job call checks, and the sealed-bid commitment.
import { bytesToHex, concat, encodeAbiParameters, hexToBigInt, keccak256, slice, toHex, zeroHash } from "viem";
import { packTerms } from "./packed.js";
import type { Address, Hex, JobTerms } from "./types.js";

const commitmentParameters = [
  { type: "uint256", name: "chainId" },
  { type: "address", name: "market" },
  { type: "uint256", name: "jobId" },
  { type: "uint8", name: "round" },
  { type: "address", name: "bidder" },
  { type: "uint96", name: "price" },
  { type: "bytes32", name: "salt" },
] as const;

/**
 * The 21-byte digest the market keeps for a job: the first 168 bits of
 * `keccak256(abi.encodePacked(jobId, resultHash, terms))`, the terms packed (`packTerms`). Equals `JobMarket.jobDigest(jobId, terms,
 * resultHash)` and, with the job's standing result hash (zero while none stands), its stored
 * `getJob(jobId).digest`: a client can check the terms and result hash it holds before calling.
 */
export function jobDigest(jobId: bigint, terms: JobTerms, resultHash: Hex = zeroHash): Hex {
  return slice(keccak256(concat([toHex(jobId, { size: 32 }), resultHash, packTerms(terms)])), 0, 21);
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
 * A commitment as the market holds it and `commitmentOf` returns it: its low 192 bits, the top 64
 * cleared. A bid in the bidder's ring of bid slots shares its slot with the job id and round, so
 * only these bits are kept; they are what binds the bid.
 */
export function storedCommitment(commitment: Hex): Hex {
  return toHex(hexToBigInt(commitment) & STORED_COMMITMENT_MASK, { size: 32 });
}

const STORED_COMMITMENT_MASK = (1n << 192n) - 1n;

/**
 * 32 bytes from the platform's cryptographic random source (Web Crypto, in Node and browsers).
 * Persist it before sending the commitment: without it the bid cannot be revealed.
 */
export function newSalt(): Hex {
  return bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}
