// Batched lifecycle: each actor sends one transaction per step for `n` jobs — the requester
// `postJobs`, the worker `multicall` of its commits, reveals and submissions, a keeper `multicall`
// of the settlements. Returns gas per job for each step (the transaction's gas divided by `n`).
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse, Interface } from "ethers";
import {
  makeTerms,
  salt,
  SPEC,
  SPEC_HASH,
  RESULT,
  RESULT_HASH,
  type Fixture,
  packTerms,
} from "../test/helpers/fixture";

const PRICE = ethers.parseEther("1.5");

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  return Number((await (await tx).wait())!.gasUsed);
}

/** One batched lifecycle of `n` ETH jobs; gas per job per step. */
export async function batchRound(f: Fixture, n: number) {
  const m = f.market;
  const terms = await Promise.all(Array.from({ length: n }, () => makeTerms(f)));
  const value = terms.reduce((sum, t) => sum + BigInt(t.maxReward), 0n);
  const post = await gasOf(
    m.connect(f.requester).postJobs(
      terms.map((t) => packTerms(t)),
      terms.map(() => SPEC_HASH),
      terms.map(() => SPEC),
      { value },
    ),
  );
  const last = await m.jobCount();
  const ids = terms.map((_, i) => last - BigInt(n - 1 - i));
  const salts = ids.map((id) => salt(`batch:${id}`));
  const commitments = await Promise.all(
    ids.map((id, i) => m.computeCommitment(id, 0, f.worker1.address, PRICE, salts[i])),
  );
  // ethers' own Interface: typechain's overloads name each function, not any of them.
  const abi: Interface = m.interface;
  const call = (fn: string, args: unknown[]) => abi.encodeFunctionData(fn, args);

  const commit = await gasOf(
    m.connect(f.worker1).multicall(ids.map((id, i) => call("commitBid", [id, packTerms(terms[i]), commitments[i]]))),
  );
  await time.increaseTo((await m.getJob(ids[n - 1])).deadline);
  const reveal = await gasOf(
    m.connect(f.worker1).multicall(ids.map((id, i) => call("revealBid", [id, packTerms(terms[i]), PRICE, salts[i]]))),
  );
  await time.increaseTo((await m.getJob(ids[n - 1])).revealDeadline);
  const submit = await gasOf(
    m
      .connect(f.worker1)
      .multicall(ids.map((id, i) => call("submitResult", [id, packTerms(terms[i]), RESULT_HASH, RESULT]))),
  );
  await time.increaseTo((await m.getJob(ids[n - 1])).deadline);
  const settle = await gasOf(
    m.connect(f.other).multicall(ids.map((id, i) => call("settle", [id, packTerms(terms[i]), RESULT_HASH]))),
  );
  const perJob = { post, commit, reveal, submit, settle };
  for (const k of Object.keys(perJob) as (keyof typeof perJob)[]) perJob[k] = Math.round(perJob[k] / n);
  return perJob;
}
