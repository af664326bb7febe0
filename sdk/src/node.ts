// Node-only helpers (file system): address books from Ignition deployments and JSON files.
// Import from "@baton/sdk/node"; it re-exports the browser-safe API too.
import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { getAddress, isAddress } from "viem";
import { parseAddressBook, serializeAddressBook, type AddressBook } from "./addresses.js";
import { AddressBookError } from "./errors.js";
import type { Address } from "./types.js";

export * from "./index.js";

/** Which Ignition contract (by artifact name) fills which address book field. */
const CONTRACT_FIELDS = {
  JobMarket: "jobMarket",
  CommitteeArbiter: "committeeArbiter",
  TimelockController: "timelock",
  Multicall3: "multicall3",
  TestToken: "demoToken",
  WorkflowOrchestrator: "workflowOrchestrator",
  AutomationRegistry: "automationRegistry",
} as const;
type ContractName = keyof typeof CONTRACT_FIELDS;

type JournalEntry = {
  type?: string;
  chainId?: number;
  futureId?: string;
  contractName?: string;
  receipt?: { blockNumber?: number; status?: string };
};

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new AddressBookError(`cannot read ${what} at ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The address book of an Ignition deployment directory (e.g. `ignition/deployments/chain-31337`):
 * addresses from `deployed_addresses.json`, the chain id from `journal.jsonl`, and as
 * `deploymentBlock` the lowest block of the module's confirmed deployment transactions. Works for
 * the `Baton` and `BatonLocal` modules (or any module deploying a JobMarket); pass `moduleId`
 * when a deployment holds several. Throws `AddressBookError` when a file or contract is missing.
 */
export async function readIgnitionAddressBook(
  deploymentDir: string,
  options: { moduleId?: string } = {},
): Promise<AddressBook> {
  const addressesFile = path.join(deploymentDir, "deployed_addresses.json");
  const journalFile = path.join(deploymentDir, "journal.jsonl");
  let deployed: Record<string, string>;
  try {
    deployed = JSON.parse(await readText(addressesFile, "Ignition addresses")) as Record<string, string>;
  } catch (error) {
    if (error instanceof AddressBookError) throw error;
    throw new AddressBookError(`${addressesFile} is not JSON: ${(error as Error).message}`);
  }

  const journal: JournalEntry[] = [];
  const lines = (await readText(journalFile, "Ignition journal")).split("\n");
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      journal.push(JSON.parse(line) as JournalEntry);
    } catch {
      throw new AddressBookError(`${journalFile}:${i + 1} is not JSON`);
    }
  });

  // Future id -> contract name, from the journal (falls back to the future's own name).
  const contractOf = new Map<string, string>();
  for (const entry of journal) {
    if (entry.type === "DEPLOYMENT_EXECUTION_STATE_INITIALIZE" && entry.futureId && entry.contractName) {
      contractOf.set(entry.futureId, entry.contractName);
    }
  }
  const nameOf = (futureId: string) => contractOf.get(futureId) ?? futureId.slice(futureId.indexOf("#") + 1);
  const moduleOf = (futureId: string) => futureId.slice(0, futureId.indexOf("#"));

  let moduleId = options.moduleId;
  if (!moduleId) {
    const modules = [
      ...new Set(
        Object.keys(deployed)
          .filter((id) => nameOf(id) === "JobMarket")
          .map(moduleOf),
      ),
    ];
    if (modules.length !== 1) {
      throw new AddressBookError(
        modules.length === 0
          ? `${addressesFile} has no JobMarket; is this a Baton deployment?`
          : `${addressesFile} has JobMarkets in modules ${modules.join(", ")}; pass moduleId`,
      );
    }
    moduleId = modules[0]!;
  }

  const found: Partial<Record<ContractName, Address>> = {};
  for (const [futureId, address] of Object.entries(deployed)) {
    if (moduleOf(futureId) !== moduleId) continue;
    const name = nameOf(futureId);
    if (!(name in CONTRACT_FIELDS) || !isAddress(address, { strict: false })) continue;
    const contract = name as ContractName;
    // Two futures of one contract (say, two tokens): the one named after the contract wins.
    if (found[contract] && futureId !== `${moduleId}#${contract}`) continue;
    found[contract] = getAddress(address);
  }
  for (const required of ["JobMarket", "CommitteeArbiter", "TimelockController"] as const) {
    if (!found[required]) throw new AddressBookError(`${addressesFile} has no ${moduleId}#${required}`);
  }

  const chainId =
    journal.find((e) => e.type === "DEPLOYMENT_INITIALIZE" && typeof e.chainId === "number")?.chainId ??
    Number(/chain-(\d+)$/.exec(path.basename(path.resolve(deploymentDir)))?.[1] ?? NaN);
  if (!Number.isSafeInteger(chainId) || chainId < 1) {
    throw new AddressBookError(`${journalFile} names no chain id (no DEPLOYMENT_INITIALIZE entry)`);
  }

  let deploymentBlock: bigint | undefined;
  for (const entry of journal) {
    if (entry.type !== "TRANSACTION_CONFIRM" || !entry.futureId || moduleOf(entry.futureId) !== moduleId) continue;
    if (entry.receipt?.status !== "SUCCESS" || typeof entry.receipt.blockNumber !== "number") continue;
    const block = BigInt(entry.receipt.blockNumber);
    if (deploymentBlock === undefined || block < deploymentBlock) deploymentBlock = block;
  }
  if (deploymentBlock === undefined) {
    throw new AddressBookError(`${journalFile} has no confirmed transaction of module ${moduleId}`);
  }

  const book: AddressBook = {
    chainId,
    jobMarket: found.JobMarket!,
    committeeArbiter: found.CommitteeArbiter!,
    timelock: found.TimelockController!,
    deploymentBlock,
  };
  if (found.Multicall3) book.multicall3 = found.Multicall3;
  if (found.TestToken) book.demoToken = found.TestToken;
  if (found.WorkflowOrchestrator) book.workflowOrchestrator = found.WorkflowOrchestrator;
  if (found.AutomationRegistry) book.automationRegistry = found.AutomationRegistry;
  return book;
}

/** Writes a book as JSON (deploymentBlock as a decimal string), creating the directory. */
export async function writeAddressBook(file: string, book: AddressBook): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(serializeAddressBook(book), null, 2)}\n`);
}

/** Reads and validates a book written by `writeAddressBook`. Throws `AddressBookError`. */
export async function readAddressBook(file: string): Promise<AddressBook> {
  const text = await readText(file, "address book");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AddressBookError(`${file} is not JSON: ${(error as Error).message}`);
  }
  return parseAddressBook(json, file);
}
