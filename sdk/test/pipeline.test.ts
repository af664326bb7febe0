// The sdk's write pipeline and log reader against a real node: what every writer (dApp, CLI,
// scripts) and every log reader (keeper sync, dApp lists, workflow inputs) relies on.
import { parseEther, stringToHex, type Hex } from "viem";
import { beforeAll, describe, expect, it, inject } from "vitest";
import { sampleSpec } from "@baton/testkit";
import {
  BatonContractError,
  buildTerms,
  jobMarketAbi,
  LogCursor,
  LogFetchError,
  marketCall,
  parseJobPosted,
  postJob,
  preparePostJob,
  readLogs,
  send,
  topicOf,
  TransactionRevertedError,
  type AddressBook,
  type SendStage,
  packTerms,
  unpackTerms,
} from "../src/index.js";
import { accounts, clients, deployBaton, type RecordedRequest } from "./helpers/chain.js";

const rpcUrl = inject("rpcUrl");
const spec = sampleSpec;
const rpcError = (code: number, message: string) => Object.assign(new Error(message), { code });
const getLogsSpans = (log: RecordedRequest[]) =>
  log
    .filter((r) => r.method === "eth_getLogs")
    .map((r) => {
      const p = (r.params as [{ fromBlock: Hex; toBlock: Hex }])[0];
      return BigInt(p.toBlock) - BigInt(p.fromBlock) + 1n;
    });

