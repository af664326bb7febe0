// A real Baton stack for browser tests, every part on a free port and stopped afterwards: a
// Hardhat node, the contracts (the workflow orchestrator included), a registered and staked worker
// running a real `baton-keeper` process (which also runs workflow steps), the demo wasm modules,
// the indexer (unless `indexer: false`), and `vite preview` of a fresh build pointed at the chain
// and the indexer through BATON_CONFIG. With `automation: true` the keeper account is also
// registered and staked in the automation registry, and the app's address book names the registry.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { automationRegistryAbi, jobMarketAbi } from "@baton/sdk";
import { ensureArtifacts } from "@baton/testkit/artifacts";
import {
  account,
  deployBaton,
  privateKeyOf,
  ROOT,
  startDevnet,
  type Deployment,
  type Devnet,
} from "@baton/testkit/devnet";
import { serveModules, type ModuleServer } from "@baton/testkit/modules";
import { freePort, startProcess, stopProcess, waitUntil } from "@baton/testkit/process";
import { parseEther, stringToHex } from "viem";
import { writeAddressBook } from "@baton/sdk/node";
import { startIndexer } from "../../indexer/launch.ts";

export const FRONTEND = path.join(ROOT, "frontend");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

/** The node account the stack's keeper runs as (a registered and staked worker). */
export const KEEPER = 2;

export type StackOptions = {
  /** Run the indexer and read the app's lists from it (default true). */
  indexer?: boolean;
  /**
   * Register and stake the keeper in the automation registry too, and name the registry in the
   * app's address book and in the keeper's configuration, so that the keeper performs upkeeps.
   */
  automation?: boolean;
};

export type Stack = {
  net: Devnet;
  dep: Deployment;
  modules: ModuleServer;
  appUrl: string;
  /** The indexer the app reads its lists from (absent when started without one). */
  indexerUrl?: string;
  dir: string;
  keeperLog: () => string;
  stop: () => Promise<void>;
};

