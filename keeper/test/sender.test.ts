import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeFunctionData,
  encodeFunctionData,
  keccak256,
  parseEventLogs,
  parseEther,
  toHex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { pino } from "pino";
import {
  automationCall,
  automationRegistryAbi,
  computeCommitment,
  computeLeaseCommitment,
  encodeCall,
  jobMarketAbi,
  newSalt,
  packTerms,
  prepareRegisterUpkeep,
  ZERO_ADDRESS,
} from "@baton/sdk";
import { artifact } from "@baton/testkit/artifacts";
import { sampleSpec } from "@baton/testkit";
import { market } from "./helpers/market.js";
import { Metrics } from "../src/metrics.js";
import { TxSender } from "../src/sender.js";
import { Store } from "../src/store.js";
import { account, deployBaton, privateKeyOf, startDevnet, type Deployment, type Devnet } from "@baton/testkit/devnet";

// The outbox sender against a real node: crash between signing and broadcasting, replacement of a
// stuck transaction, and a refused step that must not block the ones behind it.

let net: Devnet;
let dep: Deployment;
const log = pino({ level: "silent" });
const KEY = 6;

beforeAll(async () => {
  net = await startDevnet();
  dep = await deployBaton(net);
});

afterAll(async () => {
  await net?.stop();
});

function registerCall(uri: string) {
  return encodeFunctionData({ abi: jobMarketAbi, functionName: "register", args: [[], uri] });
}

function sender(store: Store, client: PublicClient = net.publicClient, replaceAfterBlocks = 3, key = KEY) {
  return new TxSender(
    store,
    client as never,
    privateKeyToAccount(privateKeyOf(key)),
    { replaceAfterBlocks },
    log,
    new Metrics(),
  );
}

function bundlingSender(store: Store, key: number) {
  return new TxSender(
    store,
    net.publicClient as never,
    privateKeyToAccount(privateKeyOf(key)),
    { replaceAfterBlocks: 3, bundle: true, market: dep.market },
    log,
    new Metrics(),
  );
}

async function head() {
  return net.publicClient.getBlockNumber({ cacheTime: 0 });
}

