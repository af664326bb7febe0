// Every protocol limit the sdk exports equals the deployed contract's `public constant`, and every
// such constant has a mirror: a contract change that moves a limit fails here, not in a user's form.
import type { Abi, AbiFunction } from "viem";
import { readContract } from "viem/actions";
import { beforeAll, describe, expect, it, inject } from "vitest";
import {
  committeeArbiterAbi,
  jobMarketAbi,
  LIMITS_BY_CONTRACT,
  workflowOrchestratorAbi,
  type AddressBook,
} from "../src/index.js";
import { clients, deployBaton } from "./helpers/chain.js";

const rpcUrl = inject("rpcUrl");

/** The contract's constants: argument-less view functions named in capitals (`MAX_WINDOW`). */
const constantsOf = (abi: Abi) =>
  abi
    .filter((i): i is AbiFunction => i.type === "function" && i.inputs.length === 0 && /^[A-Z][A-Z0-9_]*$/.test(i.name))
    .map((i) => i.name)
    .sort();

const contracts = [
  { name: "JobMarket", abi: jobMarketAbi as Abi, address: (b: AddressBook) => b.jobMarket },
  {
    name: "WorkflowOrchestrator",
    abi: workflowOrchestratorAbi as Abi,
    address: (b: AddressBook) => b.workflowOrchestrator!,
  },
  { name: "CommitteeArbiter", abi: committeeArbiterAbi as Abi, address: (b: AddressBook) => b.committeeArbiter },
] as const;

describe("protocol limits", () => {
  it.each(contracts)("mirror every public constant of $name, no more", ({ name, abi }) => {
    expect(Object.keys(LIMITS_BY_CONTRACT[name]).sort()).toEqual(constantsOf(abi));
  });

  describe.skipIf(!rpcUrl)(rpcUrl ? "on a deployed stack" : "on a deployed stack — skipped: no artifacts/", () => {
    let book: AddressBook;
    beforeAll(async () => {
      book = await deployBaton(rpcUrl!);
    });

    it.each(contracts)("equal the values $name reports", async ({ name, abi, address }) => {
      const { publicClient } = clients(rpcUrl!);
      for (const [constant, mirrored] of Object.entries(LIMITS_BY_CONTRACT[name])) {
        const onChain = await readContract(publicClient, { address: address(book), abi, functionName: constant });
        expect({ constant, value: BigInt(onChain as bigint | number) }).toEqual({ constant, value: BigInt(mirrored) });
      }
    });
  });
});
