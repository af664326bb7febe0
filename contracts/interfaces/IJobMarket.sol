// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IWorkerRegistry} from "./IWorkerRegistry.sol";

/// @title Baton job market
/// @notice Requesters post jobs with the reward escrowed; staked workers bid in sealed-bid
/// reverse auctions (commit, then reveal); the lowest revealed price wins; the winner submits a
/// result that settles after an optimistic challenge window unless it is disputed to the job's
/// arbiter. Every payout is a credit withdrawn by its owner. Every non-terminal state has a
/// permissionless exit once its deadline has passed.
/// @dev A job's immutable terms are not stored: the job's one slot keeps a 168-bit digest of the
/// job id, the terms and, while a result stands, its hash (`jobDigest`), and every call on the
/// job passes them back as calldata, as Uniswap v4 does with its `PoolKey`, packed into 144 bytes
/// (`PackedTerms`: `abi.encodePacked` of the `JobTerms` fields) rather than ABI-encoded into 19
/// words. The packed terms are in the `JobPosted` event and the result hash in `ResultSubmitted`.
/// Storage per job: one slot written at posting (digest, state, deadlines); the winner and price in
/// an award lane shared with the jobs `AWARD_LANES` ids apart (a fresh slot only when a live job
/// holds the lane); the sealed bids in their bidders' rings of slots; one slot for an open dispute;
/// second-price jobs add one for the second price. Batches go through the batch functions,
/// `multicall` and `postJobs`.
interface IJobMarket is IWorkerRegistry {
    // ---------------------------------------------------------------- types

    /// @notice How the winner's price is set.
    enum Pricing {
        /// The winner is paid its own revealed price.
        FirstPrice,
        /// The winner is paid the second-lowest revealed price (or `maxReward` with one bid).
        SecondPrice
    }

    /// @notice The job's state, derived from its stored status and the current time.
    enum JobState {
        /// No such job.
        None,
        /// Accepting sealed bids until the commit deadline.
        Open,
        /// Accepting reveals until the reveal deadline.
        Revealing,
        /// The reveal window closed with a winner; anyone may call `finalizeAuction`.
        Awarding,
        /// The reveal window closed with no valid reveal; the requester may `repost` or `reclaim`.
        Unfilled,
        /// The winner is working; it must submit before the execution deadline.
        Assigned,
        /// The execution deadline passed without a result; anyone may `slashNoShow`.
        Overdue,
        /// A result is in its challenge window: the requester may `accept`, anyone may `dispute`.
        Submitted,
        /// The challenge window passed undisputed; anyone may `settle`.
        Settleable,
        /// The job's arbiter is deciding until the ruling deadline.
        Disputed,
        /// The ruling deadline passed; the arbiter may still rule, and anyone may `resolveStaleDispute`.
        RulingOverdue,
        /// Terminal: the worker was paid.
        Settled,
        /// Terminal: the requester cancelled before any bid and was refunded.
        Cancelled,
        /// Terminal: the reward went back to the requester (no winner, or no time left to retry).
        Refunded
    }

    /// @notice Immutable terms of a job, fixed at posting and bound by the job's digest. Calls and
    /// `JobPosted` carry them packed: the 144 bytes of `abi.encodePacked` of these fields in this
    /// order (see `PackedTerms`); `pricing` and `callback` take one byte each, 0 or 1.
    /// @param requester Who posted the job and receives refunds and slashed bonds.
    /// @param token Reward token, or the zero address for ETH.
    /// @param maxReward Escrowed reward; the highest price a bid may name.
    /// @param arbiter The `IArbiter` contract that rules on disputes.
    /// @param bond Wei of the bidder's stake locked per bid and kept as the winner's execution bond.
    /// @param minStake Minimum total stake, in wei, a worker needs to bid.
    /// @param minCompleted Minimum completed jobs a worker needs to bid (reputation filter).
    /// @param commitWindow Seconds of the commit phase of each auction round.
    /// @param revealWindow Seconds of the reveal phase that follows it.
    /// @param executionWindow Seconds after the reveal deadline by which the winner must submit.
    /// @param challengeWindow Seconds after submission during which the result may be disputed.
    /// @param expiry Unix time after which no new auction round may start (reposts and reopenings
    /// must fit commit, reveal and execution windows before it).
    /// @param feeBps Protocol fee on the price, in basis points; must equal the current parameter.
    /// @param forfeitBps Share of the bond a non-revealing bidder loses; must equal the current parameter.
    /// @param slashBountyBps Share of a slashed or forfeited bond paid as a bounty; must equal the
    /// current parameter.
    /// @param disputeBond Wei a disputer deposits; must equal the current parameter.
    /// @param rulingTimeout Seconds the arbiter has to rule; must equal the current parameter. Fixing
    /// these five in the terms means governance can never change what a posted job pays, penalizes
    /// or how long its disputes may take.
    /// @param pricing First-price or second-price.
    /// @param callback Whether the requester contract receives `IJobConsumer.onJobSettled`.
    struct JobTerms {
        address requester;
        address token;
        uint96 maxReward;
        address arbiter;
        uint96 bond;
        uint96 minStake;
        uint32 minCompleted;
        uint32 commitWindow;
        uint32 revealWindow;
        uint32 executionWindow;
        uint32 challengeWindow;
        uint32 expiry;
        uint16 feeBps;
        uint16 forfeitBps;
        uint16 slashBountyBps;
        uint96 disputeBond;
        uint32 rulingTimeout;
        Pricing pricing;
        bool callback;
    }

