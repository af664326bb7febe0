// Where Baton is deployed, per chain id. Browser-safe: the frontend bundles address books as JSON;
// node code builds them from the Ignition deployment output (see `readIgnitionAddressBook` in
// `@baton/sdk/node`).
import { getAddress, isAddress } from "viem";
import { AddressBookError } from "./errors.js";
import type { Address } from "./types.js";

/** One Baton deployment. */
export type AddressBook = {
  chainId: number;
  jobMarket: Address;
  committeeArbiter: Address;
  /** The `TimelockController` that owns the market. */
  timelock: Address;
  /** Multicall3 (`aggregate3`) for batched reads; local deployments ship their own. */
  multicall3?: Address;
  /** The workflow orchestrator (deployments without workflows leave it out). */
  workflowOrchestrator?: Address;
  /** The automation registry (deployments without automation leave it out). */
  automationRegistry?: Address;
  /** The allowlisted mintable demo token of local deployments. */
  demoToken?: Address;
  /** First block of the deployment: where log backfills start. */
  deploymentBlock: bigint;
};

/** An address book as JSON: `deploymentBlock` as a decimal string. */
export type AddressBookJson = Omit<AddressBook, "deploymentBlock"> & { deploymentBlock: string };

const REQUIRED = ["jobMarket", "committeeArbiter", "timelock"] as const;
const OPTIONAL = ["workflowOrchestrator", "automationRegistry", "multicall3", "demoToken"] as const;

/** The JSON form of a book (`JSON.stringify` cannot carry the bigint). */
export function serializeAddressBook(book: AddressBook): AddressBookJson {
  return { ...book, deploymentBlock: book.deploymentBlock.toString() };
}

/** Validates a parsed JSON address book; addresses come back checksummed. Throws `AddressBookError`. */
export function parseAddressBook(json: unknown, source = "address book"): AddressBook {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new AddressBookError(`${source}: expected an object`);
  }
  const record = json as Record<string, unknown>;
  const address = (key: string): Address => {
    const value = record[key];
    if (typeof value !== "string" || !isAddress(value, { strict: false })) {
      throw new AddressBookError(`${source}: ${key} must be an address, got ${JSON.stringify(value)}`);
    }
    return getAddress(value);
  };
  const chainId = record.chainId;
  if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId < 1) {
    throw new AddressBookError(`${source}: chainId must be a positive integer, got ${JSON.stringify(chainId)}`);
  }
  const block = record.deploymentBlock;
  if (
    !(typeof block === "string" && /^(0|[1-9][0-9]*)$/.test(block)) &&
    !(typeof block === "number" && Number.isSafeInteger(block) && block >= 0)
  ) {
    throw new AddressBookError(`${source}: deploymentBlock must be a decimal string, got ${JSON.stringify(block)}`);
  }
  const book: AddressBook = {
    chainId,
    jobMarket: address("jobMarket"),
    committeeArbiter: address("committeeArbiter"),
    timelock: address("timelock"),
    deploymentBlock: BigInt(block),
  };
  for (const key of OPTIONAL) if (record[key] !== undefined) book[key] = address(key);
  for (const key of Object.keys(record)) {
    if (
      key !== "chainId" &&
      key !== "deploymentBlock" &&
      !(REQUIRED as readonly string[]).includes(key) &&
      !(OPTIONAL as readonly string[]).includes(key)
    ) {
      throw new AddressBookError(`${source}: unknown field ${JSON.stringify(key)}`);
    }
  }
  return book;
}

/**
 * The deployment on `chainId` from a set of books (an array, or a record keyed by chain id as a
 * frontend's `addresses.json` would hold). Throws `AddressBookError` naming the known chains.
 */
export function addressBookFor(
  books: readonly AddressBook[] | Readonly<Record<string, AddressBook>>,
  chainId: number,
): AddressBook {
  const list = Array.isArray(books) ? (books as readonly AddressBook[]) : Object.values(books);
  const book = list.find((b) => b.chainId === chainId);
  if (!book) {
    const known = list.map((b) => b.chainId).join(", ") || "none";
    throw new AddressBookError(`no Baton deployment known for chain ${chainId} (known: ${known})`);
  }
  return book;
}
