import { describe, expect, it } from "vitest";
import {
  JobState,
  Pricing,
  SlashReason,
  Status,
  deriveJobState,
  isTerminalState,
  jobStateName,
  jobStateNames,
} from "../src/index.js";

describe("enums", () => {
  // testkit/test/enums.test.ts checks the member names against the compiled contracts.
  it("map names to the values the contract returns", () => {
    expect(JobState.None).toBe(0);
    expect(JobState.Submitted).toBe(7);
    expect(JobState.Refunded).toBe(13);
    expect(Status.Auction).toBe(1);
    expect(Pricing.SecondPrice).toBe(1);
    expect(SlashReason.DisputeLost).toBe(1);
    expect(SlashReason.Abandoned).toBe(2);
    jobStateNames.forEach((name, value) => expect(JobState[name]).toBe(value));
    expect(jobStateName(JobState.RulingOverdue)).toBe("RulingOverdue");
    expect(() => jobStateName(14)).toThrow(RangeError);
  });

  it("treat only Settled, Cancelled and Refunded as terminal", () => {
    const terminal = jobStateNames.filter((name) => isTerminalState(JobState[name]));
    expect(terminal).toEqual(["Settled", "Cancelled", "Refunded"]);
  });
});

describe("deriveJobState", () => {
  const zero = "0x0000000000000000000000000000000000000000" as const;
  const worker = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as const;
  const auction = { status: Status.Auction, deadline: 1_000, revealDeadline: 1_060, winner: zero };

  it("follows the contract's deadlines to the second (each deadline starts the next state)", () => {
    expect(deriveJobState(auction, 999)).toBe(JobState.Open);
    expect(deriveJobState(auction, 1_000)).toBe(JobState.Revealing);
    expect(deriveJobState(auction, 1_059)).toBe(JobState.Revealing);
    expect(deriveJobState(auction, 1_060)).toBe(JobState.Unfilled);
    expect(deriveJobState({ ...auction, winner: worker }, 1_060n)).toBe(JobState.Awarding);
  });

  it("turns Assigned, Submitted and Disputed into their overdue states at the deadline", () => {
    const at = (status: number, now: number) => deriveJobState({ ...auction, status, winner: worker }, now);
    expect([at(Status.Assigned, 999), at(Status.Assigned, 1_000)]).toEqual([JobState.Assigned, JobState.Overdue]);
    expect([at(Status.Submitted, 999), at(Status.Submitted, 1_000)]).toEqual([JobState.Submitted, JobState.Settleable]);
    expect([at(Status.Disputed, 999), at(Status.Disputed, 1_000)]).toEqual([JobState.Disputed, JobState.RulingOverdue]);
    expect(at(Status.Settled, 0)).toBe(JobState.Settled);
    expect(at(Status.Cancelled, 0)).toBe(JobState.Cancelled);
    expect(at(Status.Refunded, 0)).toBe(JobState.Refunded);
    expect(at(Status.None, 0)).toBe(JobState.None);
  });
});