    /// @notice What the market stores for a job.
    /// @param digest `jobDigest(jobId, terms, resultHash)`: binds the terms and, while a result
    /// stands (submitted, disputed or settled), its hash; zero result hash otherwise.
    /// @param winner The leading bidder during reveals, then the assigned worker; zero once the job
    /// is settled or refunded (`JobSettled` and `JobAssigned` keep it).
    /// @param price The leading price during reveals, then the price to be paid; zero once the job
    /// is settled or refunded.
    /// @param secondPrice The second-lowest revealed price (second-price jobs only).
    /// @param status The stored status (see `jobState` for the derived one).
    /// @param round The auction round, from 0; reposts and reopenings start a new round.
    /// @param commits Sealed bids committed in the current round (counting stops at 63).
    /// @param deadline Commit deadline during an auction; then execution, challenge or ruling deadline.
    /// @param revealDeadline Reveal deadline of the current round; execution deadline is derived from it.
    struct Job {
        bytes21 digest;
        address winner;
        uint96 price;
        uint96 secondPrice;
        Status status;
        uint8 round;
        uint8 commits;
        uint32 deadline;
        uint32 revealDeadline;
    }

    /// @notice The stored part of a job's lifecycle; time refines it into `JobState`.
    enum Status {
        None,
        Auction,
        Assigned,
        Submitted,
        Disputed,
        Settled,
        Cancelled,
        Refunded
    }

    /// @notice Why a worker's bond was slashed.
    enum SlashReason {
        /// The execution deadline passed without a result: the whole bond.
        NoShow,
        /// The arbiter ruled against the result: the whole bond.
        DisputeLost,
        /// The winner gave the job back with `abandon`: `forfeitBps` of the bond, all to the treasury.
        Abandoned
    }

    /// @notice Governance parameters, each bounded by a constant in code.
    /// @param treasury Receives protocol fees.
    /// @param feeBps Protocol fee for new jobs, at most `MAX_FEE_BPS`.
    /// @param forfeitBps Share of the bond a bidder loses for not revealing, for new jobs, at most
    /// `MAX_FORFEIT_BPS`.
    /// @param slashBountyBps Share of a slashed or forfeited bond paid as a bounty, for new jobs, at most
    /// `MAX_SLASH_BOUNTY_BPS`: to the caller who triggered it, or to the disputer when a dispute is
    /// lost. The rest of a slash goes to the requester; the rest of a forfeit to the treasury. A
    /// worker never earns a bounty on its own bond (checked per address: see docs/SECURITY.md).
    /// @param callbackGasLimit Gas forwarded to settlement callbacks.
    /// @param rulingTimeout Seconds an arbiter has to rule before the worker prevails by default.
    /// @param unbondingDelay Seconds between `requestUnbond` and `withdrawUnbonded`.
    /// @param disputeBond Wei a disputer deposits; lost to the worker if the dispute fails.
    struct Params {
        address treasury;
        uint16 feeBps;
        uint16 forfeitBps;
        uint16 slashBountyBps;
        uint32 callbackGasLimit;
        uint32 rulingTimeout;
        uint32 unbondingDelay;
        uint96 disputeBond;
    }

    // ---------------------------------------------------------------- events

    /// @notice Governance paused new jobs and reposts.
    /// @param account The owner.
    event Paused(address account);

    /// @notice Governance lifted the pause.
    /// @param account The owner.
    event Unpaused(address account);

