// STOPGAP, to delete once the keeper serves upkeeps (`KEEPER_SERVES_UPKEEPS` in stack.ts): performs
// a condition upkeep from the stack's keeper account, as the keeper's open service will, so the
// automation browser test can follow a real perform before the keeper does it itself.
import { automationRegistryAbi, automationTestTargetAbi } from "@baton/sdk";
import { account } from "@baton/testkit/devnet";
import { zeroAddress } from "viem";
import { KEEPER, type Stack } from "./stack.ts";

export async function performAsKeeperUntilKeeperServesUpkeeps(stack: Stack, upkeepId: bigint) {
  const client = stack.net.publicClient;
  const upkeep = await client.readContract({
    address: stack.dep.automation,
    abi: automationRegistryAbi,
    functionName: "getUpkeep",
    args: [upkeepId],
  });
  const checkData = await client.readContract({
    address: stack.dep.automation,
    abi: automationRegistryAbi,
    functionName: "checkDataOf",
    args: [upkeepId],
  });
  const [needed, performData] = await client.readContract({
    account: zeroAddress,
    address: upkeep.target,
    abi: automationTestTargetAbi,
    functionName: "checkUpkeep",
    args: [checkData],
  });
  if (!needed) throw new Error(`upkeep #${upkeepId} is not needed`);
  const hash = await stack.net.wallet(KEEPER).writeContract({
    account: account(KEEPER),
    chain: stack.net.chain,
    address: stack.dep.automation,
    abi: automationRegistryAbi,
    functionName: "performCondition",
    args: [upkeepId, performData],
  });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`the stopgap perform of upkeep #${upkeepId} reverted`);
}
