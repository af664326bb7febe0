// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IJobMarket} from "./IJobMarket.sol";
import {IJobConsumer} from "./IJobConsumer.sol";

/// @title Baton workflow orchestrator
/// @notice Runs a directed acyclic graph of jobs on the job market with one budget. Each step is an
/// ordinary job, auctioned in its own market; a step is posted once all the steps it depends on
/// have settled, with their result hashes bound into its spec hash. The orchestrator is an ordinary
/// requester of the market: it learns of settlements through the settlement callback, and anyone
/// may call `advance` to bring a step up to date when a callback ran out of gas or a job ended
/// without a result.
/// @dev Dependencies name only earlier steps, so every graph is acyclic by construction. A step with
/// dependencies is posted with `specHash = keccak256(abi.encodePacked(keccak256(spec),
/// resultHash(d_1), ..., resultHash(d_k)))` over its dependencies in ascending step order; a step
/// without dependencies is posted with `specHash = keccak256(spec)`. Keepers read the parents' job
/// ids and result hashes from `inputsOf` and check them against that binding.
interface IWorkflowOrchestrator is IJobConsumer {
    // ---------------------------------------------------------------- types

    /// @notice One step as submitted to `createWorkflow`.
    /// @param spec The step's canonical job spec (see the sdk's spec schema); posted inline.
    /// @param maxReward The step's reward cap, escrowed from the workflow budget when it is posted.
    /// @param arbiter The `IArbiter` contract that rules on disputes about this step.
    /// @param bond Per-bid bond, as in `IJobMarket.JobTerms`.
    /// @param minStake Minimum worker stake, as in `IJobMarket.JobTerms`.
    /// @param minCompleted Minimum completed jobs, as in `IJobMarket.JobTerms`.
    /// @param commitWindow Commit phase of each auction round, in seconds.
    /// @param revealWindow Reveal phase, in seconds.
    /// @param executionWindow Seconds after the reveal deadline by which the winner must submit.
    /// @param challengeWindow Seconds a submitted result may be disputed.
    /// @param expiryWindow Seconds after posting by which no new auction round may start; at least
    /// the commit, reveal and execution windows together.
    /// @param pricing First-price or second-price.
    struct StepInput {
        bytes spec;
        uint96 maxReward;
        address arbiter;
        uint96 bond;
        uint96 minStake;
        uint32 minCompleted;
        uint32 commitWindow;
        uint32 revealWindow;
        uint32 executionWindow;
        uint32 challengeWindow;
        uint32 expiryWindow;
        IJobMarket.Pricing pricing;
    }

    /// @notice A workflow's lifecycle.
    enum WorkflowStatus {
        /// No such workflow.
        None,
        /// Steps are running or waiting for their dependencies.
        Active,
        /// Terminal: every step settled.
        Completed,
        /// Terminal: a step failed with no retries left.
        Failed,
        /// Terminal: the requester cancelled.
        Cancelled
    }

    /// @notice A step's lifecycle.
    enum StepStatus {
        /// Waiting for its dependencies to settle.
        Waiting,
        /// Every dependency settled, but posting has not happened yet (the callback ran short of
        /// gas, or the market refused the job); `advance` posts it.
        Ready,
        /// Its job is in the market.
        Posted,
        /// Terminal: its job settled; the result hash is recorded.
        Settled,
        /// Terminal: its job ended without a result and no retry was left.
        Failed,
        /// Terminal: the workflow ended before the step's job produced a result.
        Cancelled
    }

    /// @notice What `getWorkflow` returns.
    /// @param requester Who created the workflow; receives every refund.
    /// @param token Budget token, or the zero address for ETH.
    /// @param status The workflow's status.
    /// @param stepCount Number of steps.
    /// @param settledCount Number of settled steps.
    /// @param maxRetries How many times a failed step is re-auctioned; 0 fails fast.
    /// @param balance Budget held for the workflow and not escrowed in a posted job.
    /// @param budget The budget deposited at creation.
    struct WorkflowView {
        address requester;
        address token;
        WorkflowStatus status;
        uint8 stepCount;
        uint8 settledCount;
        uint8 maxRetries;
        uint96 balance;
        uint96 budget;
    }

