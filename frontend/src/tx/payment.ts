// Paying for a job or a workflow: the chain checks made before anything is sent (each arbiter is a
// contract, the account's balance covers the amount), and the ERC-20 approval a token payment needs.
import { prepareApprove, ZERO_ADDRESS } from "@baton/sdk";
import { erc20Abi, type Address, type Client } from "viem";
import { getBalance, getCode, readContract } from "viem/actions";
import type { useTransactor } from "./TxProvider.tsx";

/** Whether `address` holds contract code (an arbiter must be a deployed contract). */
export async function isContract(client: Client, address: Address): Promise<boolean> {
  const code = await getCode(client, { address });
  return !!code && code !== "0x";
}

/** The balance of `account` in `token` (ETH for the zero address). */
export function balanceIn(client: Client, token: Address, account: Address): Promise<bigint> {
  return token === ZERO_ADDRESS
    ? getBalance(client, { address: account })
    : readContract(client, { address: token, abi: erc20Abi, functionName: "balanceOf", args: [account] });
}

/**
 * Approves `spender` for `amount` of `token` unless the allowance already covers it (ETH needs no
 * approval). Resolves false when the approval was needed and did not go through.
 */
export async function approveIfNeeded(
  client: Client,
  send: ReturnType<typeof useTransactor>["send"],
  payment: { token: Address; owner: Address; spender: Address; amount: bigint; label: string },
): Promise<boolean> {
  const { token, owner, spender, amount, label } = payment;
  if (token === ZERO_ADDRESS) return true;
  const allowance = await readContract(client, {
    address: token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [owner, spender],
  });
  if (allowance >= amount) return true;
  const approved = await send({ ...prepareApprove(token, spender, amount), label });
  return !!approved;
}
