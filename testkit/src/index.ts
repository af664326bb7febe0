// The kit's browser-safe part. Node-only parts are the subpaths `@baton/testkit/devnet`,
// `/modules`, `/process` and `/artifacts`. Tests import the enums (`JobState`, …) from `@baton/sdk`;
// src/enums.ts is the contract tests' mirror (they run as CommonJS and cannot load the sdk).
export { sampleSpec, sampleTerms } from "./terms.js";
