// Local demo steps for `npm run dev`: demo workers (register + stake) with keeper configs for three
// pricing strategies, demo jobs, and interval mining. Run with tsx.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeEventTopics,
  http,
  parseEther,
  parseGwei,
  stringToHex,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import {
  automationCall,
  automationTestTargetAbi,
  buildTerms,
  buildWorkflow,
  createWorkflow,
  marketCall,
  preparePostJobs,
  prepareRegisterUpkeep,
  send,
  serializeAddressBook,
  type JobSpecInput,
  type WorkflowStepDraft,
} from "@baton/sdk";
import { readIgnitionAddressBook, writeAddressBook } from "@baton/sdk/node";
import {
  DEV_AUTOMATION_STAKE_WEI,
  DEV_JOB,
  DEV_KEEPERS,
  DEV_KEEPER_SETTINGS,
  DEV_STAKE_WEI,
} from "@baton/testkit/devstack";

const ROOT = path.resolve(import.meta.dirname, "..");
const MNEMONIC = "test test test test test test test test test test test junk";
const BUILD = path.join(ROOT, "keeper/wasm/build");
/** Where `npm run dev` runs its Ignition deployment (BATON_DEPLOYMENT_ID lets runs coexist). */
const DEPLOYMENT = path.join(ROOT, "ignition/deployments", process.env.BATON_DEPLOYMENT_ID ?? "chain-31337");

/** The text the demo workflow fetches, served by the dev module host at /corpus.json. */
export const DEMO_CORPUS = {
  title: "On orchestration",
  text:
    "a workflow is a graph of jobs and every job is an auction among staked workers " +
    "the orchestrator posts a job when the jobs it depends on have settled and binds their results " +
    "into its spec so every worker can check its inputs against the chain " +
    "no server coordinates the work and any keeper can stop without stopping the workflow",
};

export const DEMO_KEEPERS = DEV_KEEPERS;

const account = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });
const keyOf = (index: number): Hex => `0x${Buffer.from(account(index).getHdKey().privateKey!).toString("hex")}`;

