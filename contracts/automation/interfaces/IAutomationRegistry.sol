// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Baton automation registry
/// @notice Upkeeps: an action on a target contract that runs when a time comes due, a contract
/// emits a log, or a condition on chain turns true. Keepers staked in this registry serve them.
/// Recurring work is sold as a lease: one sealed-bid auction per epoch decides which keeper serves
/// an upkeep and at what premium per perform; within the epoch a perform costs its own gas plus a
/// fixed overhead and the premium. An upkeep without a lease is served by any staked keeper at the
/// owner's maximum premium; a lease holder that misses a due perform is replaced by any staked
/// keeper after a grace period and loses part of its bond.
/// @dev Targets follow Chainlink's `AutomationCompatibleInterface` (`checkUpkeep` / `performUpkeep`)
/// and `ILogAutomation` (`checkLog`). The target always sees its upkeep's forwarder as
/// `msg.sender` (`forwarderOf`). Keepers compute `performData` off chain; a target must validate it.
interface IAutomationRegistry {
    // ---------------------------------------------------------------- types

    /// @notice What triggers an upkeep.
    /// @dev Condition: the target's `checkUpkeep(checkData)`; at most one perform per block.
    /// Interval: every `interval` seconds, on multiples of it in unix time (UTC-aligned); the latest
    /// due tick only.
    /// Cron: a 5-field UTC cron expression; the latest due tick only, checked on chain.
    /// Log: a log filter and the target's `checkLog(log, checkData)`; each log at most once, in order.
    enum TriggerKind {
        Condition,
        Interval,
        Cron,
        Log
    }

    /// @notice An upkeep's life cycle. Paused upkeeps keep their leases and refuse performs.
    enum UpkeepStatus {
        None,
        Active,
        Paused,
        Canceled
    }

    /// @notice A log filter: the emitter, the event's topic0 and up to three more topics.
    /// @param emitter The contract whose logs trigger the upkeep.
    /// @param topic0 The event signature hash.
    /// @param topics Further topics (topic1..topic3); at most three.
    /// @param topicMask Bit i set: `topics[i]` must equal the log's topic i+1; unset: any value.
    struct LogFilter {
        address emitter;
        bytes32 topic0;
        bytes32[3] topics;
        uint8 topicMask;
    }

    /// @notice What a new upkeep is.
    /// @param target The contract to call: `performUpkeep(performData)`.
    /// @param kind The trigger kind.
    /// @param trigger ABI-encoded trigger: `uint32 interval` (Interval), `string cron` (Cron),
    /// `LogFilter` (Log), empty (Condition).
    /// @param checkData Passed to `checkUpkeep` / `checkLog`; must be empty for time triggers.
    /// @param performGasLimit Gas the target gets for each perform, exactly.
    /// @param maxGasPrice Highest gas price, in wei, at which the owner pays a perform's gas.
    /// @param maxPremium Highest premium per perform, in wei: the lease reserve price and the open
    /// service's price.
    struct Registration {
        address target;
        TriggerKind kind;
        bytes trigger;
        bytes checkData;
        uint32 performGasLimit;
        uint48 maxGasPrice;
        uint64 maxPremium;
    }

    /// @notice An upkeep as the views return it.
    /// @param owner Who may pause, cancel and withdraw.
    /// @param target The contract performed.
    /// @param forwarder The upkeep's forwarder: the target's only caller.
    /// @param kind The trigger kind.
    /// @param status Active, paused or canceled.
    /// @param performGasLimit Gas the target gets per perform.
    /// @param balance Wei left to pay performs.
    /// @param cursor Last performed: block (Condition), tick (Interval, Cron; at registration the
    /// registration time), or the log's position `(blockNumber << 24 | logIndex) + 1` (Log; at
    /// registration `registrationBlock << 24`).
    /// @param owed Wei earned by the lease holder of `owedEpoch` and not yet in its credits.
    /// @param owedEpoch The epoch `owed` belongs to.
    /// @param maxGasPrice Highest gas price paid, in wei.
    /// @param maxPremium Highest premium per perform, in wei.
    /// @param withdrawableAt For a canceled upkeep, when its balance may be withdrawn.
    /// @param trigger The stored trigger word: interval seconds, packed cron spec, or
    /// `emitter | topicMask << 160` for logs.
    struct Upkeep {
        address owner;
        address target;
        address forwarder;
        TriggerKind kind;
        UpkeepStatus status;
        uint32 performGasLimit;
        uint96 balance;
        uint64 cursor;
        uint64 owed;
        uint32 owedEpoch;
        uint48 maxGasPrice;
        uint64 maxPremium;
        uint32 withdrawableAt;
        uint256 trigger;
    }

