// Typed JobMarket events, and a log reader that scales: bounded `eth_getLogs` windows that shrink
// when the RPC refuses a range, so a backfill from the deployment block works against any
// provider (public RPCs cap ranges at 1k–10k blocks or results at 10k logs).
import {
  BaseError,
  formatLog,
  numberToHex,
  parseEventLogs,
  type AbiEvent,
  type Client,
  type Hex,
  type RpcLog,
  type ContractEventArgs,
  type ContractEventName,
  type Log,
  type ParseEventLogsReturnType,
  type PublicClient,
} from "viem";
import { LogFetchError } from "./errors.js";
import { jobMarketAbi } from "./generated/abis.js";
import type { Address } from "./types.js";

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

// ---------------------------------------------------------------- windowed getLogs

/**
 * Whether an RPC error means "this `eth_getLogs` range or its result is too large": HTTP 413 or
 * one of the messages providers use (geth, Erigon, Alchemy, Infura, QuickNode, Ankr, Cloudflare,
 * Base/OP nodes, and others).
 */
export function isRangeTooLargeError(error: unknown): boolean {
  const texts: string[] = [];
  let limitCode = false;
  const visit = (e: unknown) => {
    if (e === null || typeof e !== "object") return;
    const record = e as {
      code?: unknown;
      message?: unknown;
      details?: unknown;
      shortMessage?: unknown;
      status?: unknown;
    };
    // Not the -32005 code alone: Infura also uses it for rate limits, which halving cannot fix.
    if (record.status === 413) limitCode = true;
    for (const t of [record.message, record.details, record.shortMessage]) if (typeof t === "string") texts.push(t);
  };
  if (error instanceof BaseError) error.walk((e) => (visit(e), false));
  else {
    let e: unknown = error;
    for (let depth = 0; e && depth < 10; depth++, e = (e as { cause?: unknown }).cause) visit(e);
  }
  if (limitCode) return true;
  return texts.some((text) => RANGE_TOO_LARGE.test(text));
}

const RANGE_TOO_LARGE = new RegExp(
  [
    "block range",
    "range (?:is )?too (?:large|wide|big|long)",
    "too many (?:blocks|results|logs)",
    "query returned more than",
    "response (?:size|is too big)",
    "log response size exceeded",
    "logs? (?:limit|size) exceeded",
    "result(?:s| set)? (?:is )?too large",
    "exceeds? (?:the )?(?:max|maximum|limit)",
    "max(?:imum)? (?:block )?range",
    "limited to (?:a )?\\d+",
    "range limit",
    "query timeout exceeded",
  ].join("|"),
  "i",
);

/** A smaller window some providers name in their error (Alchemy: "[0x…, 0x…]"; others: "N block range"). */
function suggestedWindow(error: unknown): bigint | undefined {
  const text = error instanceof Error ? `${error.message} ${(error as BaseError).details ?? ""}` : String(error);
  const pair = /\[(0x[0-9a-f]+),\s*(0x[0-9a-f]+)\]/i.exec(text);
  if (pair) return BigInt(pair[2]!) - BigInt(pair[1]!) + 1n;
  const limit = /(?:limited to (?:a )?|max(?:imum)? (?:block )?range(?: of|:)? ?|up to (?:a )?)(\d+)/i.exec(text);
  if (limit) return BigInt(limit[1]!);
  return undefined;
}

export type LogProgress = {
  /** First block of the window just read. */
  from: bigint;
  /** Last block of the window just read. */
  to: bigint;
  /** Blocks read so far (`to - fromBlock + 1`). */
  done: bigint;
  /** Blocks in the whole range. */
  total: bigint;
  /** Logs found so far. */
  logs: number;
  /** The window size in use (after any halving). */
  windowSize: bigint;
};

