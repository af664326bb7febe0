// Runtime validation of the spec shapes in types.ts. Specs come from the chain, so nothing is trusted:
// a wrong kind or version is UNSUPPORTED (another keeper may serve it), anything else malformed is
// BAD_INPUT (no keeper can).
import { z } from "zod";
import { ExecutionError, type ContractCallSpec, type HttpJsonSpec, type JsonValue, type WasmSpec } from "./types.js";

const json = z.json() as z.ZodType<JsonValue>;
const positiveInt = z.number().int().positive();

export const wasmSpecSchema = z.object({
  kind: z.literal("wasm"),
  version: z.literal(1),
  module: z.object({
    uri: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits"),
  }),
  input: z.discriminatedUnion("encoding", [
    z.object({ encoding: z.literal("utf8"), data: z.string() }),
    z.object({ encoding: z.literal("base64"), data: z.string() }),
    z.object({ encoding: z.literal("json"), data: json }),
  ]),
  limits: z.object({ timeoutMs: positiveInt.optional(), memoryMb: positiveInt.optional() }).optional(),
}) satisfies z.ZodType<WasmSpec>;

export const httpJsonSpecSchema = z.object({
  kind: z.literal("http.json"),
  version: z.literal(1),
  url: z.string().min(1),
  method: z.literal("GET").optional(),
  path: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
  limits: z.object({ timeoutMs: positiveInt.optional(), maxBytes: positiveInt.optional() }).optional(),
}) satisfies z.ZodType<HttpJsonSpec>;

export const contractCallSpecSchema = z.object({
  kind: z.literal("contract.call"),
  version: z.literal(1),
  chainId: positiveInt,
  to: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address"),
  signature: z.string().min(1),
  args: z.array(json),
  blockTag: z
    .union([
      z.enum(["latest", "safe", "finalized", "earliest", "pending"]),
      z.number().int().nonnegative(),
      z.string().regex(/^(0|[1-9][0-9]*)$/, "must be a block tag or a decimal block number"),
    ])
    .optional(),
}) satisfies z.ZodType<ContractCallSpec>;

/** Checks kind and version (UNSUPPORTED when they differ), then the shape (BAD_INPUT). */
export function parseSpec<T>(schema: z.ZodType<T>, kind: string, spec: unknown): T {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new ExecutionError("BAD_INPUT", "job spec must be a JSON object");
  }
  const { kind: actualKind, version } = spec as { kind?: unknown; version?: unknown };
  if (actualKind !== kind) {
    throw new ExecutionError("UNSUPPORTED", `this executor runs "${kind}" specs, not ${JSON.stringify(actualKind)}`);
  }
  if (version !== 1) {
    throw new ExecutionError("UNSUPPORTED", `${kind} spec version ${JSON.stringify(version)} is not supported`);
  }
  const parsed = schema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join(".") : "spec";
    throw new ExecutionError("BAD_INPUT", `invalid ${kind} spec: ${where}: ${issue.message}`);
  }
  return parsed.data;
}