    /// @notice The lease of one epoch, as stored in one slot.
    /// @param holder The winning bidder so far (final once the reveal window closes); zero: none.
    /// @param premium The holder's premium per perform, in wei.
    /// @param pending Commitments neither revealed nor forfeited.
    /// @param bondHeld Whether the holder's bond is still locked (cleared by `closeLease`).
    /// @param misses Performs a backup made for this lease; each took `missPenalty` of the bond.
    struct Lease {
        address holder;
        uint64 premium;
        uint16 pending;
        bool bondHeld;
        uint8 misses;
    }

    /// @notice A log as the keeper saw it, in Chainlink's `Log` terms.
    /// @param blockNumber The block that holds the log.
    /// @param blockHash That block's hash; checked while the chain still returns it (256 blocks).
    /// @param logIndex The log's index in its block.
    /// @param txHash The transaction that emitted it (reported in the event).
    /// @param source The emitter.
    /// @param topics The log's topics (at most four).
    struct LogRef {
        uint64 blockNumber;
        bytes32 blockHash;
        uint32 logIndex;
        bytes32 txHash;
        address source;
        bytes32[] topics;
    }

    /// @notice Fixed parameters of a registry, set at deployment.
    /// @param epoch Seconds per lease epoch; epochs are global, epoch n being `[n·epoch, (n+1)·epoch)`.
    /// @param commitWindow Seconds at the start of each epoch for sealed bids on the next epoch.
    /// @param revealWindow Seconds after the commit window to reveal them.
    /// @param leaseBond Wei of stake locked per bid and held by the holder for its epoch.
    /// @param forfeitBps Share of the bond lost by a bidder that does not reveal.
    /// @param missPenaltyBps Share of the bond a holder loses per perform a backup made for it.
    /// @param graceSeconds How long after a time tick only the holder may perform it.
    /// @param graceBlocks How many blocks after a log, or after a due report of a condition, only
    /// the holder may perform.
    /// @param minStake Stake a keeper needs to perform, report or bid.
    /// @param performOverheadGas Gas charged per perform on top of the measured execution, for the
    /// transaction's base cost and calldata.
    /// @param maxPerformGas Highest `performGasLimit`.
    /// @param checkGasLimit Gas for the on-chain `checkUpkeep` of a due report.
    /// @param withdrawDelay Seconds between cancel and withdraw.
    /// @param unbondingDelay Seconds between `requestUnbond` and `withdrawUnbonded`.
    struct Params {
        uint32 epoch;
        uint32 commitWindow;
        uint32 revealWindow;
        uint96 leaseBond;
        uint16 forfeitBps;
        uint16 missPenaltyBps;
        uint32 graceSeconds;
        uint32 graceBlocks;
        uint96 minStake;
        uint32 performOverheadGas;
        uint32 maxPerformGas;
        uint32 checkGasLimit;
        uint32 withdrawDelay;
        uint32 unbondingDelay;
    }

    // ---------------------------------------------------------------- events

