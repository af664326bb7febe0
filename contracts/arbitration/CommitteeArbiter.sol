// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IArbiter} from "../interfaces/IArbiter.sol";
import {ICommitteeArbiter} from "../interfaces/ICommitteeArbiter.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";

/// @title Committee arbiter
/// @notice See {ICommitteeArbiter}. Members and the voting period are fixed at deployment; a new
/// committee is a new contract, chosen by requesters at posting.
contract CommitteeArbiter is ICommitteeArbiter {
    /// @notice Largest committee.
    uint256 public constant MAX_MEMBERS = 32;
    /// @notice Longest voting period.
    uint32 public constant MAX_VOTING_PERIOD = 30 days;

    IJobMarket private immutable _market;
    uint32 private immutable _votingPeriod;
    address[] private _members;
    mapping(address account => bool) private _isMember;

    // A job can be disputed again after it is reopened and resubmitted, so votes are keyed by the
    // dispute's sequence number for that job.
    mapping(uint256 jobId => uint256) private _disputeCount;
    mapping(uint256 jobId => mapping(uint256 seq => Tally)) private _tallies;
    mapping(uint256 jobId => mapping(uint256 seq => mapping(address member => bool))) private _voted;

    /// @param market_ The market whose disputes this committee decides.
    /// @param members_ The members (1 to `MAX_MEMBERS`, distinct, non-zero).
    /// @param votingPeriod_ Seconds members have to vote.
    constructor(IJobMarket market_, address[] memory members_, uint32 votingPeriod_) {
        if (address(market_) == address(0)) revert CommitteeArbiterZeroMarket();
        if (members_.length == 0 || members_.length > MAX_MEMBERS) revert CommitteeArbiterInvalidMembers(address(0));
        if (votingPeriod_ == 0 || votingPeriod_ > MAX_VOTING_PERIOD)
            revert CommitteeArbiterInvalidPeriod(votingPeriod_);
        for (uint256 i = 0; i < members_.length; ++i) {
            address member = members_[i];
            if (member == address(0) || _isMember[member]) revert CommitteeArbiterInvalidMembers(member);
            _isMember[member] = true;
        }
        _market = market_;
        _members = members_;
        _votingPeriod = votingPeriod_;
    }

    /// @inheritdoc IArbiter
    function onDisputeOpened(uint256 jobId, address disputer, address worker, bytes32 resultHash) external {
        if (msg.sender != address(_market)) revert CommitteeArbiterNotMarket(msg.sender);
        uint256 seq = ++_disputeCount[jobId];
        uint32 openedAt = uint32(block.timestamp);
        _tallies[jobId][seq].openedAt = openedAt;
        emit DisputeOpened(jobId, disputer, worker, resultHash, openedAt + _votingPeriod);
    }

    /// @inheritdoc ICommitteeArbiter
    function vote(uint256 jobId, bool forWorker) external {
        if (!_isMember[msg.sender]) revert CommitteeArbiterNotMember(msg.sender);
        uint256 seq = _disputeCount[jobId];
        Tally storage t = _tallies[jobId][seq];
        if (t.openedAt == 0 || t.resolved) revert CommitteeArbiterNoDispute(jobId);
        uint32 votingEnds = t.openedAt + _votingPeriod;
        if (block.timestamp >= votingEnds) revert CommitteeArbiterVotingClosed(jobId, votingEnds);
        if (_voted[jobId][seq][msg.sender]) revert CommitteeArbiterAlreadyVoted(jobId, msg.sender);
        _voted[jobId][seq][msg.sender] = true;
        // Cannot overflow: at most MAX_MEMBERS votes per dispute.
        if (forWorker) t.forWorker += 1;
        else t.againstWorker += 1;
        emit Voted(jobId, msg.sender, forWorker);
    }

    /// @inheritdoc ICommitteeArbiter
    function resolve(uint256 jobId, bytes calldata terms, bytes32 resultHash) external {
        uint256 seq = _disputeCount[jobId];
        Tally storage t = _tallies[jobId][seq];
        if (t.openedAt == 0 || t.resolved) revert CommitteeArbiterNoDispute(jobId);
        uint256 majority = _members.length / 2 + 1;
        bool workerWins;
        bool byDefault;
        if (t.againstWorker >= majority) {
            workerWins = false;
        } else if (t.forWorker >= majority) {
            workerWins = true;
        } else {
            uint32 votingEnds = t.openedAt + _votingPeriod;
            if (block.timestamp < votingEnds) revert CommitteeArbiterVotingOpen(jobId, votingEnds);
            workerWins = true;
            byDefault = true;
        }
        t.resolved = true;
        emit Ruled(jobId, workerWins, byDefault);
        _market.rule(jobId, terms, resultHash, workerWins);
    }

    /// @inheritdoc ICommitteeArbiter
    function market() external view returns (IJobMarket) {
        return _market;
    }

    /// @inheritdoc ICommitteeArbiter
    function votingPeriod() external view returns (uint32) {
        return _votingPeriod;
    }

    /// @inheritdoc ICommitteeArbiter
    function members() external view returns (address[] memory) {
        return _members;
    }

    /// @inheritdoc ICommitteeArbiter
    function isMember(address account) external view returns (bool) {
        return _isMember[account];
    }

    /// @inheritdoc ICommitteeArbiter
    function tally(uint256 jobId) external view returns (Tally memory) {
        return _tallies[jobId][_disputeCount[jobId]];
    }

    /// @inheritdoc ICommitteeArbiter
    function hasVoted(uint256 jobId, address member) external view returns (bool) {
        return _voted[jobId][_disputeCount[jobId]][member];
    }
}