function clients(rpcUrl: string, index: number) {
  const chain = defineChain({
    id: 31337,
    name: "Baton local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const transport = http(rpcUrl);
  return {
    chain,
    publicClient: createPublicClient({ chain, transport, pollingInterval: 250 }),
    wallet: createWalletClient({ chain, transport, account: account(index) }),
  };
}

/**
 * Writes the address book (to the state directory, and to deployments/31337.json as `npm run
 * deploy` does), registers and stakes the demo workers, and writes their configs.
 */
export async function prepareKeepers(rpcUrl: string, stateDir: string) {
  const book = await readIgnitionAddressBook(DEPLOYMENT);
  mkdirSync(stateDir, { recursive: true });
  await writeAddressBook(path.join(stateDir, "addresses.json"), book);
  await writeAddressBook(path.join(ROOT, "deployments", `${book.chainId}.json`), book);
  const out = [];
  for (const k of DEMO_KEEPERS) {
    const { publicClient, wallet } = clients(rpcUrl, k.index);
    await send(
      wallet,
      publicClient,
      marketCall(book.jobMarket, "register", [
        [stringToHex("wasm", { size: 32 }), stringToHex("http.json", { size: 32 })],
        `local://${k.name}`,
      ]),
    );
    await send(wallet, publicClient, marketCall(book.jobMarket, "depositStake", [], DEV_STAKE_WEI));
    // Upkeeps are served from a stake in the automation registry itself.
    if (book.automationRegistry) {
      const registry = book.automationRegistry;
      await send(
        wallet,
        publicClient,
        automationCall(registry, "register", [[stringToHex("automation", { size: 32 })], `local://${k.name}`]),
      );
      await send(wallet, publicClient, automationCall(registry, "depositStake", [], DEV_AUTOMATION_STAKE_WEI));
    }
    const config = path.join(stateDir, `${k.name}.json`);
    writeFileSync(
      config,
      JSON.stringify(
        {
          rpcUrls: [rpcUrl],
          wsUrl: rpcUrl.replace(/^http/, "ws"),
          chainId: 31337,
          market: book.jobMarket,
          multicall3: book.multicall3,
          orchestrator: book.workflowOrchestrator,
          committeeArbiter: book.committeeArbiter,
          ...(book.automationRegistry ? { automationRegistry: book.automationRegistry } : {}),
          startBlock: book.deploymentBlock.toString(),
          dbPath: path.join(stateDir, `${k.name}.db`),
          ...DEV_KEEPER_SETTINGS,
          strategy: k.strategy,
          // The demo workflow fetches its text from the local module host.
          executors: { cacheDir: path.join(stateDir, "modules"), allowPrivateNetwork: true },
        },
        null,
        2,
      ),
    );
    out.push({ name: k.name, address: account(k.index).address, config, privateKey: keyOf(k.index) });
  }
  return { book, keepers: out };
}

/** Posts a few demo jobs from account 1, one per demo module, in one `postJobs` transaction. */
export async function seedJobs(rpcUrl: string, moduleBase: string) {
  const book = await readIgnitionAddressBook(DEPLOYMENT);
  const manifest = JSON.parse(readFileSync(path.join(BUILD, "manifest.json"), "utf8")) as Record<
    string,
    { sha256: string }
  >;
  const { publicClient, wallet } = clients(rpcUrl, 1);
  const wasm = (name: string, input: { encoding: "utf8"; data: string } | { encoding: "json"; data: unknown }) =>
    ({
      kind: "wasm",
      version: 1,
      module: { uri: `${moduleBase}/${name}.wasm`, sha256: manifest[name].sha256 },
      input,
    }) as JobSpecInput;
  const specs: [string, JobSpecInput][] = [
    [
      "word frequencies",
      wasm("wordfreq", { encoding: "utf8", data: "the quick brown fox jumps over the lazy dog and the dog sleeps" }),
    ],
    ["prime factors", wasm("primes", { encoding: "utf8", data: "600851475143" })],
    [
      "matrix product",
      wasm("matrix", {
        encoding: "json",
        data: {
          a: [
            [1, 2],
            [3, 4],
          ],
          b: [
            [5, 6],
            [7, 8],
          ],
        },
      }),
    ],
  ];
  const terms = await buildTerms(publicClient, book, {
    requester: account(1).address,
    maxReward: DEV_JOB.maxReward,
    bond: DEV_JOB.bond,
    ...DEV_JOB.windows,
  });
  const { result: firstJobId } = await send(
    wallet,
    publicClient,
    preparePostJobs({ market: book.jobMarket, jobs: specs.map(([, spec]) => ({ terms, spec })) }),
  );
  const posted = specs.map(([label], i) => ({ jobId: firstJobId + BigInt(i), label }));
  return posted;
}

/**
 * Posts the demo workflow from account 1: fetch a text (http.json) → split it in three (wasm) →
 * count the words of each part (wasm ×3, each reading its part of the split through the
 * orchestrator's binding) → merge the counts (wasm).
 */
export async function seedWorkflow(rpcUrl: string, moduleBase: string) {
  const book = await readIgnitionAddressBook(DEPLOYMENT);
  if (!book.workflowOrchestrator) throw new Error("the deployment has no WorkflowOrchestrator");
  const manifest = JSON.parse(readFileSync(path.join(BUILD, "manifest.json"), "utf8")) as Record<
    string,
    { sha256: string }
  >;
  const { publicClient, wallet } = clients(rpcUrl, 1);
  const module = (name: string) => ({ uri: `${moduleBase}/${name}.wasm`, sha256: manifest[name].sha256 });
  const wasm = (name: string, data: string, inputs?: Record<string, { step: number; path?: string }>) =>
    ({
      kind: "wasm",
      version: 1,
      module: module(name),
      input: { encoding: "utf8", data },
      ...(inputs ? { inputs } : {}),
    }) as JobSpecInput;
  const base = {
    arbiter: book.committeeArbiter,
    bond: parseEther("0.04"),
    maxReward: parseEther("0.04"),
    windows: DEV_JOB.windows,
  };
  const corpusUrl = `${moduleBase.replace(/\/modules$/, "")}/corpus.json`;
  const steps: WorkflowStepDraft[] = [
    {
      ...base,
      name: "fetch",
      spec: { kind: "http.json", version: 1, url: corpusUrl, method: "GET", path: "$.text" },
    },
    { ...base, name: "split", dependsOn: [0], spec: wasm("split", "3", { text: { step: 0 } }) },
    ...[0, 1, 2].map((i) => ({
      ...base,
      name: `count ${i + 1}`,
      dependsOn: [1],
      spec: wasm("wordfreq", "", { text: { step: 1, path: `$[${i}]` } }),
    })),
    {
      ...base,
      name: "merge",
      dependsOn: [2, 3, 4],
      spec: wasm("merge", "", { a: { step: 2 }, b: { step: 3 }, c: { step: 4 } }),
    },
  ];
  const workflow = buildWorkflow({ steps, maxRetries: 2 });
  const { workflowId } = await createWorkflow(wallet, publicClient, {
    orchestrator: book.workflowOrchestrator,
    workflow,
  });
  return {
    workflowId,
    steps: workflow.steps.length,
    names: steps.map((s, i) => s.name ?? `step ${i}`),
    budget: workflow.budget,
  };
}

/**
 * Writes the web app's configuration: this chain, its address book, the demo modules and, when one
 * runs, the indexer's URL.
 */
export async function writeWebConfig(rpcUrl: string, moduleBase: string, file: string, indexerUrl?: string) {
  const book = await readIgnitionAddressBook(DEPLOYMENT);
  const manifest = JSON.parse(readFileSync(path.join(BUILD, "manifest.json"), "utf8")) as Record<
    string,
    { sha256: string; testOnly?: boolean }
  >;
  const config = {
    chains: [
      {
        chainId: 31337,
        name: "Baton local",
        rpcUrl,
        ...(indexerUrl ? { indexerUrl } : {}),
        addressBook: serializeAddressBook(book),
        // Test-only modules are listed with their mark: the app never offers them.
        wasmModules: Object.entries(manifest).map(([name, m]) => ({
          name,
          uri: `${moduleBase}/${name}.wasm`,
          sha256: m.sha256,
          ...(m.testOnly ? { testOnly: true } : {}),
        })),
        // The demo keepers by name, shown beside their addresses.
        addressLabels: Object.fromEntries(DEMO_KEEPERS.map((k) => [account(k.index).address, k.name])),
      },
    ],
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return { file };
}

/** A compiled contract's ABI and bytecode from Hardhat's artifacts. */
function compiled(file: string, name: string): { abi: Abi; bytecode: Hex } {
  return JSON.parse(readFileSync(path.join(ROOT, "artifacts", file, `${name}.json`), "utf8")) as {
    abi: Abi;
    bytecode: Hex;
  };
}

/**
 * Registers three demo upkeeps from account 1, one per kind of trigger, so that a newcomer sees
 * them perform: Chainlink's UpkeepCounter (built unmodified) as a condition upkeep due every 20
 * seconds; a test target on a 30-second interval; and a counter triggered by the log the interval
 * target emits each time it is performed.
 */
export async function seedUpkeeps(rpcUrl: string) {
  const book = await readIgnitionAddressBook(DEPLOYMENT);
  const registry = book.automationRegistry;
  if (!registry) throw new Error("the deployment has no automation registry");
  const { publicClient, wallet } = clients(rpcUrl, 1);
  const deploy = async ({ abi, bytecode }: { abi: Abi; bytecode: Hex }, args: unknown[] = []): Promise<Address> => {
    const hash = await wallet.deployContract({ abi, bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress) throw new Error("a demo upkeep target failed to deploy");
    return receipt.contractAddress;
  };
  const counterOf = compiled("@chainlink/contracts/src/v0.8/automation/testhelpers/UpkeepCounter.sol", "UpkeepCounter");
  const chainlinkCounter = await deploy(counterOf, [10n ** 9n, 20n]);
  const intervalTarget = await deploy(compiled("contracts/mocks/AutomationTargets.sol", "AutomationTestTarget"));
  const logCounter = await deploy(compiled("contracts/mocks/AutomationTargets.sol", "AutomationCounter"));
  const common = {
    performGasLimit: 300_000,
    maxGasPrice: parseGwei("100"),
    maxPremium: parseGwei("30000"),
    balance: parseEther("5"),
  };
  const performed = encodeEventTopics({ abi: automationTestTargetAbi, eventName: "Performed" })[0]!;
  const upkeeps: [string, Parameters<typeof prepareRegisterUpkeep>[1]][] = [
    [
      "condition: Chainlink UpkeepCounter, due every 20 s",
      { ...common, target: chainlinkCounter, trigger: { kind: "condition" } },
    ],
    ["interval: every 30 s", { ...common, target: intervalTarget, trigger: { kind: "interval", seconds: 30 } }],
    [
      "log: the interval target's Performed event",
      {
        ...common,
        target: logCounter,
        trigger: { kind: "log", filter: { emitter: intervalTarget, topic0: performed } },
      },
    ],
  ];
  const out = [];
  for (const [label, r] of upkeeps) {
    const { result: upkeepId } = await send(wallet, publicClient, prepareRegisterUpkeep(registry, r));
    out.push({ upkeepId, label });
  }
  return out;
}

/** Switches the node to one block per second, so chain time follows the wall clock. */
export async function startIntervalMining(rpcUrl: string) {
  const call = (method: string, params: unknown[]) =>
    fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
  await call("evm_setAutomine", [false]);
  await call("evm_setIntervalMining", [1000]);
}

// CLI: `tsx scripts/demo.ts <prepare|seed|workflow|upkeeps|mine> <rpcUrl> [stateDir|moduleBase]` prints JSON.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const [cmd, rpcUrl, arg] = process.argv.slice(2);
  const run = async () => {
    if (cmd === "prepare") return prepareKeepers(rpcUrl, arg);
    if (cmd === "seed") return seedJobs(rpcUrl, arg);
    if (cmd === "workflow") return seedWorkflow(rpcUrl, arg);
    if (cmd === "upkeeps") return seedUpkeeps(rpcUrl);
    if (cmd === "corpus") return DEMO_CORPUS;
    if (cmd === "web-config") {
      const [moduleBase, file, indexerUrl] = arg.split("|");
      return writeWebConfig(rpcUrl, moduleBase, file, indexerUrl);
    }
    if (cmd === "mine") return startIntervalMining(rpcUrl);
    throw new Error(`unknown command ${cmd}`);
  };
  run()
    .then((r) => console.log(JSON.stringify(r ?? {}, (_k, v) => (typeof v === "bigint" ? v.toString() : v))))
    .catch((e: Error) => {
      console.error(e.message);
      process.exit(1);
    });
}
