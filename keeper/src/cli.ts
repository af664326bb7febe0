import { Command, Option } from "commander";
import { pino, type Logger } from "pino";
import {
  createWalletClient,
  formatEther,
  http,
  parseEther,
  stringToHex,
  type Address,
  type Hex,
  type TransactionReceipt,
} from "viem";
import {
  automationCall,
  automationRegistryAbi,
  BatonContractError,
  jobMarketAbi,
  marketCall,
  send,
  TransactionRevertedError,
  ZERO_ADDRESS,
  type ContractWrite,
} from "@baton/sdk";
import { ConfigError, loadConfig, loadSecrets, type KeeperConfig } from "./config.js";
import { chainFor, makeAccount, makePublicClient } from "./chain.js";
import { Keeper } from "./keeper.js";
import { Store } from "./store.js";

const program = new Command()
  .name("baton-keeper")
  .description(
    "An autonomous Baton worker: watches the job market, bids in sealed auctions, executes jobs, submits results and settles.",
  )
  .addOption(
    new Option(
      "-c, --config <file>",
      "JSON config file (fields can be overridden by BATON_* environment variables)",
    ).env("BATON_CONFIG"),
  )
  .addOption(
    new Option(
      "--address-book <file>",
      "the deployment's address book (deployments/<chainId>.json): fills in chainId, market, committeeArbiter, orchestrator, multicall3 and startBlock where the config leaves them out",
    ).env("BATON_ADDRESS_BOOK"),
  )
  .showHelpAfterError();

function logger(): Logger {
  return pino({
    level: process.env.BATON_LOG_LEVEL ?? "info",
    base: { app: "baton-keeper" },
    redact: ["privateKey", "*.privateKey", "secrets"],
  });
}

function configFromOpts(): KeeperConfig {
  const opts = program.opts<{ config?: string; addressBook?: string }>();
  return loadConfig(opts.config, process.env, opts.addressBook);
}

program
  .command("start")
  .description(
    "Run the keeper until SIGINT or SIGTERM (graceful: stops taking work, records in-flight state, exits 0 within 30 s).",
  )
  .action(async () => {
    const cfg = configFromOpts();
    const account = makeAccount(await loadSecrets());
    const log = logger();
    const keeper = new Keeper(cfg, account, log);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "shutting down");
      const force = setTimeout(() => {
        log.error("shutdown took longer than 30 s; exiting");
        process.exit(1);
      }, 30_000);
      force.unref();
      keeper.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    await keeper.run();
  });

program
  .command("status")
  .description("Print what the keeper knows (sync cursor, jobs, outbox) and its worker account on chain.")
  .action(async () => {
    const cfg = configFromOpts();
    const store = new Store(cfg.dbPath);
    const out: Record<string, unknown> = {
      database: cfg.dbPath,
      syncedBlock: store.cursor()?.toString() ?? null,
      jobs: store.countJobs(),
      outbox: store.outboxCounts(),
      ...(cfg.automationRegistry
        ? {
            automation: {
              syncedBlock: store.automationCursor()?.toString() ?? null,
              upkeeps: store.upkeeps().length,
              openLeaseBids: store.openLeaseBids().length,
            },
          }
        : {}),
    };
    store.close();
    try {
      const account = makeAccount(await loadSecrets());
      const client = makePublicClient(cfg);
      const market = cfg.market as `0x${string}`;
      const [worker, credits, head] = await Promise.all([
        client.readContract({ address: market, abi: jobMarketAbi, functionName: "getWorker", args: [account.address] }),
        client.readContract({
          address: market,
          abi: jobMarketAbi,
          functionName: "creditOf",
          args: [account.address, ZERO_ADDRESS],
        }),
        client.getBlockNumber(),
      ]);
      Object.assign(out, {
        address: account.address,
        head: head.toString(),
        registered: worker.registered,
        stakeEth: formatEther(worker.stake),
        lockedEth: formatEther(worker.locked),
        completed: Number(worker.completed),
        noShows: Number(worker.noShows),
        disputesLost: Number(worker.disputesLost),
        creditsEth: formatEther(credits),
      });
      if (cfg.automationRegistry) {
        const registry = cfg.automationRegistry as `0x${string}`;
        const [w, earned] = await Promise.all([
          client.readContract({
            address: registry,
            abi: automationRegistryAbi,
            functionName: "getWorker",
            args: [account.address],
          }),
          client.readContract({
            address: registry,
            abi: automationRegistryAbi,
            functionName: "creditsOf",
            args: [account.address],
          }),
        ]);
        Object.assign(out.automation as object, {
          registry,
          registered: w.registered,
          stakeEth: formatEther(w.stake),
          lockedEth: formatEther(w.locked),
          creditsEth: formatEther(earned),
        });
      }
    } catch (error) {
      out.chain = `unavailable: ${(error as Error).message.split("\n")[0]}`;
    }
    console.log(JSON.stringify(out, null, 2));
  });

