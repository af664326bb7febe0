// @baton/sdk: the TypeScript face of the Baton protocol, shared by keeper and frontend.
// Browser-safe; file-system helpers live in "@baton/sdk/node". docs/ARCHITECTURE.md maps the
// modules and who uses which.
export * from "./generated/abis.js";
export * from "./limits.js";
export * from "./types.js";
export * from "./errors.js";
export * from "./hashing.js";
export * from "./packed.js";
export * from "./spec/index.js";
export * from "./terms.js";
export * from "./events.js";
export * from "./logs.js";
export * from "./reads.js";
export * from "./calls.js";
export * from "./gas.js";
export * from "./send.js";
export * from "./receipts.js";
export * from "./writes.js";
export * from "./addresses.js";
export * from "./workflow/index.js";
export * from "./automation/cron.js";
export * from "./automation/upkeeps.js";
