// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Cron} from "./libraries/Cron.sol";

/// @title Cron expression parser
/// @notice `Cron.parse` as a contract of its own, deployed by the registry's constructor: the parser
/// runs once per registration, and keeping its code out of the registry keeps the registry under
/// the 24,576-byte code limit. Reverts with the library's `CronInvalid` / `CronNeverFires`.
contract CronParser {
    /// @notice The packed spec of a 5-field UTC cron expression (see `Cron`).
    function parse(string calldata expr) external pure returns (uint256) {
        return Cron.parse(expr);
    }
}
