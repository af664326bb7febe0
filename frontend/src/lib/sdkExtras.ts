// Re-exports of the sdk used by the post form, plus the spec hash of already-encoded bytes.
import { keccak256 } from "viem";
export { buildTerms, decodeMarketLogs, encodeSpec, jobMarketAbi } from "@baton/sdk";

/** keccak256 of encoded spec bytes: `specHash(spec)` without encoding twice. */
export const keccak256Spec = (bytes: Uint8Array) => keccak256(bytes);
