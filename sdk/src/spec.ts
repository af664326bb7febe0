// Job specs and results: one schema, one canonical encoding, one hash. `specHash(spec)` is what
// `postJob` commits to and what every keeper recomputes from the `JobPosted` event's bytes, so all
// parties agree on what was asked without trusting each other's JSON serializer.
import {
  encodeFunctionData,
  getAddress,
  hexToBytes,
  isAddress,
  isHex,
  keccak256,
  parseAbiItem,
  type AbiFunction,
  type AbiParameter,
} from "viem";
import { z } from "zod";
import { CanonicalJsonError, PayloadTooLargeError, SpecValidationError } from "./errors.js";
import { MAX_PAYLOAD_BYTES } from "./limits.js";
import type { Address, Hex } from "./types.js";

// ---------------------------------------------------------------- canonical JSON

/**
 * A value canonical JSON can carry. In specs numbers are safe integers only (amounts and decimals
 * travel as strings); results may hold any finite number (see `CanonicalOptions`).
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** How `canonicalize` treats numbers. */
export interface CanonicalOptions {
  /**
   * `"integers"` (the default; what specs use): safe integers only, so that amounts and decimals
   * travel as strings. `"finite"` (what results use): any finite number, written the RFC 8785
   * (JCS) way, which is ECMAScript's Number-to-String as `JSON.stringify` writes it (`1234.56`,
   * `1e+21`, `5e-324`). NaN and infinities are refused either way; -0 is written as `0`.
   */
  numbers?: "integers" | "finite";
}

/** A property name that a JSON path (see `parseJsonPath`) writes after a dot. */
const JSON_PATH_NAME = "[A-Za-z_][A-Za-z0-9_-]*";
const plainName = new RegExp(`^${JSON_PATH_NAME}$`);

