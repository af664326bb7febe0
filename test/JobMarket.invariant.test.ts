import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import {
  DEFAULT_PARAMS,
  ETH,
  JobState,
  Pricing,
  RESULT,
  RESULT_HASH,
  SPEC,
  SPEC_HASH,
  deployMarket,
  expectConservation,
  makeTerms,
  salt,
  type Fixture,
  type JobTerms,
  packTerms,
} from "./helpers/fixture";

// Random bounded sequences of actions by requesters, workers, committee members and bystanders.
// After every step: per-token escrow conservation, bond accounting (each worker's locked stake
// equals its bond on every unrevealed bid plus every job it holds), no terminal job comes back,
// and no call ever fails with anything but a documented custom error.

type World = {
  f: Fixture;
  jobs: { jobId: bigint; terms: JobTerms }[];
  bids: { jobId: bigint; round: number; worker: number; price: bigint }[];
  terminal: Set<bigint>;
};

const TERMINAL = [JobState.Settled, JobState.Cancelled, JobState.Refunded];

type Action =
  | { kind: "post"; erc20: boolean; second: boolean; reward: number }
  | { kind: "commit"; job: number; worker: number; price: number }
  | { kind: "reveal"; bid: number }
  | { kind: "forfeit"; bid: number }
  | { kind: "advance"; seconds: number }
  | {
      kind:
        "finalize" | "submit" | "accept" | "settle" | "dispute" | "slash" | "cancel" | "repost" | "reclaim" | "stale";
      job: number;
    }
  | { kind: "vote"; job: number; forWorker: boolean }
  | { kind: "withdraw"; who: number }
  | { kind: "unbond"; worker: number };

const jobAction = (kind: Extract<Action, { job: number }>["kind"]) =>
  fc.record({ kind: fc.constant(kind), job: fc.nat(7) }) as fc.Arbitrary<Action>;

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("post" as const),
      erc20: fc.boolean(),
      second: fc.boolean(),
      reward: fc.integer({ min: 1, max: 5 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("commit" as const),
      job: fc.nat(7),
      worker: fc.nat(2),
      price: fc.integer({ min: 0, max: 6 }),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant("reveal" as const), bid: fc.nat(15) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant("forfeit" as const), bid: fc.nat(15) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      seconds: fc.constantFrom(1, 600, 3600, 7200, 86_400, 4 * 86_400),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.oneof(
      ...(
        ["finalize", "submit", "accept", "settle", "dispute", "slash", "cancel", "repost", "reclaim", "stale"] as const
      ).map(jobAction),
    ),
    weight: 8,
  },
  { arbitrary: fc.record({ kind: fc.constant("vote" as const), job: fc.nat(7), forWorker: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("withdraw" as const), who: fc.nat(6) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("unbond" as const), worker: fc.nat(2) }), weight: 1 },
);

async function apply(w: World, a: Action): Promise<void> {
  const { f } = w;
  const m = f.market;
  const job = "job" in a ? w.jobs[a.job % Math.max(w.jobs.length, 1)] : undefined;
  if ("job" in a && !job) return;
  switch (a.kind) {
    case "post": {
      const reward = ethers.parseEther(String(a.reward));
      const token = a.erc20 ? await f.token.getAddress() : ETH;
      const terms = await makeTerms(f, {
        token,
        maxReward: reward,
        pricing: a.second ? Pricing.SecondPrice : Pricing.FirstPrice,
        expiry: (await time.latest()) + 2 * 86_400,
      });
      await m.connect(f.requester).postJob(packTerms(terms), SPEC_HASH, SPEC, { value: a.erc20 ? 0n : reward });
      w.jobs.push({ jobId: await m.jobCount(), terms });
      return;
    }
    case "commit": {
      const round = Number((await m.getJob(job!.jobId)).round);
      const price = ethers.parseEther(String(a.price)) / 2n;
      const bidder = f.workers[a.worker];
      const commitment = await m.computeCommitment(
        job!.jobId,
        round,
        bidder.address,
        price,
        salt(`${job!.jobId}:${round}:${a.worker}`),
      );
      await m.connect(bidder).commitBid(job!.jobId, packTerms(job!.terms), commitment);
      w.bids.push({ jobId: job!.jobId, round, worker: a.worker, price });
      return;
    }
    case "reveal":
    case "forfeit": {
      const bid = w.bids[a.bid % Math.max(w.bids.length, 1)];
      if (!bid) return;
      const terms = w.jobs.find((j) => j.jobId === bid.jobId)!.terms;
      if (a.kind === "reveal") {
        await m
          .connect(f.workers[bid.worker])
          .revealBid(bid.jobId, packTerms(terms), bid.price, salt(`${bid.jobId}:${bid.round}:${bid.worker}`));
      } else {
        await m
          .connect(f.other)
          .forfeitUnrevealed(bid.jobId, packTerms(terms), ethers.ZeroHash, bid.round, f.workers[bid.worker].address);
      }
      return;
    }
    case "advance":
      await time.increase(a.seconds);
      return;
    case "finalize":
      await m.connect(f.other).finalizeAuction(job!.jobId, packTerms(job!.terms));
      return;
    case "submit": {
      const winner = (await m.getJob(job!.jobId)).winner;
      const signer = f.workers.find((s) => s.address === winner) ?? f.worker1;
      await m.connect(signer).submitResult(job!.jobId, packTerms(job!.terms), RESULT_HASH, RESULT);
      return;
    }
    case "accept":
      await m.connect(f.requester).accept(job!.jobId, packTerms(job!.terms), RESULT_HASH);
      return;
    case "settle":
      await m.connect(f.other).settle(job!.jobId, packTerms(job!.terms), RESULT_HASH);
      return;
    case "dispute":
      await m
        .connect(f.other)
        .dispute(job!.jobId, packTerms(job!.terms), RESULT_HASH, { value: DEFAULT_PARAMS.disputeBond });
      return;
    case "slash":
      await m.connect(f.other).slashNoShow(job!.jobId, packTerms(job!.terms));
      return;
    case "cancel":
      await m.connect(f.requester).cancel(job!.jobId, packTerms(job!.terms));
      return;
    case "repost":
      await m.connect(f.requester).repost(job!.jobId, packTerms(job!.terms));
      return;
    case "reclaim":
      await m.connect(f.requester).reclaim(job!.jobId, packTerms(job!.terms));
      return;
    case "stale":
      await m.connect(f.other).resolveStaleDispute(job!.jobId, packTerms(job!.terms), RESULT_HASH);
      return;
    case "vote": {
      for (const member of f.members.slice(0, 2)) {
        if (!(await f.arbiter.hasVoted(job!.jobId, member.address)))
          await f.arbiter.connect(member).vote(job!.jobId, a.forWorker);
      }
      await f.arbiter.connect(f.other).resolve(job!.jobId, packTerms(job!.terms), RESULT_HASH);
      return;
    }
    case "withdraw": {
      const who = [f.requester, f.treasury, f.other, ...f.workers, f.members[0]][a.who];
      await m.connect(who).withdraw(ETH);
      return;
    }
    case "unbond":
      await m.connect(f.workers[a.worker]).requestUnbond(ethers.parseEther("1"));
      return;
  }
}

