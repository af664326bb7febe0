// Scaffolding for tests against a market on a devnet: keeper loggers, configs and runs, transactions
// from node accounts, job terms and specs, and what the chain recorded.
import path from "node:path";
import { pino, type Logger } from "pino";
import {
  decodeFunctionData,
  parseEther,
  parseEventLogs,
  stringToHex,
  toHex,
  zeroAddress,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  encodeSpec,
  jobMarketAbi,
  marketCall,
  send as sendWrite,
  specHash,
  type JobSpecInput,
  type MarketWriteName,
  type SigningClient,
  packTerms,
} from "@baton/sdk";
import { parseConfig, type KeeperConfig } from "../../src/config.js";
import { Keeper } from "../../src/keeper.js";
import type { Terms } from "../../src/plan.js";
import { account, deployBaton, privateKeyOf, startDevnet, type Deployment, type Devnet } from "@baton/testkit/devnet";
import { serveModules, type ModuleServer } from "@baton/testkit/modules";

/** The node account that posts jobs unless a test names another requester. */
export const REQUESTER = 1;

let loggers = 0;

/** A keeper's logger: silent, unless KEEPER_TEST_LOG=<dir> asks for each keeper's JSON log there. */
export function testLogger(): Logger {
  const out = process.env.KEEPER_TEST_LOG;
  return out
    ? pino({ level: "debug" }, pino.destination({ dest: path.join(out, `keeper-${++loggers}.log`), sync: true }))
    : pino({ level: "silent" });
}

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/** Polls `probe` until it returns something truthy and returns that; throws after `timeoutMs`, naming `what`. */
export async function waitFor<T>(probe: () => Promise<T>, timeoutMs: number, what: string): Promise<Truthy<T>> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs an in-process keeper that signs as node account `index`; `stop()` ends it and waits for its loop. */
export function runKeeper(config: KeeperConfig, index: number): { keeper: Keeper; stop: () => Promise<void> } {
  const keeper = new Keeper(config, privateKeyToAccount(privateKeyOf(index)), testLogger());
  const run = keeper.run();
  return {
    keeper,
    stop: async () => {
      await keeper.stop();
      await run;
    },
  };
}

/** A wasm spec running the module server's `module` on UTF-8 `input`. */
export function wasmSpec(
  modules: ModuleServer,
  module: string,
  input: string,
  limits?: { timeoutMs?: number; memoryMb?: number },
): JobSpecInput {
  return {
    kind: "wasm",
    version: 1,
    module: { uri: modules.url(module), sha256: modules.sha256(module) },
    input: { encoding: "utf8", data: input },
    ...(limits ? { limits } : {}),
  };
}

/** The id of the job whose `postJob` transaction `receipt` records. */
export function postedJobId(receipt: TransactionReceipt): bigint {
  const [posted] = parseEventLogs({ abi: jobMarketAbi, logs: receipt.logs, eventName: "JobPosted" });
  return posted.args.jobId;
}

/** The node account index (of hardhat's twenty) that owns `address`. */
function indexOf(address: string): number {
  for (let i = 0; i < 20; i++) if (account(i).address.toLowerCase() === address.toLowerCase()) return i;
  throw new Error(`${address} is not a node account`);
}

