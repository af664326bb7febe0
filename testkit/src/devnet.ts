// A local chain for tests and the dev stack: `hardhat node` on a free port (stopped by its PID,
// and killed if the test process exits first), viem clients for it, and a Baton deployment from
// the Hardhat artifacts.
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  type Address,
  type Hex,
  type PublicClient,
  type TestClient,
  type WalletClient,
} from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";
import type { AddressBook } from "@baton/sdk";
import { artifact } from "./artifacts.js";
import { freePort, rpcUp, startProcess, stopProcess } from "./process.js";

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export const MNEMONIC = "test test test test test test test test test test test junk";

const accounts = new Map<number, HDAccount>();

/** Hardhat node account `index` (derived once: derivation is slow), a local key as in production. */
export function account(index: number): HDAccount {
  let a = accounts.get(index);
  if (!a) accounts.set(index, (a = mnemonicToAccount(MNEMONIC, { addressIndex: index })));
  return a;
}

/** The private key of a node account, for keepers that sign locally. */
export function privateKeyOf(index: number): Hex {
  const hd = account(index).getHdKey();
  return `0x${Buffer.from(hd.privateKey!).toString("hex")}`;
}

export type HardhatNode = {
  url: string;
  port: number;
  pid: number;
  /** The node's process, for callers that watch it exit. */
  child: ChildProcess;
  stop: () => Promise<void>;
};

/**
 * Starts `hardhat node` from the repository root on `port` (a free one by default) and waits until
 * it answers JSON-RPC. `log` receives its output. `stop()` ends it by PID (SIGTERM, then SIGKILL
 * after 5 s); it is also killed when this process exits.
 */
