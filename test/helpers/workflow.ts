import { ethers } from "hardhat";
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { WorkflowOrchestrator } from "../../typechain-types";
import type { IWorkflowOrchestrator } from "../../typechain-types/contracts/WorkflowOrchestrator";
import {
  DEFAULT_PARAMS,
  ETH,
  HOUR,
  JobState,
  Pricing,
  WINDOWS,
  deployMarket,
  jobOf,
  salt,
  type JobTerms,
  packTerms,
  unpackTerms,
} from "./fixture";

export type StepInput = IWorkflowOrchestrator.StepInputStruct;

export enum WorkflowStatus {
  None,
  Active,
  Completed,
  Failed,
  Cancelled,
}

export enum StepStatus {
  Waiting,
  Ready,
  Posted,
  Settled,
  Failed,
  Cancelled,
}

export const CAP = ethers.parseEther("1");

/** The market with a callback gas limit that fits posting several dependents, plus an orchestrator. */
export async function deployOrchestrator() {
  const f = await deployMarket();
  await f.market
    .connect(f.owner)
    .setParams({ treasury: f.treasury.address, ...DEFAULT_PARAMS, callbackGasLimit: 1_000_000 });
  const orchestrator = (await (
    await ethers.getContractFactory("WorkflowOrchestrator")
  ).deploy(await f.market.getAddress(), f.treasury.address)) as unknown as WorkflowOrchestrator;
  await f.token.connect(f.requester).approve(await orchestrator.getAddress(), ethers.MaxUint256);
  await f.feeToken.connect(f.requester).approve(await orchestrator.getAddress(), ethers.MaxUint256);
  return { ...f, orchestrator };
}

export type WorkflowFixture = Awaited<ReturnType<typeof deployOrchestrator>>;

export function stepSpec(name: string): Uint8Array {
  return ethers.toUtf8Bytes(`{"kind":"wasm","step":"${name}"}`);
}

export async function step(f: WorkflowFixture, name: string, overrides: Partial<StepInput> = {}): Promise<StepInput> {
  return {
    spec: stepSpec(name),
    maxReward: CAP,
    arbiter: await f.arbiter.getAddress(),
    bond: ethers.parseEther("1"),
    minStake: 0n,
    minCompleted: 0,
    ...WINDOWS,
    expiryWindow: 30 * 24 * HOUR,
    pricing: Pricing.FirstPrice,
    ...overrides,
  };
}

/** A → B, A → C, B & C → D. */
export const DIAMOND: number[][] = [[], [0], [0], [1, 2]];

export async function createWorkflow(
  f: WorkflowFixture,
  deps: number[][],
  options: { budget?: bigint; retries?: number; token?: string; steps?: StepInput[] } = {},
) {
  const steps = options.steps ?? (await Promise.all(deps.map((_, i) => step(f, `s${i}`))));
  const budget = options.budget ?? steps.reduce((sum, s) => sum + BigInt(s.maxReward), 0n);
  const token = options.token ?? ETH;
  await f.orchestrator
    .connect(f.requester)
    .createWorkflow(steps, deps, token, budget, options.retries ?? 0, { value: token === ETH ? budget : 0n });
  const workflowId = await f.orchestrator.workflowCount();
  return { workflowId, steps, budget };
}

/** The terms a market job was posted with, from its `JobPosted` event. */
export async function termsOf(f: WorkflowFixture, jobId: bigint): Promise<JobTerms> {
  const [log] = await f.market.queryFilter(f.market.filters.JobPosted(jobId));
  return unpackTerms(log.args.terms);
}

export async function specHashOf(f: WorkflowFixture, jobId: bigint): Promise<string> {
  const [log] = await f.market.queryFilter(f.market.filters.JobPosted(jobId));
  return log.args.specHash;
}

export async function jobOfStep(f: WorkflowFixture, workflowId: bigint, index: number): Promise<bigint> {
  return (await f.orchestrator.getStep(workflowId, index)).jobId;
}

export const resultOf = (label: string) => ethers.toUtf8Bytes(`{"result":"${label}"}`);

/** The hash of the result `bidAndSubmitAll` submits for a job by default. */
export const resultHashOfJob = (jobId: bigint) => ethers.keccak256(resultOf(String(jobId)));

export type Work = { jobId: bigint; price: bigint; worker?: HardhatEthersSigner; result?: Uint8Array };

/**
 * Runs jobs posted together through one bid each, reveal, submission and the challenge window, in
 * lockstep so their windows line up; leaves them Settleable. Returns their terms.
 */
