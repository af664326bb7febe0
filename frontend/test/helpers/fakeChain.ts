// An in-memory JSON-RPC endpoint that answers the reads the dApp makes (logs, Multicall3 reads of
// the market, blocks, code, balances), counting requests by method. Lets unit tests render pages
// against thousands of jobs and assert how many requests they cost.
import {
  encodeSpec,
  jobMarketAbi,
  multicall3Abi,
  Status,
  type JobRecord,
  type JobTerms,
  type JobSpecInput,
  packTerms,
} from "@baton/sdk";
import { sampleTerms } from "@baton/testkit";
import type { PostedJob } from "../../src/lib/market.ts";
import {
  custom,
  decodeFunctionData,
  encodeAbiParameters,
  encodeEventTopics,
  encodeFunctionResult,
  erc20Abi,
  keccak256,
  numberToHex,
  pad,
  toHex,
  zeroAddress,
  type AbiEvent,
  type Address,
  type Hex,
} from "viem";

export const MARKET: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
export const ARBITER: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
export const MULTICALL: Address = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
export const TOKEN: Address = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
export const REQUESTER: Address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
export const OTHER: Address = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
export const WORKER: Address = "0x90f79Bf6Eb2c4f870365e785982e1f87e6c7e15B";

export const BOOK = {
  chainId: 31337,
  jobMarket: MARKET,
  committeeArbiter: ARBITER,
  timelock: OTHER,
  multicall3: MULTICALL,
  demoToken: TOKEN,
  deploymentBlock: "1",
};

export const runtimeConfig = {
  chains: [{ chainId: 31337, name: "Test chain", rpcUrl: "http://127.0.0.1:1", addressBook: BOOK }],
};

export const SPEC: JobSpecInput = {
  kind: "wasm",
  version: 1,
  module: { uri: "https://modules.example/wordfreq.wasm", sha256: "a".repeat(64) },
  input: { encoding: "utf8", data: "hello" },
};

export type FakeJob = { terms: JobTerms; record: JobRecord; state: number; block: bigint };

type Log = { address: Address; topics: Hex[]; data: Hex; blockNumber: bigint; logIndex: number; txHash: Hex };

const event = (name: string) => jobMarketAbi.find((i) => i.type === "event" && i.name === name) as AbiEvent;

export function termsFor(requester: Address, overrides: Partial<JobTerms> = {}): JobTerms {
  return sampleTerms({ requester, maxReward: 10n ** 17n, arbiter: ARBITER, bond: 10n ** 16n, ...overrides });
}

/** Job #1 as `JobPosted` gave it: posted by REQUESTER at block 5 under `termsFor(REQUESTER)`. */
export function postedJob(overrides: Partial<PostedJob> = {}): PostedJob {
  return {
    id: 1n,
    requester: REQUESTER,
    token: zeroAddress,
    terms: termsFor(REQUESTER),
    specHash: "0x00",
    spec: "0x00",
    blockNumber: 5n,
    transactionHash: "0x00",
    ...overrides,
  };
}

export function emptyRecord(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    digest: `0x${"01".repeat(21)}`,
    winner: zeroAddress,
    price: 0n,
    secondPrice: 0n,
    status: Status.Auction,
    round: 0,
    commits: 0,
    deadline: 2_000_000_000,
    revealDeadline: 2_000_000_060,
    ...overrides,
  };
}

export class FakeChain {
  readonly calls: string[] = [];
  readonly jobs: FakeJob[] = [];
  readonly logs: Log[] = [];
  head = 10n;
  /** The latest block's time; earlier blocks are `blockSeconds` apart. */
  now = 1_900_000_000;
  blockSeconds = 1;
  credits = new Map<string, bigint>();
  balance = 10n ** 21n;
  paused = false;
  /** Registry records by lowercase address (unregistered otherwise); see `registerWorker`. */
  workers = new Map<
    string,
    { stake: bigint; locked: bigint; registered: boolean; completed: number; noShows: number; disputesLost: number }
  >();

  /** Registers a worker for `capabilities` (its `WorkerRegistered` log) with a stake. */
  registerWorker(
    worker: Address,
    stake: bigint,
    opts: { capabilities?: string[]; completed?: number; locked?: bigint } = {},
  ) {
    const caps = (opts.capabilities ?? ["wasm"]).map((c) => toHex(c, { size: 32 }));
    this.addLog("WorkerRegistered", { worker }, [caps, "test://worker"]);
    this.workers.set(worker.toLowerCase(), {
      stake,
      locked: opts.locked ?? 0n,
      registered: true,
      completed: opts.completed ?? 0,
      noShows: 0,
      disputesLost: 0,
    });
  }

  /** Adds a posted job with its `JobPosted` log; returns its id. */
  postJob(terms: JobTerms, opts: { state?: number; record?: Partial<JobRecord>; spec?: JobSpecInput } = {}): bigint {
    const id = BigInt(this.jobs.length + 1);
    const block = this.head;
    const spec = encodeSpec(opts.spec ?? SPEC);
    const record = emptyRecord(opts.record);
    this.jobs.push({ terms, record, state: opts.state ?? 1, block });
    // The first round's deadlines: the record's own while it is in its first auction, else as if
    // posted just now.
    const first = record.status === Status.Auction && record.round === 0;
    this.addLog("JobPosted", { jobId: id, requester: terms.requester }, [
      packTerms(terms),
      keccak256(spec),
      toHex(spec),
      first ? record.deadline : this.now + terms.commitWindow,
    ]);
    return id;
  }

