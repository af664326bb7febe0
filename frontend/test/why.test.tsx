import { JobState, SlashReason, Status, type MarketLog } from "@baton/sdk";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { parseEther, stringToHex, zeroAddress, type Address } from "viem";
import { formatAmount } from "../src/lib/format.ts";
import { buildTimeline, recordFromLogs, stateAt } from "../src/lib/jobModel.ts";
import {
  describeEligibility,
  describePrices,
  eligibility,
  explainJob,
  checkModule,
  priceStats,
  recentPrices,
  sha256Hex,
  type JobKind,
  type WorkerFacts,
} from "../src/lib/why.ts";
import Job from "../src/pages/Job.tsx";
import PostJob from "../src/pages/PostJob.tsx";
import { emptyRecord, FakeChain, OTHER, REQUESTER, termsFor, WORKER, postedJob } from "./helpers/fakeChain.ts";
import { renderWithChain } from "./helpers/render.tsx";

const eth = (v: bigint) => formatAmount(v);
const WASM = stringToHex("wasm", { size: 32 });
const worker = (address: Address, o: Partial<WorkerFacts> = {}): WorkerFacts => ({
  address,
  registered: true,
  stake: parseEther("5"),
  locked: 0n,
  completed: 3,
  capabilities: [WASM],
  ...o,
});
const A = "0x00000000000000000000000000000000000000a1" as Address;
const B = "0x00000000000000000000000000000000000000b2" as Address;
const C = "0x00000000000000000000000000000000000000c3" as Address;
const D = "0x00000000000000000000000000000000000000d4" as Address;

let n = 0;
function log(eventName: string, args: Record<string, unknown>): MarketLog {
  n += 1;
  return { eventName, args: { jobId: 1n, ...args }, blockNumber: BigInt(5 + n), logIndex: n } as unknown as MarketLog;
}
const posted = postedJob();

describe("who can bid", () => {
  it("counts the registered workers that pass the market's checks and run the kind", () => {
    const workers = [
      worker(A),
      worker(B, { stake: parseEther("0.5") }),
      worker(C, { completed: 0, locked: parseEther("4.99") }),
      worker(D, { capabilities: [stringToHex("http.json", { size: 32 })] }),
      worker(OTHER, { registered: false }),
    ];
    const req = { minStake: parseEther("1"), minCompleted: 1, bond: parseEther("0.1"), kind: "wasm" };
    const e = eligibility(workers, req);
    expect(e.total).toBe(4);
    expect(e.eligible.map((w) => w.address)).toEqual([A]);
    expect(e.short).toEqual({ stake: 1, completed: 1, freeStake: 1, kind: 1 });
    expect(describeEligibility(e, req, eth)).toBe(
      "1 of 4 registered workers can bid on these terms (1 not registered for wasm jobs; 1 with less than 1 ETH staked; 1 with fewer than 1 completed jobs; 1 without 0.1 ETH of free stake for the bond).",
    );
    const none = eligibility(workers, { ...req, minStake: parseEther("10") });
    expect(describeEligibility(none, { ...req, minStake: parseEther("10") }, eth)).toMatch(
      /^None of the 4 registered workers can bid on these terms/,
    );
    expect(describeEligibility(eligibility([], req), req, eth)).toBe(
      "No worker is registered on this market yet: nobody can bid.",
    );
  });
});