    /// @notice A job was posted and its reward escrowed.
    /// @param jobId The new job's id.
    /// @param requester Who posted it.
    /// @param terms The full immutable terms, packed (144 bytes, see `JobTerms`; the reward token
    /// is among them); pass them back to every call on this job.
    /// @param specHash keccak256 of the canonical job spec.
    /// @param spec The canonical spec itself, or a URI where it can be fetched.
    /// @param commitDeadline End of the first commit window; the first reveal window ends
    /// `terms.revealWindow` seconds later.
    event JobPosted(
        uint256 indexed jobId,
        address indexed requester,
        bytes terms,
        bytes32 specHash,
        bytes spec,
        uint32 commitDeadline
    );

    /// @notice A sealed bid was committed and its bond locked.
    /// @param jobId The job.
    /// @param bidder The bidding worker.
    /// @param round The auction round.
    /// @param commitment The sealed bid (see `computeCommitment`).
    event BidCommitted(uint256 indexed jobId, address indexed bidder, uint8 round, bytes32 commitment);

    /// @notice A sealed bid was opened.
    /// @param jobId The job.
    /// @param bidder The bidding worker.
    /// @param round The auction round.
    /// @param price The revealed price.
    /// @param leading Whether the bid now leads the auction.
    event BidRevealed(uint256 indexed jobId, address indexed bidder, uint8 round, uint96 price, bool leading);

    /// @notice A bid that was never revealed was closed: part of its bond was forfeited.
    /// @param jobId The job.
    /// @param bidder The bidder who did not reveal.
    /// @param round The auction round.
    /// @param forfeited Wei taken from the bidder's stake.
    /// @param caller Who closed the bid (receives the bounty share unless it is the bidder; the rest
    /// goes to the treasury).
    event BidForfeited(uint256 indexed jobId, address indexed bidder, uint8 round, uint96 forfeited, address caller);

    /// @notice The auction ended with a winner, who must now execute.
    /// @param jobId The job.
    /// @param worker The assigned worker.
    /// @param price The price that will be paid on settlement.
    /// @param executionDeadline Unix time by which the result must be submitted.
    event JobAssigned(uint256 indexed jobId, address indexed worker, uint96 price, uint32 executionDeadline);

    /// @notice A new auction round started (repost after no bids, or reopening after a slash).
    /// @param jobId The job.
    /// @param round The new round.
    /// @param commitDeadline End of the new commit window.
    /// @param revealDeadline End of the new reveal window.
    event JobReopened(uint256 indexed jobId, uint8 round, uint32 commitDeadline, uint32 revealDeadline);

    /// @notice The winner submitted a result.
    /// @param jobId The job.
    /// @param worker The worker.
    /// @param resultHash keccak256 of the result.
    /// @param result The result itself, or a URI where it can be fetched.
    /// @param challengeDeadline Unix time until which the result may be disputed.
    event ResultSubmitted(
        uint256 indexed jobId,
        address indexed worker,
        bytes32 resultHash,
        bytes result,
        uint32 challengeDeadline
    );

    /// @notice A result was disputed and sent to the job's arbiter.
    /// @param jobId The job.
    /// @param disputer Who disputed (and posted the dispute bond).
    /// @param arbiter The arbiter now deciding.
    /// @param bond Wei of dispute bond posted.
    /// @param rulingDeadline Unix time after which the worker prevails by default.
    event JobDisputed(
        uint256 indexed jobId,
        address indexed disputer,
        address indexed arbiter,
        uint96 bond,
        uint32 rulingDeadline
    );

    /// @notice A dispute was decided.
    /// @param jobId The job.
    /// @param workerWins Whether the result stands.
    /// @param byTimeout Whether the default applied because the arbiter did not rule in time.
    event DisputeResolved(uint256 indexed jobId, bool workerWins, bool byTimeout);

    /// @notice A worker's bond was slashed.
    /// @param jobId The job.
    /// @param worker The slashed worker.
    /// @param reason No-show or lost dispute.
    /// @param amount Wei taken from the worker's stake.
    /// @param beneficiary Who received the bounty: the caller, or the disputer for a lost dispute
    /// (the requester when the slashed worker triggered it itself); for `Abandoned`, the treasury,
    /// which receives the whole amount.
    /// @param bounty Wei of `amount` credited to `beneficiary`; the rest went to the requester
    /// (zero for `Abandoned`).
    event WorkerSlashed(
        uint256 indexed jobId,
        address indexed worker,
        SlashReason reason,
        uint96 amount,
        address beneficiary,
        uint96 bounty
    );

    /// @notice A job settled: the worker, treasury and requester were credited.
    /// @param jobId The job.
    /// @param worker The paid worker.
    /// @param resultHash The accepted result.
    /// @param price The price paid.
    /// @param fee The protocol fee taken from the price.
    /// @param refund Unused reward credited back to the requester.
    event JobSettled(
        uint256 indexed jobId,
        address indexed worker,
        bytes32 resultHash,
        uint96 price,
        uint96 fee,
        uint96 refund
    );

