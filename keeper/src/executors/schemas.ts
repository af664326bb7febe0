// Validation of specs for one executor, with the sdk's schema: the executors run exactly what the
// protocol hashes. Specs come from the chain, so nothing is trusted: a wrong kind or version is
// UNSUPPORTED (another keeper may serve it), anything else malformed is BAD_INPUT (no keeper can).
// The keeper's own limits (timeouts, sizes) are checked by each executor after this.
import { parseSpec, type JobKind, type JobSpec } from "@baton/sdk";
import { ExecutionError } from "./types.js";

/** Checks kind and version (UNSUPPORTED when they differ), then the whole spec (BAD_INPUT). */
export function validateSpec<K extends JobKind>(kind: K, spec: unknown): Extract<JobSpec, { kind: K }> {
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
  const parsed = parseSpec(spec);
  if (!parsed.ok) throw new ExecutionError("BAD_INPUT", parsed.error.message, { cause: parsed.error });
  return parsed.spec as Extract<JobSpec, { kind: K }>;
}
