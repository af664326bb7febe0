// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Chainlink Automation's interfaces (`pragma solidity ^0.8.0`), built by solc 0.8.28 like the rest of
// Baton so that their artifacts and typechain types exist for upkeeps and tests.
// solhint-disable-next-line no-unused-import
import {AutomationCompatibleInterface} from "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";
// solhint-disable-next-line no-unused-import
import {ILogAutomation} from "@chainlink/contracts/src/v0.8/automation/interfaces/ILogAutomation.sol";
