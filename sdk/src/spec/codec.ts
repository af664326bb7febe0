// Encoding, hashing and decoding specs and results: canonical bytes, inline or by URI, each checked
// against the hash posted on-chain.
import { hexToBytes, isHex, keccak256 } from "viem";
import { PayloadTooLargeError } from "../errors.js";
import { MAX_PAYLOAD_BYTES } from "../limits.js";
import type { Hex } from "../types.js";
import { canonicalBytes, RESULT_NUMBERS, strictUtf8, type JsonValue } from "./canonical.js";
import { parseSpec, type JobSpec, type JobSpecInput } from "./schema.js";

/**
 * The canonical bytes of a job spec, validated first: what `postJob` sends inline and hashes.
 * Throws `SpecValidationError` or `PayloadTooLargeError` (over `MAX_PAYLOAD_BYTES`).
 */
export function encodeSpec(spec: JobSpecInput): Uint8Array {
  const parsed = parseSpec(spec);
  if (!parsed.ok) throw parsed.error;
  const bytes = canonicalBytes(parsed.spec);
  if (bytes.length > MAX_PAYLOAD_BYTES)
    throw new PayloadTooLargeError("the encoded spec", bytes.length, MAX_PAYLOAD_BYTES);
  return bytes;
}

/** keccak256 of `encodeSpec(spec)`: the `specHash` of `postJob` and `JobPosted`. */
export function specHash(spec: JobSpecInput): Hex {
  return keccak256(encodeSpec(spec));
}

const URI_PREFIXES = ["ipfs://", "https://", "http://"] as const;

function toBytes(input: Uint8Array | Hex): Uint8Array | undefined {
  if (input instanceof Uint8Array) return input;
  if (typeof input === "string" && isHex(input, { strict: true })) return hexToBytes(input);
  return undefined;
}

function uriOf(bytes: Uint8Array): string | undefined {
  if (bytes.length > 2048 || bytes[0] === 0x7b /* "{" */) return undefined;
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
  if (!URI_PREFIXES.some((p) => text.startsWith(p)) || /[\s"<>\\^`{|}]/.test(text)) return undefined;
  return text;
}

/**
 * Whether event bytes (a `JobPosted` spec or `ResultSubmitted` result) hold a URI (`ipfs://`,
 * `https://`, `http://`) to fetch instead of inline JSON.
 */
export function isSpecUri(bytes: Uint8Array | Hex): boolean {
  const b = toBytes(bytes);
  return b !== undefined && uriOf(b) !== undefined;
}

export type DecodeFailure = { ok: false; error: string; needsFetch?: string };
export type DecodeSpecResult = { ok: true; spec: JobSpec; hash: Hex } | DecodeFailure;
export type DecodeResultResult = { ok: true; value: JsonValue; hash: Hex } | DecodeFailure;

function decodeCanonical(
  what: "spec" | "result",
  input: Uint8Array | Hex,
  options: { expectedHash?: Hex; maxBytes?: number },
): { ok: true; value: unknown; bytes: Uint8Array; hash: Hex } | DecodeFailure {
  const bytes = toBytes(input);
  if (!bytes) return { ok: false, error: `${what} must be bytes or a 0x-prefixed hex string` };
  const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
  if (bytes.length > max) return { ok: false, error: `${what} is ${bytes.length} bytes, more than the ${max} allowed` };
  if (bytes.length === 0) return { ok: false, error: `${what} is empty` };
  const uri = uriOf(bytes);
  if (uri !== undefined) {
    return {
      ok: false,
      error: `${what} is stored at ${uri}; fetch it and decode the fetched bytes with the event's hash`,
      needsFetch: uri,
    };
  }
  const hash = keccak256(bytes);
  if (options.expectedHash && hash.toLowerCase() !== options.expectedHash.toLowerCase()) {
    return { ok: false, error: `${what} bytes hash to ${hash}, not the expected ${options.expectedHash}` };
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false, error: `${what} is not valid UTF-8` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${what} is not JSON: ${(error as Error).message}` };
  }
  return { ok: true, value, bytes, hash };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Decodes and checks a spec from a `JobPosted` event (or fetched from its URI). Never throws:
 * `{ ok: false, error }` for oversize, empty, invalid UTF-8, invalid JSON, schema errors (with the
 * field path), a non-canonical encoding (re-encoding differs: key order, whitespace, number
 * forms, address case) or a hash mismatch with `expectedHash`; `needsFetch` when the bytes are a URI.
 */
export function decodeSpec(input: Uint8Array | Hex, options: { expectedHash?: Hex } = {}): DecodeSpecResult {
  const decoded = decodeCanonical("spec", input, { ...options, maxBytes: MAX_PAYLOAD_BYTES });
  if (!decoded.ok) return decoded;
  const parsed = parseSpec(decoded.value);
  if (!parsed.ok) return { ok: false, error: parsed.error.message };
  if (!sameBytes(canonicalBytes(parsed.spec), decoded.bytes)) {
    return {
      ok: false,
      error:
        "spec is not in canonical form (sorted keys, no whitespace, checksummed addresses); re-encode it with encodeSpec",
    };
  }
  return { ok: true, spec: parsed.spec, hash: decoded.hash };
}

// ---------------------------------------------------------------- results

/**
 * Canonical JSON bytes of a job result, for `submitResult`. Unlike specs, results may hold any
 * finite number (an http.json price of 1234.56), written the RFC 8785 way (see `CanonicalOptions`).
 * Throws `CanonicalJsonError`, or `PayloadTooLargeError` above `maxBytes` (default
 * `MAX_PAYLOAD_BYTES`, the inline limit; pass `Infinity` when the result will be stored at a URI).
 */
export function encodeResult(value: unknown, options: { maxBytes?: number } = {}): Uint8Array {
  const bytes = canonicalBytes(value, RESULT_NUMBERS);
  const max = options.maxBytes ?? MAX_PAYLOAD_BYTES;
  if (bytes.length > max) throw new PayloadTooLargeError("the encoded result", bytes.length, max);
  return bytes;
}

/** keccak256 of the canonical result bytes (any size): the `resultHash` of `submitResult`. */
export function resultHash(value: unknown): Hex {
  return keccak256(encodeResult(value, { maxBytes: Number.POSITIVE_INFINITY }));
}

/**
 * Decodes a result from a `ResultSubmitted` event (or fetched from its URI); never throws (see
 * `decodeSpec`). Numbers must be in their RFC 8785 form: `1.5`, not `1.50`, `15e-1` or `-0`.
 */
export function decodeResult(input: Uint8Array | Hex, options: { expectedHash?: Hex } = {}): DecodeResultResult {
  const decoded = decodeCanonical("result", input, options);
  if (!decoded.ok) return decoded;
  let canonical: Uint8Array;
  try {
    canonical = canonicalBytes(decoded.value, RESULT_NUMBERS);
  } catch (error) {
    return { ok: false, error: `result is not canonical JSON: ${(error as Error).message}` };
  }
  if (!sameBytes(canonical, decoded.bytes)) {
    return {
      ok: false,
      error:
        "result is not in canonical form (sorted keys, no whitespace, shortest number forms); re-encode it with encodeResult",
    };
  }
  return { ok: true, value: decoded.value as JsonValue, hash: decoded.hash };
}