export async function bidAndSubmitAll(f: WorkflowFixture, work: Work[]): Promise<JobTerms[]> {
  const terms = await Promise.all(work.map((w) => termsOf(f, w.jobId)));
  const worker = (w: Work) => w.worker ?? f.worker1;
  for (const [i, w] of work.entries()) {
    const job = await jobOf(f, w.jobId);
    const s = salt(`${w.jobId}:${job.round}:${worker(w).address}`);
    const commitment = await f.market.computeCommitment(w.jobId, job.round, worker(w).address, w.price, s);
    await f.market.connect(worker(w)).commitBid(w.jobId, packTerms(terms[i]), commitment);
  }
  await time.increaseTo(
    Math.max(...(await Promise.all(work.map(async (w) => Number((await jobOf(f, w.jobId)).deadline))))),
  );
  for (const [i, w] of work.entries()) {
    const job = await jobOf(f, w.jobId);
    const s = salt(`${w.jobId}:${job.round}:${worker(w).address}`);
    await f.market.connect(worker(w)).revealBid(w.jobId, packTerms(terms[i]), w.price, s);
  }
  await time.increaseTo(
    Math.max(...(await Promise.all(work.map(async (w) => Number((await jobOf(f, w.jobId)).revealDeadline))))),
  );
  for (const [i, w] of work.entries()) {
    const result = w.result ?? resultOf(String(w.jobId));
    await f.market.connect(worker(w)).submitResult(w.jobId, packTerms(terms[i]), ethers.keccak256(result), result);
  }
  await time.increaseTo(
    Math.max(...(await Promise.all(work.map(async (w) => Number((await jobOf(f, w.jobId)).deadline))))),
  );
  return terms;
}

/** The hash of the result `bidAndSubmitAll` submitted for `work`. */
export const submittedHash = (w: Work) => ethers.keccak256(w.result ?? resultOf(String(w.jobId)));

/** Takes one job through a bid, its result and the challenge window, and returns the settlement. */
export async function complete(f: WorkflowFixture, work: Work) {
  const [terms] = await bidAndSubmitAll(f, [work]);
  return f.market.connect(f.other).settle(work.jobId, packTerms(terms), submittedHash(work));
}

/**
 * Takes a one-bid job to its result, lowers the market's callback gas below what the orchestrator's
 * callback needs, and settles it: the job is Settled, its step still Posted for `advance`.
 */
export async function settleWithFailedCallback(f: WorkflowFixture, work: Work) {
  const [terms] = await bidAndSubmitAll(f, [work]);
  await f.market
    .connect(f.owner)
    .setParams({ treasury: f.treasury.address, ...DEFAULT_PARAMS, callbackGasLimit: 20_000 });
  await expect(f.market.settle(work.jobId, packTerms(terms), submittedHash(work)))
    .to.emit(f.market, "SettlementCallback")
    .withArgs(work.jobId, false);
  return terms;
}

/** `bidAndSubmitAll`, then settles each job in order (each settlement runs the callback). */
export async function completeAll(f: WorkflowFixture, work: Work[]) {
  const terms = await bidAndSubmitAll(f, work);
  for (const [i, w] of work.entries())
    await f.market.connect(f.other).settle(w.jobId, packTerms(terms[i]), submittedHash(w));
  return terms;
}

/**
 * Conservation across the orchestrator and the market: what the orchestrator owes equals every
 * workflow balance, every requester credit and the cap of every posted step not yet recorded; its
 * tokens and market credit plus the escrow of its live jobs cover that; and the surplus it would
 * sweep is exactly what it holds beyond `owed`, so it can never include workflow money.
 */
export async function expectOrchestratorSolvent(f: WorkflowFixture, token: string, accounts: string[]) {
  const o = f.orchestrator;
  let balances = 0n;
  let inFlight = 0n;
  let escrowed = 0n;
  let paid = 0n;
  const count = await o.workflowCount();
  for (let id = 1n; id <= count; id++) {
    const wf = await o.getWorkflow(id);
    if (wf.token !== token) continue;
    balances += wf.balance;
    for (let i = 0; i < Number(wf.stepCount); i++) {
      const step = await o.getStep(id, i);
      if (Number(step.status) !== StepStatus.Posted) continue;
      inFlight += step.maxReward;
      // The cap is still in the market's escrow unless the job already ended; a settled job whose
      // outcome is not recorded yet paid its price to the worker and returned the rest.
      const state = Number(await f.market.jobState(step.jobId));
      if (state === JobState.Settled) paid += (await f.market.undeliveredSettlementOf(step.jobId)).price;
      else if (![JobState.Cancelled, JobState.Refunded].includes(state)) escrowed += step.maxReward;
    }
  }
  let credits = 0n;
  for (const a of accounts) credits += await o.creditOf(a, token);
  const owed = await o.owed(token);
  expect(owed, "owed = balances + credits + caps in flight").to.equal(balances + credits + inFlight);
  const address = await o.getAddress();
  const held =
    token === ETH
      ? await ethers.provider.getBalance(address)
      : await (await ethers.getContractAt("TestToken", token)).balanceOf(address);
  const assets = held + (await f.market.creditOf(address, token));
  expect(assets + escrowed + paid >= owed, "assets + escrow + unrecorded prices cover owed").to.equal(true);
  const surplus = await o.surplus(token);
  expect(surplus, "surplus = assets beyond owed").to.equal(assets > owed ? assets - owed : 0n);
}
