import {
  decodeFunctionData,
  encodeFunctionData,
  keccak256,
  type Chain,
  type PrivateKeyAccount,
  type PublicClient,
  type Transport,
} from "viem";
import type { Logger } from "pino";
import {
  automationRegistryAbi,
  decodeRevert,
  encodeCall,
  estimateGas,
  GAS_CAP,
  jobMarketAbi,
  marketCall,
  prepareBatch,
  type MarketWriteName,
} from "@baton/sdk";
import { BENIGN_REVERTS, isNonceTooLow, NOT_YET_REVERTS } from "./errors.js";
import type { Metrics } from "./metrics.js";
import { OPEN_OUTBOX, type OutboxRow, type Store } from "./store.js";

/** Fee bump for a replacement: nodes require at least +10%; 12.5% leaves room for rounding. */
const BUMP_NUM = 1125n;
const BUMP_DEN = 1000n;
/** Steps simulated ahead of the one being sent. */
const SIMULATE_AHEAD = 8;
/** Most steps one bundle carries: a revert costs them all a retry, and gas stays well under the cap. */
export const MAX_BATCH = 16;
/**
 * Steps whose window closes on this keeper (a bid not committed or revealed in time is lost, a
 * result not submitted is slashed, a perform not sent at once lets the grace run out): each pass
 * sends them before the housekeeping that can wait.
 */
const URGENT = new Set(["commit", "reveal", "submit", "abandon", "perform", "leaseCommit", "leaseReveal"]);
/**
 * Lease steps to the automation registry: always bundled into one `multicall` per pass (a keeper
 * bids for many upkeeps at once, and pays the 21,000 base once for all of them).
 */
const LEASE_STEPS = new Set(["leaseCommit", "leaseReveal", "leaseClose"]);

/** Queued steps in the order a pass sends them: urgent first, then the rest, each in queue order. */
function sendOrder<T extends { kind: string; id: number }>(queued: readonly T[]): T[] {
  const rank = (item: T) => (URGENT.has(item.kind) ? 0 : 1);
  return [...queued].sort((a, b) => rank(a) - rank(b) || a.id - b.id);
}

type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

export type SenderOptions = {
  replaceAfterBlocks: number;
  /**
   * Bundle the steps of a pass bound for the market (no value) into one transaction, paying the
   * 21,000 base once: the market's batch function when they are all one step (`commitBids`,
   * `revealBids`, `submitResults`, `settleMany`), a `multicall` otherwise. Each step is simulated
   * alone first, so a refused one is skipped without taking the others down.
   */
  bundle?: boolean;
  /** The market (the bundles' contract); steps to anything else are sent alone. */
  market?: string;
  /** The automation registry, whose lease steps are bundled into its `multicall` whatever `bundle` says. */
  automationRegistry?: string;
};

/**
 * Sends queued transactions one at a time with a local, pending-aware nonce counter. Each
 * transaction is signed locally and recorded (hash and raw bytes) before it is broadcast, so a
 * crash at any point is recovered by re-broadcasting or finding the receipt — never by signing
 * the same step twice. Pending transactions are replaced with higher fees after a few blocks.
 */
export class TxSender {
  private nextNonce: number | undefined;
  /** Transactions broadcast during the current pass. */
  private broadcastThisPass: `0x${string}`[] = [];
  /** The head block's timestamp at the start of the pass, and when (local clock) the pass began. */
  private passHead: { time: number; startedMs: number } | undefined;