    /// @notice An upkeep was registered.
    /// @param upkeepId The new upkeep's id.
    /// @param owner Who registered it.
    /// @param target The contract it performs.
    /// @param forwarder The target's caller for this upkeep.
    /// @param kind The trigger kind.
    /// @param trigger The stored trigger word (see `Upkeep.trigger`).
    /// @param checkData The check data.
    /// @param performGasLimit Gas per perform.
    /// @param maxGasPrice Gas price ceiling, in wei.
    /// @param maxPremium Premium ceiling, in wei.
    /// @param balance Initial balance, in wei.
    event UpkeepRegistered(
        uint256 indexed upkeepId,
        address indexed owner,
        address indexed target,
        address forwarder,
        TriggerKind kind,
        uint256 trigger,
        bytes checkData,
        uint32 performGasLimit,
        uint48 maxGasPrice,
        uint64 maxPremium,
        uint256 balance
    );

    /// @notice Funds were added to an upkeep.
    event UpkeepFunded(uint256 indexed upkeepId, address indexed from, uint256 amount, uint256 balance);

    /// @notice The owner paused or resumed an upkeep.
    event UpkeepPaused(uint256 indexed upkeepId, bool paused);

    /// @notice The owner canceled an upkeep; its balance may be withdrawn from `withdrawableAt`.
    event UpkeepCanceled(uint256 indexed upkeepId, uint32 withdrawableAt);

    /// @notice The owner withdrew a canceled upkeep's balance.
    event UpkeepWithdrawn(uint256 indexed upkeepId, address to, uint256 amount);

    /// @notice A perform ran.
    /// @param upkeepId The upkeep.
    /// @param keeper Who sent it (and was credited).
    /// @param success Whether the target's `performUpkeep` returned without reverting.
    /// @param trigger What was performed: the block (Condition), the tick (Interval, Cron), or the
    /// log's position `(blockNumber << 24 | logIndex) + 1` (Log).
    /// @param targetGas Gas the call to the target used.
    /// @param payment Wei credited to the keeper, premium included.
    /// @param premium The premium part of `payment`.
    event UpkeepPerformed(
        uint256 indexed upkeepId,
        address indexed keeper,
        bool success,
        uint64 trigger,
        uint256 targetGas,
        uint256 payment,
        uint256 premium
    );

    /// @notice The target reverted or ran out of gas in a perform (which was still charged).
    /// @param reason The revert data, truncated to 256 bytes.
    event UpkeepTargetReverted(uint256 indexed upkeepId, bytes reason);

    /// @notice A log perform's transaction, for history.
    event UpkeepLogPerformed(uint256 indexed upkeepId, bytes32 txHash, uint64 blockNumber, uint32 logIndex);

    /// @notice After a perform the balance no longer covers the next one at the gas price ceiling.
    /// @param balance Wei left.
    /// @param needed Wei one perform may cost at most.
    event UpkeepUnderfunded(uint256 indexed upkeepId, uint256 balance, uint256 needed);

    /// @notice A keeper proved on chain that a condition upkeep is due.
    event UpkeepDueReported(uint256 indexed upkeepId, address indexed reporter, uint256 blockNumber);

    /// @notice A sealed bid on an epoch's lease was committed and its bond locked.
    event LeaseBidCommitted(uint256 indexed upkeepId, uint32 indexed epoch, address indexed bidder, bytes32 commitment);

    /// @notice A bid was revealed.
    /// @param leading Whether it now holds the lease.
    event LeaseBidRevealed(
        uint256 indexed upkeepId,
        uint32 indexed epoch,
        address indexed bidder,
        uint64 premium,
        bool leading
    );

    /// @notice A bid never revealed was closed and part of its bond forfeited to the upkeep.
    event LeaseBidForfeited(uint256 indexed upkeepId, uint32 indexed epoch, address indexed bidder, uint256 amount);

    /// @notice A lease ended and its holder's remaining bond was released.
    event LeaseClosed(uint256 indexed upkeepId, uint32 indexed epoch, address indexed holder, uint256 released);

    /// @notice A backup performed what the holder missed; the holder lost `penalty` to the backup.
    event LeaseMissed(
        uint256 indexed upkeepId,
        uint32 indexed epoch,
        address indexed holder,
        address backup,
        uint256 penalty
    );

    /// @notice A keeper withdrew its credited payments.
    event CreditsWithdrawn(address indexed keeper, address to, uint256 amount);

    // ---------------------------------------------------------------- errors

