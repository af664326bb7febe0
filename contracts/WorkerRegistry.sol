// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IWorkerRegistry} from "./interfaces/IWorkerRegistry.sol";

/// @title Worker registry (stake, bonds, reputation)
/// @notice Inherited by the job market so that locking and releasing bonds on the bidding path
/// costs a storage write instead of a cross-contract call, and so that one contract holds one
/// ETH ledger. Bond functions are internal: only market logic can lock, release or slash.
abstract contract WorkerRegistry is IWorkerRegistry, ReentrancyGuardTransient {
    /// @notice Most capability tags a worker may declare.
    uint256 public constant MAX_CAPABILITIES = 16;
    /// @notice Longest metadata URI, in bytes.
    uint256 public constant MAX_METADATA_BYTES = 256;

    // One slot per worker: stake (96) | locked (96) | registered (8) | completed (32) |
    // noShows (16) | disputesLost (8).
    mapping(address worker => Worker) private _workers;
    // One slot per worker: amount (96) | readyAt (32).
    mapping(address worker => Unbonding) private _unbonding;
    // Earnings are not counted on chain: `JobSettled` carries each payout (price − fee).

    // ---------------------------------------------------------------- profile and stake

    /// @inheritdoc IWorkerRegistry
    function register(bytes32[] calldata capabilities, string calldata metadataURI) external nonReentrant {
        if (capabilities.length > MAX_CAPABILITIES) {
            revert WorkerRegistryTooManyCapabilities(capabilities.length, MAX_CAPABILITIES);
        }
        if (bytes(metadataURI).length > MAX_METADATA_BYTES) {
            revert WorkerRegistryMetadataTooLong(bytes(metadataURI).length, MAX_METADATA_BYTES);
        }
        _workers[msg.sender].registered = true;
        emit WorkerRegistered(msg.sender, capabilities, metadataURI);
    }

    /// @inheritdoc IWorkerRegistry
    function depositStake() external payable nonReentrant {
        Worker storage w = _workers[msg.sender];
        if (!w.registered) revert WorkerRegistryNotRegistered(msg.sender);
        if (msg.value == 0) revert WorkerRegistryZeroAmount();
        uint256 total = uint256(w.stake) + msg.value;
        if (total > type(uint96).max) revert WorkerRegistryAmountTooLarge(total);
        w.stake = uint96(total);
        emit StakeDeposited(msg.sender, msg.value, total);
    }

    /// @inheritdoc IWorkerRegistry
    function requestUnbond(uint96 amount) external nonReentrant {
        if (amount == 0) revert WorkerRegistryZeroAmount();
        Worker storage w = _workers[msg.sender];
        uint96 free = w.stake - w.locked;
        if (amount > free) revert WorkerRegistryInsufficientFreeStake(amount, free);
        w.stake -= amount;
        Unbonding storage u = _unbonding[msg.sender];
        // Cannot overflow: the sum is bounded by the worker's past stake, itself a uint96.
        uint96 total = u.amount + amount;
        uint256 end = block.timestamp + _unbondingDelay();
        if (end > type(uint32).max) revert WorkerRegistryTimestampOverflow(end);
        uint32 readyAt = uint32(end);
        u.amount = total;
        u.readyAt = readyAt;
        emit UnbondingStarted(msg.sender, amount, total, readyAt);
    }

    /// @inheritdoc IWorkerRegistry
    function withdrawUnbonded() external nonReentrant {
        _withdrawUnbonded(msg.sender);
    }

    /// @inheritdoc IWorkerRegistry
    function withdrawUnbondedTo(address to) external nonReentrant {
        if (to == address(0)) revert WorkerRegistryZeroAddress();
        _withdrawUnbonded(to);
    }

    function _withdrawUnbonded(address to) private {
        Unbonding memory u = _unbonding[msg.sender];
        if (u.amount == 0 || block.timestamp < u.readyAt) {
            revert WorkerRegistryUnbondingNotReady(u.readyAt, block.timestamp);
        }
        delete _unbonding[msg.sender];
        emit StakeWithdrawn(msg.sender, to, u.amount);
        (bool ok, ) = to.call{value: u.amount}("");
        if (!ok) revert WorkerRegistryTransferFailed(to, u.amount);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IWorkerRegistry
    function getWorker(address worker) external view returns (Worker memory) {
        return _workers[worker];
    }

    /// @inheritdoc IWorkerRegistry
    function getUnbonding(address worker) external view returns (Unbonding memory) {
        return _unbonding[worker];
    }

    // ---------------------------------------------------------------- market hooks

    /// @dev The unbonding delay in seconds, set by governance in the market.
    function _unbondingDelay() internal view virtual returns (uint32);

    /// @dev Returns a bond to the worker's free stake.
    function _releaseBond(address worker, uint96 bond) internal {
        _workers[worker].locked -= bond;
    }

    /// @dev Releases the execution bond; counts a completion only when `counts` (the job cost its
    /// requester a fee and was not self-posted).
    function _recordCompletion(address worker, uint96 bond, bool counts) internal {
        Worker storage w = _workers[worker];
        w.locked -= bond;
        if (counts && w.completed < type(uint32).max) w.completed += 1;
    }

    /// @dev Removes `amount` of a locked `bond` from the worker's stake and releases the rest.
    /// Counts a no-show or a lost dispute when `reason` says so.
    function _takeBond(address worker, uint96 bond, uint96 amount, bool noShow, bool disputeLost) internal {
        Worker storage w = _workers[worker];
        w.locked -= bond;
        w.stake -= amount;
        // Counters saturate so that a slash can never revert on overflow.
        if (noShow && w.noShows < type(uint16).max) w.noShows += 1;
        if (disputeLost && w.disputesLost < type(uint8).max) w.disputesLost += 1;
    }

    /// @dev Storage access for the market's bidding checks.
    function _worker(address worker) internal view returns (Worker storage) {
        return _workers[worker];
    }
}