    /// @notice The requester's settlement callback ran.
    /// @param jobId The job.
    /// @param success False when the consumer reverted or ran out of gas (settlement stands).
    event SettlementCallback(uint256 indexed jobId, bool success);

    /// @notice The requester cancelled a job that had no bids.
    /// @param jobId The job.
    event JobCancelled(uint256 indexed jobId);

    /// @notice The reward was credited back to the requester.
    /// @param jobId The job.
    /// @param amount The refunded reward.
    event JobRefunded(uint256 indexed jobId, uint96 amount);

    /// @notice Credits were withdrawn.
    /// @param account Whose credits (the market itself for protocol fees, see `withdrawFees`).
    /// @param token The token (zero for ETH).
    /// @param to Recipient.
    /// @param amount Amount sent.
    event Withdrawn(address indexed account, address indexed token, address to, uint256 amount);

    /// @notice A token was added to or removed from the allowlist.
    /// @param token The token.
    /// @param allowed Whether new jobs may use it.
    event TokenAllowed(address indexed token, bool allowed);

    /// @notice Governance changed the parameters.
    /// @param params The new parameters.
    event ParamsUpdated(Params params);

    // ---------------------------------------------------------------- errors

    /// @notice The job is not in a state that allows this call.
    /// @param jobId The job.
    /// @param current Its derived state.
    /// @param expectedStates Bitmap of accepted states (bit i set = `JobState(i)` accepted).
    error JobMarketUnexpectedState(uint256 jobId, JobState current, bytes32 expectedStates);

    /// @notice The terms (and, once a result is submitted, the result hash) passed do not match the
    /// job's stored digest.
    /// @param jobId The job.
    error JobMarketTermsMismatch(uint256 jobId);

    /// @notice Packed terms must be exactly `PackedTerms.LENGTH` (144) bytes.
    /// @param length The length given.
    /// @param expected The length packed terms have.
    error JobMarketTermsLength(uint256 length, uint256 expected);

    /// @notice The one-byte `pricing` and `callback` fields of packed terms must each be 0 or 1.
    /// @param pricing The pricing byte given.
    /// @param callback The callback byte given.
    error JobMarketTermsFlags(uint8 pricing, uint8 callback);

    /// @notice The market is paused: no new jobs or reposts.
    error EnforcedPause();

    /// @notice The market is not paused.
    error ExpectedPause();

    /// @notice A batch's lists differ in length, or the ETH sent is not the sum of its ETH rewards.
    /// @param expected The expected count or wei.
    /// @param received The count or wei given.
    error JobMarketBatchMismatch(uint256 expected, uint256 received);

    /// @notice `terms.requester` must be the caller when posting.
    /// @param requester The requester in the terms.
    /// @param caller The caller.
    error JobMarketRequesterMismatch(address requester, address caller);

    /// @notice A parameter copied into the terms (`feeBps`, `forfeitBps`, `slashBountyBps`,
    /// `disputeBond`, `rulingTimeout`) differs from its current value.
    /// @param name The parameter.
    /// @param given The value in the terms.
    /// @param current The current value.
    error JobMarketParamMismatch(string name, uint256 given, uint256 current);

    /// @notice The reward token is not on the allowlist.
    /// @param token The token.
    error JobMarketTokenNotAllowed(address token);

    /// @notice The reward is zero.
    error JobMarketZeroReward();

    /// @notice The spec hash or result hash is zero.
    error JobMarketZeroHash();

    /// @notice ETH sent does not match what the call requires.
    /// @param expected Wei required.
    /// @param received Wei sent.
    error JobMarketWrongValue(uint256 expected, uint256 received);

    /// @notice The token balance grew by a different amount than the reward (fee-on-transfer or similar).
    /// @param token The token.
    /// @param expected Amount required.
    /// @param received Amount that arrived.
    error JobMarketTokenShortfall(address token, uint256 expected, uint256 received);

    /// @notice A window is zero or longer than `MAX_WINDOW`.
    /// @param window The offending window, in seconds.
    error JobMarketInvalidWindow(uint32 window);

    /// @notice The job's expiry leaves no time for one auction round and execution.
    /// @param expiry The expiry given.
    /// @param earliest The earliest acceptable expiry.
    error JobMarketExpiryTooSoon(uint32 expiry, uint256 earliest);

    /// @notice The arbiter is not a contract.
    /// @param arbiter The address given.
    error JobMarketInvalidArbiter(address arbiter);

