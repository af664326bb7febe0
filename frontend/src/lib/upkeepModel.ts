// What the upkeep pages derive from the registry's state: performs left at today's gas price, what
// a simulated `checkUpkeep` said, the trigger and cursor in words, and why an upkeep is not
// performing right now (the sdk's `idleReasons`, told in sentences). Pure: the hooks read the chain
// and pass the results in.
import {
  automationTestTargetAbi,
  idleReasons,
  maxPerformCost,
  type AutomationParams,
  type IdleReason,
  type LeaseState,
  type UpkeepState,
} from "@baton/sdk";
import { decodeErrorResult, getAddress, size, type Address, type Hex } from "viem";
import { formatAmount, formatDuration, isZeroAddress, shortAddress } from "./format.ts";
import { formatClock } from "./time.ts";
import type { Explanation } from "./why.ts";

/** What simulating the target's `checkUpkeep(checkData)` from address(0) returned. */
export type CheckResult =
  { ok: true; needed: boolean; performData: Hex } | { ok: false; reason: string; noCode?: boolean };

export const KIND_LABELS = { condition: "Condition", interval: "Interval", cron: "Cron", log: "Log" } as const;
export const STATUS_LABELS = { none: "Unknown", active: "Active", paused: "Paused", canceled: "Canceled" } as const;

/** `12 gwei`, `≈1.002 gwei`: at most three decimals. */
export const gwei = (wei: bigint) => formatAmount(wei, { symbol: "gwei", decimals: 9 }, 3);

/**
 * Revert data in words: `Error(string)` as its string, a panic by code, a custom error the test
 * target knows by name, anything else by its selector; empty data as "no reason".
 */
export function revertText(data: Hex | undefined): string {
  if (!data || size(data) === 0) return "it reverted without a reason (or ran out of gas)";
  try {
    const decoded = decodeErrorResult({ abi: automationTestTargetAbi, data });
    // viem adds Error(string) and Panic(uint256) to every ABI.
    const name = decoded.errorName as string;
    const args = (decoded.args ?? []) as readonly unknown[];
    if (name === "Error") return `"${String(args[0])}"`;
    if (name === "Panic") return `panic 0x${Number(args[0]).toString(16)}`;
    return `${name}(${args.map(String).join(", ")})`;
  } catch {
    return `custom error ${data.slice(0, 10)}${size(data) > 4 ? "…" : ""}`;
  }
}

/** The simulation's result in words, for the form and the upkeep page. */
export function describeCheck(check: CheckResult): Explanation {
  if (!check.ok) {
    return check.noCode
      ? { tone: "warning", text: "There is no contract at the target address on this network." }
      : { tone: "warning", text: `The target's checkUpkeep reverted: ${check.reason}.` };
  }
  const data = size(check.performData) ? check.performData : "0x (empty)";
  return check.needed
    ? { tone: "info", text: `checkUpkeep returned needed = true: a keeper would perform now with performData ${data}.` }
    : {
        tone: "info",
        text: `checkUpkeep returned needed = false (performData ${data}): nothing would be performed until it returns true.`,
      };
}

/** How many performs `balance` pays at most, each costing `cost`; null when a perform costs nothing. */
export function performsLeft(balance: bigint, cost: bigint): bigint | null {
  return cost > 0n ? balance / cost : null;
}

/** The premium one perform pays now: the lease holder's, or the owner's maximum without a lease (open service). */
export function currentPremium(u: Pick<UpkeepState, "maxPremium">, lease: LeaseState | undefined): bigint {
  return lease && !isZeroAddress(lease.holder) ? lease.premium : u.maxPremium;
}

/** The upkeep's figures at `gasPrice`: the most one perform costs and how many the balance pays. */
export function upkeepFigures(input: {
  upkeep: UpkeepState;
  params: Pick<AutomationParams, "performOverheadGas">;
  gasPrice: bigint;
  lease: LeaseState | undefined;
}) {
  const premium = currentPremium(input.upkeep, input.lease);
  const cost = maxPerformCost(input.upkeep, input.params, input.gasPrice, premium);
  return { premium, cost, left: performsLeft(input.upkeep.balance, cost) };
}

/** The trigger in words: `every 1 min`, `on a cron schedule`, `logs of 0x12…ab`, `when checkUpkeep says so`. */
export function triggerText(u: Pick<UpkeepState, "kind" | "trigger">): string {
  switch (u.kind) {
    case "interval":
      return `every ${formatDuration(Number(u.trigger))}`;
    case "cron":
      return "on a UTC cron schedule";
    case "log":
      return `logs of ${shortAddress(logEmitter(u.trigger))}`;
    default:
      return "when its checkUpkeep says so";
  }
}

/** A log upkeep's emitter, from its stored trigger word (`emitter | topicMask << 160`). */
export const logEmitter = (trigger: bigint): Address =>
  getAddress(`0x${(trigger & ((1n << 160n) - 1n)).toString(16).padStart(40, "0")}`);

