import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_LOG_WINDOW, parseAddressBook } from "@baton/sdk";

/** A configuration problem, naming the offending field. The CLI prints it and exits non-zero. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`config: ${field}: ${message}`);
    this.name = "ConfigError";
  }
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address");
const privateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex key");
const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal number written as a string, e.g. "0.05"');

const strategySchema = z.discriminatedUnion("kind", [
  /** Bid a fixed fraction of the job's maximum reward. */
  z.object({ kind: z.literal("fraction"), fraction: z.number().gt(0).max(1) }),
  /** Bid the estimated cost (execution plus gas) times (1 + margin). */
  z.object({
    kind: z.literal("cost-plus"),
    margin: z.number().min(0).max(10),
    executionCostWei: z.record(z.string(), decimal).default({}),
    gasPerJob: z.number().int().positive().default(400_000),
  }),
]);

export const configSchema = z
  .object({
    /** JSON-RPC endpoints, tried in order (viem fallback transport). */
    rpcUrls: z.array(z.url({ protocol: /^https?$/ })).min(1),
    /** Optional WebSocket endpoint: new blocks wake the keeper at once; polling remains the fallback. */
    wsUrl: z.url({ protocol: /^wss?$/ }).optional(),
    chainId: z.number().int().positive(),
    market: address,
    multicall3: address.optional(),
    /** The workflow orchestrator: needed to resolve the inputs of workflow steps (jobs it posts). */
    orchestrator: address.optional(),
    /**
     * The automation registry: when set, the keeper also serves its upkeeps (it must be registered
     * and staked in the registry itself: `baton-keeper register --automation`, `stake --automation`).
     */
    automationRegistry: address.optional(),
    /** How the keeper serves upkeeps (with `automationRegistry`). */
    automation: z
      .object({
        /** Bid for leases only on these upkeep ids (decimal strings); on every upkeep when left out. */
        bidOn: z
          .array(z.string().regex(/^\d+$/, "must be an upkeep id written as a decimal string"))
          .transform((ids) => ids.map(BigInt))
          .optional(),
        /** Most upkeeps bid on per epoch (each bid locks the lease bond until its auction ends). */
        maxLeases: z.number().int().min(0).max(10_000).default(32),
        /** Perform upkeeps without a lease (open service at the owner's maximum premium). */
        openService: z.boolean().default(true),
        /** Perform, once the grace has passed, what another keeper's lease left undone (paid, and its bond). */
        backup: z.boolean().default(true),
        /** Performs per epoch a condition or log upkeep is expected to need (for a cost-plus premium). */
        expectedPerforms: z.number().int().min(1).max(1_000_000).default(10),
        /**
         * Blocks behind the head before a log trigger is acted on: 0 performs in the next block;
         * the registry refuses a log whose block was replaced (`AutomationLogReorged`).
         */
        logConfirmations: z.number().int().min(0).max(64).default(0),
        /** Most logs of one upkeep queued per pass (they are performed in order). */
        maxLogsPerPass: z.number().int().min(1).max(1_000).default(8),
      })
      .strict()
      .prefault({}),
    /** The deployment's committee arbiter: trusted by default, and resolved when its voting ends. */
    committeeArbiter: address.optional(),
    /**
     * Arbiters under which this keeper bids: an arbiter can confiscate the winner's bond, so jobs
     * naming any other arbiter are skipped. Defaults to `[committeeArbiter]` (none without it).
     */
    trustedArbiters: z.array(address).optional(),
    /**
     * Largest bond worth risking per unit of reward, for ETH jobs: a requester gains from slashing
     * a bond larger than the reward it escrowed. 1 skips jobs whose bond exceeds their reward.
     */
    maxBondToReward: z.number().min(0).max(1_000).default(1),
    /** Largest bond, in wei, this keeper locks for any one job (also covers token-paid jobs). */
    maxBondWei: decimal.optional(),
    /** Block to start syncing from (the market's deployment block). */
    startBlock: z.coerce.bigint().nonnegative().default(0n),
    /** SQLite file; created if missing. */
    dbPath: z.string().min(1),
    /** Blocks behind the head before a log is acted on. */
    confirmations: z.number().int().min(0).max(64).default(2),
    /** Blocks per getLogs request during backfill. */
    logWindow: z.number().int().min(1).max(100_000).default(Number(DEFAULT_LOG_WINDOW)),
    pollIntervalMs: z.number().int().min(100).max(60_000).default(1_000),
    /** Executor kinds this keeper serves. */
    capabilities: z.array(z.enum(["wasm", "http.json", "contract.call"])).min(1),
    /**
     * Most jobs held (bid on, assigned or executing) at once; `"stake"`: as many as the free stake
     * covers, each bid locking its job's bond until the job ends (executions stay capped by
     * `maxExecutions`).
     */
    capacity: z.union([z.number().int().min(1).max(1_000), z.literal("stake")]).default(4),
    /**
     * Most jobs read in one pass besides those the keeper holds: the due ones, earliest first (the
     * rest wait for the next pass). Bounds a pass's reads whatever the market's history.
     */
    maxJobsPerPass: z.number().int().min(1).max(10_000).default(400),
    /**
     * Most executions running at once, whatever the capacity: a won job waits for a free slot
     * (each wasm execution holds its own memory limit, so the capacity alone does not bound memory).
     */
    maxExecutions: z.number().int().min(1).max(1_000).default(8),
    strategy: strategySchema,
    /** Lowest reward worth bidding on, per token (address, or "ETH"), in base units. */
    minReward: z.record(z.string(), decimal).default({}),
    /** Whether to bid on jobs paid in tokens with no `minReward` entry. */
    acceptUnlistedTokens: z.boolean().default(false),
    /** Housekeeping for bounties and liveness: finalize, settle, slash no-shows, forfeit non-reveals. */
    housekeeping: z.boolean().default(true),
    /**
     * How long after a result's challenge window closes a keeper that did not win the job waits
     * before settling it itself: the winner, whom the settlement pays, goes first, and a second
     * settlement sent in the same block would only revert.
     */
    housekeepingDelaySec: z.number().int().min(0).default(60),
    /**
     * Bundle the market steps of a pass (commit, reveal, submit, settle, finalize, slash, forfeit,
     * abandon) into one transaction instead of one each: the market's batch function when they are
     * all one step (`commitBids`, `revealBids`, `submitResults`, `settleMany`), else a `multicall`.
     * Each step is still simulated alone first; a batch that reverts on chain sends its steps alone.
     */
    bundle: z.boolean().default(false),
    /** Blocks a transaction may stay pending before it is replaced with fees raised by 12.5%. */
    replaceAfterBlocks: z.number().int().min(1).max(100).default(3),
    /**
     * Retrying executions that failed for a transient reason (a 5xx, a timeout, a module fetch):
     * exponential backoff from `baseDelayMs` up to `maxDelayMs`, as long as a retry can still
     * finish `submitMarginSec` before the execution deadline.
     */
    executionRetry: z
      .object({
        baseDelayMs: z.number().int().min(10).max(600_000).default(1_000),
        maxDelayMs: z.number().int().min(10).max(3_600_000).default(30_000),
        submitMarginSec: z.number().int().min(0).max(86_400).default(30),
      })
      .prefault({}),
    /** Metrics and health endpoint; 0 disables it. */
    metricsPort: z.number().int().min(0).max(65_535).default(0),
    /** Seconds between one-line status summaries in the log. */
    summaryIntervalSec: z.number().int().min(1).default(60),
    executors: z
      .object({
        cacheDir: z.string().default(".baton/modules"),
        allowFileUris: z.boolean().default(false),
        ipfsGateway: z.string().optional(),
        wasmTimeoutMs: z.number().int().min(10).max(600_000).default(10_000),
        wasmMemoryMb: z.number().int().min(1).max(512).default(64),
        httpTimeoutMs: z.number().int().min(10).max(60_000).default(10_000),
        httpMaxBytes: z.number().int().min(1).max(10_000_000).default(1_000_000),
        /** Let http.json jobs reach loopback and private addresses (local demos only: results are public). */
        allowPrivateNetwork: z.boolean().default(false),
      })
      .prefault({}),
    /** Test-only behaviour; never set in production. */
    faults: z
      .object({
        /** Commit bids but never reveal them. */
        neverReveal: z.boolean().default(false),
      })
      .prefault({}),
  })
  .strict()
  .transform((c) => ({
    ...c,
    trustedArbiters: c.trustedArbiters ?? (c.committeeArbiter ? [c.committeeArbiter] : []),
  }));

