// How a step's inputs are bound to its parents' results: the spec hash it is posted with, and the
// bytes its wasm module receives. Pure: no I/O.
import { concat, keccak256 } from "viem";
import { canonicalBytes, type JsonValue } from "../spec/index.js";
import type { Hex } from "../types.js";

/** The spec hash a step with dependencies is posted with: keccak256(template hash ‖ parent result hashes). */
export function bindInputs(templateHash: Hex, parentResultHashes: readonly Hex[]): Hex {
  return parentResultHashes.length === 0 ? templateHash : keccak256(concat([templateHash, ...parentResultHashes]));
}

/**
 * The bytes a wasm step's module receives: its own input, then each workflow input in name order,
 * joined by newlines. A string input is passed as its UTF-8 text, anything else as canonical JSON
 * with numbers as results carry them (any finite number, as `encodeResult` writes it).
 * Jobs without inputs get their own input unchanged.
 */
export function composeWasmInput(own: Uint8Array, values: Readonly<Record<string, JsonValue>>): Uint8Array {
  const names = Object.keys(values).sort();
  if (names.length === 0) return own;
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = own.length > 0 ? [own] : [];
  for (const name of names) {
    const v = values[name]!;
    parts.push(typeof v === "string" ? encoder.encode(v) : canonicalBytes(v, { numbers: "finite" }));
  }
  const total = parts.reduce((n, p) => n + p.length, 0) + parts.length - 1;
  const out = new Uint8Array(total);
  let at = 0;
  parts.forEach((p, i) => {
    if (i > 0) out[at++] = 0x0a;
    out.set(p, at);
    at += p.length;
  });
  return out;
}