describe("recent prices", () => {
  const jobs = [1n, 2n, 3n, 4n, 5n].map((id) => ({ id, token: zeroAddress as Address }));
  const wordfreq = { kind: "wasm", module: "a".repeat(64) };
  const kinds = new Map<bigint, JobKind>([
    [1n, wordfreq],
    [2n, wordfreq],
    [3n, { kind: "wasm", module: "b".repeat(64) }],
    [4n, { kind: "http.json" }],
    [5n, wordfreq],
  ]);
  const logs = [
    log("BidRevealed", { jobId: 1n, price: parseEther("0.04") }),
    log("JobSettled", { jobId: 1n, price: parseEther("0.04") }),
    log("BidRevealed", { jobId: 2n, price: parseEther("0.02") }),
    log("JobSettled", { jobId: 2n, price: parseEther("0.02") }),
    log("BidRevealed", { jobId: 3n, price: parseEther("0.001") }),
    log("BidRevealed", { jobId: 4n, price: parseEther("0.002") }),
    log("BidRevealed", { jobId: 5n, price: parseEther("0.03") }),
  ];

  it("keeps only settlements and reveals of the same kind and module, in the same token", () => {
    const p = recentPrices({ logs, jobs, kinds, kind: wordfreq, token: zeroAddress, exclude: 5n });
    expect(p.settled).toEqual({
      count: 2,
      min: parseEther("0.02"),
      median: parseEther("0.03"),
      max: parseEther("0.04"),
    });
    expect(p.asked?.count).toBe(2);
    const withFive = recentPrices({ logs, jobs, kinds, kind: wordfreq, token: zeroAddress });
    expect(withFive.asked).toEqual(priceStats([parseEther("0.04"), parseEther("0.02"), parseEther("0.03")]));
    expect(recentPrices({ logs, jobs, kinds, kind: wordfreq, token: OTHER })).toEqual({});
  });

  it("says when a reward is below every recent ask", () => {
    const p = recentPrices({ logs, jobs, kinds, kind: wordfreq, token: zeroAddress });
    const low = describePrices(p, parseEther("0.01"), "wasm (wordfreq)", eth);
    expect(low.tooLow).toBe(true);
    expect(low.text).toBe(
      "2 recent wasm (wordfreq) jobs settled at 0.02 ETH to 0.04 ETH (median 0.03 ETH); workers asked 0.02 ETH to 0.04 ETH (median 0.03 ETH) in 3 revealed bids. A reward of 0.01 ETH is below every recent ask: workers may not bid.",
    );
    expect(describePrices(p, parseEther("0.05"), "wasm (wordfreq)", eth).tooLow).toBe(false);
    expect(describePrices({}, 1n, "wasm", eth, "TUSD").text).toMatch(/^No wasm job paid in TUSD has had/);
    expect(describePrices({}, 1n, "http.json", eth).text).toBe(
      "No http.json job paid in ETH has had a bid revealed here yet: there is no recent price to compare.",
    );
  });
});

describe("the module check", () => {
  const bytes = new TextEncoder().encode("\0asm module");
  const fetcher = (response: () => Promise<Response>) => (() => response()) as unknown as typeof fetch;

  it("compares the module's SHA-256 with the spec's, and tells an error answer from an unreadable host", async () => {
    const sha = await sha256Hex(bytes.buffer as ArrayBuffer);
    const serve = fetcher(async () => new Response(bytes));
    expect(await checkModule("http://m.example/a.wasm", sha, serve)).toEqual({ status: "ok" });
    expect(await checkModule("http://m.example/a.wasm", "0".repeat(64), serve)).toEqual({
      status: "mismatch",
      actual: sha,
    });
    expect(
      await checkModule(
        "https://m.example/a.wasm",
        sha,
        fetcher(async () => new Response("", { status: 404 })),
      ),
    ).toEqual({
      status: "unreachable",
      error: "HTTP 404",
    });
    expect(
      await checkModule(
        "https://m.example/a.wasm",
        sha,
        fetcher(() => Promise.reject(new TypeError("Failed to fetch"))),
      ),
    ).toEqual({ status: "unchecked", error: "Failed to fetch" });
    // Other schemes resolve on the keeper's side only.
    expect(await checkModule("ipfs://bafy/a.wasm", sha, serve)).toBeUndefined();
  });
});

