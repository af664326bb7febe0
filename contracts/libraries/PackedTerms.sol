// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IJobMarket} from "../interfaces/IJobMarket.sol";

/// @title A job's terms, packed
/// @notice A job's terms travel as the 144 bytes of `abi.encodePacked` of the `IJobMarket.JobTerms`
/// fields, in their declared order and at their declared widths, instead of the 19 words (608 bytes)
/// of their ABI encoding: every call on a job passes them back and `JobPosted` emits them, so the
/// zero padding cost about 1,900 gas of calldata per call and 3,700 gas of log data per posting.
///
/// | offset | bytes | field           | offset | bytes | field           |
/// | -----: | ----: | --------------- | -----: | ----: | --------------- |
/// |      0 |    20 | requester       |    108 |     4 | executionWindow |
/// |     20 |    20 | token           |    112 |     4 | challengeWindow |
/// |     40 |    12 | maxReward       |    116 |     4 | expiry          |
/// |     52 |    20 | arbiter         |    120 |     2 | feeBps          |
/// |     72 |    12 | bond            |    122 |     2 | forfeitBps      |
/// |     84 |    12 | minStake        |    124 |     2 | slashBountyBps  |
/// |     96 |     4 | minCompleted    |    126 |    12 | disputeBond     |
/// |    100 |     4 | commitWindow    |    138 |     4 | rulingTimeout   |
/// |    104 |     4 | revealWindow    |    142 |     1 | pricing (0, 1)  |
/// |        |       |                 |    143 |     1 | callback (0, 1) |
///
/// Each reader takes the field's bytes from calldata as they are. The market checks the length and
/// the two one-byte flags once, at posting; afterwards the job's digest binds these exact bytes, so
/// every later call reads the same values.
library PackedTerms {
    /// @notice Length of packed terms, in bytes.
    uint256 internal constant LENGTH = 144;

    /// @notice Packs terms (for contracts that post jobs, such as the workflow orchestrator).
    function encode(IJobMarket.JobTerms memory t) internal pure returns (bytes memory) {
        return
            bytes.concat(
                abi.encodePacked(t.requester, t.token, t.maxReward, t.arbiter, t.bond, t.minStake, t.minCompleted),
                abi.encodePacked(t.commitWindow, t.revealWindow, t.executionWindow, t.challengeWindow, t.expiry),
                abi.encodePacked(t.feeBps, t.forfeitBps, t.slashBountyBps, t.disputeBond, t.rulingTimeout),
                abi.encodePacked(t.pricing, t.callback)
            );
    }

    /// @dev The `bits` high bits of the word at `offset`: a field `bits` wide that starts there.
    function _field(bytes calldata t, uint256 offset, uint256 bits) private pure returns (uint256 v) {
        assembly ("memory-safe") {
            v := shr(sub(256, bits), calldataload(add(t.offset, offset)))
        }
    }

    function requester(bytes calldata t) internal pure returns (address) {
        return address(uint160(_field(t, 0, 160)));
    }

    function token(bytes calldata t) internal pure returns (address) {
        return address(uint160(_field(t, 20, 160)));
    }

    function maxReward(bytes calldata t) internal pure returns (uint96) {
        return uint96(_field(t, 40, 96));
    }

    function arbiter(bytes calldata t) internal pure returns (address) {
        return address(uint160(_field(t, 52, 160)));
    }

    function bond(bytes calldata t) internal pure returns (uint96) {
        return uint96(_field(t, 72, 96));
    }

    function minStake(bytes calldata t) internal pure returns (uint96) {
        return uint96(_field(t, 84, 96));
    }

    function minCompleted(bytes calldata t) internal pure returns (uint32) {
        return uint32(_field(t, 96, 32));
    }

    function commitWindow(bytes calldata t) internal pure returns (uint32) {
        return uint32(_field(t, 100, 32));
    }

    function revealWindow(bytes calldata t) internal pure returns (uint32) {
        return uint32(_field(t, 104, 32));
    }

    function executionWindow(bytes calldata t) internal pure returns (uint32) {
        return uint32(_field(t, 108, 32));
    }

    function challengeWindow(bytes calldata t) internal pure returns (uint32) {
        return uint32(_field(t, 112, 32));
    }

    function expiry(bytes calldata t) internal pure returns (uint32) {
        return uint32(_field(t, 116, 32));
    }

    function feeBps(bytes calldata t) internal pure returns (uint16) {
        return uint16(_field(t, 120, 16));
    }

    function forfeitBps(bytes calldata t) internal pure returns (uint16) {
        return uint16(_field(t, 122, 16));
    }

    function slashBountyBps(bytes calldata t) internal pure returns (uint16) {
        return uint16(_field(t, 124, 16));
    }

    function disputeBond(bytes calldata t) internal pure returns (uint96) {
        return uint96(_field(t, 126, 96));
    }

    function rulingTimeout(bytes calldata t) internal pure returns (uint32) {
        return uint32(_field(t, 138, 32));
    }

    /// @notice The five fields copied from the market's parameters, bytes 120 to 141 as one number:
    /// feeBps (16) | forfeitBps (16) | slashBountyBps (16) | disputeBond (96) | rulingTimeout (32).
    function copiedParams(bytes calldata t) internal pure returns (uint256) {
        return _field(t, 120, 176);
    }

    /// @notice The pricing byte as posted (0 first-price, 1 second-price; the market refuses others).
    function pricing(bytes calldata t) internal pure returns (uint8) {
        return uint8(_field(t, 142, 8));
    }

    /// @notice Whether the job is priced at the second-lowest revealed price.
    function secondPrice(bytes calldata t) internal pure returns (bool) {
        return _field(t, 142, 8) == 1;
    }

    /// @notice Whether the callback byte is set (the market refuses values other than 0 and 1).
    function callback(bytes calldata t) internal pure returns (bool) {
        return _field(t, 143, 8) != 0;
    }
}
