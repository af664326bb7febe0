// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {WorkerRegistry} from "../WorkerRegistry.sol";
import {IAutomationRegistry} from "./interfaces/IAutomationRegistry.sol";
import {IAutomationTarget} from "./interfaces/IAutomationTarget.sol";
import {Cron} from "./libraries/Cron.sol";
import {CronParser} from "./CronParser.sol";
import {UpkeepForwarder} from "./UpkeepForwarder.sol";

/// @title Automation registry (upkeeps, lease auctions, performs)
/// @notice See `IAutomationRegistry`. Keepers stake here through the same worker registry the job
/// market uses (inherited, as in the market), so that locking a lease bond is a storage write and
/// the automation's slashing rules can never touch bonds of jobs.
/// @dev Storage per upkeep is split by how often it is touched: `_config` is read by every perform
/// and written only by the owner; `_account` (balance, cursor, count, gas price ceiling) is the one
/// slot every perform rewrites; `_terms` is read only for open service, reveals and owner calls.
contract AutomationRegistry is IAutomationRegistry, WorkerRegistry, Multicall {
    // ---------------------------------------------------------------- constants

    /// @notice Longest check data, in bytes.
    uint256 public constant MAX_CHECK_DATA_BYTES = 2_048;
    /// @notice Smallest perform gas limit.
    uint32 public constant MIN_PERFORM_GAS = 10_000;
    /// @notice Shortest interval, in seconds.
    uint32 public constant MIN_INTERVAL = 5;
    /// @notice Longest interval, in seconds.
    uint32 public constant MAX_INTERVAL = 365 days;
    /// @notice Gas a perform needs beyond the target's limit and its 1/64: the forwarder's call and
    /// checks, and the registry's work after the call. Also bounds what a perform may charge for
    /// the registry's own execution.
    uint256 public constant PERFORM_RESERVE_GAS = 60_000;

    uint256 private constant BPS = 10_000;
    uint256 private constant LOG_INDEX_BITS = 24;

    // ---------------------------------------------------------------- parameters

    /// @notice Hash of the forwarder's creation code, for `forwarderOf`.
    bytes32 public constant FORWARDER_CODE_HASH = keccak256(type(UpkeepForwarder).creationCode);

    /// @notice Parses cron expressions at registration (its errors revert the registration).
    CronParser public immutable CRON_PARSER;

    uint32 private immutable EPOCH;
    uint32 private immutable COMMIT_WINDOW;
    uint32 private immutable REVEAL_WINDOW;
    uint96 private immutable LEASE_BOND;
    uint16 private immutable FORFEIT_BPS;
    uint16 private immutable MISS_PENALTY_BPS;
    uint32 private immutable GRACE_SECONDS;
    uint32 private immutable GRACE_BLOCKS;
    uint96 private immutable MIN_STAKE;
    uint32 private immutable PERFORM_OVERHEAD_GAS;
    uint32 private immutable MAX_PERFORM_GAS;
    uint32 private immutable CHECK_GAS_LIMIT;
    uint32 private immutable WITHDRAW_DELAY;
    uint32 private immutable UNBONDING_DELAY;

    // ---------------------------------------------------------------- storage

    /// Read by every perform: target (160) | performGasLimit (32) | kind (8) | status (8) |
    /// maxGasPrice (48).
    struct Config {
        address target;
        uint32 performGasLimit;
        TriggerKind kind;
        UpkeepStatus status;
        uint48 maxGasPrice;
    }

    /// Rewritten by every perform: balance (96) | cursor (64) | owed (64) | owedEpoch (32).
    /// `owed` is what the lease holder of `owedEpoch` has earned and not yet been credited: the
    /// holder is paid in this slot, which every perform writes anyway, instead of a credit slot of
    /// its own; the sum moves to its credits at the first perform of a later epoch or at
    /// `closeLease`.
    struct Account {
        uint96 balance;
        uint64 cursor;
        uint64 owed;
        uint32 owedEpoch;
    }

    /// Owner's terms: owner (160) | maxPremium (64) | withdrawableAt (32).
    struct Terms {
        address owner;
        uint64 maxPremium;
        uint32 withdrawableAt;
    }

    uint256 private _upkeepCount;
    mapping(uint256 upkeepId => Config) private _config;
    mapping(uint256 upkeepId => Account) private _account;
    mapping(uint256 upkeepId => Terms) private _terms;
    // Interval seconds, packed cron spec, or `emitter | topicMask << 160`.
    mapping(uint256 upkeepId => uint256) private _trigger;
    mapping(uint256 upkeepId => LogFilter) private _logFilter;
    mapping(uint256 upkeepId => bytes) private _checkData;
    // Block of the pending due report of a leased condition upkeep.
    mapping(uint256 upkeepId => uint256) private _dueReport;
    mapping(uint256 upkeepId => mapping(uint32 epoch => Lease)) private _leases;
    mapping(uint256 upkeepId => mapping(uint32 epoch => mapping(address bidder => bytes32))) private _commitments;
    mapping(address keeper => uint256) private _credits;

    // ---------------------------------------------------------------- construction

    /// @param p The registry's fixed parameters (see `Params`).
    constructor(Params memory p) {
        if (p.epoch == 0 || uint256(p.commitWindow) + p.revealWindow >= p.epoch || p.commitWindow == 0) {
            revert AutomationInvalidParams("commitWindow + revealWindow must be shorter than epoch");
        }
        if (p.revealWindow == 0) revert AutomationInvalidParams("revealWindow must be positive");
        if (p.forfeitBps > BPS || p.missPenaltyBps > BPS) revert AutomationInvalidParams("bps above 10000");
        if (p.leaseBond == 0) revert AutomationInvalidParams("leaseBond must be positive");
        if (p.maxPerformGas < MIN_PERFORM_GAS) revert AutomationInvalidParams("maxPerformGas below MIN_PERFORM_GAS");
        if (p.graceBlocks == 0 || p.graceSeconds == 0) revert AutomationInvalidParams("grace must be positive");
        CRON_PARSER = new CronParser();
        EPOCH = p.epoch;
        COMMIT_WINDOW = p.commitWindow;
        REVEAL_WINDOW = p.revealWindow;
        LEASE_BOND = p.leaseBond;
        FORFEIT_BPS = p.forfeitBps;
        MISS_PENALTY_BPS = p.missPenaltyBps;
        GRACE_SECONDS = p.graceSeconds;
        GRACE_BLOCKS = p.graceBlocks;
        MIN_STAKE = p.minStake;
        PERFORM_OVERHEAD_GAS = p.performOverheadGas;
        MAX_PERFORM_GAS = p.maxPerformGas;
        CHECK_GAS_LIMIT = p.checkGasLimit;
        WITHDRAW_DELAY = p.withdrawDelay;
        UNBONDING_DELAY = p.unbondingDelay;
    }

    // ---------------------------------------------------------------- owner

    /// @inheritdoc IAutomationRegistry
    function registerUpkeep(Registration calldata r) external payable nonReentrant returns (uint256 upkeepId) {
        if (r.target.code.length == 0) revert AutomationTargetHasNoCode(r.target);
        if (r.performGasLimit < MIN_PERFORM_GAS || r.performGasLimit > MAX_PERFORM_GAS) {
            revert AutomationGasLimitOutOfRange(r.performGasLimit, MIN_PERFORM_GAS, MAX_PERFORM_GAS);
        }
        if (r.checkData.length > MAX_CHECK_DATA_BYTES) {
            revert AutomationCheckDataTooLong(r.checkData.length, MAX_CHECK_DATA_BYTES);
        }
        if (r.maxGasPrice == 0) revert AutomationZeroGasPrice();
        if (msg.value == 0) revert AutomationZeroBalance();
        if (msg.value > type(uint96).max) revert AutomationAmountTooLarge(msg.value);

        upkeepId = ++_upkeepCount;
        (uint256 word, uint64 cursor) = _storeTrigger(upkeepId, r);
        if (r.checkData.length != 0) _checkData[upkeepId] = r.checkData;

        _config[upkeepId] = Config({
            target: r.target,
            performGasLimit: r.performGasLimit,
            kind: r.kind,
            status: UpkeepStatus.Active,
            maxGasPrice: r.maxGasPrice
        });
        _account[upkeepId] = Account({balance: uint96(msg.value), cursor: cursor, owed: 0, owedEpoch: 0});
        _terms[upkeepId] = Terms({owner: msg.sender, maxPremium: r.maxPremium, withdrawableAt: 0});
        address forwarder = address(new UpkeepForwarder{salt: bytes32(upkeepId)}());
        emit UpkeepRegistered(
            upkeepId,
            msg.sender,
            r.target,
            forwarder,
            r.kind,
            word,
            r.checkData,
            r.performGasLimit,
            r.maxGasPrice,
            r.maxPremium,
            msg.value
        );
    }

    /// @dev Validates and stores the trigger; returns its word and the cursor to start from.
    function _storeTrigger(uint256 upkeepId, Registration calldata r) private returns (uint256 word, uint64 cursor) {
        TriggerKind kind = r.kind;
        if (kind == TriggerKind.Condition) {
            if (r.trigger.length != 0) revert AutomationMalformedTrigger(kind, r.trigger.length);
            return (0, 0);
        }
        if (kind == TriggerKind.Log) {
            if (r.trigger.length != 6 * 32) revert AutomationMalformedTrigger(kind, r.trigger.length);
            LogFilter memory f = abi.decode(r.trigger, (LogFilter));
            if (f.emitter.code.length == 0 || f.topicMask > 7)
                revert AutomationInvalidLogFilter(f.emitter, f.topicMask);
            _logFilter[upkeepId] = f;
            word = uint256(uint160(f.emitter)) | (uint256(f.topicMask) << 160);
            _trigger[upkeepId] = word;
            // Logs of the registration block count; earlier ones do not.
            return (word, uint64(block.number << LOG_INDEX_BITS));
        }
        // Time triggers: the target receives the tick, so check data would never be used.
        if (r.checkData.length != 0) revert AutomationCheckDataUnused(r.checkData.length);
        if (kind == TriggerKind.Interval) {
            if (r.trigger.length != 32) revert AutomationMalformedTrigger(kind, r.trigger.length);
            uint256 interval = abi.decode(r.trigger, (uint256));
            if (interval < MIN_INTERVAL || interval > MAX_INTERVAL) {
                revert AutomationIntervalOutOfRange(interval, MIN_INTERVAL, MAX_INTERVAL);
            }
            word = interval;
        } else {
            if (r.trigger.length < 64) revert AutomationMalformedTrigger(kind, r.trigger.length);
            word = CRON_PARSER.parse(abi.decode(r.trigger, (string)));
        }
        _trigger[upkeepId] = word;
        // No tick at or before registration is performed.
        return (word, uint64(block.timestamp));
    }

    /// @inheritdoc IAutomationRegistry
    function addFunds(uint256 upkeepId) external payable nonReentrant {
        UpkeepStatus status = _config[upkeepId].status;
        if (status != UpkeepStatus.Active && status != UpkeepStatus.Paused) {
            revert AutomationWrongStatus(upkeepId, status);
        }
        if (msg.value == 0) revert AutomationZeroBalance();
        Account storage a = _account[upkeepId];
        uint256 total = uint256(a.balance) + msg.value;
        if (total > type(uint96).max) revert AutomationAmountTooLarge(total);
        a.balance = uint96(total);
        emit UpkeepFunded(upkeepId, msg.sender, msg.value, total);
    }

    /// @inheritdoc IAutomationRegistry
    function setPaused(uint256 upkeepId, bool paused) external nonReentrant {
        _expectOwner(upkeepId);
        Config storage c = _config[upkeepId];
        UpkeepStatus expected = paused ? UpkeepStatus.Active : UpkeepStatus.Paused;
        if (c.status != expected) revert AutomationWrongStatus(upkeepId, c.status);
        c.status = paused ? UpkeepStatus.Paused : UpkeepStatus.Active;
        emit UpkeepPaused(upkeepId, paused);
    }

    /// @inheritdoc IAutomationRegistry
    function cancelUpkeep(uint256 upkeepId) external nonReentrant {
        Terms storage t = _expectOwner(upkeepId);
        Config storage c = _config[upkeepId];
        if (c.status != UpkeepStatus.Active && c.status != UpkeepStatus.Paused) {
            revert AutomationWrongStatus(upkeepId, c.status);
        }
        // Bidders bound themselves to the next epoch; their reveals must be able to land.
        uint32 next = _epochNow() + 1;
        Lease memory l = _leases[upkeepId][next];
        if (l.pending != 0) {
            uint256 revealEnds = _epochStart(next - 1) + COMMIT_WINDOW + REVEAL_WINDOW;
            if (block.timestamp < revealEnds) revert AutomationAuctionPending(upkeepId, next, l.pending, revealEnds);
        }
        c.status = UpkeepStatus.Canceled;
        uint32 withdrawableAt = uint32(block.timestamp + WITHDRAW_DELAY);
        t.withdrawableAt = withdrawableAt;
        emit UpkeepCanceled(upkeepId, withdrawableAt);
    }

    /// @inheritdoc IAutomationRegistry
    function withdrawFunds(uint256 upkeepId, address to) external nonReentrant {
        Terms memory t = _expectOwner(upkeepId);
        if (to == address(0)) revert AutomationZeroAddress();
        UpkeepStatus status = _config[upkeepId].status;
        if (status != UpkeepStatus.Canceled) revert AutomationWrongStatus(upkeepId, status);
        if (block.timestamp < t.withdrawableAt) {
            revert AutomationWithdrawNotReady(upkeepId, t.withdrawableAt, block.timestamp);
        }
        Account storage a = _account[upkeepId];
        uint256 amount = a.balance;
        if (amount == 0) revert AutomationNothingToWithdraw();
        a.balance = 0;
        emit UpkeepWithdrawn(upkeepId, to, amount);
        _send(to, amount);
    }

    // ---------------------------------------------------------------- performs

    /// @inheritdoc IAutomationRegistry
    function performCondition(uint256 upkeepId, bytes calldata performData) external nonReentrant {
        uint256 startGas = gasleft();
        Config memory c = _expectPerformable(upkeepId, TriggerKind.Condition);
        Account memory a = _account[upkeepId];
        if (a.cursor >= block.number) revert AutomationAlreadyPerformedInBlock(upkeepId, block.number);
        _perform(upkeepId, c, a, uint64(block.number), performData, startGas);
    }

    /// @inheritdoc IAutomationRegistry
    function performTime(uint256 upkeepId, uint64 tick) external nonReentrant {
        uint256 startGas = gasleft();
        Config memory c = _config[upkeepId];
        if (c.kind != TriggerKind.Interval && c.kind != TriggerKind.Cron) {
            _expectPerformable(upkeepId, TriggerKind.Interval);
        }
        _expectActive(upkeepId, c.status);
        if (tick > block.timestamp) revert AutomationTickNotDue(upkeepId, tick, block.timestamp);
        Account memory a = _account[upkeepId];
        if (tick <= a.cursor) revert AutomationTickAlreadyPerformed(upkeepId, tick, a.cursor);
        uint256 word = _trigger[upkeepId];
        if (c.kind == TriggerKind.Interval) {
            // Ticks fall on multiples of the interval (UTC-aligned); only the latest due is performed.
            if (tick % word != 0) revert AutomationTickNotScheduled(upkeepId, tick);
            uint256 latest = block.timestamp - (block.timestamp % word);
            if (tick != latest) revert AutomationTickSuperseded(upkeepId, tick, latest);
        } else {
            if (!Cron.matches(word, tick)) revert AutomationTickNotScheduled(upkeepId, tick);
            uint256 later = Cron.nextAfter(word, tick, block.timestamp);
            if (later != 0) revert AutomationTickSuperseded(upkeepId, tick, later);
        }
        _perform(upkeepId, c, a, tick, abi.encode(uint256(tick)), startGas);
    }

    /// @inheritdoc IAutomationRegistry
    function performLog(uint256 upkeepId, LogRef calldata log, bytes calldata performData) external nonReentrant {
        uint256 startGas = gasleft();
        Config memory c = _expectPerformable(upkeepId, TriggerKind.Log);
        if (log.blockNumber >= block.number) revert AutomationLogNotFinal(upkeepId, log.blockNumber);
        // The chain keeps the last 256 block hashes; a log older than that is accepted on its position.
        bytes32 chainHash = blockhash(log.blockNumber);
        if (chainHash != bytes32(0) && chainHash != log.blockHash) {
            revert AutomationLogReorged(upkeepId, log.blockNumber, chainHash, log.blockHash);
        }
        _expectLogFits(upkeepId, log);
        Account memory a = _account[upkeepId];
        uint64 position = uint64((uint256(log.blockNumber) << LOG_INDEX_BITS) | log.logIndex) + 1;
        if (position <= a.cursor) revert AutomationLogAlreadyPerformed(upkeepId, position, a.cursor);
        _perform(upkeepId, c, a, position, performData, startGas);
        emit UpkeepLogPerformed(upkeepId, log.txHash, log.blockNumber, log.logIndex);
    }

    /// @dev The log as the keeper describes it must fit the upkeep's filter: its emitter, topic0 and
    /// each topic the mask names. The registry cannot see logs, so this refuses a keeper that
    /// serves another filter's logs, not one that describes a log that never was.
    function _expectLogFits(uint256 upkeepId, LogRef calldata log) private view {
        // One slot holds the emitter and the mask (see `_storeTrigger`).
        uint256 word = _trigger[upkeepId];
        bytes32[] calldata topics = log.topics;
        if (log.source != address(uint160(word)) || topics.length == 0 || topics.length > 4) {
            revert AutomationLogFilterMismatch(upkeepId);
        }
        LogFilter storage f = _logFilter[upkeepId];
        if (topics[0] != f.topic0) revert AutomationLogFilterMismatch(upkeepId);
        uint256 mask = word >> 160;
        for (uint256 i; mask != 0; ++i) {
            if (mask & 1 != 0 && (i + 1 >= topics.length || topics[i + 1] != f.topics[i])) {
                revert AutomationLogFilterMismatch(upkeepId);
            }
            mask >>= 1;
        }
    }

    /// @dev Authorizes the caller, calls the target through the forwarder with exactly its gas
    /// limit, charges the upkeep and credits the keeper. `trigger` becomes the new cursor.
    function _perform(
        uint256 upkeepId,
        Config memory c,
        Account memory a,
        uint64 trigger,
        bytes memory performData,
        uint256 startGas
    ) private {
        (uint256 premium, uint32 epoch, Lease memory lease, bool backup) = _authorize(upkeepId, c, a, trigger);

        uint256 price = tx.gasprice < c.maxGasPrice ? tx.gasprice : c.maxGasPrice;
        uint256 maxGas = uint256(c.performGasLimit) + PERFORM_RESERVE_GAS + PERFORM_OVERHEAD_GAS;
        uint256 maxCost = maxGas * price + premium;
        if (a.balance < maxCost) revert AutomationUnderfunded(upkeepId, a.balance, maxCost);
        uint256 needed = uint256(c.performGasLimit) + c.performGasLimit / 63 + PERFORM_RESERVE_GAS;
        if (gasleft() < needed) revert AutomationInsufficientGas(gasleft(), needed);

        (bool success, uint256 targetGas, bytes memory reason) = UpkeepForwarder(_forwarder(upkeepId)).forward(
            c.target,
            c.performGasLimit,
            abi.encodeCall(IAutomationTarget.performUpkeep, (performData))
        );

        uint256 gasCharged = startGas - gasleft() + PERFORM_OVERHEAD_GAS;
        if (gasCharged > maxGas) gasCharged = maxGas;
        uint256 payment = gasCharged * price + premium;
        a.balance -= uint96(payment);
        a.cursor = trigger;
        if (lease.holder == msg.sender) {
            // The holder is paid in the account slot (see `Account`).
            if (a.owedEpoch != epoch || uint256(a.owed) + payment > type(uint64).max) {
                if (a.owed != 0) _credits[_leases[upkeepId][a.owedEpoch].holder] += a.owed;
                a.owed = 0;
                a.owedEpoch = epoch;
            }
            a.owed += uint64(payment);
        } else {
            _credits[msg.sender] += payment;
        }
        _account[upkeepId] = a;

        if (backup && success) _penalize(upkeepId, epoch, lease);
        emit UpkeepPerformed(upkeepId, msg.sender, success, trigger, targetGas, payment, premium);
        if (!success) emit UpkeepTargetReverted(upkeepId, reason);
        uint256 nextCost = maxGas * c.maxGasPrice + premium;
        if (a.balance < nextCost) emit UpkeepUnderfunded(upkeepId, a.balance, nextCost);
    }

    /// @dev Who may perform: the lease holder of the current epoch; any staked keeper when there is
    /// no lease (at the owner's maximum premium); any staked keeper once the holder has let the
    /// grace pass (a backup, at the lease premium).
    function _authorize(
        uint256 upkeepId,
        Config memory c,
        Account memory a,
        uint64 trigger
    ) private view returns (uint256 premium, uint32 epoch, Lease memory lease, bool backup) {
        epoch = _epochNow();
        lease = _leases[upkeepId][epoch];
        if (lease.holder == msg.sender) return (lease.premium, epoch, lease, false);
        _expectStaked(msg.sender);
        if (lease.holder == address(0)) return (_terms[upkeepId].maxPremium, epoch, lease, false);
        uint256 graceEnds;
        bool passed;
        if (c.kind == TriggerKind.Interval || c.kind == TriggerKind.Cron) {
            graceEnds = uint256(trigger) + GRACE_SECONDS;
            passed = block.timestamp >= graceEnds;
        } else {
            uint256 dueBlock;
            if (c.kind == TriggerKind.Log) {
                dueBlock = uint256(trigger - 1) >> LOG_INDEX_BITS;
            } else {
                uint256 reported = _dueReport[upkeepId];
                // A report made before the last perform was answered by it.
                if (reported > a.cursor) dueBlock = reported;
            }
            if (dueBlock != 0) {
                graceEnds = dueBlock + GRACE_BLOCKS;
                passed = block.number >= graceEnds;
            }
        }
        if (!passed) revert AutomationNotLeaseHolder(upkeepId, epoch, lease.holder, graceEnds);
        return (lease.premium, epoch, lease, true);
    }

    /// @dev Takes `missPenaltyBps` of the holder's bond, while any is left, and credits it to the
    /// backup that performed.
    function _penalize(uint256 upkeepId, uint32 epoch, Lease memory lease) private {
        if (!lease.bondHeld || lease.misses == type(uint8).max) return;
        uint256 each = (uint256(LEASE_BOND) * MISS_PENALTY_BPS) / BPS;
        // Misses keep counting once the bond is spent, so `each * misses` may exceed the bond (the
        // last penalty may have been a remainder): nothing is left, and the miss costs nothing more.
        uint256 taken = each * lease.misses;
        uint256 left = taken >= LEASE_BOND ? 0 : LEASE_BOND - taken;
        uint96 penalty = uint96(each < left ? each : left);
        Lease storage l = _leases[upkeepId][epoch];
        l.misses = lease.misses + 1;
        if (penalty != 0) {
            _takeBond(lease.holder, penalty, penalty, true, false);
            _credits[msg.sender] += penalty;
        }
        emit LeaseMissed(upkeepId, epoch, lease.holder, msg.sender, penalty);
    }

    /// @inheritdoc IAutomationRegistry
    function reportDue(uint256 upkeepId) external nonReentrant {
        Config memory c = _expectPerformable(upkeepId, TriggerKind.Condition);
        _expectStaked(msg.sender);
        if (_leases[upkeepId][_epochNow()].holder == address(0)) revert AutomationReportNotNeeded(upkeepId);
        if (_dueReport[upkeepId] > _account[upkeepId].cursor) revert AutomationReportNotNeeded(upkeepId);
        (bool ok, bytes memory ret) = c.target.staticcall{gas: CHECK_GAS_LIMIT}(
            abi.encodeCall(IAutomationTarget.checkUpkeep, (_checkData[upkeepId]))
        );
        if (!ok) revert AutomationCheckReverted(upkeepId, _truncate(ret));
        (bool needed, ) = abi.decode(ret, (bool, bytes));
        if (!needed) revert AutomationNotNeeded(upkeepId);
        _dueReport[upkeepId] = block.number;
        emit UpkeepDueReported(upkeepId, msg.sender, block.number);
    }

    /// @inheritdoc IAutomationRegistry
    function withdrawCredits(address to) external nonReentrant {
        if (to == address(0)) revert AutomationZeroAddress();
        uint256 amount = _credits[msg.sender];
        if (amount == 0) revert AutomationNothingToWithdraw();
        _credits[msg.sender] = 0;
        emit CreditsWithdrawn(msg.sender, to, amount);
        _send(to, amount);
    }

    // ---------------------------------------------------------------- leases

    /// @inheritdoc IAutomationRegistry
    function commitLease(uint256 upkeepId, uint32 epoch, bytes32 commitment) external nonReentrant {
        Config memory c = _config[upkeepId];
        if (c.status != UpkeepStatus.Active && c.status != UpkeepStatus.Paused) {
            revert AutomationWrongStatus(upkeepId, c.status);
        }
        uint256 opens = _auctionStart(upkeepId, epoch);
        if (block.timestamp >= opens + COMMIT_WINDOW) {
            revert AutomationLeaseWindow(upkeepId, epoch, opens, opens + COMMIT_WINDOW, block.timestamp);
        }
        if (commitment == bytes32(0)) revert AutomationZeroCommitment();
        mapping(address => bytes32) storage commits = _commitments[upkeepId][epoch];
        if (commits[msg.sender] != bytes32(0)) revert AutomationAlreadyCommitted(upkeepId, epoch, msg.sender);
        _expectStaked(msg.sender);
        Worker storage w = _worker(msg.sender);
        uint96 free = w.stake - w.locked;
        if (free < LEASE_BOND) revert AutomationInsufficientFreeStake(free, LEASE_BOND);
        w.locked += LEASE_BOND;
        commits[msg.sender] = commitment;
        _leases[upkeepId][epoch].pending += 1;
        emit LeaseBidCommitted(upkeepId, epoch, msg.sender, commitment);
    }

    /// @inheritdoc IAutomationRegistry
    function revealLease(uint256 upkeepId, uint32 epoch, uint64 premium, bytes32 salt) external nonReentrant {
        uint256 opens = _auctionStart(upkeepId, epoch) + COMMIT_WINDOW;
        if (block.timestamp < opens || block.timestamp >= opens + REVEAL_WINDOW) {
            revert AutomationLeaseWindow(upkeepId, epoch, opens, opens + REVEAL_WINDOW, block.timestamp);
        }
        mapping(address => bytes32) storage commits = _commitments[upkeepId][epoch];
        if (commits[msg.sender] != computeLeaseCommitment(upkeepId, epoch, msg.sender, premium, salt)) {
            revert AutomationCommitmentMismatch(upkeepId, epoch, msg.sender);
        }
        uint64 maxPremium = _terms[upkeepId].maxPremium;
        if (premium > maxPremium) revert AutomationPremiumTooHigh(premium, maxPremium);
        delete commits[msg.sender];

        Lease memory l = _leases[upkeepId][epoch];
        l.pending -= 1;
        // Ties go to the earlier reveal: a new bid must be strictly lower to lead.
        bool leading = !l.bondHeld || premium < l.premium;
        if (leading) {
            if (l.bondHeld) _releaseBond(l.holder, LEASE_BOND);
            l.holder = msg.sender;
            l.premium = premium;
            l.bondHeld = true;
        } else {
            _releaseBond(msg.sender, LEASE_BOND);
        }
        _leases[upkeepId][epoch] = l;
        emit LeaseBidRevealed(upkeepId, epoch, msg.sender, premium, leading);
    }

    /// @inheritdoc IAutomationRegistry
    function forfeitLease(uint256 upkeepId, uint32 epoch, address bidder) external nonReentrant {
        if (epoch == 0) revert AutomationLeaseWindow(upkeepId, epoch, 0, 0, block.timestamp);
        uint256 revealEnds = _epochStart(epoch - 1) + COMMIT_WINDOW + REVEAL_WINDOW;
        if (block.timestamp < revealEnds) {
            revert AutomationLeaseWindow(upkeepId, epoch, revealEnds, type(uint256).max, block.timestamp);
        }
        mapping(address => bytes32) storage commits = _commitments[upkeepId][epoch];
        if (commits[bidder] == bytes32(0)) revert AutomationCommitmentMismatch(upkeepId, epoch, bidder);
        delete commits[bidder];
        _leases[upkeepId][epoch].pending -= 1;
        uint96 forfeited = uint96((uint256(LEASE_BOND) * FORFEIT_BPS) / BPS);
        _takeBond(bidder, LEASE_BOND, forfeited, false, false);
        // The upkeep's owner bore the risk of an empty auction: the forfeit is theirs.
        _account[upkeepId].balance += forfeited;
        emit LeaseBidForfeited(upkeepId, epoch, bidder, forfeited);
    }

    /// @inheritdoc IAutomationRegistry
    function closeLease(uint256 upkeepId, uint32 epoch) external nonReentrant {
        uint256 endsAt = _epochStart(epoch) + EPOCH;
        Lease memory l = _leases[upkeepId][epoch];
        bool over = block.timestamp >= endsAt || _config[upkeepId].status == UpkeepStatus.Canceled;
        if (!over || !l.bondHeld || l.pending != 0) revert AutomationLeaseNotClosable(upkeepId, epoch, endsAt);
        uint256 each = (uint256(LEASE_BOND) * MISS_PENALTY_BPS) / BPS;
        uint256 taken = each * l.misses;
        uint96 released = taken >= LEASE_BOND ? 0 : uint96(LEASE_BOND - taken);
        _leases[upkeepId][epoch].bondHeld = false;
        if (released != 0) _releaseBond(l.holder, released);
        Account storage a = _account[upkeepId];
        if (a.owedEpoch == epoch && a.owed != 0) {
            _credits[l.holder] += a.owed;
            a.owed = 0;
        }
        emit LeaseClosed(upkeepId, epoch, l.holder, released);
    }

    /// @inheritdoc IAutomationRegistry
    function multicall(
        bytes[] calldata data
    ) public override(IAutomationRegistry, Multicall) returns (bytes[] memory results) {
        return super.multicall(data);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAutomationRegistry
    function params() external view returns (Params memory) {
        return
            Params({
                epoch: EPOCH,
                commitWindow: COMMIT_WINDOW,
                revealWindow: REVEAL_WINDOW,
                leaseBond: LEASE_BOND,
                forfeitBps: FORFEIT_BPS,
                missPenaltyBps: MISS_PENALTY_BPS,
                graceSeconds: GRACE_SECONDS,
                graceBlocks: GRACE_BLOCKS,
                minStake: MIN_STAKE,
                performOverheadGas: PERFORM_OVERHEAD_GAS,
                maxPerformGas: MAX_PERFORM_GAS,
                checkGasLimit: CHECK_GAS_LIMIT,
                withdrawDelay: WITHDRAW_DELAY,
                unbondingDelay: UNBONDING_DELAY
            });
    }

    /// @inheritdoc IAutomationRegistry
    function upkeepCount() external view returns (uint256) {
        return _upkeepCount;
    }

    /// @inheritdoc IAutomationRegistry
    function getUpkeep(uint256 upkeepId) external view returns (Upkeep memory u) {
        Config memory c = _config[upkeepId];
        if (c.status == UpkeepStatus.None) revert AutomationUnknownUpkeep(upkeepId);
        Account memory a = _account[upkeepId];
        Terms memory t = _terms[upkeepId];
        u = Upkeep({
            owner: t.owner,
            target: c.target,
            forwarder: _forwarder(upkeepId),
            kind: c.kind,
            status: c.status,
            performGasLimit: c.performGasLimit,
            balance: a.balance,
            cursor: a.cursor,
            owed: a.owed,
            owedEpoch: a.owedEpoch,
            maxGasPrice: c.maxGasPrice,
            maxPremium: t.maxPremium,
            withdrawableAt: t.withdrawableAt,
            trigger: _trigger[upkeepId]
        });
    }

    /// @inheritdoc IAutomationRegistry
    function checkDataOf(uint256 upkeepId) external view returns (bytes memory) {
        return _checkData[upkeepId];
    }

    /// @inheritdoc IAutomationRegistry
    function logFilterOf(uint256 upkeepId) external view returns (LogFilter memory) {
        return _logFilter[upkeepId];
    }

    /// @inheritdoc IAutomationRegistry
    function forwarderOf(uint256 upkeepId) external view returns (address) {
        return _forwarder(upkeepId);
    }

    /// @inheritdoc IAutomationRegistry
    function currentEpoch(uint256 upkeepId) external view returns (uint32) {
        Config memory c = _config[upkeepId];
        if (c.status == UpkeepStatus.None) revert AutomationUnknownUpkeep(upkeepId);
        return _epochNow();
    }

    /// @inheritdoc IAutomationRegistry
    function getLease(uint256 upkeepId, uint32 epoch) external view returns (Lease memory) {
        return _leases[upkeepId][epoch];
    }

    /// @inheritdoc IAutomationRegistry
    function commitmentOf(uint256 upkeepId, uint32 epoch, address bidder) external view returns (bytes32) {
        return _commitments[upkeepId][epoch][bidder];
    }

    /// @inheritdoc IAutomationRegistry
    function dueReportOf(uint256 upkeepId) external view returns (uint256) {
        uint256 reported = _dueReport[upkeepId];
        return reported > _account[upkeepId].cursor ? reported : 0;
    }

    /// @inheritdoc IAutomationRegistry
    function creditsOf(address keeper) external view returns (uint256) {
        return _credits[keeper];
    }

    /// @inheritdoc IAutomationRegistry
    function maxPerformCost(uint256 upkeepId, uint256 gasPrice) external view returns (uint256) {
        Config memory c = _config[upkeepId];
        if (c.status == UpkeepStatus.None) revert AutomationUnknownUpkeep(upkeepId);
        Lease memory l = _leases[upkeepId][_epochNow()];
        uint256 premium = l.holder == address(0) ? _terms[upkeepId].maxPremium : l.premium;
        uint256 price = gasPrice < c.maxGasPrice ? gasPrice : c.maxGasPrice;
        return (uint256(c.performGasLimit) + PERFORM_RESERVE_GAS + PERFORM_OVERHEAD_GAS) * price + premium;
    }

    /// @inheritdoc IAutomationRegistry
    function computeLeaseCommitment(
        uint256 upkeepId,
        uint32 epoch,
        address bidder,
        uint64 premium,
        bytes32 salt
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(upkeepId, epoch, bidder, premium, salt));
    }

    // ---------------------------------------------------------------- internals

    function _unbondingDelay() internal view override returns (uint32) {
        return UNBONDING_DELAY;
    }

    function _forwarder(uint256 upkeepId) private view returns (address) {
        return
            address(
                uint160(
                    uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), upkeepId, FORWARDER_CODE_HASH)))
                )
            );
    }

    /// @dev Epochs are global and UTC-aligned: epoch n is `[n·epoch, (n+1)·epoch)`.
    function _epochNow() private view returns (uint32) {
        return uint32(block.timestamp / EPOCH);
    }

    function _epochStart(uint32 epoch) private view returns (uint256) {
        return uint256(epoch) * EPOCH;
    }

    /// @dev The auction of `epoch` runs at the start of the epoch before it; only the next epoch's
    /// auction is open.
    function _auctionStart(uint256 upkeepId, uint32 epoch) private view returns (uint256 opens) {
        uint32 current = _epochNow();
        opens = _epochStart(current);
        if (epoch != current + 1) {
            uint256 wanted = epoch == 0 ? 0 : _epochStart(epoch - 1);
            revert AutomationLeaseWindow(
                upkeepId,
                epoch,
                wanted,
                wanted + COMMIT_WINDOW + REVEAL_WINDOW,
                block.timestamp
            );
        }
    }

    function _expectOwner(uint256 upkeepId) private view returns (Terms storage t) {
        t = _terms[upkeepId];
        if (t.owner == address(0)) revert AutomationUnknownUpkeep(upkeepId);
        if (t.owner != msg.sender) revert AutomationNotOwner(upkeepId, msg.sender, t.owner);
    }

    function _expectPerformable(uint256 upkeepId, TriggerKind kind) private view returns (Config memory c) {
        c = _config[upkeepId];
        if (c.status == UpkeepStatus.None) revert AutomationUnknownUpkeep(upkeepId);
        if (c.kind != kind) revert AutomationWrongTrigger(upkeepId, c.kind);
        _expectActive(upkeepId, c.status);
    }

    function _expectActive(uint256 upkeepId, UpkeepStatus status) private pure {
        if (status != UpkeepStatus.Active) {
            if (status == UpkeepStatus.None) revert AutomationUnknownUpkeep(upkeepId);
            revert AutomationWrongStatus(upkeepId, status);
        }
    }

    function _expectStaked(address keeper) private view {
        Worker storage w = _worker(keeper);
        uint96 stake = w.stake;
        if (!w.registered || stake < MIN_STAKE || stake == 0) revert AutomationNotStaked(keeper, stake, MIN_STAKE);
    }

    function _truncate(bytes memory data) private pure returns (bytes memory) {
        if (data.length > 256) {
            assembly ("memory-safe") {
                mstore(data, 256)
            }
        }
        return data;
    }

    function _send(address to, uint256 amount) private {
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert AutomationTransferFailed(to, amount);
    }
}
