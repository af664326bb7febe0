// Starting the indexer as a child process (for tests, the bench and `npm run dev`) and asking it
// how far it has got.
import path from "node:path";
import type { Writable } from "node:stream";
import { freePort, startProcess, stopProcess, waitUntil, type StartedProcess } from "@baton/testkit/process";
import { ROOT } from "./config";

export const INDEXER_DIR = path.join(ROOT, "indexer");

export type IndexerOptions = {
  /** The node's HTTP URL. */
  rpcUrl: string;
  /** The address book to index. */
  addressBook: string;
  /** PGlite's directory (ignored when `databaseUrl` is given). */
  dbDir: string;
  /** A PostgreSQL connection string, instead of PGlite. */
  databaseUrl?: string;
  /** The database schema of the tables (default `baton`). */
  schema?: string;
  /** The HTTP port (a free one by default). */
  port?: number;
  /** How often the indexer polls the node, in milliseconds (default 1000). */
  pollMs?: number;
  /** Receives the indexer's output. */
  log?: Writable;
};

export type RunningIndexer = StartedProcess & {
  url: string;
  port: number;
  pid: number;
  stop: () => Promise<void>;
};

/** The command line, environment and directory that run the indexer with `options` on `port`. */
export function indexerCommand(options: Omit<IndexerOptions, "port" | "log">, port: number) {
  return {
    cmd: path.join(ROOT, "node_modules", ".bin", "ponder"),
    args: ["start", "--schema", options.schema ?? "baton", "--port", String(port), "--hostname", "127.0.0.1"],
    cwd: INDEXER_DIR,
    env: {
      BATON_RPC_URL: options.rpcUrl,
      BATON_ADDRESS_BOOK: options.addressBook,
      BATON_INDEXER_DB_DIR: options.dbDir,
      BATON_INDEXER_POLL_MS: String(options.pollMs ?? 1000),
      PONDER_TELEMETRY_DISABLED: "true",
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    } as Record<string, string>,
  };
}

/**
 * Starts `ponder start` in the indexer workspace (database schema `baton` by default) on 127.0.0.1 and waits
 * until its HTTP server answers `/health` (indexing goes on: see `waitForBlock`). `stop()` ends it
 * by PID (SIGTERM, then SIGKILL); it is also killed when this process exits.
 */
export async function startIndexer(options: IndexerOptions, timeoutMs = 60_000): Promise<RunningIndexer> {
  const port = options.port ?? (await freePort());
  const { cmd, args, cwd, env } = indexerCommand(options, port);
  const started = startProcess(cmd, args, { cwd, env, ...(options.log ? { log: options.log } : {}) });
  const { child } = started;
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.off("exit", killOnExit);
    await stopProcess(child, 10_000);
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(`the indexer at ${url}`, async () => (await fetch(`${url}/health`)).ok, timeoutMs, {
      child,
      log: started.output,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...started, url, port, pid: child.pid!, stop };
}

/** The last block the indexer has indexed (its `/status`), or undefined before it has one. */
export async function indexedBlock(url: string): Promise<bigint | undefined> {
  const res = await fetch(`${url}/status`);
  if (!res.ok) return undefined;
  const status = (await res.json()) as Record<string, { block?: { number: number } }>;
  const block = Object.values(status)[0]?.block?.number;
  return block === undefined ? undefined : BigInt(block);
}

/** Waits until the indexer is ready (backfill done) and has indexed `block`. */
export async function waitForBlock(indexer: RunningIndexer, block: bigint, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    `the indexer to reach block ${block}`,
    async () => (await fetch(`${indexer.url}/ready`)).ok && ((await indexedBlock(indexer.url)) ?? -1n) >= block,
    timeoutMs,
    { child: indexer.child, log: indexer.output, intervalMs: 200 },
  );
}

/** Sends a GraphQL query to the indexer; throws on errors. */
export async function graphqlQuery<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (!res.ok || body.errors?.length) {
    throw new Error(`GraphQL ${res.status}: ${body.errors?.map((e) => e.message).join("; ") ?? "no data"}`);
  }
  return body.data as T;
}