    /// @notice An inline spec or result is longer than `MAX_PAYLOAD_BYTES`.
    /// @param length Bytes given.
    /// @param max Bytes allowed.
    error JobMarketPayloadTooLarge(uint256 length, uint256 max);

    /// @notice The commitment is zero in its low 192 bits, the part the market keeps.
    error JobMarketZeroCommitment();

    /// @notice The job's bond is zero; every bid must put stake at risk.
    error JobMarketZeroBond();

    /// @notice The bidder already committed in this round.
    /// @param jobId The job.
    /// @param bidder The bidder.
    error JobMarketAlreadyCommitted(uint256 jobId, address bidder);

    /// @notice The bidder's stake is below the job's minimum.
    /// @param stake The bidder's stake.
    /// @param minStake The job's minimum.
    error JobMarketStakeTooLow(uint256 stake, uint256 minStake);

    /// @notice The bidder's completed-job count is below the job's reputation filter.
    /// @param completed The bidder's completed jobs.
    /// @param minCompleted The job's minimum.
    error JobMarketReputationTooLow(uint256 completed, uint256 minCompleted);

    /// @notice The bidder's free stake cannot cover the bond.
    /// @param free Wei of free stake.
    /// @param bond Wei required.
    error JobMarketInsufficientFreeStake(uint256 free, uint256 bond);

    /// @notice The bidder has no commitment to reveal or forfeit in this round.
    /// @param jobId The job.
    /// @param bidder The bidder.
    error JobMarketNoCommitment(uint256 jobId, address bidder);

    /// @notice The revealed price and salt do not match the commitment.
    /// A commitment copied from another bidder fails here, since it binds the bidder's address.
    /// @param jobId The job.
    /// @param bidder The bidder.
    error JobMarketCommitmentMismatch(uint256 jobId, address bidder);

    /// @notice The revealed price is zero or above the job's maximum reward.
    /// @param jobId The job.
    /// @param price The revealed price.
    /// @param maxReward The job's maximum reward.
    error JobMarketInvalidPrice(uint256 jobId, uint256 price, uint256 maxReward);

    /// @notice The bid's reveal window has not closed yet, so it cannot be forfeited.
    /// @param jobId The job.
    /// @param revealDeadline When it closes.
    error JobMarketRevealStillOpen(uint256 jobId, uint32 revealDeadline);

    /// @notice Only the assigned worker may do this.
    /// @param jobId The job.
    /// @param caller The caller.
    error JobMarketNotWinner(uint256 jobId, address caller);

    /// @notice Only the requester may do this (at this time).
    /// @param jobId The job.
    /// @param caller The caller.
    error JobMarketNotRequester(uint256 jobId, address caller);

    /// @notice Only the job's arbiter may rule.
    /// @param jobId The job.
    /// @param caller The caller.
    error JobMarketNotArbiter(uint256 jobId, address caller);

    /// @notice The cancel came after a bid was committed.
    /// @param jobId The job.
    error JobMarketHasBids(uint256 jobId);

    /// @notice Another round would not fit before the job's expiry, or the job used all 256 rounds.
    /// @param jobId The job.
    /// @param expiry The job's expiry.
    error JobMarketNoTimeLeft(uint256 jobId, uint32 expiry);

    /// @notice Too little gas was supplied to run the settlement callback with its full limit.
    /// @param gasLeft Gas left at the call.
    /// @param required Gas required.
    error JobMarketInsufficientGas(uint256 gasLeft, uint256 required);

    /// @notice There is nothing to withdraw.
    /// @param account The account.
    /// @param token The token.
    error JobMarketNothingToWithdraw(address account, address token);

    /// @notice Sending ETH failed.
    /// @param to Recipient.
    /// @param amount Wei.
    error JobMarketTransferFailed(address to, uint256 amount);

    /// @notice The recipient is the zero address.
    error JobMarketZeroAddress();

    /// @notice Governance cannot be renounced: parameters and the pause must stay manageable.
    error JobMarketRenounceDisabled();

    /// @notice A governance parameter is outside its coded bounds.
    /// @param name The parameter's name.
    /// @param value The value given.
    error JobMarketParamOutOfBounds(string name, uint256 value);

    /// @notice A deadline would fall after the last second a `uint32` timestamp can hold
    /// (2106-02-07 06:28:15 UTC); the market refuses to start a window it could not record.
    /// @param deadline The deadline that does not fit, in Unix seconds.
    error JobMarketTimestampOverflow(uint256 deadline);

    // ---------------------------------------------------------------- requester

