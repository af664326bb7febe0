// Upkeeps of the automation registry: registration (validated before anything is sent), funding,
// pause, cancel and withdraw; reads of an upkeep, its lease and its history; the next tick of a time
// trigger; and why an upkeep is not performing right now.
import {
  encodeAbiParameters,
  keccak256,
  parseEventLogs,
  size,
  stringToHex,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { automationRegistryAbi } from "../generated/abis.js";
import { automationCall } from "../calls.js";
import { BatonError } from "../errors.js";
import type { Address } from "../types.js";
import { latestCronTick, nextCronTick, parseCron } from "./cron.js";

/** Trigger kinds, as the contract numbers them. */
export const TRIGGER_KIND = { condition: 0, interval: 1, cron: 2, log: 3 } as const;
export type TriggerKindName = keyof typeof TRIGGER_KIND;
export const TRIGGER_KIND_NAMES = ["condition", "interval", "cron", "log"] as const;

/** Upkeep statuses, as the contract numbers them. */
export const UPKEEP_STATUS_NAMES = ["none", "active", "paused", "canceled"] as const;
export type UpkeepStatusName = (typeof UPKEEP_STATUS_NAMES)[number];

/** The registry's limits (constants of `AutomationRegistry`). */
export const MAX_CHECK_DATA_BYTES = 2_048;
export const MIN_PERFORM_GAS = 10_000;
export const MIN_INTERVAL = 5;
export const MAX_INTERVAL = 365 * 86_400;
export const PERFORM_RESERVE_GAS = 60_000n;
const MAX_GAS_PRICE = (1n << 48n) - 1n;

/** A log filter: the emitter, topic0 and up to three more topics (`null`: any). */
export type LogTriggerFilter = {
  emitter: Address;
  topic0: Hex;
  topics?: readonly (Hex | null)[];
};

/** What triggers an upkeep. */
export type Trigger =
  | { kind: "condition" }
  | { kind: "interval"; seconds: number }
  | { kind: "cron"; expression: string }
  | { kind: "log"; filter: LogTriggerFilter };

/** An invalid registration, caught before anything is sent. */
export class UpkeepValidationError extends BatonError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const ZERO32 = `0x${"00".repeat(32)}` as Hex;

/** The trigger as `registerUpkeep` takes it: its kind number and ABI-encoded bytes. */
export function encodeTrigger(trigger: Trigger): { kind: number; data: Hex } {
  switch (trigger.kind) {
    case "condition":
      return { kind: TRIGGER_KIND.condition, data: "0x" };
    case "interval": {
      const s = trigger.seconds;
      if (!Number.isSafeInteger(s) || s < MIN_INTERVAL || s > MAX_INTERVAL) {
        throw new UpkeepValidationError(
          "trigger.seconds",
          `an interval is a whole number of seconds from ${MIN_INTERVAL} to ${MAX_INTERVAL}, got ${s}`,
        );
      }
      return { kind: TRIGGER_KIND.interval, data: encodeAbiParameters([{ type: "uint256" }], [BigInt(s)]) };
    }
    case "cron":
      // Throws CronError (field and position) exactly where the contract would revert.
      parseCron(trigger.expression);
      return { kind: TRIGGER_KIND.cron, data: encodeAbiParameters([{ type: "string" }], [trigger.expression]) };
    case "log": {
      const topics = trigger.filter.topics ?? [];
      if (topics.length > 3) {
        throw new UpkeepValidationError(
          "trigger.filter.topics",
          `at most three topics after topic0, got ${topics.length}`,
        );
      }
      let mask = 0;
      const words: [Hex, Hex, Hex] = [ZERO32, ZERO32, ZERO32];
      topics.forEach((t, i) => {
        if (t !== null) {
          mask |= 1 << i;
          words[i] = t;
        }
      });
      const data = encodeAbiParameters(
        [
          {
            type: "tuple",
            components: [
              { name: "emitter", type: "address" },
              { name: "topic0", type: "bytes32" },
              { name: "topics", type: "bytes32[3]" },
              { name: "topicMask", type: "uint8" },
            ],
          },
        ],
        [{ emitter: trigger.filter.emitter, topic0: trigger.filter.topic0, topics: words, topicMask: mask }],
      );
      return { kind: TRIGGER_KIND.log, data };
    }
  }
}

/** What a new upkeep is; amounts in wei. */
export type UpkeepRegistration = {
  target: Address;
  trigger: Trigger;
  checkData?: Hex;
  performGasLimit: number;
  maxGasPrice: bigint;
  maxPremium: bigint;
  /** The initial balance, sent with the registration. */
  balance: bigint;
};

/** The registry's `registerUpkeep` call for `r`, validated as the contract would (less code checks). */
export function prepareRegisterUpkeep(registry: Address, r: UpkeepRegistration, maxPerformGas = 5_000_000) {
  const checkData = r.checkData ?? "0x";
  const { kind, data } = encodeTrigger(r.trigger);
  if (
    !Number.isSafeInteger(r.performGasLimit) ||
    r.performGasLimit < MIN_PERFORM_GAS ||
    r.performGasLimit > maxPerformGas
  ) {
    throw new UpkeepValidationError(
      "performGasLimit",
      `must be from ${MIN_PERFORM_GAS} to ${maxPerformGas}, got ${r.performGasLimit}`,
    );
  }
  if (size(checkData) > MAX_CHECK_DATA_BYTES) {
    throw new UpkeepValidationError("checkData", `${size(checkData)} bytes is over ${MAX_CHECK_DATA_BYTES}`);
  }
  if ((r.trigger.kind === "interval" || r.trigger.kind === "cron") && size(checkData) !== 0) {
    throw new UpkeepValidationError("checkData", "time triggers take no check data: the target receives the tick");
  }
  if (r.maxGasPrice <= 0n || r.maxGasPrice > MAX_GAS_PRICE) {
    throw new UpkeepValidationError("maxGasPrice", `must be from 1 to ${MAX_GAS_PRICE} wei, got ${r.maxGasPrice}`);
  }
  if (r.maxPremium < 0n || r.maxPremium >= 1n << 64n) {
    throw new UpkeepValidationError("maxPremium", `must fit in 64 bits, got ${r.maxPremium}`);
  }
  if (r.balance <= 0n) throw new UpkeepValidationError("balance", "an upkeep needs a balance to pay its performs");
  return {
    address: registry,
    abi: automationRegistryAbi,
    functionName: "registerUpkeep" as const,
    args: [
      {
        target: r.target,
        kind,
        trigger: data,
        checkData,
        performGasLimit: r.performGasLimit,
        maxGasPrice: Number(r.maxGasPrice),
        maxPremium: r.maxPremium,
      },
    ] as const,
    value: r.balance,
  };
}

/** `addFunds(upkeepId)` with `amount` wei. */
export function prepareAddFunds(registry: Address, upkeepId: bigint, amount: bigint) {
  if (amount <= 0n) throw new UpkeepValidationError("amount", "must be positive");
  return automationCall(registry, "addFunds", [upkeepId], amount);
}

/** `setPaused(upkeepId, paused)`. */
export const prepareSetPaused = (registry: Address, upkeepId: bigint, paused: boolean) =>
  automationCall(registry, "setPaused", [upkeepId, paused]);

/** `cancelUpkeep(upkeepId)`. */
export const prepareCancelUpkeep = (registry: Address, upkeepId: bigint) =>
  automationCall(registry, "cancelUpkeep", [upkeepId]);

/** `withdrawFunds(upkeepId, to)`. */
export const prepareWithdrawFunds = (registry: Address, upkeepId: bigint, to: Address) =>
  automationCall(registry, "withdrawFunds", [upkeepId, to]);

/** The sealed lease bid `keccak256(abi.encode(upkeepId, epoch, bidder, premium, salt))`. */
export function computeLeaseCommitment(
  upkeepId: bigint,
  epoch: number,
  bidder: Address,
  premium: bigint,
  salt: Hex,
): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "uint32" }, { type: "address" }, { type: "uint64" }, { type: "bytes32" }],
      [upkeepId, epoch, bidder, premium, salt],
    ),
  );
}