describe("TxSender", () => {
  it("after a crash between signing and broadcasting, sends the recorded bytes, not a second transaction", async () => {
    const store = new Store(":memory:");
    store.enqueue({ key: "register:a", kind: "register", to: dep.market, data: registerCall("a") });
    // The first process signs and records, then dies before the node hears of it.
    const crashing = {
      ...net.publicClient,
      sendRawTransaction: async () => Promise.reject(new Error("process killed")),
    } as unknown as PublicClient;
    await sender(store, crashing).tick(await head());
    const item = store.outboxItem("register:a")!;
    expect(item.status).toBe("signed");
    const [signed] = store.attempts(item.id);
    const nonceBefore = await net.publicClient.getTransactionCount({ address: account(KEY).address });

    // The restarted process finds the signed bytes and broadcasts exactly those.
    await sender(store).tick(await head());
    const receipt = await net.publicClient.waitForTransactionReceipt({ hash: signed.hash });
    expect(receipt.status).toBe("success");
    await sender(store).tick(await head());
    expect(store.outboxItem("register:a")!.status).toBe("mined");
    expect(store.attempts(item.id)).toHaveLength(1);
    expect(await net.publicClient.getTransactionCount({ address: account(KEY).address })).toBe(nonceBefore + 1);
  });

  it("replaces a transaction stuck below the base fee with fees raised by at least 10%", async () => {
    // Without automine the node keeps underpriced transactions pending, as a real mempool does.
    await net.testClient.setAutomine(false);
    const store = new Store(":memory:");
    store.enqueue({ key: "register:b", kind: "register", to: dep.market, data: registerCall("b") });
    const block = await net.publicClient.getBlock();
    // Fees far below the base fee: the node keeps the transaction pending.
    const cheap = {
      ...net.publicClient,
      estimateFeesPerGas: async () => ({ maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }),
    } as unknown as PublicClient;
    await sender(store, cheap, 2).tick(await head());
    const item = store.outboxItem("register:b")!;
    expect(item.status).toBe("sent");
    expect(block.baseFeePerGas! > 1n).toBe(true);
    await net.testClient.mine({ blocks: 2 });
    expect(
      await net.publicClient.getTransactionReceipt({ hash: store.attempts(item.id)[0].hash }).catch(() => null),
    ).toBeNull();

    // Two blocks later the sender replaces it with market fees, at the same nonce.
    await sender(store, net.publicClient, 2).tick(await head());
    const attempts = store.attempts(item.id);
    expect(attempts).toHaveLength(2);
    expect(attempts[1].nonce).toBe(attempts[0].nonce);
    expect(attempts[1].maxPriorityFee * 100n).toBeGreaterThanOrEqual(attempts[0].maxPriorityFee * 110n);
    await net.testClient.mine({ blocks: 1 });
    await sender(store, net.publicClient, 2).tick(await head());
    expect(store.outboxItem("register:b")!.status).toBe("mined");
    expect((await net.publicClient.getTransactionReceipt({ hash: attempts[1].hash })).status).toBe("success");
    await net.testClient.setAutomine(true);
  });

  it("sends the steps whose window closes on the keeper first, reading the fees once a pass", async () => {
    const KEY_ORDER = 11;
    const store = new Store(":memory:");
    // Plain transfers stand in for the steps: what matters is each step's kind and queue position.
    const to = account(12).address;
    for (const [key, kind] of [
      ["settle:1:0", "settle"],
      ["advance:1:0", "advance"],
      ["commit:2:0", "commit"],
      ["reveal:3:0", "reveal"],
      ["submit:4:0", "submit"],
    ] as const) {
      store.enqueue({ key, kind, to, data: "0x" });
    }
    let feeReads = 0;
    const counting = {
      ...net.publicClient,
      estimateFeesPerGas: async () => {
        feeReads++;
        return net.publicClient.estimateFeesPerGas();
      },
    } as unknown as PublicClient;
    await sender(store, counting, 3, KEY_ORDER).tick(await head());
    const nonceOf = (key: string) => store.attempts(store.outboxItem(key)!.id)[0].nonce;
    const order = ["settle:1:0", "advance:1:0", "commit:2:0", "reveal:3:0", "submit:4:0"].sort(
      (a, b) => nonceOf(a) - nonceOf(b),
    );
    expect(order).toEqual(["commit:2:0", "reveal:3:0", "submit:4:0", "settle:1:0", "advance:1:0"]);
    expect(feeReads).toBe(1);
  });

  it("counts the wait before a fee bump from the broadcast, not from the start of a slow pass", async () => {
    await net.testClient.setAutomine(false);
    const store = new Store(":memory:");
    store.enqueue({ key: "register:slow", kind: "register", to: dep.market, data: registerCall("slow") });
    // A pass behind a slow endpoint: three blocks go by while the transaction is broadcast, and its
    // fees are far below the base fee, so it stays pending.
    const slow = {
      ...net.publicClient,
      estimateFeesPerGas: async () => ({ maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }),
      sendRawTransaction: async (args: { serializedTransaction: `0x${string}` }) => {
        const hash = await net.publicClient.sendRawTransaction(args);
        await net.testClient.mine({ blocks: 3 });
        return hash;
      },
    } as unknown as PublicClient;
    await sender(store, slow, 2).tick(await head());
    const item = store.outboxItem("register:slow")!;
    expect(item.status).toBe("sent");

    // The next pass, at once: the transaction went out zero blocks ago, whatever the last pass's start.
    await sender(store, net.publicClient, 2).tick(await head());
    expect(store.attempts(item.id)).toHaveLength(1);
    // Two blocks after the broadcast it is replaced, as configured.
    await net.testClient.mine({ blocks: 2 });
    await sender(store, net.publicClient, 2).tick(await head());
    expect(store.attempts(item.id)).toHaveLength(2);
    await net.testClient.mine({ blocks: 1 });
    await sender(store, net.publicClient, 2).tick(await head());
    expect(store.outboxItem("register:slow")!.status).toBe("mined");
    await net.testClient.setAutomine(true);
  });

  it("skips a step the contract refuses, with its error name, and still sends the next one", async () => {
    const store = new Store(":memory:");
    store.enqueue({
      key: "withdraw",
      kind: "withdraw",
      to: dep.market,
      data: encodeFunctionData({
        abi: jobMarketAbi,
        functionName: "withdraw",
        args: [ZERO_ADDRESS],
      }),
    });
    store.enqueue({
      key: "stake",
      kind: "stake",
      to: dep.market,
      data: encodeFunctionData({ abi: jobMarketAbi, functionName: "depositStake" }),
      value: parseEther("1"),
    });
    await sender(store).tick(await head());
    expect(store.outboxItem("withdraw")).toMatchObject({ status: "skipped", error: "JobMarketNothingToWithdraw" });
    expect(store.outboxItem("stake")!.status).toBe("sent");
    expect(store.attempts(store.outboxItem("withdraw")!.id)).toHaveLength(0);
  });

  it("finds a lost race by simulation before broadcast: no transaction, an info line, the step skipped", async () => {
    const WINNER = 13;
    const baton = market(net, dep);
    await baton.setupWorker(WINNER);
    const windows = { commitWindow: 10, revealWindow: 10, executionWindow: 60, challengeWindow: 5 };
    const { jobId, terms } = await baton.post(await baton.terms(windows), sampleSpec);
    const packed = packTerms(terms);
    const price = parseEther("0.05");
    const salt = newSalt();
    const bid = { chainId: net.chain.id, market: dep.market, jobId, round: 0, bidder: account(WINNER).address };
    const later = async (seconds: number) => {
      await net.testClient.increaseTime({ seconds });
      await net.testClient.mine({ blocks: 1 });
    };
    await baton.send(WINNER, "commitBid", [jobId, packed, computeCommitment({ ...bid, price, salt })]);
    await later(windows.commitWindow);
    await baton.send(WINNER, "revealBid", [jobId, packed, price, salt]);
    await later(windows.revealWindow);
    const result = toHex("counted");
    const resultHash = keccak256(result);
    await baton.send(WINNER, "submitResult", [jobId, packed, resultHash, result]);
    await later(windows.challengeWindow);

    // This keeper planned its turn to settle; the winner settles first, before the keeper's sender runs.
    const store = new Store(":memory:");
    store.enqueue({
      key: `settle:${jobId}`,
      kind: "settle",
      jobId,
      to: dep.market,
      data: encodeFunctionData({ abi: jobMarketAbi, functionName: "settle", args: [jobId, packed, resultHash] }),
    });
    await baton.send(WINNER, "settle", [jobId, packed, resultHash]);
    const lines: { level: number; msg: string; step?: string; error?: string }[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const nonce = await net.publicClient.getTransactionCount({ address: account(KEY).address });
    const metrics = new Metrics();
    await new TxSender(
      store,
      net.publicClient as never,
      privateKeyToAccount(privateKeyOf(KEY)),
      { replaceAfterBlocks: 3 },
      logger,
      metrics,
    ).tick(await head());

    const item = store.outboxItem(`settle:${jobId}`)!;
    expect(item).toMatchObject({ status: "skipped", error: "JobMarketUnexpectedState" });
    expect(store.attempts(item.id)).toHaveLength(0);
    expect(await net.publicClient.getTransactionCount({ address: account(KEY).address })).toBe(nonce);
    // Logged as a step that is no longer needed, at info: a lost race is routine, not a warning.
    const line = lines.find((l) => l.step === `settle:${jobId}`)!;
    expect(line).toMatchObject({ level: 30, msg: "step no longer needed", error: "JobMarketUnexpectedState" });
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    const skipped = (await metrics.txSkipped.get()).values;
    expect(skipped).toContainEqual(
      expect.objectContaining({ value: 1, labels: { kind: "settle", reason: "JobMarketUnexpectedState" } }),
    );
  });

  it("skips, without a transaction, a commit whose window closes before the next block; sends one still open", async () => {
    const BIDDER = 14;
    const baton = market(net, dep);
    await baton.setupWorker(BIDDER);
    const terms = await baton.terms();
    const jobs = [await baton.post(terms, sampleSpec), await baton.post(terms, sampleSpec)];
    const block = await net.publicClient.getBlock({ blockTag: "latest" });
    const headTime = Number(block.timestamp);
    const store = new Store(":memory:");
    // The first job's window closes at the head's own second (a pass that learnt of it too late);
    // the second's a minute on. Both commits still simulate: the node's next block is not mined yet.
    for (const [i, { jobId }] of jobs.entries()) {
      const commitment = computeCommitment({
        chainId: net.chain.id,
        market: dep.market,
        jobId,
        round: 0,
        bidder: account(BIDDER).address,
        price: parseEther("0.05"),
        salt: newSalt(),
      });
      store.enqueue({
        key: `commit:${jobId}`,
        kind: "commit",
        jobId,
        to: dep.market,
        data: encodeFunctionData({
          abi: jobMarketAbi,
          functionName: "commitBid",
          args: [jobId, packTerms(terms), commitment],
        }),
        notAfter: i === 0 ? headTime : headTime + 60,
      });
    }
    const lines: { level: number; msg: string; step?: string }[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    await new TxSender(
      store,
      net.publicClient as never,
      privateKeyToAccount(privateKeyOf(BIDDER)),
      { replaceAfterBlocks: 3 },
      logger,
      new Metrics(),
    ).tick(block.number!, headTime);
    const [late, open] = jobs.map(({ jobId }) => store.outboxItem(`commit:${jobId}`)!);
    expect(late).toMatchObject({ status: "skipped", error: "WindowClosing" });
    expect(store.attempts(late!.id)).toHaveLength(0);
    expect(lines.find((l) => l.step === late!.key)).toMatchObject({
      level: 30,
      msg: "step window closes before a block can carry it",
    });
    expect(open!.status).toBe("sent");
  });

  it("bundles a pass's market steps into one multicall transaction, leaving out a refused one", async () => {
    const BUNDLER = 9;
    const store = new Store(":memory:");
    store.enqueue({ key: "register:1", kind: "register", to: dep.market, data: registerCall("one") });
    store.enqueue({
      key: "withdraw",
      kind: "withdraw",
      to: dep.market,
      data: encodeFunctionData({ abi: jobMarketAbi, functionName: "withdraw", args: [ZERO_ADDRESS] }),
    });
    store.enqueue({ key: "register:2", kind: "register", to: dep.market, data: registerCall("two") });
    store.enqueue({ key: "register:3", kind: "register", to: dep.market, data: registerCall("three") });
    const nonceBefore = await net.publicClient.getTransactionCount({ address: account(BUNDLER).address });

    await bundlingSender(store, BUNDLER).tick(await head());
    expect(store.outboxItem("withdraw")).toMatchObject({ status: "skipped", error: "JobMarketNothingToWithdraw" });
    const members = ["register:1", "register:2", "register:3"].map((k) => store.outboxItem(k)!);
    const batchId = members[0].batchId!;
    expect(members.map((m) => [m.status, m.batchId])).toEqual(Array(3).fill(["batched", batchId]));
    const [attempt] = store.attempts(batchId);
    const receipt = await net.publicClient.waitForTransactionReceipt({ hash: attempt.hash });
    expect(receipt.status).toBe("success");
    const tx = await net.publicClient.getTransaction({ hash: attempt.hash });
    const call = decodeFunctionData({ abi: jobMarketAbi, data: tx.input });
    expect(call.functionName).toBe("multicall");
    expect(call.args![0]).toEqual(members.map((m) => m.data));
    const registered = parseEventLogs({ abi: jobMarketAbi, logs: receipt.logs, eventName: "WorkerRegistered" });
    expect(registered.map((l) => l.args.metadataURI)).toEqual(["one", "two", "three"]);

    await bundlingSender(store, BUNDLER).tick(await head());
    expect(["register:1", "register:2", "register:3"].map((k) => store.outboxItem(k)!.status)).toEqual([
      "mined",
      "mined",
      "mined",
    ]);
    expect(await net.publicClient.getTransactionCount({ address: account(BUNDLER).address })).toBe(nonceBefore + 1);
  });

  it("bundles a pass's lease commits into the registry's multicall, and sends a perform alone", async () => {
    const BIDDER = 11;
    const registry = dep.automation;
    const write = async (
      from: number,
      w: { address: `0x${string}`; abi: unknown; functionName: string; args?: unknown; value?: bigint },
    ) => {
      const hash = await net.wallet(from).writeContract({ account: account(from), chain: net.chain, ...w } as never);
      return net.publicClient.waitForTransactionReceipt({ hash });
    };
    await write(BIDDER, automationCall(registry, "register", [[], "bidder"]));
    await write(BIDDER, automationCall(registry, "depositStake", [], parseEther("1")));
    const { abi, bytecode } = artifact("mocks/AutomationTargets.sol", "AutomationTestTarget");
    const deployed = await net.wallet(1).deployContract({ abi, bytecode, account: account(1), chain: net.chain });
    const target = (await net.publicClient.waitForTransactionReceipt({ hash: deployed })).contractAddress!;
    const ids: bigint[] = [];
    for (let i = 0; i < 2; i++) {
      await write(
        1,
        prepareRegisterUpkeep(registry, {
          target,
          trigger: { kind: "condition" },
          performGasLimit: 100_000,
          maxGasPrice: 10n ** 11n,
          maxPremium: 1_000n,
          balance: parseEther("0.1"),
        }),
      );
      ids.push(
        await net.publicClient.readContract({
          address: registry,
          abi: automationRegistryAbi,
          functionName: "upkeepCount",
        }),
      );
    }
    // To the start of the next epoch: its commit window is open.
    const now = Number((await net.publicClient.getBlock()).timestamp);
    const { epoch: length } = await net.publicClient.readContract({
      address: registry,
      abi: automationRegistryAbi,
      functionName: "params",
    });
    const next = Math.floor(now / length) + 1;
    await net.testClient.setNextBlockTimestamp({ timestamp: BigInt(next * length) });
    await net.testClient.mine({ blocks: 1 });
    const store = new Store(":memory:");
    for (const id of ids) {
      const commitment = computeLeaseCommitment(id, next + 1, account(BIDDER).address, 10n, newSalt());
      store.enqueue({
        key: `lease-commit:${id}`,
        kind: "leaseCommit",
        ...encodeCall(automationCall(registry, "commitLease", [id, next + 1, commitment])),
      });
    }
    await write(1, { address: target, abi, functionName: "setNeeded", args: [true] });
    store.enqueue({
      key: "perform",
      kind: "perform",
      ...encodeCall(automationCall(registry, "performCondition", [ids[0]!, "0x"])),
    });
    const nonceBefore = await net.publicClient.getTransactionCount({ address: account(BIDDER).address });

    const s = new TxSender(
      store,
      net.publicClient as never,
      privateKeyToAccount(privateKeyOf(BIDDER)),
      { replaceAfterBlocks: 3, automationRegistry: registry },
      log,
      new Metrics(),
    );
    await s.tick(await head());
    const perform = store.outboxItem("perform")!;
    expect(perform.batchId).toBeNull();
    const commits = ids.map((id) => store.outboxItem(`lease-commit:${id}`)!);
    expect(commits.map((c) => c.status)).toEqual(["batched", "batched"]);
    const [attempt] = store.attempts(commits[0]!.batchId!);
    const receipt = await net.publicClient.waitForTransactionReceipt({ hash: attempt!.hash });
    const call = decodeFunctionData({
      abi: automationRegistryAbi,
      data: (await net.publicClient.getTransaction({ hash: attempt!.hash })).input,
    });
    expect(call.functionName).toBe("multicall");
    const committed = parseEventLogs({
      abi: automationRegistryAbi,
      logs: receipt.logs,
      eventName: "LeaseBidCommitted",
    });
    expect(committed.map((l) => l.args.upkeepId)).toEqual(ids);
    expect(committed.every((l) => l.args.bidder === account(BIDDER).address)).toBe(true);
    // The perform went alone: two transactions in all.
    await s.tick(await head());
    expect(await net.publicClient.getTransactionCount({ address: account(BIDDER).address })).toBe(nonceBefore + 2);
    expect(store.outboxItem("perform")!.status).toBe("mined");
  });

  it("bundles a pass's steps of one kind into the market's batch function (commitBids)", async () => {
    const BUNDLER = 11;
    const baton = market(net, dep);
    await baton.setupWorker(BUNDLER);
    const terms = await baton.terms();
    const jobs = [await baton.post(terms, sampleSpec), await baton.post(terms, sampleSpec)];
    const store = new Store(":memory:");
    for (const { jobId } of jobs) {
      const commitment = computeCommitment({
        chainId: net.chain.id,
        market: dep.market,
        jobId,
        round: 0,
        bidder: account(BUNDLER).address,
        price: parseEther("0.05"),
        salt: newSalt(),
      });
      store.enqueue({
        key: `commit:${jobId}`,
        kind: "commit",
        to: dep.market,
        data: encodeFunctionData({
          abi: jobMarketAbi,
          functionName: "commitBid",
          args: [jobId, packTerms(terms), commitment],
        }),
      });
    }
    await bundlingSender(store, BUNDLER).tick(await head());
    const batchId = store.outboxItem(`commit:${jobs[0]!.jobId}`)!.batchId!;
    const [attempt] = store.attempts(batchId);
    const tx = await net.publicClient.getTransaction({ hash: attempt!.hash });
    const call = decodeFunctionData({ abi: jobMarketAbi, data: tx.input });
    expect(call.functionName).toBe("commitBids");
    expect(call.args![0]).toEqual(jobs.map((j) => j.jobId));
    const receipt = await net.publicClient.waitForTransactionReceipt({ hash: attempt!.hash });
    const committed = parseEventLogs({ abi: jobMarketAbi, logs: receipt.logs, eventName: "BidCommitted" });
    expect(committed.map((l) => [l.args.jobId, l.args.bidder])).toEqual(
      jobs.map((j) => [j.jobId, account(BUNDLER).address]),
    );
  });

  it("sends alone, one transaction each, the steps of a batch that reverted", async () => {
    const BUNDLER = 10;
    const store = new Store(":memory:");
    store.enqueue({ key: "register:a", kind: "register", to: dep.market, data: registerCall("a") });
    store.enqueue({ key: "register:b", kind: "register", to: dep.market, data: registerCall("b") });
    const batch = store.bundle(
      ["register:a", "register:b"].map((k) => store.outboxItem(k)!),
      { to: dep.market, data: "0x" },
    );
    store.setOutboxStatus(batch.id, "reverted");
    store.settleBatch(batch.id, false, 1n);
    const nonceBefore = await net.publicClient.getTransactionCount({ address: account(BUNDLER).address });
    await bundlingSender(store, BUNDLER).tick(await head());
    for (const key of ["register:a", "register:b"]) {
      const item = store.outboxItem(key)!;
      expect(item.status).toBe("sent");
      expect(store.attempts(item.id)).toHaveLength(1);
    }
    expect(store.outboxItem(batch.key)!.status).toBe("reverted");
    await bundlingSender(store, BUNDLER).tick(await head());
    expect(await net.publicClient.getTransactionCount({ address: account(BUNDLER).address })).toBe(nonceBefore + 2);
  });
});