    /// @notice The cron expression is malformed: `field` 0–4 (minute … day of week) or 5 (the
    /// expression as a whole), `position` the byte offset of the problem. Raised by `Cron`.
    error CronInvalid(uint8 field, uint256 position);
    /// @notice The cron expression can never fire (no chosen month has a chosen day). Raised by `Cron`.
    error CronNeverFires();
    /// @notice No upkeep has this id.
    error AutomationUnknownUpkeep(uint256 upkeepId);
    /// @notice Only the upkeep's owner may do this.
    error AutomationNotOwner(uint256 upkeepId, address caller, address owner);
    /// @notice The target has no code.
    error AutomationTargetHasNoCode(address target);
    /// @notice The perform gas limit is outside `[MIN_PERFORM_GAS, maxPerformGas]`.
    error AutomationGasLimitOutOfRange(uint256 performGasLimit, uint256 min, uint256 max);
    /// @notice The check data is longer than `MAX_CHECK_DATA_BYTES`.
    error AutomationCheckDataTooLong(uint256 length, uint256 max);
    /// @notice Time triggers take no check data (their perform data is the tick).
    error AutomationCheckDataUnused(uint256 length);
    /// @notice A registration or top-up without ETH.
    error AutomationZeroBalance();
    /// @notice An amount over the registry's 96-bit balance field.
    error AutomationAmountTooLarge(uint256 amount);
    /// @notice The interval is outside `[MIN_INTERVAL, MAX_INTERVAL]` seconds.
    error AutomationIntervalOutOfRange(uint256 interval, uint256 min, uint256 max);
    /// @notice The trigger's encoding does not fit its kind.
    error AutomationMalformedTrigger(TriggerKind kind, uint256 length);
    /// @notice A log filter's emitter has no code, or its mask names a topic beyond the third.
    error AutomationInvalidLogFilter(address emitter, uint8 topicMask);
    /// @notice The gas price ceiling is zero.
    error AutomationZeroGasPrice();
    /// @notice The upkeep is not in a state that allows this.
    error AutomationWrongStatus(uint256 upkeepId, UpkeepStatus status);
    /// @notice A perform function of another trigger kind was called.
    error AutomationWrongTrigger(uint256 upkeepId, TriggerKind kind);
    /// @notice The caller has not registered or its stake is under `minStake`.
    error AutomationNotStaked(address keeper, uint256 stake, uint256 minStake);
    /// @notice Inside a lease, only the holder may perform until the grace has passed.
    /// @param graceEnds When others may perform: a unix time (time triggers) or a block (others);
    /// zero for a condition upkeep with no due report.
    error AutomationNotLeaseHolder(uint256 upkeepId, uint32 epoch, address holder, uint256 graceEnds);
    /// @notice The balance does not cover the most this perform may cost.
    error AutomationUnderfunded(uint256 upkeepId, uint256 balance, uint256 needed);
    /// @notice The transaction's gas cannot give the target its exact gas limit.
    error AutomationInsufficientGas(uint256 gasLeft, uint256 needed);
    /// @notice A condition upkeep was already performed in this block.
    error AutomationAlreadyPerformedInBlock(uint256 upkeepId, uint256 blockNumber);
    /// @notice The tick is in the future.
    error AutomationTickNotDue(uint256 upkeepId, uint256 tick, uint256 nowTime);
    /// @notice The tick is not on the upkeep's schedule.
    error AutomationTickNotScheduled(uint256 upkeepId, uint256 tick);
    /// @notice The tick, or a later one, was already performed.
    error AutomationTickAlreadyPerformed(uint256 upkeepId, uint256 tick, uint256 lastTick);
    /// @notice A later tick is due: missed ticks are skipped, not back-filled.
    error AutomationTickSuperseded(uint256 upkeepId, uint256 tick, uint256 latest);
    /// @notice The log is in the current or a future block.
    error AutomationLogNotFinal(uint256 upkeepId, uint256 blockNumber);
    /// @notice The log's block hash is not the chain's: the block was reorged out.
    error AutomationLogReorged(uint256 upkeepId, uint256 blockNumber, bytes32 chainHash, bytes32 logHash);
    /// @notice The log, or one after it, was already performed.
    error AutomationLogAlreadyPerformed(uint256 upkeepId, uint256 position, uint256 cursor);
    /// @notice The log does not match the upkeep's filter.
    error AutomationLogFilterMismatch(uint256 upkeepId);
    /// @notice The on-chain `checkUpkeep` of a due report reverted.
    error AutomationCheckReverted(uint256 upkeepId, bytes reason);
    /// @notice The on-chain `checkUpkeep` of a due report said no perform is needed.
    error AutomationNotNeeded(uint256 upkeepId);
    /// @notice A due report is only for condition upkeeps under a lease, once per pending perform.
    error AutomationReportNotNeeded(uint256 upkeepId);
    /// @notice The lease auction of `epoch` is not in the phase this needs.
    /// @param opensAt Start of the needed window; @param closesAt its end.
    error AutomationLeaseWindow(uint256 upkeepId, uint32 epoch, uint256 opensAt, uint256 closesAt, uint256 nowTime);
    /// @notice The bidder already committed for this epoch.
    error AutomationAlreadyCommitted(uint256 upkeepId, uint32 epoch, address bidder);
    /// @notice No commitment of this bidder for this epoch, or the reveal does not match it.
    error AutomationCommitmentMismatch(uint256 upkeepId, uint32 epoch, address bidder);
    /// @notice A zero commitment.
    error AutomationZeroCommitment();
    /// @notice The premium is above the owner's maximum.
    error AutomationPremiumTooHigh(uint256 premium, uint256 maxPremium);
    /// @notice The bidder's free stake does not cover the lease bond.
    error AutomationInsufficientFreeStake(uint256 free, uint256 bond);
    /// @notice The lease cannot be closed yet, or was closed.
    error AutomationLeaseNotClosable(uint256 upkeepId, uint32 epoch, uint256 endsAt);
    /// @notice Cancel would strand sealed bids of a running auction; retry after `revealEnds`.
    error AutomationAuctionPending(uint256 upkeepId, uint32 epoch, uint256 pending, uint256 revealEnds);
    /// @notice The withdrawal delay has not passed.
    error AutomationWithdrawNotReady(uint256 upkeepId, uint256 withdrawableAt, uint256 nowTime);
    /// @notice Nothing to withdraw.
    error AutomationNothingToWithdraw();
    /// @notice A transfer of ETH failed.
    error AutomationTransferFailed(address to, uint256 amount);
    /// @notice The zero address as a recipient.
    error AutomationZeroAddress();
    /// @notice Deployment parameters that cannot work together.
    error AutomationInvalidParams(string reason);

