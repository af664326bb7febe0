// Typed JobMarket events: names, decoded logs and their arguments. Reading them from a node is
// `logs.ts`'s job.
import {
  parseEventLogs,
  type ContractEventArgs,
  type ContractEventName,
  type Log,
  type ParseEventLogsReturnType,
} from "viem";
import { jobMarketAbi } from "./generated/abis.js";

/** Names of every event the JobMarket emits (its own, the worker registry's, ownership and pause). */
export type MarketEventName = ContractEventName<typeof jobMarketAbi>;

/** A decoded JobMarket log; narrow with `log.eventName === "JobPosted"` to get typed `log.args`. */
export type MarketLog<Name extends MarketEventName = MarketEventName> = ParseEventLogsReturnType<
  typeof jobMarketAbi,
  Name,
  true
>[number];

/** The decoded arguments of one event, e.g. `MarketEventArgs<"JobPosted">["terms"]`. */
export type MarketEventArgs<Name extends MarketEventName> = ContractEventArgs<typeof jobMarketAbi, Name>;

export const marketEventNames = jobMarketAbi
  .filter((item) => item.type === "event")
  .map((item) => item.name) as MarketEventName[];

/**
 * Decodes raw logs (from `getLogs`, a receipt or a subscription) into typed JobMarket events.
 * Logs that are not JobMarket events (other contracts, unknown topics) are left out. Pass
 * `eventName` to keep only some events. Callers should also filter by the market's address when
 * the logs may come from several contracts.
 */
export function decodeMarketLogs(logs: readonly Log[]): MarketLog[];
export function decodeMarketLogs<Name extends MarketEventName>(
  logs: readonly Log[],
  eventName: Name | readonly Name[],
): MarketLog<Name>[];
export function decodeMarketLogs(logs: readonly Log[], eventName?: MarketEventName | readonly MarketEventName[]) {
  return parseEventLogs({
    abi: jobMarketAbi,
    logs: [...logs],
    strict: true,
    eventName: eventName as MarketEventName | MarketEventName[] | undefined,
  });
}