    /// @notice What `getStep` returns.
    /// @param status The step's status.
    /// @param attempts Jobs posted for this step so far.
    /// @param pendingDependencies Dependencies not yet settled.
    /// @param dependencies Bitmap of the steps it depends on (bit i = step i).
    /// @param dependents Bitmap of the steps that depend on it.
    /// @param jobId Its current (or last) job in the market; 0 before the first posting.
    /// @param resultHash The settled result's hash; zero until it settles.
    /// @param specHash keccak256 of its spec template.
    /// @param maxReward Its reward cap.
    struct StepView {
        StepStatus status;
        uint8 attempts;
        uint8 pendingDependencies;
        uint32 dependencies;
        uint32 dependents;
        uint256 jobId;
        bytes32 resultHash;
        bytes32 specHash;
        uint96 maxReward;
    }

    // ---------------------------------------------------------------- events

    /// @notice A workflow was created and its budget escrowed.
    /// @param workflowId The new workflow's id.
    /// @param requester Who created it.
    /// @param token Budget token (zero for ETH).
    /// @param budget The escrowed budget.
    /// @param steps The steps, in index order.
    /// @param dependencies Each step's dependencies, as given.
    /// @param maxRetries The failure policy: re-auctions per failed step (0 = fail fast).
    event WorkflowCreated(
        uint256 indexed workflowId,
        address indexed requester,
        address indexed token,
        uint96 budget,
        StepInput[] steps,
        uint8[][] dependencies,
        uint8 maxRetries
    );

    /// @notice A step's job was posted to the market.
    /// @param workflowId The workflow.
    /// @param step The step index.
    /// @param jobId The market job.
    /// @param attempt 1 for the first posting, then one more per re-auction.
    /// @param specHash The spec hash the job was posted with (binding the parents' results).
    event StepPosted(uint256 indexed workflowId, uint8 step, uint256 indexed jobId, uint8 attempt, bytes32 specHash);

    /// @notice Every dependency of a step settled but the step could not be posted yet; `advance`
    /// posts it.
    /// @param workflowId The workflow.
    /// @param step The step index.
    /// @param reason Empty if the callback ran short of gas, else the market's revert data.
    event StepReady(uint256 indexed workflowId, uint8 step, bytes reason);

    /// @notice A step's job settled.
    /// @param workflowId The workflow.
    /// @param step The step index.
    /// @param jobId The market job.
    /// @param resultHash The settled result's hash, bound into the dependents' spec hashes.
    /// @param price The price paid to the worker; `maxReward - price` returned to the budget.
    event StepSettled(uint256 indexed workflowId, uint8 step, uint256 indexed jobId, bytes32 resultHash, uint96 price);

    /// @notice A step's job ended without a result (no bid, no reveal, or no time left).
    /// @param workflowId The workflow.
    /// @param step The step index.
    /// @param jobId The market job.
    /// @param attempt Which posting failed.
    /// @param retrying Whether the step is re-auctioned.
    event StepFailed(uint256 indexed workflowId, uint8 step, uint256 indexed jobId, uint8 attempt, bool retrying);

    /// @notice The workflow ended while the step's job had no bid: the job was cancelled and its cap refunded.
    event StepCancelled(uint256 indexed workflowId, uint8 step, uint256 indexed jobId);

    /// @notice Every step settled; the unspent budget is credited to the requester.
    event WorkflowCompleted(uint256 indexed workflowId, uint96 refund);

    /// @notice A step failed with no retries left; the unspent budget is credited to the requester.
    event WorkflowFailed(uint256 indexed workflowId, uint8 step, uint96 refund);

    /// @notice The requester cancelled; every step not yet bid on is refunded.
    event WorkflowCancelled(uint256 indexed workflowId, uint96 refund);

    /// @notice A job of an ended workflow ended later and its unspent reward was credited to the requester.
    event LateRefund(uint256 indexed workflowId, uint8 step, uint96 amount);

    /// @notice Credits were paid out.
    event Withdrawn(address indexed account, address indexed token, address to, uint256 amount);

