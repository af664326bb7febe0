// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IJobMarket} from "./interfaces/IJobMarket.sol";
import {IWorkflowOrchestrator} from "./interfaces/IWorkflowOrchestrator.sol";
import {PackedTerms} from "./libraries/PackedTerms.sol";

/// @title Baton workflow orchestrator
/// @notice See {IWorkflowOrchestrator}. Holds no special power in the market: it posts, reclaims,
/// cancels and withdraws as any requester may. It has no owner and no parameters.
/// @dev Money: each workflow's `balance` is budget not escrowed in a posted job. Funds returned by
/// the market (the unspent part of a settled job's cap, or a whole refunded cap) arrive as the
/// orchestrator's credit in the market; they are added to the workflow's balance in the same call
/// that learns of them, and pulled out of the market only when the orchestrator needs liquidity.
/// `owed[token]` sums every workflow balance, every requester credit and the cap of every posted
/// step not yet recorded. A cap leaves `owed` only as the price the market paid a worker. So the
/// orchestrator's tokens, its market credit and the escrow of its live jobs always cover `owed`,
/// and whatever it holds beyond `owed` is bond penalties the market paid it as a requester, which
/// `sweepSurplus` sends on: money returned by the market but not yet recorded (a refund after a
/// slash, the cap of an expired job) is still inside `owed`, whatever the order of calls.
contract WorkflowOrchestrator is IWorkflowOrchestrator, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------- constants

    /// @notice Most steps in one workflow (dependency sets are 32-bit maps).
    uint256 public constant MAX_STEPS = 32;
    /// @notice Most dependency edges in one workflow.
    uint256 public constant MAX_EDGES = 64;
    /// @notice Most re-auctions of a failed step.
    uint8 public constant MAX_RETRIES = 10;
    /// @notice Longest window, as the market's `MAX_WINDOW`.
    uint32 public constant MAX_WINDOW = 30 days;
    /// @notice Longest single spec, as the market's `MAX_PAYLOAD_BYTES`.
    uint256 public constant MAX_SPEC_BYTES = 16_384;
    /// @notice Most bytes of specs, with 69 bytes of parameters per step, in one workflow: they are
    /// stored as the code of one data contract (EIP-170 limit, less the leading STOP byte).
    uint256 public constant MAX_WORKFLOW_SPEC_BYTES = 24_575;
    /// @notice Gas a step posting may need; with less left, the settlement callback marks the step
    /// Ready for `advance` rather than risk running out mid-post.
    uint256 public constant POST_GAS = 300_000;
    /// @notice Gas kept back per dependent still to be visited when the callback decides whether to
    /// post a step, so that marking every remaining dependent (Ready, or one dependency fewer)
    /// always fits: a step with `MAX_STEPS - 1` dependents settles with a successful callback.
    uint256 public constant MARK_GAS = 15_000;

    // ---------------------------------------------------------------- storage

    /// @dev requester (160), status, stepCount, settledCount, maxRetries (8 each) | token (160),
    /// balance (96) | specs data contract (160), budget (96).
    struct Workflow {
        address requester;
        WorkflowStatus status;
        uint8 stepCount;
        uint8 settledCount;
        uint8 maxRetries;
        address token;
        uint96 balance;
        address specs;
        uint96 budget;
    }

    /// @dev Slots: maxReward, status, attempts, pending dependencies, dependency maps, spec
    /// location | posted job: id, expiry and the market's parameters it was posted with (to rebuild
    /// its terms; a dispute bond is at most the market's `MAX_DISPUTE_BOND` of 100 ether, which fits
    /// 72 bits) | result hash. Creation writes only the first. A step's fixed parameters (arbiter,
    /// bond, filters, pricing, windows) are not in storage: they precede its spec in the workflow's
    /// specs contract (`PARAMS_BYTES` each, see `_storeSpecs`), which costs 200 gas per byte once
    /// instead of 22,100 per slot; its template hash is the hash of the spec, read back when needed.
    struct Step {
        uint96 maxReward;
        StepStatus status;
        uint8 attempts;
        uint8 pendingDependencies;
        uint32 dependencies;
        uint32 dependents;
        uint16 specOffset;
        uint16 specLength;
        uint64 jobId;
        uint32 expiry;
        uint16 feeBps;
        uint16 forfeitBps;
        uint16 slashBountyBps;
        uint32 rulingTimeout;
        uint72 disputeBond;
        bytes32 resultHash;
    }

    /// @dev A step's fixed parameters as read back from the specs contract.
    struct StepParams {
        address arbiter;
        uint96 bond;
        uint96 minStake;
        uint32 minCompleted;
        IJobMarket.Pricing pricing;
        uint32 commitWindow;
        uint32 revealWindow;
        uint32 executionWindow;
        uint32 challengeWindow;
        uint32 expiryWindow;
    }

    /// @dev Bytes of a step's packed parameters in the specs contract: arbiter (20), bond (12),
    /// minStake (12), minCompleted (4), pricing (1), commit, reveal, execution, challenge and
    /// expiry windows (4 each).
    uint256 private constant PARAMS_BYTES = 69;

    IJobMarket private immutable _market;
    /// @notice Receives swept surplus (penalty shares no workflow owns).
    address public immutable surplusRecipient;

    uint256 private _workflowCount;
    mapping(uint256 workflowId => Workflow) private _workflows;
    mapping(uint256 workflowId => mapping(uint256 step => Step)) private _steps;
    /// @dev jobId => workflowId << 8 | step (zero: not a workflow job).
    mapping(uint256 jobId => uint256) private _jobSteps;
    mapping(address account => mapping(address token => uint256)) private _credits;
    mapping(address token => uint256) private _owed;

    /// @param market_ The job market.
    /// @param surplusRecipient_ Where `sweepSurplus` sends penalty shares (the protocol treasury).
    constructor(IJobMarket market_, address surplusRecipient_) {
        if (address(market_) == address(0) || surplusRecipient_ == address(0)) revert WorkflowZeroAddress();
        _market = market_;
        surplusRecipient = surplusRecipient_;
    }

    /// @dev ETH arrives only from the market, when the orchestrator withdraws its credit.
    receive() external payable {
        if (msg.sender != address(_market)) revert WorkflowNotMarket(msg.sender);
    }

    // ---------------------------------------------------------------- requester

    /// @inheritdoc IWorkflowOrchestrator
    function createWorkflow(
        StepInput[] calldata steps,
        uint8[][] calldata dependencies,
        address token,
        uint96 budget,
        uint8 maxRetries
    ) external payable nonReentrant returns (uint256 workflowId) {
        uint256 count = steps.length;
        if (count == 0) revert WorkflowNoSteps();
        if (count > MAX_STEPS) revert WorkflowTooManySteps(count, MAX_STEPS);
        if (dependencies.length != count) revert WorkflowDependencyCountMismatch(count, dependencies.length);
        if (maxRetries > MAX_RETRIES) revert WorkflowTooManyRetries(maxRetries, MAX_RETRIES);
        if (!_market.isTokenAllowed(token)) revert WorkflowTokenNotAllowed(token);

        workflowId = ++_workflowCount;
        uint256 required;
        uint256 edges;
        uint256 specBytes;
        for (uint256 i = 0; i < count; ++i) {
            StepInput calldata input = steps[i];
            _validateStep(i, input);
            required += input.maxReward;
            Step storage s = _steps[workflowId][i];
            s.maxReward = input.maxReward;
            // Each spec follows its step's parameters in the specs contract. Offsets fit 16 bits:
            // the total is checked against MAX_WORKFLOW_SPEC_BYTES below.
            specBytes += PARAMS_BYTES;
            s.specOffset = uint16(specBytes);
            s.specLength = uint16(input.spec.length);
            specBytes += input.spec.length;

            uint8[] calldata deps = dependencies[i];
            edges += deps.length;
            if (edges > MAX_EDGES) revert WorkflowTooManyEdges(edges, MAX_EDGES);
            uint32 map;
            for (uint256 k = 0; k < deps.length; ++k) {
                uint256 d = deps[k];
                if (d == i) revert WorkflowSelfDependency(i);
                if (d > i) revert WorkflowForwardDependency(i, d);
                uint32 bit = uint32(1 << d);
                if (map & bit != 0) revert WorkflowDuplicateDependency(i, d);
                map |= bit;
                _steps[workflowId][d].dependents |= uint32(1 << i);
            }
            if (map != 0) {
                s.dependencies = map;
                s.pendingDependencies = uint8(deps.length);
            }
        }
        if (specBytes > MAX_WORKFLOW_SPEC_BYTES) revert WorkflowSpecsTooLarge(specBytes, MAX_WORKFLOW_SPEC_BYTES);
        if (budget < required) revert WorkflowBudgetTooLow(budget, required);
        _collect(token, budget);

        Workflow storage wf = _workflows[workflowId];
        wf.requester = msg.sender;
        wf.status = WorkflowStatus.Active;
        wf.stepCount = uint8(count);
        wf.maxRetries = maxRetries;
        wf.token = token;
        wf.balance = budget;
        wf.budget = budget;
        wf.specs = _storeSpecs(steps, specBytes);
        _owed[token] += budget;
        emit WorkflowCreated(workflowId, msg.sender, token, budget, steps, dependencies, maxRetries);

        for (uint256 i = 0; i < count; ++i) {
            Step storage s = _steps[workflowId][i];
            if (s.dependencies == 0) _post(workflowId, wf, uint8(i), s);
        }
    }

    /// @inheritdoc IWorkflowOrchestrator
    function cancel(uint256 workflowId) external nonReentrant {
        Workflow storage wf = _activeWorkflow(workflowId);
        if (msg.sender != wf.requester) revert WorkflowNotRequester(workflowId, msg.sender);
        uint96 refund = _end(workflowId, wf, WorkflowStatus.Cancelled);
        emit WorkflowCancelled(workflowId, refund);
    }

    /// @inheritdoc IWorkflowOrchestrator
    function withdraw(address token) external nonReentrant {
        _withdraw(token, msg.sender);
    }

    /// @inheritdoc IWorkflowOrchestrator
    function withdrawTo(address token, address to) external nonReentrant {
        if (to == address(0)) revert WorkflowZeroAddress();
        _withdraw(token, to);
    }

    // ---------------------------------------------------------------- anyone

    /// @inheritdoc IWorkflowOrchestrator
    function advance(uint256 workflowId, uint8 step) external nonReentrant {
        Workflow storage wf = _workflow(workflowId);
        if (step >= wf.stepCount) revert WorkflowUnknownStep(workflowId, step);
        Step storage s = _steps[workflowId][step];
        StepStatus status = s.status;

        if (status == StepStatus.Posted) {
            uint256 jobId = s.jobId;
            IJobMarket.JobState state = _market.jobState(jobId);
            if (state == IJobMarket.JobState.Settled) {
                (bytes32 resultHash, , uint96 price) = _market.undeliveredSettlementOf(jobId);
                _recordSettlement(workflowId, wf, step, s, resultHash, price, false);
            } else if (state == IJobMarket.JobState.Unfilled) {
                _market.reclaim(jobId, PackedTerms.encode(_terms(wf, s)));
                _recordFailure(workflowId, wf, step, s);
            } else if (state == IJobMarket.JobState.Refunded || state == IJobMarket.JobState.Cancelled) {
                _recordFailure(workflowId, wf, step, s);
            } else {
                revert WorkflowStepInProgress(workflowId, step, state);
            }
            return;
        }
        if (status == StepStatus.Ready) {
            if (wf.status != WorkflowStatus.Active) revert WorkflowNotActive(workflowId, wf.status);
            _post(workflowId, wf, step, s);
            return;
        }
        if (status == StepStatus.Settled && wf.status == WorkflowStatus.Active) {
            bool posted;
            for (uint32 map = s.dependents; map != 0; map &= map - 1) {
                uint8 child = _lowestBit(map);
                Step storage c = _steps[workflowId][child];
                if (c.status == StepStatus.Ready) {
                    _post(workflowId, wf, child, c);
                    posted = true;
                }
            }
            if (posted) return;
        }
        revert WorkflowNothingToAdvance(workflowId, step);
    }

    /// @inheritdoc IWorkflowOrchestrator
    function sweepSurplus(address token) external nonReentrant {
        uint256 amount = surplus(token);
        if (amount == 0) revert WorkflowNoSurplus(token);
        emit SurplusSwept(token, surplusRecipient, amount);
        _pay(token, surplusRecipient, amount);
    }

    // ---------------------------------------------------------------- market

    /// @notice The market's settlement callback: records the result and posts the dependents whose
    /// dependencies have all settled, as far as the callback's gas allows.
    function onJobSettled(uint256 jobId, bytes32 resultHash, address, uint256 price) external nonReentrant {
        if (msg.sender != address(_market)) revert WorkflowNotMarket(msg.sender);
        uint256 packed = _jobSteps[jobId];
        if (packed == 0) return;
        uint256 workflowId = packed >> 8;
        uint8 step = uint8(packed);
        Step storage s = _steps[workflowId][step];
        if (s.status != StepStatus.Posted || s.jobId != jobId) return;
        _recordSettlement(workflowId, _workflows[workflowId], step, s, resultHash, uint96(price), true);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IWorkflowOrchestrator
    function market() external view returns (IJobMarket) {
        return _market;
    }

    /// @inheritdoc IWorkflowOrchestrator
    function workflowCount() external view returns (uint256) {
        return _workflowCount;
    }

    /// @inheritdoc IWorkflowOrchestrator
    function getWorkflow(uint256 workflowId) external view returns (WorkflowView memory) {
        Workflow storage wf = _workflows[workflowId];
        return
            WorkflowView({
                requester: wf.requester,
                token: wf.token,
                status: wf.status,
                stepCount: wf.stepCount,
                settledCount: wf.settledCount,
                maxRetries: wf.maxRetries,
                balance: wf.balance,
                budget: wf.budget
            });
    }

    /// @inheritdoc IWorkflowOrchestrator
    function getStep(uint256 workflowId, uint8 step) external view returns (StepView memory) {
        Workflow storage wf = _workflow(workflowId);
        if (step >= wf.stepCount) revert WorkflowUnknownStep(workflowId, step);
        Step storage s = _steps[workflowId][step];
        return
            StepView({
                status: s.status,
                attempts: s.attempts,
                pendingDependencies: s.pendingDependencies,
                dependencies: s.dependencies,
                dependents: s.dependents,
                jobId: s.jobId,
                resultHash: s.resultHash,
                specHash: keccak256(_readSpec(wf.specs, s.specOffset, s.specLength)),
                maxReward: s.maxReward
            });
    }

    /// @inheritdoc IWorkflowOrchestrator
    function stepSpec(uint256 workflowId, uint8 step) external view returns (bytes memory) {
        Workflow storage wf = _workflow(workflowId);
        if (step >= wf.stepCount) revert WorkflowUnknownStep(workflowId, step);
        Step storage s = _steps[workflowId][step];
        return _readSpec(wf.specs, s.specOffset, s.specLength);
    }

    /// @inheritdoc IWorkflowOrchestrator
    function stepOfJob(uint256 jobId) external view returns (bool found, uint256 workflowId, uint8 step) {
        uint256 packed = _jobSteps[jobId];
        return (packed != 0, packed >> 8, uint8(packed));
    }

    /// @inheritdoc IWorkflowOrchestrator
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
        )
    {
        uint256 packed = _jobSteps[jobId];
        if (packed == 0) return (bytes32(0), parentSteps, parentJobIds, parentResultHashes);
        uint256 workflowId = packed >> 8;
        Step storage s = _steps[workflowId][uint8(packed)];
        uint256 n = _popcount(s.dependencies);
        parentSteps = new uint8[](n);
        parentJobIds = new uint256[](n);
        parentResultHashes = new bytes32[](n);
        uint256 k;
        for (uint32 map = s.dependencies; map != 0; map &= map - 1) {
            uint8 d = _lowestBit(map);
            Step storage p = _steps[workflowId][d];
            parentSteps[k] = d;
            parentJobIds[k] = p.jobId;
            parentResultHashes[k] = p.resultHash;
            ++k;
        }
        Workflow storage wf = _workflows[workflowId];
        templateHash = keccak256(_readSpec(wf.specs, s.specOffset, s.specLength));
    }

    /// @inheritdoc IWorkflowOrchestrator
    function creditOf(address account, address token) external view returns (uint256) {
        return _credits[account][token];
    }

    /// @inheritdoc IWorkflowOrchestrator
    function owed(address token) external view returns (uint256) {
        return _owed[token];
    }

    /// @inheritdoc IWorkflowOrchestrator
    function surplus(address token) public view returns (uint256) {
        uint256 assets = _held(token) + _market.creditOf(address(this), token);
        uint256 liabilities = _owed[token];
        return assets > liabilities ? assets - liabilities : 0;
    }

    // ---------------------------------------------------------------- steps

    function _validateStep(uint256 i, StepInput calldata input) private view {
        uint256 length = input.spec.length;
        if (length == 0) revert WorkflowEmptySpec(i);
        if (length > MAX_SPEC_BYTES) revert WorkflowSpecTooLarge(i, length, MAX_SPEC_BYTES);
        if (input.maxReward == 0) revert WorkflowZeroReward(i);
        if (input.bond == 0) revert WorkflowZeroBond(i);
        if (input.arbiter.code.length == 0) revert WorkflowInvalidArbiter(i, input.arbiter);
        _checkWindow(i, input.commitWindow);
        _checkWindow(i, input.revealWindow);
        _checkWindow(i, input.executionWindow);
        _checkWindow(i, input.challengeWindow);
        uint256 minimum = uint256(input.commitWindow) + input.revealWindow + input.executionWindow;
        if (input.expiryWindow < minimum) revert WorkflowExpiryWindowTooShort(i, input.expiryWindow, minimum);
    }

    function _checkWindow(uint256 i, uint32 window) private pure {
        if (window == 0 || window > MAX_WINDOW) revert WorkflowInvalidWindow(i, window);
    }

    /// @dev Posts a step's job, reverting with the market's error if it refuses.
    function _post(uint256 workflowId, Workflow storage wf, uint8 step, Step storage s) private {
        (IJobMarket.JobTerms memory terms, bytes32 specHash, bytes memory spec) = _prepare(workflowId, wf, s);
        uint256 jobId = _market.postJob{value: wf.token == address(0) ? terms.maxReward : 0}(
            PackedTerms.encode(terms),
            specHash,
            spec
        );
        _posted(workflowId, wf, step, s, terms, jobId, specHash);
    }

    /// @dev Posts a step's job if gas allows and the market accepts it; otherwise marks it Ready
    /// for `advance`. Only the settlement callback, whose gas is fixed by the market, may run
    /// short: any other caller chose its gas limit, and a gas-dependent outcome there would let a
    /// gas estimator settle on the cheap path (Ready instead of posted), so short gas reverts.
    function _tryPost(
        uint256 workflowId,
        Workflow storage wf,
        uint8 step,
        Step storage s,
        uint256 remaining,
        bool inCallback
    ) private {
        uint256 required = POST_GAS + remaining * MARK_GAS;
        if (gasleft() < required) {
            if (!inCallback) revert WorkflowInsufficientGas(gasleft(), required);
            s.status = StepStatus.Ready;
            emit StepReady(workflowId, step, "");
            return;
        }
        (IJobMarket.JobTerms memory terms, bytes32 specHash, bytes memory spec) = _prepare(workflowId, wf, s);
        uint256 value = wf.token == address(0) ? terms.maxReward : 0;
        try _market.postJob{value: value}(PackedTerms.encode(terms), specHash, spec) returns (uint256 jobId) {
            _posted(workflowId, wf, step, s, terms, jobId, specHash);
        } catch (bytes memory reason) {
            if (wf.token != address(0)) IERC20(wf.token).forceApprove(address(_market), 0);
            s.status = StepStatus.Ready;
            emit StepReady(workflowId, step, reason);
        }
    }

    /// @dev Builds the terms, binds the dependencies' results into the spec hash, and makes sure the
    /// reward is at hand (and approved, for a token).
    function _prepare(
        uint256 workflowId,
        Workflow storage wf,
        Step storage s
    ) private returns (IJobMarket.JobTerms memory terms, bytes32 specHash, bytes memory spec) {
        IJobMarket.Params memory params = _market.getParams();
        s.feeBps = params.feeBps;
        s.forfeitBps = params.forfeitBps;
        s.slashBountyBps = params.slashBountyBps;
        s.rulingTimeout = params.rulingTimeout;
        // Fits: the market bounds the dispute bond by MAX_DISPUTE_BOND (100 ether < 2^72).
        s.disputeBond = uint72(params.disputeBond);
        StepParams memory p = _readParams(wf.specs, s.specOffset);
        terms = _termsWith(wf, s, p, uint32(block.timestamp) + p.expiryWindow);
        spec = _readSpec(wf.specs, s.specOffset, s.specLength);
        // The template hash is not stored: the spec is read back here anyway.
        specHash = keccak256(spec);
        if (s.dependencies != 0) specHash = _bindInputs(workflowId, s, specHash);
        _ensureHeld(wf.token, s.maxReward);
        if (wf.token != address(0)) IERC20(wf.token).forceApprove(address(_market), s.maxReward);
    }

    function _posted(
        uint256 workflowId,
        Workflow storage wf,
        uint8 step,
        Step storage s,
        IJobMarket.JobTerms memory terms,
        uint256 jobId,
        bytes32 specHash
    ) private {
        // The cap moves from the balance into the market's escrow: still owed to the workflow.
        wf.balance -= terms.maxReward;
        uint8 attempt = s.attempts + 1;
        s.status = StepStatus.Posted;
        s.attempts = attempt;
        s.jobId = uint64(jobId);
        s.expiry = terms.expiry;
        _jobSteps[jobId] = (workflowId << 8) | step;
        emit StepPosted(workflowId, step, jobId, attempt, specHash);
    }

    /// @dev keccak256(templateHash ‖ resultHash of each dependency in ascending step order).
    function _bindInputs(uint256 workflowId, Step storage s, bytes32 template) private view returns (bytes32) {
        uint32 deps = s.dependencies;
        bytes memory packed = new bytes(32 * (_popcount(deps) + 1));
        assembly ("memory-safe") {
            mstore(add(packed, 0x20), template)
        }
        uint256 offset = 0x40;
        for (uint32 map = deps; map != 0; map &= map - 1) {
            bytes32 parent = _steps[workflowId][_lowestBit(map)].resultHash;
            assembly ("memory-safe") {
                mstore(add(packed, offset), parent)
            }
            offset += 0x20;
        }
        return keccak256(packed);
    }

    function _recordSettlement(
        uint256 workflowId,
        Workflow storage wf,
        uint8 step,
        Step storage s,
        bytes32 resultHash,
        uint96 price,
        bool inCallback
    ) private {
        uint96 refund = s.maxReward - price;
        s.status = StepStatus.Settled;
        s.resultHash = resultHash;
        wf.settledCount += 1;
        // The price went to the worker; the rest of the cap stays owed, to the workflow.
        _owed[wf.token] -= price;
        emit StepSettled(workflowId, step, s.jobId, resultHash, price);

        if (wf.status != WorkflowStatus.Active) {
            _lateRefund(workflowId, wf, step, refund);
            return;
        }
        wf.balance += refund;
        if (wf.settledCount == wf.stepCount) {
            uint96 unspent = _end(workflowId, wf, WorkflowStatus.Completed);
            emit WorkflowCompleted(workflowId, unspent);
            return;
        }
        for (uint32 map = s.dependents; map != 0; map &= map - 1) {
            uint8 child = _lowestBit(map);
            Step storage c = _steps[workflowId][child];
            // Keep back enough gas to visit every dependent after this one.
            if (--c.pendingDependencies == 0) _tryPost(workflowId, wf, child, c, _popcount(map) - 1, inCallback);
        }
    }

    /// @dev A step's job ended without a result and its cap came back: re-auction or fail.
    function _recordFailure(uint256 workflowId, Workflow storage wf, uint8 step, Step storage s) private {
        uint96 cap = s.maxReward;
        if (wf.status != WorkflowStatus.Active) {
            s.status = StepStatus.Cancelled;
            emit StepFailed(workflowId, step, s.jobId, s.attempts, false);
            _lateRefund(workflowId, wf, step, cap);
            return;
        }
        wf.balance += cap;
        bool retrying = s.attempts <= wf.maxRetries;
        emit StepFailed(workflowId, step, s.jobId, s.attempts, retrying);
        if (retrying) {
            _tryPost(workflowId, wf, step, s, 0, false);
        } else {
            s.status = StepStatus.Failed;
            uint96 refund = _end(workflowId, wf, WorkflowStatus.Failed);
            emit WorkflowFailed(workflowId, step, refund);
        }
    }

    /// @dev Ends a workflow: cancels every posted job that has no bid yet, and credits the
    /// requester with the balance. Returns the amount credited.
    function _end(uint256 workflowId, Workflow storage wf, WorkflowStatus status) private returns (uint96 refund) {
        wf.status = status;
        if (status != WorkflowStatus.Completed) {
            uint256 count = wf.stepCount;
            for (uint256 i = 0; i < count; ++i) {
                Step storage s = _steps[workflowId][i];
                if (s.status != StepStatus.Posted) continue;
                try _market.cancel(s.jobId, PackedTerms.encode(_terms(wf, s))) {
                    s.status = StepStatus.Cancelled;
                    emit StepCancelled(workflowId, uint8(i), s.jobId);
                    wf.balance += s.maxReward;
                } catch {} // solhint-disable-line no-empty-blocks
            }
        }
        refund = wf.balance;
        wf.balance = 0;
        // Moving a balance into a credit leaves the total owed unchanged.
        if (refund != 0) _credits[wf.requester][wf.token] += refund;
    }

    function _lateRefund(uint256 workflowId, Workflow storage wf, uint8 step, uint96 amount) private {
        if (amount == 0) return;
        // Already inside `owed` as part of the step's cap.
        _credits[wf.requester][wf.token] += amount;
        emit LateRefund(workflowId, step, amount);
    }

    /// @dev The terms a step's current job was posted with.
    function _terms(Workflow storage wf, Step storage s) private view returns (IJobMarket.JobTerms memory) {
        return _termsWith(wf, s, _readParams(wf.specs, s.specOffset), s.expiry);
    }

    /// @dev A step's job terms with the given expiry and the market parameters recorded in the step.
    function _termsWith(
        Workflow storage wf,
        Step storage s,
        StepParams memory p,
        uint32 expiry
    ) private view returns (IJobMarket.JobTerms memory) {
        return
            IJobMarket.JobTerms({
                requester: address(this),
                token: wf.token,
                maxReward: s.maxReward,
                arbiter: p.arbiter,
                bond: p.bond,
                minStake: p.minStake,
                minCompleted: p.minCompleted,
                commitWindow: p.commitWindow,
                revealWindow: p.revealWindow,
                executionWindow: p.executionWindow,
                challengeWindow: p.challengeWindow,
                expiry: expiry,
                feeBps: s.feeBps,
                forfeitBps: s.forfeitBps,
                slashBountyBps: s.slashBountyBps,
                disputeBond: s.disputeBond,
                rulingTimeout: s.rulingTimeout,
                pricing: p.pricing,
                callback: true
            });
    }

    // ---------------------------------------------------------------- lookups

    function _workflow(uint256 workflowId) private view returns (Workflow storage wf) {
        wf = _workflows[workflowId];
        if (wf.status == WorkflowStatus.None) revert WorkflowUnknown(workflowId);
    }

    function _activeWorkflow(uint256 workflowId) private view returns (Workflow storage wf) {
        wf = _workflow(workflowId);
        if (wf.status != WorkflowStatus.Active) revert WorkflowNotActive(workflowId, wf.status);
    }

    function _lowestBit(uint32 map) private pure returns (uint8) {
        unchecked {
            return uint8(Math.log2(uint256(map & (0 - map))));
        }
    }

    function _popcount(uint32 map) private pure returns (uint256 n) {
        for (; map != 0; map &= map - 1) ++n;
    }

    // ---------------------------------------------------------------- specs

    /// @dev Stores every spec, concatenated, as the code of a new contract (behind a STOP byte so
    /// it cannot be called), which costs far less than storage slots and reads back with EXTCODECOPY.
    function _storeSpecs(StepInput[] calldata steps, uint256 total) private returns (address blob) {
        // Init code: PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN,
        // followed by the runtime code: STOP, then the specs.
        bytes memory code = new bytes(11 + total);
        uint256 size = total + 1;
        code[0] = 0x61;
        code[1] = bytes1(uint8(size >> 8));
        code[2] = bytes1(uint8(size));
        code[3] = 0x80;
        code[4] = 0x60;
        code[5] = 0x0a;
        code[6] = 0x3d;
        code[7] = 0x39;
        code[8] = 0x3d;
        code[9] = 0xf3;
        uint256 offset = 11;
        for (uint256 i = 0; i < steps.length; ++i) {
            StepInput calldata input = steps[i];
            bytes memory params = abi.encodePacked(
                input.arbiter,
                input.bond,
                input.minStake,
                input.minCompleted,
                input.pricing,
                input.commitWindow,
                input.revealWindow,
                input.executionWindow,
                input.challengeWindow,
                input.expiryWindow
            );
            bytes calldata spec = input.spec;
            assembly ("memory-safe") {
                mcopy(add(add(code, 0x20), offset), add(params, 0x20), PARAMS_BYTES)
                calldatacopy(add(add(code, 0x20), add(offset, PARAMS_BYTES)), spec.offset, spec.length)
            }
            offset += PARAMS_BYTES + spec.length;
        }
        assembly ("memory-safe") {
            blob := create(0, add(code, 0x20), mload(code))
        }
        if (blob == address(0)) revert WorkflowSpecsTooLarge(total, MAX_WORKFLOW_SPEC_BYTES);
    }

    /// @dev Reads back the parameters stored just before a step's spec (see `_storeSpecs`).
    function _readParams(address blob, uint16 specOffset) private view returns (StepParams memory p) {
        bytes memory raw = _readSpec(blob, uint16(specOffset - PARAMS_BYTES), uint16(PARAMS_BYTES));
        bytes32 w0;
        bytes32 w1;
        bytes32 w2;
        assembly ("memory-safe") {
            w0 := mload(add(raw, 0x20))
            w1 := mload(add(raw, 0x40))
            w2 := mload(add(raw, 0x60))
        }
        // w0: arbiter (bytes 0-19), bond (20-31); w1: minStake (32-43), minCompleted (44-47),
        // pricing (48), commit (49-52), reveal (53-56), execution (57-60), challenge (61-63 and
        // 64); w2: challenge's last byte (64), expiry (65-68).
        p.arbiter = address(bytes20(w0));
        p.bond = uint96(uint256(w0));
        p.minStake = uint96(bytes12(w1));
        p.minCompleted = uint32(bytes4(w1 << 96));
        p.pricing = IJobMarket.Pricing(uint8(bytes1(w1 << 128)));
        p.commitWindow = uint32(bytes4(w1 << 136));
        p.revealWindow = uint32(bytes4(w1 << 168));
        p.executionWindow = uint32(bytes4(w1 << 200));
        p.challengeWindow = uint32(bytes4((w1 << 232) | (w2 >> 24)));
        p.expiryWindow = uint32(bytes4(w2 << 8));
    }

    function _readSpec(address blob, uint16 offset, uint16 length) private view returns (bytes memory spec) {
        spec = new bytes(length);
        assembly ("memory-safe") {
            extcodecopy(blob, add(spec, 0x20), add(offset, 1), length)
        }
    }

    // ---------------------------------------------------------------- money

    function _collect(address token, uint96 budget) private {
        if (token == address(0)) {
            if (msg.value != budget) revert WorkflowWrongValue(budget, msg.value);
            return;
        }
        if (msg.value != 0) revert WorkflowWrongValue(0, msg.value);
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), budget);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != budget) revert WorkflowTokenShortfall(token, budget, received);
    }

    function _held(address token) private view returns (uint256) {
        return token == address(0) ? address(this).balance : IERC20(token).balanceOf(address(this));
    }

    /// @dev Pulls the orchestrator's market credit when what it holds falls short of `amount`.
    function _ensureHeld(address token, uint256 amount) private {
        if (_held(token) < amount) _market.withdraw(token);
    }

    function _withdraw(address token, address to) private {
        uint256 amount = _credits[msg.sender][token];
        if (amount == 0) revert WorkflowNothingToWithdraw(msg.sender, token);
        _credits[msg.sender][token] = 0;
        _owed[token] -= amount;
        emit Withdrawn(msg.sender, token, to, amount);
        _pay(token, to, amount);
    }

    function _pay(address token, address to, uint256 amount) private {
        _ensureHeld(token, amount);
        if (token == address(0)) {
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert WorkflowTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }
}
