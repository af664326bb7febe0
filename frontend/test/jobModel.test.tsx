import {
  encodeResult,
  jobMarketAbi,
  JobState,
  resultHash,
  SlashReason,
  Status,
  ZERO_HASH,
  type MarketLog,
  packTerms,
} from "@baton/sdk";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { decodeFunctionData, keccak256, parseEther, toHex, zeroAddress, type Address, type Hex } from "viem";
import {
  actionCall,
  availableActions,
  buildTimeline,
  checkResult,
  currentDeadline,
  isCustomArbiter,
  resultHashOf,
} from "../src/lib/jobModel.ts";
import Job from "../src/pages/Job.tsx";
import {
  ARBITER,
  emptyRecord,
  FakeChain,
  MARKET,
  OTHER,
  REQUESTER,
  termsFor,
  WORKER,
  postedJob,
} from "./helpers/fakeChain.ts";
import { renderWithChain } from "./helpers/render.tsx";

const posted = postedJob();

const CUSTOM_ARBITER: Address = "0x2546BcD3c84621e976D8185a91A922aE77ECEc30";

let index = 0;
function log(eventName: string, args: Record<string, unknown>): MarketLog {
  index += 1;
  return {
    eventName,
    args: { jobId: 1n, ...args },
    blockNumber: BigInt(5 + index),
    logIndex: index,
  } as unknown as MarketLog;
}

describe("timeline", () => {
  it("groups commits per round and lists reveals, assignment, result and settlement in order", () => {
    const result = encodeResult({ words: 9 });
    const entries = buildTimeline(posted, [
      log("BidCommitted", { bidder: WORKER, round: 0 }),
      log("BidCommitted", { bidder: OTHER, round: 0 }),
      log("BidRevealed", { bidder: WORKER, round: 0, price: 8n, leading: true }),
      log("BidRevealed", { bidder: OTHER, round: 0, price: 9n, leading: false }),
      log("JobAssigned", { worker: WORKER, price: 8n, executionDeadline: 100 }),
      log("ResultSubmitted", {
        worker: WORKER,
        resultHash: keccak256(result),
        result: toHex(result),
        challengeDeadline: 200,
      }),
      log("JobSettled", { worker: WORKER, resultHash: keccak256(result), price: 8n, fee: 0n, refund: 2n }),
    ]);
    expect(entries.map((e) => e.kind)).toEqual([
      "posted",
      "commits",
      "reveal",
      "reveal",
      "assigned",
      "result",
      "settled",
    ]);
    expect(entries[1]!.count).toBe(2);
    expect(entries[5]!.result).toMatchObject({ hashMatches: true, value: { words: 9 } });
  });

  it("shows a job given back by its winner, then reopened", () => {
    const entries = buildTimeline(posted, [
      log("JobAssigned", { worker: WORKER, price: 8n, executionDeadline: 100 }),
      log("WorkerSlashed", {
        worker: WORKER,
        reason: SlashReason.Abandoned,
        amount: 2n * 10n ** 15n,
        beneficiary: OTHER,
        bounty: 0n,
      }),
      log("JobReopened", { round: 1, commitDeadline: 200, revealDeadline: 260 }),
    ]);
    expect(entries.map((e) => [e.kind, e.title])).toEqual([
      ["posted", "Posted"],
      ["assigned", "Assigned"],
      ["slashed", "Worker gave the job back"],
      ["reopened", "Reopened for bids (round 2)"],
    ]);
    expect(entries[2]).toMatchObject({ worker: WORKER, amount: 2n * 10n ** 15n });
  });

  it("flags a result whose payload does not match its hash", () => {
    const check = checkResult(resultHash({ a: 1 }), toHex(encodeResult({ a: 2 })));
    expect(check.hashMatches).toBe(false);
    expect(check.problem).toMatch(/hash/);
  });

  it("counts down to the deadline of the current phase", () => {
    const record = emptyRecord({ deadline: 500, revealDeadline: 600 });
    expect(currentDeadline(record, JobState.Open)).toEqual({ label: "Bidding closes", at: 500 });
    expect(currentDeadline(record, JobState.Revealing)).toEqual({ label: "Reveals close", at: 600 });
    expect(currentDeadline(record, JobState.Settled)).toBeUndefined();
  });
});

