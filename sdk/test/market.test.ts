import { hexToBigInt, parseEther, parseUnits, ResponseBodyTooLargeError, zeroAddress, type Hex } from "viem";
import { getBlock, readContract, writeContract, waitForTransactionReceipt } from "viem/actions";
import { beforeAll, describe, expect, it, inject } from "vitest";
import {
  BatonContractError,
  JobState,
  LogFetchError,
  buildTerms,
  buildWorkflow,
  cancelWorkflow,
  createWorkflow,
  decodeSpec,
  deriveJobState,
  ensureAllowance,
  fetchMarketLogs,
  jobDigest,
  isRangeTooLargeError,
  postJob,
  readCredits,
  readJobCount,
  readJobs,
  readWorker,
  specHash,
  testTokenAbi,
  withdrawFromOrchestrator,
  workflowOrchestratorAbi,
  marketCall,
  send,
  type AddressBook,
  type JobSpecInput,
  type JobTerms,
  type LogProgress,
  packTerms,
  unpackTerms,
} from "../src/index.js";
import { accounts, clients, deployBaton, PARAMS, type RecordedRequest } from "./helpers/chain.js";

const rpcUrl = inject("rpcUrl");
const JOBS = 60;
const REQUESTERS = [2, 3, 4];

const specOf = (i: number): JobSpecInput => ({
  kind: "http.json",
  version: 1,
  url: `https://api.example.com/v1/price?job=${i}`,
  method: "GET",
  path: "$.data.price",
});

type GetLogsParams = [{ fromBlock: Hex; toBlock: Hex; topics?: unknown[] }];
const getLogsCalls = (log: RecordedRequest[]) =>
  log.filter((r) => r.method === "eth_getLogs").map((r) => (r.params as GetLogsParams)[0]);
const span = (p: { fromBlock: Hex; toBlock: Hex }) => hexToBigInt(p.toBlock) - hexToBigInt(p.fromBlock) + 1n;
const rpcError = (code: number, message: string) => Object.assign(new Error(message), { code });

