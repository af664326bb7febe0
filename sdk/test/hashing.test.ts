import { keccak256, maxUint96, parseEther, stringToHex, zeroAddress, zeroHash, type Hex } from "viem";
import { readContract } from "viem/actions";
import { beforeAll, describe, expect, it, inject } from "vitest";
import {
  JobState,
  MAX_PAYLOAD_BYTES,
  Pricing,
  buildTerms,
  computeCommitment,
  encodeSpec,
  jobDigest,
  jobMarketAbi,
  newSalt,
  postJob,
  readJobs,
  specHash,
  marketCall,
  send,
  type AddressBook,
  type JobTerms,
  packTerms,
} from "../src/index.js";
import { accounts, clients, deployBaton, increaseTime } from "./helpers/chain.js";

const rpcUrl = inject("rpcUrl");
const spec = {
  kind: "wasm",
  version: 1,
  module: { uri: "ipfs://bafkreiwordfreq", sha256: "0".repeat(64) },
  input: { encoding: "utf8", data: "to be or not to be" },
} as const;

describe.skipIf(!rpcUrl)(
  rpcUrl ? "hashes against the contract's own views" : "hashes against the contract — skipped: no artifacts/ to deploy",
  () => {
    let book: AddressBook;
    const { publicClient, wallet } = clients(rpcUrl ?? "http://127.0.0.1:1");

    beforeAll(async () => {
      book = await deployBaton(rpcUrl!);
    });

    const onChainDigest = (jobId: bigint, terms: JobTerms, resultHash: Hex) =>
      readContract(publicClient, {
        address: book.jobMarket,
        abi: jobMarketAbi,
        functionName: "jobDigest",
        args: [jobId, packTerms(terms), resultHash],
      });

    it("jobDigest equals JobMarket.jobDigest for ordinary and extreme terms, ids and result hashes", async () => {
      const base = await buildTerms(publicClient, book, {
        requester: accounts[2]!.address,
        maxReward: parseEther("1"),
        bond: parseEther("0.1"),
      });
      const variants: JobTerms[] = [
        base,
        { ...base, pricing: Pricing.SecondPrice, callback: true, token: book.demoToken! },
        {
          ...base,
          maxReward: maxUint96,
          bond: maxUint96,
          minStake: maxUint96,
          minCompleted: 2 ** 32 - 1,
          commitWindow: 2 ** 32 - 1,
          expiry: 2 ** 32 - 1,
          feeBps: 2 ** 16 - 1,
          forfeitBps: 0,
          slashBountyBps: 2 ** 16 - 1,
          disputeBond: maxUint96,
          rulingTimeout: 2 ** 32 - 1,
        },
      ];
      const results: Hex[] = [zeroHash, keccak256(stringToHex("result")), `0x${"ff".repeat(32)}`];
      for (const terms of variants)
        for (const [jobId, resultHash] of [
          [1n, results[0]!],
          [2n ** 256n - 1n, results[1]!],
          [42n, results[2]!],
        ] as const) {
          const digest = jobDigest(jobId, terms, resultHash);
          expect(digest).toMatch(/^0x[0-9a-f]{42}$/);
          expect(digest).toBe(await onChainDigest(jobId, terms, resultHash));
        }
      // The result hash defaults to zero (no result standing), and each input changes the digest.
      expect(jobDigest(1n, base)).toBe(jobDigest(1n, base, zeroHash));
      expect(jobDigest(2n, base)).not.toBe(jobDigest(1n, base));
      expect(jobDigest(1n, base, results[1])).not.toBe(jobDigest(1n, base));
    });

    it("jobDigest equals the digest the market stores for a posted job", async () => {
      const terms = await buildTerms(publicClient, book, {
        requester: accounts[2]!.address,
        maxReward: parseEther("1"),
        bond: parseEther("0.1"),
      });
      const { jobId } = await postJob(wallet(2), publicClient, { market: book.jobMarket, terms, spec });
      const [view] = await readJobs(publicClient, { market: book.jobMarket, multicall: book.multicall3, ids: [jobId] });
      expect(view!.job.digest).toBe(jobDigest(jobId, terms));
    });

    it("computeCommitment equals JobMarket.computeCommitment", async () => {
      const chainId = await publicClient.getChainId();
      const cases = [
        { jobId: 1n, round: 0, bidder: accounts[3]!.address, price: 1n, salt: newSalt() },
        { jobId: 2n ** 256n - 1n, round: 255, bidder: accounts[4]!.address, price: maxUint96, salt: newSalt() },
        { jobId: 7n, round: 3, bidder: zeroAddress, price: 0n, salt: `0x${"00".repeat(32)}` as Hex },
      ];
      for (const c of cases) {
        const onChain = await readContract(publicClient, {
          address: book.jobMarket,
          abi: jobMarketAbi,
          functionName: "computeCommitment",
          args: [c.jobId, c.round, c.bidder, c.price, c.salt],
        });
        expect(computeCommitment({ chainId, market: book.jobMarket, ...c })).toBe(onChain);
      }
      // Bound to the chain and the market: another chain id gives another commitment.
      const c = cases[0]!;
      expect(computeCommitment({ chainId: 1, market: book.jobMarket, ...c })).not.toBe(
        computeCommitment({ chainId, market: book.jobMarket, ...c }),
      );
    });

    it("a bid sealed with computeCommitment and newSalt reveals and leads", async () => {
      const worker = wallet(5);
      await send(
        worker,
        publicClient,
        marketCall(book.jobMarket, "register", [[stringToHex("wasm", { size: 32 })], "https://workers.example/5"]),
      );
      await send(worker, publicClient, marketCall(book.jobMarket, "depositStake", [], parseEther("1")));
      const terms = await buildTerms(publicClient, book, {
        requester: accounts[2]!.address,
        maxReward: parseEther("1"),
        bond: parseEther("0.1"),
      });
      const { jobId } = await postJob(wallet(2), publicClient, { market: book.jobMarket, terms, spec });
      const salt = newSalt();
      const price = parseEther("0.4");
      const commitment = computeCommitment({
        chainId: await publicClient.getChainId(),
        market: book.jobMarket,
        jobId,
        round: 0,
        bidder: worker.account.address,
        price,
        salt,
      });
      await send(worker, publicClient, marketCall(book.jobMarket, "commitBid", [jobId, packTerms(terms), commitment]));
      await increaseTime(rpcUrl!, terms.commitWindow);
      const { receipt } = await send(
        worker,
        publicClient,
        marketCall(book.jobMarket, "revealBid", [jobId, packTerms(terms), price, salt]),
      );
      expect(receipt.status).toBe("success");
      const [view] = await readJobs(publicClient, { market: book.jobMarket, multicall: book.multicall3, ids: [jobId] });
      expect(view!.state).toBe(JobState.Revealing);
      expect(view!.job.winner).toBe(worker.account.address);
      expect(view!.job.price).toBe(price);
    });

    it("MAX_PAYLOAD_BYTES is the market's limit: the largest spec encodeSpec accepts can be posted", async () => {
      expect(
        await readContract(publicClient, {
          address: book.jobMarket,
          abi: jobMarketAbi,
          functionName: "MAX_PAYLOAD_BYTES",
        }),
      ).toBe(BigInt(MAX_PAYLOAD_BYTES));
      const overhead = encodeSpec({ ...spec, input: { encoding: "utf8", data: "" } }).length;
      const largest = { ...spec, input: { encoding: "utf8", data: "x".repeat(MAX_PAYLOAD_BYTES - overhead) } } as const;
      expect(encodeSpec(largest).length).toBe(MAX_PAYLOAD_BYTES);
      const terms = await buildTerms(publicClient, book, { requester: accounts[2]!.address, maxReward: 1n, bond: 1n });
      const { specHash: posted } = await postJob(wallet(2), publicClient, {
        market: book.jobMarket,
        terms,
        spec: largest,
      });
      expect(posted).toBe(specHash(largest));
    });

    it("newSalt returns 32 fresh random bytes each time", () => {
      const salts = new Set(Array.from({ length: 100 }, newSalt));
      expect(salts.size).toBe(100);
      for (const salt of salts) expect(salt).toMatch(/^0x[0-9a-f]{64}$/);
    });
  },
);
