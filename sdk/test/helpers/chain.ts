// Clients for the run's Hardhat node, a request-counting transport, and a fresh Baton deployment
// (the test kit's, from the Hardhat artifacts) per test file.
import { createPublicClient, createWalletClient, http, type EIP1193RequestFn, type Transport } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { DEPLOY_PARAMS, deployBaton as deployTestBaton, MNEMONIC } from "@baton/testkit/devnet";
import type { AddressBook } from "../../src/addresses.js";

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

/** The market parameters of `deployBaton`'s deployment. */
export const PARAMS = DEPLOY_PARAMS;

/**
 * Deploys a test token, Multicall3, the JobMarket (owned by account 0, standing in for the
 * timelock), a committee arbiter (accounts 17–19) and the workflow orchestrator; see the test kit.
 */
export async function deployBaton(url: string): Promise<AddressBook> {
  return (await deployTestBaton(url)).book;
}

/** Moves the node's clock forward and mines a block. */
export async function increaseTime(url: string, seconds: number) {
  const { publicClient } = clients(url);
  await publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
  await publicClient.request({ method: "evm_mine" as never, params: [] as never });
}
