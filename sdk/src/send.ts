// The one way a Baton transaction is sent from a wallet (the dApp, the keeper's CLI, scripts):
// simulate (a revert costs nothing and comes back decoded), estimate under the gas cap, write,
// wait, and decode what went wrong.
import {
  encodeFunctionData,
  type Abi,
  type Account,
  type Chain,
  type Client,
  type ContractFunctionReturnType,
  type Hex,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";
import type { ContractWrite, WriteName } from "./calls.js";
import { toBatonError, TransactionRevertedError } from "./errors.js";
import { estimateGas } from "./gas.js";

/** A viem client that can sign: a wallet client with an account (local key or injected wallet). */
export type SigningClient = Client<Transport, Chain | undefined, Account>;

/** Where a transaction is: being simulated, waiting for the wallet's signature, or sent and pending. */
export type SendStage = "simulating" | "signing" | "pending";

export type SendOptions = {
  /** Called as the transaction moves on; `hash` is set from "pending" on. */
  onStage?: (stage: SendStage, hash?: Hex) => void;
  /** How often to poll for the receipt, in ms (viem's default: the client's polling interval). */
  pollingInterval?: number;
  /** A name for messages ("Post job"); defaults to the function name. */
  label?: string;
};

export type SendResult<TAbi extends Abi = Abi, TName extends WriteName<TAbi> = WriteName<TAbi>> = {
  hash: Hex;
  receipt: TransactionReceipt;
  /** The function's return value, from the simulation. */
  result: ContractFunctionReturnType<TAbi, "nonpayable" | "payable", TName>;
};

/**
 * Sends one contract write from the wallet's account:
 * 1. simulates it (`eth_call`); a revert throws `BatonContractError` with the decoded custom error
 *    and nothing is sent;
 * 2. estimates its gas under the per-transaction cap (`estimateGas`);
 * 3. asks the wallet to sign and send it;
 * 4. waits for the receipt; a receipt with status "reverted" throws `TransactionRevertedError`.
 * Transport failures (node down, rate limits, a wallet that refuses) are thrown as viem errors.
 */
export async function send<const TAbi extends Abi, const TName extends WriteName<TAbi>>(
  wallet: SigningClient,
  publicClient: Client,
  write: ContractWrite<TAbi, TName>,
  options: SendOptions = {},
): Promise<SendResult<TAbi, TName>> {
  const { onStage } = options;
  const label = options.label ?? write.functionName;
  const value = write.value !== undefined && write.value !== 0n ? { value: write.value } : {};
  onStage?.("simulating");
  let simulated: { request: object; result: unknown };
  try {
    simulated = (await simulateContract(publicClient, {
      address: write.address,
      abi: write.abi,
      functionName: write.functionName,
      args: write.args,
      account: wallet.account,
      ...value,
    } as never)) as { request: object; result: unknown };
  } catch (error) {
    throw toBatonError(error);
  }
  const gas = await estimateGas(publicClient, {
    from: wallet.account.address,
    to: write.address,
    data: encodeFunctionData({ abi: write.abi, functionName: write.functionName, args: write.args } as never),
    value: write.value,
  });
  onStage?.("signing");
  let hash: Hex;
  try {
    hash = await writeContract(wallet, { ...simulated.request, gas, chain: wallet.chain } as never);
  } catch (error) {
    throw toBatonError(error);
  }
  onStage?.("pending", hash);
  const receipt = await waitForTransactionReceipt(publicClient, {
    hash,
    ...(options.pollingInterval !== undefined ? { pollingInterval: options.pollingInterval } : {}),
  });
  if (receipt.status !== "success") throw new TransactionRevertedError(label, hash, receipt);
  return { hash, receipt, result: simulated.result as SendResult<TAbi, TName>["result"] };
}
