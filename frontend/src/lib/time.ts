// Times for people: a chain time as a clock time and relative to now ("2 min ago", "in 3 min"),
// and how long one round of a job takes given its windows. Pure; every time is chain time in Unix
// seconds (block timestamps, the chain's clock), never the browser's clock alone.
import { formatDuration } from "./format.ts";

/** `2 min ago`, `in 3 min`, `just now` (within 5 s): `at` relative to `now`. */
export function formatRelative(at: number, now: number): string {
  const delta = Math.round(at - now);
  if (Math.abs(delta) < 5) return "just now";
  // One unit is enough at a glance: "1 h ago" rather than "1 h 4 min ago".
  const text = formatDuration(Math.abs(delta)).split(" ").slice(0, 2).join(" ");
  return delta > 0 ? `in ${text}` : `${text} ago`;
}

/** A chain time as a local clock time (`14:03:27`), with the date when it is not today's. */
export function formatClock(unix: number, today: number = unix): string {
  const date = new Date(unix * 1000);
  const time = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const sameDay = new Date(today * 1000).toDateString() === date.toDateString();
  return sameDay ? time : `${date.toLocaleDateString(undefined, { dateStyle: "medium" })} ${time}`;
}

/** `14:03:27 (2 min ago)`. */
export function formatWhen(unix: number, now: number): string {
  return `${formatClock(unix, now)} (${formatRelative(unix, now)})`;
}

export type RoundWindows = {
  commitWindow: number;
  revealWindow: number;
  executionWindow: number;
  challengeWindow: number;
};

/** Seconds a keeper typically needs to run a job once it reveals: the demo modules take a few. */
export const TYPICAL_WORK_SECONDS = 15;

export type RoundEstimate = {
  /** From posting to settlement when the winner delivers at once (its submission assigns the job). */
  typical: number;
  /** When the winner uses its whole execution window. */
  longest: number;
  /** The parts of `typical`, in order, for the sentence. */
  parts: { label: string; seconds: number }[];
};

/**
 * How long one round takes, from posting to settlement: bids are sealed for the whole commit
 * window, revealed during the reveal window, then the winner's own result submission assigns it
 * the job (typically seconds of work, at most the execution window) and settlement follows right
 * after the challenge window. Throws on a negative or non-finite window.
 */
export function estimateRound(w: RoundWindows, workSeconds = TYPICAL_WORK_SECONDS): RoundEstimate {
  for (const [name, value] of Object.entries(w)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number of seconds`);
  }
  const work = Math.min(workSeconds, w.executionWindow);
  const parts = [
    { label: "bidding", seconds: w.commitWindow },
    { label: "reveals", seconds: w.revealWindow },
    { label: "the work", seconds: work },
    { label: "challenge window", seconds: w.challengeWindow },
  ];
  return {
    typical: parts.reduce((s, p) => s + p.seconds, 0),
    longest: w.commitWindow + w.revealWindow + w.executionWindow + w.challengeWindow,
    parts,
  };
}

/** The estimate in words: "about 4 min (bidding 1 min + … ); at most 9 min if the worker takes its whole execution window". */
export function describeEstimate(e: RoundEstimate): string {
  const parts = e.parts.map((p) => `${p.label} ${formatDuration(p.seconds)}`).join(" + ");
  const longest =
    e.longest > e.typical ? `; at most ${formatDuration(e.longest)} if the worker uses its whole execution window` : "";
  return `From posting to settlement: about ${formatDuration(e.typical)} (${parts})${longest}.`;
}
