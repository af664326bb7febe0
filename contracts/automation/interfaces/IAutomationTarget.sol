// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title What the automation registry calls on a target
/// @notice The selectors of Chainlink's `AutomationCompatibleInterface` and `ILogAutomation`, so a
/// contract written for Chainlink Automation runs unmodified. Declared here so that the protocol's
/// contracts do not depend on another package.
interface IAutomationTarget {
    /// @notice Chainlink's `Log` struct, as `checkLog` receives it.
    struct Log {
        uint256 index;
        uint256 timestamp;
        bytes32 txHash;
        uint256 blockNumber;
        bytes32 blockHash;
        address source;
        bytes32[] topics;
        bytes data;
    }

    /// @notice Whether a condition upkeep is due, and the data to perform it with. Keepers call it
    /// with `eth_call` from `address(0)`; the registry calls it on chain only for a due report.
    function checkUpkeep(bytes calldata checkData) external returns (bool upkeepNeeded, bytes memory performData);

    /// @notice Whether a log calls for a perform, and the data to perform it with (off chain only).
    function checkLog(
        Log calldata log,
        bytes memory checkData
    ) external returns (bool upkeepNeeded, bytes memory performData);

    /// @notice The action. Called by the upkeep's forwarder only; must validate `performData`.
    function performUpkeep(bytes calldata performData) external;
}
