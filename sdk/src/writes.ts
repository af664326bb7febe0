// Writes: simulate first (a revert costs nothing and comes back as a decoded custom error), then
// send, then wait for the receipt. Every JobMarket transaction goes through `writeMarket`.
import {
  bytesToHex,
  erc20Abi,
  keccak256,
  stringToBytes,
  zeroAddress,
  type Account,
  type Chain,
  type Client,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type TransactionReceipt,
  type Transport,
} from "viem";
import {
  getBlock,
  getChainId,
  readContract,
  simulateContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";
import type { AddressBook } from "./addresses.js";
import { BatonError, toBatonError } from "./errors.js";
import { decodeMarketLogs } from "./events.js";
import { jobMarketAbi } from "./generated/abis.js";
import { readParams } from "./reads.js";
import { encodeSpec, MAX_PAYLOAD_BYTES, type JobSpecInput } from "./spec.js";
import { Pricing, type Address, type Hex, type JobTerms } from "./types.js";

/** A viem client that can sign: a wallet client with an account (local key or injected wallet). */
export type SigningClient = Client<Transport, Chain | undefined, Account>;

type WriteName = ContractFunctionName<typeof jobMarketAbi, "nonpayable" | "payable">;

export type WriteResult<Name extends WriteName> = {
  hash: Hex;
  receipt: TransactionReceipt;
  /** The function's return value, from the simulation. */
  result: ContractFunctionReturnType<typeof jobMarketAbi, "nonpayable" | "payable", Name>;
};

/**
 * Calls a JobMarket function: simulates it from the wallet's account (a revert throws
 * `BatonContractError` with the decoded custom error and nothing is sent), sends it, and waits for
 * the receipt (a receipt with status "reverted" throws `BatonError`).
 */
export async function writeMarket<const Name extends WriteName>(
  wallet: SigningClient,
  publicClient: Client,
  params: {
    market: Address;
    functionName: Name;
    args: ContractFunctionArgs<typeof jobMarketAbi, "nonpayable" | "payable", Name>;
    value?: bigint;
  },
): Promise<WriteResult<Name>> {
  const call = {
    address: params.market,
    abi: jobMarketAbi,
    functionName: params.functionName,
    args: params.args,
    account: wallet.account,
    ...(params.value !== undefined ? { value: params.value } : {}),
  };
  const sent = await simulateAndSend(wallet, publicClient, call, params.functionName);
  return { ...sent, result: sent.result as WriteResult<Name>["result"] };
}

/**
 * Simulates `call` from the wallet's account (a revert throws `BatonContractError` with the
 * decoded custom error and nothing is sent), sends it, and waits for the receipt (status
 * "reverted" throws `BatonError`). Shared by every Baton write.
 */
export async function simulateAndSend(
  wallet: SigningClient,
  publicClient: Client,
  call: Record<string, unknown>,
  label: string,
): Promise<{ hash: Hex; receipt: TransactionReceipt; result: unknown }> {
  let simulated: { request: unknown; result: unknown };
  try {
    simulated = await simulateContract(publicClient, call as never);
  } catch (error) {
    throw toBatonError(error);
  }
  let hash: Hex;
  try {
    hash = await writeContract(wallet, { ...(simulated.request as object), chain: wallet.chain } as never);
  } catch (error) {
    throw toBatonError(error);
  }
  const receipt = await waitForTransactionReceipt(publicClient, { hash });
  if (receipt.status !== "success") {
    throw new BatonError(`${label} transaction ${hash} reverted on-chain (state changed after simulation)`);
  }
  return { hash, receipt, result: simulated.result };
}

/** A spec stored off-chain: `uri` goes into the event, `specHash` is keccak256 of its canonical bytes. */
export type SpecByUri = { uri: string; specHash: Hex };

export type PostJobResult = {
  hash: Hex;
  jobId: bigint;
  /** The terms as posted: keep them, every later call on the job needs them. */
  terms: JobTerms;
  specHash: Hex;
  blockNumber: bigint;
};

/**
 * Posts a job: encodes and hashes the spec canonically (or posts a URI to it), escrows the reward
 * (ETH as value; ERC-20 rewards need an allowance first, see `ensureAllowance`), simulates, sends,
 * waits, and returns the job id from the `JobPosted` log.
 */
export async function postJob(
  wallet: SigningClient,
  publicClient: Client,
  params: { market: Address; terms: JobTerms; spec: JobSpecInput | SpecByUri },
): Promise<PostJobResult> {
  const { market, terms, spec } = params;
  let specBytes: Hex;
  let hash: Hex;
  if ("uri" in spec && "specHash" in spec) {
    const uriBytes = stringToBytes(spec.uri);
    if (uriBytes.length > MAX_PAYLOAD_BYTES) throw new BatonError(`spec URI is longer than ${MAX_PAYLOAD_BYTES} bytes`);
    specBytes = bytesToHex(uriBytes);
    hash = spec.specHash;
  } else {
    const bytes = encodeSpec(spec as JobSpecInput);
    specBytes = bytesToHex(bytes);
    hash = keccak256(bytes);
  }
  const sent = await writeMarket(wallet, publicClient, {
    market,
    functionName: "postJob",
    args: [terms, hash, specBytes],
    value: terms.token === zeroAddress ? terms.maxReward : 0n,
  });
  const posted = decodeMarketLogs(
    sent.receipt.logs.filter((log) => log.address.toLowerCase() === market.toLowerCase()),
    "JobPosted",
  )[0];
  if (!posted) throw new BatonError(`transaction ${sent.hash} emitted no JobPosted event`);
  return {
    hash: sent.hash,
    jobId: posted.args.jobId,
    terms: posted.args.terms,
    specHash: posted.args.specHash,
    blockNumber: sent.receipt.blockNumber,
  };
}

// ---------------------------------------------------------------- terms

export type Windows = Pick<JobTerms, "commitWindow" | "revealWindow" | "executionWindow" | "challengeWindow">;

/** Chain ids of local development nodes (Hardhat, Anvil, Ganache). */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337];

