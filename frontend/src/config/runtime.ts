// The runtime configuration: which chains the app offers and where Baton is deployed on each,
// loaded at start-up from `baton.config.json` next to index.html, so one build serves any
// deployment. Format (a bare array of chains is accepted too):
//
//   { "chains": [ { "chainId": 31337, "name": "Baton local", "rpcUrl": "http://127.0.0.1:8545",
//                   "explorerUrl": "https://…" (optional),
//                   "indexerUrl": "http://…" (optional: the indexer's GraphQL and SQL API),
//                   "addressBook": { …as written by writeAddressBook… },
//                   "wasmModules": [ { "name", "uri", "sha256", "testOnly"? } ] (optional, for the post
//                   form; test-only modules are never offered),
//                   "addressLabels": { "0x…": "keeper-1" } (optional, names shown beside addresses) } ] }
import { AddressBookError, parseAddressBook, type AddressBook } from "@baton/sdk";
import { getAddress, isAddress, type Address } from "viem";

/** A known wasm module; `testOnly` marks one that exists to exercise keeper limits (never offered). */
export type WasmModule = { name: string; uri: string; sha256: string; testOnly?: boolean };

export type ChainConfig = {
  chainId: number;
  name: string;
  rpcUrl: string;
  explorerUrl?: string;
  /** The indexer serving this chain's tables (GraphQL at /graphql, SQL at /sql/*), when one runs. */
  indexerUrl?: string;
  addressBook: AddressBook & { workflowOrchestrator?: Address };
  wasmModules: WasmModule[];
  /** Names of known addresses (keepers of a dev stack…), keyed by lowercase address. */
  addressLabels: Record<string, string>;
};

export type RuntimeConfig = { chains: ChainConfig[] };

export class ConfigError extends Error {
  override name = "ConfigError";
  /** "missing": no file was served; "invalid": the file is not a valid configuration. */
  readonly kind: "missing" | "invalid";
  constructor(kind: "missing" | "invalid", message: string) {
    super(message);
    this.kind = kind;
  }
}

const isHttpUrl = (s: unknown): s is string => {
  if (typeof s !== "string") return false;
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
};

