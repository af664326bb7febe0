// Job specs and results: one schema, one canonical encoding, one hash. `specHash(spec)` is what
// `postJob` commits to and what every keeper recomputes from the `JobPosted` event's bytes, so all
// parties agree on what was asked without trusting each other's JSON serializer.
export { canonicalBytes, canonicalize, type CanonicalOptions, type JsonValue } from "./canonical.js";
export * from "./jsonPath.js";
export { contractCallRequest } from "./abiArgs.js";
export * from "./schema.js";
export * from "./codec.js";
