// The job spec schema: one zod schema per kind (wasm, http.json, contract.call), and parsing
// with one issue per problem.
import { encodeFunctionData, getAddress, isAddress, parseAbiItem, type AbiFunction } from "viem";
import { z } from "zod";
import { CanonicalJsonError, SpecValidationError } from "../errors.js";
import type { Address } from "../types.js";
import { toAbiValue } from "./abiArgs.js";
import { canonicalize, type JsonValue } from "./canonical.js";
import { parseJsonPath } from "./jsonPath.js";

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

/**
 * An optional name for people (a workflow step's name from the builder): hashed and emitted with
 * the spec, so a page can show it from the chain alone; executors ignore it.
 */
const specName = z
  .string()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .refine((s) => [...s].every((c) => c >= " " && c !== "\u007f"), "must not contain control characters")
  .optional();

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
  name: specName,
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
  name: specName,
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
    name: specName,
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