/** The JSON path of `key` inside the value at `path`: `$.a.b`, `$.a["odd key"]`, `$.a[2]`. */
function pathStep(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return plainName.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * The canonical JSON text of `value`: object keys sorted (by UTF-16 code units, as RFC 8785)
 * at every level, no whitespace, strings escaped as `JSON.stringify` does, numbers as `options`
 * allow (by default safe integers only). Object properties whose value is `undefined` are left
 * out, as JSON does. Throws `CanonicalJsonError` (with the JSON path) for numbers not allowed,
 * NaN, infinities, bigints, `undefined` in arrays, functions, symbols, non-plain objects (Date,
 * Map, class instances) and cycles.
 */
export function canonicalize(value: unknown, options: CanonicalOptions = {}): string {
  const finite = options.numbers === "finite";
  const inProgress = new Set<object>();
  const walk = (v: unknown, path: string): string => {
    switch (typeof v) {
      case "string":
        return JSON.stringify(v);
      case "boolean":
        return v ? "true" : "false";
      case "number":
        if (!Number.isFinite(v)) {
          throw new CanonicalJsonError(path, `${v} is not a finite number; JSON cannot carry it`);
        }
        if (!finite && !Number.isSafeInteger(v)) {
          throw new CanonicalJsonError(
            path,
            `${v} is not a safe integer; specs carry only integers in ±(2^53-1) (put amounts and decimals in strings)`,
          );
        }
        // ECMAScript Number-to-String, the RFC 8785 form; String(-0) is "0".
        return String(v);
      case "bigint":
        throw new CanonicalJsonError(path, `bigint ${v}n is not JSON; encode it as the decimal string "${v}"`);
      case "object": {
        if (v === null) return "null";
        if (inProgress.has(v)) throw new CanonicalJsonError(path, "circular reference");
        inProgress.add(v);
        try {
          if (Array.isArray(v)) {
            return `[${v
              .map((item, i) => {
                if (item === undefined) throw new CanonicalJsonError(pathStep(path, i), "undefined is not JSON");
                return walk(item, pathStep(path, i));
              })
              .join(",")}]`;
          }
          const proto = Object.getPrototypeOf(v);
          if (proto !== Object.prototype && proto !== null) {
            throw new CanonicalJsonError(path, `${proto?.constructor?.name ?? "object"} is not a plain JSON object`);
          }
          const record = v as Record<string, unknown>;
          const keys = Object.keys(record)
            .filter((k) => record[k] !== undefined)
            .sort();
          return `{${keys.map((k) => `${JSON.stringify(k)}:${walk(record[k], pathStep(path, k))}`).join(",")}}`;
        } finally {
          inProgress.delete(v);
        }
      }
      default:
        throw new CanonicalJsonError(path, `${typeof v} is not JSON`);
    }
  };
  return walk(value, "$");
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Canonical JSON bytes of any JSON value (see `canonicalize`). */
export function canonicalBytes(value: unknown, options: CanonicalOptions = {}): Uint8Array {
  return utf8.encode(canonicalize(value, options));
}

/** Results carry any finite number; specs only safe integers. */
const RESULT_NUMBERS: CanonicalOptions = { numbers: "finite" };

// ---------------------------------------------------------------- JSON paths (http.json)

/**
 * Splits a JSON path such as `$.data.price`, `data.items[0].id` or `$["odd key"][2]` into its
 * steps: property names (strings) and array indices (numbers). `$` alone is the whole document.
 * Grammar: optional `$`, then `.name` (letters, digits, `_`, `-`, not starting with a digit),
 * `[index]` or `["any key"]`; without `$` the first step may be a bare name. Throws on anything else.
 */
export function parseJsonPath(path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`invalid JSON path ${JSON.stringify(path)} at ${i}: ${why}`);
  };
  const name = new RegExp(JSON_PATH_NAME, "y");
  const index = /\[(0|[1-9][0-9]{0,8})\]/y;
  const quoted = /\[("(?:[^"\\]|\\.)*")\]/y;
  if (path.startsWith("$")) i = 1;
  else {
    name.lastIndex = 0;
    const m = name.exec(path);
    if (!m) fail('expected "$" or a property name');
    steps.push(m![0]);
    i = m![0].length;
  }
  while (i < path.length) {
    if (path[i] === ".") {
      name.lastIndex = i + 1;
      const m = name.exec(path);
      if (!m) fail("expected a property name after '.'");
      steps.push(m![0]);
      i = name.lastIndex;
    } else if (path[i] === "[") {
      index.lastIndex = i;
      quoted.lastIndex = i;
      const n = index.exec(path);
      const q = n ? null : quoted.exec(path);
      if (n) {
        steps.push(Number(n[1]));
        i = index.lastIndex;
      } else if (q) {
        let key: unknown;
        try {
          key = JSON.parse(q[1]!);
        } catch {
          fail("invalid quoted key (it must be a JSON string)");
        }
        steps.push(key as string);
        i = quoted.lastIndex;
      } else fail('expected [index] or ["key"]');
    } else fail("expected '.' or '['");
  }
  return steps;
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Follows a JSON path (see `parseJsonPath`) into a parsed document: the value, or why the document
 * has none there (`index 7 is out of range for an array of length 3 at $.data.items`). Only own
 * properties count, so `$.toString` finds nothing. Throws on a malformed path.
 */
export function selectJsonPath(
  document: unknown,
  path: string,
): { found: true; value: unknown } | { found: false; reason: string } {
  let current = document;
  let here = "$";
  for (const step of parseJsonPath(path)) {
    if (typeof step === "number") {
      if (!Array.isArray(current)) {
        return { found: false, reason: `expected an array but found ${describeJson(current)} at ${here}` };
      }
      if (step >= current.length) {
        return { found: false, reason: `index ${step} is out of range for ${describeJson(current)} at ${here}` };
      }
      current = current[step];
    } else {
      if (current === null || typeof current !== "object" || Array.isArray(current)) {
        return { found: false, reason: `expected an object but found ${describeJson(current)} at ${here}` };
      }
      if (!Object.prototype.hasOwnProperty.call(current, step)) {
        return { found: false, reason: `no key ${JSON.stringify(step)} at ${here}` };
      }
      current = (current as Record<string, unknown>)[step];
    }
    here = pathStep(here, step);
  }
  return { found: true, value: current };
}

// ---------------------------------------------------------------- contract.call arguments

function abiTypeError(path: (string | number)[], message: string): Error {
  return Object.assign(new Error(message), { argPath: path });
}

/** Converts JSON arguments to what viem encodes: integers from decimal strings or safe integers to bigint. */
function toAbiValue(param: AbiParameter, value: unknown, path: (string | number)[]): unknown {
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

// ---------------------------------------------------------------- schema

const jsonValueSchema = z.unknown().superRefine((value, ctx) => {
  try {
    canonicalize(value);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    ctx.addIssue({ code: "custom", message: `not canonical JSON: ${error.message}` });
  }
}) as z.ZodType<JsonValue>;

const uri = (schemes: readonly string[], what: string) =>
  z.string().refine((s) => {
    const scheme = /^([a-z][a-z0-9+.-]*):/.exec(s)?.[1];
    if (!scheme || !schemes.includes(scheme)) return false;
    if (scheme === "http" || scheme === "https") {
      try {
        const u = new URL(s);
        return u.username === "" && u.password === "";
      } catch {
        return false;
      }
    }
    return s.length > scheme.length + 1;
  }, `must be ${what} (without credentials: specs are public)`);

const limitInt = (min: number, max: number, unit: string) =>
  z.int().min(min, `must be at least ${min} ${unit}`).max(max, `must be at most ${max} ${unit}`);

/**
 * Workflow inputs (wasm steps only): `{ [name]: { step, path? } }` names the workflow step (index in
 * the workflow's DAG, which must be one of the step's dependencies) whose settled result this job
 * consumes under `name`, optionally narrowed by a JSON path (`$[0]`, `$.items`). The orchestrator
 * binds each parent's result hash into the posted spec hash; keepers fetch the results, check them
 * against those hashes, and hand the values to the module after its own input (see
 * `composeWasmInput`). Jobs outside workflows omit it.
 */
const inputsSchema = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "input names are identifiers of at most 64 characters"),
    z.strictObject({
      step: z.int().min(0, "must be a step index (>= 0)").max(255, "must be at most 255"),
      path: z
        .string()
        .superRefine((p, ctx) => {
          try {
            parseJsonPath(p);
          } catch (error) {
            ctx.addIssue({ code: "custom", message: (error as Error).message });
          }
        })
        .optional(),
    }),
  )
  .refine((r) => Object.keys(r).length <= 16, "at most 16 inputs");