describe.skipIf(!rpcUrl)(rpcUrl ? "the write pipeline and log reader" : "pipeline — skipped: no artifacts/", () => {
  const url = rpcUrl ?? "http://127.0.0.1:1";
  let book: AddressBook;
  beforeAll(async () => {
    book = await deployBaton(url);
  });

  describe("send", () => {
    it("simulates, estimates, signs and waits, reporting each stage and the function's result", async () => {
      const { publicClient, wallet } = clients(url);
      const terms = await buildTerms(publicClient, book, {
        requester: accounts[5]!.address,
        maxReward: parseEther("0.01"),
        bond: parseEther("0.001"),
      });
      const stages: [SendStage, Hex | undefined][] = [];
      const write = preparePostJob({ market: book.jobMarket, terms, spec });
      const sent = await send(wallet(5), publicClient, write, { onStage: (stage, hash) => stages.push([stage, hash]) });
      expect(stages.map(([s]) => s)).toEqual(["simulating", "signing", "pending"]);
      expect(stages[2]![1]).toBe(sent.hash);
      const [posted] = parseJobPosted(sent.receipt, book.jobMarket);
      expect(posted!.jobId).toBe(sent.result);
      expect(posted!.specHash).toBe(write.specHash);
    });

    it("sends nothing when the simulation reverts, and names the contract's error", async () => {
      const log: RecordedRequest[] = [];
      const { publicClient, wallet } = clients(url, log);
      const error = await send(
        wallet(6),
        publicClient,
        marketCall(book.jobMarket, "withdraw", [book.demoToken!]),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BatonContractError);
      expect((error as BatonContractError).errorName).toBe("JobMarketNothingToWithdraw");
      expect(log.map((r) => r.method)).not.toContain("eth_sendRawTransaction");
    });

    it("reports a transaction mined as reverted, with its hash and receipt", async () => {
      const { publicClient, wallet } = clients(url);
      const posted = await postJob(wallet(7), publicClient, {
        market: book.jobMarket,
        terms: await buildTerms(publicClient, book, {
          requester: accounts[7]!.address,
          maxReward: parseEther("0.01"),
          bond: parseEther("0.001"),
        }),
        spec,
      });
      const cancel = marketCall(book.jobMarket, "cancel", [posted.jobId, packTerms(posted.terms)]);
      await publicClient.request({ method: "evm_setAutomine" as never, params: [false] as never });
      try {
        // Both cancels simulate fine against the same state; the second one mined reverts.
        const pending = (label: string) =>
          new Promise<{ result: Promise<unknown> }>((resolve) => {
            const result = send(wallet(7), publicClient, cancel, {
              label,
              onStage: (stage) => stage === "pending" && resolve({ result }),
            }).catch((e: unknown) => e);
          });
        const first = await pending("first cancel");
        const second = await pending("second cancel");
        await publicClient.request({ method: "evm_mine" as never, params: [] as never });
        expect(await first.result).toMatchObject({ receipt: { status: "success" } });
        const error = await second.result;
        expect(error).toBeInstanceOf(TransactionRevertedError);
        expect((error as TransactionRevertedError).receipt.status).toBe("reverted");
        expect(String(error)).toContain("second cancel transaction");
      } finally {
        await publicClient.request({ method: "evm_setAutomine" as never, params: [true] as never });
      }
    });
  });

  describe("readLogs", () => {
    let firstJob: bigint;
    beforeAll(async () => {
      const { publicClient, wallet } = clients(url);
      await send(
        wallet(8),
        publicClient,
        marketCall(book.jobMarket, "register", [[stringToHex("wasm", { size: 32 })], ""]),
      );
      await send(wallet(8), publicClient, marketCall(book.jobMarket, "depositStake", [], parseEther("1")));
      const terms = await buildTerms(publicClient, book, {
        requester: accounts[9]!.address,
        maxReward: parseEther("0.01"),
        bond: parseEther("0.001"),
      });
      for (let i = 0; i < 4; i++) {
        const posted = await postJob(wallet(9), publicClient, { market: book.jobMarket, terms, spec });
        firstJob ??= posted.jobId;
      }
    });

    it("reads only the events named, of only the job asked for, typed by event name", async () => {
      const { publicClient } = clients(url);
      const logs = await readLogs(publicClient, {
        address: book.jobMarket,
        abi: jobMarketAbi,
        eventNames: ["JobPosted"],
        indexed: [topicOf(firstJob + 1n)],
        fromBlock: book.deploymentBlock,
      });
      expect(logs.map((l) => [l.eventName, l.args.jobId])).toEqual([["JobPosted", firstJob + 1n]]);
      const all = await readLogs(publicClient, {
        address: book.jobMarket,
        abi: jobMarketAbi,
        fromBlock: book.deploymentBlock,
      });
      expect(all.map((l) => l.eventName)).toEqual(
        expect.arrayContaining(["WorkerRegistered", "StakeDeposited", "JobPosted"]),
      );
      const order = all.map((l) => [l.blockNumber, l.logIndex] as const);
      expect([...order].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1))).toEqual(order);
    });

    it("cuts the window to the size a provider names, for any filter", async () => {
      const log: RecordedRequest[] = [];
      const { publicClient } = clients(url, log, (request) => {
        if (request.method !== "eth_getLogs") return;
        const p = (request.params as [{ fromBlock: Hex; toBlock: Hex }])[0];
        if (BigInt(p.toBlock) - BigInt(p.fromBlock) + 1n > 3n) {
          throw rpcError(-32602, "query exceeds max block range 3");
        }
      });
      const logs = await readLogs(publicClient, {
        address: book.jobMarket,
        abi: jobMarketAbi,
        indexed: [topicOf(firstJob)],
        fromBlock: 1n,
        windowSize: 100n,
      });
      expect(logs.map((l) => l.eventName)).toEqual(["JobPosted"]);
      // One refused request, then windows of the size the provider named.
      expect(
        getLogsSpans(log)
          .slice(1)
          .every((s) => s <= 3n),
      ).toBe(true);
      expect(getLogsSpans(log)[1]).toBe(3n);
    });

    it("follows the chain incrementally with a cursor that keeps a shrunk window", async () => {
      const log: RecordedRequest[] = [];
      const { publicClient, wallet } = clients(url, log, (request) => {
        if (request.method !== "eth_getLogs") return;
        const p = (request.params as [{ fromBlock: Hex; toBlock: Hex }])[0];
        if (BigInt(p.toBlock) - BigInt(p.fromBlock) + 1n > 4n) throw rpcError(-32005, "block range too large");
      });
      const cursor = new LogCursor(publicClient, {
        address: book.jobMarket,
        abi: jobMarketAbi,
        eventNames: ["JobPosted", "JobCancelled"],
        fromBlock: book.deploymentBlock,
        windowSize: 64n,
      });
      const head = await publicClient.getBlockNumber();
      const first = await cursor.next(head);
      expect(first.filter((l) => l.eventName === "JobPosted").length).toBeGreaterThanOrEqual(4);
      expect(cursor.nextBlock).toBe(head + 1n);
      expect(cursor.windowSize).toBeLessThanOrEqual(4n);
      expect(await cursor.next(head)).toEqual([]);

      const [firstPosted] = await readLogs(publicClient, {
        address: book.jobMarket,
        abi: jobMarketAbi,
        eventNames: ["JobPosted"],
        indexed: [topicOf(firstJob)],
        fromBlock: book.deploymentBlock,
        windowSize: 4n,
      });
      const refusedBefore = log.length;
      const posted = await postJob(wallet(9), publicClient, {
        market: book.jobMarket,
        terms: unpackTerms(firstPosted!.args.terms),
        spec,
      });
      const next = await cursor.next(posted.blockNumber);
      expect(next.map((l) => [l.eventName, l.args.jobId])).toEqual([["JobPosted", posted.jobId]]);
      // The shrunk window is remembered: no request of this pass was refused.
      expect(getLogsSpans(log.slice(refusedBefore)).every((s) => s <= 4n)).toBe(true);

      cursor.rewind(posted.blockNumber);
      expect((await cursor.next(posted.blockNumber)).map((l) => l.args.jobId)).toEqual([posted.jobId]);
    });

    it("reads a backfill in batches of about maxLogs when asked, moving only past each batch's windows", async () => {
      const { publicClient } = clients(url);
      const options = {
        address: book.jobMarket,
        abi: jobMarketAbi,
        eventNames: ["JobPosted"] as const,
        fromBlock: book.deploymentBlock,
      };
      const head = await publicClient.getBlockNumber();
      const all = await new LogCursor(publicClient, { ...options, windowSize: 64n }).next(head);
      expect(all.length).toBeGreaterThanOrEqual(4);
      // One block per window: each call stops after the window that brings it to two logs.
      const cursor = new LogCursor(publicClient, { ...options, windowSize: 1n });
      const batches: bigint[][] = [];
      while (cursor.nextBlock <= head) {
        const before = cursor.nextBlock;
        const batch = await cursor.next(head, { maxLogs: 2 });
        expect(cursor.nextBlock).toBeGreaterThan(before);
        if (cursor.nextBlock <= head) expect(batch.length).toBeGreaterThanOrEqual(2);
        batches.push(batch.map((l) => l.args.jobId));
      }
      expect(batches.length).toBeGreaterThan(1);
      expect(batches.flat()).toEqual(all.map((l) => l.args.jobId));
    });

    it("gives up with a clear error when even one block is too large", async () => {
      const { publicClient } = clients(url, [], (request) => {
        if (request.method === "eth_getLogs") throw rpcError(-32000, "exceed maximum block range: 0");
      });
      await expect(
        readLogs(publicClient, {
          address: book.jobMarket,
          abi: jobMarketAbi,
          indexed: [topicOf(1n)],
          fromBlock: 1n,
          toBlock: 4n,
        }),
      ).rejects.toThrow(LogFetchError);
    });
  });
});
