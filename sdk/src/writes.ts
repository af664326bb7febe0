// High-level writes for scripts and tests: one call that builds, sends (`send`) and reads back
// what a caller needs. The dApp and the keeper compose the same pieces (`calls.ts`, `send.ts`,
// `receipts.ts`) themselves.
import { erc20Abi, type Client, type Hex } from "viem";
import { readContract } from "viem/actions";
import { preparePostJob, prepareApprove, type SpecByUri, type SpecBytes } from "./calls.js";
import { BatonError } from "./errors.js";
import { parseJobPosted } from "./receipts.js";
import { send, type SigningClient } from "./send.js";
import type { JobSpecInput } from "./spec/index.js";
import type { Address, JobTerms } from "./types.js";

export type PostJobResult = {
  hash: Hex;
  jobId: bigint;
  /** The terms as posted: keep them, every later call on the job needs them. */
  terms: JobTerms;
  specHash: Hex;
  blockNumber: bigint;
};

/**
 * Posts a job (`preparePostJob` + `send`): encodes and hashes the spec canonically (or posts a URI
 * to it), escrows the reward (ETH as value; ERC-20 rewards need an allowance first, see
 * `ensureAllowance`), and returns the job id from the `JobPosted` log.
 */
export async function postJob(
  wallet: SigningClient,
  publicClient: Client,
  params: { market: Address; terms: JobTerms; spec: JobSpecInput | SpecByUri | SpecBytes },
): Promise<PostJobResult> {
  const sent = await send(wallet, publicClient, preparePostJob(params));
  const posted = parseJobPosted(sent.receipt, params.market)[0];
  if (!posted) throw new BatonError(`transaction ${sent.hash} emitted no JobPosted event`);
  return {
    hash: sent.hash,
    jobId: posted.jobId,
    terms: posted.terms,
    specHash: posted.specHash,
    blockNumber: sent.receipt.blockNumber,
  };
}

/**
 * Makes sure `spender` (the market or the orchestrator) may move at least `amount` of `token` from
 * the wallet's account: reads the allowance, and if it is short, sends `approve(spender, amount)`.
 * Returns the approval's hash, or null when the allowance already sufficed.
 */
export async function ensureAllowance(
  wallet: SigningClient,
  publicClient: Client,
  params: { token: Address; spender: Address; amount: bigint },
): Promise<Hex | null> {
  const current = await readContract(publicClient, {
    address: params.token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [wallet.account.address, params.spender],
  });
  if (current >= params.amount) return null;
  return (await send(wallet, publicClient, prepareApprove(params.token, params.spender, params.amount))).hash;
}
