// SPDX-License-Identifier: MIT
// solhint-disable-next-line compiler-version
pragma solidity 0.8.16;

// Chainlink's UpkeepCounter, built unmodified by solc 0.8.16 (its own pinned version; see the compiler
// list in hardhat.config.ts) so that tests can check an Automation-compatible upkeep against Baton's
// keeper tooling. This import only makes it part of the build; the artifact is `UpkeepCounter`.
// solhint-disable-next-line no-unused-import
import {UpkeepCounter} from "@chainlink/contracts/src/v0.8/automation/testhelpers/UpkeepCounter.sol";
