// The one log reader: bounded `eth_getLogs` windows that shrink when the RPC refuses a range, so a
// backfill from the deployment block works against any provider (public RPCs cap ranges at
// 1k–10k blocks or results at 10k logs), decoded and typed by event name. `readLogs` reads a
// range once; `LogCursor` reads on from where it stopped, for followers (the keeper's sync).
import {
  BaseError,
  formatLog,
  numberToHex,
  parseEventLogs,
  ResponseBodyTooLargeError,
  toEventSelector,
  type Abi,
  type AbiEvent,
  type Address,
  type Client,
  type ContractEventName,
  type EIP1193RequestFn,
  type Hex,
  type Log,
  type ParseEventLogsReturnType,
  type RpcLog,
  zeroHash,
} from "viem";
import { LogFetchError } from "./errors.js";
import { jobMarketAbi } from "./generated/abis.js";
import { unpackTerms } from "./packed.js";
import type { MarketEventName, MarketLog } from "./events.js";

/** Blocks per `eth_getLogs` request unless a caller says otherwise. */
export const DEFAULT_LOG_WINDOW = 2000n;

/**
 * Whether an RPC error means "this `eth_getLogs` range or its result is too large": HTTP 413, an
 * answer larger than the HTTP client accepts (viem's `ResponseBodyTooLargeError`), or one of the
 * messages providers use (geth, Erigon, Alchemy, Infura, QuickNode, Ankr, Cloudflare, Base/OP
 * nodes, and others).
 */
