import hre from "hardhat";

/**
 * True while `npm run coverage` runs: instrumented contracts use more gas, so assertions about
 * exact gas are meaningful only in the ordinary test run.
 */
export const coverageRun = Boolean(
  (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING,
);
