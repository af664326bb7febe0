// The indexer's settings, from the environment and the address book that `npm run deploy` and
// `npm run dev` write. Parsed once, when Ponder loads `ponder.config.ts`; anything missing or
// malformed stops the indexer with an `IndexerConfigError` that names the variable or the file.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AddressBookError, parseAddressBook, type AddressBook } from "@baton/sdk";

/** The repository root (the indexer workspace's parent). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export class IndexerConfigError extends Error {
  override name = "IndexerConfigError";
  constructor(message: string) {
    super(`indexer config: ${message}`);
  }
}

export type IndexerConfig = {
  book: AddressBook;
  /** Where the book was read from. */
  addressBookFile: string;
  rpcUrl: string;
  /** How often Ponder asks the node for new blocks, in milliseconds. */
  pollingIntervalMs: number;
  database: { kind: "pglite"; directory: string } | { kind: "postgres"; connectionString: string };
};

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The indexer's settings from `env`:
 *
 * - `BATON_ADDRESS_BOOK`: the address book (JSON as `writeAddressBook` writes it); by default
 *   `deployments/<BATON_CHAIN_ID>.json` in the repository, chain 31337 unless `BATON_CHAIN_ID` says.
 * - `BATON_RPC_URL`: the node's HTTP URL (default `http://127.0.0.1:8545`).
 * - `BATON_INDEXER_POLL_MS`: polling interval (default 1000).
 * - `DATABASE_URL`: a PostgreSQL connection string; without it, PGlite in `BATON_INDEXER_DB_DIR`
 *   (default `.baton/indexer/pglite` in the repository).
 */
export function loadIndexerConfig(env: Env = process.env): IndexerConfig {
  const chainIdText = env.BATON_CHAIN_ID ?? "31337";
  if (!/^[1-9][0-9]*$/.test(chainIdText) || !Number.isSafeInteger(Number(chainIdText))) {
    throw new IndexerConfigError(`BATON_CHAIN_ID must be a positive integer, got ${JSON.stringify(chainIdText)}`);
  }
  const chainId = Number(chainIdText);
  const addressBookFile = path.resolve(ROOT, env.BATON_ADDRESS_BOOK || path.join("deployments", `${chainId}.json`));
  const book = readBook(addressBookFile);
  if (env.BATON_CHAIN_ID !== undefined && book.chainId !== chainId) {
    throw new IndexerConfigError(`${addressBookFile} is for chain ${book.chainId}, but BATON_CHAIN_ID is ${chainId}`);
  }

  const rpcUrl = env.BATON_RPC_URL || "http://127.0.0.1:8545";
  if (!isHttpUrl(rpcUrl)) {
    throw new IndexerConfigError(`BATON_RPC_URL must be an http(s) URL, got ${JSON.stringify(rpcUrl)}`);
  }

  const pollText = env.BATON_INDEXER_POLL_MS ?? "1000";
  const pollingIntervalMs = Number(pollText);
  if (!Number.isSafeInteger(pollingIntervalMs) || pollingIntervalMs < 50) {
    throw new IndexerConfigError(`BATON_INDEXER_POLL_MS must be an integer of at least 50, got ${pollText}`);
  }

  const connectionString = env.DATABASE_URL;
  let database: IndexerConfig["database"];
  if (connectionString) {
    if (!/^postgres(ql)?:\/\//.test(connectionString)) {
      throw new IndexerConfigError("DATABASE_URL must be a postgres:// or postgresql:// connection string");
    }
    database = { kind: "postgres", connectionString };
  } else {
    database = {
      kind: "pglite",
      directory: path.resolve(ROOT, env.BATON_INDEXER_DB_DIR || path.join(".baton", "indexer", "pglite")),
    };
  }
  return { book, addressBookFile, rpcUrl, pollingIntervalMs, database };
}

function readBook(file: string): AddressBook {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new IndexerConfigError(
      code === "ENOENT"
        ? `no address book at ${file}: deploy first (npm run deploy or npm run dev), or set BATON_ADDRESS_BOOK`
        : `cannot read the address book ${file}: ${(error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IndexerConfigError(`the address book ${file} is not JSON: ${(error as Error).message}`);
  }
  try {
    return parseAddressBook(json, file);
  } catch (error) {
    if (error instanceof AddressBookError) throw new IndexerConfigError(`invalid address book: ${error.message}`);
    throw error;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