    /// @notice Posts a job and escrows its reward (ETH in `msg.value`, or the token by `transferFrom`).
    /// @param terms The job's terms, packed (144 bytes, see `JobTerms`); `requester` must be the
    /// caller and `feeBps` the current fee.
    /// @param specHash keccak256 of the canonical job spec.
    /// @param spec The canonical spec, or a URI to it, at most `MAX_PAYLOAD_BYTES`.
    /// @return jobId The new job's id.
    function postJob(
        bytes calldata terms,
        bytes32 specHash,
        bytes calldata spec
    ) external payable returns (uint256 jobId);

    /// @notice Posts several jobs in one transaction; `msg.value` is the sum of their ETH rewards.
    /// Each job is posted exactly as by `postJob` and gets the next id.
    /// @param terms Each job's terms.
    /// @param specHashes Each job's spec hash.
    /// @param specs Each job's spec or URI.
    /// @return firstJobId The first new job's id; the others follow it.
    function postJobs(
        bytes[] calldata terms,
        bytes32[] calldata specHashes,
        bytes[] calldata specs
    ) external payable returns (uint256 firstJobId);

    /// @notice Cancels an open job that has no bids and credits the reward back. Requester only.
    /// @param jobId The job.
    /// @param terms Its terms.
    function cancel(uint256 jobId, bytes calldata terms) external;

    /// @notice Starts a new auction round for an unfilled job. Requester only.
    /// @param jobId The job.
    /// @param terms Its terms.
    function repost(uint256 jobId, bytes calldata terms) external;

    /// @notice Credits the reward of an unfilled job back to its requester. The requester may call
    /// it at once; anyone may call it after the job's expiry.
    /// @param jobId The job.
    /// @param terms Its terms.
    function reclaim(uint256 jobId, bytes calldata terms) external;

    /// @notice Accepts a submitted result at once, without waiting for the challenge window to end.
    /// Requester only; also works after the window until someone settles.
    /// @param jobId The job.
    /// @param terms Its terms.
    /// @param resultHash The submitted result's hash (from `ResultSubmitted`).
    function accept(uint256 jobId, bytes calldata terms, bytes32 resultHash) external;

    // ---------------------------------------------------------------- workers

    /// @notice Commits a sealed bid and locks `terms.bond` of the caller's free stake.
    /// @param jobId The job.
    /// @param terms Its terms.
    /// @param commitment `computeCommitment(jobId, round, msg.sender, price, salt)`.
    function commitBid(uint256 jobId, bytes calldata terms, bytes32 commitment) external;

    /// @notice Reveals the caller's sealed bid. A bid that does not lead has its bond released.
    /// @param jobId The job.
    /// @param terms Its terms.
    /// @param price The committed price, at most `terms.maxReward`.
    /// @param salt The committed salt.
    function revealBid(uint256 jobId, bytes calldata terms, uint96 price, bytes32 salt) external;

    /// @notice Submits the result of an assigned job. Winner only, before the execution deadline.
    /// @param jobId The job.
    /// @param terms Its terms.
    /// @param resultHash keccak256 of the result.
    /// @param result The result, or a URI to it, at most `MAX_PAYLOAD_BYTES`.
    function submitResult(uint256 jobId, bytes calldata terms, bytes32 resultHash, bytes calldata result) external;

    /// @notice The winner gives the job back before its execution deadline, because it knows it
    /// cannot deliver (for example its execution failed deterministically). It loses `forfeitBps`
    /// of its bond to the requester (less than the whole bond a no-show loses, and no bounty), the
    /// rest is released, the no-show counter grows, and the job reopens at once if a full round
    /// still fits before its expiry, or is refunded.
    /// @param jobId The job.
    /// @param terms Its terms.
    function abandon(uint256 jobId, bytes calldata terms) external;

    // ---------------------------------------------------------------- anyone

    /// @notice Closes a bid that was not revealed in its round: forfeits `forfeitBps` of the bond
    /// and releases the rest. The caller earns the `slashBountyBps` share as a bounty (unless it is
    /// the bidder); the rest goes to the treasury, never to the requester, so that a requester who
    /// shills its own auction with bids it leaves unrevealed pays for every one of them.
    /// @param jobId The job.
    /// @param terms Its terms.
    /// @param resultHash The job's result hash while a result stands (submitted, disputed or
    /// settled), zero otherwise.
    /// @param round The round of the bid.
    /// @param bidder The bidder.
    function forfeitUnrevealed(
        uint256 jobId,
        bytes calldata terms,
        bytes32 resultHash,
        uint8 round,
        address bidder
    ) external;

    /// @notice Assigns the job to the auction's winner once the reveal window has closed.
    /// @param jobId The job.
    /// @param terms Its terms.
    function finalizeAuction(uint256 jobId, bytes calldata terms) external;