const base64 = z
  .string()
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, "must be standard padded base64");

/**
 * `wasm`: run a WebAssembly module (fetched by URI, checked by SHA-256) on an input. Deterministic.
 * `file:` and `data:` module URIs serve local development and tests; a keeper should only follow
 * `file:` URIs inside directories its operator allows.
 */
export const wasmSpecSchema = z.strictObject({
  kind: z.literal("wasm"),
  version: z.literal(1),
  module: z.strictObject({
    uri: uri(["http", "https", "ipfs", "data", "file"], "an http(s)://, ipfs://, data: or file: URI"),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters (SHA-256 of the module bytes)"),
  }),
  input: z.discriminatedUnion(
    "encoding",
    [
      z.strictObject({ encoding: z.literal("utf8"), data: z.string() }),
      z.strictObject({ encoding: z.literal("base64"), data: base64 }),
      z.strictObject({ encoding: z.literal("json"), data: jsonValueSchema }),
    ],
    { error: (issue) => (issue.input === undefined ? "is required" : 'must be "utf8", "base64" or "json"') },
  ),
  limits: z
    .strictObject({
      timeoutMs: limitInt(1, 600_000, "ms").optional(),
      memoryMb: limitInt(1, 512, "MB").optional(),
    })
    .optional(),
  inputs: inputsSchema.optional(),
});

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `http.json`: GET a URL and extract one value by JSON path (oracle-style). */
export const httpJsonSpecSchema = z.strictObject({
  kind: z.literal("http.json"),
  version: z.literal(1),
  url: uri(["http", "https"], "an http:// or https:// URL"),
  method: z.literal("GET", { error: 'must be "GET"' }),
  path: z.string().superRefine((p, ctx) => {
    try {
      parseJsonPath(p);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  }),
  headers: z
    .record(
      z.string().regex(headerName, "header names must be HTTP tokens"),
      z.string().regex(/^[^\r\n\0]*$/, "header values must not contain CR, LF or NUL"),
    )
    .refine((h) => Object.keys(h).length <= 16, "at most 16 headers")
    .optional(),
  limits: z
    .strictObject({
      timeoutMs: limitInt(1, 600_000, "ms").optional(),
      maxBytes: limitInt(1, 10 * 1024 * 1024, "bytes").optional(),
    })
    .optional(),
});

/** `contract.call`: call a contract function (read or simulate) and report its return value. */
export const contractCallSpecSchema = z
  .strictObject({
    kind: z.literal("contract.call"),
    version: z.literal(1),
    chainId: z.int().min(1, "must be a positive chain id"),
    to: z
      .string()
      .refine((a) => isAddress(a, { strict: false }), "must be a 20-byte hex address")
      .transform((a) => getAddress(a) as Address),
    signature: z.string().superRefine((s, ctx) => {
      try {
        if (parseAbiItem(s).type !== "function") throw new Error("not a function");
      } catch {
        ctx.addIssue({
          code: "custom",
          message: 'must be a human-readable function, e.g. "function latestAnswer() view returns (int256)"',
        });
      }
    }),
    args: z.array(jsonValueSchema),
    blockTag: z.enum(["latest", "safe", "finalized"], { error: 'must be "latest", "safe" or "finalized"' }).optional(),
  })
  .superRefine((spec, ctx) => {
    // Arguments that are not JSON were reported already; type-checking them would repeat that.
    try {
      canonicalize(spec.args);
    } catch {
      return;
    }
    let fn: AbiFunction;
    try {
      fn = parseAbiItem(spec.signature) as AbiFunction;
      if (fn.type !== "function") return; // reported on `signature`
    } catch {
      return;
    }
    if (spec.args.length !== fn.inputs.length) {
      ctx.addIssue({
        code: "custom",
        path: ["args"],
        message: `${fn.name} takes ${fn.inputs.length} argument${fn.inputs.length === 1 ? "" : "s"}, got ${spec.args.length}`,
      });
      return;
    }
    try {
      const args = fn.inputs.map((p, i) => toAbiValue(p, spec.args[i], ["args", i]));
      encodeFunctionData({ abi: [fn], functionName: fn.name, args });
    } catch (error) {
      const argPath = (error as { argPath?: (string | number)[] }).argPath;
      const message = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
      ctx.addIssue({ code: "custom", path: argPath ?? ["args"], message });
    }
  });

/** Every job spec, discriminated by `kind`. Strict: unknown fields are errors, so one spec has one hash. */
export const jobSpecSchema = z.discriminatedUnion(
  "kind",
  [wasmSpecSchema, httpJsonSpecSchema, contractCallSpecSchema],
  {
    error: (issue) =>
      issue.input === null || typeof issue.input !== "object" || Array.isArray(issue.input)
        ? "a job spec must be a JSON object"
        : 'must be "wasm", "http.json" or "contract.call"',
  },
);

/** A validated job spec (addresses checksummed). */
export type JobSpec = z.output<typeof jobSpecSchema>;
/** What `encodeSpec` accepts (addresses in any case). */
export type JobSpecInput = z.input<typeof jobSpecSchema>;
export type WasmSpec = z.output<typeof wasmSpecSchema>;
export type HttpJsonSpec = z.output<typeof httpJsonSpecSchema>;
export type ContractCallSpec = z.output<typeof contractCallSpecSchema>;
export type JobKind = JobSpec["kind"];
export const jobKinds = ["wasm", "http.json", "contract.call"] as const satisfies readonly JobKind[];

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const step of path) {
    if (typeof step === "number") out += `[${step}]`;
    else if (typeof step === "string" && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(step)) out += out ? `.${step}` : step;
    else out += `[${JSON.stringify(String(step))}]`;
  }
  return out;
}

/** Validates `value` against `jobSpecSchema`: the spec, or `SpecValidationError` with every problem by field. */
export function parseSpec(value: unknown): { ok: true; spec: JobSpec } | { ok: false; error: SpecValidationError } {
  const result = jobSpecSchema.safeParse(value, {
    error: (issue) => {
      if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
      if (issue.code === "unrecognized_keys") {
        return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
      }
      if (issue.code === "invalid_value" && issue.values.length === 1)
        return `must be ${JSON.stringify(issue.values[0])}`;
      return undefined;
    },
  });
  if (result.success) return { ok: true, spec: result.data };
  const issues = result.error.issues.map((issue) => {
    // Record keys report the key's own problem nested inside.
    const nested = issue.code === "invalid_key" ? issue.issues[0]?.message : undefined;
    return { path: formatPath(issue.path), message: nested ?? issue.message };
  });
  return { ok: false, error: new SpecValidationError(issues) };
}

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

// ---------------------------------------------------------------- decoding

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

// ---------------------------------------------------------------- executor helpers

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
