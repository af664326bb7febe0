// A JSON-RPC proxy for fault-injection tests: it sits between a keeper and a real node, forwards
// single and batch JSON-RPC bodies, and misbehaves on demand like a flaky provider would.
//
// Fault modes (one at a time, switched with `setMode`; random choices come from a seeded generator,
// so that a failing run can be replayed with the seed it printed):
//   - drop:      destroy the client's socket without answering, either before forwarding the request
//                or after the node has executed it (the answer is lost, the effect is not);
//   - delay:     forward at once, answer late (the answer describes a chain that has moved on);
//   - http5xx:   answer 500, 502 or 503 without forwarding, or 504 after the node executed the request;
//   - staleHead: act as a node lagging behind: `eth_blockNumber` and `eth_getBlockByNumber("latest")`
//                answer with a block `lag` blocks older than the head when the mode was entered,
//                and blocks newer than that are not found;
//   - reorder:   hold answers and release them shuffled, so concurrent requests are answered out of order.
// Every request, call and injected fault is counted in `stats`.

import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export const FAULT_KINDS = ["drop", "delay", "http5xx", "staleHead", "reorder"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What the proxy does to each request; `rate` is the probability that a request is hit. */
export type FaultMode =
  | { kind: "pass" }
  | { kind: "drop"; rate: number }
  | { kind: "delay"; rate: number; minMs: number; maxMs: number }
  | { kind: "http5xx"; rate: number }
  | { kind: "staleHead"; rate: number; lag: number }
  | { kind: "reorder"; holdMs: number; maxHeld: number };

export type ProxyStats = {
  /** HTTP requests received. */
  requests: number;
  /** JSON-RPC calls received (a batch counts each of its calls). */
  calls: number;
  /** Faults injected, by kind: requests dropped, delayed, failed, calls answered stale, answers reordered. */
  faults: Record<FaultKind, number>;
  /** Calls hit by a fault, by JSON-RPC method. */
  methods: Record<string, number>;
  /** Every call received, by JSON-RPC method. */
  called: Record<string, number>;
  /** Bytes of the answers sent back. */
  bytesOut: number;
};

type RpcCall = { jsonrpc?: string; id?: unknown; method?: string; params?: unknown[] };
type Answer = { status: number; body: string };

/** A small deterministic generator (mulberry32): the same seed gives the same faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Time between two answers released from reorder's hold. */
const RELEASE_GAP_MS = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (n: bigint) => `0x${n.toString(16)}`;

export class RpcProxy {
  readonly stats: ProxyStats = {
    requests: 0,
    calls: 0,
    faults: { drop: 0, delay: 0, http5xx: 0, staleHead: 0, reorder: 0 },
    methods: {},
    called: {},
    bytesOut: 0,
  };
  private mode: FaultMode = { kind: "pass" };
  /** The head a stale node reports, while in staleHead mode. */
  private staleHead: bigint | undefined;
  /** Answers held back in reorder mode, in arrival order. */
  private held: { release: () => void; methods: string[] }[] = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: http.Server,
    /** The node the proxy forwards to. */
    readonly target: string,
    private readonly random: () => number,
  ) {
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
  }

  /** Starts a proxy to `target` on 127.0.0.1, on a port the OS picks; faults draw on `seed`. */
  static async start(target: string, seed: number): Promise<RpcProxy> {
    const server = http.createServer();
    const proxy = new RpcProxy(server, target, seededRandom(seed));
    server.on("request", (req, res) => {
      proxy.handle(req, res).catch(() => req.socket.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    return proxy;
  }

  /** The URL clients use instead of the node's. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The current mode. */
  get current(): FaultMode {
    return this.mode;
  }

  /**
   * Switches to `mode` for the requests that arrive from now on. Entering staleHead reads the
   * node's head once, to freeze the stale one; leaving reorder releases what it holds.
   */
  async setMode(mode: FaultMode): Promise<void> {
    if (mode.kind === "staleHead") {
      const head = BigInt((await this.call({ jsonrpc: "2.0", id: 0, method: "eth_blockNumber" })) as string);
      this.staleHead = head > BigInt(mode.lag) ? head - BigInt(mode.lag) : 0n;
    } else {
      this.staleHead = undefined;
    }
    this.mode = mode;
    if (mode.kind !== "reorder") this.flush();
  }

  /** Stops listening, releases held answers and destroys open connections, so that tests end. */
  async close(): Promise<void> {
    this.mode = { kind: "pass" };
    this.flush();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    this.stats.requests++;
    const body = await readBody(req);
    let parsed: RpcCall | RpcCall[] | undefined;
    try {
      parsed = JSON.parse(body) as RpcCall | RpcCall[];
    } catch {
      parsed = undefined; // not JSON: forwarded untouched, the node answers the parse error
    }
    this.stats.calls += Array.isArray(parsed) ? parsed.length : 1;
    const methods = (Array.isArray(parsed) ? parsed : [parsed]).map((c) => c?.method ?? "(not JSON-RPC)");
    for (const m of methods) this.stats.called[m] = (this.stats.called[m] ?? 0) + 1;
    const mode = this.mode;
    const hit = mode.kind !== "pass" && mode.kind !== "reorder" && this.random() < mode.rate;
    if (hit && mode.kind !== "staleHead") this.countMethods(methods);

    let answer: Answer;
    if (hit && mode.kind === "drop") {
      this.stats.faults.drop++;
      // Half the drops lose the request, half lose only the answer to a request the node executed.
      if (this.random() < 0.5) await this.forward(body);
      req.socket.destroy();
      return;
    } else if (hit && mode.kind === "http5xx") {
      this.stats.faults.http5xx++;
      const status = [500, 502, 503, 504][Math.floor(this.random() * 4)];
      // A gateway timeout comes after the node has executed the request.
      if (status === 504) await this.forward(body);
      answer = { status, body: `injected HTTP ${status}` };
    } else if (hit && mode.kind === "staleHead" && parsed !== undefined) {
      answer = await this.answerStale(parsed);
    } else {
      answer = await this.forward(body);
    }

    if (hit && mode.kind === "delay") {
      this.stats.faults.delay++;
      await sleep(mode.minMs + this.random() * (mode.maxMs - mode.minMs));
    }
    if (mode.kind === "reorder" && this.mode.kind === "reorder") await this.hold(mode, methods);
    if (res.destroyed) return;
    this.stats.bytesOut += Buffer.byteLength(answer.body);
    res.writeHead(answer.status, { "content-type": answer.status === 200 ? "application/json" : "text/plain" });
    res.end(answer.body);
  }

  /** Forwards a raw body to the node; a node that cannot be reached is a 502. */
  private async forward(body: string): Promise<Answer> {
    try {
      const r = await fetch(this.target, { method: "POST", headers: { "content-type": "application/json" }, body });
      return { status: r.status, body: await r.text() };
    } catch (error) {
      return { status: 502, body: `node unreachable: ${(error as Error).message}` };
    }
  }

  /** One call to the node, for the proxy's own needs. */
  private async call(call: RpcCall): Promise<unknown> {
    const answer = await this.forward(JSON.stringify(call));
    return (JSON.parse(answer.body) as { result: unknown }).result;
  }

  /** Answers (a batch of) calls as a node stuck at `staleHead` would. */
  private async answerStale(parsed: RpcCall | RpcCall[]): Promise<Answer> {
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    const stale = this.staleHead!;
    const local = new Map<number, unknown>();
    const forwarded: { index: number; call: RpcCall }[] = [];
    calls.forEach((c, index) => {
      const params = c.params ?? [];
      if (c.method === "eth_blockNumber") {
        local.set(index, { jsonrpc: "2.0", id: c.id, result: hex(stale) });
      } else if (c.method === "eth_getBlockByNumber" && params[0] === "latest") {
        forwarded.push({ index, call: { ...c, params: [hex(stale), ...params.slice(1)] } });
      } else if (
        c.method === "eth_getBlockByNumber" &&
        typeof params[0] === "string" &&
        params[0].startsWith("0x") &&
        BigInt(params[0]) > stale
      ) {
        local.set(index, { jsonrpc: "2.0", id: c.id, result: null });
      } else {
        forwarded.push({ index, call: c });
        return;
      }
      this.stats.faults.staleHead++;
      this.countMethods([c.method ?? ""]);
    });
    const results: unknown[] = calls.map((_, i) => local.get(i));
    if (forwarded.length) {
      const answer = await this.forward(JSON.stringify(forwarded.map((f) => f.call)));
      if (answer.status !== 200) return answer;
      const replies = JSON.parse(answer.body) as { id?: unknown }[];
      // The node answers a batch in any order: match replies by position of their id.
      forwarded.forEach((f, i) => (results[f.index] = replies.find((r) => r.id === f.call.id) ?? replies[i]));
    }
    return { status: 200, body: JSON.stringify(Array.isArray(parsed) ? results : results[0]) };
  }

  private countMethods(methods: string[]) {
    for (const m of methods) this.stats.methods[m] = (this.stats.methods[m] ?? 0) + 1;
  }

  /** Holds an answer until `maxHeld` are held or `holdMs` passed, then releases them shuffled. */
  private hold(mode: { holdMs: number; maxHeld: number }, methods: string[]): Promise<void> {
    return new Promise((release) => {
      this.held.push({ release, methods });
      if (this.held.length >= mode.maxHeld) this.flush();
      else this.holdTimer ??= setTimeout(() => this.flush(), mode.holdMs);
    });
  }

  /**
   * Releases held answers in a shuffled order that differs from their arrival order, a few
   * milliseconds apart so that clients really receive them in that order.
   */
  private flush() {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const batch = this.held;
    this.held = [];
    const order = batch.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    if (order.length > 1 && order.every((v, i) => v === i)) order.reverse();
    order.forEach((from, at) => {
      if (from !== at) {
        this.stats.faults.reorder++;
        this.countMethods(batch[from].methods);
      }
      setTimeout(batch[from].release, at * RELEASE_GAP_MS);
    });
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