describe("arbiter", () => {
  it("tells the deployment's committee, in any letter case, from any other arbiter", () => {
    expect(isCustomArbiter(ARBITER, ARBITER)).toBe(false);
    expect(isCustomArbiter(ARBITER.toLowerCase(), ARBITER)).toBe(false);
    expect(isCustomArbiter(CUSTOM_ARBITER, ARBITER)).toBe(true);
  });
});

describe("actions", () => {
  const RESULT = keccak256(toHex("the result"));
  const ids = (state: number, account: Address | undefined, record = emptyRecord(), now = 0) =>
    availableActions({ state: state as never, record, terms: posted.terms, account, now, resultHash: RESULT }).map(
      (a) => a.id,
    );

  it("offers the requester cancel before bids, accept and dispute on results, reclaim and repost when unfilled", () => {
    expect(ids(JobState.Open, REQUESTER)).toEqual(["cancel"]);
    expect(ids(JobState.Open, REQUESTER, emptyRecord({ commits: 1 }))).toEqual([]);
    expect(ids(JobState.Submitted, REQUESTER)).toEqual(["accept", "dispute"]);
    expect(ids(JobState.Settleable, REQUESTER)).toEqual(["accept", "settle"]);
    expect(ids(JobState.Unfilled, REQUESTER)).toEqual(["repost", "reclaim"]);
  });

  it("offers anyone the permissionless exits, and nothing without a wallet", () => {
    expect(ids(JobState.Open, OTHER)).toEqual([]);
    expect(ids(JobState.Submitted, OTHER)).toEqual(["dispute"]);
    expect(ids(JobState.Awarding, OTHER)).toEqual(["finalize"]);
    expect(ids(JobState.Settleable, OTHER)).toEqual(["settle"]);
    expect(ids(JobState.Overdue, OTHER)).toEqual(["slash"]);
    expect(ids(JobState.RulingOverdue, OTHER)).toEqual(["resolveStale"]);
    expect(ids(JobState.Unfilled, OTHER)).toEqual([]);
    expect(ids(JobState.Unfilled, OTHER, emptyRecord(), posted.terms.expiry)).toEqual(["reclaim"]);
    expect(ids(JobState.Settleable, undefined)).toEqual([]);
  });

  it("offers the actions on a result only once its hash is known from the job's logs", () => {
    const offered = (state: number, resultHash: Hex | undefined) =>
      availableActions({
        state: state as never,
        record: emptyRecord(),
        terms: posted.terms,
        account: REQUESTER,
        now: 0,
        resultHash,
      }).map((a) => a.id);
    for (const resultHash of [undefined, ZERO_HASH]) {
      expect(offered(JobState.Submitted, resultHash)).toEqual([]);
      expect(offered(JobState.Settleable, resultHash)).toEqual([]);
      expect(offered(JobState.RulingOverdue, resultHash)).toEqual([]);
      // The calls that take no result hash do not wait for one.
      expect(offered(JobState.Unfilled, resultHash)).toEqual(["repost", "reclaim"]);
    }
    // The standing hash: the latest submission, unless a lost dispute took it down.
    const logs = (events: [string, Record<string, unknown>][]) =>
      events.map(([eventName, args]) => ({ eventName, args }) as unknown as MarketLog);
    const first = keccak256(toHex("first"));
    expect(resultHashOf(1n, undefined)).toBeUndefined();
    expect(resultHashOf(1n, [])).toBe(ZERO_HASH);
    expect(resultHashOf(1n, logs([["ResultSubmitted", { jobId: 1n, resultHash: first }]]))).toBe(first);
    const overturned = logs([
      ["ResultSubmitted", { jobId: 1n, resultHash: first }],
      ["DisputeResolved", { jobId: 1n, workerWins: false }],
    ]);
    expect(resultHashOf(1n, overturned)).toBe(ZERO_HASH);
    expect(resultHashOf(1n, [...overturned, ...logs([["ResultSubmitted", { jobId: 1n, resultHash: RESULT }]])])).toBe(
      RESULT,
    );
  });

  it("passes the result hash back with accept, dispute and settle, and not with the other calls", () => {
    const terms = posted.terms;
    const call = (id: string) => {
      const action = availableActions({
        state: (id === "settle" ? JobState.Settleable : id === "cancel" ? JobState.Open : JobState.Submitted) as never,
        record: emptyRecord(),
        terms,
        account: REQUESTER,
        now: 0,
        resultHash: RESULT,
      }).find((a) => a.id === id)!;
      return actionCall(action, MARKET, 3n, terms, RESULT);
    };
    expect(call("accept").args).toEqual([3n, packTerms(terms), RESULT]);
    expect(call("dispute").args).toEqual([3n, packTerms(terms), RESULT]);
    expect(call("settle").args).toEqual([3n, packTerms(terms), RESULT]);
    expect(call("cancel").args).toEqual([3n, packTerms(terms)]);
  });

  it("sends the dispute bond fixed in the job's terms", () => {
    const terms = termsFor(REQUESTER, { disputeBond: parseEther("0.03"), rulingTimeout: 7200 });
    const [dispute] = availableActions({
      state: JobState.Submitted,
      record: emptyRecord(),
      terms,
      account: OTHER,
      now: 0,
      resultHash: RESULT,
    });
    expect(dispute).toMatchObject({ id: "dispute", functionName: "dispute", value: parseEther("0.03") });
    expect(dispute!.hint).toMatch(/within 2 h the worker wins/);
  });
});