describe.skipIf(!rpcUrl)(
  rpcUrl ? "market reads and writes on a Hardhat node" : "market — skipped: no artifacts/",
  () => {
    const url = rpcUrl ?? "http://127.0.0.1:1";
    let book: AddressBook;
    let head: bigint;
    const posted: { jobId: bigint; terms: JobTerms; specHash: Hex; blockNumber: bigint; specIndex: number }[] = [];

    beforeAll(async () => {
      book = await deployBaton(url);
      const { publicClient, wallet } = clients(url);
      // Three requesters post concurrently (each in order), as independent users would.
      await Promise.all(
        REQUESTERS.map(async (index, r) => {
          for (let i = r; i < JOBS; i += REQUESTERS.length) {
            const terms = await buildTerms(publicClient, book, {
              requester: accounts[index]!.address,
              maxReward: parseEther("0.01") * BigInt(i + 1),
              bond: parseEther("0.001"),
            });
            const result = await postJob(wallet(index), publicClient, {
              market: book.jobMarket,
              terms,
              spec: specOf(i),
            });
            posted.push({ ...result, specIndex: i });
          }
        }),
      );
      posted.sort((a, b) => Number(a.jobId - b.jobId));
      // The last job is cancelled, so the logs hold another event and the states differ.
      const last = posted[JOBS - 1]!;
      await send(
        wallet(REQUESTERS.find((i) => accounts[i]!.address === last.terms.requester)!),
        publicClient,
        marketCall(book.jobMarket, "cancel", [last.jobId, packTerms(last.terms)]),
      );
      head = await publicClient.getBlockNumber();
    }, 120_000);

    describe("fetchMarketLogs", () => {
      it("returns every JobPosted in chain order through small windows, and reports progress", async () => {
        const log: RecordedRequest[] = [];
        const { publicClient } = clients(url, log);
        const progress: LogProgress[] = [];
        const logs = await fetchMarketLogs(publicClient, {
          address: book.jobMarket,
          fromBlock: book.deploymentBlock,
          toBlock: head,
          windowSize: 7n,
          onProgress: (p) => progress.push(p),
        });

        const jobPosted = logs.filter((l) => l.eventName === "JobPosted");
        expect(jobPosted).toHaveLength(JOBS);
        expect(jobPosted.map((l) => l.args.jobId)).toEqual(posted.map((p) => p.jobId));
        expect(logs.at(-1)).toMatchObject({ eventName: "JobCancelled", args: { jobId: BigInt(JOBS) } });
        for (let i = 1; i < logs.length; i++) {
          const [a, b] = [logs[i - 1]!, logs[i]!];
          expect(a.blockNumber < b.blockNumber || (a.blockNumber === b.blockNumber && a.logIndex < b.logIndex)).toBe(
            true,
          );
        }
        // Typed args carry the full terms and the spec, so no per-job read is needed.
        const first = jobPosted[0]!.args;
        expect(unpackTerms(first.terms)).toEqual(posted[0]!.terms);
        expect(decodeSpec(first.spec, { expectedHash: first.specHash })).toMatchObject({
          ok: true,
          spec: specOf(posted[0]!.specIndex),
        });

        const total = head - book.deploymentBlock + 1n;
        const windows = getLogsCalls(log);
        expect(windows).toHaveLength(Number((total + 6n) / 7n));
        expect(windows.every((w) => span(w) <= 7n)).toBe(true);
        expect(progress.map((p) => p.done)).toEqual(progress.map((p) => p.to - book.deploymentBlock + 1n));
        expect(progress.at(-1)).toMatchObject({ done: total, total, to: head, logs: logs.length });
      });

      it("asks the RPC only for the requested events", async () => {
        const log: RecordedRequest[] = [];
        const { publicClient } = clients(url, log);
        const cancelled = await fetchMarketLogs(publicClient, {
          address: book.jobMarket,
          fromBlock: book.deploymentBlock,
          eventNames: ["JobCancelled"],
        });
        expect(cancelled.map((l) => [l.eventName, l.args.jobId])).toEqual([["JobCancelled", BigInt(JOBS)]]);
        expect(getLogsCalls(log)[0]!.topics).toHaveLength(1);
      });

      it("halves the window and retries when the RPC says the result is too large", async () => {
        const log: RecordedRequest[] = [];
        const { publicClient } = clients(url, log, (request) => {
          const [p] = (request.params ?? []) as GetLogsParams;
          if (request.method === "eth_getLogs" && span(p) > 5n)
            throw rpcError(-32005, "query returned more than 10000 results");
        });
        const progress: LogProgress[] = [];
        const logs = await fetchMarketLogs(publicClient, {
          address: book.jobMarket,
          fromBlock: book.deploymentBlock,
          toBlock: head,
          windowSize: 32n,
          onProgress: (p) => progress.push(p),
        });
        expect(logs.filter((l) => l.eventName === "JobPosted")).toHaveLength(JOBS);
        expect(getLogsCalls(log).slice(0, 3).map(span)).toEqual([32n, 16n, 8n]);
        expect(progress.every((p) => p.windowSize === 4n && p.to - p.from < 4n)).toBe(true);
      });

      it("halves the window when the answer is larger than the HTTP client accepts", async () => {
        // A window with many jobs' logs can be over viem's 10 MiB cap on an answer: the keeper's
        // sync of a market with 10,000 jobs failed that way on every pass before this was a range error.
        const log: RecordedRequest[] = [];
        const { publicClient } = clients(url, log, (request) => {
          const [p] = (request.params ?? []) as GetLogsParams;
          if (request.method === "eth_getLogs" && span(p) > 5n)
            throw new ResponseBodyTooLargeError({ maxSize: 10_485_760, size: 10_538_836 });
        });
        const logs = await fetchMarketLogs(publicClient, {
          address: book.jobMarket,
          fromBlock: book.deploymentBlock,
          toBlock: head,
          windowSize: 32n,
        });
        expect(logs.filter((l) => l.eventName === "JobPosted")).toHaveLength(JOBS);
        expect(getLogsCalls(log).slice(0, 3).map(span)).toEqual([32n, 16n, 8n]);
      });

      it("uses the window size a provider suggests in its error", async () => {
        const log: RecordedRequest[] = [];
        const { publicClient } = clients(url, log, (request) => {
          const [p] = (request.params ?? []) as GetLogsParams;
          if (request.method === "eth_getLogs" && span(p) > 10n) {
            throw rpcError(
              -32602,
              "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit " +
                "on the response size, or you can request any block range with a cap of 10K logs in the response. " +
                `Based on your parameters, this block range should work: [${p.fromBlock}, 0x${(hexToBigInt(p.fromBlock) + 9n).toString(16)}]`,
            );
          }
        });
        const logs = await fetchMarketLogs(publicClient, {
          address: book.jobMarket,
          fromBlock: book.deploymentBlock,
          toBlock: head,
        });
        expect(logs.filter((l) => l.eventName === "JobPosted")).toHaveLength(JOBS);
        expect(
          getLogsCalls(log)
            .slice(1)
            .every((w) => span(w) <= 10n),
        ).toBe(true);
        expect(getLogsCalls(log).length).toBe(1 + Math.ceil(Number(head - book.deploymentBlock + 1n) / 10));
      });

      it("gives up with a clear error when even one block is too large, and passes other errors through", async () => {
        const refuseAll = clients(url, [], (request) => {
          if (request.method === "eth_getLogs") throw rpcError(-32000, "exceed maximum block range: 0");
        });
        await expect(
          fetchMarketLogs(refuseAll.publicClient, {
            address: book.jobMarket,
            fromBlock: 1n,
            toBlock: 8n,
            windowSize: 8n,
          }),
        ).rejects.toThrow(LogFetchError);
        await expect(
          fetchMarketLogs(refuseAll.publicClient, {
            address: book.jobMarket,
            fromBlock: 1n,
            toBlock: 8n,
            windowSize: 8n,
          }),
        ).rejects.toThrow("eth_getLogs refuses even the single block 1 as too large");

        const log: RecordedRequest[] = [];
        const broken = clients(url, log, (request) => {
          if (request.method === "eth_getLogs") throw rpcError(-32601, "the method eth_getLogs does not exist");
        });
        const error = await fetchMarketLogs(broken.publicClient, {
          address: book.jobMarket,
          fromBlock: 1n,
          toBlock: 8n,
        }).catch((e: unknown) => e);
        expect(isRangeTooLargeError(error)).toBe(false);
        expect(String(error)).toContain("does not exist");
        expect(getLogsCalls(log)).toHaveLength(1);
      });
    });

    describe("readJobs", () => {
      it("reads 60 jobs' states and records in one multicall request", async () => {
        const log: RecordedRequest[] = [];
        const { publicClient } = clients(url, log);
        const ids = posted.map((p) => p.jobId);
        const views = await readJobs(publicClient, {
          market: book.jobMarket,
          multicall: book.multicall3,
          ids,
          blockNumber: head,
        });
        expect(log.map((r) => r.method)).toEqual(["eth_call"]);
        expect((log[0]!.params as [{ to: string }])[0].to.toLowerCase()).toBe(book.multicall3!.toLowerCase());

        expect(views.map((v) => v.id)).toEqual(ids);
        // Automine gives each block its own second, so the chain runs ahead of the wall clock and the
        // oldest jobs may be revealing already; the newest are open, the cancelled one is cancelled.
        expect(views.slice(0, -1).every((v) => v.state === JobState.Open || v.state === JobState.Revealing)).toBe(true);
        expect(views.at(-2)!.state).toBe(JobState.Open);
        expect(views.at(-1)!.state).toBe(JobState.Cancelled);
        views.forEach((v, i) => expect(v.job.digest).toBe(jobDigest(v.id, posted[i]!.terms)));

        // The records alone let a UI derive the state at any time without more calls.
        const { timestamp } = await getBlock(publicClient, { blockNumber: head });
        for (const v of views) expect(deriveJobState(v.job, timestamp)).toBe(v.state);
        const open = views.at(-2)!.job;
        expect(deriveJobState(open, open.deadline)).toBe(JobState.Revealing);
        expect(deriveJobState(open, open.revealDeadline)).toBe(JobState.Unfilled);
      });

      it("splits large id lists into batches of batchSize jobs", async () => {
        const log: RecordedRequest[] = [];
        const { publicClient } = clients(url, log);
        const ids = [...posted.map((p) => p.jobId), 1_000n];
        const views = await readJobs(publicClient, {
          market: book.jobMarket,
          multicall: book.multicall3,
          ids,
          batchSize: 25,
        });
        expect(log.filter((r) => r.method === "eth_call")).toHaveLength(3);
        expect(views).toHaveLength(JOBS + 1);
        expect(views.at(-1)).toMatchObject({
          id: 1_000n,
          state: JobState.None,
          job: { status: 0, winner: zeroAddress },
        });
      });
    });

    describe("readWorker and readCredits", () => {
      it("read a worker's stake and reputation, and an account's credits per token, batched", async () => {
        const { publicClient, wallet } = clients(url);
        const worker = wallet(6);
        await send(worker, publicClient, marketCall(book.jobMarket, "register", [[], "ipfs://w6"]));
        await send(worker, publicClient, marketCall(book.jobMarket, "depositStake", [], parseEther("2")));
        const view = await readWorker(publicClient, {
          market: book.jobMarket,
          multicall: book.multicall3,
          worker: worker.account.address,
        });
        expect(view).toMatchObject({
          registered: true,
          stake: parseEther("2"),
          locked: 0n,
          completed: 0,
          unbonding: { amount: 0n },
        });

        const log: RecordedRequest[] = [];
        const counted = clients(url, log);
        const last = posted[JOBS - 1]!;
        const credits = await readCredits(counted.publicClient, {
          market: book.jobMarket,
          multicall: book.multicall3,
          account: last.terms.requester,
          tokens: [zeroAddress, book.demoToken!],
        });
        expect(credits).toEqual([
          { token: zeroAddress, credit: last.terms.maxReward },
          { token: book.demoToken, credit: 0n },
        ]);
        expect(log).toHaveLength(1);
      });
    });

    describe("withdrawFromOrchestrator", () => {
      it("pays a cancelled workflow's refund to the account, or with `to` to another address", async () => {
        const { publicClient, wallet } = clients(url);
        const orchestrator = book.workflowOrchestrator!;
        const workflow = buildWorkflow({
          steps: [
            {
              spec: specOf(123),
              maxReward: parseEther("0.2"),
              arbiter: book.committeeArbiter,
              bond: parseEther("0.01"),
              windows: { commitWindow: 60, revealWindow: 60, executionWindow: 300, challengeWindow: 120 },
            },
          ],
        });
        const requester = 8;
        const credit = () =>
          readContract(publicClient, {
            address: orchestrator,
            abi: workflowOrchestratorAbi,
            functionName: "creditOf",
            args: [accounts[requester]!.address, zeroAddress],
          });
        for (const to of [undefined, accounts[9]!.address]) {
          const { workflowId } = await createWorkflow(wallet(requester), publicClient, { orchestrator, workflow });
          await cancelWorkflow(wallet(requester), publicClient, { orchestrator, workflowId });
          expect(await credit()).toBe(parseEther("0.2"));
          const recipient = to ?? accounts[requester]!.address;
          const before = await publicClient.getBalance({ address: recipient });
          const hash = await withdrawFromOrchestrator(wallet(requester), publicClient, { orchestrator, to });
          const receipt = await waitForTransactionReceipt(publicClient, { hash });
          const gas = to ? 0n : receipt.gasUsed * receipt.effectiveGasPrice;
          expect(await publicClient.getBalance({ address: recipient })).toBe(before + parseEther("0.2") - gas);
          expect(await credit()).toBe(0n);
        }
      });
    });

    describe("postJob", () => {
      it("simulates before sending and returns the id, terms and spec hash from JobPosted", async () => {
        const log: RecordedRequest[] = [];
        const { publicClient, wallet } = clients(url, log);
        const terms = await buildTerms(publicClient, book, {
          requester: accounts[7]!.address,
          maxReward: parseEther("0.5"),
          bond: parseEther("0.05"),
        });
        const before = await readJobCount(publicClient, book.jobMarket);
        const result = await postJob(wallet(7), publicClient, { market: book.jobMarket, terms, spec: specOf(99) });
        expect(result.jobId).toBe(before + 1n);
        expect(result.terms).toEqual(terms);
        expect(result.specHash).toBe(specHash(specOf(99)));
        const methods = log.map((r) => r.method);
        expect(methods.indexOf("eth_call")).toBeGreaterThanOrEqual(0);
        expect(methods.indexOf("eth_call")).toBeLessThan(methods.indexOf("eth_sendRawTransaction"));
      });

      it("fills the bps values from the market and windows and expiry for a local chain", async () => {
        const { publicClient } = clients(url);
        const terms = await buildTerms(publicClient, book, {
          requester: accounts[7]!.address,
          maxReward: 1n,
          bond: 1n,
        });
        const { timestamp } = await getBlock(publicClient);
        expect(terms).toMatchObject({
          feeBps: PARAMS.feeBps,
          forfeitBps: PARAMS.forfeitBps,
          slashBountyBps: PARAMS.slashBountyBps,
          disputeBond: PARAMS.disputeBond,
          rulingTimeout: PARAMS.rulingTimeout,
          commitWindow: 60,
          revealWindow: 60,
          executionWindow: 300,
          challengeWindow: 120,
          expiry: Number(timestamp) + 86_400,
          arbiter: book.committeeArbiter,
          token: zeroAddress,
        });
      });

      it("throws BatonContractError with the decoded custom error, and sends nothing, when the fee is wrong", async () => {
        const log: RecordedRequest[] = [];
        const { publicClient, wallet } = clients(url, log);
        const terms = await buildTerms(publicClient, book, {
          requester: accounts[7]!.address,
          maxReward: 1n,
          bond: 1n,
          feeBps: 100,
        });
        const error = await postJob(wallet(7), publicClient, { market: book.jobMarket, terms, spec: specOf(1) }).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(BatonContractError);
        expect(error).toMatchObject({
          errorName: "JobMarketParamMismatch",
          args: ["feeBps", 100n, BigInt(PARAMS.feeBps)],
          functionName: "postJob",
        });
        expect((error as Error).message).toBe('postJob reverted: JobMarketParamMismatch("feeBps", 100, 250)');
        expect(log.some((r) => r.method === "eth_sendRawTransaction")).toBe(false);

        const stranger = await postJob(wallet(8), publicClient, {
          market: book.jobMarket,
          terms: { ...terms, feeBps: 250 },
          spec: specOf(1),
        }).catch((e: unknown) => e);
        expect(stranger).toMatchObject({
          errorName: "JobMarketRequesterMismatch",
          args: [accounts[7]!.address, accounts[8]!.address],
        });
      });

      it("posts ERC-20 rewards once ensureAllowance has approved the market", async () => {
        const { publicClient, wallet } = clients(url);
        const requester = wallet(9);
        const token = book.demoToken!;
        const reward = parseUnits("25", 6);
        await waitForTransactionReceipt(publicClient, {
          hash: await writeContract(requester, {
            address: token,
            abi: testTokenAbi,
            functionName: "mint",
            args: [requester.account.address, parseUnits("1000", 6)],
          }),
        });
        const terms = await buildTerms(publicClient, book, {
          requester: requester.account.address,
          token,
          maxReward: reward,
          bond: 1n,
        });

        const refused = await postJob(requester, publicClient, {
          market: book.jobMarket,
          terms,
          spec: specOf(2),
        }).catch((e: unknown) => e);
        expect(refused).toMatchObject({ errorName: "ERC20InsufficientAllowance", args: [book.jobMarket, 0n, reward] });

        expect(
          await ensureAllowance(requester, publicClient, { token, spender: book.jobMarket, amount: reward }),
        ).toMatch(/^0x/);
        expect(
          await ensureAllowance(requester, publicClient, { token, spender: book.jobMarket, amount: reward }),
        ).toBeNull();
        const { jobId } = await postJob(requester, publicClient, { market: book.jobMarket, terms, spec: specOf(2) });
        const balance = await readContract(publicClient, {
          address: token,
          abi: testTokenAbi,
          functionName: "balanceOf",
          args: [book.jobMarket],
        });
        expect(balance).toBe(reward);
        const [view] = await readJobs(publicClient, {
          market: book.jobMarket,
          multicall: book.multicall3,
          ids: [jobId],
        });
        expect(view!.state).toBe(JobState.Open);
      });

      it("posts a spec stored at a URI, with the hash of its canonical bytes", async () => {
        const { publicClient, wallet } = clients(url);
        const terms = await buildTerms(publicClient, book, {
          requester: accounts[7]!.address,
          maxReward: 1n,
          bond: 1n,
        });
        const uri = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
        const result = await postJob(wallet(7), publicClient, {
          market: book.jobMarket,
          terms,
          spec: { uri, specHash: specHash(specOf(3)) },
        });
        const [event] = await fetchMarketLogs(publicClient, {
          address: book.jobMarket,
          fromBlock: result.blockNumber,
          toBlock: result.blockNumber,
          eventNames: ["JobPosted"],
        });
        expect(decodeSpec(event!.args.spec)).toMatchObject({ ok: false, needsFetch: uri });
        expect(event!.args.specHash).toBe(specHash(specOf(3)));
      });
    });
  },
);