describe("why a job waits", () => {
  const now = 1_000;
  const base = {
    terms: termsFor(REQUESTER, { expiry: 10_000 }),
    now,
    money: eth,
  };

  it("explains an open job with no bid: eligibility, price, arbiter and module", () => {
    const record = emptyRecord({ deadline: now + 30, revealDeadline: now + 60 });
    const texts = explainJob({
      ...base,
      state: JobState.Open,
      record,
      logs: [],
      eligibility: { total: 2, eligible: [], short: { stake: 2, completed: 0, freeStake: 0, kind: 0 } },
      eligibilityText: "None of the 2 registered workers can bid on these terms (2 with less than 1 ETH staked).",
      prices: { text: "Prices…", tooLow: true },
      module: { status: "mismatch", actual: "f".repeat(64) },
      customArbiter: true,
    });
    expect(texts.map((t) => t.text)).toEqual([
      "No sealed bid yet; bidding closes in 30 s.",
      "None of the 2 registered workers can bid on these terms (2 with less than 1 ETH staked).",
      "Prices…",
      "Its arbiter is not this deployment's committee: keepers on the default policy do not bid on it.",
      "Its wasm module does not match the SHA-256 in the spec (the file hashes to ffffffffffff…): keepers refuse to run it.",
    ]);
    expect(texts.map((t) => t.tone)).toEqual(["info", "warning", "warning", "warning", "warning"]);
  });

  it("tells that the winner was slashed and the round reopened", () => {
    const logs = [
      log("JobAssigned", { worker: WORKER, price: 5n, executionDeadline: now - 100 }),
      log("WorkerSlashed", { worker: WORKER, reason: SlashReason.NoShow, amount: parseEther("0.01") }),
      log("JobReopened", { round: 1, commitDeadline: now + 20, revealDeadline: now + 40 }),
    ];
    const record = recordFromLogs(
      posted,
      logs,
      emptyRecord({ status: Status.Assigned, winner: WORKER, deadline: now - 100 }),
    );
    expect(record.round).toBe(1);
    const state = stateAt(record, now);
    expect(state).toBe(JobState.Open);
    const texts = explainJob({ ...base, state, record, logs }).map((t) => t.text);
    expect(texts).toEqual([
      "The winner 0x90f7…e15B delivered no result in time and was slashed 0.01 ETH.",
      "The job was reopened for bids: round 2 started.",
      "No sealed bid yet; bidding closes in 20 s.",
    ]);
  });

  it("explains the later waits: reveals, award, work, overdue, challenge, settle", () => {
    const say = (
      state: JobState,
      record = emptyRecord({ winner: WORKER, deadline: now + 60, revealDeadline: now + 90 }),
    ) => explainJob({ ...base, state, record, logs: [log("BidCommitted", { round: 0 })] }).map((t) => t.text)[0];
    expect(say(JobState.Revealing)).toBe(
      "0 of 1 sealed bid revealed; reveals close in 1 min 30 s. The lowest price wins.",
    );
    expect(say(JobState.Awarding)).toMatch(/won\. Its result submission assigns it the job/);
    expect(say(JobState.Assigned)).toBe("0x90f7…e15B is running the job; its result is due in 1 min.");
    expect(say(JobState.Overdue)).toMatch(/missed its deadline\. Anyone may slash it/);
    expect(say(JobState.Submitted)).toMatch(/challenge window, which ends in 1 min/);
    expect(say(JobState.Settleable)).toMatch(/next settle call/);
    expect(say(JobState.Unfilled)).toMatch(/No bid was revealed in round 1: the 1 sealed bid was never opened/);
  });
});

describe("the job page's why panel", () => {
  it("explains a job nobody bids on: who can bid and what such jobs were paid", async () => {
    const fake = new FakeChain();
    fake.registerWorker(WORKER, parseEther("5"));
    fake.registerWorker(OTHER, parseEther("0.5"));
    // An earlier job of the same kind settled at 0.04 ETH after a reveal at that price.
    const earlier = fake.postJob(termsFor(REQUESTER), { state: JobState.Settled });
    fake.addLog("BidRevealed", { jobId: earlier, bidder: WORKER }, [0, parseEther("0.04"), true]);
    fake.addLog("JobSettled", { jobId: earlier, worker: WORKER }, [`0x${"ab".repeat(32)}`, parseEther("0.04"), 0n, 0n]);
    const id = fake.postJob(termsFor(REQUESTER, { maxReward: parseEther("0.01"), minStake: parseEther("1") }), {
      state: JobState.Open,
      record: { deadline: fake.now + 45 },
    });
    await renderWithChain(<Job id={id} />, fake);
    const panel = await screen.findByRole("region", { name: "Why is nothing happening?" });
    await within(panel).findByText(
      /1 of 2 registered workers can bid on these terms \(1 with less than 1 ETH staked\)/,
    );
    await within(panel).findByText(
      /1 recent wasm job settled at 0\.04 ETH.*A reward of 0\.01 ETH is below every recent ask/,
    );
    expect(within(panel).getByText(/No sealed bid yet; bidding closes in 4[4-6] s\./)).toBeTruthy();
    expect(within(panel).getByText(/This browser could not read its wasm module to check its hash/)).toBeTruthy();
  });
});

