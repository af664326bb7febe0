// The keeper's automation service, run once per pass after the market's work: it discovers the
// registry's upkeeps and the logs that trigger them, bids in lease auctions, and performs what is
// due under the role the chain gives it (lease holder, open service, or backup after the grace).
// Decisions are `plan.ts`'s; every transaction goes through the outbox under a key naming exactly
// what it performs (a tick, a log, a block), so a crash or a second pass never performs it twice.
import {
  encodeAbiParameters,
  encodeFunctionData,
  parseAbi,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import type { Logger } from "pino";
import {
  automationCall,
  automationRegistryAbi,
  computeLeaseCommitment,
  decodeRevert,
  dueTick,
  encodeCall,
  newSalt,
  readAutomationParams,
  TRIGGER_KIND,
  upkeepFromChain,
  ZERO_ADDRESS,
  ZERO_HASH,
  type AutomationParams,
  type ContractWrite,
  type UpkeepOnChain,
} from "@baton/sdk";
import type { KeeperConfig } from "../config.js";
import type { Metrics } from "../metrics.js";
import type { Store, UpkeepLogRow, UpkeepRow } from "../store.js";
import {
  blockedBy,
  conditionBackupStep,
  epochOf,
  logOpen,
  planLease,
  planLeaseEnd,
  roleOf,
  timeTickOpen,
  type AutomationMe,
  type Clock,
  type Role,
  type UpkeepView,
} from "./plan.js";
import { READ_BATCH_BYTES } from "../reads.js";
import { blockOrUndefined } from "../chain.js";

type Client = PublicClient<Transport, Chain>;
type Address = `0x${string}`;

/** What a target implements: Chainlink's `AutomationCompatibleInterface` and `ILogAutomation`. */
export const automationTargetAbi = parseAbi([
  "struct Log { uint256 index; uint256 timestamp; bytes32 txHash; uint256 blockNumber; bytes32 blockHash; address source; bytes32[] topics; bytes data; }",
  "function checkUpkeep(bytes checkData) returns (bool upkeepNeeded, bytes performData)",
  "function checkLog(Log log, bytes checkData) returns (bool upkeepNeeded, bytes performData)",
  "function performUpkeep(bytes performData)",
]);

/** A log upkeep's filter, as stored (the registry's `logFilterOf`). */
type Filter = { emitter: Address; topic0: Hex; topics: Hex[]; topicMask: number };

/** The outcome of simulating a call: accepted, or refused with a reason. */
type Simulated = { ok: true; result?: readonly [boolean, Hex] } | { ok: false; reason: string };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const LOG_INDEX_BITS = 24n;

/** Keys of the outbox steps of automation: one per tick, log, block or lease step, never two. */
export const automationKeys = {
  tick: (id: bigint, tick: bigint) => `perform:${id}:tick:${tick}`,
  log: (id: bigint, position: bigint, blockHash: Hex) => `perform:${id}:log:${position}:${blockHash.slice(0, 18)}`,
  block: (id: bigint, block: bigint) => `perform:${id}:block:${block}`,
  report: (id: bigint, cursor: bigint) => `report:${id}:${cursor}`,
  commit: (id: bigint, epoch: number) => `lease-commit:${id}:${epoch}`,
  reveal: (id: bigint, epoch: number) => `lease-reveal:${id}:${epoch}`,
  close: (id: bigint, epoch: number) => `lease-close:${id}:${epoch}`,
  forfeit: (id: bigint, epoch: number, bidder: Address) => `lease-forfeit:${id}:${epoch}:${bidder.toLowerCase()}`,
};

export class AutomationService {
  private params: AutomationParams | undefined;
  /** Declined leases already logged, so that each is logged once (`id:epoch`). */
  private readonly declined = new Set<string>();
  /** Auctions whose unrevealed bids were looked for this run (`id:epoch`). */
  private readonly forfeitsChecked = new Set<string>();
  private warnedUnstaked = false;
  /**
   * Condition upkeeps a backup has seen due: since which head, at which cursor. A backup reports
   * one due only once it has stayed due for the grace (the holder performs it in the meantime).
   */
  private readonly dueSince = new Map<bigint, { cursor: bigint; since: bigint }>();

  constructor(
    private readonly store: Store,
    private readonly client: Client,
    private readonly cfg: Pick<
      KeeperConfig,
      "automationRegistry" | "automation" | "strategy" | "startBlock" | "logWindow" | "multicall3" | "housekeeping"
    >,
    private readonly address: Address,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  private get registry(): Address {
    return this.cfg.automationRegistry as Address;
  }

  /** One pass: sync, then bid, perform and close leases for every upkeep at chain time `clock`. */
  async pass(clock: Clock): Promise<void> {
    await this.sync(clock.head);
    this.params ??= await readAutomationParams(this.client, this.registry);
    const params = this.params;
    const rows = this.store.upkeeps();
    const me = await this.me();
    if (me.stake < params.minStake && !this.warnedUnstaked) {
      this.warnedUnstaked = true;
      this.log.warn(
        { stake: me.stake.toString(), minStake: params.minStake.toString() },
        "not staked in the automation registry: serving no upkeeps (baton-keeper stake --automation)",
      );
    }
    const views = await this.read(rows, epochOf(clock.now, params));
    for (const [i, row] of rows.entries()) {
      const view = views[i]!;
      try {
        await this.serveUpkeep(row, view, clock, me, params);
      } catch (error) {
        this.metrics.rpcErrors.inc();
        this.log.warn(
          { upkeep: row.id.toString(), err: (error as Error).message.split("\n")[0] },
          "upkeep pass failed",
        );
      }
    }
    await this.leaseEnds(clock, me, params, new Map(views.map((v) => [v.upkeep.id, v])));
  }

  private async serveUpkeep(
    row: UpkeepRow,
    view: UpkeepView,
    clock: Clock,
    me: AutomationMe,
    params: AutomationParams,
  ) {
    const u = view.upkeep;
    this.metrics.upkeepBalance.set({ upkeep: u.id.toString() }, Number(u.balance));
    if (u.status === "canceled") {
      if (!this.store.openLeaseBids().some((b) => b.upkeepId === u.id)) this.store.markUpkeepDone(u.id);
      return;
    }
    const epoch = epochOf(clock.now, params);
    const step = planLease(view, clock, me, params, this.cfg, {
      bid: this.store.leaseBid(u.id, epoch + 1) !== undefined,
      leasesHeld: this.store.countLeaseBids(epoch + 1),
      revealQueued: this.store.hasStep(automationKeys.reveal(u.id, epoch + 1)),
    });
    if (step?.kind === "commitLease") {
      // Commits also lock stake: a later upkeep of this pass sees the bond as locked.
      if (this.commitLease(u.id, step.epoch, step.premium, epoch * params.epoch + params.commitWindow - 1)) {
        me.locked += params.leaseBond;
      }
    } else if (step?.kind === "revealLease") {
      const bid = this.store.leaseBid(u.id, step.epoch)!;
      this.queue(
        automationKeys.reveal(u.id, step.epoch),
        "leaseReveal",
        automationCall(this.registry, "revealLease", [u.id, step.epoch, bid.premium, bid.salt]),
        step.closesAt - 1,
      );
      this.metrics.leaseSteps.inc({ step: "reveal" });
    } else if (step?.kind === "declineLease" && !this.declined.has(`${u.id}:${step.epoch}`)) {
      this.declined.add(`${u.id}:${step.epoch}`);
      this.log.info({ upkeep: u.id.toString(), epoch: step.epoch, reason: step.reason }, "not bidding for the lease");
    }

    // Housekeeping: bids left unrevealed in the current epoch's auction hold their bidders' bonds
    // (and, with no holder, leave the upkeep to open service); forfeiting them pays the upkeep.
    const checked = `${u.id}:${epoch}`;
    if (this.cfg.housekeeping && view.lease.pending > 0 && !this.forfeitsChecked.has(checked)) {
      this.forfeitsChecked.add(checked);
      await this.forfeitOthers(u.id, epoch, clock.head);
    }

    const role = roleOf(view, me, params, this.cfg);
    if (!role || u.status !== "active") return;
    if (u.kind === "interval" || u.kind === "cron") await this.serveTime(view, role, clock, params);
    else if (u.kind === "condition") await this.serveCondition(row, view, role, clock, params);
    else await this.serveLogs(row, view, role, clock, params);
  }

  private idle(id: bigint, reason: string) {
    this.metrics.upkeepIdle.inc({ upkeep: id.toString(), reason });
  }

  private async serveTime(view: UpkeepView, role: Role, clock: Clock, params: AutomationParams) {
    const u = view.upkeep;
    const tick = dueTick(u, clock.now);
    if (tick === null) return;
    const key = automationKeys.tick(u.id, tick);
    if (this.store.hasStep(key)) return;
    this.metrics.upkeepChecks.inc({ upkeep: u.id.toString(), outcome: "due" });
    const blocked = blockedBy(view, role, params, clock.gasPrice);
    if (blocked) return this.idle(u.id, blocked);
    if (!timeTickOpen(role, tick, clock.now, params)) return this.idle(u.id, "grace");
    const performData = encodeAbiParameters([{ type: "uint256" }], [tick]);
    if (!(await this.targetAccepts(view, performData))) return;
    this.perform(key, u.id, role, automationCall(this.registry, "performTime", [u.id, tick]), {
      tick: tick.toString(),
    });
  }

  private async serveCondition(row: UpkeepRow, view: UpkeepView, role: Role, clock: Clock, params: AutomationParams) {
    const u = view.upkeep;
    // One perform at a time: while one is on its way the condition still reads true.
    if (this.store.hasOpenStep(`perform:${u.id}:`) || this.store.hasOpenStep(`report:${u.id}:`)) return;
    const check = await this.simulate(u.target, ZERO_ADDRESS, undefined, {
      abi: automationTargetAbi,
      functionName: "checkUpkeep",
      args: [row.checkData],
    });
    if (!check.ok) return void this.metrics.upkeepChecks.inc({ upkeep: u.id.toString(), outcome: "reverted" });
    const [needed, performData] = check.result!;
    this.metrics.upkeepChecks.inc({ upkeep: u.id.toString(), outcome: needed ? "needed" : "not-needed" });
    if (!needed) return void this.dueSince.delete(u.id);
    const blocked = blockedBy(view, role, params, clock.gasPrice);
    if (blocked) return this.idle(u.id, blocked);
    if (role === "backup") {
      const next = conditionBackupStep(view, clock.head, params);
      if (next === "report") {
        const seen = this.dueSince.get(u.id);
        if (!seen || seen.cursor !== u.cursor) this.dueSince.set(u.id, { cursor: u.cursor, since: clock.head });
        if (!seen || seen.cursor !== u.cursor || clock.head < seen.since + BigInt(params.graceBlocks)) {
          return this.idle(u.id, "grace");
        }
        const key = automationKeys.report(u.id, u.cursor);
        if (this.queue(key, "reportDue", automationCall(this.registry, "reportDue", [u.id]))) {
          this.log.info({ upkeep: u.id.toString(), holder: view.lease.holder }, "reporting a condition upkeep due");
        }
        return;
      }
      if (next === "wait") return this.idle(u.id, "grace");
    }
    if (!(await this.targetAccepts(view, performData))) return;
    this.perform(
      automationKeys.block(u.id, clock.head),
      u.id,
      role,
      automationCall(this.registry, "performCondition", [u.id, performData]),
      {},
    );
  }

  private async serveLogs(row: UpkeepRow, view: UpkeepView, role: Role, clock: Clock, params: AutomationParams) {
    const u = view.upkeep;
    this.store.pruneUpkeepLogs(u.id, u.cursor);
    const logs = this.store.pendingUpkeepLogs(u.id, u.cursor, this.cfg.automation.maxLogsPerPass);
    for (const l of logs) {
      const key = automationKeys.log(u.id, l.position, l.blockHash);
      if (this.store.hasStep(key)) continue;
      // Logs are performed in order: a later log is no more open than this one.
      if (!logOpen(role, l.blockNumber, clock.head, params)) return this.idle(u.id, "grace");
      const blocked = blockedBy(view, role, params, clock.gasPrice);
      if (blocked) return this.idle(u.id, blocked);
      const check = await this.simulate(u.target, ZERO_ADDRESS, undefined, {
        abi: automationTargetAbi,
        functionName: "checkLog",
        args: [
          {
            index: BigInt(l.logIndex),
            timestamp: BigInt(l.timestamp),
            txHash: l.txHash,
            blockNumber: l.blockNumber,
            blockHash: l.blockHash,
            source: l.source,
            topics: l.topics,
            data: l.data,
          },
          row.checkData,
        ],
      });
      const needed = check.ok && check.result![0];
      this.metrics.upkeepChecks.inc({
        upkeep: u.id.toString(),
        outcome: !check.ok ? "reverted" : needed ? "needed" : "not-needed",
      });
      if (!needed || !check.ok) {
        this.store.setUpkeepLogStatus(u.id, l.position, "skipped");
        continue;
      }
      const performData = check.result![1];
      if (!(await this.targetAccepts(view, performData))) {
        this.store.setUpkeepLogStatus(u.id, l.position, "skipped");
        continue;
      }
      this.perform(key, u.id, role, automationCall(this.registry, "performLog", [u.id, logRef(l), performData]), {
        block: l.blockNumber.toString(),
        logIndex: l.logIndex,
      });
    }
  }

  /**
   * Simulates what the forwarder would do: `performUpkeep(performData)` on the target, from the
   * forwarder, with the perform gas limit. A target that would revert is not performed (the owner
   * would pay for a revert); its upkeep shows up in the idle metric.
   */
  private async targetAccepts(view: UpkeepView, performData: Hex): Promise<boolean> {
    const u = view.upkeep;
    const sim = await this.simulate(u.target, u.forwarder, BigInt(u.performGasLimit), {
      abi: automationTargetAbi,
      functionName: "performUpkeep",
      args: [performData],
    });
    if (sim.ok) return true;
    this.idle(u.id, "target-reverts");
    this.log.info({ upkeep: u.id.toString(), reason: sim.reason }, "the target would revert; not performing");
    return false;
  }

  /** An `eth_call`; a revert is an outcome, RPC trouble throws. */
  private async simulate(
    to: Address,
    from: Address,
    gas: bigint | undefined,
    call:
      | { abi: typeof automationTargetAbi; functionName: "checkUpkeep"; args: readonly [Hex] }
      | { abi: typeof automationTargetAbi; functionName: "checkLog"; args: readonly [LogArg, Hex] }
      | { abi: typeof automationTargetAbi; functionName: "performUpkeep"; args: readonly [Hex] },
  ): Promise<Simulated> {
    try {
      if (call.functionName === "performUpkeep") {
        const data = encodeFunctionData(call);
        // The forwarder gives the target exactly `gas`; a call from outside pays the intrinsic gas too.
        const intrinsic = 21_000n + 16n * BigInt((data.length - 2) / 2);
        await this.client.call({ account: from, to, data, ...(gas ? { gas: gas + intrinsic } : {}) });
        return { ok: true };
      }
      const result = (await this.client.readContract({ address: to, account: from, ...call })) as readonly [
        boolean,
        Hex,
      ];
      return { ok: true, result };
    } catch (error) {
      const revert = decodeRevert(error);
      if (revert) return { ok: false, reason: revert.name };
      // Nodes report a call that used up its gas as an error of the request, not a revert.
      if (/out of gas/i.test((error as { details?: string }).details ?? "")) return { ok: false, reason: "out of gas" };
      throw error;
    }
  }

  private perform(key: string, id: bigint, role: Role, write: ContractWrite, detail: Record<string, unknown>) {
    if (!this.queue(key, "perform", write)) return;
    this.metrics.upkeepPerforms.inc({ upkeep: id.toString(), role });
    this.log.info({ upkeep: id.toString(), role, ...detail }, "performing upkeep");
  }

  private queue(key: string, kind: string, write: ContractWrite, notAfter?: number): boolean {
    return this.store.enqueue({ key, kind, ...encodeCall(write), ...(notAfter === undefined ? {} : { notAfter }) });
  }

  /** Seals a bid: the salt is on disk before the commitment can reach the chain. */
  private commitLease(id: bigint, epoch: number, premium: bigint, notAfter: number): boolean {
    const key = automationKeys.commit(id, epoch);
    if (this.store.hasStep(key)) return false;
    const salt = newSalt();
    const commitment = computeLeaseCommitment(id, epoch, this.address, premium, salt);
    this.store.tx(() => {
      this.store.saveLeaseBid({ upkeepId: id, epoch, premium, salt, commitment });
      this.queue(key, "leaseCommit", automationCall(this.registry, "commitLease", [id, epoch, commitment]), notAfter);
    });
    this.metrics.leaseSteps.inc({ step: "commit" });
    this.log.info({ upkeep: id.toString(), epoch, premium: premium.toString() }, "bidding for a lease");
    return true;
  }

  /** Closes the leases this keeper won once their epoch is over, forfeiting non-reveals that block it. */
  private async leaseEnds(clock: Clock, me: AutomationMe, params: AutomationParams, views: Map<bigint, UpkeepView>) {
    const current = epochOf(clock.now, params);
    const bids = this.store.openLeaseBids().filter((b) => b.epoch <= current + 1);
    if (bids.length === 0) return;
    const leases = await this.client.multicall({
      batchSize: READ_BATCH_BYTES,
      allowFailure: false,
      multicallAddress: this.cfg.multicall3 as Address | undefined,
      contracts: bids.map(
        (b) =>
          ({
            address: this.registry,
            abi: automationRegistryAbi,
            functionName: "getLease",
            args: [b.upkeepId, b.epoch],
          }) as const,
      ),
    });
    for (const [i, bid] of bids.entries()) {
      const lease = leases[i]!;
      const canceled = views.get(bid.upkeepId)?.upkeep.status === "canceled";
      const next = planLeaseEnd(lease, bid.epoch, clock.now, canceled, me, params);
      if (next === "forget") this.store.finishLeaseBid(bid.upkeepId, bid.epoch);
      else if (next === "close") {
        const key = automationKeys.close(bid.upkeepId, bid.epoch);
        if (this.queue(key, "leaseClose", automationCall(this.registry, "closeLease", [bid.upkeepId, bid.epoch]))) {
          this.metrics.leaseSteps.inc({ step: "close" });
          this.log.info({ upkeep: bid.upkeepId.toString(), epoch: bid.epoch }, "closing a lease");
        }
      } else if (next === "forfeitOthers") await this.forfeitOthers(bid.upkeepId, bid.epoch, clock.head);
    }
  }

  /** Forfeits the bids of an auction that were never revealed (their commitments stand). */
  private async forfeitOthers(id: bigint, epoch: number, head: bigint) {
    const commits = await this.client.getContractEvents({
      address: this.registry,
      abi: automationRegistryAbi,
      eventName: "LeaseBidCommitted",
      args: { upkeepId: id, epoch },
      fromBlock: this.cfg.startBlock,
      toBlock: head,
    });
    for (const c of commits) {
      const bidder = c.args.bidder!;
      if (same(bidder, this.address)) continue;
      const standing = await this.client.readContract({
        address: this.registry,
        abi: automationRegistryAbi,
        functionName: "commitmentOf",
        args: [id, epoch, bidder],
      });
      if (standing === ZERO_HASH) continue;
      const key = automationKeys.forfeit(id, epoch, bidder);
      if (this.queue(key, "leaseForfeit", automationCall(this.registry, "forfeitLease", [id, epoch, bidder]))) {
        this.metrics.leaseSteps.inc({ step: "forfeit" });
        this.log.info({ upkeep: id.toString(), epoch, bidder }, "forfeiting an unrevealed lease bid");
      }
    }
  }

  /** This keeper's account in the registry. */
  private async me(): Promise<AutomationMe> {
    const w = await this.client.readContract({
      address: this.registry,
      abi: automationRegistryAbi,
      functionName: "getWorker",
      args: [this.address],
    });
    return { address: this.address, stake: w.stake, locked: w.locked };
  }

  /** Every upkeep's state, leases (this epoch and the next), this keeper's commitment and due report. */
  private async read(rows: readonly UpkeepRow[], epoch: number): Promise<UpkeepView[]> {
    if (rows.length === 0) return [];
    const r = this.registry;
    const abi = automationRegistryAbi;
    const results = await this.client.multicall({
      batchSize: READ_BATCH_BYTES,
      allowFailure: false,
      multicallAddress: this.cfg.multicall3 as Address | undefined,
      contracts: rows.flatMap((row) => [
        { address: r, abi, functionName: "getUpkeep", args: [row.id] } as const,
        { address: r, abi, functionName: "getLease", args: [row.id, epoch] } as const,
        { address: r, abi, functionName: "getLease", args: [row.id, epoch + 1] } as const,
        { address: r, abi, functionName: "commitmentOf", args: [row.id, epoch + 1, this.address] } as const,
        { address: r, abi, functionName: "dueReportOf", args: [row.id] } as const,
      ]),
    });
    return rows.map((row, i) => {
      const [u, lease, next, commitment, report] = results.slice(i * 5, i * 5 + 5) as [
        UpkeepOnChain,
        UpkeepView["lease"],
        UpkeepView["next"],
        Hex,
        bigint,
      ];
      return { upkeep: upkeepFromChain(row.id, u), lease, next, myNextCommitment: commitment, dueReport: report };
    });
  }

  // ---------------------------------------------------------------- sync

  /**
   * Reads the registry's new upkeeps and the logs that trigger log upkeeps, window by window up to
   * `head - logConfirmations`, each window applied in one SQLite transaction with the new cursor.
   * A replaced block (a reorg) rolls back to the newest recorded block the chain still has: the
   * upkeeps and logs learnt after it are read again as the chain now has them.
   */
  private async sync(head: bigint) {
    if (!(await this.checkReorg())) return;
    const target = head - BigInt(this.cfg.automation.logConfirmations);
    let cursor = this.store.automationCursor() ?? this.cfg.startBlock - 1n;
    while (cursor < target) {
      const from = cursor + 1n;
      const to = target - cursor > BigInt(this.cfg.logWindow) ? cursor + BigInt(this.cfg.logWindow) : target;
      const end = await this.block(to);
      if (!end) return;
      const registered = await this.client.getContractEvents({
        address: this.registry,
        abi: automationRegistryAbi,
        eventName: "UpkeepRegistered",
        fromBlock: from,
        toBlock: to,
      });
      const found: UpkeepRow[] = [];
      for (const e of registered) {
        const id = e.args.upkeepId!;
        const filter =
          e.args.kind === TRIGGER_KIND.log
            ? await this.client.readContract({
                address: this.registry,
                abi: automationRegistryAbi,
                functionName: "logFilterOf",
                args: [id],
              })
            : undefined;
        found.push({
          id,
          kind: e.args.kind!,
          filter: filter ? JSON.stringify({ ...filter, topics: [...filter.topics] }) : null,
          checkData: e.args.checkData!,
          blockNumber: e.blockNumber,
        });
      }
      const logUpkeeps = [...this.store.upkeeps(), ...found].filter((u) => u.kind === TRIGGER_KIND.log);
      const logs = await this.triggerLogs(logUpkeeps, from, to);
      this.store.tx(() => {
        for (const u of found) this.store.addUpkeep(u);
        for (const l of logs) this.store.addUpkeepLog(l);
        this.store.setAutomationCursor(to, [{ number: to, hash: end.hash }]);
      });
      if (found.length) this.log.info({ upkeeps: found.map((u) => u.id.toString()) }, "new upkeeps");
      cursor = to;
    }
  }

  /** The logs of blocks `from`..`to` that match a log upkeep's filter (from its registration block on). */
  private async triggerLogs(upkeeps: readonly UpkeepRow[], from: bigint, to: bigint): Promise<UpkeepLogRow[]> {
    if (upkeeps.length === 0) return [];
    const filters = upkeeps.map((u) => ({ row: u, f: JSON.parse(u.filter!) as Filter }));
    const emitters = [...new Set(filters.map((x) => x.f.emitter.toLowerCase() as Address))];
    const raw = await this.client.getLogs({ address: emitters, fromBlock: from, toBlock: to });
    const matched: { row: UpkeepRow; log: (typeof raw)[number] }[] = [];
    for (const log of raw) {
      for (const { row, f } of filters) {
        if (log.blockNumber! < row.blockNumber || !matches(f, log.address, log.topics as Hex[])) continue;
        matched.push({ row, log });
      }
    }
    const blocks = [...new Set(matched.map((m) => m.log.blockNumber!))];
    const times = new Map(
      await Promise.all(
        blocks.map(async (n) => [n, Number((await this.client.getBlock({ blockNumber: n })).timestamp)] as const),
      ),
    );
    return matched.map(({ row, log }) => ({
      upkeepId: row.id,
      position: ((log.blockNumber! << LOG_INDEX_BITS) | BigInt(log.logIndex!)) + 1n,
      blockHash: log.blockHash!,
      blockNumber: log.blockNumber!,
      logIndex: log.logIndex!,
      txHash: log.transactionHash!,
      source: log.address,
      topics: log.topics as Hex[],
      data: log.data,
      timestamp: times.get(log.blockNumber!)!,
    }));
  }

  /** Rolls back a reorg of the synced blocks; false when the node is behind the cursor. */
  private async checkReorg(): Promise<boolean> {
    const recorded = this.store.automationBlocks();
    if (recorded.length === 0) return true;
    for (const [i, b] of recorded.entries()) {
      const block = await this.block(b.number);
      if (!block) return false;
      if (block.hash === b.hash) {
        if (i === 0) return true;
        this.log.warn({ to: b.number.toString() }, "automation: reorg detected; rolling back");
        this.metrics.reorgs.inc();
        this.store.rollbackAutomation(b.number);
        return true;
      }
    }
    this.log.warn("automation: reorg deeper than the recorded history; resyncing");
    this.metrics.reorgs.inc();
    this.store.rollbackAutomation(this.cfg.startBlock - 1n);
    return true;
  }

  private block(n: bigint) {
    return blockOrUndefined(this.client, n);
  }
}

type LogArg = {
  index: bigint;
  timestamp: bigint;
  txHash: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  source: Address;
  topics: readonly Hex[];
  data: Hex;
};

/** Whether a log of `source` with `topics` fits filter `f` (its emitter, topic0, and each masked topic). */
export function matches(f: Filter, source: string, topics: readonly Hex[]): boolean {
  if (!same(source, f.emitter) || topics.length === 0 || topics[0]!.toLowerCase() !== f.topic0.toLowerCase()) {
    return false;
  }
  for (let i = 0; i < 3; i++) {
    if ((f.topicMask >> i) & 1 && topics[i + 1]?.toLowerCase() !== f.topics[i]!.toLowerCase()) return false;
  }
  return true;
}

/** The registry's reference to a log (`LogRef`). */
function logRef(l: UpkeepLogRow) {
  return {
    blockNumber: l.blockNumber,
    blockHash: l.blockHash,
    logIndex: l.logIndex,
    txHash: l.txHash,
    source: l.source,
    topics: l.topics,
  };
}