/** The registry's fixed parameters. */
export type AutomationParams = {
  epoch: number;
  commitWindow: number;
  revealWindow: number;
  leaseBond: bigint;
  forfeitBps: number;
  missPenaltyBps: number;
  graceSeconds: number;
  graceBlocks: number;
  minStake: bigint;
  performOverheadGas: number;
  maxPerformGas: number;
  checkGasLimit: number;
  withdrawDelay: number;
  unbondingDelay: number;
};

/** An upkeep as `getUpkeep` returns it, with names for its kind and status. */
export type UpkeepState = {
  id: bigint;
  owner: Address;
  target: Address;
  forwarder: Address;
  kind: TriggerKindName;
  status: UpkeepStatusName;
  performGasLimit: number;
  balance: bigint;
  cursor: bigint;
  owed: bigint;
  owedEpoch: number;
  maxGasPrice: bigint;
  maxPremium: bigint;
  withdrawableAt: number;
  trigger: bigint;
};

/** A lease of one epoch. */
export type LeaseState = { holder: Address; premium: bigint; pending: number; bondHeld: boolean; misses: number };

type Client = PublicClient<Transport, Chain | undefined>;

/** The registry's parameters. */
export async function readAutomationParams(client: Client, registry: Address): Promise<AutomationParams> {
  return client.readContract({ address: registry, abi: automationRegistryAbi, functionName: "params" });
}