/** The cursor in words: what was performed last (or, before any perform, where it starts). */
export function cursorText(u: Pick<UpkeepState, "kind" | "cursor">, now: number, performed: boolean): string {
  if (u.kind === "condition") return u.cursor === 0n ? "never performed" : `last performed in block ${u.cursor}`;
  if (u.kind === "log") {
    if (!performed) return `watching logs from block ${u.cursor >> 24n}`;
    const position = u.cursor - 1n;
    return `last performed the log at block ${position >> 24n}, index ${position & 0xffffffn}`;
  }
  const at = formatClock(Number(u.cursor), now);
  return performed ? `last performed the tick of ${at}` : `registered at ${at}; no tick performed yet`;
}

/** Context for the reasons' sentences. */
export type IdleContext = {
  upkeep: UpkeepState;
  now: number;
  /** The simulated `checkUpkeep`, for condition upkeeps. */
  check?: CheckResult;
  /** Why the last perform failed in the target, when it did. */
  lastFailure?: string | null;
  lease?: LeaseState;
  money: (wei: bigint) => string;
};

/** One reason in words. `fromCheck` tells a reverting `checkUpkeep` from a reverting perform. */
export function describeReason(r: IdleReason, ctx: IdleContext, fromCheck = false): Explanation {
  const { money } = ctx;
  switch (r.code) {
    case "paused":
      return { tone: "warning", text: "The owner paused it: performs are refused until it is resumed." };
    case "canceled":
      return {
        tone: "warning",
        text: "It was canceled: nothing will be performed again. The owner can withdraw what is left of its balance.",
      };
    case "underfunded":
      return {
        tone: "warning",
        text: `Underfunded: its balance of ${money(r.balance)} does not cover one perform, which may cost up to ${money(r.needed)} at today's gas price. Add funds.`,
      };
    case "gas-price-above-ceiling":
      return {
        tone: "warning",
        text: `The gas price (${gwei(r.gasPrice)}) is above its ceiling (${gwei(r.ceiling)}): keepers wait until it falls below.`,
      };
    case "not-due":
      return {
        tone: "info",
        text:
          r.nextTick === null
            ? "Not due: its schedule never fires again."
            : `Not due: the next tick is in ${formatDuration(Number(r.nextTick) - ctx.now)} (at ${formatClock(Number(r.nextTick), ctx.now)}).`,
      };
    case "check-false":
      return {
        tone: "info",
        text: "Not needed: the target's checkUpkeep, simulated just now, returns false. A keeper performs once it returns true.",
      };
    case "target-reverted":
      return fromCheck
        ? {
            tone: "warning",
            text: `The target's checkUpkeep reverts (${r.reason}), so no keeper can tell that it is due.`,
          }
        : {
            tone: "warning",
            text: `The last perform failed in the target (${r.reason}); it was still charged. Keepers keep trying while it is due.`,
          };
    case "no-lease":
      return {
        tone: "info",
        text: "No keeper holds this epoch's lease: any keeper staked in the registry may perform it (open service) at its maximum premium.",
      };
  }
}

/**
 * Why the upkeep is not performing right now, most important first, from the sdk's `idleReasons`;
 * empty when nothing holds it back.
 */
export function explainUpkeep(
  ctx: IdleContext & {
    params: Pick<AutomationParams, "performOverheadGas">;
    gasPrice: bigint;
  },
): Explanation[] {
  const premium = currentPremium(ctx.upkeep, ctx.lease);
  const check = ctx.check && (ctx.check.ok ? { ok: true as const, needed: ctx.check.needed } : ctx.check);
  const reasons = idleReasons({
    upkeep: ctx.upkeep,
    params: ctx.params,
    gasPrice: ctx.gasPrice,
    premium,
    now: ctx.now,
    ...(check ? { check: check.ok ? check : { ok: false as const, reason: check.reason } } : {}),
    ...(ctx.lastFailure ? { lastFailure: ctx.lastFailure } : {}),
    ...(ctx.lease ? { leaseHolder: ctx.lease.holder } : {}),
  });
  // idleReasons lists a reverting checkUpkeep before a failed perform: the first
  // "target-reverted" is the check's when the simulation reverted.
  let checkPending = !!ctx.check && !ctx.check.ok && ctx.upkeep.kind === "condition";
  const items = reasons.map((r) => {
    const fromCheck = r.code === "target-reverted" && checkPending;
    if (fromCheck) checkPending = false;
    return describeReason(r, ctx, fromCheck);
  });
  if (reasons.every((r) => r.code === "no-lease")) {
    items.push({
      tone: "info",
      text:
        ctx.upkeep.kind === "log"
          ? "Nothing holds it back: a keeper performs each matching log within a block or two."
          : "Nothing holds it back: it is due, and a keeper should perform it within a block or two.",
    });
  }
  return items;
}