    /// @notice Settles a result whose challenge window passed undisputed.
    /// @param jobId The job.
    /// @param terms Its terms.
    /// @param resultHash The submitted result's hash (from `ResultSubmitted`).
    function settle(uint256 jobId, bytes calldata terms, bytes32 resultHash) external;

    /// @notice Disputes a result within its challenge window, depositing the dispute bond.
    /// @param jobId The job.
    /// @param terms Its terms.
    /// @param resultHash The submitted result's hash (from `ResultSubmitted`).
    function dispute(uint256 jobId, bytes calldata terms, bytes32 resultHash) external payable;

    /// @notice Applies the default ruling (the worker prevails) after the ruling deadline.
    /// @param jobId The job.
    /// @param terms Its terms.
    /// @param resultHash The submitted result's hash (from `ResultSubmitted`).
    function resolveStaleDispute(uint256 jobId, bytes calldata terms, bytes32 resultHash) external;

    /// @notice Slashes a winner who missed the execution deadline, then reopens or refunds the job.
    /// @param jobId The job.
    /// @param terms Its terms.
    function slashNoShow(uint256 jobId, bytes calldata terms) external;

    /// @notice Commits sealed bids on several jobs, in order, each exactly as `commitBid`. Reverts as
    /// a whole with the first failing bid's error. Cheaper than `multicall` of `commitBid`s.
    /// @param jobIds The jobs.
    /// @param terms Each job's terms, packed.
    /// @param commitments Each sealed bid.
    function commitBids(uint256[] calldata jobIds, bytes[] calldata terms, bytes32[] calldata commitments) external;

    /// @notice Reveals sealed bids on several jobs, in order, each exactly as `revealBid`. Reverts as
    /// a whole with the first failing reveal's error.
    /// @param jobIds The jobs.
    /// @param terms Each job's terms, packed.
    /// @param prices Each committed price.
    /// @param salts Each bid's salt.
    function revealBids(
        uint256[] calldata jobIds,
        bytes[] calldata terms,
        uint96[] calldata prices,
        bytes32[] calldata salts
    ) external;

    /// @notice Submits results for several jobs, in order, each exactly as `submitResult`. Reverts as
    /// a whole with the first failing submission's error.
    /// @param jobIds The jobs.
    /// @param terms Each job's terms, packed.
    /// @param resultHashes Each result's hash.
    /// @param results Each result or URI.
    function submitResults(
        uint256[] calldata jobIds,
        bytes[] calldata terms,
        bytes32[] calldata resultHashes,
        bytes[] calldata results
    ) external;

    /// @notice Settles several jobs, in order, each exactly as `settle`. Reverts as a whole with the
    /// first failing settlement's error. Settlement callbacks run after every job is settled, in
    /// order, outside the reentrancy lock.
    /// @param jobIds The jobs.
    /// @param terms Each job's terms, packed.
    /// @param resultHashes Each job's standing result hash.
    function settleMany(uint256[] calldata jobIds, bytes[] calldata terms, bytes32[] calldata resultHashes) external;

    /// @notice Runs several of the caller's own calls on the market in one transaction, in order,
    /// each as if the caller had sent it (a `delegatecall` to the market itself, so `msg.sender`
    /// is unchanged). Reverts as a whole with the first failing call's error. Not payable, so one
    /// `msg.value` can never pay for two calls: batch ETH postings with `postJobs`.
    /// @param data ABI-encoded calls to the market's own functions.
    /// @return results Each call's return data.
    function multicall(bytes[] calldata data) external returns (bytes[] memory results);

    /// @notice Withdraws all of the caller's credits in `token` to the caller. The credit's slot is
    /// left non-zero (an accounting marker, not a balance), so that the next credit is a cheap
    /// rewrite rather than a fresh slot.
    /// @param token The token (zero for ETH).
    function withdraw(address token) external;

    /// @notice Withdraws all of the caller's credits in `token` to `to` (e.g. when the caller is
    /// blocklisted by the token).
    /// @param token The token (zero for ETH).
    /// @param to The recipient.
    function withdrawTo(address token, address to) external;

    /// @notice Pays the protocol fees accrued in `token` to the current treasury; anyone may call.
    /// Settlements credit fees to the market's own account (`creditOf(market, token)`) rather than
    /// to the treasury's, so that a settlement does not read the treasury's address: fees not yet
    /// paid out when governance moves the treasury go to the new one.
    /// @param token The token (zero for ETH).
    function withdrawFees(address token) external;

    // ---------------------------------------------------------------- arbiter