/** What `getUpkeep` returns, as viem decodes it. */
export type UpkeepOnChain = {
  owner: Address;
  target: Address;
  forwarder: Address;
  kind: number;
  status: number;
  performGasLimit: number;
  balance: bigint;
  cursor: bigint;
  owed: bigint;
  owedEpoch: number;
  maxGasPrice: number | bigint;
  maxPremium: bigint;
  withdrawableAt: number;
  trigger: bigint;
};

/** An upkeep as `getUpkeep` returned it, with names for its kind and status. */
export function upkeepFromChain(upkeepId: bigint, u: UpkeepOnChain): UpkeepState {
  return {
    id: upkeepId,
    owner: u.owner,
    target: u.target,
    forwarder: u.forwarder,
    kind: TRIGGER_KIND_NAMES[u.kind]!,
    status: UPKEEP_STATUS_NAMES[u.status]!,
    performGasLimit: u.performGasLimit,
    balance: u.balance,
    cursor: u.cursor,
    owed: u.owed,
    owedEpoch: u.owedEpoch,
    maxGasPrice: BigInt(u.maxGasPrice),
    maxPremium: u.maxPremium,
    withdrawableAt: u.withdrawableAt,
    trigger: u.trigger,
  };
}

/** One upkeep; throws the contract's `AutomationUnknownUpkeep` for an unknown id. */
export async function readUpkeep(client: Client, registry: Address, upkeepId: bigint): Promise<UpkeepState> {
  const u = await client.readContract({
    address: registry,
    abi: automationRegistryAbi,
    functionName: "getUpkeep",
    args: [upkeepId],
  });
  return upkeepFromChain(upkeepId, u);
}

/** The lease of `epoch`. */
export async function readLease(
  client: Client,
  registry: Address,
  upkeepId: bigint,
  epoch: number,
): Promise<LeaseState> {
  return client.readContract({
    address: registry,
    abi: automationRegistryAbi,
    functionName: "getLease",
    args: [upkeepId, epoch],
  });
}

/** One perform, from its `UpkeepPerformed` event. */
export type PerformRecord = {
  upkeepId: bigint;
  keeper: Address;
  success: boolean;
  trigger: bigint;
  targetGas: bigint;
  payment: bigint;
  premium: bigint;
  blockNumber: bigint;
  transactionHash: Hex;
};

/** An upkeep's perform history (oldest first) from `fromBlock`. */
export async function readPerformHistory(
  client: Client,
  registry: Address,
  upkeepId: bigint,
  fromBlock: bigint,
): Promise<PerformRecord[]> {
  const logs = await client.getContractEvents({
    address: registry,
    abi: automationRegistryAbi,
    eventName: "UpkeepPerformed",
    args: { upkeepId },
    fromBlock,
    toBlock: "latest",
  });
  return parseEventLogs({ abi: automationRegistryAbi, logs, eventName: "UpkeepPerformed" }).map((l) => ({
    ...l.args,
    blockNumber: l.blockNumber,
    transactionHash: l.transactionHash,
  }));
}

