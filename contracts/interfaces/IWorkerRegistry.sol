// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Baton worker registry
/// @notice Workers register their capabilities, stake ETH as collateral and build an on-chain
/// reputation. Stake backs bid bonds and execution bonds; only the market locks, releases or
/// slashes it, and free stake leaves only through an unbonding delay.
interface IWorkerRegistry {
    /// @notice A worker's stake and reputation, as stored in one slot.
    /// @param stake Total ETH staked, in wei, including the locked part.
    /// @param locked Part of `stake` held as bid or execution bonds for open jobs, in wei.
    /// @param registered Whether the worker has registered.
    /// @param completed Jobs the worker has settled successfully that cost their requester
    /// something: a job whose protocol fee rounded to zero, or that the worker posted itself, does
    /// not count (so reputation cannot be farmed with free self-posted jobs).
    /// @param noShows Jobs the worker won and did not deliver before the execution deadline, or
    /// gave back with `abandon`.
    /// @param disputesLost Disputes the arbiter ruled against the worker.
    struct Worker {
        uint96 stake;
        uint96 locked;
        bool registered;
        uint32 completed;
        uint16 noShows;
        uint8 disputesLost;
    }

    /// @notice Stake on its way out of the registry.
    /// @param amount Wei waiting for the end of the unbonding delay.
    /// @param readyAt Unix time (seconds) from which `amount` may be withdrawn.
    struct Unbonding {
        uint96 amount;
        uint32 readyAt;
    }

    /// @notice A worker registered or changed its profile.
    /// @param worker The worker's address.
    /// @param capabilities Executor kinds the worker serves, as short strings (e.g. "wasm").
    /// @param metadataURI Where the worker describes itself (endpoint, contact, policy).
    event WorkerRegistered(address indexed worker, bytes32[] capabilities, string metadataURI);

    /// @notice A worker added stake.
    /// @param worker The worker's address.
    /// @param amount Wei added.
    /// @param totalStake The worker's total stake afterwards, in wei.
    event StakeDeposited(address indexed worker, uint256 amount, uint256 totalStake);

    /// @notice A worker moved free stake into unbonding.
    /// @param worker The worker's address.
    /// @param amount Wei added to unbonding.
    /// @param totalUnbonding All wei now unbonding for this worker.
    /// @param readyAt Unix time from which the unbonding stake may be withdrawn.
    event UnbondingStarted(address indexed worker, uint256 amount, uint256 totalUnbonding, uint32 readyAt);

    /// @notice A worker withdrew stake whose unbonding delay has passed.
    /// @param worker The worker's address.
    /// @param to The recipient.
    /// @param amount Wei sent.
    event StakeWithdrawn(address indexed worker, address to, uint256 amount);

    /// @notice The worker has not registered.
    /// @param worker The caller or bidder.
    error WorkerRegistryNotRegistered(address worker);

    /// @notice More than the coded maximum of capability tags was given.
    /// @param count Tags given.
    /// @param max Tags allowed.
    error WorkerRegistryTooManyCapabilities(uint256 count, uint256 max);

    /// @notice The metadata URI is longer than the coded maximum.
    /// @param length Bytes given.
    /// @param max Bytes allowed.
    error WorkerRegistryMetadataTooLong(uint256 length, uint256 max);

    /// @notice A zero amount was given where a positive one is needed.
    error WorkerRegistryZeroAmount();

    /// @notice The amount does not fit the 96-bit stake accounting.
    /// @param amount The amount, in wei.
    error WorkerRegistryAmountTooLarge(uint256 amount);

    /// @notice The worker asked to unbond more than its free (unlocked) stake.
    /// @param requested Wei requested.
    /// @param free Wei of stake that is not locked.
    error WorkerRegistryInsufficientFreeStake(uint256 requested, uint256 free);

    /// @notice Unbonding stake was withdrawn before its delay passed, or nothing is unbonding.
    /// @param readyAt Unix time from which withdrawal works (0 when nothing is unbonding).
    /// @param nowTime The current block time.
    error WorkerRegistryUnbondingNotReady(uint32 readyAt, uint256 nowTime);

    /// @notice Sending ETH to the worker failed.
    /// @param to The recipient.
    /// @param amount Wei that could not be sent.
    error WorkerRegistryTransferFailed(address to, uint256 amount);

    /// @notice Registers the caller as a worker, or updates its profile.
    /// @param capabilities Executor kinds served, at most `MAX_CAPABILITIES`.
    /// @param metadataURI Where the worker describes itself, at most `MAX_METADATA_BYTES` bytes.
    function register(bytes32[] calldata capabilities, string calldata metadataURI) external;

    /// @notice Adds the ETH sent to the caller's stake. The caller must be registered.
    function depositStake() external payable;

    /// @notice Moves `amount` of free stake into unbonding; adding to unbonding restarts the delay.
    /// @param amount Wei to unbond.
    function requestUnbond(uint96 amount) external;

    /// @notice Sends the caller all unbonding stake whose delay has passed.
    function withdrawUnbonded() external;

    /// @notice Sends all of the caller's unbonding stake whose delay has passed to `to` (for
    /// workers that cannot receive ETH themselves).
    /// @param to The recipient.
    function withdrawUnbondedTo(address to) external;

    /// @notice The recipient is the zero address.
    error WorkerRegistryZeroAddress();

    /// @notice The unbonding deadline would fall after the last second a `uint32` timestamp can
    /// hold (2106-02-07 06:28:15 UTC).
    /// @param readyAt The deadline that does not fit, in Unix seconds.
    error WorkerRegistryTimestampOverflow(uint256 readyAt);

    /// @notice The worker's stake and reputation.
    /// @param worker The worker's address.
    function getWorker(address worker) external view returns (Worker memory);

    /// @notice The worker's unbonding stake.
    /// @param worker The worker's address.
    function getUnbonding(address worker) external view returns (Unbonding memory);
}
