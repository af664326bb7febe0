// contract.call specs: JSON arguments coerced to the ABI types viem encodes, and the call a spec
// describes.
import { encodeFunctionData, isAddress, isHex, parseAbiItem, type AbiFunction, type AbiParameter } from "viem";
import type { Address, Hex } from "../types.js";
import type { ContractCallSpec } from "./schema.js";

function abiTypeError(path: (string | number)[], message: string): Error {
  return Object.assign(new Error(message), { argPath: path });
}

/** Converts JSON arguments to what viem encodes: integers from decimal strings or safe integers to bigint. */
export function toAbiValue(param: AbiParameter, value: unknown, path: (string | number)[]): unknown {
  const array = /^(.*)\[(\d*)\]$/.exec(param.type);
  if (array) {
    if (!Array.isArray(value)) throw abiTypeError(path, `expected an array for ${param.type}`);
    if (array[2] !== "" && value.length !== Number(array[2])) {
      throw abiTypeError(path, `expected ${array[2]} elements for ${param.type}, got ${value.length}`);
    }
    const inner = { ...param, type: array[1]! } as AbiParameter;
    return value.map((v, i) => toAbiValue(inner, v, [...path, i]));
  }
  if (param.type === "tuple") {
    const components = (param as { components: readonly AbiParameter[] }).components;
    const named = components.every((c) => c.name);
    const positional = Array.isArray(value)
      ? value
      : value !== null && typeof value === "object" && named
        ? components.map((c) => (value as Record<string, unknown>)[c.name!])
        : undefined;
    if (!positional || positional.length !== components.length) {
      throw abiTypeError(path, `expected ${components.length} tuple fields as an array${named ? " or an object" : ""}`);
    }
    const converted = components.map((c, i) => toAbiValue(c, positional[i], [...path, i]));
    return named ? Object.fromEntries(components.map((c, i) => [c.name!, converted[i]])) : converted;
  }
  if (param.type === "address" && !(typeof value === "string" && isAddress(value, { strict: false }))) {
    throw abiTypeError(path, "expected a 20-byte hex address");
  }
  if (param.type === "bool" && typeof value !== "boolean") throw abiTypeError(path, "expected true or false");
  if (param.type === "string" && typeof value !== "string") throw abiTypeError(path, "expected a string");
  const bytesN = /^bytes(\d*)$/.exec(param.type);
  if (
    bytesN &&
    !(
      typeof value === "string" &&
      isHex(value, { strict: true }) &&
      value.length % 2 === 0 &&
      (bytesN[1] === "" || value.length === 2 + 2 * Number(bytesN[1]))
    )
  ) {
    throw abiTypeError(
      path,
      `expected 0x-prefixed hex of ${bytesN[1] ? `${bytesN[1]} bytes` : "whole bytes (an even number of digits)"} for ${param.type}`,
    );
  }
  const int = /^(u?)int(\d*)$/.exec(param.type);
  if (int) {
    let n: bigint;
    if (typeof value === "string" && /^-?(0|[1-9][0-9]*)$/.test(value)) n = BigInt(value);
    else if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
    else throw abiTypeError(path, `expected a decimal string (or safe integer) for ${param.type}`);
    const bits = BigInt(int[2] || 256);
    const [min, max] = int[1] ? [0n, 2n ** bits - 1n] : [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n];
    if (n < min || n > max) throw abiTypeError(path, `${n} is out of range for ${param.type} (${min} to ${max})`);
    return n;
  }
  return value;
}

/** The call a `contract.call` spec describes, ready for viem's `call`/`readContract`. */
export function contractCallRequest(spec: ContractCallSpec): {
  to: Address;
  abi: readonly [AbiFunction];
  functionName: string;
  args: readonly unknown[];
  data: Hex;
  blockTag: "latest" | "safe" | "finalized";
} {
  const fn = parseAbiItem(spec.signature) as AbiFunction;
  const args = fn.inputs.map((p, i) => toAbiValue(p, spec.args[i], ["args", i]));
  const data = encodeFunctionData({ abi: [fn], functionName: fn.name, args });
  return { to: spec.to, abi: [fn], functionName: fn.name, args, data, blockTag: spec.blockTag ?? "latest" };
}