export type FetchMarketLogsOptions<Names extends readonly MarketEventName[] | undefined> = {
  /** The JobMarket. */
  address: Address;
  /** First block to read, usually the address book's `deploymentBlock` or a persisted cursor. */
  fromBlock: bigint;
  /** Last block to read (inclusive); defaults to the current head. Keepers pass `head - confirmations`. */
  toBlock?: bigint;
  /** Blocks per `eth_getLogs` request; halved (down to 1) whenever the RPC says a range is too large. */
  windowSize?: bigint;
  /** Only these events (filtered by the RPC, by topic). Default: every JobMarket event. */
  eventNames?: Names;
  /** Called after each window. */
  onProgress?: (progress: LogProgress) => void;
  /** Stops between windows (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
};

/**
 * Reads every JobMarket log in `[fromBlock, toBlock]` with bounded `eth_getLogs` windows, one at a
 * time, and returns them decoded and sorted by (blockNumber, logIndex). When the RPC rejects a
 * window as too large (see `isRangeTooLargeError`), the window is halved (or cut to the size the
 * provider names) and the same blocks are retried; other errors are thrown as they are, so the
 * transport's retry policy stays in charge of them.
 */
export async function fetchMarketLogs<const Names extends readonly MarketEventName[] | undefined = undefined>(
  client: Pick<PublicClient, "getLogs" | "getBlockNumber">,
  options: FetchMarketLogsOptions<Names>,
): Promise<MarketLog<Names extends readonly MarketEventName[] ? Names[number] : MarketEventName>[]> {
  const { address, fromBlock, eventNames, onProgress, signal } = options;
  const toBlock = options.toBlock ?? (await client.getBlockNumber());
  let windowSize = options.windowSize ?? 2000n;
  if (windowSize < 1n) throw new RangeError("windowSize must be at least 1 block");
  const events: AbiEvent[] | undefined = eventNames
    ? jobMarketAbi.filter(
        (item): item is Extract<(typeof jobMarketAbi)[number], { type: "event" }> =>
          item.type === "event" && (eventNames as readonly string[]).includes(item.name),
      )
    : undefined;
  const total = toBlock >= fromBlock ? toBlock - fromBlock + 1n : 0n;
  const collected: Log[] = [];

  let from = fromBlock;
  while (from <= toBlock) {
    signal?.throwIfAborted();
    const to = from + windowSize - 1n < toBlock ? from + windowSize - 1n : toBlock;
    let logs: Log[];
    try {
      logs = events
        ? await client.getLogs({ address, fromBlock: from, toBlock: to, events, strict: true })
        : await client.getLogs({ address, fromBlock: from, toBlock: to });
    } catch (error) {
      if (!isRangeTooLargeError(error)) throw error;
      if (to === from) {
        throw new LogFetchError(
          `eth_getLogs refuses even the single block ${from} as too large; this RPC cannot serve the market's logs`,
          from,
          to,
          error,
        );
      }
      const span = to - from + 1n;
      const hint = suggestedWindow(error);
      windowSize = hint !== undefined && hint >= 1n && hint < span ? hint : span / 2n > 0n ? span / 2n : 1n;
      continue;
    }
    collected.push(...logs);
    onProgress?.({ from, to, done: to - fromBlock + 1n, total, logs: collected.length, windowSize });
    from = to + 1n;
  }

  const decoded = eventNames ? decodeMarketLogs(collected, eventNames) : decodeMarketLogs(collected);
  decoded.sort((a, b) =>
    a.blockNumber === b.blockNumber
      ? Number(a.logIndex) - Number(b.logIndex)
      : a.blockNumber! < b.blockNumber!
        ? -1
        : 1,
  );
  return decoded as never;
}

/**
 * Logs of `address` in `[fromBlock, toBlock]` (default: the head) matching raw `topics` (`null`
 * matches anything), one `eth_getLogs` per window of `windowSize` blocks, halving the window when
 * the RPC refuses a range as too large. For filters viem's typed `getLogs` cannot express, such as
 * "any event whose first indexed argument is X".
 */
export async function fetchTopicLogs(
  client: Pick<Client, "request">,
  options: {
    address: Address;
    fromBlock: bigint;
    toBlock?: bigint;
    topics: readonly (Hex | readonly Hex[] | null)[];
    windowSize?: bigint;
  },
): Promise<Log[]> {
  const head = options.toBlock ?? BigInt((await client.request({ method: "eth_blockNumber" } as never)) as Hex);
  const out: Log[] = [];
  let window = options.windowSize ?? 2000n;
  let from = options.fromBlock;
  while (from <= head) {
    const to = from + window - 1n < head ? from + window - 1n : head;
    let logs: RpcLog[];
    try {
      logs = (await client.request({
        method: "eth_getLogs",
        params: [
          { address: options.address, fromBlock: numberToHex(from), toBlock: numberToHex(to), topics: options.topics },
        ],
      } as never)) as RpcLog[];
    } catch (error) {
      if (!isRangeTooLargeError(error) || to === from) throw error;
      window = (to - from + 1n) / 2n || 1n;
      continue;
    }
    out.push(...logs.map((l) => formatLog(l)));
    from = to + 1n;
  }
  return out;
}