/** The deployed market `dep` on `net`, as tests drive and inspect it. */
export function market(net: Devnet, dep: Deployment) {
  /**
   * Sends `functionName(args)` to the market from node account `index` through the sdk's write
   * pipeline and returns the receipt.
   */
  async function send(index: number, functionName: MarketWriteName, args: readonly unknown[] = [], value = 0n) {
    const write = marketCall(dep.market, functionName, args as never, value);
    return (await sendWrite(net.wallet(index) as SigningClient, net.publicClient, write)).receipt;
  }

  /** Registers node account `index` as a wasm worker and deposits `stake`. */
  async function setupWorker(index: number, stake = parseEther("10")) {
    await send(index, "register", [[stringToHex("wasm", { size: 32 })], ""]);
    await send(index, "depositStake", [], stake);
  }

  /**
   * Terms of an ETH job posted by REQUESTER under the market's current parameters, expiring
   * `expiresIn` seconds (default an hour) after the latest block, with any field overridden.
   */
  async function terms({
    expiresIn = 3600,
    ...overrides
  }: Partial<Terms> & { expiresIn?: number } = {}): Promise<Terms> {
    const now = Number((await net.publicClient.getBlock()).timestamp);
    return {
      requester: account(REQUESTER).address,
      token: zeroAddress,
      maxReward: parseEther("0.1"),
      arbiter: dep.arbiter,
      bond: parseEther("0.1"),
      minStake: 0n,
      minCompleted: 0,
      commitWindow: 60,
      revealWindow: 60,
      executionWindow: 60,
      challengeWindow: 60,
      expiry: now + expiresIn,
      ...dep.params,
      pricing: 0,
      callback: false,
      ...overrides,
    };
  }

  /** Posts `spec` under `terms`, sent by their requester with the full reward escrowed. */
  async function post(terms: Terms, spec: JobSpecInput): Promise<{ jobId: bigint; terms: Terms }> {
    const receipt = await send(
      indexOf(terms.requester),
      "postJob",
      [packTerms(terms), specHash(spec), toHex(encodeSpec(spec))],
      terms.maxReward,
    );
    return { jobId: postedJobId(receipt), terms };
  }

  async function jobState(jobId: bigint): Promise<number> {
    return Number(
      await net.publicClient.readContract({
        address: dep.market,
        abi: jobMarketAbi,
        functionName: "jobState",
        args: [jobId],
      }),
    );
  }

  /** Every market event since the deployment. */
  function events() {
    return net.publicClient.getContractEvents({
      address: dep.market,
      abi: jobMarketAbi,
      fromBlock: dep.deploymentBlock,
    });
  }

  /**
   * The steps `from` sent to the market, as `function:jobId` keys in chain order, read from the
   * blocks themselves; the steps of a `multicall` count one by one.
   */
  async function stepsSentBy(from: string): Promise<string[]> {
    const head = await net.publicClient.getBlockNumber();
    const keys: string[] = [];
    for (let b = dep.deploymentBlock; b <= head; b++) {
      const block = await net.publicClient.getBlock({ blockNumber: b, includeTransactions: true });
      for (const tx of block.transactions) {
        if (tx.from.toLowerCase() !== from.toLowerCase() || tx.to?.toLowerCase() !== dep.market.toLowerCase()) continue;
        const d = decodeFunctionData({ abi: jobMarketAbi, data: tx.input as Hex });
        if (d.functionName !== "multicall") {
          keys.push(`${d.functionName}:${String(d.args?.[0])}`);
          continue;
        }
        // A bundle of steps: each counts; a bundle that reverted did none of them (they go again alone).
        const receipt = await net.publicClient.getTransactionReceipt({ hash: tx.hash });
        if (receipt.status !== "success") continue;
        for (const data of d.args[0]) {
          const step = decodeFunctionData({ abi: jobMarketAbi, data });
          keys.push(`${step.functionName}:${String(step.args?.[0])}`);
        }
      }
    }
    return keys;
  }

  /** The transactions to the market from `senders` that reverted: sender and function. */
  async function revertedFrom(senders: readonly string[]): Promise<{ from: string; functionName: string }[]> {
    const from = new Set(senders.map((a) => a.toLowerCase()));
    const head = await net.publicClient.getBlockNumber();
    const reverted: { from: string; functionName: string }[] = [];
    for (let b = dep.deploymentBlock; b <= head; b++) {
      const block = await net.publicClient.getBlock({ blockNumber: b, includeTransactions: true });
      for (const tx of block.transactions) {
        if (!from.has(tx.from.toLowerCase()) || tx.to?.toLowerCase() !== dep.market.toLowerCase()) continue;
        const receipt = await net.publicClient.getTransactionReceipt({ hash: tx.hash });
        if (receipt.status === "success") continue;
        const { functionName } = decodeFunctionData({ abi: jobMarketAbi, data: tx.input as Hex });
        reverted.push({ from: tx.from, functionName });
      }
    }
    return reverted;
  }

  /**
   * A keeper's config-file contents for this market: database and module cache named after
   * `name` under `dir`, wasm jobs bid at 0.8 of the reward, no confirmations, quick polling.
   */
  function keeperJson(dir: string, name: string | number, overrides: Record<string, unknown> = {}) {
    return {
      rpcUrls: [net.url],
      chainId: 31337,
      market: dep.market,
      multicall3: dep.multicall3,
      orchestrator: dep.orchestrator,
      committeeArbiter: dep.arbiter,
      startBlock: dep.deploymentBlock.toString(),
      dbPath: path.join(dir, `keeper-${name}.db`),
      confirmations: 0,
      pollIntervalMs: 250,
      capabilities: ["wasm"],
      strategy: { kind: "fraction", fraction: 0.8 },
      summaryIntervalSec: 3600,
      executors: { cacheDir: path.join(dir, `cache-${name}`), wasmTimeoutMs: 5_000 },
      ...overrides,
    };
  }

  /** `keeperJson`, validated as the keeper loads it. */
  function keeperConfig(dir: string, name: string | number, overrides: Record<string, unknown> = {}): KeeperConfig {
    return parseConfig(keeperJson(dir, name, overrides));
  }

  return { send, setupWorker, terms, post, jobState, events, stepsSentBy, revertedFrom, keeperJson, keeperConfig };
}

