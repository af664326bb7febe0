// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Settlement callback for requester contracts
/// @notice A requester that posts a job with `callback = true` receives this call when the job
/// settles. The market calls it with a fixed gas limit and ignores failure and return data, so
/// a consumer can never block settlement; it must be idempotent-safe and cheap.
interface IJobConsumer {
    /// @notice The job settled with an accepted result.
    /// @param jobId The settled job.
    /// @param resultHash The hash of the accepted result.
    /// @param worker The worker who delivered it.
    /// @param price The price paid for the work, before the protocol fee.
    function onJobSettled(uint256 jobId, bytes32 resultHash, address worker, uint256 price) external;
}
