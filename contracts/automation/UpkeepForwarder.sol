// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Upkeep forwarder
/// @notice The only `msg.sender` an upkeep's target ever sees. The registry deploys one per upkeep
/// (CREATE2, salt = upkeep id), so a target authorizes one address that survives any change of
/// keeper or lease. Only the registry may call it.
/// @dev A whole contract rather than an EIP-1167 clone: a clone's delegatecall reaches a cold
/// implementation on every perform (2,600 gas), while this costs once, at registration.
contract UpkeepForwarder {
    /// @notice Gas kept back before the exact-gas check, for the check itself and the call's
    /// fixed costs (cold account access, memory).
    uint256 public constant GAS_FOR_CALL_EXACT_CHECK = 5_000;
    /// @notice Longest revert reason returned to the registry, in bytes.
    uint256 public constant MAX_REASON_BYTES = 256;

    /// @notice The registry that owns every clone of this forwarder.
    address public immutable REGISTRY;

    /// @notice Someone other than the registry called.
    error UpkeepForwarderNotRegistry(address caller);
    /// @notice The transaction's gas cannot give the target exactly `gasLimit` (63/64 rule).
    error UpkeepForwarderInsufficientGas(uint256 gasLeft, uint256 gasLimit);
    /// @notice Returned (not thrown) as the reason when the target has no code.
    error UpkeepForwarderTargetHasNoCode(address target);

    constructor() {
        REGISTRY = msg.sender;
    }

    /// @notice Calls `target` with exactly `gasLimit` gas and `data`.
    /// @return success Whether the target returned without reverting (false when it has no code).
    /// @return gasUsed Gas the call used, measured around it.
    /// @return reason The revert data, truncated to `MAX_REASON_BYTES`.
    function forward(
        address target,
        uint256 gasLimit,
        bytes calldata data
    ) external returns (bool success, uint256 gasUsed, bytes memory reason) {
        if (msg.sender != REGISTRY) revert UpkeepForwarderNotRegistry(msg.sender);
        bytes memory payload = data;
        // Measured from before the code check: the target's first (cold) access is its own cost.
        uint256 before = gasleft();
        if (target.code.length == 0) {
            return (false, before - gasleft(), abi.encodeWithSelector(UpkeepForwarderTargetHasNoCode.selector, target));
        }
        uint256 g = gasleft();
        // The call gets `gasLimit` only if 63/64 of what is left after this check is more than it;
        // otherwise the EVM would silently give it less.
        if (
            g < GAS_FOR_CALL_EXACT_CHECK ||
            g - GAS_FOR_CALL_EXACT_CHECK - (g - GAS_FOR_CALL_EXACT_CHECK) / 64 <= gasLimit
        ) {
            revert UpkeepForwarderInsufficientGas(g, gasLimit);
        }
        assembly ("memory-safe") {
            success := call(gasLimit, target, 0, add(payload, 0x20), mload(payload), 0, 0)
            gasUsed := sub(before, gas())
        }
        if (!success) {
            uint256 size;
            assembly ("memory-safe") {
                size := returndatasize()
            }
            if (size > MAX_REASON_BYTES) size = MAX_REASON_BYTES;
            reason = new bytes(size);
            assembly ("memory-safe") {
                returndatacopy(add(reason, 0x20), 0, size)
            }
        }
    }
}
