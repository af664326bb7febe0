import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  type Abi,
  type Hex,
  type PublicClient,
  type TestClient,
  type WalletClient,
} from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";

export const ROOT = path.resolve(__dirname, "../../..");
const MNEMONIC = "test test test test test test test test test test test junk";

const accounts = new Map<number, HDAccount>();

/** Node account `index` (derived once: derivation is slow). */
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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export type Devnet = {
  url: string;
  chain: ReturnType<typeof defineChain>;
  publicClient: PublicClient;
  testClient: TestClient;
  /** Switches from automine (fast set-up) to one block every `blockTimeMs`. */
  startMining: () => Promise<void>;
  wallet: (index: number) => WalletClient;
  stop: () => Promise<void>;
};

/**
 * Starts `hardhat node` on a free port and waits until it answers. Blocks are mined every
 * `blockTimeMs` like on a real chain (automine would give every transaction its own block and
 * push block timestamps ahead of the wall clock, which real-time windows cannot follow).
 */
export async function startDevnet(blockTimeMs = 1000): Promise<Devnet> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(path.join(ROOT, "node_modules/.bin/hardhat"), ["node", "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const chain = defineChain({
    id: 31337,
    name: "devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(url), pollingInterval: 100 });
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited: ${output}`);
    try {
      await publicClient.getChainId();
      break;
    } catch {
      if (Date.now() - started > 60_000) throw new Error(`hardhat node did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const testClient = createTestClient({ chain, mode: "hardhat", transport: http(url) });
  return {
    url,
    chain,
    publicClient: publicClient as PublicClient,
    testClient,
    startMining: async () => {
      await testClient.setAutomine(false);
      await testClient.setIntervalMining({ interval: blockTimeMs / 1000 });
    },
    wallet: (index: number) => createWalletClient({ account: account(index), chain, transport: http(url) }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function artifact(name: string, dir = "") {
  const file = path.join(ROOT, "artifacts/contracts", dir, `${name}.sol`, `${name}.json`);
  const json = JSON.parse(readFileSync(file, "utf8")) as { abi: Abi; bytecode: Hex };
  return json;
}

async function deploy(net: Devnet, name: string, args: unknown[], dir = ""): Promise<`0x${string}`> {
  const { abi, bytecode } = artifact(name, dir);
  const wallet = net.wallet(0);
  const hash = await wallet.deployContract({ abi, bytecode, args, account: wallet.account!, chain: net.chain });
  const receipt = await net.publicClient.waitForTransactionReceipt({ hash });
  return receipt.contractAddress!;
}

export type Deployment = {
  market: `0x${string}`;
  arbiter: `0x${string}`;
  multicall3: `0x${string}`;
  token: `0x${string}`;
  orchestrator: `0x${string}`;
  deploymentBlock: bigint;
  params: { feeBps: number; forfeitBps: number; slashBountyBps: number; rulingTimeout: number; disputeBond: bigint };
};

/** Deploys the market (owned by account 0), a committee of accounts 17–19, a token and Multicall3. */
export async function deployBaton(net: Devnet): Promise<Deployment> {
  const deploymentBlock = await net.publicClient.getBlockNumber();
  const token = await deploy(net, "TestToken", ["Test USD", "TUSD", 6], "mocks");
  const multicall3 = await deploy(net, "Multicall3", [], "utils");
  const params = { feeBps: 250, forfeitBps: 2_000, slashBountyBps: 1_000, rulingTimeout: 600, disputeBond: 10n ** 16n };
  const market = await deploy(net, "JobMarket", [
    account(0).address,
    {
      treasury: account(0).address,
      feeBps: params.feeBps,
      forfeitBps: params.forfeitBps,
      slashBountyBps: params.slashBountyBps,
      callbackGasLimit: 1_000_000,
      rulingTimeout: params.rulingTimeout,
      unbondingDelay: 600,
      disputeBond: params.disputeBond,
    },
    [token],
  ]);
  const arbiter = await deploy(
    net,
    "CommitteeArbiter",
    [market, [account(17).address, account(18).address, account(19).address], 300],
    "arbitration",
  );
  const orchestrator = await deploy(net, "WorkflowOrchestrator", [market, account(0).address]);
  return { market, arbiter, orchestrator, multicall3, token, deploymentBlock, params };
}

export function marketAbi(): Abi {
  return artifact("JobMarket").abi;
}