  constructor(
    private readonly store: Store,
    private readonly client: PublicClient<Transport, Chain>,
    private readonly account: PrivateKeyAccount,
    private readonly opts: SenderOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  /**
   * One pass: settle what was sent, then send what is queued. Never throws on RPC failure.
   * `headTime`, the head block's timestamp, lets the pass drop a step whose window closes before a
   * block can carry it (see `closing`).
   */
  async tick(head: bigint, headTime?: number): Promise<void> {
    this.broadcastThisPass = [];
    this.passHead = headTime === undefined ? undefined : { time: headTime, startedMs: Date.now() };
    try {
      await this.checkSent(head);
      await this.sendQueued(head);
    } catch (error) {
      this.metrics.rpcErrors.inc();
      this.log.warn({ err: (error as Error).message }, "transaction pass interrupted; will retry");
    }
    await this.stampSent();
  }

  /**
   * Counts this pass's broadcasts as sent at the head after them, not at `head` from the start of
   * the pass: behind a slow endpoint a pass can outlast `replaceAfterBlocks` blocks, and its
   * transactions would otherwise be fee-bumped at the next pass, moments after they went out.
   */
  private async stampSent() {
    if (this.broadcastThisPass.length === 0) return;
    try {
      const after = await this.client.getBlockNumber({ cacheTime: 0 });
      this.store.restampSent(this.broadcastThisPass, after);
    } catch {
      // The start-of-pass head stays: at worst a fee bump comes a few blocks early.
    }
  }

  /** Count of transactions still on their way. */
  pending(): number {
    return this.store.outboxByStatus(OPEN_OUTBOX).length;
  }

  private async syncNonce(): Promise<number> {
    const chainPending = await this.client.getTransactionCount({ address: this.account.address, blockTag: "pending" });
    this.nextNonce = Math.max(chainPending, this.store.maxNonce() + 1);
    return this.nextNonce;
  }

  private async checkSent(head: bigint) {
    const items = this.store.outboxByStatus(["signed", "sent"]).map((item) => ({
      item,
      attempts: this.store.attempts(item.id),
    }));
    // Every attempt's receipt at once: behind a slow endpoint a pass costs one round trip, not one per attempt.
    const receipts = await Promise.all(
      items.map(({ attempts }) =>
        Promise.all(attempts.map((a) => this.client.getTransactionReceipt({ hash: a.hash }).catch(() => undefined))),
      ),
    );
    for (const [i, { item, attempts }] of items.entries()) {
      // The newest attempt that was mined (at most one of them can be).
      const found = attempts
        .map((a, j) => ({ a, receipt: receipts[i][j] }))
        .reverse()
        .find((r) => r.receipt !== undefined);
      if (found) {
        const { a, receipt } = found;
        const ok = receipt!.status === "success";
        this.store.setOutboxStatus(item.id, ok ? "mined" : "reverted", {
          blockNumber: receipt!.blockNumber,
          error: ok ? undefined : "reverted on chain",
        });
        if (item.kind === "batch") this.store.settleBatch(item.id, ok, receipt!.blockNumber);
        this.metrics.txMined.inc({ kind: item.kind, status: ok ? "success" : "reverted" });
        this.log[ok ? "info" : "warn"](
          { step: item.key, tx: a.hash, block: receipt!.blockNumber, gas: receipt!.gasUsed },
          ok ? "mined" : "reverted on chain",
        );
        continue;
      }
      if (attempts.length === 0) continue;
      const latest = attempts[attempts.length - 1];
      if (item.status === "signed" || latest.sentBlock === null) {
        // Signed but maybe never broadcast (crash or RPC failure): broadcast the same bytes again.
        await this.broadcast(item, latest.raw, latest.hash, head);
      } else if (head - latest.sentBlock >= BigInt(this.opts.replaceAfterBlocks)) {
        await this.replace(item, latest, head);
      }
    }
  }

  private async broadcast(item: OutboxRow, raw: `0x${string}`, hash: `0x${string}`, head: bigint) {
    try {
      await this.client.sendRawTransaction({ serializedTransaction: raw });
    } catch (error) {
      if (!isNonceTooLow(error)) throw error;
      // Already known or mined: the receipt check will pick it up.
    }
    this.store.markAttemptSent(hash, head);
    this.broadcastThisPass.push(hash);
    this.store.setOutboxStatus(item.id, "sent");
  }

  private async replace(
    item: OutboxRow,
    last: { nonce: number; maxFee: bigint; maxPriorityFee: bigint },
    head: bigint,
  ) {
    const fees = await this.client.estimateFeesPerGas();
    const maxPriorityFeePerGas = max((last.maxPriorityFee * BUMP_NUM) / BUMP_DEN + 1n, fees.maxPriorityFeePerGas ?? 0n);
    const maxFeePerGas = max((last.maxFee * BUMP_NUM) / BUMP_DEN + 1n, fees.maxFeePerGas ?? 0n, maxPriorityFeePerGas);
    const gas = await this.estimate(item).catch(() => undefined);
    if (gas === undefined) return; // the step no longer applies; the pending one may still land
    const { raw, hash } = await this.sign(item, last.nonce, gas, maxFeePerGas, maxPriorityFeePerGas);
    this.log.info(
      { step: item.key, nonce: last.nonce, tx: hash, maxFeePerGas },
      "replacing a stuck transaction with higher fees",
    );
    this.metrics.txReplaced.inc({ kind: item.kind });
    try {
      await this.broadcast(item, raw, hash, head);
    } catch (error) {
      this.log.warn({ step: item.key, err: (error as Error).message }, "replacement not accepted");
    }
  }

  private async sendQueued(head: bigint) {
    const queued = sendOrder(this.store.outboxByStatus(["queued"]));
    if (queued.length === 0) return;
    if (this.nextNonce === undefined) await this.syncNonce();
    // The fees are read once a pass, when the first step goes out, and serve every step of it.
    let passFees: Promise<Fees> | undefined;
    const fees = () => (passFees ??= this.fees());
    const bundled: { item: OutboxRow; gas: bigint }[] = [];
    // Simulations are reads and independent of each other: the next few run while a step is
    // signed and broadcast, so a pass of a hundred steps is not a hundred round trips long.
    const simulations = new Map<number, Promise<bigint | undefined>>();
    const simulated = (i: number) => {
      for (let j = i; j < Math.min(queued.length, i + SIMULATE_AHEAD); j++) {
        if (!simulations.has(j))
          simulations.set(j, this.closing(queued[j]) ? Promise.resolve(undefined) : this.simulate(queued[j]));
      }
      return simulations.get(i)!;
    };
    const stop = async () => void (await Promise.all(simulations.values()));
    for (const [i, item] of queued.entries()) {
      const gas = await simulated(i);
      if (gas === undefined) continue;
      if (this.bundleable(item)) {
        bundled.push({ item, gas });
        continue;
      }
      if (this.closing(item)) continue;
      if (!(await this.signAndSend(item, gas, head, fees))) return stop();
    }
    const open = bundled.filter(({ item }) => !this.closing(item));
    const toRegistry = (item: OutboxRow) => this.isRegistryLease(item);
    for (const group of [open.filter((b) => !toRegistry(b.item)), open.filter((b) => toRegistry(b.item))]) {
      for (let i = 0; i < group.length; i += MAX_BATCH) {
        const chunk = group.slice(i, i + MAX_BATCH);
        if (chunk.length === 1) {
          if (!(await this.signAndSend(chunk[0].item, chunk[0].gas, head, fees))) return;
          continue;
        }
        const batch = this.store.bundle(
          chunk.map((c) => c.item),
          toRegistry(chunk[0]!.item) ? this.registryBatch(chunk.map((c) => c.item)) : this.marketBatch(chunk),
        );
        const gas = await this.simulate(batch);
        if (gas === undefined) {
          // The steps passed alone but not together (or the RPC failed): they go alone next pass.
          if (this.store.outboxItem(batch.key)?.status === "queued")
            this.store.setOutboxStatus(batch.id, "skipped", { error: "not simulated" });
          this.store.settleBatch(batch.id, false, head);
          continue;
        }
        this.log.info({ step: batch.key, steps: chunk.map((c) => c.item.key) }, "bundling steps into one transaction");
        if (!(await this.signAndSend(batch, gas, head, fees))) return;
      }
    }
  }

  /** The market's batch function when every step is the same kind (cheaper), else a multicall. */
  private marketBatch(chunk: readonly { item: OutboxRow }[]): { to: `0x${string}`; data: `0x${string}` } {
    const market = this.opts.market as `0x${string}`;
    const calls = chunk.map(({ item }) => {
      const { functionName, args } = decodeFunctionData({ abi: jobMarketAbi, data: item.data });
      return marketCall(market, functionName as MarketWriteName, (args ?? []) as never);
    });
    return encodeCall(prepareBatch({ market, calls }));
  }

  /** The registry's `multicall` of lease steps (each the caller's own, so `msg.sender` is kept). */
  private registryBatch(items: readonly OutboxRow[]): { to: `0x${string}`; data: `0x${string}` } {
    return {
      to: this.opts.automationRegistry as `0x${string}`,
      data: encodeFunctionData({
        abi: automationRegistryAbi,
        functionName: "multicall",
        args: [items.map((i) => i.data)],
      }),
    };
  }

  /** Whether `item` is a lease step to the automation registry (bundled whatever `bundle` says). */
  private isRegistryLease(item: OutboxRow): boolean {
    return (
      !!this.opts.automationRegistry &&
      LEASE_STEPS.has(item.kind) &&
      item.to.toLowerCase() === this.opts.automationRegistry.toLowerCase()
    );
  }

  /**
   * Whether `item`'s window closes before any block can carry it. The next block's timestamp is at
   * least the head's plus a second, and at least the head's plus the time this pass has taken so
   * far: behind a slow endpoint, or with a hundred steps to send, a pass outlasts a short window.
   * Such a step would only revert and burn its gas (a commit that misses the commit window, a
   * reveal the reveal window); it is recorded as skipped (`WindowClosing`) instead, at info, like a
   * lost race. A later block than the next can still be too late: that is not known in advance.
   */
  private closing(item: OutboxRow): boolean {
    const head = this.passHead;
    if (item.notAfter === null || head === undefined) return false;
    const earliest = head.time + Math.max(1, Math.floor((Date.now() - head.startedMs) / 1000));
    if (earliest <= item.notAfter) return false;
    this.store.setOutboxStatus(item.id, "skipped", { error: "WindowClosing" });
    this.metrics.txSkipped.inc({ kind: item.kind, reason: "WindowClosing" });
    this.log.info(
      { step: item.key, closes: item.notAfter, earliestBlock: earliest },
      "step window closes before a block can carry it",
    );
    return true;
  }

  /**
   * Whether `item` may ride in a bundle: a step to the market (with `bundle`) or a lease step to the
   * registry, without value, never refused in one.
   */
  private bundleable(item: OutboxRow): boolean {
    if (item.kind !== "batch" && item.batchId === null && item.value === 0n && this.isRegistryLease(item)) return true;
    return (
      !!this.opts.bundle &&
      !!this.opts.market &&
      item.kind !== "batch" &&
      item.batchId === null &&
      item.value === 0n &&
      item.to.toLowerCase() === this.opts.market.toLowerCase()
    );
  }

  /**
   * The gas limit of `item`, or undefined when it cannot go out now: refused by the contract
   * (recorded as skipped with the error's name) or not simulated for RPC trouble (left queued).
   */
  private async simulate(item: OutboxRow): Promise<bigint | undefined> {
    try {
      return await this.estimate(item);
    } catch (error) {
      const revert = decodeRevert(error);
      if (!revert) {
        // RPC trouble: leave it queued for the next pass; later steps may still go out.
        this.metrics.rpcErrors.inc();
        this.log.warn(
          {
            step: item.key,
            err: (error as Error).message.split("\n")[0],
            details: (error as { details?: string }).details,
          },
          "could not simulate; will retry",
        );
        return undefined;
      }
      if (NOT_YET_REVERTS.has(revert.name)) {
        this.log.debug({ step: item.key, error: revert.name }, "step not possible yet; simulating again next pass");
        return undefined;
      }
      const benign = BENIGN_REVERTS.has(revert.name);
      this.store.setOutboxStatus(item.id, "skipped", { error: revert.name });
      this.metrics.txSkipped.inc({ kind: item.kind, reason: revert.name });
      this.log[benign ? "info" : "warn"](
        { step: item.key, error: revert.name, args: String(revert.args) },
        benign ? "step no longer needed" : "step refused by the contract",
      );
      return undefined;
    }
  }

  /** Signs `item` at the next nonce, records it, broadcasts it; false when the broadcast failed. */
  private async signAndSend(item: OutboxRow, gas: bigint, head: bigint, fees: () => Promise<Fees>): Promise<boolean> {
    if (this.nextNonce === undefined) await this.syncNonce();
    const { maxFeePerGas, maxPriorityFeePerGas } = await fees();
    const nonce = this.nextNonce!;
    const { raw, hash } = await this.sign(item, nonce, gas, maxFeePerGas, maxPriorityFeePerGas);
    this.nextNonce = nonce + 1;
    try {
      await this.broadcast(item, raw, hash, head);
      this.metrics.txSent.inc({ kind: item.kind });
      this.log.info({ step: item.key, nonce, tx: hash }, "sent");
      return true;
    } catch (error) {
      // Not accepted (RPC down, or rejected): the signed bytes stay recorded and are re-broadcast
      // next pass; resynchronise the nonce so later steps do not leave a gap.
      this.log.warn({ step: item.key, nonce, err: (error as Error).message }, "broadcast failed; will retry");
      this.nextNonce = undefined;
      return false;
    }
  }

  /**
   * Simulates the step (`eth_call`, under the per-transaction gas cap), which throws on a revert,
   * then sizes its gas limit with the sdk's `estimateGas`.
   */
  private async estimate(item: OutboxRow): Promise<bigint> {
    // eth_call first: every node returns decodable revert data from it. An explicit gas cap:
    // without one, nodes simulate with the block gas limit, which nodes that enforce the
    // per-transaction cap (EIP-7825) refuse as an invalid parameter.
    // An upkeep's perform is simulated in the next block, where it lands: a tick or log of the head
    // block is due there, not in the head block itself.
    const blockTag = item.kind === "perform" ? ("pending" as const) : undefined;
    await this.client.call({
      account: this.account,
      to: item.to,
      data: item.data,
      value: item.value,
      gas: GAS_CAP,
      ...(blockTag ? { blockTag } : {}),
    });
    return estimateGas(this.client, {
      from: this.account.address,
      to: item.to,
      data: item.data,
      value: item.value,
      ...(blockTag ? { blockTag } : {}),
    });
  }

  /** The fees a new transaction offers now. */
  private async fees(): Promise<Fees> {
    const fees = await this.client.estimateFeesPerGas();
    return { maxFeePerGas: fees.maxFeePerGas!, maxPriorityFeePerGas: fees.maxPriorityFeePerGas! };
  }

  private async sign(item: OutboxRow, nonce: number, gas: bigint, maxFeePerGas: bigint, maxPriorityFeePerGas: bigint) {
    const raw = await this.account.signTransaction({
      chainId: this.client.chain.id,
      type: "eip1559",
      to: item.to,
      data: item.data,
      value: item.value,
      nonce,
      gas,
      maxFeePerGas,
      maxPriorityFeePerGas,
    });
    const hash = keccak256(raw);
    this.store.saveAttempt({
      hash,
      outboxId: item.id,
      nonce,
      raw,
      maxFee: maxFeePerGas,
      maxPriorityFee: maxPriorityFeePerGas,
    });
    return { raw, hash };
  }
}

const max = (...xs: bigint[]) => xs.reduce((a, b) => (a > b ? a : b));
