// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Governance is OpenZeppelin's TimelockController, deployed as is by the Ignition module; this
// import makes it part of the build so its artifact exists.
// solhint-disable-next-line no-unused-import
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
