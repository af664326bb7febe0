// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {IArbiter} from "./interfaces/IArbiter.sol";
import {IJobConsumer} from "./interfaces/IJobConsumer.sol";
import {WorkerRegistry} from "./WorkerRegistry.sol";
import {PackedTerms} from "./libraries/PackedTerms.sol";

/// @title Baton job market
/// @notice See {IJobMarket}. Governance (the owner, a timelock in deployments) can change bounded
/// parameters, allowlist tokens and pause new jobs and auction rounds; no owner function touches
/// escrow, bonds or credits.
contract JobMarket is IJobMarket, WorkerRegistry, Ownable2Step, Multicall {
    using SafeERC20 for IERC20;
    using PackedTerms for bytes;

    // ---------------------------------------------------------------- constants

    /// @notice Highest protocol fee: 10%.
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Highest share of a bond a non-revealing bidder can lose: 50%.
    uint16 public constant MAX_FORFEIT_BPS = 5_000;
    /// @notice Highest share of a slash paid to the caller as a bounty: 50%.
    uint16 public constant MAX_SLASH_BOUNTY_BPS = 5_000;
    /// @notice Callback gas limit bounds.
    uint32 public constant MIN_CALLBACK_GAS = 20_000;
    uint32 public constant MAX_CALLBACK_GAS = 1_000_000;
    /// @notice Bounds of the ruling timeout and the unbonding delay, in seconds.
    uint32 public constant MIN_DELAY = 60;
    uint32 public constant MAX_DELAY = 30 days;
    /// @notice Highest dispute bond.
    uint96 public constant MAX_DISPUTE_BOND = 100 ether;
    /// @notice Longest commit, reveal, execution or challenge window, in seconds.
    uint32 public constant MAX_WINDOW = 30 days;
    /// @notice Longest inline spec or result, in bytes.
    uint256 public constant MAX_PAYLOAD_BYTES = 16_384;
    /// @dev Gas kept back for the work after a settlement callback returns.
    uint256 private constant CALLBACK_GAS_RESERVE = 10_000;
    uint256 private constant BPS = 10_000;
    /// @notice Slots in each bidder's ring of bid slots. A sealed bid on job `j` goes into the
    /// bidder's slot `j % BID_SLOTS` when that slot holds no unrevealed bid, so that a bid rewrites
    /// a slot its bidder has used before instead of a fresh one (about 12,000 gas less per bid
    /// once a bidder has bid on `BID_SLOTS` jobs); otherwise it goes into a fresh slot of its own.
    uint256 public constant BID_SLOTS = 256;
    /// @dev The low 192 bits of a ring slot: the commitment's low 192 bits while the slot holds an
    /// unrevealed bid, zero while it is free.
    uint256 private constant COMMITMENT_MASK = type(uint192).max;

    /// @notice Jobs `AWARD_LANES` ids apart share one slot for their award (see `_awardLanes`).
    uint256 public constant AWARD_LANES = 256;
    // The job slot's `commits` byte: the count of sealed bids (low six bits, counting stops at 63),
    // then whether a revealed bid leads the round and whether its award is set aside.
    uint8 private constant COMMITS_MAX = 63;
    uint8 private constant LED = 1 << 6;
    uint8 private constant ASIDE = 1 << 7;

    // Bitmaps of accepted states, for `_expectState`.
    bytes32 private constant OPEN = bytes32(1 << uint8(JobState.Open));
    bytes32 private constant REVEALING = bytes32(1 << uint8(JobState.Revealing));
    bytes32 private constant AWARDING = bytes32(1 << uint8(JobState.Awarding));
    bytes32 private constant UNFILLED = bytes32(1 << uint8(JobState.Unfilled));
    bytes32 private constant ASSIGNED = bytes32(1 << uint8(JobState.Assigned));
    bytes32 private constant OVERDUE = bytes32(1 << uint8(JobState.Overdue));
    bytes32 private constant SUBMITTED = bytes32(1 << uint8(JobState.Submitted));
    bytes32 private constant SETTLEABLE = bytes32(1 << uint8(JobState.Settleable));
    bytes32 private constant DISPUTED = bytes32(1 << uint8(JobState.Disputed));
    bytes32 private constant RULING_OVERDUE = bytes32(1 << uint8(JobState.RulingOverdue));

    // ---------------------------------------------------------------- storage

    /// @dev A job's one slot, written at posting; every later transition rewrites it:
    /// digest (168) | status (8) | round (8) | commits (8) | deadline (32) | revealDeadline (32).
    /// `commits` is the bid count (6 bits) with the `LED` and `ASIDE` flags above it.
    struct JobSlot {
        bytes21 digest;
        Status status;
        uint8 round;
        uint8 commits;
        uint32 deadline;
        uint32 revealDeadline;
    }

    /// @dev The leading bid, then the award: winner (160) | price (96). Written at the first reveal,
    /// in the job's lane (or set aside), freed when the job settles, reopens or is refunded.
    struct Award {
        address winner;
        uint96 price;
    }

    /// @dev What a failed settlement callback carried: resultHash (256), then worker (160) | price (96).
    struct Undelivered {
        bytes32 resultHash;
        address worker;
        uint96 price;
    }

    /// @dev Who disputed a job and the bond they posted: disputer (160) | bond (96).
    struct Dispute {
        address disputer;
        uint96 bond;
    }

    /// @dev Everything posting reads or writes besides the job, in one slot: jobCount (64) |
    /// paused (8) | feeBps, forfeitBps, slashBountyBps (16 each) | rulingTimeout (32) | disputeBond (96).
    struct Core {
        uint64 jobCount;
        bool paused;
        uint16 feeBps;
        uint16 forfeitBps;
        uint16 slashBountyBps;
        uint32 rulingTimeout;
        uint96 disputeBond;
    }

    /// @dev The rest of the parameters: treasury (160) | callbackGasLimit (32) | unbondingDelay (32).
    struct Payout {
        address treasury;
        uint32 callbackGasLimit;
        uint32 unbondingDelay;
    }

    mapping(uint256 jobId => JobSlot) private _jobs;
    // The award of a job whose round has a revealed bid, in lane `jobId % AWARD_LANES`. A lane is
    // free when its winner is zero; freeing keeps the price, so that the slot never returns to zero
    // and the next job's award rewrites it (2,900 gas) instead of filling a fresh slot (20,000). A
    // job whose lane is held by a live job AWARD_LANES (or a multiple) ids earlier sets its award
    // aside in `_awards` (flag `ASIDE`).
    mapping(uint256 lane => Award) private _awardLanes;
    mapping(uint256 jobId => Award) private _awards;
    // Second-price jobs only: the second-lowest revealed price of the current round.
    mapping(uint256 jobId => uint96) private _secondPrices;
    // Each bidder's ring of bid slots (see `BID_SLOTS`). A slot holding an unrevealed bid is
    // tag (64: jobId / BID_SLOTS, then the round) | commitment's low 192 bits; a free slot is the
    // time it was freed (64) | 0, or 0 if never used. The freeing time tells a later bid on another
    // job of the same residue whether that job may already hold a bid of its own in `_commitments`.
    mapping(address bidder => mapping(uint256 slot => uint256)) private _bidRing;
    // Sealed bids that found their ring slot taken by another job's unrevealed bid.
    mapping(uint256 jobId => mapping(uint8 round => mapping(address bidder => bytes32))) private _commitments;
    mapping(uint256 jobId => Dispute) private _disputes;
    // Results whose settlement callback failed, for the requester contract to pick up.
    mapping(uint256 jobId => Undelivered) private _undelivered;
    // A credit's slot holds the credit plus one once used (see `_credit` and `_withdrawCredit`).
    mapping(address account => mapping(address token => uint256)) private _credits;
    mapping(address token => bool) private _allowedTokens;
    Core private _core;
    Payout private _payout;
    // What the settlement in progress paid, winner (160) | price (96), for its callback, which runs
    // once the lock is released (the award's lane is free by then). Set only for jobs that asked
    // for a callback, and cleared when read.
    uint256 private transient _settledAward;

    /// @dev Runs after the function body, and after `nonReentrant` (listed after this modifier) has
    /// released the lock: if the body settled the job and its requester asked for a callback, the
    /// requester is notified last, once every state change is done. Running it outside the lock
    /// lets a consumer act on the market from its callback (the workflow orchestrator posts the
    /// next steps); it can change nothing of the settled job. Every function using this expects a
    /// non-settled state; `_settle` leaves what it paid in `_settledAward` when the job asked for a
    /// callback.
    modifier notifiesOnSettlement(uint256 jobId, bytes calldata terms, bytes32 resultHash) {
        _;
        if (terms.callback()) {
            uint256 settled = _settledAward;
            if (settled != 0) {
                _settledAward = 0;
                _notifyRequester(jobId, terms.requester(), resultHash, _winnerOf(settled), uint96(settled));
            }
        }
    }

    /// @dev Stops new jobs and auction rounds while paused.
    modifier whenNotPaused() {
        if (_core.paused) revert EnforcedPause();
        _;
    }

    /// @param initialOwner Governance (a `TimelockController` in deployments).
    /// @param params Initial parameters, checked against their bounds.
    /// @param allowedTokens ERC-20 tokens allowed from the start.
    constructor(address initialOwner, Params memory params, address[] memory allowedTokens) Ownable(initialOwner) {
        _setParams(params);
        for (uint256 i = 0; i < allowedTokens.length; ++i) {
            _setTokenAllowed(allowedTokens[i], true);
        }
    }

    // ---------------------------------------------------------------- requester

    /// @inheritdoc IJobMarket
    function postJob(
        bytes calldata terms,
        bytes32 specHash,
        bytes calldata spec
    ) external payable nonReentrant returns (uint256 jobId) {
        Core memory core = _core;
        if (core.paused) revert EnforcedPause();
        uint256 ethReward = _post(core, terms, specHash, spec);
        if (msg.value != ethReward) revert JobMarketWrongValue(ethReward, msg.value);
        _core.jobCount = core.jobCount;
        return core.jobCount;
    }

    /// @inheritdoc IJobMarket
    function postJobs(
        bytes[] calldata terms,
        bytes32[] calldata specHashes,
        bytes[] calldata specs
    ) external payable nonReentrant returns (uint256 firstJobId) {
        uint256 n = terms.length;
        if (specHashes.length != n) revert JobMarketBatchMismatch(n, specHashes.length);
        if (specs.length != n) revert JobMarketBatchMismatch(n, specs.length);
        Core memory core = _core;
        if (core.paused) revert EnforcedPause();
        firstJobId = uint256(core.jobCount) + 1;
        uint256 ethRewards;
        for (uint256 i = 0; i < n; ++i) {
            ethRewards += _post(core, terms[i], specHashes[i], specs[i]);
        }
        if (msg.value != ethRewards) revert JobMarketBatchMismatch(ethRewards, msg.value);
        // One write of the shared slot for the whole batch.
        _core.jobCount = core.jobCount;
    }

    /// @inheritdoc IJobMarket
    function cancel(uint256 jobId, bytes calldata terms) external nonReentrant {
        JobSlot storage job = _job(jobId, terms, 0);
        _expectState(jobId, job, OPEN);
        if (msg.sender != terms.requester()) revert JobMarketNotRequester(jobId, msg.sender);
        if (job.commits != 0) revert JobMarketHasBids(jobId);
        job.status = Status.Cancelled;
        _credit(terms.requester(), terms.token(), terms.maxReward());
        emit JobCancelled(jobId);
    }

    /// @inheritdoc IJobMarket
    function repost(uint256 jobId, bytes calldata terms) external nonReentrant whenNotPaused {
        JobSlot storage job = _job(jobId, terms, 0);
        _expectState(jobId, job, UNFILLED);
        if (msg.sender != terms.requester()) revert JobMarketNotRequester(jobId, msg.sender);
        if (!_roundFits(job, terms)) revert JobMarketNoTimeLeft(jobId, terms.expiry());
        _startRound(jobId, job, terms);
    }

    /// @inheritdoc IJobMarket
    function reclaim(uint256 jobId, bytes calldata terms) external nonReentrant {
        JobSlot storage job = _job(jobId, terms, 0);
        _expectState(jobId, job, UNFILLED);
        if (msg.sender != terms.requester() && block.timestamp < terms.expiry()) {
            revert JobMarketNotRequester(jobId, msg.sender);
        }
        _refund(jobId, job, terms);
    }

    /// @inheritdoc IJobMarket
    function accept(
        uint256 jobId,
        bytes calldata terms,
        bytes32 resultHash
    ) external notifiesOnSettlement(jobId, terms, resultHash) nonReentrant {
        JobSlot storage job = _job(jobId, terms, resultHash);
        _expectState(jobId, job, SUBMITTED | SETTLEABLE);
        if (msg.sender != terms.requester()) revert JobMarketNotRequester(jobId, msg.sender);
        _settle(jobId, job, terms, resultHash);
    }

    // ---------------------------------------------------------------- workers

    /// @inheritdoc IJobMarket
    function commitBid(uint256 jobId, bytes calldata terms, bytes32 commitment) external nonReentrant {
        _commitBid(jobId, terms, commitment);
    }

    /// @inheritdoc IJobMarket
    function commitBids(
        uint256[] calldata jobIds,
        bytes[] calldata terms,
        bytes32[] calldata commitments
    ) external nonReentrant {
        uint256 n = _batchLength(jobIds.length, terms.length, commitments.length);
        for (uint256 i = 0; i < n; ++i) _commitBid(jobIds[i], terms[i], commitments[i]);
    }

    function _commitBid(uint256 jobId, bytes calldata terms, bytes32 commitment) private {
        JobSlot storage job = _job(jobId, terms, 0);
        _expectState(jobId, job, OPEN);
        if (uint256(commitment) & COMMITMENT_MASK == 0) revert JobMarketZeroCommitment();
        uint8 round = job.round;

        // Where the bid goes, and whether the bidder already has one in this round. A slot taken by
        // another job's unrevealed bid keeps it. A slot freed since this round began is not used
        // either: this job may already hold a bid set aside while the slot was taken, and a second
        // bid would let the bidder choose which price to reveal.
        mapping(uint256 => uint256) storage ring = _bidRing[msg.sender];
        uint256 slot = ring[jobId % BID_SLOTS];
        uint256 tag = _bidTag(jobId, round);
        bool taken = slot & COMMITMENT_MASK != 0;
        if (taken && slot >> 192 == tag) revert JobMarketAlreadyCommitted(jobId, msg.sender);
        bool setAside = taken || slot >> 192 >= job.deadline - terms.commitWindow();
        mapping(address => bytes32) storage aside = _commitments[jobId][round];
        if (setAside && aside[msg.sender] != bytes32(0)) revert JobMarketAlreadyCommitted(jobId, msg.sender);

        Worker storage w = _worker(msg.sender);
        Worker memory worker = w;
        if (!worker.registered) revert WorkerRegistryNotRegistered(msg.sender);
        if (worker.stake < terms.minStake()) revert JobMarketStakeTooLow(worker.stake, terms.minStake());
        if (worker.completed < terms.minCompleted()) {
            revert JobMarketReputationTooLow(worker.completed, terms.minCompleted());
        }
        uint96 free = worker.stake - worker.locked;
        if (free < terms.bond()) revert JobMarketInsufficientFreeStake(free, terms.bond());
        w.locked = worker.locked + terms.bond();

        if (setAside) aside[msg.sender] = commitment;
        else ring[jobId % BID_SLOTS] = (tag << 192) | (uint256(commitment) & COMMITMENT_MASK);
        // Every commit rewrites the job's slot, so that no bid costs more than another. (No flag is
        // set before the commit deadline.)
        if (job.commits < COMMITS_MAX) job.commits += 1;
        emit BidCommitted(jobId, msg.sender, round, commitment);
    }

    /// @inheritdoc IJobMarket
    function revealBid(uint256 jobId, bytes calldata terms, uint96 price, bytes32 salt) external nonReentrant {
        _revealBid(jobId, terms, price, salt);
    }

    /// @inheritdoc IJobMarket
    function revealBids(
        uint256[] calldata jobIds,
        bytes[] calldata terms,
        uint96[] calldata prices,
        bytes32[] calldata salts
    ) external nonReentrant {
        uint256 n = _batchLength(jobIds.length, terms.length, prices.length);
        if (salts.length != n) revert JobMarketBatchMismatch(n, salts.length);
        for (uint256 i = 0; i < n; ++i) _revealBid(jobIds[i], terms[i], prices[i], salts[i]);
    }

    function _revealBid(uint256 jobId, bytes calldata terms, uint96 price, bytes32 salt) private {
        JobSlot storage job = _job(jobId, terms, 0);
        _expectState(jobId, job, REVEALING);
        uint8 round = job.round;
        bytes32 commitment = computeCommitment(jobId, round, msg.sender, price, salt);
        _takeBid(jobId, round, msg.sender, commitment);
        if (price == 0 || price > terms.maxReward()) revert JobMarketInvalidPrice(jobId, price, terms.maxReward());

        uint8 flags = job.commits;
        bool leading;
        if (flags & LED == 0) {
            // The round's first revealed bid leads; its award takes the job's lane unless a live job
            // holds it.
            leading = true;
            uint256 lane = jobId % AWARD_LANES;
            if (_awardLanes[lane].winner == address(0)) {
                _awardLanes[lane] = Award({winner: msg.sender, price: price});
                job.commits = flags | LED;
            } else {
                _awards[jobId] = Award({winner: msg.sender, price: price});
                job.commits = flags | LED | ASIDE;
            }
        } else {
            Award memory led = _award(jobId, flags);
            // Ties go to the earlier reveal: a new bid must be strictly lower to lead.
            leading = price < led.price;
            if (leading) {
                _releaseBond(led.winner, terms.bond());
                // The displaced best price is now the second-lowest.
                if (terms.secondPrice()) _secondPrices[jobId] = led.price;
                _setAward(jobId, flags, msg.sender, price);
            }
        }
        if (!leading) {
            _releaseBond(msg.sender, terms.bond());
            if (terms.secondPrice()) {
                uint96 second = _secondPrices[jobId];
                if (second == 0 || price < second) _secondPrices[jobId] = price;
            }
        }
        emit BidRevealed(jobId, msg.sender, round, price, leading);
    }

    /// @inheritdoc IJobMarket
    function submitResult(
        uint256 jobId,
        bytes calldata terms,
        bytes32 resultHash,
        bytes calldata result
    ) external nonReentrant {
        _submitResult(jobId, terms, resultHash, result);
    }

    /// @inheritdoc IJobMarket
    function submitResults(
        uint256[] calldata jobIds,
        bytes[] calldata terms,
        bytes32[] calldata resultHashes,
        bytes[] calldata results
    ) external nonReentrant {
        uint256 n = _batchLength(jobIds.length, terms.length, resultHashes.length);
        if (results.length != n) revert JobMarketBatchMismatch(n, results.length);
        for (uint256 i = 0; i < n; ++i) _submitResult(jobIds[i], terms[i], resultHashes[i], results[i]);
    }

    function _submitResult(uint256 jobId, bytes calldata terms, bytes32 resultHash, bytes calldata result) private {
        JobSlot storage job = _job(jobId, terms, 0);
        JobState state = _expectState(jobId, job, ASSIGNED | AWARDING);
        if (msg.sender != _award(jobId, job.commits).winner) revert JobMarketNotWinner(jobId, msg.sender);
        if (resultHash == bytes32(0)) revert JobMarketZeroHash();
        if (result.length > MAX_PAYLOAD_BYTES) revert JobMarketPayloadTooLarge(result.length, MAX_PAYLOAD_BYTES);
        // The winner may skip `finalizeAuction` and submit straight away, within its deadline.
        if (state == JobState.Awarding) {
            _assign(jobId, job, terms);
            if (block.timestamp >= job.deadline) {
                revert JobMarketUnexpectedState(jobId, JobState.Overdue, ASSIGNED | AWARDING);
            }
        }

        // The result hash is not stored on its own: it joins the digest, which this write rewrites
        // anyway, and later calls pass it back.
        uint32 challengeDeadline = _deadline(terms.challengeWindow());
        job.digest = jobDigest(jobId, terms, resultHash);
        job.status = Status.Submitted;
        job.deadline = challengeDeadline;
        emit ResultSubmitted(jobId, msg.sender, resultHash, result, challengeDeadline);
    }

    /// @inheritdoc IJobMarket
    function abandon(uint256 jobId, bytes calldata terms) external nonReentrant {
        JobSlot storage job = _job(jobId, terms, 0);
        _expectState(jobId, job, ASSIGNED | AWARDING);
        address worker = _award(jobId, job.commits).winner;
        if (msg.sender != worker) revert JobMarketNotWinner(jobId, msg.sender);
        uint96 penalty = uint96((uint256(terms.bond()) * terms.forfeitBps()) / BPS);
        _takeBond(worker, terms.bond(), penalty, true, false);
        // To the treasury, not the requester: a requester must not profit from posting a job that
        // cannot succeed (a module that always fails) and collecting what its winners give back.
        address treasury = _payout.treasury;
        if (penalty != 0) _credit(treasury, address(0), penalty);
        emit WorkerSlashed(jobId, worker, SlashReason.Abandoned, penalty, treasury, 0);
        _reopenOrRefund(jobId, job, terms);
    }

    // ---------------------------------------------------------------- anyone

    /// @inheritdoc IJobMarket
    function forfeitUnrevealed(
        uint256 jobId,
        bytes calldata terms,
        bytes32 resultHash,
        uint8 round,
        address bidder
    ) external nonReentrant {
        JobSlot storage job = _job(jobId, terms, resultHash);
        _takeBid(jobId, round, bidder, 0);
        // Earlier rounds are over; the current one is over once its reveal window has closed.
        if (round == job.round && job.status == Status.Auction && block.timestamp < job.revealDeadline) {
            revert JobMarketRevealStillOpen(jobId, job.revealDeadline);
        }

        uint96 forfeited = uint96((uint256(terms.bond()) * terms.forfeitBps()) / BPS);
        _takeBond(bidder, terms.bond(), forfeited, false, false);
        // A bidder closing its own bid earns no bounty on it. The rest goes to the treasury, not to
        // the requester: otherwise a requester could shill a second-price auction with sybil bids,
        // reveal only the one that suits it and take back the forfeits of the others for free.
        uint96 bounty = msg.sender == bidder ? 0 : uint96((uint256(forfeited) * terms.slashBountyBps()) / BPS);
        if (bounty != 0) _credit(msg.sender, address(0), bounty);
        if (forfeited != bounty) _credit(_payout.treasury, address(0), forfeited - bounty);
        emit BidForfeited(jobId, bidder, round, forfeited, msg.sender);
    }

    /// @inheritdoc IJobMarket
    function finalizeAuction(uint256 jobId, bytes calldata terms) external nonReentrant {
        JobSlot storage job = _job(jobId, terms, 0);
        _expectState(jobId, job, AWARDING);
        _assign(jobId, job, terms);
    }

    /// @inheritdoc IJobMarket
    function settle(
        uint256 jobId,
        bytes calldata terms,
        bytes32 resultHash
    ) external notifiesOnSettlement(jobId, terms, resultHash) nonReentrant {
        _settleSettleable(jobId, terms, resultHash);
    }

    /// @inheritdoc IJobMarket
    function settleMany(uint256[] calldata jobIds, bytes[] calldata terms, bytes32[] calldata resultHashes) external {
        uint256 n = _batchLength(jobIds.length, terms.length, resultHashes.length);
        uint256[] memory settled = _settleAll(jobIds, terms, resultHashes);
        // As `notifiesOnSettlement`, once every job is settled and the lock is released.
        for (uint256 i = 0; i < n; ++i) {
            if (terms[i].callback()) {
                _notifyRequester(
                    jobIds[i],
                    terms[i].requester(),
                    resultHashes[i],
                    _winnerOf(settled[i]),
                    uint96(settled[i])
                );
            }
        }
    }

    function _settleAll(
        uint256[] calldata jobIds,
        bytes[] calldata terms,
        bytes32[] calldata resultHashes
    ) private nonReentrant returns (uint256[] memory settled) {
        settled = new uint256[](jobIds.length);
        for (uint256 i = 0; i < jobIds.length; ++i) {
            _settleSettleable(jobIds[i], terms[i], resultHashes[i]);
            if (terms[i].callback()) {
                settled[i] = _settledAward;
                _settledAward = 0;
            }
        }
    }

    function _settleSettleable(uint256 jobId, bytes calldata terms, bytes32 resultHash) private {
        JobSlot storage job = _job(jobId, terms, resultHash);
        _expectState(jobId, job, SETTLEABLE);
        _settle(jobId, job, terms, resultHash);
    }

    /// @dev The length of a batch whose first three arrays must be as long as each other.
    function _batchLength(uint256 n, uint256 b, uint256 c) private pure returns (uint256) {
        if (b != n) revert JobMarketBatchMismatch(n, b);
        if (c != n) revert JobMarketBatchMismatch(n, c);
        return n;
    }

    /// @inheritdoc IJobMarket
    function dispute(uint256 jobId, bytes calldata terms, bytes32 resultHash) external payable nonReentrant {
        JobSlot storage job = _job(jobId, terms, resultHash);
        _expectState(jobId, job, SUBMITTED);
        uint96 bond = terms.disputeBond();
        if (msg.value != bond) revert JobMarketWrongValue(bond, msg.value);

        _disputes[jobId] = Dispute({disputer: msg.sender, bond: bond});
        uint32 rulingDeadline = _deadline(terms.rulingTimeout());
        job.status = Status.Disputed;
        job.deadline = rulingDeadline;
        emit JobDisputed(jobId, msg.sender, terms.arbiter(), bond, rulingDeadline);
        IArbiter(terms.arbiter()).onDisputeOpened(jobId, msg.sender, _award(jobId, job.commits).winner, resultHash);
    }

    /// @inheritdoc IJobMarket
    function resolveStaleDispute(
        uint256 jobId,
        bytes calldata terms,
        bytes32 resultHash
    ) external notifiesOnSettlement(jobId, terms, resultHash) nonReentrant {
        JobSlot storage job = _job(jobId, terms, resultHash);
        _expectState(jobId, job, RULING_OVERDUE);
        _resolveDispute(jobId, job, terms, resultHash, true, true);
    }

    /// @inheritdoc IJobMarket
    function slashNoShow(uint256 jobId, bytes calldata terms) external nonReentrant {
        JobSlot storage job = _job(jobId, terms, 0);
        _expectState(jobId, job, OVERDUE);
        _slash(jobId, job, terms, SlashReason.NoShow, msg.sender);
        _reopenOrRefund(jobId, job, terms);
    }

    /// @inheritdoc IJobMarket
    function multicall(bytes[] calldata data) public override(IJobMarket, Multicall) returns (bytes[] memory results) {
        return super.multicall(data);
    }

    /// @inheritdoc IJobMarket
    function withdraw(address token) external nonReentrant {
        _withdrawCredit(msg.sender, token, msg.sender);
    }

    /// @inheritdoc IJobMarket
    function withdrawTo(address token, address to) external nonReentrant {
        if (to == address(0)) revert JobMarketZeroAddress();
        _withdrawCredit(msg.sender, token, to);
    }

    /// @inheritdoc IJobMarket
    function withdrawFees(address token) external nonReentrant {
        _withdrawCredit(address(this), token, _payout.treasury);
    }

    // ---------------------------------------------------------------- arbiter

    /// @inheritdoc IJobMarket
    function rule(
        uint256 jobId,
        bytes calldata terms,
        bytes32 resultHash,
        bool workerWins
    ) external notifiesOnSettlement(jobId, terms, resultHash) nonReentrant {
        JobSlot storage job = _job(jobId, terms, resultHash);
        if (msg.sender != terms.arbiter()) revert JobMarketNotArbiter(jobId, msg.sender);
        _expectState(jobId, job, DISPUTED | RULING_OVERDUE);
        _resolveDispute(jobId, job, terms, resultHash, workerWins, false);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IJobMarket
    function setParams(Params calldata params) external onlyOwner {
        _setParams(params);
    }

    /// @inheritdoc IJobMarket
    function setTokenAllowed(address token, bool allowed) external onlyOwner {
        _setTokenAllowed(token, allowed);
    }

    /// @inheritdoc IJobMarket
    function pause() external onlyOwner {
        if (_core.paused) revert EnforcedPause();
        _core.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IJobMarket
    function unpause() external onlyOwner {
        if (!_core.paused) revert ExpectedPause();
        _core.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @notice Always reverts: a market without an owner could never change parameters or unpause.
    function renounceOwnership() public view override onlyOwner {
        revert JobMarketRenounceDisabled();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IJobMarket
    function jobState(uint256 jobId) external view returns (JobState) {
        return _stateOf(_jobs[jobId]);
    }

    /// @inheritdoc IJobMarket
    function getJob(uint256 jobId) external view returns (Job memory) {
        JobSlot memory job = _jobs[jobId];
        // An award is kept while its job is live: settling, reopening and refunding free its lane.
        bool live = job.commits & LED != 0 && job.status < Status.Settled;
        Award memory award = live ? _award(jobId, job.commits) : Award(address(0), 0);
        return
            Job({
                digest: job.digest,
                winner: award.winner,
                price: award.price,
                secondPrice: _secondPrices[jobId],
                status: job.status,
                round: job.round,
                commits: job.commits & COMMITS_MAX,
                deadline: job.deadline,
                revealDeadline: job.revealDeadline
            });
    }

    /// @inheritdoc IJobMarket
    function executionDeadline(uint256 jobId, bytes calldata terms) external view returns (uint32) {
        return _job(jobId, terms, 0).revealDeadline + terms.executionWindow();
    }

    /// @inheritdoc IJobMarket
    function jobCount() external view returns (uint256) {
        return _core.jobCount;
    }

    /// @inheritdoc IJobMarket
    function paused() external view returns (bool) {
        return _core.paused;
    }

    /// @inheritdoc IJobMarket
    function commitmentOf(uint256 jobId, uint8 round, address bidder) external view returns (bytes32) {
        (, bytes32 commitment) = _findBid(jobId, round, bidder);
        return commitment & bytes32(COMMITMENT_MASK);
    }

    /// @inheritdoc IJobMarket
    function getDispute(uint256 jobId) external view returns (address disputer, uint96 bond) {
        Dispute memory d = _disputes[jobId];
        return (d.disputer, d.bond);
    }

    /// @inheritdoc IJobMarket
    function undeliveredSettlementOf(
        uint256 jobId
    ) external view returns (bytes32 resultHash, address worker, uint96 price) {
        Undelivered memory u = _undelivered[jobId];
        return (u.resultHash, u.worker, u.price);
    }

    /// @inheritdoc IJobMarket
    function creditOf(address account, address token) external view returns (uint256) {
        uint256 slot = _credits[account][token];
        return slot == 0 ? 0 : slot - 1;
    }

    /// @inheritdoc IJobMarket
    function isTokenAllowed(address token) public view returns (bool) {
        return token == address(0) || _allowedTokens[token];
    }

    /// @inheritdoc IJobMarket
    function getParams() external view returns (Params memory) {
        Core memory core = _core;
        Payout memory payout = _payout;
        return
            Params({
                treasury: payout.treasury,
                feeBps: core.feeBps,
                forfeitBps: core.forfeitBps,
                slashBountyBps: core.slashBountyBps,
                callbackGasLimit: payout.callbackGasLimit,
                rulingTimeout: core.rulingTimeout,
                unbondingDelay: payout.unbondingDelay,
                disputeBond: core.disputeBond
            });
    }

    /// @inheritdoc IJobMarket
    function computeCommitment(
        uint256 jobId,
        uint8 round,
        address bidder,
        uint96 price,
        bytes32 salt
    ) public view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), jobId, round, bidder, price, salt));
    }

    /// @inheritdoc IJobMarket
    function jobDigest(uint256 jobId, bytes calldata terms, bytes32 resultHash) public pure returns (bytes21) {
        // keccak256(abi.encodePacked(jobId, resultHash, terms)), without the copies `abi.encodePacked`
        // makes. Terms of another length than those posted (checked there) never match a digest.
        bytes32 h;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, jobId)
            mstore(add(ptr, 0x20), resultHash)
            calldatacopy(add(ptr, 0x40), terms.offset, terms.length)
            h := keccak256(ptr, add(0x40, terms.length))
        }
        return bytes21(h);
    }

    // ---------------------------------------------------------------- state

    /// @dev Loads a job after checking that `terms` (and `resultHash` while a result stands) are its own.
    function _job(uint256 jobId, bytes calldata terms, bytes32 resultHash) private view returns (JobSlot storage job) {
        job = _jobs[jobId];
        if (job.digest != jobDigest(jobId, terms, resultHash)) revert JobMarketTermsMismatch(jobId);
    }

    /// @dev The derived state: the stored status refined by the deadlines (each deadline is the
    /// first second at which the next state applies).
    function _stateOf(JobSlot storage job) private view returns (JobState) {
        Status status = job.status;
        if (status == Status.Auction) {
            if (block.timestamp < job.deadline) return JobState.Open;
            if (block.timestamp < job.revealDeadline) return JobState.Revealing;
            return job.commits & LED == 0 ? JobState.Unfilled : JobState.Awarding;
        }
        if (status == Status.Assigned) return block.timestamp < job.deadline ? JobState.Assigned : JobState.Overdue;
        if (status == Status.Submitted) {
            return block.timestamp < job.deadline ? JobState.Submitted : JobState.Settleable;
        }
        if (status == Status.Disputed) {
            return block.timestamp < job.deadline ? JobState.Disputed : JobState.RulingOverdue;
        }
        if (status == Status.Settled) return JobState.Settled;
        if (status == Status.Cancelled) return JobState.Cancelled;
        if (status == Status.Refunded) return JobState.Refunded;
        return JobState.None;
    }

    /// @dev Reverts unless the job's derived state is in `allowed`; returns the state.
    function _expectState(uint256 jobId, JobSlot storage job, bytes32 allowed) private view returns (JobState state) {
        state = _stateOf(job);
        if (bytes32(1 << uint8(state)) & allowed == bytes32(0)) {
            revert JobMarketUnexpectedState(jobId, state, allowed);
        }
    }

    /// @dev Checks and escrows one job, gives it the next id (in `core`, which the caller writes
    /// back) and writes its slot. Returns the wei of ETH the job needs from `msg.value`.
    function _post(
        Core memory core,
        bytes calldata terms,
        bytes32 specHash,
        bytes calldata spec
    ) private returns (uint256 ethReward) {
        _validateTerms(core, terms);
        if (specHash == bytes32(0)) revert JobMarketZeroHash();
        if (spec.length > MAX_PAYLOAD_BYTES) revert JobMarketPayloadTooLarge(spec.length, MAX_PAYLOAD_BYTES);

        if (terms.token() == address(0)) {
            ethReward = terms.maxReward();
        } else {
            IERC20 token = IERC20(terms.token());
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(msg.sender, address(this), terms.maxReward());
            uint256 received = token.balanceOf(address(this)) - before;
            if (received != terms.maxReward())
                revert JobMarketTokenShortfall(terms.token(), terms.maxReward(), received);
        }

        // Cannot overflow: 2^64 jobs would take far more gas than exists.
        unchecked {
            ++core.jobCount;
        }
        uint256 jobId = core.jobCount;
        uint32 commitDeadline = uint32(block.timestamp) + terms.commitWindow();
        uint32 revealDeadline = commitDeadline + terms.revealWindow();
        _jobs[jobId] = JobSlot({
            digest: jobDigest(jobId, terms, 0),
            status: Status.Auction,
            round: 0,
            commits: 0,
            deadline: commitDeadline,
            revealDeadline: revealDeadline
        });
        emit JobPosted(jobId, msg.sender, terms, specHash, spec, commitDeadline);
    }

    function _validateTerms(Core memory params, bytes calldata terms) private view {
        if (terms.length != PackedTerms.LENGTH) revert JobMarketTermsLength(terms.length, PackedTerms.LENGTH);
        uint8 pricing = terms.pricing();
        uint8 callbackByte = uint8(terms[PackedTerms.LENGTH - 1]);
        if (pricing > 1 || callbackByte > 1) revert JobMarketTermsFlags(pricing, callbackByte);
        if (terms.requester() != msg.sender) revert JobMarketRequesterMismatch(terms.requester(), msg.sender);
        if (!isTokenAllowed(terms.token())) revert JobMarketTokenNotAllowed(terms.token());
        if (terms.maxReward() == 0) revert JobMarketZeroReward();
        if (terms.bond() == 0) revert JobMarketZeroBond();
        if (terms.arbiter().code.length == 0) revert JobMarketInvalidArbiter(terms.arbiter());
        // The five copied parameters sit side by side in the packed terms: one comparison of all
        // five, and field by field only to name the one that differs.
        uint256 current =
            (uint256(params.feeBps) << 160) |
                (uint256(params.forfeitBps) << 144) |
                (uint256(params.slashBountyBps) << 128) |
                (uint256(params.disputeBond) << 32) |
                params.rulingTimeout;
        if (terms.copiedParams() != current) {
            if (terms.feeBps() != params.feeBps) revert JobMarketParamMismatch("feeBps", terms.feeBps(), params.feeBps);
            if (terms.forfeitBps() != params.forfeitBps) {
                revert JobMarketParamMismatch("forfeitBps", terms.forfeitBps(), params.forfeitBps);
            }
            if (terms.slashBountyBps() != params.slashBountyBps) {
                revert JobMarketParamMismatch("slashBountyBps", terms.slashBountyBps(), params.slashBountyBps);
            }
            if (terms.disputeBond() != params.disputeBond) {
                revert JobMarketParamMismatch("disputeBond", terms.disputeBond(), params.disputeBond);
            }
            if (terms.rulingTimeout() != params.rulingTimeout) {
                revert JobMarketParamMismatch("rulingTimeout", terms.rulingTimeout(), params.rulingTimeout);
            }
        }
        _checkWindow(terms.commitWindow());
        _checkWindow(terms.revealWindow());
        _checkWindow(terms.executionWindow());
        _checkWindow(terms.challengeWindow());
        uint256 earliest = block.timestamp + terms.commitWindow() + terms.revealWindow() + terms.executionWindow();
        if (terms.expiry() < earliest) revert JobMarketExpiryTooSoon(terms.expiry(), earliest);
    }

    function _checkWindow(uint32 window) private pure {
        if (window == 0 || window > MAX_WINDOW) revert JobMarketInvalidWindow(window);
    }

    /// @dev `window` seconds from now, as a stored deadline. Deadlines are `uint32` (good until
    /// 2106-02-07); past that the market refuses with a clear error rather than wrap or panic.
    function _deadline(uint32 window) private view returns (uint32) {
        uint256 end = block.timestamp + window;
        if (end > type(uint32).max) revert JobMarketTimestampOverflow(end);
        return uint32(end);
    }

    /// @dev Whether a new auction round and its execution window end by the job's expiry.
    function _roundFits(JobSlot storage job, bytes calldata terms) private view returns (bool) {
        uint256 roundEnd = block.timestamp + terms.commitWindow() + terms.revealWindow() + terms.executionWindow();
        return job.round < type(uint8).max && roundEnd <= terms.expiry();
    }

    function _startRound(uint256 jobId, JobSlot storage job, bytes calldata terms) private {
        uint8 round = job.round + 1;
        uint32 commitDeadline = uint32(block.timestamp) + terms.commitWindow();
        uint32 revealDeadline = commitDeadline + terms.revealWindow();
        _freeAward(jobId, job.commits);
        if (terms.secondPrice()) delete _secondPrices[jobId];
        // A result from a lost dispute no longer stands.
        _jobs[jobId] = JobSlot({
            digest: jobDigest(jobId, terms, 0),
            status: Status.Auction,
            round: round,
            commits: 0,
            deadline: commitDeadline,
            revealDeadline: revealDeadline
        });
        emit JobReopened(jobId, round, commitDeadline, revealDeadline);
    }

    // ---------------------------------------------------------------- sealed bids

    /// @dev The high 64 bits of a ring slot holding a bid on `jobId` in `round`. With the residue
    /// `jobId % BID_SLOTS` (the slot's place) it names the job: ids stay below 2^64.
    function _bidTag(uint256 jobId, uint8 round) private pure returns (uint256) {
        return ((jobId / BID_SLOTS) << 8) | round;
    }

    /// @dev Where the bidder's unrevealed bid in `round` is: its ring slot (`inRing`), or the slot
    /// set aside; `commitment` is zero when there is none (the ring holds only its low 192 bits).
    function _findBid(
        uint256 jobId,
        uint8 round,
        address bidder
    ) private view returns (bool inRing, bytes32 commitment) {
        uint256 slot = _bidRing[bidder][jobId % BID_SLOTS];
        if (slot & COMMITMENT_MASK != 0 && slot >> 192 == _bidTag(jobId, round)) {
            return (true, bytes32(slot & COMMITMENT_MASK));
        }
        return (false, _commitments[jobId][round][bidder]);
    }

    /// @dev Removes the bidder's unrevealed bid in `round`, which must match `commitment` unless
    /// that is zero (a forfeit). A ring slot is freed with the time.
    function _takeBid(uint256 jobId, uint8 round, address bidder, bytes32 commitment) private {
        (bool inRing, bytes32 stored) = _findBid(jobId, round, bidder);
        if (stored == bytes32(0)) revert JobMarketNoCommitment(jobId, bidder);
        if (inRing) commitment &= bytes32(COMMITMENT_MASK);
        if (commitment != bytes32(0) && stored != commitment) revert JobMarketCommitmentMismatch(jobId, bidder);
        if (inRing) {
            _bidRing[bidder][jobId % BID_SLOTS] = block.timestamp << 192;
        } else {
            delete _commitments[jobId][round][bidder];
        }
    }

    // ---------------------------------------------------------------- awards

    /// @dev Where the award of a job whose `commits` byte is `flags` is (`LED` must be set).
    function _award(uint256 jobId, uint8 flags) private view returns (Award storage) {
        return flags & ASIDE == 0 ? _awardLanes[jobId % AWARD_LANES] : _awards[jobId];
    }

    function _setAward(uint256 jobId, uint8 flags, address winner, uint96 price) private {
        if (flags & ASIDE == 0) _awardLanes[jobId % AWARD_LANES] = Award({winner: winner, price: price});
        else _awards[jobId] = Award({winner: winner, price: price});
    }

    /// @dev Frees a job's award, if it has one: its lane keeps the price (so that the slot stays
    /// non-zero); a set-aside award is deleted.
    function _freeAward(uint256 jobId, uint8 flags) private {
        if (flags & LED == 0) return;
        if (flags & ASIDE == 0) _awardLanes[jobId % AWARD_LANES].winner = address(0);
        else delete _awards[jobId];
    }

    function _winnerOf(uint256 settled) private pure returns (address) {
        return address(uint160(settled >> 96));
    }

    // ---------------------------------------------------------------- transitions

    function _assign(uint256 jobId, JobSlot storage job, bytes calldata terms) private {
        Award storage award = _award(jobId, job.commits);
        uint96 price = award.price;
        if (terms.secondPrice()) {
            uint96 second = _secondPrices[jobId];
            price = second == 0 ? terms.maxReward() : second;
            award.price = price;
        }
        // The execution clock runs from the reveal deadline, not from finalization.
        uint32 deadline = job.revealDeadline + terms.executionWindow();
        job.status = Status.Assigned;
        job.deadline = deadline;
        emit JobAssigned(jobId, award.winner, price, deadline);
    }

    function _settle(uint256 jobId, JobSlot storage job, bytes calldata terms, bytes32 resultHash) private {
        Award memory award = _award(jobId, job.commits);
        address worker = award.winner;
        uint96 price = award.price;
        // Cannot overflow: feeBps <= MAX_FEE_BPS and price <= maxReward, both checked before.
        uint96 fee = uint96((uint256(price) * terms.feeBps()) / BPS);
        uint96 refund = terms.maxReward() - price;
        job.status = Status.Settled;
        _freeAward(jobId, job.commits);
        if (terms.callback()) _settledAward = (uint256(uint160(worker)) << 96) | price;

        // A completion counts for reputation only if it cost its requester something: a fee that
        // rounds to zero, or a job the worker posted itself, would let reputation be farmed.
        _recordCompletion(worker, terms.bond(), fee != 0 && worker != terms.requester());
        _credit(worker, terms.token(), price - fee);
        // To the market's own account, paid to the treasury by `withdrawFees`: no read of the
        // treasury's address here.
        if (fee != 0) _credit(address(this), terms.token(), fee);
        if (refund != 0) _credit(terms.requester(), terms.token(), refund);
        emit JobSettled(jobId, worker, resultHash, price, fee, refund);
    }

    function _resolveDispute(
        uint256 jobId,
        JobSlot storage job,
        bytes calldata terms,
        bytes32 resultHash,
        bool workerWins,
        bool byTimeout
    ) private {
        Dispute memory d = _disputes[jobId];
        delete _disputes[jobId];
        emit DisputeResolved(jobId, workerWins, byTimeout);
        if (workerWins) {
            _credit(_award(jobId, job.commits).winner, address(0), d.bond);
            _settle(jobId, job, terms, resultHash);
        } else {
            _credit(d.disputer, address(0), d.bond);
            _slash(jobId, job, terms, SlashReason.DisputeLost, d.disputer);
            // The rejected result no longer stands: the digest goes back to the terms alone.
            job.digest = jobDigest(jobId, terms, 0);
            _reopenOrRefund(jobId, job, terms);
        }
    }

    /// @dev Takes the winner's whole bond: a bounty to `beneficiary`, the rest to the requester.
    function _slash(
        uint256 jobId,
        JobSlot storage job,
        bytes calldata terms,
        SlashReason reason,
        address beneficiary
    ) private {
        address worker = _award(jobId, job.commits).winner;
        uint96 amount = terms.bond();
        _takeBond(worker, amount, amount, reason == SlashReason.NoShow, reason == SlashReason.DisputeLost);
        // A worker triggering its own slash earns no bounty on it.
        if (beneficiary == worker) beneficiary = terms.requester();
        uint96 bounty = _payPenalty(terms, amount, beneficiary);
        emit WorkerSlashed(jobId, worker, reason, amount, beneficiary, bounty);
    }

    /// @dev Splits a slash in wei: the bounty share to `beneficiary`, the rest to the requester.
    function _payPenalty(bytes calldata terms, uint96 amount, address beneficiary) private returns (uint96 bounty) {
        bounty = uint96((uint256(amount) * terms.slashBountyBps()) / BPS);
        if (bounty != 0) _credit(beneficiary, address(0), bounty);
        if (amount != bounty) _credit(terms.requester(), address(0), amount - bounty);
    }

    function _reopenOrRefund(uint256 jobId, JobSlot storage job, bytes calldata terms) private {
        if (_roundFits(job, terms)) {
            _startRound(jobId, job, terms);
        } else {
            _refund(jobId, job, terms);
        }
    }

    function _refund(uint256 jobId, JobSlot storage job, bytes calldata terms) private {
        job.status = Status.Refunded;
        _freeAward(jobId, job.commits);
        _credit(terms.requester(), terms.token(), terms.maxReward());
        emit JobRefunded(jobId, terms.maxReward());
    }

    /// @dev Calls the requester's `onJobSettled` with a fixed gas limit, ignoring its outcome and
    /// return data. Reverts if the caller supplied too little gas for the consumer to get its full
    /// limit, so nobody can make a callback fail on purpose by starving it.
    function _notifyRequester(
        uint256 jobId,
        address requester,
        bytes32 resultHash,
        address worker,
        uint96 price
    ) private {
        uint256 gasLimit = _payout.callbackGasLimit;
        // EIP-150 forwards at most 63/64 of the gas left.
        uint256 required = gasLimit + gasLimit / 63 + CALLBACK_GAS_RESERVE;
        if (gasleft() < required) revert JobMarketInsufficientGas(gasleft(), required);
        bytes memory data = abi.encodeCall(IJobConsumer.onJobSettled, (jobId, resultHash, worker, price));
        bool success;
        // A plain call that copies no return data, so a consumer cannot make the market pay for a
        // large return buffer.
        assembly ("memory-safe") {
            success := call(gasLimit, requester, 0, add(data, 0x20), mload(data), 0, 0)
        }
        // A consumer that missed the settlement can pick the result up later.
        if (!success) _undelivered[jobId] = Undelivered({resultHash: resultHash, worker: worker, price: price});
        emit SettlementCallback(jobId, success);
    }

    // ---------------------------------------------------------------- money

    /// @dev Adds to a credit. A used credit slot holds the credit plus one, so that it never goes
    /// back to zero: the next credit after a withdrawal is then a 2,900-gas rewrite, not a
    /// 20,000-gas fresh slot. The extra unit is bookkeeping only (`creditOf` subtracts it and no
    /// wei backs it), so withdrawals pay out exactly the credit and leave no dust in the market.
    function _credit(address account, address token, uint256 amount) private {
        uint256 slot = _credits[account][token];
        _credits[account][token] = (slot == 0 ? 1 : slot) + amount;
    }

    function _withdrawCredit(address account, address token, address to) private {
        uint256 slot = _credits[account][token];
        if (slot <= 1) revert JobMarketNothingToWithdraw(account, token);
        uint256 amount = slot - 1;
        _credits[account][token] = 1;
        emit Withdrawn(account, token, to, amount);
        if (token == address(0)) {
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert JobMarketTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    // ---------------------------------------------------------------- governance internals

    function _setParams(Params memory params) private {
        if (params.treasury == address(0)) revert JobMarketZeroAddress();
        if (params.feeBps > MAX_FEE_BPS) revert JobMarketParamOutOfBounds("feeBps", params.feeBps);
        if (params.forfeitBps > MAX_FORFEIT_BPS) revert JobMarketParamOutOfBounds("forfeitBps", params.forfeitBps);
        if (params.slashBountyBps > MAX_SLASH_BOUNTY_BPS) {
            revert JobMarketParamOutOfBounds("slashBountyBps", params.slashBountyBps);
        }
        if (params.callbackGasLimit < MIN_CALLBACK_GAS || params.callbackGasLimit > MAX_CALLBACK_GAS) {
            revert JobMarketParamOutOfBounds("callbackGasLimit", params.callbackGasLimit);
        }
        if (params.rulingTimeout < MIN_DELAY || params.rulingTimeout > MAX_DELAY) {
            revert JobMarketParamOutOfBounds("rulingTimeout", params.rulingTimeout);
        }
        if (params.unbondingDelay < MIN_DELAY || params.unbondingDelay > MAX_DELAY) {
            revert JobMarketParamOutOfBounds("unbondingDelay", params.unbondingDelay);
        }
        if (params.disputeBond == 0 || params.disputeBond > MAX_DISPUTE_BOND) {
            revert JobMarketParamOutOfBounds("disputeBond", params.disputeBond);
        }
        Core storage core = _core;
        core.feeBps = params.feeBps;
        core.forfeitBps = params.forfeitBps;
        core.slashBountyBps = params.slashBountyBps;
        core.rulingTimeout = params.rulingTimeout;
        core.disputeBond = params.disputeBond;
        _payout = Payout({
            treasury: params.treasury,
            callbackGasLimit: params.callbackGasLimit,
            unbondingDelay: params.unbondingDelay
        });
        emit ParamsUpdated(params);
    }

    function _setTokenAllowed(address token, bool allowed) private {
        if (token == address(0)) revert JobMarketZeroAddress();
        _allowedTokens[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    function _unbondingDelay() internal view override returns (uint32) {
        return _payout.unbondingDelay;
    }
}
