// The indexer against the chain: a seeded random run of the protocol on a real Hardhat node, the
// indexer started on it as `ponder start` with a fresh PGlite directory, and every row it serves
// compared with what the contracts' own views return at the same block.
// INDEXER_TEST_SEED=<n> replays a run; INDEXER_TEST_LOG=<file> keeps the indexer's output;
// INDEXER_TEST_DATABASE_URL=postgresql://… runs the indexer on that PostgreSQL database instead of
// PGlite, in a new schema `baton_test_<time>` that the run leaves there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readContract } from "viem/actions";
import { zeroHash, type Address, type Hex } from "viem";
import {
  deriveJobState,
  jobMarketAbi,
  readJobCount,
  readJobs,
  readWorkers,
  statusNames,
  stepStatusNames,
  storedCommitment,
  workflowOrchestratorAbi,
  workflowStatusNames,
} from "@baton/sdk";
import { writeAddressBook } from "@baton/sdk/node";
import { deployBaton, startDevnet, type Deployment, type Devnet } from "@baton/testkit/devnet";
import { graphqlQuery, startIndexer, waitForBlock, type RunningIndexer } from "../launch";
import { loadIndexedJobPage } from "../../frontend/src/lib/indexer.ts";
import { FATES, runScenario, type ScenarioResult } from "./scenario";

const SEED = Number(process.env.INDEXER_TEST_SEED ?? 20_261_205);

let net: Devnet | undefined;
let indexer: RunningIndexer | undefined;
let dep: Deployment;
let run: ScenarioResult;
let head: bigint;
let headTime: bigint;
const dir = mkdtempSync(path.join(tmpdir(), "baton-indexer-"));

beforeAll(async () => {
  console.log(`indexer equality: seed ${SEED}`);
  net = await startDevnet();
  dep = await deployBaton(net);
  const book = path.join(dir, "addresses.json");
  await writeAddressBook(book, dep.book);
  run = await runScenario(net, dep, SEED);
  const log = process.env.INDEXER_TEST_LOG ? createWriteStream(process.env.INDEXER_TEST_LOG) : undefined;
  indexer = await startIndexer({
    rpcUrl: net.url,
    addressBook: book,
    dbDir: path.join(dir, "pglite"),
    pollMs: 200,
    ...(log ? { log } : {}),
    ...(process.env.INDEXER_TEST_DATABASE_URL
      ? { databaseUrl: process.env.INDEXER_TEST_DATABASE_URL, schema: `baton_test_${Date.now()}` }
      : {}),
  });
  const block = await net.publicClient.getBlock();
  head = block.number;
  headTime = block.timestamp;
  await waitForBlock(indexer, head, 90_000);
});

