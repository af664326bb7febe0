// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Batched read calls for local chains
/// @notice Implements the `aggregate3` entry point of the widely deployed Multicall3, so clients
/// (viem's `multicall`) can batch many reads into one request on a chain where the canonical
/// Multicall3 is not deployed, such as a fresh local node. Public networks use the canonical one.
contract Multicall3 {
    /// @notice One call to make.
    /// @param target The contract to call.
    /// @param allowFailure Whether a revert of this call is reported instead of reverting the batch.
    /// @param callData The calldata.
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    /// @notice One call's outcome.
    /// @param success Whether the call succeeded.
    /// @param returnData Its return or revert data.
    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice A call that does not allow failure reverted.
    /// @param index Its position in the batch.
    error Multicall3CallFailed(uint256 index);

    /// @notice Makes every call in order and returns their outcomes.
    /// @param calls The calls.
    /// @return results One outcome per call.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            (bool success, bytes memory returnData) = calls[i].target.call(calls[i].callData);
            if (!success && !calls[i].allowFailure) revert Multicall3CallFailed(i);
            results[i] = Result(success, returnData);
        }
    }
}
