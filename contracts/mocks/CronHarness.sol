// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Cron} from "../automation/libraries/Cron.sol";

/// @notice Test-only: exposes the `Cron` library, in batches for the differential tests, and with
/// gas measurements of the library calls alone.
contract CronHarness {
    function parse(string calldata expr) external pure returns (uint256) {
        return Cron.parse(expr);
    }

    function matches(uint256 spec, uint256 t) external pure returns (bool) {
        return Cron.matches(spec, t);
    }

    function nextAfter(uint256 spec, uint256 t, uint256 limit) external pure returns (uint256) {
        return Cron.nextAfter(spec, t, limit);
    }

    function matchesMany(uint256 spec, uint256[] calldata ts) external pure returns (bool[] memory out) {
        out = new bool[](ts.length);
        for (uint256 i; i < ts.length; ++i) out[i] = Cron.matches(spec, ts[i]);
    }

    function nextAfterMany(
        uint256 spec,
        uint256[] calldata ts,
        uint256[] calldata limits
    ) external pure returns (uint256[] memory out) {
        out = new uint256[](ts.length);
        for (uint256 i; i < ts.length; ++i) out[i] = Cron.nextAfter(spec, ts[i], limits[i]);
    }

    function parseGas(string calldata expr) external view returns (uint256 spec, uint256 gasUsed) {
        string memory copy = expr;
        gasUsed = gasleft();
        spec = Cron.parse(copy);
        gasUsed -= gasleft();
    }

    function matchesGas(uint256 spec, uint256 t) external view returns (bool matched, uint256 gasUsed) {
        gasUsed = gasleft();
        matched = Cron.matches(spec, t);
        gasUsed -= gasleft();
    }

    function nextAfterGas(
        uint256 spec,
        uint256 t,
        uint256 limit
    ) external view returns (uint256 next, uint256 gasUsed) {
        gasUsed = gasleft();
        next = Cron.nextAfter(spec, t, limit);
        gasUsed -= gasleft();
    }
}
