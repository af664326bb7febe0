// The keeper's automation decisions, as pure functions of what it read this pass: an upkeep's state
// and leases, the registry's parameters, the clock and the keeper's own records. No I/O, so every
// rule is unit-tested without a chain; the registry re-checks all of it (the sender simulates each
// transaction before signing it).

import {
  maxPerformCost,
  nextCronTick,
  ZERO_ADDRESS,
  ZERO_HASH,
  type AutomationParams,
  type LeaseState,
  type UpkeepState,
} from "@baton/sdk";
import type { KeeperConfig, Strategy } from "../config.js";

/**
 * Gas of one lease auction for its winner (commit, reveal and close, as `npm run bench:automation`
 * measures them, rounded up): what a cost-plus premium recovers over the epoch's performs.
 */
export const LEASE_GAS = 170_000n;
/** Ticks of a cron schedule counted in one epoch before counting stops. */
const MAX_COUNTED_TICKS = 10_000;

/** The chain as a pass sees it: the head block, its timestamp and the gas price. */
export type Clock = { head: bigint; now: number; gasPrice: bigint };

/** This keeper's account in the registry (its `WorkerRegistry` side). */
export type AutomationMe = { address: `0x${string}`; stake: bigint; locked: bigint };

/** One upkeep as a pass reads it. */
export type UpkeepView = {
  upkeep: UpkeepState;
  /** The lease of the current epoch, and of the next (being auctioned, or not yet). */
  lease: LeaseState;
  next: LeaseState;
  /** This keeper's sealed commitment for the next epoch (zero when none or revealed). */
  myNextCommitment: `0x${string}`;
  /** The block of the last `reportDue` (condition upkeeps; 0 when never reported). */
  dueReport: bigint;
};

export type AutomationConfig = Pick<KeeperConfig, "strategy" | "automation">;

/** Under which rule this keeper may perform an upkeep now. */
export type Role =
  /** It holds the current epoch's lease. */
  | "holder"
  /** No lease for this epoch: any staked keeper, at the owner's maximum premium. */
  | "open"
  /** Another keeper holds the lease: only once its grace has passed. */
  | "backup";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export const epochOf = (now: number, params: Pick<AutomationParams, "epoch">) => Math.floor(now / params.epoch);

/** This keeper's role for `view` now, or null when it does not serve the upkeep at all. */
export function roleOf(view: UpkeepView, me: AutomationMe, params: AutomationParams, cfg: AutomationConfig) {
  const holder = view.lease.holder;
  if (same(holder, me.address)) return "holder";
  // Not the holder: the registry takes the minimum stake (any keeper may serve, none for free).
  if (me.stake < params.minStake) return null;
  if (same(holder, ZERO_ADDRESS)) return cfg.automation.openService ? "open" : null;
  return cfg.automation.backup ? "backup" : null;
}

/** The premium a perform under `role` earns. */
export function premiumOf(view: UpkeepView, role: Role): bigint {
  return role === "open" ? view.upkeep.maxPremium : view.lease.premium;
}

/**
 * Why no perform can be paid now, whoever sends it: the gas price above the owner's ceiling (the
 * keeper would be paid less than the gas it spends), or a balance short of the most a perform
 * costs (the registry refuses it with `AutomationUnderfunded`). Null when a perform may go.
 */
export function blockedBy(view: UpkeepView, role: Role, params: AutomationParams, gasPrice: bigint): string | null {
  const u = view.upkeep;
  if (u.status !== "active") return u.status;
  if (gasPrice > u.maxGasPrice) return "gas-price-above-ceiling";
  if (u.balance < maxPerformCost(u, params, gasPrice, premiumOf(view, role))) return "underfunded";
  return null;
}

/**
 * Whether a tick due at `tick` may be performed under `role` by a transaction in the next block
 * (whose time is at least `now + 1`): at once by the holder or in open service, by a backup once the
 * tick's grace has passed.
 */
export function timeTickOpen(role: Role, tick: bigint, now: number, params: AutomationParams): boolean {
  if (role !== "backup") return true;
  return BigInt(now + 1) >= tick + BigInt(params.graceSeconds);
}

/** Whether a log of block `logBlock` may be performed under `role` by a transaction in the next block. */
export function logOpen(role: Role, logBlock: bigint, head: bigint, params: AutomationParams): boolean {
  if (role !== "backup") return true;
  return head + 1n >= logBlock + BigInt(params.graceBlocks);
}

/**
 * A backup's next step on a condition upkeep whose `checkUpkeep` returns true: report it due (the
 * registry checks it on chain and starts the grace), wait, or perform once the grace has passed.
 */
export function conditionBackupStep(
  view: Pick<UpkeepView, "dueReport" | "upkeep">,
  head: bigint,
  params: AutomationParams,
): "report" | "wait" | "perform" {
  // A report made before the last perform was answered by it.
  if (view.dueReport <= view.upkeep.cursor) return "report";
  return head + 1n >= view.dueReport + BigInt(params.graceBlocks) ? "perform" : "wait";
}

