// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {IArbiter} from "./interfaces/IArbiter.sol";
import {IJobConsumer} from "./interfaces/IJobConsumer.sol";
import {WorkerRegistry} from "./WorkerRegistry.sol";

/// @title Baton job market
/// @notice See {IJobMarket}. Governance (the owner, a timelock in deployments) can change bounded
/// parameters, allowlist tokens and pause new jobs and bids; no owner function touches escrow,
/// bonds or credits.
contract JobMarket is IJobMarket, WorkerRegistry, Ownable2Step, Pausable {
    using SafeERC20 for IERC20;

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

    /// @dev Who disputed a job and the bond they posted: disputer (160) | bond (96).
    struct Dispute {
        address disputer;
        uint96 bond;
    }

    // Three slots per job (see {IJobMarket-Job}): termsHash | winner (160), price (96) |
    // secondPrice (96), status, round, hasCommits (8 each), deadline, revealDeadline (32 each).
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => mapping(uint8 round => mapping(address bidder => bytes32))) private _commitments;
    mapping(uint256 jobId => bytes32) private _resultHashes;
    mapping(uint256 jobId => Dispute) private _disputes;
    mapping(address account => mapping(address token => uint256)) private _credits;
    mapping(address token => bool) private _allowedTokens;
    Params private _params;
    uint256 private _jobCount;

    /// @dev Runs after the function body, and after `nonReentrant` (listed after this modifier) has
    /// released the lock: if the body settled the job and its requester asked for a callback, the
    /// requester is notified last, once every state change is done. Running it outside the lock
    /// lets a consumer act on the market from its callback (the workflow orchestrator posts the
    /// next steps); it can change nothing of the settled job. Every function using this expects a
    /// non-settled state, so a settled job afterwards means this call settled it.
    modifier notifiesOnSettlement(uint256 jobId, JobTerms calldata terms) {
        _;
        Job storage job = _jobs[jobId];
        if (terms.callback && job.status == Status.Settled) {
            _notifyRequester(jobId, terms.requester, _resultHashes[jobId], job.winner, job.price);
        }
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
        JobTerms calldata terms,
        bytes32 specHash,
        bytes calldata spec
    ) external payable nonReentrant whenNotPaused returns (uint256 jobId) {
        _validateTerms(terms);
        if (specHash == bytes32(0)) revert JobMarketZeroHash();
        if (spec.length > MAX_PAYLOAD_BYTES) revert JobMarketPayloadTooLarge(spec.length, MAX_PAYLOAD_BYTES);

        if (terms.token == address(0)) {
            if (msg.value != terms.maxReward) revert JobMarketWrongValue(terms.maxReward, msg.value);
        } else {
            if (msg.value != 0) revert JobMarketWrongValue(0, msg.value);
            IERC20 token = IERC20(terms.token);
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(msg.sender, address(this), terms.maxReward);
            uint256 received = token.balanceOf(address(this)) - before;
            if (received != terms.maxReward) revert JobMarketTokenShortfall(terms.token, terms.maxReward, received);
        }

        jobId = ++_jobCount;
        uint32 commitDeadline = uint32(block.timestamp) + terms.commitWindow;
        uint32 revealDeadline = commitDeadline + terms.revealWindow;
        Job storage job = _jobs[jobId];
        job.termsHash = hashTerms(terms);
        job.status = Status.Auction;
        job.deadline = commitDeadline;
        job.revealDeadline = revealDeadline;
        emit JobPosted(jobId, msg.sender, terms.token, terms, specHash, spec, commitDeadline, revealDeadline);
    }

    /// @inheritdoc IJobMarket
    function cancel(uint256 jobId, JobTerms calldata terms) external nonReentrant {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, OPEN);
        if (msg.sender != terms.requester) revert JobMarketNotRequester(jobId, msg.sender);
        if (job.hasCommits) revert JobMarketHasBids(jobId);
        job.status = Status.Cancelled;
        _credits[terms.requester][terms.token] += terms.maxReward;
        emit JobCancelled(jobId);
    }

    /// @inheritdoc IJobMarket
    function repost(uint256 jobId, JobTerms calldata terms) external nonReentrant whenNotPaused {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, UNFILLED);
        if (msg.sender != terms.requester) revert JobMarketNotRequester(jobId, msg.sender);
        if (!_roundFits(job, terms)) revert JobMarketNoTimeLeft(jobId, terms.expiry);
        _startRound(jobId, job, terms);
    }

    /// @inheritdoc IJobMarket
    function reclaim(uint256 jobId, JobTerms calldata terms) external nonReentrant {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, UNFILLED);
        if (msg.sender != terms.requester && block.timestamp < terms.expiry) {
            revert JobMarketNotRequester(jobId, msg.sender);
        }
        _refund(jobId, job, terms);
    }

    /// @inheritdoc IJobMarket
    function accept(uint256 jobId, JobTerms calldata terms) external notifiesOnSettlement(jobId, terms) nonReentrant {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, SUBMITTED | SETTLEABLE);
        if (msg.sender != terms.requester) revert JobMarketNotRequester(jobId, msg.sender);
        _settle(jobId, job, terms);
    }

    // ---------------------------------------------------------------- workers

    /// @inheritdoc IJobMarket
    function commitBid(uint256 jobId, JobTerms calldata terms, bytes32 commitment) external nonReentrant whenNotPaused {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, OPEN);
        if (commitment == bytes32(0)) revert JobMarketZeroCommitment();
        uint8 round = job.round;
        mapping(address => bytes32) storage roundCommitments = _commitments[jobId][round];
        if (roundCommitments[msg.sender] != bytes32(0)) revert JobMarketAlreadyCommitted(jobId, msg.sender);

        Worker storage w = _worker(msg.sender);
        Worker memory worker = w;
        if (!worker.registered) revert WorkerRegistryNotRegistered(msg.sender);
        if (worker.stake < terms.minStake) revert JobMarketStakeTooLow(worker.stake, terms.minStake);
        if (worker.completed < terms.minCompleted) {
            revert JobMarketReputationTooLow(worker.completed, terms.minCompleted);
        }
        uint96 free = worker.stake - worker.locked;
        if (free < terms.bond) revert JobMarketInsufficientFreeStake(free, terms.bond);
        w.locked = worker.locked + terms.bond;

        roundCommitments[msg.sender] = commitment;
        if (!job.hasCommits) job.hasCommits = true;
        emit BidCommitted(jobId, msg.sender, round, commitment);
    }

    /// @inheritdoc IJobMarket
    function revealBid(uint256 jobId, JobTerms calldata terms, uint96 price, bytes32 salt) external nonReentrant {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, REVEALING);
        uint8 round = job.round;
        bytes32 stored = _commitments[jobId][round][msg.sender];
        if (stored == bytes32(0)) revert JobMarketNoCommitment(jobId, msg.sender);
        if (stored != computeCommitment(jobId, round, msg.sender, price, salt)) {
            revert JobMarketCommitmentMismatch(jobId, msg.sender);
        }
        if (price == 0 || price > terms.maxReward) revert JobMarketInvalidPrice(jobId, price, terms.maxReward);
        delete _commitments[jobId][round][msg.sender];

        address leader = job.winner;
        uint96 best = job.price;
        // Ties go to the earlier reveal: a new bid must be strictly lower to lead.
        bool leading = leader == address(0) || price < best;
        if (leading) {
            if (leader != address(0)) {
                _releaseBond(leader, terms.bond);
                // The displaced best price is now the second-lowest.
                if (terms.pricing == Pricing.SecondPrice) job.secondPrice = best;
            }
            job.winner = msg.sender;
            job.price = price;
        } else {
            _releaseBond(msg.sender, terms.bond);
            if (terms.pricing == Pricing.SecondPrice) {
                uint96 second = job.secondPrice;
                if (second == 0 || price < second) job.secondPrice = price;
            }
        }
        emit BidRevealed(jobId, msg.sender, round, price, leading);
    }

    /// @inheritdoc IJobMarket
    function submitResult(
        uint256 jobId,
        JobTerms calldata terms,
        bytes32 resultHash,
        bytes calldata result
    ) external nonReentrant {
        Job storage job = _job(jobId, terms);
        JobState state = _expectState(jobId, job, ASSIGNED | AWARDING);
        if (msg.sender != job.winner) revert JobMarketNotWinner(jobId, msg.sender);
        if (resultHash == bytes32(0)) revert JobMarketZeroHash();
        if (result.length > MAX_PAYLOAD_BYTES) revert JobMarketPayloadTooLarge(result.length, MAX_PAYLOAD_BYTES);
        // The winner may skip `finalizeAuction` and submit straight away, within its deadline.
        if (state == JobState.Awarding) {
            _assign(jobId, job, terms);
            if (block.timestamp >= job.deadline) {
                revert JobMarketUnexpectedState(jobId, JobState.Overdue, ASSIGNED | AWARDING);
            }
        }

        _resultHashes[jobId] = resultHash;
        uint32 challengeDeadline = _deadline(terms.challengeWindow);
        job.status = Status.Submitted;
        job.deadline = challengeDeadline;
        emit ResultSubmitted(jobId, msg.sender, resultHash, result, challengeDeadline);
    }

    /// @inheritdoc IJobMarket
    function abandon(uint256 jobId, JobTerms calldata terms) external nonReentrant {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, ASSIGNED | AWARDING);
        address worker = job.winner;
        if (msg.sender != worker) revert JobMarketNotWinner(jobId, msg.sender);
        uint96 penalty = uint96((uint256(terms.bond) * terms.forfeitBps) / BPS);
        _takeBond(worker, terms.bond, penalty, true, false);
        // To the treasury, not the requester: a requester must not profit from posting a job that
        // cannot succeed (a module that always fails) and collecting what its winners give back.
        address treasury = _params.treasury;
        if (penalty != 0) _credits[treasury][address(0)] += penalty;
        emit WorkerSlashed(jobId, worker, SlashReason.Abandoned, penalty, treasury, 0);
        _reopenOrRefund(jobId, job, terms);
    }

    // ---------------------------------------------------------------- anyone

    /// @inheritdoc IJobMarket
    function forfeitUnrevealed(
        uint256 jobId,
        JobTerms calldata terms,
        uint8 round,
        address bidder
    ) external nonReentrant {
        Job storage job = _job(jobId, terms);
        if (_commitments[jobId][round][bidder] == bytes32(0)) revert JobMarketNoCommitment(jobId, bidder);
        // Earlier rounds are over; the current one is over once its reveal window has closed.
        if (round == job.round && job.status == Status.Auction && block.timestamp < job.revealDeadline) {
            revert JobMarketRevealStillOpen(jobId, job.revealDeadline);
        }
        delete _commitments[jobId][round][bidder];

        uint96 forfeited = uint96((uint256(terms.bond) * terms.forfeitBps) / BPS);
        _takeBond(bidder, terms.bond, forfeited, false, false);
        // A bidder closing its own bid earns no bounty on it. The rest goes to the treasury, not to
        // the requester: otherwise a requester could shill a second-price auction with sybil bids,
        // reveal only the one that suits it and take back the forfeits of the others for free.
        uint96 bounty = msg.sender == bidder ? 0 : uint96((uint256(forfeited) * terms.slashBountyBps) / BPS);
        if (bounty != 0) _credits[msg.sender][address(0)] += bounty;
        if (forfeited != bounty) _credits[_params.treasury][address(0)] += forfeited - bounty;
        emit BidForfeited(jobId, bidder, round, forfeited, msg.sender);
    }

    /// @inheritdoc IJobMarket
    function finalizeAuction(uint256 jobId, JobTerms calldata terms) external nonReentrant {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, AWARDING);
        _assign(jobId, job, terms);
    }

    /// @inheritdoc IJobMarket
    function settle(uint256 jobId, JobTerms calldata terms) external notifiesOnSettlement(jobId, terms) nonReentrant {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, SETTLEABLE);
        _settle(jobId, job, terms);
    }

    /// @inheritdoc IJobMarket
    function dispute(uint256 jobId, JobTerms calldata terms) external payable nonReentrant {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, SUBMITTED);
        uint96 bond = terms.disputeBond;
        if (msg.value != bond) revert JobMarketWrongValue(bond, msg.value);

        _disputes[jobId] = Dispute({disputer: msg.sender, bond: bond});
        uint32 rulingDeadline = _deadline(terms.rulingTimeout);
        job.status = Status.Disputed;
        job.deadline = rulingDeadline;
        emit JobDisputed(jobId, msg.sender, terms.arbiter, bond, rulingDeadline);
        IArbiter(terms.arbiter).onDisputeOpened(jobId, msg.sender, job.winner, _resultHashes[jobId]);
    }

    /// @inheritdoc IJobMarket
    function resolveStaleDispute(
        uint256 jobId,
        JobTerms calldata terms
    ) external notifiesOnSettlement(jobId, terms) nonReentrant {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, RULING_OVERDUE);
        _resolveDispute(jobId, job, terms, true, true);
    }

    /// @inheritdoc IJobMarket
    function slashNoShow(uint256 jobId, JobTerms calldata terms) external nonReentrant {
        Job storage job = _job(jobId, terms);
        _expectState(jobId, job, OVERDUE);
        _slash(jobId, job, terms, SlashReason.NoShow, msg.sender);
        _reopenOrRefund(jobId, job, terms);
    }

    /// @inheritdoc IJobMarket
    function withdraw(address token) external nonReentrant {
        _withdraw(token, msg.sender);
    }

    /// @inheritdoc IJobMarket
    function withdrawTo(address token, address to) external nonReentrant {
        if (to == address(0)) revert JobMarketZeroAddress();
        _withdraw(token, to);
    }

    // ---------------------------------------------------------------- arbiter

    /// @inheritdoc IJobMarket
    function rule(
        uint256 jobId,
        JobTerms calldata terms,
        bool workerWins
    ) external notifiesOnSettlement(jobId, terms) nonReentrant {
        Job storage job = _job(jobId, terms);
        if (msg.sender != terms.arbiter) revert JobMarketNotArbiter(jobId, msg.sender);
        _expectState(jobId, job, DISPUTED | RULING_OVERDUE);
        _resolveDispute(jobId, job, terms, workerWins, false);
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
        _pause();
    }

    /// @inheritdoc IJobMarket
    function unpause() external onlyOwner {
        _unpause();
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
        return _jobs[jobId];
    }

    /// @inheritdoc IJobMarket
    function executionDeadline(uint256 jobId, JobTerms calldata terms) external view returns (uint32) {
        return _job(jobId, terms).revealDeadline + terms.executionWindow;
    }

    /// @inheritdoc IJobMarket
    function jobCount() external view returns (uint256) {
        return _jobCount;
    }

    /// @inheritdoc IJobMarket
    function commitmentOf(uint256 jobId, uint8 round, address bidder) external view returns (bytes32) {
        return _commitments[jobId][round][bidder];
    }

    /// @inheritdoc IJobMarket
    function getDispute(uint256 jobId) external view returns (address disputer, uint96 bond) {
        Dispute memory d = _disputes[jobId];
        return (d.disputer, d.bond);
    }

    /// @inheritdoc IJobMarket
    function resultHashOf(uint256 jobId) external view returns (bytes32) {
        return _resultHashes[jobId];
    }

    /// @inheritdoc IJobMarket
    function creditOf(address account, address token) external view returns (uint256) {
        return _credits[account][token];
    }

    /// @inheritdoc IJobMarket
    function isTokenAllowed(address token) public view returns (bool) {
        return token == address(0) || _allowedTokens[token];
    }

    /// @inheritdoc IJobMarket
    function getParams() external view returns (Params memory) {
        return _params;
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
    function hashTerms(JobTerms calldata terms) public pure returns (bytes32) {
        return keccak256(abi.encode(terms));
    }

    // ---------------------------------------------------------------- state

    /// @dev Loads a job after checking that `terms` are its terms.
    function _job(uint256 jobId, JobTerms calldata terms) private view returns (Job storage job) {
        job = _jobs[jobId];
        if (job.termsHash != hashTerms(terms)) revert JobMarketTermsMismatch(jobId);
    }

    /// @dev The derived state: the stored status refined by the deadlines (each deadline is the
    /// first second at which the next state applies).
    function _stateOf(Job storage job) private view returns (JobState) {
        Status status = job.status;
        if (status == Status.Auction) {
            if (block.timestamp < job.deadline) return JobState.Open;
            if (block.timestamp < job.revealDeadline) return JobState.Revealing;
            return job.winner == address(0) ? JobState.Unfilled : JobState.Awarding;
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
    function _expectState(uint256 jobId, Job storage job, bytes32 allowed) private view returns (JobState state) {
        state = _stateOf(job);
        if (bytes32(1 << uint8(state)) & allowed == bytes32(0)) {
            revert JobMarketUnexpectedState(jobId, state, allowed);
        }
    }

    function _validateTerms(JobTerms calldata terms) private view {
        if (terms.requester != msg.sender) revert JobMarketRequesterMismatch(terms.requester, msg.sender);
        if (!isTokenAllowed(terms.token)) revert JobMarketTokenNotAllowed(terms.token);
        if (terms.maxReward == 0) revert JobMarketZeroReward();
        if (terms.bond == 0) revert JobMarketZeroBond();
        if (terms.arbiter.code.length == 0) revert JobMarketInvalidArbiter(terms.arbiter);
        Params storage params = _params;
        if (terms.feeBps != params.feeBps) revert JobMarketParamMismatch("feeBps", terms.feeBps, params.feeBps);
        if (terms.forfeitBps != params.forfeitBps) {
            revert JobMarketParamMismatch("forfeitBps", terms.forfeitBps, params.forfeitBps);
        }
        if (terms.slashBountyBps != params.slashBountyBps) {
            revert JobMarketParamMismatch("slashBountyBps", terms.slashBountyBps, params.slashBountyBps);
        }
        if (terms.disputeBond != params.disputeBond) {
            revert JobMarketParamMismatch("disputeBond", terms.disputeBond, params.disputeBond);
        }
        if (terms.rulingTimeout != params.rulingTimeout) {
            revert JobMarketParamMismatch("rulingTimeout", terms.rulingTimeout, params.rulingTimeout);
        }
        _checkWindow(terms.commitWindow);
        _checkWindow(terms.revealWindow);
        _checkWindow(terms.executionWindow);
        _checkWindow(terms.challengeWindow);
        uint256 earliest = block.timestamp + terms.commitWindow + terms.revealWindow + terms.executionWindow;
        if (terms.expiry < earliest) revert JobMarketExpiryTooSoon(terms.expiry, earliest);
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
    function _roundFits(Job storage job, JobTerms calldata terms) private view returns (bool) {
        uint256 roundEnd = block.timestamp + terms.commitWindow + terms.revealWindow + terms.executionWindow;
        return job.round < type(uint8).max && roundEnd <= terms.expiry;
    }

    function _startRound(uint256 jobId, Job storage job, JobTerms calldata terms) private {
        uint8 round = job.round + 1;
        uint32 commitDeadline = uint32(block.timestamp) + terms.commitWindow;
        uint32 revealDeadline = commitDeadline + terms.revealWindow;
        job.winner = address(0);
        job.price = 0;
        job.secondPrice = 0;
        job.status = Status.Auction;
        job.round = round;
        job.hasCommits = false;
        job.deadline = commitDeadline;
        job.revealDeadline = revealDeadline;
        delete _resultHashes[jobId];
        emit JobReopened(jobId, round, commitDeadline, revealDeadline);
    }

    // ---------------------------------------------------------------- transitions

    function _assign(uint256 jobId, Job storage job, JobTerms calldata terms) private {
        uint96 price = job.price;
        if (terms.pricing == Pricing.SecondPrice) {
            uint96 second = job.secondPrice;
            price = second == 0 ? terms.maxReward : second;
            job.price = price;
        }
        // The execution clock runs from the reveal deadline, not from finalization.
        uint32 deadline = job.revealDeadline + terms.executionWindow;
        job.status = Status.Assigned;
        job.deadline = deadline;
        emit JobAssigned(jobId, job.winner, price, deadline);
    }

    function _settle(uint256 jobId, Job storage job, JobTerms calldata terms) private {
        address worker = job.winner;
        uint96 price = job.price;
        // Cannot overflow: feeBps <= MAX_FEE_BPS and price <= maxReward, both checked before.
        uint96 fee = uint96((uint256(price) * terms.feeBps) / BPS);
        uint96 refund = terms.maxReward - price;
        bytes32 resultHash = _resultHashes[jobId];
        job.status = Status.Settled;

        // A completion counts for reputation only if it cost its requester something: a fee that
        // rounds to zero, or a job the worker posted itself, would let reputation be farmed.
        _recordCompletion(worker, terms.bond, terms.token, price - fee, fee != 0 && worker != terms.requester);
        _credits[worker][terms.token] += price - fee;
        if (fee != 0) _credits[_params.treasury][terms.token] += fee;
        if (refund != 0) _credits[terms.requester][terms.token] += refund;
        emit JobSettled(jobId, worker, resultHash, price, fee, refund);
    }

    function _resolveDispute(
        uint256 jobId,
        Job storage job,
        JobTerms calldata terms,
        bool workerWins,
        bool byTimeout
    ) private {
        Dispute memory d = _disputes[jobId];
        delete _disputes[jobId];
        emit DisputeResolved(jobId, workerWins, byTimeout);
        if (workerWins) {
            _credits[job.winner][address(0)] += d.bond;
            _settle(jobId, job, terms);
        } else {
            _credits[d.disputer][address(0)] += d.bond;
            _slash(jobId, job, terms, SlashReason.DisputeLost, d.disputer);
            _reopenOrRefund(jobId, job, terms);
        }
    }

    /// @dev Takes the winner's whole bond: a bounty to `beneficiary`, the rest to the requester.
    function _slash(
        uint256 jobId,
        Job storage job,
        JobTerms calldata terms,
        SlashReason reason,
        address beneficiary
    ) private {
        address worker = job.winner;
        uint96 amount = terms.bond;
        _takeBond(worker, amount, amount, reason == SlashReason.NoShow, reason == SlashReason.DisputeLost);
        // A worker triggering its own slash earns no bounty on it.
        if (beneficiary == worker) beneficiary = terms.requester;
        uint96 bounty = _payPenalty(terms, amount, beneficiary);
        emit WorkerSlashed(jobId, worker, reason, amount, beneficiary, bounty);
    }

    /// @dev Splits a slash in wei: the bounty share to `beneficiary`, the rest to the requester.
    function _payPenalty(JobTerms calldata terms, uint96 amount, address beneficiary) private returns (uint96 bounty) {
        bounty = uint96((uint256(amount) * terms.slashBountyBps) / BPS);
        if (bounty != 0) _credits[beneficiary][address(0)] += bounty;
        if (amount != bounty) _credits[terms.requester][address(0)] += amount - bounty;
    }

    function _reopenOrRefund(uint256 jobId, Job storage job, JobTerms calldata terms) private {
        if (_roundFits(job, terms)) {
            _startRound(jobId, job, terms);
        } else {
            _refund(jobId, job, terms);
        }
    }

    function _refund(uint256 jobId, Job storage job, JobTerms calldata terms) private {
        job.status = Status.Refunded;
        _credits[terms.requester][terms.token] += terms.maxReward;
        emit JobRefunded(jobId, terms.maxReward);
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
        uint256 gasLimit = _params.callbackGasLimit;
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
        emit SettlementCallback(jobId, success);
    }

    // ---------------------------------------------------------------- money

    function _withdraw(address token, address to) private {
        uint256 amount = _credits[msg.sender][token];
        if (amount == 0) revert JobMarketNothingToWithdraw(msg.sender, token);
        _credits[msg.sender][token] = 0;
        emit Withdrawn(msg.sender, token, to, amount);
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
        _params = params;
        emit ParamsUpdated(params);
    }

    function _setTokenAllowed(address token, bool allowed) private {
        if (token == address(0)) revert JobMarketZeroAddress();
        _allowedTokens[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    function _unbondingDelay() internal view override returns (uint32) {
        return _params.unbondingDelay;
    }
}
