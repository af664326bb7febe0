// The indexer refuses a missing or malformed configuration with a message that names the problem,
// both when its settings are parsed and when `ponder start` loads them.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { IndexerConfigError, loadIndexerConfig, ROOT } from "../config";
import { startIndexer } from "../launch";

const dir = mkdtempSync(path.join(tmpdir(), "baton-indexer-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const book = {
  chainId: 31337,
  jobMarket: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  committeeArbiter: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
  timelock: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  deploymentBlock: "7",
};

function file(name: string, content: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, content);
  return at;
}

describe("loadIndexerConfig", () => {
  it("reads the address book, the RPC URL and PGlite's directory", () => {
    const config = loadIndexerConfig({
      BATON_ADDRESS_BOOK: file("book.json", JSON.stringify(book)),
      BATON_RPC_URL: "http://127.0.0.1:9545",
      BATON_INDEXER_DB_DIR: path.join(dir, "db"),
    });
    expect(config.book.deploymentBlock).toBe(7n);
    expect(config.rpcUrl).toBe("http://127.0.0.1:9545");
    expect(config.database).toEqual({ kind: "pglite", directory: path.join(dir, "db") });
  });

  it("defaults to the repository's deployments/31337.json, the local node and .baton/indexer/pglite", () => {
    expect(() => loadIndexerConfig({ BATON_CHAIN_ID: "999999" })).toThrow(
      `no address book at ${path.join(ROOT, "deployments", "999999.json")}`,
    );
    const config = loadIndexerConfig({ BATON_ADDRESS_BOOK: file("book.json", JSON.stringify(book)) });
    expect(config.rpcUrl).toBe("http://127.0.0.1:8545");
    expect(config.database).toEqual({ kind: "pglite", directory: path.join(ROOT, ".baton", "indexer", "pglite") });
  });

  it("uses PostgreSQL when DATABASE_URL is set", () => {
    const config = loadIndexerConfig({
      BATON_ADDRESS_BOOK: file("book.json", JSON.stringify(book)),
      DATABASE_URL: "postgresql://baton@localhost:5432/baton",
    });
    expect(config.database).toEqual({ kind: "postgres", connectionString: "postgresql://baton@localhost:5432/baton" });
  });

  it.each([
    [{ BATON_ADDRESS_BOOK: "/nonexistent/addresses.json" }, "no address book at /nonexistent/addresses.json"],
    [{ BATON_ADDRESS_BOOK: file("broken.json", "{") }, "is not JSON"],
    [
      { BATON_ADDRESS_BOOK: file("partial.json", JSON.stringify({ ...book, jobMarket: "0x12" })) },
      "invalid address book: " + path.join(dir, "partial.json") + ': jobMarket must be an address, got "0x12"',
    ],
    [{ BATON_CHAIN_ID: "1", BATON_ADDRESS_BOOK: file("book.json", JSON.stringify(book)) }, "is for chain 31337"],
    [{ BATON_CHAIN_ID: "mainnet" }, "BATON_CHAIN_ID must be a positive integer"],
    [{ BATON_ADDRESS_BOOK: file("book.json", JSON.stringify(book)), BATON_RPC_URL: "ws://x" }, "BATON_RPC_URL"],
    [{ BATON_ADDRESS_BOOK: file("book.json", JSON.stringify(book)), DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ BATON_ADDRESS_BOOK: file("book.json", JSON.stringify(book)), BATON_INDEXER_POLL_MS: "0" }, "POLL_MS"],
  ])("refuses %j", (env, message) => {
    expect(() => loadIndexerConfig(env)).toThrow(IndexerConfigError);
    expect(() => loadIndexerConfig(env)).toThrow(message);
  });
});

describe("ponder start", () => {
  it("exits with the config error when there is no address book", async () => {
    const missing = path.join(dir, "none", "addresses.json");
    const started = startIndexer(
      { rpcUrl: "http://127.0.0.1:9", addressBook: missing, dbDir: path.join(dir, "pglite") },
      60_000,
    );
    await expect(started).rejects.toThrow(/the process exited \(1\)/);
    await expect(started).rejects.toThrow(`indexer config: no address book at ${missing}`);
  });
});
