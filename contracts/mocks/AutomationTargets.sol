// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAutomationTarget} from "../automation/interfaces/IAutomationTarget.sol";

/// @notice A configurable upkeep target for tests, the demo and benchmarks: a condition to switch
/// on, a log to emit, and perform behaviours (succeed, revert, burn all gas).
contract AutomationTestTarget {
    /// @notice How `performUpkeep` behaves.
    enum Mode {
        Succeed,
        Revert,
        BurnGas
    }

    /// @notice Emitted by `ping`: a log trigger's source.
    event Ping(uint256 indexed tag, address indexed from, uint256 value);
    /// @notice A perform arrived.
    event Performed(uint256 count, address caller, bytes performData);

    error TargetFailed(string why);
    error OnlySimulatedBackend();
    error NotForwarder(address caller);

    bool public needed;
    Mode public mode;
    bool public simulationOnly;
    address public forwarder;
    uint256 public performs;
    uint256 public gasAtStart;
    address public lastCaller;
    bytes public lastPerformData;

    function setNeeded(bool value) external {
        needed = value;
    }

    function setMode(Mode value) external {
        mode = value;
    }

    /// @notice Makes `checkUpkeep` revert unless simulated from `address(0)`, like Chainlink's
    /// `cannotExecute` guard.
    function setSimulationOnly(bool value) external {
        simulationOnly = value;
    }

    /// @notice Accept performs only from this forwarder (zero: from anyone).
    function setForwarder(address value) external {
        forwarder = value;
    }

    function ping(uint256 tag, uint256 value) external {
        emit Ping(tag, msg.sender, value);
    }

    function checkUpkeep(bytes calldata checkData) external view returns (bool, bytes memory) {
        // solhint-disable-next-line avoid-tx-origin
        if (simulationOnly && tx.origin != address(0)) revert OnlySimulatedBackend();
        return (needed, checkData);
    }

    /// @notice Every Ping log calls for a perform carrying its tag and value.
    function checkLog(IAutomationTarget.Log calldata log, bytes memory) external pure returns (bool, bytes memory) {
        return (true, abi.encode(log.topics[1], log.data, log.blockNumber, log.index));
    }

    function performUpkeep(bytes calldata performData) external {
        uint256 g = gasleft();
        if (forwarder != address(0) && msg.sender != forwarder) revert NotForwarder(msg.sender);
        if (mode == Mode.Revert) revert TargetFailed("target says no");
        if (mode == Mode.BurnGas) {
            while (gasleft() > 0) {
                g = g + 1;
            }
        }
        gasAtStart = g;
        performs += 1;
        needed = false;
        lastCaller = msg.sender;
        lastPerformData = performData;
        emit Performed(performs, msg.sender, performData);
    }
}

/// @notice A lean target for gas measurements: a counter, like Chainlink's UpkeepCounter.
contract AutomationCounter {
    uint256 public counter;
    uint256 public lastBlock;

    function checkUpkeep(bytes calldata) external view returns (bool, bytes memory) {
        return (block.number > lastBlock, "");
    }

    function checkLog(IAutomationTarget.Log calldata, bytes memory) external pure returns (bool, bytes memory) {
        return (true, "");
    }

    function performUpkeep(bytes calldata) external {
        counter += 1;
        lastBlock = block.number;
    }
}
