// Clients for the run's Hardhat node, a request-counting transport, and a fresh Baton deployment
// (from the Hardhat artifacts, with viem) per test file.
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  parseEther,
  type Abi,
  type EIP1193RequestFn,
  type Hex,
  type Transport,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { deployContract, waitForTransactionReceipt } from "viem/actions";
import type { AddressBook } from "../../src/addresses.js";
import { artifactsDir } from "./hardhat-node.js";

const MNEMONIC = "test test test test test test test test test test test junk";
/** Hardhat's default accounts (local keys, so transactions are signed as in production). */
export const accounts = Array.from({ length: 20 }, (_, i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }));

export type RecordedRequest = { method: string; params: unknown };

/** Wraps a transport and records every JSON-RPC request it sends; `transform` may fail requests. */
export function recording(
  inner: Transport,
  log: RecordedRequest[],
  transform?: (request: { method: string; params?: unknown }) => void,
): Transport {
  return (options) => {
    const transport = inner(options);
    const request = (async (args: { method: string; params?: unknown }, opts?: unknown) => {
      log.push({ method: args.method, params: args.params });
      transform?.(args);
      return (transport.request as (a: unknown, o?: unknown) => Promise<unknown>)(args, opts);
    }) as EIP1193RequestFn;
    return { ...transport, request };
  };
}

export function clients(url: string, log: RecordedRequest[] = [], transform?: Parameters<typeof recording>[2]) {
  const transport = recording(http(url, { retryCount: 0 }), log, transform);
  const publicClient = createPublicClient({ chain: hardhat, transport, pollingInterval: 20, cacheTime: 0 });
  const wallet = (index: number) =>
    createWalletClient({ chain: hardhat, transport, account: accounts[index]!, pollingInterval: 20, cacheTime: 0 });
  return { publicClient, wallet };
}

export function artifact(sourcePath: string, name: string): { abi: Abi; bytecode: Hex } {
  const json = JSON.parse(readFileSync(path.join(artifactsDir, sourcePath, `${name}.json`), "utf8")) as {
    abi: Abi;
    bytecode: Hex;
  };
  return { abi: json.abi, bytecode: json.bytecode };
}

export const PARAMS = {
  feeBps: 250,
  forfeitBps: 2_000,
  slashBountyBps: 1_000,
  callbackGasLimit: 200_000,
  rulingTimeout: 600,
  unbondingDelay: 600,
  disputeBond: parseEther("0.01"),
};

/**
 * Deploys Multicall3, a demo token, the JobMarket (owned by account 0, standing in for the
 * timelock) and a committee arbiter (accounts 17–19), as the BatonLocal module does.
 */
export async function deployBaton(url: string): Promise<AddressBook> {
  const { publicClient, wallet } = clients(url);
  const deployer = wallet(0);
  const deploy = async (sourcePath: string, name: string, args: unknown[]) => {
    const { abi, bytecode } = artifact(sourcePath, name);
    const hash = await deployContract(deployer, { abi, bytecode, args } as never);
    const receipt = await waitForTransactionReceipt(publicClient, { hash });
    return { address: getAddress(receipt.contractAddress!), block: receipt.blockNumber };
  };
  const multicall = await deploy("utils/Multicall3.sol", "Multicall3", []);
  const token = await deploy("mocks/TestToken.sol", "TestToken", ["Baton Demo USD", "bUSD", 6]);
  const market = await deploy("JobMarket.sol", "JobMarket", [
    accounts[0]!.address,
    { treasury: accounts[1]!.address, ...PARAMS },
    [token.address],
  ]);
  const arbiter = await deploy("arbitration/CommitteeArbiter.sol", "CommitteeArbiter", [
    market.address,
    [accounts[17]!.address, accounts[18]!.address, accounts[19]!.address],
    300,
  ]);
  const orchestrator = await deploy("WorkflowOrchestrator.sol", "WorkflowOrchestrator", [
    market.address,
    accounts[1]!.address,
  ]);
  return {
    chainId: hardhat.id,
    jobMarket: market.address,
    committeeArbiter: arbiter.address,
    workflowOrchestrator: orchestrator.address,
    timelock: accounts[0]!.address,
    multicall3: multicall.address,
    demoToken: token.address,
    deploymentBlock: multicall.block,
  };
}

/** Moves the node's clock forward and mines a block. */
export async function increaseTime(url: string, seconds: number) {
  const { publicClient } = clients(url);
  await publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
  await publicClient.request({ method: "evm_mine" as never, params: [] as never });
}