export type KeeperConfig = z.infer<typeof configSchema>;
export type Strategy = z.infer<typeof strategySchema>;

/** The most jobs `planPass` lets the keeper hold: its capacity, or no count at all under `"stake"`. */
export function heldLimit(cfg: Pick<KeeperConfig, "capacity">): number {
  return cfg.capacity === "stake" ? Number.POSITIVE_INFINITY : cfg.capacity;
}

/** The signing key, kept apart from the config so that it is never logged. */
export type Secrets = { privateKey: `0x${string}` };

const ENV_FIELDS: Record<string, (c: Record<string, unknown>, v: string) => void> = {
  BATON_RPC_URLS: (c, v) => (c.rpcUrls = v.split(",").map((s) => s.trim())),
  BATON_RPC_URL: (c, v) => (c.rpcUrls = [v]),
  BATON_WS_URL: (c, v) => (c.wsUrl = v),
  BATON_CHAIN_ID: (c, v) => (c.chainId = Number(v)),
  BATON_MARKET: (c, v) => (c.market = v),
  BATON_MULTICALL3: (c, v) => (c.multicall3 = v),
  BATON_ORCHESTRATOR: (c, v) => (c.orchestrator = v),
  BATON_COMMITTEE_ARBITER: (c, v) => (c.committeeArbiter = v),
  BATON_AUTOMATION_REGISTRY: (c, v) => (c.automationRegistry = v),
  BATON_TRUSTED_ARBITERS: (c, v) => (c.trustedArbiters = v.split(",").map((s) => s.trim())),
  BATON_START_BLOCK: (c, v) => (c.startBlock = v),
  BATON_DB: (c, v) => (c.dbPath = v),
  BATON_METRICS_PORT: (c, v) => (c.metricsPort = Number(v)),
};