    /// @notice Penalty shares paid to the orchestrator as a requester (forfeited and slashed bonds)
    /// were swept to the surplus recipient.
    event SurplusSwept(address indexed token, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- errors

    /// @notice The workflow has no steps.
    error WorkflowNoSteps();
    /// @notice More steps than `MAX_STEPS`.
    error WorkflowTooManySteps(uint256 count, uint256 max);
    /// @notice More dependency edges than `MAX_EDGES`.
    error WorkflowTooManyEdges(uint256 count, uint256 max);
    /// @notice `dependencies` does not have one entry per step.
    error WorkflowDependencyCountMismatch(uint256 steps, uint256 dependencies);
    /// @notice A step depends on itself.
    error WorkflowSelfDependency(uint256 step);
    /// @notice A step depends on a later step; dependencies must name earlier steps.
    error WorkflowForwardDependency(uint256 step, uint256 dependency);
    /// @notice A step names the same dependency twice.
    error WorkflowDuplicateDependency(uint256 step, uint256 dependency);
    /// @notice A step's spec is empty.
    error WorkflowEmptySpec(uint256 step);
    /// @notice A step's spec is longer than the market accepts.
    error WorkflowSpecTooLarge(uint256 step, uint256 length, uint256 max);
    /// @notice The specs, with 69 bytes of parameters per step, are longer than one workflow can store.
    error WorkflowSpecsTooLarge(uint256 length, uint256 max);
    /// @notice A step's reward cap is zero.
    error WorkflowZeroReward(uint256 step);
    /// @notice A step's bond is zero.
    error WorkflowZeroBond(uint256 step);
    /// @notice A step's arbiter is not a contract.
    error WorkflowInvalidArbiter(uint256 step, address arbiter);
    /// @notice A step's window is zero or longer than the market allows.
    error WorkflowInvalidWindow(uint256 step, uint32 window);
    /// @notice A step's expiry window is shorter than its commit, reveal and execution windows.
    error WorkflowExpiryWindowTooShort(uint256 step, uint32 expiryWindow, uint256 minimum);
    /// @notice The budget is below the sum of the step reward caps.
    error WorkflowBudgetTooLow(uint256 budget, uint256 required);
    /// @notice The market does not allow the budget token.
    error WorkflowTokenNotAllowed(address token);
    /// @notice ETH sent does not match what was expected.
    error WorkflowWrongValue(uint256 expected, uint256 received);
    /// @notice A token delivered less than the budget (fee-on-transfer tokens are not supported).
    error WorkflowTokenShortfall(address token, uint256 expected, uint256 received);
    /// @notice The failure policy asks for more re-auctions than `MAX_RETRIES`.
    error WorkflowTooManyRetries(uint256 retries, uint256 max);
    /// @notice No such workflow.
    error WorkflowUnknown(uint256 workflowId);
    /// @notice No such step in the workflow.
    error WorkflowUnknownStep(uint256 workflowId, uint256 step);
    /// @notice Only the workflow's requester may do this.
    error WorkflowNotRequester(uint256 workflowId, address caller);
    /// @notice The workflow has already ended.
    error WorkflowNotActive(uint256 workflowId, WorkflowStatus status);
    /// @notice The step's job is still running in the market; nothing to advance yet.
    error WorkflowStepInProgress(uint256 workflowId, uint256 step, IJobMarket.JobState jobState);
    /// @notice The step and its dependents are already up to date.
    error WorkflowNothingToAdvance(uint256 workflowId, uint256 step);
    /// @notice Only the job market may call the settlement callback.
    error WorkflowNotMarket(address caller);
    /// @notice The account has no credit in this token.
    error WorkflowNothingToWithdraw(address account, address token);
    /// @notice An ETH payout failed.
    error WorkflowTransferFailed(address to, uint256 amount);
    /// @notice Zero address where an address is required.
    error WorkflowZeroAddress();
    /// @notice `advance` was given too little gas to post a step it must post (only the settlement
    /// callback, whose gas the market fixes, leaves a step Ready for lack of gas).
    /// @param gasLeft Gas left at the check.
    /// @param required Gas the posting needs at that point.
    error WorkflowInsufficientGas(uint256 gasLeft, uint256 required);
    /// @notice There is no surplus to sweep in this token.
    error WorkflowNoSurplus(address token);

    // ---------------------------------------------------------------- functions

    /// @notice Creates a workflow, escrows its budget and posts every step without dependencies.
    /// @param steps The steps, in an order where every dependency comes before its dependents.
    /// @param dependencies For each step, the indices of the earlier steps whose results it consumes.
    /// @param token Budget token, or the zero address for ETH (then send exactly `budget`).
    /// @param budget At least the sum of the steps' `maxReward`; anything unspent is refunded.
    /// @param maxRetries How many times a failed step is re-auctioned before the workflow fails.
    /// @return workflowId The new workflow's id.
    function createWorkflow(
        StepInput[] calldata steps,
        uint8[][] calldata dependencies,
        address token,
        uint96 budget,
        uint8 maxRetries
    ) external payable returns (uint256 workflowId);

    /// @notice Brings a step up to date with its job in the market, then posts every dependent that
    /// became ready. Permissionless. A settled job is recorded (if the callback did not); a job that
    /// ended without a result is re-auctioned or fails the workflow per its policy; a ready step is
    /// posted. Costs O(dependents of the step).
    /// @param workflowId The workflow.
    /// @param step The step index.
    function advance(uint256 workflowId, uint8 step) external;

    /// @notice Cancels an active workflow: every posted job without bids is cancelled, and the budget
    /// of every step not yet bid on is credited to the requester. Jobs already bid on run to their
    /// end; whatever they leave unspent is credited as it returns.
    /// @param workflowId The workflow.
    function cancel(uint256 workflowId) external;

    /// @notice Pays the caller's credit in `token` to the caller.
    function withdraw(address token) external;

    /// @notice Pays the caller's credit in `token` to `to`: for a requester contract that cannot
    /// receive ETH, or an address a token refuses to pay.
    /// @param token The token (zero for ETH).
    /// @param to The recipient (not zero).
    function withdrawTo(address token, address to) external;

    /// @notice Sends the penalty shares the market paid the orchestrator, which no workflow owns, to
    /// the surplus recipient. Permissionless.
    function sweepSurplus(address token) external;

    /// @notice The job market the orchestrator posts to.
    function market() external view returns (IJobMarket);

    /// @notice Number of workflows created; ids run from 1.
    function workflowCount() external view returns (uint256);

    /// @notice A workflow's summary.
    function getWorkflow(uint256 workflowId) external view returns (WorkflowView memory);

    /// @notice One step's state.
    function getStep(uint256 workflowId, uint8 step) external view returns (StepView memory);

    /// @notice A step's spec template, as submitted.
    function stepSpec(uint256 workflowId, uint8 step) external view returns (bytes memory);

    /// @notice The workflow step a market job belongs to; `found` is false for other jobs.
    function stepOfJob(uint256 jobId) external view returns (bool found, uint256 workflowId, uint8 step);

    /// @notice What a keeper needs to resolve a step job's inputs: the template hash and, per
    /// dependency in ascending order, its step index, settled job and result hash.
    function inputsOf(
        uint256 jobId
    )
        external
        view
        returns (
            bytes32 templateHash,
            uint8[] memory parentSteps,
            uint256[] memory parentJobIds,
            bytes32[] memory parentResultHashes
        );

    /// @notice Credit withdrawable by `account` in `token`.
    function creditOf(address account, address token) external view returns (uint256);

    /// @notice What the orchestrator owes in `token`: workflow balances, credits, and the reward caps
    /// of posted steps whose outcome it has not recorded yet (whatever part of a cap comes back from
    /// the market belongs to its workflow, even before `advance` or the callback records it).
    function owed(address token) external view returns (uint256);

    /// @notice Penalty shares in `token` that no workflow owns, ready to sweep: what the orchestrator
    /// holds and is credited in the market beyond `owed`. Conservative: while steps are in flight,
    /// penalties may show only once their steps are recorded, but never includes workflow money.
    function surplus(address token) external view returns (uint256);
}
