import { describe, expect, it } from "vitest";
import { ZERO_ADDRESS, ZERO_HASH } from "@baton/sdk";
import { sampleTerms } from "@baton/testkit";
import {
  bidOrder,
  decide,
  failureReason,
  holds,
  nextDue,
  planJob,
  planPass,
  planReadyStep,
  priceFor,
  retryDelay,
  riskyBond,
  S,
  STEP,
  stepKey,
  turnDelay,
  type ChainJob,
  type LocalJob,
  type Me,
  type StepView,
  type Terms,
} from "../src/plan.js";

const ME = "0x00000000000000000000000000000000000000aa" as const;
const OTHER = "0x00000000000000000000000000000000000000bb" as const;
const ZERO = ZERO_ADDRESS;
const SOME_HASH = `0x${"1".repeat(64)}` as const;
const NOW = 1_900_000_000;

const terms: Terms = sampleTerms();
const me: Me = { address: ME, registered: true, stake: 10n ** 19n, locked: 0n, completed: 3 };
const cfg = {
  housekeeping: true,
  housekeepingDelaySec: 60,
  faults: { neverReveal: false },
  strategy: { kind: "fraction" as const, fraction: 0.8 },
  minReward: {},
  acceptUnlistedTokens: false,
};

function local(overrides: Partial<LocalJob> = {}, steps: string[] = []): LocalJob {
  return {
    decision: "bid",
    specKind: "wasm",
    hasBid: false,
    execution: undefined,
    unrevealed: [],
    hasStep: (k) => steps.includes(k),
    ...overrides,
  };
}
function chain(state: number, overrides: Partial<ChainJob> = {}): ChainJob {
  return {
    state,
    round: 0,
    winner: ZERO,
    myCommitment: ZERO_HASH,
    now: NOW,
    revealDeadline: NOW - 60,
    deadline: NOW - 60,
    gasPrice: 10n ** 9n,
    ...overrides,
  };
}
const kinds = (actions: { kind: string }[]) => actions.map((a) => a.kind);

