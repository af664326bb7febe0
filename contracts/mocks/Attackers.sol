// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IJobConsumer} from "../interfaces/IJobConsumer.sol";

/// @notice A requester or worker that tries to re-enter the market whenever it receives ETH.
contract ReentrantReceiver {
    IJobMarket public immutable market;
    bytes public reentryCall;
    bool public reentryAttempted;
    bool public reentrySucceeded;
    bytes public reentryRevertData;

    constructor(IJobMarket market_) {
        market = market_;
    }

    /// @notice Sets the call made on the market when ETH arrives.
    function setReentryCall(bytes calldata data) external {
        reentryCall = data;
    }

    /// @notice Forwards any call to the market (to post jobs, register, stake...).
    function act(bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = address(market).call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        if (reentryCall.length == 0) return;
        reentryAttempted = true;
        (bool ok, bytes memory ret) = address(market).call(reentryCall);
        reentrySucceeded = ok;
        reentryRevertData = ret;
    }
}

/// @notice An account that cannot receive ETH but can act on the market.
contract RevertingReceiver {
    IJobMarket public immutable market;

    constructor(IJobMarket market_) {
        market = market_;
    }

    function act(bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = address(market).call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        revert("no ETH please");
    }
}

/// @notice A requester contract whose settlement callback behaves as configured.
contract TestConsumer is IJobConsumer {
    enum Mode {
        Record,
        Revert,
        BurnGas,
        HugeReturn
    }

    IJobMarket public immutable market;
    Mode public mode;
    uint256 public lastJobId;
    bytes32 public lastResultHash;
    address public lastWorker;
    uint256 public lastPrice;
    uint256 public calls;

    constructor(IJobMarket market_) {
        market = market_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function act(bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = address(market).call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    function onJobSettled(uint256 jobId, bytes32 resultHash, address worker, uint256 price) external {
        require(msg.sender == address(market), "not market");
        if (mode == Mode.Revert) revert("consumer failed");
        if (mode == Mode.BurnGas) {
            while (true) {}
        }
        if (mode == Mode.HugeReturn) {
            assembly {
                return(0, 100000)
            }
        }
        lastJobId = jobId;
        lastResultHash = resultHash;
        lastWorker = worker;
        lastPrice = price;
        calls += 1;
    }

    receive() external payable {}
}

/// @notice Slashes a no-show and sweeps the orchestrator's surplus in one transaction, before anyone
/// can record the refund against its workflow.
contract SlashAndSweep {
    function run(IJobMarket market, uint256 jobId, bytes calldata terms, address orchestrator) external {
        market.slashNoShow(jobId, terms);
        (bool ok, bytes memory ret) = orchestrator.call(abi.encodeWithSignature("sweepSurplus(address)", address(0)));
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }
}

/// @notice A requester contract that refuses ETH and forwards any call it is told to make.
contract RejectingRequester {
    function call(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        revert("no ETH please");
    }
}
