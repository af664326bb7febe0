// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// TEMPORARY local stand-in until the cron branch is merged; never committed.
library Cron {
    error CronInvalid(uint8 field, uint256 position);
    function parse(string memory expr) internal pure returns (uint256) {
        if (bytes(expr).length == 0) revert CronInvalid(5, 0);
        return uint256(keccak256(bytes(expr))) | 1;
    }
    function matches(uint256, uint256 t) internal pure returns (bool) {
        return t % 60 == 0;
    }
    function nextAfter(uint256, uint256 t, uint256 limit) internal pure returns (uint256) {
        uint256 n = t - (t % 60) + 60;
        return n <= limit ? n : 0;
    }
}
