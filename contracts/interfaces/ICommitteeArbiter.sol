// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IArbiter} from "./IArbiter.sol";
import {IJobMarket} from "./IJobMarket.sol";

/// @title Committee arbiter
/// @notice A fixed set of members votes on disputes of one market. A side that gathers votes from
/// a strict majority of all members wins at once. When the voting period ends without such a
/// majority — including when nobody votes — the worker prevails: an optimistic result stands
/// unless a majority finds it wrong. The market's own ruling timeout applies the same default if
/// nobody calls `resolve`.
interface ICommitteeArbiter is IArbiter {
    /// @notice Votes on one dispute.
    /// @param openedAt Unix time the dispute was opened (0 when unknown to the committee).
    /// @param forWorker Votes that the result stands.
    /// @param againstWorker Votes that the result is wrong.
    /// @param resolved Whether the ruling has been sent to the market.
    struct Tally {
        uint32 openedAt;
        uint16 forWorker;
        uint16 againstWorker;
        bool resolved;
    }

    /// @notice The market opened a dispute for the committee.
    /// @param jobId The job.
    /// @param disputer Who disputed.
    /// @param worker The worker.
    /// @param resultHash The disputed result.
    /// @param votingEnds Unix time at which voting closes.
    event DisputeOpened(uint256 indexed jobId, address disputer, address worker, bytes32 resultHash, uint32 votingEnds);

    /// @notice A member voted.
    /// @param jobId The job.
    /// @param member The member.
    /// @param forWorker Whether the vote supports the result.
    event Voted(uint256 indexed jobId, address indexed member, bool forWorker);

    /// @notice The committee's ruling was sent to the market.
    /// @param jobId The job.
    /// @param workerWins The ruling.
    /// @param byDefault Whether it is the no-majority default.
    event Ruled(uint256 indexed jobId, bool workerWins, bool byDefault);

    /// @notice Only the market may open disputes.
    /// @param caller The caller.
    error CommitteeArbiterNotMarket(address caller);

    /// @notice Only members may vote.
    /// @param caller The caller.
    error CommitteeArbiterNotMember(address caller);

    /// @notice The member list is empty, too long, or holds the zero address or a duplicate.
    /// @param member The offending member (zero for a bad length).
    error CommitteeArbiterInvalidMembers(address member);

    /// @notice The voting period is zero or longer than `MAX_VOTING_PERIOD`.
    /// @param period The period given.
    error CommitteeArbiterInvalidPeriod(uint32 period);

    /// @notice The market address is zero.
    error CommitteeArbiterZeroMarket();

    /// @notice The committee has no open dispute for this job.
    /// @param jobId The job.
    error CommitteeArbiterNoDispute(uint256 jobId);

    /// @notice The member already voted on this dispute.
    /// @param jobId The job.
    /// @param member The member.
    error CommitteeArbiterAlreadyVoted(uint256 jobId, address member);

    /// @notice Voting on this dispute has closed.
    /// @param jobId The job.
    /// @param votingEnds When it closed.
    error CommitteeArbiterVotingClosed(uint256 jobId, uint32 votingEnds);

    /// @notice Neither side has a majority and the voting period is still running.
    /// @param jobId The job.
    /// @param votingEnds When it closes.
    error CommitteeArbiterVotingOpen(uint256 jobId, uint32 votingEnds);

    /// @notice Casts the caller's vote. Members only, once per dispute, within the voting period.
    /// @param jobId The job.
    /// @param forWorker True if the result stands.
    function vote(uint256 jobId, bool forWorker) external;

    /// @notice Sends the ruling to the market: the majority's, or after the voting period the
    /// default (worker prevails). Anyone may call it.
    /// @param jobId The job.
    /// @param terms The job's terms (from its `JobPosted` event).
    /// @param resultHash The disputed result's hash (from `DisputeOpened` or `ResultSubmitted`).
    function resolve(uint256 jobId, bytes calldata terms, bytes32 resultHash) external;

    /// @notice The market this committee serves.
    function market() external view returns (IJobMarket);

    /// @notice Seconds members have to vote on each dispute.
    function votingPeriod() external view returns (uint32);

    /// @notice The members.
    function members() external view returns (address[] memory);

    /// @notice Whether `account` is a member.
    /// @param account The account.
    function isMember(address account) external view returns (bool);

    /// @notice The votes on a job's dispute.
    /// @param jobId The job.
    function tally(uint256 jobId) external view returns (Tally memory);

    /// @notice Whether `member` has voted on the job's current dispute.
    /// @param jobId The job.
    /// @param member The member.
    function hasVoted(uint256 jobId, address member) external view returns (bool);
}