/**
 * Sends one transaction to the market through the sdk's `send` (simulate, estimate under the gas
 * cap, send, wait) and prints its outcome; a refusal by the contract is an error naming it.
 */
async function sendToMarket(build: (market: Address, me: Address) => ContractWrite) {
  return sendWrite((cfg, me) => build(cfg.market as Address, me));
}

/** Sends one transaction to the automation registry (its worker account: register, stake, credits). */
async function sendToRegistry(build: (registry: Address, me: Address) => ContractWrite) {
  return sendWrite((cfg, me) => {
    if (!cfg.automationRegistry) {
      throw new ConfigError("automationRegistry", "is required with --automation (or an address book that has one)");
    }
    return build(cfg.automationRegistry as Address, me);
  });
}

async function sendWrite(build: (cfg: KeeperConfig, me: Address) => ContractWrite) {
  const cfg = configFromOpts();
  const account = makeAccount(await loadSecrets());
  const client = makePublicClient(cfg);
  const wallet = createWalletClient({ account, chain: chainFor(cfg), transport: http(cfg.rpcUrls[0]) });
  const write = build(cfg, account.address);
  const outcome = (tx: Hex, receipt: TransactionReceipt) =>
    console.log(
      JSON.stringify({
        function: write.functionName,
        tx,
        block: receipt.blockNumber.toString(),
        status: receipt.status,
      }),
    );
  try {
    const { hash, receipt } = await send(wallet, client, write);
    outcome(hash, receipt);
  } catch (error) {
    if (error instanceof TransactionRevertedError) {
      // Mined, but the state changed between simulation and inclusion.
      outcome(error.hash, error.receipt);
      process.exitCode = 1;
      return;
    }
    throw new Error(
      error instanceof BatonContractError
        ? `${write.functionName} refused by the contract: ${
            error.errorName ? `${error.errorName}(${error.args.map(String).join(", ")})` : error.message
          }`
        : (error as Error).message.split("\n")[0],
      { cause: error },
    );
  }
}

const amount = (v: string) => {
  try {
    return parseEther(v);
  } catch {
    throw new Error(`--amount must be an ETH amount like 1.5, got ${v}`);
  }
};

/** `--automation`: the command acts on the keeper's account in the automation registry instead of the market. */
const automationOption = () =>
  new Option("--automation", "act on the keeper's account in the automation registry (it stakes there apart)");

program
  .command("register")
  .description("Register the keeper's account as a worker (or update its profile).")
  .requiredOption("--capability <kind...>", "executor kinds served: wasm, http.json, contract.call, automation")
  .option("--metadata-uri <uri>", "where the worker describes itself", "")
  .addOption(automationOption())
  .action(async (o: { capability: string[]; metadataUri: string; automation?: boolean }) => {
    const caps = o.capability.map((c) => stringToHex(c, { size: 32 }));
    if (o.automation) return sendToRegistry((r) => automationCall(r, "register", [caps, o.metadataUri]));
    await sendToMarket((market) => marketCall(market, "register", [caps, o.metadataUri]));
  });

program
  .command("stake")
  .description("Add ETH to the worker's stake.")
  .requiredOption("--amount <eth>", "ETH to stake, e.g. 2.5")
  .addOption(automationOption())
  .action(async (o: { amount: string; automation?: boolean }) =>
    o.automation
      ? sendToRegistry((r) => automationCall(r, "depositStake", [], amount(o.amount)))
      : sendToMarket((market) => marketCall(market, "depositStake", [], amount(o.amount))),
  );

program
  .command("unstake")
  .description("Start unbonding free stake; withdraw it with `withdraw --stake` after the unbonding delay.")
  .requiredOption("--amount <eth>", "ETH to unbond")
  .addOption(automationOption())
  .action(async (o: { amount: string; automation?: boolean }) =>
    o.automation
      ? sendToRegistry((r) => automationCall(r, "requestUnbond", [amount(o.amount)]))
      : sendToMarket((market) => marketCall(market, "requestUnbond", [amount(o.amount)])),
  );

program
  .command("withdraw")
  .description("Withdraw earned credits (ETH by default, or --token), or unbonded stake with --stake.")
  .option("--token <address>", "ERC-20 token to withdraw credits in")
  .option("--stake", "withdraw stake whose unbonding delay has passed")
  .addOption(automationOption())
  .action(async (o: { token?: string; stake?: boolean; automation?: boolean }) => {
    if (o.automation) {
      if (o.stake) return sendToRegistry((r) => automationCall(r, "withdrawUnbonded", []));
      return sendToRegistry((r, me) => automationCall(r, "withdrawCredits", [me]));
    }
    if (o.stake) return sendToMarket((market) => marketCall(market, "withdrawUnbonded", []));
    const token = (o.token ?? ZERO_ADDRESS) as Address;
    return sendToMarket((market) => marketCall(market, "withdraw", [token]));
  });

program.parseAsync(process.argv).catch((error: Error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`baton-keeper: ${error.message}`);
  process.exit(2);
});
