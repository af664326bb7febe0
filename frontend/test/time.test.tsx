import { fireEvent, screen, within } from "@testing-library/react";
import { JobState } from "@baton/sdk";
import { describe, expect, it } from "vitest";
import { applyPreset, defaultValues, presetOf, windowPresets } from "../src/lib/postForm.ts";
import { describeEstimate, estimateRound, formatClock, formatRelative, formatWhen } from "../src/lib/time.ts";
import Job from "../src/pages/Job.tsx";
import PostJob from "../src/pages/PostJob.tsx";
import { FakeChain, REQUESTER, runtimeConfig, termsFor, WORKER } from "./helpers/fakeChain.ts";
import { renderWithChain } from "./helpers/render.tsx";
import { parseRuntimeConfig } from "../src/config/runtime.ts";

describe("times", () => {
  it("says how long ago or how soon, in one unit", () => {
    const now = 1_900_000_000;
    expect(formatRelative(now - 120, now)).toBe("2 min ago");
    expect(formatRelative(now + 180, now)).toBe("in 3 min");
    expect(formatRelative(now + 3, now)).toBe("just now");
    expect(formatRelative(now - 3 * 3600 - 60, now)).toBe("3 h ago");
    expect(formatRelative(now + 45, now)).toBe("in 45 s");
  });

  it("shows a clock time, with the date only for another day", () => {
    const t = 1_900_000_000;
    expect(formatClock(t, t)).toMatch(/^\d{1,2}:\d{2}:\d{2}/);
    expect(formatClock(t, t + 3 * 86_400)).toMatch(/\d{4}/);
    expect(formatWhen(t - 60, t)).toMatch(/\(1 min ago\)$/);
  });

  it("estimates a round from its windows: the winner's submission assigns it, settlement follows the challenge", () => {
    const e = estimateRound({ commitWindow: 60, revealWindow: 60, executionWindow: 300, challengeWindow: 120 });
    // 60 + 60 + a few seconds of work + 120: about four minutes, not the nine of all windows.
    expect(e.typical).toBe(255);
    expect(e.longest).toBe(540);
    const text = describeEstimate(e);
    expect(text).toBe(
      "From posting to settlement: about 4 min 15 s (bidding 1 min + reveals 1 min + the work 15 s + challenge window 2 min); at most 9 min if the worker uses its whole execution window.",
    );
    // Work never counts for more than the execution window.
    expect(estimateRound({ commitWindow: 1, revealWindow: 1, executionWindow: 5, challengeWindow: 1 }).typical).toBe(8);
    expect(() => estimateRound({ commitWindow: -1, revealWindow: 1, executionWindow: 1, challengeWindow: 1 })).toThrow(
      /commitWindow must be a non-negative/,
    );
  });

  it("shows each timeline entry's clock time and age from its block's timestamp", async () => {
    const fake = new FakeChain();
    fake.blockSeconds = 60;
    const id = fake.postJob(termsFor(REQUESTER), { state: JobState.Open, record: { deadline: fake.now + 60 } });
    fake.addLog("BidCommitted", { jobId: id, bidder: WORKER }, [0, `0x${"11".repeat(32)}`]);
    fake.head += 1n; // one more block: the bid is two minutes old, the posting three.
    await renderWithChain(<Job id={id} />, fake);
    const timeline = await screen.findByRole("list", { name: "Timeline" });
    const [posted, bids] = within(timeline).getAllByRole("listitem");
    await within(bids!).findByText(/2 min ago/);
    expect(bids!.textContent).toMatch(/\d{1,2}:\d{2}:\d{2}( [AP]M)? · 2 min ago · block 11/);
    await within(posted!).findByText(/3 min ago/);
    expect(screen.getByRole("timer").textContent).toMatch(/Bidding closes in 1 min \(at \d{1,2}:\d{2}:\d{2}/);
  });
});

describe("window presets", () => {
  const chain = parseRuntimeConfig(runtimeConfig).chains[0]!;

  it("offers a fast demo, the defaults and a cautious set, and recognises them", () => {
    const presets = windowPresets(31337);
    expect(presets.map((p) => p.label)).toEqual(["Fast demo", "Normal", "Cautious"]);
    expect(presets[0]!.windows).toEqual({
      commitWindow: 10,
      revealWindow: 10,
      executionWindow: 60,
      challengeWindow: 10,
    });
    expect(presets[1]!.windows).toEqual({
      commitWindow: 60,
      revealWindow: 60,
      executionWindow: 300,
      challengeWindow: 120,
    });
    expect(presets[2]!.windows.challengeWindow).toBe(86_400);
    // On a public chain the fast preset still leaves minutes.
    expect(windowPresets(1)[0]!.windows.commitWindow).toBe(120);
    const values = defaultValues(chain);
    expect(presetOf(values, presets)).toBe("fast");
    expect(presetOf(applyPreset(values, presets[2]!), presets)).toBe("cautious");
    expect(presetOf({ ...values, commitWindow: "11" }, presets)).toBe("custom");
  });

  it("fills the windows from a preset on the post form, and says what the estimate is made of", async () => {
    await renderWithChain(<PostJob />, new FakeChain(), { account: REQUESTER });
    const group = await screen.findByRole("radiogroup", { name: "Window preset" });
    expect((within(group).getByRole("radio", { name: /Fast demo/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByLabelText("Time estimate").textContent).toMatch(
      /^From posting to settlement: about 45 s \(bidding 10 s/,
    );
    fireEvent.click(within(group).getByRole("radio", { name: /Normal/ }));
    expect((screen.getByLabelText("Commit window (s)") as HTMLInputElement).value).toBe("60");
    expect((screen.getByLabelText("Challenge window (s)") as HTMLInputElement).value).toBe("120");
    expect(screen.getByLabelText("Time estimate").textContent).toMatch(/about 4 min 15 s .*at most 9 min/);
    fireEvent.change(screen.getByLabelText("Commit window (s)"), { target: { value: "61" } });
    expect((within(group).getByRole("radio", { name: "Custom" }) as HTMLInputElement).checked).toBe(true);
  });
});