/** Validates a parsed configuration; throws `ConfigError` naming the first problem. */
export function parseRuntimeConfig(json: unknown): RuntimeConfig {
  const list = Array.isArray(json) ? json : (json as { chains?: unknown } | null)?.chains;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError("invalid", 'expected { "chains": [ … ] } with at least one chain');
  }
  const chains = list.map((raw, i): ChainConfig => {
    const where = `chains[${i}]`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      throw new ConfigError("invalid", `${where} must be an object`);
    }
    const c = raw as Record<string, unknown>;
    if (typeof c.chainId !== "number" || !Number.isSafeInteger(c.chainId) || c.chainId < 1) {
      throw new ConfigError("invalid", `${where}.chainId must be a positive integer`);
    }
    if (typeof c.name !== "string" || !c.name.trim()) throw new ConfigError("invalid", `${where}.name is required`);
    if (!isHttpUrl(c.rpcUrl)) throw new ConfigError("invalid", `${where}.rpcUrl must be an http(s) URL`);
    if (c.explorerUrl !== undefined && c.explorerUrl !== null && !isHttpUrl(c.explorerUrl)) {
      throw new ConfigError("invalid", `${where}.explorerUrl must be an http(s) URL`);
    }
    if (c.indexerUrl !== undefined && c.indexerUrl !== null && !isHttpUrl(c.indexerUrl)) {
      throw new ConfigError("invalid", `${where}.indexerUrl must be an http(s) URL`);
    }
    const book = parseBook(c.addressBook, `${where}.addressBook`);
    if (book.chainId !== c.chainId) {
      throw new ConfigError("invalid", `${where}.addressBook is for chain ${book.chainId}, not ${c.chainId}`);
    }
    const modules = c.wasmModules ?? [];
    if (!Array.isArray(modules)) throw new ConfigError("invalid", `${where}.wasmModules must be an array`);
    const wasmModules = modules.map((m, j) => {
      const mod = m as Partial<WasmModule> | null;
      if (
        !mod ||
        typeof mod.name !== "string" ||
        typeof mod.uri !== "string" ||
        !/^[0-9a-f]{64}$/.test(mod.sha256 ?? "")
      ) {
        throw new ConfigError("invalid", `${where}.wasmModules[${j}] needs a name, a uri and a lowercase hex sha256`);
      }
      if (mod.testOnly !== undefined && typeof mod.testOnly !== "boolean") {
        throw new ConfigError("invalid", `${where}.wasmModules[${j}].testOnly must be true or false`);
      }
      return { name: mod.name, uri: mod.uri, sha256: mod.sha256!, ...(mod.testOnly ? { testOnly: true } : {}) };
    });
    const labels = c.addressLabels ?? {};
    if (labels === null || typeof labels !== "object" || Array.isArray(labels)) {
      throw new ConfigError("invalid", `${where}.addressLabels must be an object of address → name`);
    }
    const addressLabels: Record<string, string> = {};
    for (const [address, label] of Object.entries(labels as Record<string, unknown>)) {
      if (!isAddress(address, { strict: false }) || typeof label !== "string" || !label.trim()) {
        throw new ConfigError("invalid", `${where}.addressLabels must map addresses to non-empty names (${address})`);
      }
      addressLabels[address.toLowerCase()] = label.trim();
    }
    return {
      chainId: c.chainId,
      name: c.name,
      rpcUrl: c.rpcUrl,
      ...(typeof c.explorerUrl === "string" ? { explorerUrl: c.explorerUrl.replace(/\/+$/, "") } : {}),
      ...(typeof c.indexerUrl === "string" ? { indexerUrl: c.indexerUrl.replace(/\/+$/, "") } : {}),
      addressBook: book,
      wasmModules,
      addressLabels,
    };
  });
  const ids = new Set<number>();
  for (const c of chains) {
    if (ids.has(c.chainId)) throw new ConfigError("invalid", `chain ${c.chainId} is listed twice`);
    ids.add(c.chainId);
  }
  return { chains };
}

/**
 * The sdk's address-book parser, tolerating the optional `workflowOrchestrator` whether or not the
 * installed sdk knows it yet.
 */
function parseBook(json: unknown, source: string): ChainConfig["addressBook"] {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ConfigError("invalid", `${source} must be an object`);
  }
  const { workflowOrchestrator, ...rest } = json as Record<string, unknown>;
  let book: AddressBook;
  try {
    book = parseAddressBook(rest, source);
  } catch (error) {
    if (error instanceof AddressBookError) throw new ConfigError("invalid", error.message);
    throw error;
  }
  if (workflowOrchestrator === undefined) return book;
  if (typeof workflowOrchestrator !== "string" || !isAddress(workflowOrchestrator, { strict: false })) {
    throw new ConfigError("invalid", `${source}: workflowOrchestrator must be an address`);
  }
  return { ...book, workflowOrchestrator: getAddress(workflowOrchestrator) };
}

/** Fetches and validates `baton.config.json` next to index.html. */
export async function loadRuntimeConfig(url = "baton.config.json", fetcher: typeof fetch = fetch) {
  let response: Response;
  try {
    response = await fetcher(url, { cache: "no-store" });
  } catch (error) {
    throw new ConfigError("missing", `could not fetch ${url}: ${(error as Error).message}`);
  }
  if (response.status === 404) throw new ConfigError("missing", `${url} was not found next to index.html`);
  if (!response.ok) throw new ConfigError("missing", `${url} answered HTTP ${response.status}`);
  // A single-page host answers unknown paths with index.html.
  if ((response.headers.get("content-type") ?? "").includes("text/html")) {
    throw new ConfigError("missing", `${url} was not found next to index.html`);
  }
  let json: unknown;
  try {
    json = JSON.parse(await response.text());
  } catch (error) {
    throw new ConfigError("invalid", `${url} is not JSON: ${(error as Error).message}`);
  }
  return parseRuntimeConfig(json);
}