    // ---------------------------------------------------------------- owner

    /// @notice Registers an upkeep, deploys its forwarder and funds it with `msg.value`.
    /// @return upkeepId The new upkeep's id (sequential from 1).
    function registerUpkeep(Registration calldata registration) external payable returns (uint256 upkeepId);

    /// @notice Adds `msg.value` to an upkeep's balance; anyone may fund an active or paused upkeep.
    function addFunds(uint256 upkeepId) external payable;

    /// @notice Pauses (`true`) or resumes (`false`) performs. Owner only.
    function setPaused(uint256 upkeepId, bool paused) external;

    /// @notice Cancels for good; the balance may be withdrawn after `withdrawDelay`. Owner only.
    function cancelUpkeep(uint256 upkeepId) external;

    /// @notice Sends a canceled upkeep's balance to `to`. Owner only.
    function withdrawFunds(uint256 upkeepId, address to) external;

    // ---------------------------------------------------------------- performs

    /// @notice Performs a condition upkeep with `performData` from the target's `checkUpkeep`.
    function performCondition(uint256 upkeepId, bytes calldata performData) external;

    /// @notice Performs the latest due tick of an interval or cron upkeep. The target receives
    /// `abi.encode(tick)` as `performData`.
    function performTime(uint256 upkeepId, uint64 tick) external;