    /// @notice Decides a dispute. Only the job's arbiter, while the job is disputed.
    /// @param jobId The job.
    /// @param terms Its terms.
    /// @param resultHash The submitted result's hash (from `ResultSubmitted`).
    /// @param workerWins True to settle and pay the worker; false to slash it and reopen or refund.
    function rule(uint256 jobId, bytes calldata terms, bytes32 resultHash, bool workerWins) external;

    // ---------------------------------------------------------------- governance

    /// @notice Replaces the governance parameters, each within its coded bounds. Owner only.
    /// Fees apply to jobs posted afterwards; escrow is never touched.
    /// @param params The new parameters.
    function setParams(Params calldata params) external;

    /// @notice Adds or removes a reward token for new jobs. Owner only.
    /// @param token The token.
    /// @param allowed Whether new jobs may use it.
    function setTokenAllowed(address token, bool allowed) external;

    /// @notice Stops new jobs and reposts. Bids on jobs already open, reveals, execution, settlement, disputes and
    /// withdrawals keep working: the flag shares the slot `postJob` already writes, so checking it
    /// costs nothing there, whereas a check on every bid would cost a cold read. Owner only.
    function pause() external;

    /// @notice Lifts a pause. Owner only.
    function unpause() external;

    // ---------------------------------------------------------------- views

    /// @notice The job's state now.
    /// @param jobId The job.
    function jobState(uint256 jobId) external view returns (JobState);

    /// @notice The job's stored record.
    /// @param jobId The job.
    function getJob(uint256 jobId) external view returns (Job memory);

    /// @notice The execution deadline of the job's current round (reveal deadline + execution window).
    /// @param jobId The job.
    /// @param terms Its terms.
    function executionDeadline(uint256 jobId, bytes calldata terms) external view returns (uint32);

    /// @notice Number of jobs posted; ids run from 1 to this.
    function jobCount() external view returns (uint256);

    /// @notice The sealed commitment of a bidder in a round, as the market holds it: its low 192
    /// bits (the top 64 cleared), or zero once revealed or forfeited. A bid kept in the bidder's
    /// ring of bid slots stores only those 192 bits, which bind the bid (see `BID_SLOTS`).
    /// @param jobId The job.
    /// @param round The round.
    /// @param bidder The bidder.
    function commitmentOf(uint256 jobId, uint8 round, address bidder) external view returns (bytes32);

    /// @notice The open dispute of a job (zero values when none).
    /// @param jobId The job.
    /// @return disputer Who disputed.
    /// @return bond Wei of dispute bond held.
    function getDispute(uint256 jobId) external view returns (address disputer, uint96 bond);

    /// @notice What the settlement callback of a settled job carried, when that callback failed
    /// (zeros otherwise), kept so that the requester contract can pick up the settlement later.
    /// Every other result hash is only in `ResultSubmitted`, and every other settled job's worker
    /// and price only in `JobSettled` (`getJob` forgets them once a job is over).
    /// @param jobId The job.
    /// @return resultHash The settled result's hash.
    /// @return worker The worker paid.
    /// @return price The price paid (the fee included).
    function undeliveredSettlementOf(
        uint256 jobId
    ) external view returns (bytes32 resultHash, address worker, uint96 price);

    /// @notice Whether new jobs and reposts are paused.
    function paused() external view returns (bool);

    /// @notice Credits withdrawable by `account` in `token`. (The slot keeps one unit more than the
    /// credit once it has been used, so that it never returns to zero: see `withdraw`.)
    /// @param account The account.
    /// @param token The token (zero for ETH).
    function creditOf(address account, address token) external view returns (uint256);

    /// @notice Whether new jobs may use `token` (ETH, the zero address, always may).
    /// @param token The token.
    function isTokenAllowed(address token) external view returns (bool);

    /// @notice The governance parameters.
    function getParams() external view returns (Params memory);

    /// @notice The sealed bid a bidder commits: binds chain id, market, job, round, bidder, price, salt.
    /// @param jobId The job.
    /// @param round The round.
    /// @param bidder The bidder.
    /// @param price The price.
    /// @param salt A secret random value.
    function computeCommitment(
        uint256 jobId,
        uint8 round,
        address bidder,
        uint96 price,
        bytes32 salt
    ) external view returns (bytes32);

    /// @notice The digest a job's slot keeps: the first 21 bytes of
    /// keccak256(abi.encodePacked(jobId, resultHash, terms)) with `terms` packed (144 bytes).
    /// @param jobId The job.
    /// @param terms Its terms.
    /// @param resultHash The result hash while a result stands, zero otherwise.
    function jobDigest(uint256 jobId, bytes calldata terms, bytes32 resultHash) external pure returns (bytes21);
}