describe("before posting", () => {
  it("shows who can bid and warns about a module its host refuses, before anything is sent", async () => {
    const fake = new FakeChain();
    fake.registerWorker(WORKER, parseEther("5"));
    fake.registerWorker(OTHER, parseEther("5"), { capabilities: ["http.json"] });
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: RequestInfo | URL) =>
      String(input) === "https://modules.example/gone.wasm"
        ? new Response("", { status: 404 })
        : realFetch(input)) as typeof fetch;
    try {
      await renderWithChain(<PostJob />, fake, { account: REQUESTER });
      const panel = await screen.findByRole("region", { name: "Before you post" });
      // No module named yet: nothing to tell.
      expect(within(panel).getByText(/Fill in the form to see who can bid/)).toBeTruthy();
      fireEvent.change(screen.getByLabelText("Module URI"), { target: { value: "https://modules.example/gone.wasm" } });
      fireEvent.change(screen.getByLabelText("Module SHA-256"), { target: { value: "c".repeat(64) } });
      await within(panel).findByText(
        "1 of 2 registered workers can bid on these terms (1 not registered for wasm jobs).",
      );
      await within(panel).findByText(/Its wasm module's host answered HTTP 404: keepers cannot fetch it either/);
      fireEvent.change(screen.getByLabelText("Minimum completed jobs"), { target: { value: "3" } });
      await within(panel).findByText(/None of the 2 registered workers can bid on these terms/);
      expect(fake.count("eth_sendTransaction") + fake.count("eth_sendRawTransaction")).toBe(0);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

describe("the job page after a slash", () => {
  it("says that the winner was slashed and the round reopened, and what the new round waits for", async () => {
    const fake = new FakeChain();
    fake.registerWorker(WORKER, parseEther("5"));
    const now = fake.now;
    // The state read is from before the slash (assigned, overdue); the events tell the rest.
    const id = fake.postJob(termsFor(REQUESTER), {
      state: JobState.Overdue,
      record: { status: Status.Assigned, winner: WORKER, price: 10n ** 16n, deadline: now - 30 },
    });
    fake.addLog("JobAssigned", { jobId: id, worker: WORKER }, [10n ** 16n, now - 30]);
    fake.addLog("WorkerSlashed", { jobId: id, worker: WORKER }, [SlashReason.NoShow, parseEther("0.01"), OTHER, 0n]);
    fake.addLog("JobReopened", { jobId: id }, [1, now + 50, now + 100]);
    await renderWithChain(<Job id={id} />, fake);
    const panel = await screen.findByRole("region", { name: "Why is nothing happening?" });
    await within(panel).findByText(/The winner 0x90f7…e15B .*delivered no result in time and was slashed 0\.01 ETH\./);
    expect(within(panel).getByText("The job was reopened for bids: round 2 started.")).toBeTruthy();
    expect(within(panel).getByText(/No sealed bid yet; bidding closes in [45][0-9] s\./)).toBeTruthy();
    await within(panel).findByText(/1 of 1 registered worker can bid on these terms/);
    await waitFor(() => expect(document.querySelector(".badge.state-Open")).toBeTruthy());
    expect(screen.queryByText("Overdue")).toBeNull();
  });
});

describe("one status for the whole page", () => {
  it("tells the record from the job's events, whatever a state call read", () => {
    const job = { ...posted, commitDeadline: 100, revealDeadline: 200 };
    const stale = emptyRecord({ status: Status.Assigned, winner: WORKER, price: 5n, deadline: 500 });
    const commit = log("BidCommitted", { bidder: WORKER, round: 0 });
    const lead = log("BidRevealed", { bidder: OTHER, round: 0, price: 7n, leading: true });
    const better = log("BidRevealed", { bidder: WORKER, round: 0, price: 5n, leading: true });
    const worse = log("BidRevealed", { bidder: A, round: 0, price: 6n, leading: false });
    const assigned = log("JobAssigned", { worker: WORKER, price: 5n, executionDeadline: 400 });
    const result = log("ResultSubmitted", { worker: WORKER, challengeDeadline: 900 });
    const settled = log("JobSettled", { worker: WORKER, price: 5n });
    // Posted only: bidding until the announced deadline, whatever the (newer) read says.
    expect(stateAt(recordFromLogs(job, [], stale), 50)).toBe(JobState.Open);
    expect(stateAt(recordFromLogs(job, [], stale), 250)).toBe(JobState.Unfilled);
    const revealing = recordFromLogs(job, [commit, lead, better, worse], stale);
    expect(stateAt(revealing, 150)).toBe(JobState.Revealing);
    expect([revealing.winner, revealing.price, revealing.commits]).toEqual([WORKER, 5n, 1]);
    expect(stateAt(revealing, 250)).toBe(JobState.Awarding);
    expect(stateAt(recordFromLogs(job, [commit, better, assigned], stale), 300)).toBe(JobState.Assigned);
    expect(stateAt(recordFromLogs(job, [commit, better, assigned], stale), 450)).toBe(JobState.Overdue);
    expect(stateAt(recordFromLogs(job, [commit, better, assigned, result], stale), 600)).toBe(JobState.Submitted);
    expect(stateAt(recordFromLogs(job, [commit, better, assigned, result], stale), 950)).toBe(JobState.Settleable);
    expect(stateAt(recordFromLogs(job, [commit, better, assigned, result, settled], stale), 950)).toBe(
      JobState.Settled,
    );
    // What no event carries comes from the read.
    expect(recordFromLogs(job, [], stale).digest).toBe(stale.digest);
  });

  it("never says 'In progress' or offers Settle while the timeline shows the result or the settlement", async () => {
    const fake = new FakeChain();
    const now = fake.now;
    // The state read says Assigned (result due later) and then Settleable; the logs already hold more.
    const id = fake.postJob(termsFor(REQUESTER), {
      state: JobState.Assigned,
      record: { status: Status.Assigned, winner: WORKER, price: 10n ** 16n, deadline: now + 300 },
    });
    fake.addLog("JobAssigned", { jobId: id, worker: WORKER }, [10n ** 16n, now + 300]);
    fake.addLog("ResultSubmitted", { jobId: id, worker: WORKER }, [`0x${"ab".repeat(32)}`, "0x7b7d", now - 5]);
    fake.addLog("JobSettled", { jobId: id, worker: WORKER }, [`0x${"ab".repeat(32)}`, 10n ** 16n, 0n, 0n]);
    await renderWithChain(<Job id={id} />, fake, { account: REQUESTER });
    const timeline = await screen.findByRole("list", { name: "Timeline" });
    await within(timeline).findByText(/^Settled/);
    await waitFor(() => expect(document.querySelector(".badge.state-Settled")).toBeTruthy());
    expect(screen.queryByText("In progress")).toBeNull();
    expect(screen.queryByRole("timer")).toBeNull();
    expect(screen.queryByRole("button", { name: "Settle" })).toBeNull();
    expect(screen.queryByRole("region", { name: "Why is nothing happening?" })).toBeNull();
  });
});

describe("leading and winning bids", () => {
  const reveals = [
    log("BidRevealed", { bidder: A, round: 0, price: 9n, leading: true }),
    log("BidRevealed", { bidder: B, round: 0, price: 7n, leading: true }),
    log("BidRevealed", { bidder: C, round: 0, price: 8n, leading: false }),
    log("BidRevealed", { bidder: D, round: 0, price: 5n, leading: true }),
  ];
  const marks = (entries: ReturnType<typeof buildTimeline>) =>
    entries.filter((e) => e.kind === "reveal").map((e) => `${e.bidder}:${e.mark ?? "-"}`);

  it("marks only the current leader while reveals are open, and only the winner afterwards", () => {
    expect(marks(buildTimeline(posted, reveals.slice(0, 3), { revealsOpen: true }))).toEqual([
      `${A}:-`,
      `${B}:leading`,
      `${C}:-`,
    ]);
    expect(marks(buildTimeline(posted, reveals))).toEqual([`${A}:-`, `${B}:-`, `${C}:-`, `${D}:winner`]);
  });

  it("marks nobody in a round that was reopened, and the new round's leader", () => {
    const reopened = [...reveals, log("JobReopened", { round: 1 })];
    expect(marks(buildTimeline(posted, reopened))).toEqual([`${A}:-`, `${B}:-`, `${C}:-`, `${D}:-`]);
    const next = [...reopened, log("BidRevealed", { bidder: C, round: 1, price: 6n, leading: true })];
    expect(marks(buildTimeline(posted, next, { revealsOpen: true }))).toEqual([
      `${A}:-`,
      `${B}:-`,
      `${C}:-`,
      `${D}:-`,
      `${C}:leading`,
    ]);
  });
});

describe("destructive actions", () => {
  it("styles Cancel job apart and sends nothing until confirmed", async () => {
    const fake = new FakeChain();
    const id = fake.postJob(termsFor(REQUESTER), { state: JobState.Open, record: { deadline: fake.now + 60 } });
    await renderWithChain(<Job id={id} />, fake, { account: REQUESTER });
    const cancel = await screen.findByRole("button", { name: "Cancel job" });
    expect(cancel.className).toBe("danger");
    fireEvent.click(cancel);
    const dialog = screen.getByRole("alertdialog", { name: "Cancel job" });
    expect(dialog.textContent).toMatch(/its whole reward is credited back to you/);
    fireEvent.click(within(dialog).getByRole("button", { name: "Go back" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(fake.count("eth_sendTransaction") + fake.count("eth_sendRawTransaction")).toBe(0);
  });
});