/**
 * Default windows in seconds: short on local chains (commit 60, reveal 60, execution 300,
 * challenge 120), roomier elsewhere (commit 600, reveal 600, execution 3600, challenge 3600), where
 * keepers poll every few blocks and transactions can wait in the mempool.
 */
export function defaultWindows(chainId: number): Windows {
  return LOCAL_CHAIN_IDS.includes(chainId)
    ? { commitWindow: 60, revealWindow: 60, executionWindow: 300, challengeWindow: 120 }
    : { commitWindow: 600, revealWindow: 600, executionWindow: 3600, challengeWindow: 3600 };
}

export type TermsInput = Partial<JobTerms> & {
  /** Escrowed reward, the highest price a bid may name (token units, or wei for ETH). */
  maxReward: bigint;
  /** Wei of each bidder's stake locked per bid and kept as the winner's execution bond. */
  bond: bigint;
};

/**
 * Complete terms for `postJob` from the few that matter: `feeBps`, `forfeitBps`,
 * `slashBountyBps`, `disputeBond` and `rulingTimeout` from the market's current `getParams`
 * (posting fails with other values),
 * default windows for the chain (`defaultWindows`), `expiry` one day after the latest block
 * (at least one round later), ETH as token, first-price, no reputation filter, no callback.
 * `requester` defaults to the client's account and `arbiter` to the book's committee arbiter
 * when `market` is an address book.
 */
export async function buildTerms(
  publicClient: Client,
  market: Address | AddressBook,
  partial: TermsInput,
): Promise<JobTerms> {
  const marketAddress = typeof market === "string" ? market : market.jobMarket;
  const requester = partial.requester ?? (publicClient.account as Account | undefined)?.address;
  if (!requester) throw new BatonError("buildTerms: pass terms.requester (the client has no account)");
  const arbiter = partial.arbiter ?? (typeof market === "string" ? undefined : market.committeeArbiter);
  if (!arbiter) throw new BatonError("buildTerms: pass terms.arbiter, or an address book as market");
  const [params, block, chainId] = await Promise.all([
    readParams(publicClient, marketAddress),
    getBlock(publicClient, { blockTag: "latest" }),
    getChainId(publicClient),
  ]);
  const windows = {
    ...defaultWindows(chainId),
    ...pick(partial, ["commitWindow", "revealWindow", "executionWindow", "challengeWindow"]),
  };
  const now = Number(block.timestamp);
  const oneRound = windows.commitWindow + windows.revealWindow + windows.executionWindow;
  return {
    requester,
    token: partial.token ?? zeroAddress,
    maxReward: partial.maxReward,
    arbiter,
    bond: partial.bond,
    minStake: partial.minStake ?? 0n,
    minCompleted: partial.minCompleted ?? 0,
    ...windows,
    // A margin over one round, because the job is mined a few blocks after this read.
    expiry: partial.expiry ?? now + Math.max(86_400, 2 * oneRound),
    feeBps: partial.feeBps ?? params.feeBps,
    forfeitBps: partial.forfeitBps ?? params.forfeitBps,
    slashBountyBps: partial.slashBountyBps ?? params.slashBountyBps,
    disputeBond: partial.disputeBond ?? params.disputeBond,
    rulingTimeout: partial.rulingTimeout ?? params.rulingTimeout,
    pricing: partial.pricing ?? Pricing.FirstPrice,
    callback: partial.callback ?? false,
  };
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

// ---------------------------------------------------------------- ERC-20

/**
 * Makes sure `spender` (the market) may move at least `amount` of `token` from the wallet's
 * account: reads the allowance, and if it is short, simulates and sends `approve(spender, amount)`
 * and waits for it. Returns the approval's hash, or null when the allowance already sufficed.
 */
export async function ensureAllowance(
  wallet: SigningClient,
  publicClient: Client,
  params: { token: Address; spender: Address; amount: bigint },
): Promise<Hex | null> {
  const owner = wallet.account.address;
  const current = await readContract(publicClient, {
    address: params.token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [owner, params.spender],
  });
  if (current >= params.amount) return null;
  let request: unknown;
  try {
    ({ request } = await simulateContract(publicClient, {
      address: params.token,
      abi: erc20Abi,
      functionName: "approve",
      args: [params.spender, params.amount],
      account: wallet.account,
    }));
  } catch (error) {
    throw toBatonError(error);
  }
  const hash = await writeContract(wallet, { ...(request as object), chain: wallet.chain } as never);
  const receipt = await waitForTransactionReceipt(publicClient, { hash });
  if (receipt.status !== "success") throw new BatonError(`approve transaction ${hash} reverted`);
  return hash;
}