    /// @notice Performs a log upkeep with `performData` from the target's `checkLog`.
    function performLog(uint256 upkeepId, LogRef calldata log, bytes calldata performData) external;

    /// @notice Proves on chain, with the target's `checkUpkeep`, that a leased condition upkeep is
    /// due; `graceBlocks` later any staked keeper may perform it if the holder has not.
    function reportDue(uint256 upkeepId) external;

    /// @notice Sends the caller's credited payments to `to`.
    function withdrawCredits(address to) external;

    // ---------------------------------------------------------------- leases

    /// @notice Commits a sealed bid on the lease of `epoch` (the epoch after the current one),
    /// inside the current epoch's commit window, and locks `leaseBond` of the caller's stake.
    function commitLease(uint256 upkeepId, uint32 epoch, bytes32 commitment) external;

    /// @notice Reveals a bid inside the reveal window. The lowest premium leads; ties go to the
    /// earlier reveal. Bonds of bids that do not lead, or stop leading, are released.
    function revealLease(uint256 upkeepId, uint32 epoch, uint64 premium, bytes32 salt) external;

    /// @notice After the reveal window, closes a bid never revealed: `forfeitBps` of its bond goes
    /// to the upkeep's balance, the rest is released.
    function forfeitLease(uint256 upkeepId, uint32 epoch, address bidder) external;

    /// @notice After the epoch ends (or once the upkeep is canceled), releases the holder's
    /// remaining bond and credits what it earned in the epoch and was still owed. Anyone may call.
    function closeLease(uint256 upkeepId, uint32 epoch) external;

    /// @notice Runs several of the caller's own calls on the registry in one transaction, in order,
    /// each as if the caller had sent it (a `delegatecall` to the registry itself, so `msg.sender` is
    /// unchanged): a keeper commits, reveals or closes the leases of many upkeeps and pays the
    /// transaction's base cost once. Reverts as a whole with the first failing call's error. Not
    /// payable, so one `msg.value` can never pay for two calls.
    /// @param data ABI-encoded calls to the registry's own functions.
    /// @return results Each call's return data.
    function multicall(bytes[] calldata data) external returns (bytes[] memory results);

    // ---------------------------------------------------------------- views

    /// @notice The registry's fixed parameters.
    function params() external view returns (Params memory);

    /// @notice Upkeeps registered so far (ids run from 1 to this).
    function upkeepCount() external view returns (uint256);

    /// @notice One upkeep.
    function getUpkeep(uint256 upkeepId) external view returns (Upkeep memory);

    /// @notice An upkeep's check data.
    function checkDataOf(uint256 upkeepId) external view returns (bytes memory);

    /// @notice A log upkeep's filter.
    function logFilterOf(uint256 upkeepId) external view returns (LogFilter memory);

    /// @notice The forwarder that calls an upkeep's target (known before registration).
    function forwarderOf(uint256 upkeepId) external view returns (address);

    /// @notice The epoch an upkeep is in now.
    function currentEpoch(uint256 upkeepId) external view returns (uint32);

    /// @notice The lease of one epoch.
    function getLease(uint256 upkeepId, uint32 epoch) external view returns (Lease memory);

    /// @notice A bidder's sealed bid for an epoch (zero: none or revealed).
    function commitmentOf(uint256 upkeepId, uint32 epoch, address bidder) external view returns (bytes32);

    /// @notice The block of the pending due report of a condition upkeep (zero: none).
    function dueReportOf(uint256 upkeepId) external view returns (uint256);

    /// @notice Wei credited to a keeper.
    function creditsOf(address keeper) external view returns (uint256);

    /// @notice The most one perform may cost at `gasPrice` (capped at the ceiling), premium included.
    function maxPerformCost(uint256 upkeepId, uint256 gasPrice) external view returns (uint256);

    /// @notice The sealed bid `keccak256(abi.encode(upkeepId, epoch, bidder, premium, salt))`.
    function computeLeaseCommitment(
        uint256 upkeepId,
        uint32 epoch,
        address bidder,
        uint64 premium,
        bytes32 salt
    ) external pure returns (bytes32);
}