describe("job page", () => {
  it("shows the timeline with revealed prices and the requester's actions and credits", async () => {
    const fake = new FakeChain();
    const now = fake.now;
    const id = fake.postJob(termsFor(REQUESTER), {
      state: JobState.Submitted,
      record: {
        status: Status.Submitted,
        winner: WORKER,
        price: 8n * 10n ** 16n,
        deadline: now + 3600,
        revealDeadline: now - 10,
      },
    });
    fake.addLog("BidCommitted", { jobId: id, bidder: WORKER }, [0, keccak256("0x01")]);
    fake.addLog("BidRevealed", { jobId: id, bidder: WORKER }, [0, 8n * 10n ** 16n, true]);
    fake.addLog("JobAssigned", { jobId: id, worker: WORKER }, [8n * 10n ** 16n, now + 100]);
    const result = encodeResult({ words: 9 });
    fake.addLog("ResultSubmitted", { jobId: id, worker: WORKER }, [keccak256(result), toHex(result), now + 3600]);
    fake.credits.set(`${REQUESTER.toLowerCase()}:${zeroAddress}`, 2n * 10n ** 16n);

    await renderWithChain(<Job id={id} />, fake, { account: REQUESTER });
    const timeline = await screen.findByRole("list", { name: "Timeline" });
    expect(await within(timeline).findByText(/1 sealed bid/)).toBeTruthy();
    expect(within(timeline).getByText(/asks 0.08 ETH/)).toBeTruthy();
    expect(within(timeline).getByText("Payload matches its hash.")).toBeTruthy();
    expect(await screen.findByRole("button", { name: "Accept result" })).toBeTruthy();
    expect(await screen.findByRole("button", { name: /Dispute result/ })).toBeTruthy();
    expect(screen.getByRole("timer").textContent).toMatch(/Challenge window ends in (59|1 h)/);
    expect(await screen.findByRole("button", { name: "Withdraw ETH" })).toBeTruthy();
    // The job's history is one topic-filtered log query, not one per event.
    expect(fake.count("eth_getLogs")).toBeLessThanOrEqual(2);
  });

  it("shows a job its winner gave back, then reopened for bids", async () => {
    const fake = new FakeChain();
    const now = fake.now;
    const id = fake.postJob(termsFor(REQUESTER), {
      state: JobState.Open,
      record: { round: 1, deadline: now + 60, revealDeadline: now + 120 },
    });
    fake.addLog("JobAssigned", { jobId: id, worker: WORKER }, [8n * 10n ** 16n, now + 100]);
    fake.addLog("WorkerSlashed", { jobId: id, worker: WORKER }, [SlashReason.Abandoned, 2n * 10n ** 15n, OTHER, 0n]);
    fake.addLog("JobReopened", { jobId: id }, [1, now + 60, now + 120]);

    await renderWithChain(<Job id={id} />, fake);
    const timeline = await screen.findByRole("list", { name: "Timeline" });
    const gaveBack = await within(timeline).findByText("Worker gave the job back");
    expect(gaveBack.closest("li")!.textContent).toMatch(/lost 0.002 ETH/);
    expect(within(timeline).getByText("Reopened for bids (round 2)")).toBeTruthy();
    const titles = within(timeline)
      .getAllByRole("listitem")
      .map((li) => li.querySelector("strong")?.textContent);
    expect(titles).toEqual(["Posted", "Assigned", "Worker gave the job back", "Reopened for bids (round 2)"]);
  });

  it("pays the job's own dispute bond, not the market's current one, and shows its ruling timeout", async () => {
    const fake = new FakeChain(); // getParams().disputeBond is 0.01 ETH
    const now = fake.now;
    const id = fake.postJob(termsFor(REQUESTER, { disputeBond: parseEther("0.03"), rulingTimeout: 7200 }), {
      state: JobState.Submitted,
      record: { status: Status.Submitted, winner: WORKER, price: 8n * 10n ** 16n, deadline: now + 3600 },
    });
    const result = encodeResult({ words: 9 });
    fake.addLog("ResultSubmitted", { jobId: id, worker: WORKER }, [keccak256(result), toHex(result), now + 3600]);
    const sent: { value?: Hex; resultHash?: unknown }[] = [];
    const request = fake.request.bind(fake);
    fake.request = async (method, params = []) => {
      const p = params[0] as { to?: string; data?: Hex; value?: Hex };
      if (method === "eth_call" && p.to?.toLowerCase() === MARKET.toLowerCase() && p.data) {
        const call = decodeFunctionData({ abi: jobMarketAbi, data: p.data });
        if (call.functionName === "dispute") {
          sent.push({ value: p.value, resultHash: call.args[2] });
          return "0x";
        }
      }
      return request(method, params);
    };

    await renderWithChain(<Job id={id} />, fake, { account: OTHER });
    const button = await screen.findByRole("button", { name: "Dispute result (bond 0.03 ETH)" });
    const terms = [...document.querySelectorAll(".terms .stat")].map((stat) => stat.textContent);
    expect(terms).toContain("Dispute bond0.03 ETH");
    expect(terms).toContain("Ruling timeout2 h");
    // A dispute asks first, naming the bond; nothing is sent until it is confirmed.
    expect(button.className).toBe("danger");
    fireEvent.click(button);
    const dialog = await screen.findByRole("alertdialog", { name: "Dispute result (bond 0.03 ETH)" });
    expect(dialog.textContent).toMatch(/You send a bond of 0\.03 ETH/);
    expect(dialog.textContent).toMatch(/does not rule within 2 h/);
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole("button", { name: "Yes, dispute result" }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(BigInt(sent[0]!.value ?? "0x0")).toBe(parseEther("0.03"));
    expect(sent[0]!.resultHash).toBe(keccak256(result));
  });

  it("warns that a job's arbiter is not the deployment's committee", async () => {
    const fake = new FakeChain();
    const id = fake.postJob(termsFor(REQUESTER, { arbiter: CUSTOM_ARBITER }));
    await renderWithChain(<Job id={id} />, fake);
    const note = await screen.findByRole("note", { name: "Custom arbiter" });
    expect(note.textContent).toMatch(/Keepers that follow the default policy will not bid on it/);
    expect(note.querySelector(`[title="${CUSTOM_ARBITER}"]`)).toBeTruthy();
    expect(note.querySelector(`[title="${ARBITER}"]`)).toBeTruthy();
    expect(screen.getByText(/\(chosen by the requester\)/)).toBeTruthy();
  });

  it("does not warn about a job under the deployment's committee", async () => {
    const fake = new FakeChain();
    const id = fake.postJob(termsFor(REQUESTER, { arbiter: ARBITER }));
    await renderWithChain(<Job id={id} />, fake);
    expect(await screen.findByText("(the committee arbiter)")).toBeTruthy();
    expect(screen.queryByRole("note", { name: "Custom arbiter" })).toBeNull();
    expect(screen.queryByText("Custom arbiter")).toBeNull();
  });

  it("says when a job does not exist", async () => {
    await renderWithChain(<Job id={42n} />, new FakeChain());
    expect(await screen.findByText(/There is no job #42/)).toBeTruthy();
  });
});