describe("planJob", () => {
  it("commits once on an open job it decided to bid on, within capacity", () => {
    expect(kinds(planJob(1n, terms, chain(S.Open), local(), me, cfg, 0, 4))).toEqual(["commit"]);
    expect(planJob(1n, terms, chain(S.Open), local({ hasBid: true }), me, cfg, 0, 4)).toEqual([]);
    expect(planJob(1n, terms, chain(S.Open), local({}, [stepKey("commit", 1n, 0)]), me, cfg, 0, 4)).toEqual([]);
    expect(planJob(1n, terms, chain(S.Open), local(), me, cfg, 4, 4)).toEqual([]);
    expect(planJob(1n, terms, chain(S.Open), local({ decision: "skip: no capability" }), me, cfg, 0, 4)).toEqual([]);
  });

  it("commits at its price, which covers gas at the current gas price for ETH jobs under cost-plus", () => {
    expect(planJob(1n, terms, chain(S.Open, { round: 2 }), local(), me, cfg, 0, 4)).toEqual([
      { kind: "commit", key: stepKey("commit", 1n, 2), round: 2, price: 8n * 10n ** 17n },
    ]);
    const costPlus = {
      ...cfg,
      strategy: {
        kind: "cost-plus" as const,
        margin: 0.5,
        executionCostWei: { wasm: "1000000000000000" },
        gasPerJob: 400_000,
      },
    };
    const gwei = 10n ** 9n;
    expect(planJob(1n, terms, chain(S.Open, { gasPrice: gwei }), local(), me, costPlus, 0, 4)).toMatchObject([
      { kind: "commit", price: 2_100_000n * gwei },
    ]);
    // At 10,000 gwei the gas alone exceeds the reward: declined for good, with the reason.
    expect(planJob(1n, terms, chain(S.Open, { gasPrice: 10_000n * gwei }), local(), me, costPlus, 0, 4)).toEqual([
      { kind: "decline", reason: expect.stringMatching(/^price \d+ above the job's maximum reward/) },
    ]);
  });

  it("waits for free stake to cover the bond before committing", () => {
    const bond = terms.bond;
    const tight = { ...me, stake: 5n * bond, locked: 4n * bond + 1n };
    expect(planJob(1n, terms, chain(S.Open), local(), tight, cfg, 0, 4)).toEqual([
      { kind: "lackStake", free: bond - 1n, bond },
    ]);
    expect(kinds(planJob(1n, terms, chain(S.Open), local(), { ...tight, locked: 4n * bond }, cfg, 0, 4))).toEqual([
      "commit",
    ]);
  });

  it("never commits on a job whose spec is invalid", () => {
    expect(planJob(1n, terms, chain(S.Open), local({ specKind: undefined }), me, cfg, 0, 4)).toEqual([]);
  });

  it("reveals its own committed bid, unless configured never to reveal", () => {
    const c = chain(S.Revealing, { myCommitment: SOME_HASH });
    expect(kinds(planJob(1n, terms, c, local({ hasBid: true }), me, cfg, 1, 4))).toEqual(["reveal"]);
    expect(planJob(1n, terms, c, local({ hasBid: true }), me, { ...cfg, faults: { neverReveal: true } }, 1, 4)).toEqual(
      [],
    );
    // Already revealed: the chain shows no commitment.
    expect(planJob(1n, terms, chain(S.Revealing), local({ hasBid: true }), me, cfg, 1, 4)).toEqual([]);
  });

  it("executes when it won, then submits (finalizing implicitly), and never submits a failed execution", () => {
    const won = chain(S.Awarding, { winner: ME });
    expect(kinds(planJob(1n, terms, won, local({ hasBid: true }), me, cfg, 1, 4))).toEqual(["execute"]);
    expect(planJob(1n, terms, won, local({ hasBid: true, execution: "running" }), me, cfg, 1, 4)).toEqual([]);
    expect(kinds(planJob(1n, terms, won, local({ hasBid: true, execution: "done" }), me, cfg, 1, 4))).toEqual([
      "submit",
    ]);
    const assigned = chain(S.Assigned, { winner: ME });
    expect(kinds(planJob(1n, terms, assigned, local({ execution: "done" }), me, cfg, 1, 4))).toEqual(["submit"]);
    expect(
      planJob(1n, terms, assigned, local({ execution: "done" }, [stepKey("submit", 1n, 0)]), me, cfg, 1, 4),
    ).toEqual([]);
  });

  it("gives the job back once when its execution failed, while the execution deadline has not passed", () => {
    for (const state of [S.Awarding, S.Assigned]) {
      const won = chain(state, { winner: ME });
      const failed = local({ hasBid: true, execution: "failed" });
      expect(planJob(1n, terms, won, failed, me, cfg, 1, 4)).toEqual([
        { kind: "abandon", key: stepKey("abandon", 1n, 0), round: 0, reason: "execution failed" },
      ]);
      // Once only.
      const given = local({ hasBid: true, execution: "failed" }, [stepKey("abandon", 1n, 0)]);
      expect(planJob(1n, terms, won, given, me, cfg, 1, 4)).toEqual([]);
      // Deadline passed: the no-show path is all that is left.
      const late = chain(state, { winner: ME, revealDeadline: NOW - terms.executionWindow });
      expect(planJob(1n, terms, late, failed, me, cfg, 1, 4)).toEqual([]);
      // Running or done: never abandoned.
      expect(planJob(1n, terms, won, local({ execution: "running" }), me, cfg, 1, 4)).toEqual([]);
      expect(kinds(planJob(1n, terms, won, local({ execution: "done" }), me, cfg, 1, 4))).toEqual(["submit"]);
    }
    // Another worker's job is never abandoned.
    expect(
      kinds(planJob(1n, terms, chain(S.Assigned, { winner: OTHER }), local({ execution: "failed" }), me, cfg, 0, 4)),
    ).toEqual([]);
  });

  it("gives back, without running it, a job it won whose spec already failed deterministically here", () => {
    const failedBefore = { jobId: 7n, error: "TRAP: unreachable" };
    const won = chain(S.Awarding, { winner: ME });
    expect(kinds(planJob(1n, terms, won, local({ hasBid: true, failedBefore }), me, cfg, 1, 4))).toEqual(["abandon"]);
  });

  it("finalizes, slashes and settles other workers' jobs only as housekeeping", () => {
    // Past the winner's execution deadline and every keeper's turn after the challenge window.
    const theirs = { winner: OTHER, revealDeadline: NOW - terms.executionWindow, deadline: NOW - 120 };
    expect(kinds(planJob(1n, terms, chain(S.Awarding, theirs), local(), me, cfg, 0, 4))).toEqual(["finalize"]);
    expect(kinds(planJob(1n, terms, chain(S.Overdue, theirs), local(), me, cfg, 0, 4))).toEqual(["slashNoShow"]);
    expect(kinds(planJob(1n, terms, chain(S.Settleable, theirs), local(), me, cfg, 0, 4))).toEqual(["settle"]);
    expect(kinds(planJob(1n, terms, chain(S.RulingOverdue, theirs), local(), me, cfg, 0, 4))).toEqual([
      "resolveStaleDispute",
    ]);
    const quiet = { ...cfg, housekeeping: false };
    for (const s of [S.Awarding, S.Overdue, S.Settleable, S.RulingOverdue]) {
      expect(planJob(1n, terms, chain(s, theirs), local(), me, quiet, 0, 4)).toEqual([]);
    }
  });

  it("leaves finalizing to a winner still within its execution window, and settling to the winner for a while", () => {
    // The winner's submission finalizes: a separate finalizeAuction is wasted gas while it can still deliver.
    const executing = { winner: OTHER, revealDeadline: NOW - terms.executionWindow + 1 };
    expect(planJob(1n, terms, chain(S.Awarding, executing), local(), me, cfg, 0, 4)).toEqual([]);
    // The winner settles first: others wait their turn, at least housekeepingDelaySec after the challenge deadline.
    const justOpened = { winner: OTHER, deadline: NOW - 59 };
    expect(planJob(1n, terms, chain(S.Settleable, justOpened), local(), me, cfg, 0, 4)).toEqual([]);
    const turn = turnDelay(1n, ME, cfg.housekeepingDelaySec);
    const beforeTurn = { winner: OTHER, deadline: NOW - turn + 1 };
    expect(planJob(1n, terms, chain(S.Settleable, beforeTurn), local(), me, cfg, 0, 4)).toEqual([]);
    const atTurn = { winner: OTHER, deadline: NOW - turn };
    expect(kinds(planJob(1n, terms, chain(S.Settleable, atTurn), local(), me, cfg, 0, 4))).toEqual(["settle"]);
    expect(
      kinds(planJob(1n, terms, chain(S.Settleable, { winner: ME, deadline: NOW }), local(), me, cfg, 0, 4)),
    ).toEqual(["settle"]);
    const eager = { ...cfg, housekeepingDelaySec: 0 };
    expect(
      kinds(planJob(1n, terms, chain(S.Settleable, { winner: OTHER, deadline: NOW }), local(), me, eager, 0, 4)),
    ).toEqual(["settle"]);
  });

  it("gives each keeper its own turn per job, between the delay and twice the delay", () => {
    const keepers = Array.from({ length: 20 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}` as const);
    const turns = keepers.map((k) => turnDelay(7n, k, 60));
    for (const t of turns) expect(t >= 60 && t < 120).toBe(true);
    // Drawn per keeper: twenty keepers do not all share a turn, and the same keeper gets the same turn again.
    expect(new Set(turns).size).toBeGreaterThan(10);
    expect(keepers.map((k) => turnDelay(7n, k, 60))).toEqual(turns);
    // ...and per job: the same keeper is not always first.
    const firstOf = (jobId: bigint) =>
      keepers.reduce((a, b) => (turnDelay(jobId, a, 60) <= turnDelay(jobId, b, 60) ? a : b));
    expect(new Set([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n].map(firstOf)).size).toBeGreaterThan(1);
    expect(turnDelay(7n, ME, 0)).toBe(0);
  });

  it("settles its own job even without housekeeping, and never slashes itself", () => {
    const quiet = { ...cfg, housekeeping: false };
    expect(kinds(planJob(1n, terms, chain(S.Settleable, { winner: ME }), local(), me, quiet, 0, 4))).toEqual([
      "settle",
    ]);
    expect(planJob(1n, terms, chain(S.Overdue, { winner: ME }), local(), me, cfg, 0, 4)).toEqual([]);
  });

  it("forfeits other bidders' unrevealed bids once their reveal window is over, never its own", () => {
    const unrevealed = [
      { round: 0, bidder: OTHER },
      { round: 0, bidder: ME },
    ];
    expect(planJob(1n, terms, chain(S.Revealing), local({ unrevealed }), me, cfg, 0, 4)).toEqual([]);
    const after = planJob(1n, terms, chain(S.Unfilled), local({ unrevealed }), me, cfg, 0, 4);
    expect(after).toEqual([{ kind: "forfeit", key: stepKey("forfeit", 1n, 0, OTHER), round: 0, bidder: OTHER }]);
    // An earlier round's bid is forfeitable while the next round is open.
    expect(
      kinds(planJob(1n, terms, chain(S.Open, { round: 1 }), local({ unrevealed, decision: "skip" }), me, cfg, 0, 4)),
    ).toEqual(["forfeit"]);
  });

  it("never commits again on a job, in any round, or on a spec that failed deterministically here", () => {
    const failedBefore = { jobId: 1n, error: "TRAP: unreachable" };
    for (const round of [0, 1, 2]) {
      expect(planJob(1n, terms, chain(S.Open, { round }), local({ failedBefore }), me, cfg, 0, 4)).toEqual([]);
    }
    // Another job with the same spec hash.
    expect(planJob(2n, terms, chain(S.Open), local({ failedBefore }), me, cfg, 0, 4)).toEqual([]);
    // Housekeeping goes on.
    const unrevealed = [{ round: 0, bidder: OTHER }];
    expect(
      kinds(planJob(1n, terms, chain(S.Open, { round: 1 }), local({ failedBefore, unrevealed }), me, cfg, 0, 4)),
    ).toEqual(["forfeit"]);
  });

  it("stops tracking a terminal job once nothing is left to do", () => {
    for (const s of [S.Settled, S.Cancelled, S.Refunded]) {
      expect(planJob(1n, terms, chain(s), local(), me, cfg, 0, 4)).toEqual([{ kind: "done" }]);
    }
  });
});

describe("planPass", () => {
  const open = (id: bigint, overrides: Partial<Terms> = {}, bidders = 0) => ({
    id,
    terms: { ...terms, ...overrides },
    chain: chain(S.Open),
    // `bidders` other keepers have sealed a bid on it this round: it is planned after those with fewer.
    local: local({ unrevealed: Array.from({ length: bidders }, () => ({ round: 0, bidder: OTHER })) }),
  });

  it("counts the jobs it holds against its capacity, and gives each commit a place", () => {
    const revealing = { id: 1n, terms, chain: chain(S.Revealing), local: local({ hasBid: true }) };
    expect(planPass([revealing, open(2n), open(3n, {}, 1)], me, cfg, 2).map(kinds)).toEqual([[], ["commit"], []]);
    expect(planPass([open(2n), open(3n)], me, cfg, 2).map(kinds)).toEqual([["commit"], ["commit"]]);
  });

  it("locks each committed bond, so a later job waits for free stake", () => {
    const bond = terms.bond;
    const plans = planPass([open(1n), open(2n, {}, 1)], { ...me, stake: bond + bond / 2n }, cfg, 4);
    expect(plans.map(kinds)).toEqual([["commit"], ["lackStake"]]);
    expect(plans[1]).toEqual([{ kind: "lackStake", free: bond / 2n, bond }]);
  });

  it("under a capacity of the free stake, commits to every job whose bond still fits", () => {
    const bond = terms.bond;
    const burst = Array.from({ length: 30 }, (_, i) => open(BigInt(i + 1)));
    const plans = planPass(burst, { ...me, stake: bond * 25n }, cfg, Number.POSITIVE_INFINITY);
    expect(plans.filter((p) => kinds(p)[0] === "commit")).toHaveLength(25);
    expect(plans.filter((p) => kinds(p)[0] === "lackStake")).toHaveLength(5);
  });

  it("gives no place to a bid it declines or cannot cover", () => {
    const gwei = 10n ** 9n;
    const costPlus = {
      ...cfg,
      strategy: { kind: "cost-plus" as const, margin: 0, executionCostWei: {}, gasPerJob: 400_000 },
    };
    // 400k gas at 1 gwei is 0.0004 ETH: above the first job's reward, within the second's.
    const cheap = { ...open(1n, { maxReward: 100_000n * gwei, bond: 1n }), chain: chain(S.Open, { gasPrice: gwei }) };
    const fair = { ...open(2n, {}, 1), chain: chain(S.Open, { gasPrice: gwei }) };
    expect(planPass([cheap, fair], me, costPlus, 1).map(kinds)).toEqual([["decline"], ["commit"]]);
    const poor = { ...me, stake: 0n };
    expect(planPass([open(1n), open(2n, { bond: 0n }, 1)], poor, cfg, 1).map(kinds)).toEqual([
      ["lackStake"],
      ["commit"],
    ]);
  });

  it("spreads keepers over a burst: the jobs others bid on least first, then each keeper's own draw", () => {
    const burst = Array.from({ length: 20 }, (_, i) => open(BigInt(i + 1)));
    const firstFour = (address: `0x${string}`) =>
      planPass(burst, { ...me, address }, cfg, 4)
        .map((plan, i) => (plan.length ? burst[i].id : undefined))
        .filter((id) => id !== undefined);
    const mine = firstFour(ME);
    const theirs = firstFour(OTHER);
    expect(mine).toHaveLength(4);
    expect(theirs).toHaveLength(4);
    // Two keepers of capacity 4 do not both take the same four jobs out of twenty.
    expect(mine.filter((id) => theirs.includes(id)).length).toBeLessThan(4);
    // A job another keeper already bid on waits behind those nobody bid on.
    const contested = burst.map((j) => (mine.includes(j.id) ? open(j.id, {}, 1) : j));
    const next = planPass(contested, me, cfg, 4)
      .map((plan, i) => (plan.length ? contested[i].id : undefined))
      .filter((id) => id !== undefined);
    expect(next.filter((id) => mine.includes(id))).toEqual([]);
    // Jobs that are not open are planned first, in the order read.
    const revealing = { id: 99n, terms, chain: chain(S.Revealing), local: local() };
    expect(bidOrder([open(1n), revealing, open(2n, {}, 2)], ME)).toEqual([1, 0, 2]);
  });

  it("leaves a pending job alone, which keeps its place", () => {
    const pending = { id: 1n, terms, chain: chain(S.Open), local: local({ hasBid: true }), pending: true };
    expect(planPass([pending, open(2n)], me, cfg, 1)).toEqual([[], []]);
  });
});

describe("nextDue", () => {
  const due = (c: ChainJob, l: LocalJob = local(), extra: { pending?: boolean } = {}, config = cfg) =>
    nextDue({ id: 7n, terms, chain: c, local: l, ...extra }, me, config);
  const skip = local({ decision: "skip: no capability" });

  it("keeps a job it would still bid on due every pass while it is open, and a pending job at once", () => {
    expect(due(chain(S.Open, { deadline: NOW + 30, revealDeadline: NOW + 90 }))).toBe(NOW);
    expect(due(chain(S.Revealing), local({ hasBid: true }), { pending: true })).toBe(NOW);
  });

  it("wakes a job at the next deadline that changes its state or opens a step, and not before", () => {
    // Bid on, or not worth bidding on: nothing until the commit deadline, then the reveal deadline.
    const open = chain(S.Open, { deadline: NOW + 30, revealDeadline: NOW + 90 });
    expect(due(open, skip)).toBe(NOW + 30);
    expect(due(open, local({ hasBid: true }))).toBe(NOW + 30);
    expect(due(chain(S.Revealing, { deadline: NOW - 1, revealDeadline: NOW + 60 }), skip)).toBe(NOW + 60);
    // Another worker's award: the end of its execution window, when a no-show can be finalized.
    const awarding = chain(S.Awarding, { winner: OTHER, revealDeadline: NOW - 10, deadline: NOW - 70 });
    expect(due(awarding, skip)).toBe(NOW - 10 + terms.executionWindow);
    expect(planJob(7n, terms, { ...awarding, now: NOW - 11 + terms.executionWindow }, skip, me, cfg, 0, 4)).toEqual([]);
    expect(
      kinds(planJob(7n, terms, { ...awarding, now: NOW - 10 + terms.executionWindow }, skip, me, cfg, 0, 4)),
    ).toEqual(["finalize"]);
  });

  it("wakes a keeper for someone else's settlement exactly at its own turn", () => {
    const settleable = chain(S.Settleable, { winner: OTHER, deadline: NOW - 5, revealDeadline: NOW - 500 });
    const turn = NOW - 5 + turnDelay(7n, ME, cfg.housekeepingDelaySec);
    expect(due(settleable, skip)).toBe(turn);
    expect(planJob(7n, terms, { ...settleable, now: turn - 1 }, skip, me, cfg, 0, 4)).toEqual([]);
    expect(kinds(planJob(7n, terms, { ...settleable, now: turn }, skip, me, cfg, 0, 4))).toEqual(["settle"]);
    // Without housekeeping only its own jobs concern it: past the deadlines, nothing is due.
    expect(due(settleable, skip, {}, { ...cfg, housekeeping: false })).toBeNull();
  });

  it("wakes a disputed job when the committee's voting ends", () => {
    const disputed = chain(S.Disputed, {
      deadline: NOW + 3600,
      committee: { openedAt: NOW - 100, resolved: false, votingEnds: NOW + 20 },
    });
    expect(due(disputed, skip)).toBe(NOW + 20);
  });

  it("leaves a job with every deadline behind it to its next event: an unfilled job costs no reads", () => {
    expect(due(chain(S.Unfilled, { deadline: NOW - 600, revealDeadline: NOW - 600 }), skip)).toBeNull();
    expect(due(chain(S.Overdue, { winner: OTHER, deadline: NOW - 600, revealDeadline: NOW - 700 }), skip)).toBeNull();
  });
});

describe("holds", () => {
  it("holds a place while bidding in the current round, and for a job it won until the job ends", () => {
    expect(holds(chain(S.Open), true, me)).toBe(true);
    expect(holds(chain(S.Revealing), true, me)).toBe(true);
    expect(holds(chain(S.Open), false, me)).toBe(false);
    expect(holds(chain(S.Assigned, { winner: ME }), true, me)).toBe(true);
    expect(holds(chain(S.Assigned, { winner: OTHER }), true, me)).toBe(false);
    expect(holds(chain(S.Settled, { winner: ME }), true, me)).toBe(false);
  });
});

describe("decide", () => {
  const cfgD = {
    capabilities: ["wasm" as const],
    minReward: { ETH: "1000" },
    acceptUnlistedTokens: false,
    trustedArbiters: [terms.arbiter.toUpperCase().replace("0X", "0x")],
    maxBondToReward: 1,
    maxBondWei: undefined,
  };
  it("bids on a valid spec of a kind it serves", () => {
    expect(decide(terms, { ok: true, kind: "wasm" }, me, cfgD)).toEqual({ bid: true });
  });
  it("refuses invalid specs, unknown kinds, own jobs, filters it fails and unaccepted tokens, with the reason", () => {
    expect(decide(terms, { ok: false, error: "bad json" }, me, cfgD)).toEqual({
      bid: false,
      reason: "invalid spec: bad json",
    });
    expect(decide(terms, { ok: true, kind: "http.json" }, me, cfgD)).toMatchObject({
      bid: false,
      reason: "no capability for kind http.json",
    });
    expect(decide({ ...terms, requester: ME }, { ok: true, kind: "wasm" }, me, cfgD)).toMatchObject({
      bid: false,
      reason: "own job",
    });
    expect(decide({ ...terms, minStake: 10n ** 20n }, { ok: true, kind: "wasm" }, me, cfgD)).toMatchObject({
      bid: false,
    });
    expect(decide({ ...terms, minCompleted: 4 }, { ok: true, kind: "wasm" }, me, cfgD)).toMatchObject({ bid: false });
    expect(decide({ ...terms, token: OTHER }, { ok: true, kind: "wasm" }, me, cfgD)).toMatchObject({ bid: false });
    expect(decide({ ...terms, maxReward: 999n }, { ok: true, kind: "wasm" }, me, cfgD)).toMatchObject({ bid: false });
    expect(decide(terms, { ok: true, kind: "wasm" }, { ...me, registered: false }, cfgD)).toMatchObject({ bid: false });
  });
});

describe("deterministic failures", () => {
  const cfgD = {
    capabilities: ["wasm" as const],
    minReward: {},
    acceptUnlistedTokens: false,
    trustedArbiters: [terms.arbiter],
    maxBondToReward: 1,
    maxBondWei: undefined,
  };
  it("decide refuses a job whose execution or spec failed deterministically here, with the reason", () => {
    const own = failureReason(3n, { jobId: 3n, error: "TRAP: unreachable" });
    expect(own).toBe("its execution failed deterministically on this keeper (TRAP: unreachable)");
    const same = failureReason(4n, { jobId: 3n, error: "TRAP: unreachable" });
    expect(same).toBe("its spec failed deterministically on this keeper on job 3 (TRAP: unreachable)");
    expect(decide(terms, { ok: true, kind: "wasm" }, me, cfgD, same)).toEqual({ bid: false, reason: same });
    expect(decide(terms, { ok: true, kind: "wasm" }, me, cfgD, undefined)).toEqual({ bid: true });
  });
});

describe("riskyBond", () => {
  const risk = { trustedArbiters: [terms.arbiter], maxBondToReward: 1, maxBondWei: undefined };
  const wasm = { ok: true as const, kind: "wasm" };
  it("skips jobs whose arbiter is not trusted, naming it", () => {
    expect(riskyBond(terms, risk)).toBeUndefined();
    expect(riskyBond({ ...terms, arbiter: OTHER }, risk)).toBe(`arbiter ${OTHER} is not trusted`);
    expect(riskyBond(terms, { ...risk, trustedArbiters: [] })).toMatch(/is not trusted/);
    expect(riskyBond({ ...terms, arbiter: OTHER }, { ...risk, trustedArbiters: [terms.arbiter, OTHER] })).toBe(
      undefined,
    );
  });
  it("skips ETH jobs whose bond exceeds the configured multiple of the reward", () => {
    const reward = terms.maxReward;
    expect(riskyBond({ ...terms, bond: reward }, risk)).toBeUndefined();
    expect(riskyBond({ ...terms, bond: reward + 1n }, risk)).toBe(`bond ${reward + 1n} above 1x the reward ${reward}`);
    expect(riskyBond({ ...terms, bond: 2n * reward }, { ...risk, maxBondToReward: 2 })).toBeUndefined();
    expect(riskyBond({ ...terms, bond: reward / 2n + 1n }, { ...risk, maxBondToReward: 0.5 })).toMatch(/above 0.5x/);
    // Token rewards are in other units than the ETH bond: only the absolute cap applies.
    expect(riskyBond({ ...terms, token: OTHER, maxReward: 1n }, risk)).toBeUndefined();
    expect(riskyBond({ ...terms, token: OTHER, maxReward: 1n, bond: 10n ** 20n }, risk)).toBeUndefined();
  });
  it("caps every job's bond at maxBondWei", () => {
    const capped = { ...risk, maxBondWei: "100000000000000000" };
    expect(riskyBond({ ...terms, bond: 10n ** 17n }, capped)).toBeUndefined();
    expect(riskyBond({ ...terms, token: OTHER, bond: 10n ** 17n + 1n }, capped)).toMatch(/above the maximum/);
  });
  it("is part of the bid decision", () => {
    const cfgD = { capabilities: ["wasm" as const], minReward: {}, acceptUnlistedTokens: false, ...risk };
    expect(decide(terms, wasm, me, cfgD)).toEqual({ bid: true });
    expect(decide({ ...terms, arbiter: OTHER }, wasm, me, cfgD)).toEqual({
      bid: false,
      reason: `arbiter ${OTHER} is not trusted`,
    });
    expect(decide({ ...terms, bond: 2n * terms.maxReward }, wasm, me, cfgD)).toMatchObject({ bid: false });
  });
});

describe("priceFor", () => {
  const base = { minReward: {}, acceptUnlistedTokens: false };
  it("bids a fraction of the maximum reward", () => {
    expect(priceFor(terms, "wasm", { ...base, strategy: { kind: "fraction", fraction: 0.8 } }, 1n)).toEqual({
      price: 8n * 10n ** 17n,
    });
  });
  it("prices gas in for ETH jobs under cost-plus and refuses jobs that do not cover it", () => {
    const strategy = {
      kind: "cost-plus" as const,
      margin: 0.5,
      executionCostWei: { wasm: "1000000000000000" },
      gasPerJob: 400_000,
    };
    const gwei = 10n ** 9n;
    // cost = 0.001 ETH + 400k gas × 1 gwei = 0.0014 ETH; × 1.5 = 0.0021 ETH
    expect(priceFor(terms, "wasm", { ...base, strategy }, gwei)).toEqual({ price: 2_100_000n * gwei });
    // At 10,000 gwei the gas alone exceeds the reward.
    expect(priceFor(terms, "wasm", { ...base, strategy }, 10_000n * gwei)).toMatchObject({
      skip: expect.stringContaining("above"),
    });
  });
  it("never bids below the configured minimum reward", () => {
    const r = priceFor(
      terms,
      "wasm",
      {
        minReward: { ETH: "900000000000000000" },
        acceptUnlistedTokens: false,
        strategy: { kind: "fraction", fraction: 0.1 },
      },
      1n,
    );
    expect(r).toEqual({ price: 9n * 10n ** 17n });
  });
});

describe("retryDelay", () => {
  const retry = { baseDelayMs: 1_000, maxDelayMs: 30_000, submitMarginSec: 30 };
  const deadline = 1_000_000;
  it("backs off exponentially up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => retryDelay(a, 0, 0, deadline, retry))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });
  it("gives up when a retry, as long as the last attempt, would not end before the deadline less the margin", () => {
    const latestEnd = deadline - 30_000;
    // Wait 1 s, run 5 s: ends exactly at the latest moment.
    expect(retryDelay(1, latestEnd - 6_000, 5_000, deadline, retry)).toBe(1_000);
    expect(retryDelay(1, latestEnd - 6_000 + 1, 5_000, deadline, retry)).toBeUndefined();
    // A longer backoff no longer fits where a shorter one did.
    expect(retryDelay(4, latestEnd - 6_000, 0, deadline, retry)).toBeUndefined();
    // Past the deadline: never.
    expect(retryDelay(1, deadline + 1, 0, deadline, retry)).toBeUndefined();
  });
});

describe("workflow and committee housekeeping", () => {
  const posted: StepView = {
    workflowId: 4n,
    step: 1,
    status: STEP.Posted,
    attempts: 1,
    jobId: 9n,
    workflowActive: true,
  };
  const advance = { kind: "advanceStep", key: "advance:4:1:job:9", workflowId: 4n, step: 1 };

  it("advances a step still Posted with a job that settled (its callback failed), was refunded or went unfilled", () => {
    for (const state of [S.Settled, S.Refunded, S.Cancelled]) {
      expect(planJob(9n, terms, chain(state, { step: posted }), local(), me, cfg, 0, 4)).toEqual([advance]);
      // Once: then the job is done.
      expect(planJob(9n, terms, chain(state, { step: posted }), local({}, [advance.key]), me, cfg, 0, 4)).toEqual([
        { kind: "done" },
      ]);
    }
    expect(planJob(9n, terms, chain(S.Unfilled, { step: posted }), local(), me, cfg, 0, 4)).toEqual([advance]);
  });

  it("leaves alone steps the orchestrator already recorded, other jobs' steps, and everything without housekeeping", () => {
    const settled = { ...posted, status: STEP.Settled };
    expect(planJob(9n, terms, chain(S.Settled, { step: settled }), local(), me, cfg, 0, 4)).toEqual([{ kind: "done" }]);
    // The step has moved on to a newer job.
    const reposted = { ...posted, jobId: 10n };
    expect(planJob(9n, terms, chain(S.Unfilled, { step: reposted }), local(), me, cfg, 0, 4)).toEqual([]);
    const quiet = { ...cfg, housekeeping: false };
    expect(planJob(9n, terms, chain(S.Settled, { step: posted }), local(), me, quiet, 0, 4)).toEqual([
      { kind: "done" },
    ]);
    // A running job is the market's business, not the orchestrator's.
    expect(planJob(9n, terms, chain(S.Assigned, { step: posted, winner: OTHER }), local(), me, cfg, 0, 4)).toEqual([]);
  });

  it("advances a Ready step of an active workflow once per posting attempt", () => {
    const ready: StepView = { ...posted, status: STEP.Ready, jobId: 0n, attempts: 0 };
    const has = (keys: string[]) => (k: string) => keys.includes(k);
    expect(planReadyStep(ready, has([]), cfg)).toEqual({
      kind: "advanceStep",
      key: "advance:4:1:ready:0",
      workflowId: 4n,
      step: 1,
    });
    expect(planReadyStep(ready, has(["advance:4:1:ready:0"]), cfg)).toBeUndefined();
    // Ready again after a failed job: a new attempt, a new step.
    expect(planReadyStep({ ...ready, attempts: 1 }, has(["advance:4:1:ready:0"]), cfg)?.key).toBe(
      "advance:4:1:ready:1",
    );
    expect(planReadyStep({ ...ready, workflowActive: false }, has([]), cfg)).toBeUndefined();
    expect(planReadyStep(posted, has([]), cfg)).toBeUndefined();
    expect(planReadyStep(ready, has([]), { housekeeping: false })).toBeUndefined();
  });

  it("resolves a committee dispute once its voting period has ended, once", () => {
    const voting = { openedAt: NOW - 100, resolved: false, votingEnds: NOW + 1 };
    const disputed = (committee: typeof voting) => chain(S.Disputed, { winner: OTHER, committee });
    expect(planJob(1n, terms, disputed(voting), local(), me, cfg, 0, 4)).toEqual([]);
    const ended = { ...voting, votingEnds: NOW };
    const key = stepKey("committee", 1n, 0, String(ended.openedAt));
    expect(planJob(1n, terms, disputed(ended), local(), me, cfg, 0, 4)).toEqual([{ kind: "resolveCommittee", key }]);
    expect(planJob(1n, terms, disputed(ended), local({}, [key]), me, cfg, 0, 4)).toEqual([]);
    expect(planJob(1n, terms, disputed({ ...ended, resolved: true }), local(), me, cfg, 0, 4)).toEqual([]);
    expect(planJob(1n, terms, disputed(ended), local(), me, { ...cfg, housekeeping: false }, 0, 4)).toEqual([]);
    // Not under the committee: nothing read, nothing to do.
    expect(planJob(1n, terms, chain(S.Disputed, { winner: OTHER }), local(), me, cfg, 0, 4)).toEqual([]);
  });
});