/** Builds the app into `outDir` (a production build, as it would be deployed). */
export function buildApp(outDir: string) {
  const r = spawnSync(bin("vite"), ["build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], {
    cwd: FRONTEND,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const withIndexer = options.indexer ?? true;
  const withAutomation = options.automation ?? false;
  ensureArtifacts();
  const dir = mkdtempSync(path.join(tmpdir(), "baton-e2e-"));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const net = await startDevnet();
    stops.push(() => net.stop());
    const dep = await deployBaton(net);
    const modules = await serveModules();
    stops.push(() => modules.stop());

    // One worker (node account 2), registered for wasm and staked.
    const worker = KEEPER;
    const setup: [functionName: "register" | "depositStake", args: readonly unknown[], value: bigint][] = [
      ["register", [[stringToHex("wasm", { size: 32 })], "e2e://keeper"], 0n],
      ["depositStake", [], parseEther("5")],
    ];
    for (const [functionName, args, value] of setup) {
      const hash = await net.wallet(worker).writeContract({
        account: account(worker),
        chain: net.chain,
        address: dep.market,
        abi: jobMarketAbi,
        functionName,
        args: args as never,
        value,
      } as never);
      await net.publicClient.waitForTransactionReceipt({ hash });
    }
    // The same account as a keeper of the automation registry, which keeps stakes of its own.
    if (withAutomation) {
      const automationSetup: [functionName: "register" | "depositStake", args: readonly unknown[], value: bigint][] = [
        ["register", [[stringToHex("automation", { size: 32 })], "e2e://keeper"], 0n],
        ["depositStake", [], parseEther("1")],
      ];
      for (const [functionName, args, value] of automationSetup) {
        const hash = await net.wallet(worker).writeContract({
          account: account(worker),
          chain: net.chain,
          address: dep.automation,
          abi: automationRegistryAbi,
          functionName,
          args: args as never,
          value,
        } as never);
        await net.publicClient.waitForTransactionReceipt({ hash });
      }
    }
    await net.startMining();

    const metricsPort = await freePort();
    const keeperConfig = path.join(dir, "keeper.json");
    writeFileSync(
      keeperConfig,
      JSON.stringify({
        rpcUrls: [net.url],
        chainId: 31337,
        market: dep.market,
        orchestrator: dep.orchestrator,
        ...(withAutomation ? { automationRegistry: dep.automation } : {}),
        committeeArbiter: dep.arbiter,
        multicall3: dep.multicall3,
        startBlock: dep.deploymentBlock.toString(),
        dbPath: path.join(dir, "keeper.db"),
        confirmations: 0,
        pollIntervalMs: 250,
        capabilities: ["wasm"],
        strategy: { kind: "fraction", fraction: 0.8 },
        summaryIntervalSec: 3600,
        metricsPort,
        executors: { cacheDir: path.join(dir, "modules"), wasmTimeoutMs: 5_000 },
      }),
    );
    const keeper = startProcess(
      process.execPath,
      [path.join(ROOT, "keeper/bin/baton-keeper.mjs"), "--config", keeperConfig, "start"],
      {
        cwd: ROOT,
        env: { BATON_PRIVATE_KEY: privateKeyOf(worker) },
      },
    );
    stops.push(() => stopProcess(keeper.child));
    await waitUntil(
      "the keeper's health endpoint",
      async () => (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).ok,
      60_000,
      { child: keeper.child, log: keeper.output },
    );

    // The indexer, as `npm run dev` runs it: the app's lists come from it.
    let indexerUrl: string | undefined;
    if (withIndexer) {
      const book = path.join(dir, "addresses.json");
      await writeAddressBook(book, dep.book);
      const indexer = await startIndexer({
        rpcUrl: net.url,
        addressBook: book,
        dbDir: path.join(dir, "indexer"),
        pollMs: 250,
      });
      stops.push(() => indexer.stop());
      indexerUrl = indexer.url;
    }

    const configFile = path.join(dir, "baton.config.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        chains: [
          {
            chainId: 31337,
            name: "Baton e2e",
            rpcUrl: net.url,
            ...(indexerUrl ? { indexerUrl } : {}),
            addressBook: {
              chainId: 31337,
              jobMarket: dep.market,
              committeeArbiter: dep.arbiter,
              timelock: account(0).address,
              multicall3: dep.multicall3,
              demoToken: dep.token,
              workflowOrchestrator: dep.orchestrator,
              ...(withAutomation ? { automationRegistry: dep.automation } : {}),
              deploymentBlock: dep.deploymentBlock.toString(),
            },
            // As `npm run dev` lists them: the test-only modules with their mark, never offered.
            wasmModules: ["hog", "merge", "primes", "spin", "split", "wordfreq"].map((name) => ({
              name,
              uri: modules.url(name),
              sha256: modules.sha256(name),
              ...(name === "hog" || name === "spin" ? { testOnly: true } : {}),
            })),
            addressLabels: { [account(2).address]: "e2e keeper" },
          },
        ],
      }),
    );
    const outDir = path.join(dir, "dist");
    buildApp(outDir);
    const port = await freePort();
    const preview = startProcess(
      bin("vite"),
      ["preview", "--outDir", outDir, "--port", String(port), "--strictPort", "--host", "127.0.0.1"],
      {
        cwd: FRONTEND,
        env: { BATON_CONFIG: configFile },
      },
    );
    stops.push(() => stopProcess(preview.child));
    const appUrl = `http://127.0.0.1:${port}/`;
    await waitUntil("vite preview", async () => (await fetch(`${appUrl}baton.config.json`)).ok, 30_000, {
      child: preview.child,
      log: preview.output,
    });

    return { net, dep, modules, appUrl, dir, keeperLog: keeper.output, stop, ...(indexerUrl ? { indexerUrl } : {}) };
  } catch (error) {
    await stop();
    throw error;
  }
}