afterAll(async () => {
  await indexer?.stop();
  await net?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// GraphQL serves bigints as decimal strings and hex lowercase.
type Rows<T> = { items: T[] };
const lower = (value: string) => value.toLowerCase();

async function all<T>(field: string, columns: string): Promise<T[]> {
  const data = await graphqlQuery<Record<string, Rows<T>>>(
    indexer!.url,
    `{ ${field}(limit: 1000) { items { ${columns} } } }`,
  );
  return data[field]!.items;
}

describe("the indexer", () => {
  it("covers every fate of the scenario", () => {
    expect(new Set(run.jobs.map((j) => j.fate))).toEqual(new Set(FATES));
  });

  it("has one row per job, equal to getJob and jobState", async () => {
    type JobRow = {
      id: string;
      status: string;
      round: number;
      commits: number;
      deadline: number;
      revealDeadline: number;
      winner: Hex;
      price: string;
      secondPrice: string;
      digest: Hex;
      requester: Hex;
      token: Hex;
      maxReward: string;
      workflowId: string | null;
    };
    const rows = await all<JobRow>(
      "jobs",
      "id status round commits deadline revealDeadline winner price secondPrice digest requester token maxReward workflowId",
    );
    const count = await readJobCount(net!.publicClient, dep.market);
    expect(rows.length).toBe(Number(count));
    const ids = rows.map((r) => BigInt(r.id));
    const views = await readJobs(net!.publicClient, {
      market: dep.market,
      multicall: dep.multicall3,
      ids,
      blockNumber: head,
    });
    rows.forEach((row, i) => {
      const { job, state } = views[i]!;
      const indexed = {
        id: BigInt(row.id),
        status: row.status,
        round: row.round,
        commits: row.commits,
        deadline: row.deadline,
        revealDeadline: row.revealDeadline,
        winner: lower(row.winner),
        price: BigInt(row.price),
        secondPrice: BigInt(row.secondPrice),
        digest: lower(row.digest),
        state: deriveJobState({ ...row, status: statusNames.indexOf(row.status as never) }, headTime),
      };
      expect(indexed).toEqual({
        id: views[i]!.id,
        status: statusNames[job.status],
        round: job.round,
        commits: job.commits,
        deadline: job.deadline,
        revealDeadline: job.revealDeadline,
        winner: lower(job.winner),
        price: job.price,
        secondPrice: job.secondPrice,
        digest: lower(job.digest),
        state,
      });
    });
    // Both currencies and the workflow's jobs are there.
    expect(rows.some((r) => BigInt(r.token) !== 0n)).toBe(true);
    expect(rows.some((r) => BigInt(r.token) === 0n)).toBe(true);
    expect(rows.filter((r) => r.workflowId !== null).length).toBeGreaterThanOrEqual(3);
  });

  it("has one row per sealed bid, sealed exactly where the market still holds a commitment", async () => {
    type BidRow = { jobId: string; round: number; bidder: Address; commitment: Hex; status: string };
    const rows = await all<BidRow>("bids", "jobId round bidder commitment status");
    const commitEvents = await net!.publicClient.getContractEvents({
      address: dep.market,
      abi: jobMarketAbi,
      eventName: "BidCommitted",
      fromBlock: 0n,
      toBlock: head,
    });
    expect(rows.length).toBe(commitEvents.length);
    const stored = await Promise.all(
      rows.map((b) =>
        readContract(net!.publicClient, {
          address: dep.market,
          abi: jobMarketAbi,
          functionName: "commitmentOf",
          args: [BigInt(b.jobId), b.round, b.bidder],
          blockNumber: head,
        }),
      ),
    );
    rows.forEach((b, i) => {
      const expected = b.status === "Committed" ? storedCommitment(b.commitment) : zeroHash;
      expect({ bid: `${b.jobId}:${b.round}:${b.bidder}`, stored: lower(expected) }).toEqual({
        bid: `${b.jobId}:${b.round}:${b.bidder}`,
        stored: lower(stored[i]!),
      });
    });
    expect(new Set(rows.map((b) => b.status))).toEqual(new Set(["Committed", "Revealed", "Forfeited"]));

    // Each job lists its bids through the relation, as a job page asks for them.
    const jobs = await all<{ id: string; bids: Rows<{ bidder: Address }> }>(
      "jobs",
      "id bids(limit: 100) { items { bidder } }",
    );
    for (const job of jobs) {
      expect(job.bids.items.length).toBe(rows.filter((b) => b.jobId === job.id).length);
    }
  });

  it("has one row per worker, equal to getWorker and getUnbonding", async () => {
    type WorkerRow = {
      address: Address;
      registered: boolean;
      stake: string;
      locked: string;
      completed: number;
      noShows: number;
      disputesLost: number;
      unbondingAmount: string;
      unbondingReadyAt: number;
    };
    const rows = await all<WorkerRow>(
      "workers",
      "address registered stake locked completed noShows disputesLost unbondingAmount unbondingReadyAt",
    );
    const registered = await net!.publicClient.getContractEvents({
      address: dep.market,
      abi: jobMarketAbi,
      eventName: "WorkerRegistered",
      fromBlock: 0n,
      toBlock: head,
    });
    expect(rows.length).toBe(new Set(registered.map((e) => e.args.worker)).size);
    const views = await readWorkers(net!.publicClient, {
      market: dep.market,
      multicall: dep.multicall3,
      workers: rows.map((r) => r.address),
      blockNumber: head,
    });
    rows.forEach((row, i) => {
      const v = views[i]!;
      expect({
        address: lower(row.address),
        registered: row.registered,
        stake: BigInt(row.stake),
        locked: BigInt(row.locked),
        completed: row.completed,
        noShows: row.noShows,
        disputesLost: row.disputesLost,
        unbonding: { amount: BigInt(row.unbondingAmount), readyAt: row.unbondingReadyAt },
      }).toEqual({
        address: lower(v.address),
        registered: v.registered,
        stake: v.stake,
        locked: v.locked,
        completed: v.completed,
        noShows: v.noShows,
        disputesLost: v.disputesLost,
        unbonding: v.unbonding,
      });
    });
    // The run slashed, lost disputes and completed jobs.
    expect(views.some((v) => v.noShows > 0)).toBe(true);
    expect(views.some((v) => v.disputesLost > 0)).toBe(true);
    expect(views.some((v) => v.completed > 0)).toBe(true);
  });

  it("has one row per workflow and step, equal to getWorkflow and getStep", async () => {
    type WorkflowRow = {
      id: string;
      requester: Address;
      token: Address;
      status: string;
      stepCount: number;
      settledCount: number;
      maxRetries: number;
      balance: string;
      budget: string;
    };
    type StepRow = {
      workflowId: string;
      step: number;
      status: string;
      attempts: number;
      pendingDependencies: number;
      dependencies: number;
      dependents: number;
      jobId: string;
      resultHash: Hex | null;
      specHash: Hex;
      maxReward: string;
    };
    const workflows = await all<WorkflowRow>(
      "workflows",
      "id requester token status stepCount settledCount maxRetries balance budget",
    );
    const steps = await all<StepRow>(
      "workflowSteps",
      "workflowId step status attempts pendingDependencies dependencies dependents jobId resultHash specHash maxReward",
    );
    expect(workflows.map((w) => BigInt(w.id)).sort()).toEqual(run.workflows);
    const read = (functionName: "getWorkflow" | "getStep", args: readonly unknown[]) =>
      readContract(net!.publicClient, {
        address: dep.orchestrator,
        abi: workflowOrchestratorAbi,
        functionName,
        args: args as never,
        blockNumber: head,
      });
    for (const w of workflows) {
      const v = (await read("getWorkflow", [BigInt(w.id)])) as {
        requester: Address;
        token: Address;
        status: number;
        stepCount: number;
        settledCount: number;
        maxRetries: number;
        balance: bigint;
        budget: bigint;
      };
      expect({
        ...w,
        id: undefined,
        requester: lower(w.requester),
        token: lower(w.token),
        balance: BigInt(w.balance),
        budget: BigInt(w.budget),
      }).toEqual({
        ...v,
        id: undefined,
        requester: lower(v.requester),
        token: lower(v.token),
        status: workflowStatusNames[v.status],
      });
    }
    expect(steps.length).toBe(workflows.reduce((n, w) => n + w.stepCount, 0));
    for (const s of steps) {
      const v = (await read("getStep", [BigInt(s.workflowId), s.step])) as {
        status: number;
        attempts: number;
        pendingDependencies: number;
        dependencies: number;
        dependents: number;
        jobId: bigint;
        resultHash: Hex;
        specHash: Hex;
        maxReward: bigint;
      };
      expect({
        at: `${s.workflowId}:${s.step}`,
        status: s.status,
        attempts: s.attempts,
        pendingDependencies: s.pendingDependencies,
        dependencies: s.dependencies,
        dependents: s.dependents,
        jobId: BigInt(s.jobId),
        resultHash: lower(s.resultHash ?? zeroHash),
        specHash: lower(s.specHash),
        maxReward: BigInt(s.maxReward),
      }).toEqual({
        at: `${s.workflowId}:${s.step}`,
        status: stepStatusNames[v.status],
        attempts: v.attempts,
        pendingDependencies: v.pendingDependencies,
        dependencies: v.dependencies,
        dependents: v.dependents,
        jobId: v.jobId,
        resultHash: lower(v.resultHash),
        specHash: lower(v.specHash),
        maxReward: v.maxReward,
      });
    }
    expect(new Set(workflows.map((w) => w.status))).toEqual(new Set(["Active", "Cancelled"]));
  });

  it("serves the dApp's job list: each state's jobs, newest first, a page at a time, to another origin", async () => {
    const ids = Array.from(
      {
        length: Number(
          await readContract(net!.publicClient, {
            address: dep.market,
            abi: jobMarketAbi,
            functionName: "jobCount",
            blockNumber: head,
          }),
        ),
      },
      (_, i) => BigInt(i + 1),
    );
    const views = await readJobs(net!.publicClient, {
      market: dep.market,
      multicall: dep.multicall3,
      ids,
      blockNumber: head,
    });
    const now = Number(headTime);
    // Every state the run left jobs in, filtered by the indexer as the market derives it at the head.
    const states = [...new Set(views.map((v) => v.state))];
    expect(states.length).toBeGreaterThanOrEqual(6);
    for (const state of states) {
      const expected = views
        .filter((v) => v.state === state)
        .map((v) => v.id)
        .reverse();
      const page = await loadIndexedJobPage(indexer!.url, { state }, 0, 100, now);
      expect(
        page.jobs.map((j) => j.id),
        `state ${state}`,
      ).toEqual(expected);
      expect(page.total).toBe(expected.length);
      for (const job of page.jobs) expect(page.views.get(job.id)?.state).toBe(state);
    }
    // Pages of five, newest first, cover every job once; each row's record is getJob's.
    const seen: bigint[] = [];
    for (let p = 0; p * 5 < ids.length; p++) {
      const page = await loadIndexedJobPage(indexer!.url, {}, p, 5, now);
      expect(page.total).toBe(ids.length);
      for (const job of page.jobs) {
        seen.push(job.id);
        const view = views[Number(job.id) - 1]!;
        expect(page.views.get(job.id)).toEqual({ id: job.id, state: view.state, job: view.job });
      }
    }
    expect(seen).toEqual([...ids].reverse());
    // The dApp is served from another origin than the indexer.
    const res = await fetch(`${indexer!.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://127.0.0.1:5173" },
      body: JSON.stringify({ query: "{ jobs(limit: 1) { totalCount } }" }),
    });
    expect(res.headers.get("access-control-allow-origin")).toMatch(/^(\*|http:\/\/127\.0\.0\.1:5173)$/);
  });
});