export type Market = ReturnType<typeof market>;

/**
 * Posts a new wasm job (the given windows, 0.1 ETH reward and bond) and waits for node account
 * `keeper`'s commit on it; returns the blocks from the posting to the commit. Reads the market's
 * logs from the posting on only: a long history is over the HTTP client's 10 MiB cap on an answer.
 */
export async function blocksToCommit(
  net: Devnet,
  dep: Deployment,
  modules: ModuleServer,
  keeper: number,
  windows: Pick<Terms, "commitWindow" | "revealWindow" | "executionWindow" | "challengeWindow">,
  text: string,
  timeoutMs: number,
): Promise<number> {
  const baton = market(net, dep);
  const fromBlock = await net.publicClient.getBlockNumber();
  const events = () => net.publicClient.getContractEvents({ address: dep.market, abi: jobMarketAbi, fromBlock });
  const { jobId } = await baton.post(
    await baton.terms({ ...windows, maxReward: parseEther("0.1"), bond: parseEther("0.1") }),
    wasmSpec(modules, "wordfreq", text),
  );
  const ofJob = (l: { args: unknown }) => (l.args as { jobId?: bigint }).jobId === jobId;
  const posted = (await events()).find((l) => l.eventName === "JobPosted" && ofJob(l))!.blockNumber;
  const committed = await waitFor(
    async () =>
      (await events()).find(
        (l) =>
          l.eventName === "BidCommitted" &&
          ofJob(l) &&
          (l.args as { bidder: string }).bidder === account(keeper).address,
      )?.blockNumber,
    timeoutMs,
    `keeper ${keeper}'s commit on job ${jobId}`,
  );
  return Number(committed - posted);
}

/**
 * Posts `count` ETH wasm jobs that nobody bids on, `perPost` to a `postJobs`, while the node
 * automines, then moves the chain past their windows: the market holds `count` Unfilled jobs.
 */
export async function fillWithUnfilledJobs(
  net: Devnet,
  baton: Market,
  modules: ModuleServer,
  count: number,
  perPost = 250,
): Promise<void> {
  const windows = { commitWindow: 10, revealWindow: 10, executionWindow: 60, challengeWindow: 10 };
  const terms = await baton.terms({ ...windows, maxReward: parseEther("0.001"), bond: parseEther("0.001") });
  const spec = wasmSpec(modules, "wordfreq", "nobody bids on this one");
  const packed = packTerms(terms);
  const encoded = toHex(encodeSpec(spec));
  for (let posted = 0; posted < count; posted += perPost) {
    const n = Math.min(perPost, count - posted);
    await baton.send(
      REQUESTER,
      "postJobs",
      [Array(n).fill(packed), Array(n).fill(specHash(spec)), Array(n).fill(encoded)],
      terms.maxReward * BigInt(n),
    );
  }
  await net.testClient.increaseTime({ seconds: windows.commitWindow + windows.revealWindow + 100 });
  await net.testClient.mine({ blocks: 1 });
}

/** A real node with Baton deployed, the demo modules served and `workers` registered and staked. */
export type KeeperNetwork = {
  net: Devnet;
  dep: Deployment;
  baton: Market;
  modules: ModuleServer;
  stop: () => Promise<void>;
};

/**
 * Starts what every real-node keeper test needs: a node, the deployment, the module server and
 * the given node accounts as staked workers (10 ETH each unless `stake` says otherwise); then
 * switches to interval mining.
 */
export async function startKeeperNetwork(workers: readonly number[], stake?: bigint): Promise<KeeperNetwork> {
  const net = await startDevnet();
  const dep = await deployBaton(net);
  const baton = market(net, dep);
  const modules = await serveModules();
  for (const k of workers) await baton.setupWorker(k, stake);
  await net.startMining();
  return {
    net,
    dep,
    baton,
    modules,
    stop: async () => {
      await modules.stop();
      await net.stop();
    },
  };
}
