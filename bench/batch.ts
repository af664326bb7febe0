// Batched lifecycle: each actor sends one transaction per step for `n` jobs — the requester
// `postJobs`, the worker `commitBids`, `revealBids` and `submitResults`, a keeper `settleMany` (or
// the same steps as `multicall`s of single calls, to compare). Returns gas per job for each step (the transaction's gas divided by `n`).
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

/**
 * One batched lifecycle of `n` ETH jobs; gas per job per step. `via` sends the worker's and the
 * settler's steps through the market's batch functions or through `multicall` of single calls.
 */
export async function batchRound(f: Fixture, n: number, via: "batch" | "multicall" = "batch") {
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
  const packed = terms.map((t) => packTerms(t));

  // ethers' own Interface: typechain's overloads name each function, not any of them.
  const abi: Interface = m.interface;
  const single = (fn: string, rows: unknown[][]) => rows.map((args) => abi.encodeFunctionData(fn, args));
  const rows = (...columns: unknown[][]) => ids.map((id, i) => [id, packed[i], ...columns.map((c) => c[i])]);
  const prices = ids.map(() => PRICE);
  const hashes = ids.map(() => RESULT_HASH);
  const results = ids.map(() => RESULT);
  const multicall = via === "multicall";

  const worker = m.connect(f.worker1);
  const commit = await gasOf(
    multicall ? worker.multicall(single("commitBid", rows(commitments))) : worker.commitBids(ids, packed, commitments),
  );
  await time.increaseTo((await m.getJob(ids[n - 1])).deadline);
  const reveal = await gasOf(
    multicall
      ? worker.multicall(single("revealBid", rows(prices, salts)))
      : worker.revealBids(ids, packed, prices, salts),
  );
  await time.increaseTo((await m.getJob(ids[n - 1])).revealDeadline);
  const submit = await gasOf(
    multicall
      ? worker.multicall(single("submitResult", rows(hashes, results)))
      : worker.submitResults(ids, packed, hashes, results),
  );
  await time.increaseTo((await m.getJob(ids[n - 1])).deadline);
  const settler = m.connect(f.other);
  const settle = await gasOf(
    multicall ? settler.multicall(single("settle", rows(hashes))) : settler.settleMany(ids, packed, hashes),
  );
  const perJob = { post, commit, reveal, submit, settle };
  for (const k of Object.keys(perJob) as (keyof typeof perJob)[]) perJob[k] = Math.round(perJob[k] / n);
  return perJob;
}