export function isRangeTooLargeError(error: unknown): boolean {
  const texts: string[] = [];
  let limitCode = false;
  const visit = (e: unknown) => {
    if (e === null || typeof e !== "object") return;
    const record = e as { message?: unknown; details?: unknown; shortMessage?: unknown; status?: unknown };
    // Not the -32005 code alone: Infura also uses it for rate limits, which halving cannot fix.
    if (record.status === 413) limitCode = true;
    // The client's own cap on an answer's size (viem's 10 MiB): a smaller range answers less.
    if (e instanceof ResponseBodyTooLargeError) limitCode = true;
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
export function suggestedWindow(error: unknown): bigint | undefined {
  const texts: string[] = [];
  if (error instanceof BaseError) {
    error.walk((e) => {
      const r = e as { message?: unknown; details?: unknown };
      for (const t of [r.message, r.details]) if (typeof t === "string") texts.push(t);
      return false;
    });
  } else texts.push(error instanceof Error ? error.message : String(error));
  const text = texts.join(" ");
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
  /** Blocks read so far in this call. */
  done: bigint;
  /** Blocks in this call's range. */
  total: bigint;
  /** Logs found so far in this call. */
  logs: number;
  /** The window size in use (after any shrinking). */
  windowSize: bigint;
};

/** Raw topic filter after topic0: one value, a list of alternatives, or `null` for any. */
export type TopicFilter = readonly (Hex | readonly Hex[] | null)[];

export type LogFilter<TAbi extends Abi, TName extends ContractEventName<TAbi>> = {
  /** The contract (or contracts) whose logs to read. */
  address: Address | readonly Address[];
  /** Decodes the logs; only its events are returned. */
  abi: TAbi;
  /** Only these events (filtered by the RPC, by topic0). Default: every event of `abi`. */
  eventNames?: readonly TName[];
  /**
   * Filter on the indexed arguments (topics 1–3), e.g. `[jobTopic(id)]` for every event whose
   * first indexed argument is that job id. The RPC filters, so only matching logs travel.
   */
  indexed?: TopicFilter;
};

export type ReadLogsOptions<TAbi extends Abi, TName extends ContractEventName<TAbi>> = LogFilter<TAbi, TName> & {
  /** First block to read, usually the address book's `deploymentBlock`. */
  fromBlock: bigint;
  /** Last block to read (inclusive); defaults to the current head. */
  toBlock?: bigint;
  /** Blocks per `eth_getLogs` request; shrunk whenever the RPC says a range is too large. */
  windowSize?: bigint;
  /** Called after each window. */
  onProgress?: (progress: LogProgress) => void;
  /** Stops between windows (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
};

/** A decoded log of `TAbi`: narrow with `log.eventName === "…"` to get typed `log.args`. */
export type ContractLog<
  TAbi extends Abi,
  TName extends ContractEventName<TAbi> = ContractEventName<TAbi>,
> = ParseEventLogsReturnType<TAbi, TName, true>[number];

type LogClient = Pick<Client, "request">;

/** A 32-byte topic for an indexed `uint256` (job id, workflow id) or `address`. */
export function topicOf(value: bigint | Address): Hex {
  return typeof value === "bigint"
    ? numberToHex(value, { size: 32 })
    : (`0x${value.slice(2).toLowerCase().padStart(64, "0")}` as Hex);
}

function topicsFor(abi: Abi, eventNames: readonly string[] | undefined, indexed: TopicFilter | undefined) {
  const events = abi.filter((item): item is AbiEvent => item.type === "event");
  const selected = eventNames ? events.filter((e) => eventNames.includes(e.name)) : undefined;
  if (eventNames && selected!.length !== new Set(eventNames).size) {
    const known = new Set(events.map((e) => e.name));
    throw new RangeError(`unknown event ${eventNames.find((n) => !known.has(n))} for this ABI`);
  }
  const topic0 = selected ? selected.map((e) => toEventSelector(e)) : null;
  const rest = indexed ?? [];
  if (topic0 === null && rest.length === 0) return undefined;
  return [topic0, ...rest];
}

async function headOf(client: LogClient): Promise<bigint> {
  return BigInt((await (client.request as EIP1193RequestFn)({ method: "eth_blockNumber" } as never)) as Hex);
}

/**
 * Reads the raw logs of `[fromBlock, toBlock]` one window at a time; when the RPC refuses a window
 * as too large (`isRangeTooLargeError`), cuts it to the size the provider names, else halves it,
 * and retries the same blocks. Other errors are thrown as they are, so the transport's retry policy
 * stays in charge of them. With `maxLogs`, stops after the window that brings the logs read to
 * that many. Returns the logs, the window size it ended with and the last block read.
 */
async function scan(
  client: LogClient,
  filter: { address: Address | readonly Address[]; topics: ReturnType<typeof topicsFor> },
  range: { fromBlock: bigint; toBlock: bigint; windowSize: bigint },
  options: { onProgress?: (p: LogProgress) => void; signal?: AbortSignal; maxLogs?: number },
): Promise<{ logs: Log[]; windowSize: bigint; lastBlock: bigint }> {
  const { fromBlock, toBlock } = range;
  let windowSize = range.windowSize;
  if (windowSize < 1n) throw new RangeError("windowSize must be at least 1 block");
  const total = toBlock >= fromBlock ? toBlock - fromBlock + 1n : 0n;
  const out: Log[] = [];
  let from = fromBlock;
  while (from <= toBlock) {
    options.signal?.throwIfAborted();
    const to = from + windowSize - 1n < toBlock ? from + windowSize - 1n : toBlock;
    let raw: RpcLog[];
    try {
      raw = (await (client.request as EIP1193RequestFn)({
        method: "eth_getLogs",
        params: [
          {
            address: filter.address as Address | Address[],
            fromBlock: numberToHex(from),
            toBlock: numberToHex(to),
            ...(filter.topics ? { topics: filter.topics } : {}),
          },
        ],
      } as never)) as RpcLog[];
    } catch (error) {
      if (!isRangeTooLargeError(error)) throw error;
      if (to === from) {
        throw new LogFetchError(
          `eth_getLogs refuses even the single block ${from} as too large; this RPC cannot serve these logs`,
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
    for (const log of raw) out.push(formatLog(log) as Log);
    options.onProgress?.({ from, to, done: to - fromBlock + 1n, total, logs: out.length, windowSize });
    from = to + 1n;
    if (options.maxLogs !== undefined && out.length >= options.maxLogs) break;
  }
  return { logs: out, windowSize, lastBlock: from - 1n };
}

function decode<TAbi extends Abi, TName extends ContractEventName<TAbi>>(
  abi: TAbi,
  logs: Log[],
  eventNames: readonly TName[] | undefined,
): ContractLog<TAbi, TName>[] {
  const decoded = parseEventLogs({
    abi,
    logs,
    strict: true,
    ...(eventNames ? { eventName: [...eventNames] } : {}),
  } as never) as ContractLog<TAbi, TName>[];
  return decoded.sort((a, b) =>
    a.blockNumber === b.blockNumber
      ? Number(a.logIndex) - Number(b.logIndex)
      : (a.blockNumber ?? 0n) < (b.blockNumber ?? 0n)
        ? -1
        : 1,
  );
}

/**
 * Every log of `address` in `[fromBlock, toBlock]` matching the filter, read in bounded windows
 * (see `scan`), decoded with `abi` and sorted by (blockNumber, logIndex).
 */
export async function readLogs<
  const TAbi extends Abi,
  const TName extends ContractEventName<TAbi> = ContractEventName<TAbi>,
>(client: LogClient, options: ReadLogsOptions<TAbi, TName>): Promise<ContractLog<TAbi, TName>[]> {
  const toBlock = options.toBlock ?? (await headOf(client));
  const topics = topicsFor(options.abi, options.eventNames as readonly string[] | undefined, options.indexed);
  const { logs } = await scan(
    client,
    { address: options.address, topics },
    { fromBlock: options.fromBlock, toBlock, windowSize: options.windowSize ?? DEFAULT_LOG_WINDOW },
    options,
  );
  return decode(options.abi, logs, options.eventNames);
}

/**
 * Follows a contract's logs incrementally: each `next(toBlock)` reads the blocks after the last
 * one read up to `toBlock`, and remembers a window the provider had to shrink, so a follower does
 * not hit the same refusal every pass. `rewind(block)` re-reads from `block` on (after a reorg).
 */
export class LogCursor<const TAbi extends Abi, const TName extends ContractEventName<TAbi> = ContractEventName<TAbi>> {
  /** The first block the next `next()` reads. */
  nextBlock: bigint;
  /** Blocks per request, shrunk for good when the provider refuses a range. */
  windowSize: bigint;
  private readonly topics: ReturnType<typeof topicsFor>;

  constructor(
    private readonly client: LogClient,
    private readonly filter: LogFilter<TAbi, TName> & { fromBlock: bigint; windowSize?: bigint },
  ) {
    this.nextBlock = filter.fromBlock;
    this.windowSize = filter.windowSize ?? DEFAULT_LOG_WINDOW;
    this.topics = topicsFor(filter.abi, filter.eventNames as readonly string[] | undefined, filter.indexed);
  }

  /**
   * The decoded logs of `[nextBlock, toBlock]` (none when `toBlock` is behind); then moves past
   * them. With `maxLogs`, stops early after the window in which the logs read reach that many and
   * moves only past that window (`nextBlock` tells where the next call goes on): a follower that
   * applies each batch before reading the next holds a bounded number of logs in memory, however
   * many a backfill brings.
   */
  async next(
    toBlock: bigint,
    options: { onProgress?: (p: LogProgress) => void; signal?: AbortSignal; maxLogs?: number } = {},
  ): Promise<ContractLog<TAbi, TName>[]> {
    if (toBlock < this.nextBlock) return [];
    const { logs, windowSize, lastBlock } = await scan(
      this.client,
      { address: this.filter.address, topics: this.topics },
      { fromBlock: this.nextBlock, toBlock, windowSize: this.windowSize },
      options,
    );
    this.windowSize = windowSize;
    this.nextBlock = lastBlock + 1n;
    return decode(this.filter.abi, logs, this.filter.eventNames);
  }

  /** Reads again from `block` on at the next `next()`. */
  rewind(block: bigint): void {
    if (block < this.nextBlock) this.nextBlock = block;
  }
}

// ---------------------------------------------------------------- the contracts' logs

export type FetchMarketLogsOptions<Names extends readonly MarketEventName[] | undefined> = Omit<
  ReadLogsOptions<typeof jobMarketAbi, MarketEventName>,
  "abi" | "eventNames" | "address"
> & {
  /** The JobMarket. */
  address: Address;
  /** Only these events. Default: every JobMarket event. */
  eventNames?: Names;
};

/** Every JobMarket log in a range (`readLogs` with the market's ABI), decoded and sorted. */
export async function fetchMarketLogs<const Names extends readonly MarketEventName[] | undefined = undefined>(
  client: LogClient,
  options: FetchMarketLogsOptions<Names>,
): Promise<MarketLog<Names extends readonly MarketEventName[] ? Names[number] : MarketEventName>[]> {
  return (await readLogs(client, { ...options, abi: jobMarketAbi } as never)) as never;
}

/**
 * The result hash standing on each job in `logs` (the market's, in order): the hash of its latest
 * `ResultSubmitted`, back to zero after a `DisputeResolved` the worker lost (the job reopened or
 * was refunded). This is the `resultHash` that `accept`, `dispute`, `settle`, `rule`,
 * `resolveStaleDispute` and `forfeitUnrevealed` take; a job without an entry has none standing.
 */
export function standingResultHashes(logs: readonly MarketLog[]): Map<bigint, Hex> {
  const standing = new Map<bigint, Hex>();
  for (const log of logs) {
    if (log.eventName === "ResultSubmitted") standing.set(log.args.jobId, log.args.resultHash);
    else if (log.eventName === "DisputeResolved" && !log.args.workerWins) standing.delete(log.args.jobId);
  }
  return standing;
}

/** The result hash standing on one job now (zero when none): `standingResultHashes` of its logs. */
export async function readResultHash(
  client: LogClient,
  options: Omit<ReadLogsOptions<typeof jobMarketAbi, MarketEventName>, "abi" | "eventNames" | "address" | "indexed"> & {
    address: Address;
    jobId: bigint;
  },
): Promise<Hex> {
  const { jobId, ...rest } = options;
  const logs = await fetchMarketLogs(client, {
    ...rest,
    eventNames: ["ResultSubmitted", "DisputeResolved"],
    indexed: [topicOf(jobId)],
  });
  return standingResultHashes(logs).get(jobId) ?? zeroHash;
}

/**
 * What `worker` earned as a worker, per reward token (the zero address is ETH): the sum of
 * `price - fee` over its `JobSettled` events, the token taken from each job's `JobPosted`. The
 * market keeps no counter of it; these are the events it emits instead.
 */
export async function readEarnings(
  client: LogClient,
  options: Omit<ReadLogsOptions<typeof jobMarketAbi, MarketEventName>, "abi" | "eventNames" | "address" | "indexed"> & {
    address: Address;
    worker: Address;
    /** Job ids per `JobPosted` request (a topic list; providers cap its length). Default 100. */
    jobsPerRequest?: number;
  },
): Promise<Map<Address, bigint>> {
  const { worker, jobsPerRequest = 100, ...rest } = options;
  if (!Number.isInteger(jobsPerRequest) || jobsPerRequest < 1) {
    throw new RangeError(`jobsPerRequest must be a positive integer, got ${jobsPerRequest}`);
  }
  const toBlock = rest.toBlock ?? (await headOf(client));
  const settled = await fetchMarketLogs(client, {
    ...rest,
    toBlock,
    eventNames: ["JobSettled"],
    indexed: [null, topicOf(worker)],
  });
  const earnings = new Map<Address, bigint>();
  if (settled.length === 0) return earnings;
  // The token of each settled job, from its posting: a few job ids per request.
  const ids = [...new Set(settled.map((log) => log.args.jobId))];
  const tokenOf = new Map<bigint, Address>();
  for (let i = 0; i < ids.length; i += jobsPerRequest) {
    const posted = await fetchMarketLogs(client, {
      ...rest,
      toBlock,
      eventNames: ["JobPosted"],
      indexed: [ids.slice(i, i + jobsPerRequest).map((id) => topicOf(id))],
    });
    for (const log of posted) tokenOf.set(log.args.jobId, unpackTerms(log.args.terms).token);
  }
  for (const log of settled) {
    const token = tokenOf.get(log.args.jobId);
    // A job settled in range but posted before `fromBlock`: its token is unknown, so its
    // earnings cannot be placed; say so rather than under-count.
    if (token === undefined) {
      throw new RangeError(
        `job ${log.args.jobId} settled in range but was posted before fromBlock; read from the deployment block`,
      );
    }
    earnings.set(token, (earnings.get(token) ?? 0n) + log.args.price - log.args.fee);
  }
  return earnings;
}
