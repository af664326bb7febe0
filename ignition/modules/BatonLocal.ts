import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { buildBaton } from "./Baton";

/**
 * Local chains: the protocol plus a mintable demo token allowlisted from the start and a Multicall3. The deployer
 * proposes governance changes; the last three of the node's default accounts form the committee.
 */
export default buildModule("BatonLocal", (m) => {
  const demoToken = m.contract("TestToken", ["Baton Demo USD", "bUSD", 6]);
  // Local nodes lack the canonical Multicall3 that clients batch reads through.
  const multicall3 = m.contract("Multicall3");
  const contracts = buildBaton(m, {
    allowedTokens: [demoToken],
    committee: [m.getAccount(17), m.getAccount(18), m.getAccount(19)],
    proposer: m.getAccount(0),
  });
  return { demoToken, multicall3, ...contracts };
});
