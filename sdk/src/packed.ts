// Job terms as the market takes them: packed into 144 bytes (`PackedTerms.sol`), in every call on
// a job and in `JobPosted`. Clients keep the `JobTerms` object; these convert at the boundary.
import { encodePacked, getAddress, hexToBigInt, size, slice, type Hex } from "viem";
import { MalformedTermsError } from "./errors.js";
import type { JobTerms } from "./types.js";

/** Length of packed terms in bytes (`PackedTerms.LENGTH`). */
export const PACKED_TERMS_BYTES = 144;

// The `JobTerms` fields in their declared order and widths: `abi.encodePacked` of the struct.
const FIELDS = [
  ["requester", "address"],
  ["token", "address"],
  ["maxReward", "uint96"],
  ["arbiter", "address"],
  ["bond", "uint96"],
  ["minStake", "uint96"],
  ["minCompleted", "uint32"],
  ["commitWindow", "uint32"],
  ["revealWindow", "uint32"],
  ["executionWindow", "uint32"],
  ["challengeWindow", "uint32"],
  ["expiry", "uint32"],
  ["feeBps", "uint16"],
  ["forfeitBps", "uint16"],
  ["slashBountyBps", "uint16"],
  ["disputeBond", "uint96"],
  ["rulingTimeout", "uint32"],
  ["pricing", "uint8"],
  ["callback", "bool"],
] as const satisfies readonly (readonly [keyof JobTerms, string])[];

const BYTES: Record<(typeof FIELDS)[number][1], number> = {
  address: 20,
  uint96: 12,
  uint32: 4,
  uint16: 2,
  uint8: 1,
  bool: 1,
};

/**
 * The 144 bytes a market call takes as `terms`: `abi.encodePacked` of the `JobTerms` fields in
 * their declared order. Throws (viem's `IntegerOutOfRangeError` and the like) for a field out of
 * its Solidity range.
 */
export function packTerms(terms: JobTerms): Hex {
  return encodePacked(
    FIELDS.map(([, type]) => type),
    FIELDS.map(([name]) => (typeof terms[name] === "number" ? BigInt(terms[name]) : terms[name])),
  );
}

/**
 * The terms of packed bytes (from `JobPosted`, or `packTerms`). Throws `MalformedTermsError` for
 * bytes the market would refuse at posting: another length, or a flag byte other than 0 or 1.
 */
export function unpackTerms(packed: Hex): JobTerms {
  const length = size(packed);
  if (length !== PACKED_TERMS_BYTES) {
    throw new MalformedTermsError(`${length} bytes, expected ${PACKED_TERMS_BYTES}`);
  }
  const terms: Record<string, unknown> = {};
  let at = 0;
  for (const [name, type] of FIELDS) {
    const field = slice(packed, at, at + BYTES[type], { strict: true });
    at += BYTES[type];
    if (type === "address") {
      terms[name] = getAddress(field);
    } else if (type === "uint96") {
      terms[name] = hexToBigInt(field);
    } else {
      const value = Number(hexToBigInt(field));
      if ((type === "uint8" || type === "bool") && value > 1) {
        throw new MalformedTermsError(`${name} byte is ${value}, expected 0 or 1`);
      }
      terms[name] = type === "bool" ? value === 1 : value;
    }
  }
  return terms as JobTerms;
}