/**
 * Reads the config file (if any), applies environment overrides, fills what is still missing from
 * the deployment's address book (`addressBook`, or BATON_ADDRESS_BOOK: the sdk's address book JSON,
 * `deployments/<chainId>.json`) and validates the result.
 */
export function loadConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  addressBook: string | undefined = env.BATON_ADDRESS_BOOK || undefined,
): KeeperConfig {
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError("file", `cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError("file", `${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  for (const [name, apply] of Object.entries(ENV_FIELDS)) {
    const value = env[name];
    if (value !== undefined && value !== "") apply(raw, value);
  }
  if (addressBook) applyAddressBook(raw, addressBook);
  return parseConfig(raw);
}

/** Sets the deployment's addresses (and chain id and deployment block) the config leaves out. */
function applyAddressBook(raw: Record<string, unknown>, file: string) {
  let book: ReturnType<typeof parseAddressBook>;
  try {
    book = parseAddressBook(JSON.parse(readFileSync(file, "utf8")), file);
  } catch (error) {
    throw new ConfigError("addressBook", `cannot use ${file}: ${(error as Error).message}`);
  }
  const defaults: Record<string, unknown> = {
    chainId: book.chainId,
    market: book.jobMarket,
    committeeArbiter: book.committeeArbiter,
    orchestrator: book.workflowOrchestrator,
    automationRegistry: book.automationRegistry,
    multicall3: book.multicall3,
    startBlock: book.deploymentBlock.toString(),
  };
  for (const [field, value] of Object.entries(defaults)) {
    if (raw[field] === undefined && value !== undefined) raw[field] = value;
  }
}

export function parseConfig(raw: unknown): KeeperConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length ? issue.path.join(".") : "(root)";
    throw new ConfigError(field, issue.message);
  }
  return parsed.data;
}

/** Reads the private key from BATON_PRIVATE_KEY, or from an encrypted keystore. */
export async function loadSecrets(env: NodeJS.ProcessEnv = process.env): Promise<Secrets> {
  if (env.BATON_PRIVATE_KEY) {
    const key = privateKey.safeParse(env.BATON_PRIVATE_KEY);
    if (!key.success) throw new ConfigError("BATON_PRIVATE_KEY", key.error.issues[0].message);
    return { privateKey: key.data as `0x${string}` };
  }
  if (env.BATON_KEYSTORE) {
    const { decryptKeystore } = await import("./keystore.js");
    if (!env.BATON_KEYSTORE_PASSWORD) {
      throw new ConfigError("BATON_KEYSTORE_PASSWORD", "is required to decrypt BATON_KEYSTORE");
    }
    return { privateKey: decryptKeystore(readFileSync(env.BATON_KEYSTORE, "utf8"), env.BATON_KEYSTORE_PASSWORD) };
  }
  throw new ConfigError("BATON_PRIVATE_KEY", "set BATON_PRIVATE_KEY, or BATON_KEYSTORE and BATON_KEYSTORE_PASSWORD");
}
