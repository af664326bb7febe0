// Batching and the result hash against a deployed market: `preparePostJobs` posts several jobs in
// one transaction, `prepareMulticall` runs a sender's own calls in one, `readResultHash` finds the
// hash the settling calls need, and `readEarnings` sums what the market no longer counts.
import { keccak256, parseEther, stringToHex, zeroAddress, zeroHash, type Hex } from "viem";
import { beforeAll, describe, expect, it, inject } from "vitest";
import {
  BatonContractError,
  JobState,
  buildTerms,
  computeCommitment,
  decodeMarketLogs,
  jobDigest,
  marketCall,
  newSalt,
  prepareMulticall,
  preparePostJobs,
  readEarnings,
  readJobs,
  readResultHash,
  send,
  type AddressBook,
  type JobTerms,
  packTerms,
} from "../src/index.js";
import { accounts, clients, deployBaton, increaseTime } from "./helpers/chain.js";

const rpcUrl = inject("rpcUrl");
const spec = (n: number) =>
  ({
    kind: "wasm",
    version: 1,
    module: { uri: "ipfs://bafkreiwordfreq", sha256: "0".repeat(64) },
    input: { encoding: "utf8", data: `job ${n}` },
  }) as const;

describe.skipIf(!rpcUrl)(
  rpcUrl ? "batched calls and result hashes" : "batched calls and result hashes — skipped: no artifacts/ to deploy",
  () => {
    let book: AddressBook;
    const { publicClient, wallet } = clients(rpcUrl ?? "http://127.0.0.1:1");
    const requester = wallet(2);
    const worker = wallet(8);
    const keeper = wallet(9);

    beforeAll(async () => {
      book = await deployBaton(rpcUrl!);
      await send(
        worker,
        publicClient,
        marketCall(book.jobMarket, "register", [[stringToHex("wasm", { size: 32 })], "https://workers.example/8"]),
      );
      await send(worker, publicClient, marketCall(book.jobMarket, "depositStake", [], parseEther("1")));
    });

    it("posts jobs in one transaction, bids, submits and settles them in one multicall each", async () => {
      const market = book.jobMarket;
      const base = { requester: accounts[2]!.address, bond: parseEther("0.01") };
      const terms: JobTerms[] = [
        await buildTerms(publicClient, book, { ...base, maxReward: parseEther("0.5") }),
        await buildTerms(publicClient, book, { ...base, maxReward: parseEther("0.25") }),
        await buildTerms(publicClient, book, { ...base, maxReward: parseEther("0.125") }),
      ];
      const post = preparePostJobs({ market, jobs: terms.map((t, i) => ({ terms: t, spec: spec(i) })) });
      expect(post.value).toBe(parseEther("0.875"));
      const { receipt, result: firstJobId } = await send(requester, publicClient, post);
      const postedLogs = decodeMarketLogs(receipt.logs, "JobPosted");
      expect(postedLogs.map((l) => l.args.jobId)).toEqual([firstJobId, firstJobId + 1n, firstJobId + 2n]);
      expect(postedLogs.map((l) => l.args.specHash)).toEqual(post.specHashes);
      const ids = postedLogs.map((l) => l.args.jobId);
      // Each job's stored digest is that of its id and terms, no result standing yet.
      const posted = await readJobs(publicClient, { market, multicall: book.multicall3, ids });
      posted.forEach((v, i) => expect(v.job.digest).toBe(jobDigest(ids[i]!, terms[i]!)));

      const chainId = await publicClient.getChainId();
      const bids = ids.map((jobId, i) => ({ jobId, price: terms[i]!.maxReward / 2n, salt: newSalt() }));
      const commits = bids.map((b, i) =>
        marketCall(market, "commitBid", [
          b.jobId,
          packTerms(terms[i]!),
          computeCommitment({ chainId, market, round: 0, bidder: worker.account.address, ...b }),
        ]),
      );
      const committed = await send(worker, publicClient, prepareMulticall({ market, calls: commits }));
      expect(decodeMarketLogs(committed.receipt.logs, "BidCommitted")).toHaveLength(3);
      await increaseTime(rpcUrl!, terms[0]!.commitWindow);
      await send(
        worker,
        publicClient,
        prepareMulticall({
          market,
          calls: bids.map((b, i) => marketCall(market, "revealBid", [b.jobId, packTerms(terms[i]!), b.price, b.salt])),
        }),
      );
      await increaseTime(rpcUrl!, terms[0]!.revealWindow);

      const results = ids.map((id) => stringToHex(`result of job ${id}`));
      const resultHashes = results.map((r) => keccak256(r));
      await send(
        worker,
        publicClient,
        prepareMulticall({
          market,
          calls: ids.map((id, i) =>
            marketCall(market, "submitResult", [id, packTerms(terms[i]!), resultHashes[i]!, results[i]!]),
          ),
        }),
      );
      for (const [i, id] of ids.entries()) {
        const standing = await readResultHash(publicClient, {
          address: market,
          jobId: id,
          fromBlock: book.deploymentBlock,
        });
        expect(standing).toBe(resultHashes[i]);
      }
      const submitted = await readJobs(publicClient, { market, multicall: book.multicall3, ids });
      submitted.forEach((v, i) => {
        expect(v.state).toBe(JobState.Submitted);
        expect(v.job.digest).toBe(jobDigest(ids[i]!, terms[i]!, resultHashes[i]!));
      });

      // While a result stands, a call without it no longer matches the job: the state moved on.
      const stale = send(keeper, publicClient, marketCall(market, "slashNoShow", [ids[0]!, packTerms(terms[0]!)]));
      await expect(stale).rejects.toBeInstanceOf(BatonContractError);
      await expect(stale).rejects.toMatchObject({ errorName: "JobMarketTermsMismatch", args: [ids[0]] });
      // So does a settlement with a wrong result hash, and one bad call reverts the whole batch.
      await increaseTime(rpcUrl!, terms[0]!.challengeWindow);
      const settles = ids.map((id, i) => marketCall(market, "settle", [id, packTerms(terms[i]!), resultHashes[i]!]));
      const wrong = send(
        keeper,
        publicClient,
        prepareMulticall({
          market,
          calls: [settles[0]!, marketCall(market, "settle", [ids[1]!, packTerms(terms[1]!), zeroHash])],
        }),
      );
      await expect(wrong).rejects.toMatchObject({ errorName: "JobMarketTermsMismatch", args: [ids[1]] });

      const settled = await send(keeper, publicClient, prepareMulticall({ market, calls: settles }));
      const settledLogs = decodeMarketLogs(settled.receipt.logs, "JobSettled");
      expect(settledLogs.map((l) => l.args.resultHash)).toEqual(resultHashes);
      const expected = settledLogs.reduce((sum, l) => sum + l.args.price - l.args.fee, 0n);
      expect(expected).toBeGreaterThan(0n);

      const earnings = await readEarnings(publicClient, {
        address: market,
        worker: worker.account.address,
        fromBlock: book.deploymentBlock,
      });
      expect([...earnings.entries()]).toEqual([[zeroAddress, expected]]);
      // A long history: the postings are read a few job ids per request, never one topic list of all.
      const topicLists: number[] = [];
      const recording = {
        request: ((args: { method: string; params?: unknown }) => {
          const filter = (args.params as [{ topics?: (Hex | Hex[] | null)[] }] | undefined)?.[0];
          const ids = filter?.topics?.[1];
          if (args.method === "eth_getLogs" && Array.isArray(ids)) topicLists.push(ids.length);
          return publicClient.request(args as never);
        }) as typeof publicClient.request,
      };
      const chunked = await readEarnings(recording, {
        address: market,
        worker: worker.account.address,
        fromBlock: book.deploymentBlock,
        jobsPerRequest: 2,
      });
      expect(chunked).toEqual(earnings);
      expect(topicLists.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...topicLists)).toBeLessThanOrEqual(2);
      // Settlements whose postings are before `fromBlock` cannot be placed in a token: an error, not an under-count.
      await expect(
        readEarnings(publicClient, {
          address: market,
          worker: worker.account.address,
          fromBlock: settled.receipt.blockNumber,
        }),
      ).rejects.toThrow(/posted before fromBlock/);
      expect(
        await readEarnings(publicClient, { address: market, worker: keeper.account.address, fromBlock: 0n }),
      ).toEqual(new Map());
    });

    it("a job with no result submitted has the zero result hash standing", async () => {
      const terms = await buildTerms(publicClient, book, {
        requester: accounts[2]!.address,
        maxReward: parseEther("0.01"),
        bond: parseEther("0.01"),
      });
      const { receipt } = await send(
        requester,
        publicClient,
        preparePostJobs({ market: book.jobMarket, jobs: [{ terms, spec: spec(9) }] }),
      );
      const [log] = decodeMarketLogs(receipt.logs, "JobPosted");
      const standing: Hex = await readResultHash(publicClient, {
        address: book.jobMarket,
        jobId: log!.args.jobId,
        fromBlock: book.deploymentBlock,
      });
      expect(standing).toBe(zeroHash);
    });
  },
);