  addLog(name: string, indexed: Record<string, unknown>, data: unknown[]) {
    const abi = event(name);
    const topics = encodeEventTopics({ abi: [abi], eventName: name, args: indexed } as never) as Hex[];
    const encoded = encodeAbiParameters(
      abi.inputs.filter((i) => !i.indexed),
      data,
    );
    this.logs.push({
      address: MARKET,
      topics,
      data: encoded,
      blockNumber: this.head,
      logIndex: this.logs.length,
      txHash: pad(numberToHex(this.logs.length + 1), { size: 32 }),
    });
    this.head += 1n;
  }

  count(method?: string) {
    return method ? this.calls.filter((c) => c === method).length : this.calls.length;
  }

  transport() {
    return custom({ request: ({ method, params }) => this.request(method, params as unknown[]) });
  }

  async request(method: string, params: unknown[] = []): Promise<unknown> {
    this.calls.push(method);
    switch (method) {
      case "eth_chainId":
        return numberToHex(31337);
      case "eth_blockNumber":
        return numberToHex(this.head);
      case "eth_getBlockByNumber": {
        const tag = params[0] as string;
        const n = /^0x/.test(tag) && BigInt(tag) <= this.head ? BigInt(tag) : this.head;
        return {
          number: numberToHex(n),
          hash: pad(numberToHex(n), { size: 32 }),
          parentHash: pad("0x0", { size: 32 }),
          timestamp: numberToHex(this.now - Number(this.head - n) * this.blockSeconds),
          transactions: [],
          gasLimit: "0x1c9c380",
          gasUsed: "0x0",
          baseFeePerGas: "0x1",
          logsBloom: `0x${"0".repeat(512)}`,
        };
      }
      case "eth_getCode":
        return (params[0] as string).toLowerCase() === MARKET.toLowerCase() ||
          (params[0] as string).toLowerCase() === ARBITER.toLowerCase()
          ? "0x6080"
          : "0x";
      case "eth_getBalance":
        return numberToHex(this.balance);
      case "eth_getLogs":
        return this.getLogs(params[0] as { fromBlock: Hex; toBlock: Hex; topics?: (Hex | Hex[] | null)[] });
      case "eth_call":
        return this.call(params[0] as { to: Address; data: Hex });
      case "eth_sendTransaction":
      case "eth_sendRawTransaction":
      case "eth_estimateGas":
        throw new Error(`unexpected ${method} in a read-only test`);
      default:
        throw new Error(`FakeChain: ${method} is not implemented`);
    }
  }

  private getLogs(filter: { fromBlock: Hex; toBlock: Hex; topics?: (Hex | Hex[] | null)[] }) {
    const from = BigInt(filter.fromBlock);
    const to = BigInt(filter.toBlock);
    const matches = (want: Hex | Hex[] | null | undefined, have: Hex | undefined) =>
      want === null || want === undefined || (Array.isArray(want) ? want.includes(have!) : want === have);
    return this.logs
      .filter((l) => l.blockNumber >= from && l.blockNumber <= to)
      .filter((l) => (filter.topics ?? []).every((t, i) => matches(t, l.topics[i])))
      .map((l) => ({
        address: l.address,
        topics: l.topics,
        data: l.data,
        blockNumber: numberToHex(l.blockNumber),
        blockHash: pad(numberToHex(l.blockNumber), { size: 32 }),
        logIndex: numberToHex(l.logIndex),
        transactionHash: l.txHash,
        transactionIndex: "0x0",
        removed: false,
      }));
  }

  private call({ to, data }: { to: Address; data: Hex }): Hex {
    if (to.toLowerCase() === MULTICALL.toLowerCase()) {
      const { args } = decodeFunctionData({ abi: multicall3Abi, data });
      const calls = args![0] as readonly { target: Address; callData: Hex }[];
      const results = calls.map((c) => ({ success: true, returnData: this.call({ to: c.target, data: c.callData }) }));
      return encodeFunctionResult({ abi: multicall3Abi, functionName: "aggregate3", result: results });
    }
    if (to.toLowerCase() === TOKEN.toLowerCase()) {
      const { functionName } = decodeFunctionData({ abi: erc20Abi, data });
      const result = functionName === "symbol" ? "TUSD" : functionName === "decimals" ? 6 : 0n;
      return encodeFunctionResult({ abi: erc20Abi, functionName, result } as never);
    }
    const { functionName, args } = decodeFunctionData({ abi: jobMarketAbi, data });
    const job = (id: unknown) => this.jobs[Number(id) - 1];
    const result = (() => {
      switch (functionName) {
        case "jobState":
          return job(args![0])?.state ?? 0;
        case "getJob":
          return job(args![0])?.record ?? emptyRecord({ status: 0 });
        case "jobCount":
          return BigInt(this.jobs.length);
        case "getParams":
          return {
            treasury: OTHER,
            feeBps: 250,
            forfeitBps: 2000,
            slashBountyBps: 1000,
            callbackGasLimit: 200_000,
            rulingTimeout: 600,
            unbondingDelay: 600,
            disputeBond: 10n ** 16n,
          };
        case "paused":
          return this.paused;
        case "creditOf":
          return this.credits.get(`${String(args![0]).toLowerCase()}:${String(args![1]).toLowerCase()}`) ?? 0n;
        case "getWorker":
          return (
            this.workers.get(String(args![0]).toLowerCase()) ?? {
              stake: 0n,
              locked: 0n,
              registered: false,
              completed: 0,
              noShows: 0,
              disputesLost: 0,
            }
          );
        case "getUnbonding":
          return { amount: 0n, readyAt: 0 };
        default:
          throw new Error(`FakeChain: ${functionName} is not implemented`);
      }
    })();
    return encodeFunctionResult({ abi: jobMarketAbi, functionName, result } as never);
  }
}