export async function startHardhatNode(
  options: { port?: number; timeoutMs?: number; log?: Writable } = {},
): Promise<HardhatNode> {
  const { timeoutMs = 60_000, log } = options;
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const { child, output } = startProcess(
    path.join(ROOT, "node_modules", ".bin", "hardhat"),
    ["node", "--hostname", "127.0.0.1", "--port", String(port)],
    { cwd: ROOT, env: { HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" }, ...(log ? { log } : {}) },
  );
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.off("exit", killOnExit);
    await stopProcess(child);
  };

  const started = Date.now();
  while (!(await rpcUp(url))) {
    if (child.exitCode !== null) {
      process.off("exit", killOnExit);
      throw new Error(`hardhat node exited (${child.exitCode}):\n${output()}`);
    }
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`hardhat node did not answer on ${url} within ${timeoutMs} ms:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, pid: child.pid!, child, stop };
}

/** Clients for a local node at `url` (chain id 31337). */
export function connectDevnet(url: string, blockTimeMs = 1000) {
  const chain = defineChain({
    id: 31337,
    name: "devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(url), pollingInterval: 100 }) as PublicClient;
  const testClient: TestClient = createTestClient({ chain, mode: "hardhat", transport: http(url) });
  return {
    url,
    chain,
    publicClient,
    testClient,
    /** Switches from automine (fast set-up) to one block every `blockTimeMs`. */
    startMining: async () => {
      await testClient.setAutomine(false);
      await testClient.setIntervalMining({ interval: blockTimeMs / 1000 });
    },
    wallet: (index: number): WalletClient =>
      createWalletClient({ account: account(index), chain, transport: http(url) }),
  };
}

export type Devnet = ReturnType<typeof connectDevnet> & { pid: number; stop: () => Promise<void> };

/**
 * Starts `hardhat node` on a free port, with clients. Blocks are automined until `startMining()`,
 * then mined every `blockTimeMs` like on a real chain (automine would give every transaction its
 * own block and push block timestamps ahead of the wall clock, which real-time windows cannot follow).
 */
export async function startDevnet(blockTimeMs = 1000): Promise<Devnet> {
  const node = await startHardhatNode();
  return { ...connectDevnet(node.url, blockTimeMs), pid: node.pid, stop: node.stop };
}

/** The market parameters `deployBaton` deploys with. */
export const DEPLOY_PARAMS = {
  feeBps: 250,
  forfeitBps: 2_000,
  slashBountyBps: 1_000,
  callbackGasLimit: 1_000_000,
  rulingTimeout: 600,
  unbondingDelay: 600,
  disputeBond: 10n ** 16n,
};

/**
 * The automation registry's parameters on test chains: 60-second epochs (commit 15 s, reveal 15 s),
 * so a lease is won and served within a test; grace 6 s or 3 blocks.
 */
export const AUTOMATION_PARAMS = {
  epoch: 60,
  commitWindow: 15,
  revealWindow: 15,
  leaseBond: 10n ** 17n,
  forfeitBps: 2_000,
  missPenaltyBps: 2_500,
  graceSeconds: 6,
  graceBlocks: 3,
  minStake: 10n ** 17n,
  performOverheadGas: 35_000,
  maxPerformGas: 5_000_000,
  checkGasLimit: 5_000_000,
  withdrawDelay: 600,
  unbondingDelay: 600,
};

export type Deployment = {
  market: Address;
  /** The automation registry, with `AUTOMATION_PARAMS` unless others were given. */
  automation: Address;
  arbiter: Address;
  multicall3: Address;
  token: Address;
  orchestrator: Address;
  deploymentBlock: bigint;
  params: { feeBps: number; forfeitBps: number; slashBountyBps: number; rulingTimeout: number; disputeBond: bigint };
  /** The same deployment as the sdk's address book. */
  book: AddressBook;
};

type Net = Pick<Devnet, "chain" | "publicClient" | "wallet">;

async function deploy(net: Net, file: string, args: unknown[]): Promise<Address> {
  const { abi, bytecode } = artifact(file);
  const wallet = net.wallet(0);
  const hash = await wallet.deployContract({ abi, bytecode, args, account: wallet.account!, chain: net.chain });
  const receipt = await net.publicClient.waitForTransactionReceipt({ hash });
  return receipt.contractAddress!;
}

/**
 * Deploys a test token, Multicall3, the JobMarket (owned by account 0, standing in for the
 * timelock; treasury account 0), a committee arbiter of accounts 17–19 and the workflow
 * orchestrator and the automation registry, from account 0. `net` is a devnet or the URL of a local
 * node.
 */
export async function deployBaton(
  net: Net | string,
  options: { automation?: Partial<typeof AUTOMATION_PARAMS> } = {},
): Promise<Deployment> {
  const n = typeof net === "string" ? connectDevnet(net) : net;
  const deploymentBlock = await n.publicClient.getBlockNumber();
  const token = await deploy(n, "mocks/TestToken.sol", ["Test USD", "TUSD", 6]);
  const multicall3 = await deploy(n, "utils/Multicall3.sol", []);
  const { callbackGasLimit, unbondingDelay, ...params } = DEPLOY_PARAMS;
  const market = await deploy(n, "JobMarket.sol", [
    account(0).address,
    { treasury: account(0).address, ...params, callbackGasLimit, unbondingDelay },
    [token],
  ]);
  const arbiter = await deploy(n, "arbitration/CommitteeArbiter.sol", [
    market,
    [account(17).address, account(18).address, account(19).address],
    300,
  ]);
  const orchestrator = await deploy(n, "WorkflowOrchestrator.sol", [market, account(0).address]);
  const automation = await deploy(n, "automation/AutomationRegistry.sol", [
    { ...AUTOMATION_PARAMS, ...options.automation },
  ]);
  return {
    market,
    automation,
    arbiter,
    orchestrator,
    multicall3,
    token,
    deploymentBlock,
    params,
    book: {
      chainId: 31337,
      jobMarket: getAddress(market),
      committeeArbiter: getAddress(arbiter),
      workflowOrchestrator: getAddress(orchestrator),
      automationRegistry: getAddress(automation),
      timelock: account(0).address,
      multicall3: getAddress(multicall3),
      demoToken: getAddress(token),
      deploymentBlock,
    },
  };
}
