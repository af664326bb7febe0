// Workflows: a DAG of jobs run by the WorkflowOrchestrator with one budget.
export * from "./build.js";
export * from "./bind.js";
export * from "./state.js";
export * from "./reads.js";
export * from "./inputs.js";
export * from "./writes.js";