/** How many performs the keeper expects of an upkeep in one epoch (at least one). */
export function expectedPerforms(
  u: Pick<UpkeepState, "kind" | "trigger">,
  epochStart: number,
  params: Pick<AutomationParams, "epoch">,
  cfg: AutomationConfig,
): number {
  if (u.kind === "interval") return Math.max(1, Math.floor(params.epoch / Number(u.trigger)));
  if (u.kind === "cron") {
    const end = BigInt(epochStart + params.epoch);
    let count = 0;
    let t: bigint | null = BigInt(epochStart - 1);
    while (count < MAX_COUNTED_TICKS) {
      t = nextCronTick(u.trigger, t, end);
      if (t === null || t >= end) break;
      count++;
    }
    return Math.max(1, count);
  }
  return cfg.automation.expectedPerforms;
}

/**
 * The premium this keeper bids for an epoch of `u`, by its pricing strategy: a fraction of the
 * owner's maximum premium, or the auction's gas (`LEASE_GAS`) spread over the epoch's expected
 * performs, plus the margin. A string says why it does not bid (the premium would exceed the
 * owner's maximum).
 */
export function leasePremium(
  u: Pick<UpkeepState, "kind" | "trigger" | "maxPremium">,
  strategy: Strategy,
  performs: number,
  gasPrice: bigint,
): bigint | string {
  let premium: bigint;
  if (strategy.kind === "fraction") {
    premium = (u.maxPremium * BigInt(Math.round(strategy.fraction * 1_000_000))) / 1_000_000n;
  } else {
    const cost = (LEASE_GAS * gasPrice + BigInt(performs - 1)) / BigInt(performs);
    premium = (cost * BigInt(Math.round((1 + strategy.margin) * 1_000_000))) / 1_000_000n;
  }
  if (premium > u.maxPremium) {
    return `a premium of ${premium} wei covers the auction, above the owner's maximum of ${u.maxPremium}`;
  }
  return premium;
}

/** What a lease auction needs from this keeper now. */
export type LeaseStep =
  | { kind: "commitLease"; epoch: number; premium: bigint }
  | { kind: "revealLease"; epoch: number; closesAt: number }
  | { kind: "declineLease"; epoch: number; reason: string };

/**
 * The next epoch's auction step for `view`: commit a sealed bid while the commit window is open
 * for the next block (never twice, within the stake and the lease limit), reveal it once the
 * reveal window is open. `bid` is this keeper's stored bid for the next epoch.
 */
export function planLease(
  view: UpkeepView,
  clock: Clock,
  me: AutomationMe,
  params: AutomationParams,
  cfg: AutomationConfig,
  local: { bid: boolean; leasesHeld: number; revealQueued: boolean },
): LeaseStep | null {
  const u = view.upkeep;
  const epoch = epochOf(clock.now, params);
  const start = epoch * params.epoch;
  const commitEnds = start + params.commitWindow;
  const revealEnds = commitEnds + params.revealWindow;
  const next = epoch + 1;
  if (local.bid) {
    if (
      clock.now >= commitEnds &&
      clock.now + 1 < revealEnds &&
      view.myNextCommitment !== ZERO_HASH &&
      !local.revealQueued
    ) {
      return { kind: "revealLease", epoch: next, closesAt: revealEnds };
    }
    return null;
  }
  if (u.status !== "active" || clock.now + 1 >= commitEnds) return null;
  const bidOn = cfg.automation.bidOn;
  if (bidOn && !bidOn.includes(u.id)) return null;
  if (local.leasesHeld >= cfg.automation.maxLeases) return null;
  if (me.stake < params.minStake || me.stake - me.locked < params.leaseBond) return null;
  const premium = leasePremium(u, cfg.strategy, expectedPerforms(u, start + params.epoch, params, cfg), clock.gasPrice);
  if (typeof premium === "string") return { kind: "declineLease", epoch: next, reason: premium };
  return { kind: "commitLease", epoch: next, premium };
}

/**
 * What to do about a lease this keeper bid on, once its epoch's auction is over: close it when it
 * won and the epoch is over (or the upkeep canceled), forfeit the bids left unrevealed that keep it
 * from closing (the forfeits go to the upkeep's balance), or forget it (lost, or closed).
 */
export function planLeaseEnd(
  lease: LeaseState,
  epoch: number,
  now: number,
  canceled: boolean,
  me: AutomationMe,
  params: AutomationParams,
): "close" | "forfeitOthers" | "wait" | "forget" {
  const revealEnds = (epoch - 1) * params.epoch + params.commitWindow + params.revealWindow;
  if (now < revealEnds) return "wait";
  // Lost (its bond came back at the reveal), or closed already.
  if (!same(lease.holder, me.address) || !lease.bondHeld) return "forget";
  if (lease.pending > 0) return "forfeitOthers";
  const over = now >= (epoch + 1) * params.epoch || canceled;
  return over ? "close" : "wait";
}
