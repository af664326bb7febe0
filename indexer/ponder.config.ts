// Ponder's configuration: one chain (the address book's), the JobMarket, the WorkflowOrchestrator
// and the AutomationRegistry from their deployment block, PGlite or PostgreSQL. Every value comes
// from `loadIndexerConfig` (see config.ts for the environment variables).
import { createConfig } from "ponder";
import { zeroAddress } from "viem";
import { automationRegistryAbi, jobMarketAbi, workflowOrchestratorAbi } from "@baton/sdk";
import { loadIndexerConfig } from "./config";

const config = loadIndexerConfig();
const startBlock = Number(config.book.deploymentBlock);

export default createConfig({
  database: config.database,
  chains: {
    baton: { id: config.book.chainId, rpc: config.rpcUrl, pollingInterval: config.pollingIntervalMs },
  },
  contracts: {
    JobMarket: { chain: "baton", abi: jobMarketAbi, address: config.book.jobMarket, startBlock },
    WorkflowOrchestrator: {
      chain: "baton",
      abi: workflowOrchestratorAbi,
      // A deployment without workflows: nothing emits at the zero address, the tables stay empty.
      address: config.book.workflowOrchestrator ?? zeroAddress,
      startBlock,
    },
    AutomationRegistry: {
      chain: "baton",
      abi: automationRegistryAbi,
      // A deployment without automation: as above, the upkeep tables stay empty.
      address: config.book.automationRegistry ?? zeroAddress,
      startBlock,
    },
  },
});