/** Custom errors that a random action may legitimately hit. */
function isExpectedRevert(w: World, error: unknown): boolean {
  const data = (error as { data?: string }).data;
  if (typeof data !== "string" || data.length < 10) return false;
  for (const iface of [w.f.market.interface, w.f.arbiter.interface]) {
    const parsed = iface.parseError(data);
    // Panics (overflow, underflow) and revert strings are never acceptable.
    if (parsed && parsed.name !== "Panic" && parsed.name !== "Error") return true;
  }
  return false;
}

async function checkInvariants(w: World) {
  const { f } = w;
  await expectConservation(f, w.jobs);
  // Bond accounting from independent storage: unrevealed commitments plus held jobs.
  for (const [i, worker] of f.workers.entries()) {
    let expected = 0n;
    const seen = new Set<string>();
    for (const bid of w.bids) {
      const key = `${bid.jobId}:${bid.round}`;
      if (bid.worker !== i || seen.has(key)) continue;
      seen.add(key);
      const bond = BigInt(w.jobs.find((j) => j.jobId === bid.jobId)!.terms.bond);
      if ((await f.market.commitmentOf(bid.jobId, bid.round, worker.address)) !== ethers.ZeroHash) expected += bond;
    }
    for (const { jobId, terms } of w.jobs) {
      const job = await f.market.getJob(jobId);
      const state = Number(await f.market.jobState(jobId));
      if (job.winner === worker.address && !TERMINAL.includes(state) && state !== JobState.Unfilled)
        expected += BigInt(terms.bond);
    }
    const info = await f.market.getWorker(worker.address);
    expect(info.locked, `locked stake of worker ${i}`).to.equal(expected);
    expect(info.locked <= info.stake).to.equal(true);
  }
  for (const { jobId } of w.jobs) {
    const state = Number(await f.market.jobState(jobId));
    if (w.terminal.has(jobId)) expect(TERMINAL, `job ${jobId} left a terminal state`).to.include(state);
    if (TERMINAL.includes(state)) w.terminal.add(jobId);
  }
}

describe("JobMarket invariants", function () {
  it("holds conservation, bond accounting and terminal states over random action sequences", async function () {
    this.timeout(600_000);
    const runs = Number(process.env.INVARIANT_RUNS ?? 12);
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 10, maxLength: 40 }), async (actions) => {
        const f = await loadFixture(deployMarket);
        const w: World = { f, jobs: [], bids: [], terminal: new Set() };
        for (const a of actions) {
          try {
            await apply(w, a);
          } catch (error) {
            if (!isExpectedRevert(w, error)) throw error;
          }
          await checkInvariants(w);
        }
      }),
      { numRuns: runs, seed: process.env.INVARIANT_SEED ? Number(process.env.INVARIANT_SEED) : undefined },
    );
  });

  it("regression: a disputed job whose committee rules against the worker reopens with exact refunds", async function () {
    const f = await loadFixture(deployMarket);
    const w: World = { f, jobs: [], bids: [], terminal: new Set() };
    const script: Action[] = [
      { kind: "post", erc20: false, second: false, reward: 2 },
      { kind: "commit", job: 0, worker: 0, price: 2 },
      { kind: "advance", seconds: 3600 },
      { kind: "reveal", bid: 0 },
      { kind: "advance", seconds: 3600 },
      { kind: "submit", job: 0 },
      { kind: "dispute", job: 0 },
      { kind: "vote", job: 0, forWorker: false },
    ];
    for (const a of script) {
      await apply(w, a);
      await checkInvariants(w);
    }
    expect(await f.market.jobState(1n)).to.equal(JobState.Open);
    expect((await f.market.getWorker(f.worker1.address)).disputesLost).to.equal(1);
  });
});
