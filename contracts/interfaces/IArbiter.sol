// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Dispute resolver chosen by a requester when posting a job
/// @notice A market calls `onDisputeOpened` when a result is disputed; the arbiter later answers
/// by calling the market's `rule`. If it never does, the market's ruling timeout lets anyone
/// settle the dispute in the worker's favour, so an arbiter cannot freeze funds.
interface IArbiter {
    /// @notice Called by the market in the same transaction that opens a dispute.
    /// @param jobId The disputed job.
    /// @param disputer Who opened the dispute and posted the dispute bond.
    /// @param worker The worker whose result is disputed.
    /// @param resultHash The disputed result's hash.
    function onDisputeOpened(uint256 jobId, address disputer, address worker, bytes32 resultHash) external;
}
