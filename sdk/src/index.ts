// @baton/sdk: the TypeScript face of the Baton protocol, shared by keeper and frontend.
// Browser-safe; file-system helpers live in "@baton/sdk/node".
export * from "./generated/abis.js";
export * from "./types.js";
export * from "./errors.js";
export * from "./hashing.js";
export * from "./spec.js";
export * from "./events.js";
export * from "./reads.js";
export * from "./writes.js";
export * from "./addresses.js";
export * from "./workflow.js";