/**
 * The tick a keeper performs now for a time upkeep: the latest due one after the cursor, or null.
 * Interval ticks fall on multiples of the interval (UTC-aligned), as the contract checks.
 */
export function dueTick(u: Pick<UpkeepState, "kind" | "trigger" | "cursor">, now: number | bigint): bigint | null {
  const t = BigInt(now);
  if (u.kind === "interval") {
    const tick = t - (t % u.trigger);
    return tick > u.cursor ? tick : null;
  }
  if (u.kind === "cron") return latestCronTick(u.trigger, t, u.cursor);
  return null;
}

/** The next tick of a time upkeep after `now` (null for other kinds, or a cron that never fires again). */
export function nextTick(u: Pick<UpkeepState, "kind" | "trigger">, now: number | bigint): bigint | null {
  const t = BigInt(now);
  if (u.kind === "interval") return t - (t % u.trigger) + u.trigger;
  if (u.kind === "cron") return nextCronTick(u.trigger, t);
  return null;
}

/** The most one perform costs at `gasPrice` (capped at the upkeep's ceiling), premium included. */
export function maxPerformCost(
  u: Pick<UpkeepState, "performGasLimit" | "maxGasPrice">,
  params: Pick<AutomationParams, "performOverheadGas">,
  gasPrice: bigint,
  premium: bigint,
): bigint {
  const price = gasPrice < u.maxGasPrice ? gasPrice : u.maxGasPrice;
  return (BigInt(u.performGasLimit) + PERFORM_RESERVE_GAS + BigInt(params.performOverheadGas)) * price + premium;
}

/** Why an upkeep is not performing right now. */
export type IdleReason =
  | { code: "paused" | "canceled" }
  | { code: "underfunded"; balance: bigint; needed: bigint }
  | { code: "gas-price-above-ceiling"; gasPrice: bigint; ceiling: bigint }
  | { code: "not-due"; nextTick: bigint | null }
  | { code: "check-false" }
  | { code: "target-reverted"; reason: string }
  | { code: "no-lease" };

/**
 * Every reason an upkeep is not performing now, most important first; empty when it should
 * perform. `check` is the result of simulating `checkUpkeep` (condition upkeeps) from address(0),
 * `lastFailure` the revert reason of the last perform if it failed, `leaseHolder` the current
 * epoch's holder (zero address: open service, which is a note, not a fault).
 */
export function idleReasons(input: {
  upkeep: UpkeepState;
  params: Pick<AutomationParams, "performOverheadGas">;
  gasPrice: bigint;
  premium: bigint;
  now: number;
  check?: { ok: true; needed: boolean } | { ok: false; reason: string };
  lastFailure?: string | null;
  leaseHolder?: Address;
}): IdleReason[] {
  const { upkeep: u } = input;
  const out: IdleReason[] = [];
  if (u.status === "paused" || u.status === "canceled") out.push({ code: u.status });
  const needed = maxPerformCost(u, input.params, input.gasPrice, input.premium);
  if (u.balance < needed) out.push({ code: "underfunded", balance: u.balance, needed });
  if (input.gasPrice > u.maxGasPrice) {
    out.push({ code: "gas-price-above-ceiling", gasPrice: input.gasPrice, ceiling: u.maxGasPrice });
  }
  if (u.kind === "interval" || u.kind === "cron") {
    if (dueTick(u, input.now) === null) out.push({ code: "not-due", nextTick: nextTick(u, input.now) });
  } else if (u.kind === "condition" && input.check) {
    if (!input.check.ok) out.push({ code: "target-reverted", reason: input.check.reason });
    else if (!input.check.needed) out.push({ code: "check-false" });
  }
  if (input.lastFailure) out.push({ code: "target-reverted", reason: input.lastFailure });
  if (input.leaseHolder === "0x0000000000000000000000000000000000000000") out.push({ code: "no-lease" });
  return out;
}

/** The check data as hex from text (for forms). */
export const checkDataFromText = (text: string): Hex => stringToHex(text);
