// Gas of the automation registry's steps on the lean `AutomationCounter` target, shared by
// `bench/automation.ts` and `test/gas/Automation.gas.test.ts`: registration of each trigger kind,
// performs by a lease holder and by open service (no lease), and one epoch's lease auction.
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import {
  FUNDING,
  TriggerKind,
  commitBid,
  epochStart,
  leaseSalt,
  logTrigger,
  ping,
  pingFilter,
  register,
  registration,
  revealBid,
  toNextEpoch,
  type AutomationFixture,
  type Bid,
} from "../test/helpers/automation";

export const KINDS = ["condition", "interval", "cron", "log"] as const;
export type Kind = (typeof KINDS)[number];

/** One perform: the transaction's gas and the target's, from its `UpkeepPerformed` event. */
export type PerformGas = { gasUsed: number; targetGas: number };

export type AutomationGas = {
  /** `registerUpkeep` of each kind, after one registration of each (the upkeep counter is warm). */
  register: Record<Kind, number>;
  /** Each round's perform of each kind by the lease holder; round 0 is the epoch's first. */
  leased: Record<Kind, PerformGas[]>;
  /** The same by a keeper serving upkeeps without a lease; round 0 is the keeper's first. */
  open: Record<Kind, PerformGas[]>;
  /** The lease auction of the leased condition upkeep: three bidders, in commit and reveal order. */
  auction3: { commits: number[]; reveals: number[]; close: number };
  /** A lease auction with one bidder. */
  auction1: { commits: number[]; reveals: number[]; close: number };
  /**
   * The same three bidders bidding for `BATCHED_UPKEEPS` upkeeps at once, as the keeper's sender
   * bundles its lease steps: one `multicall` of commits per bidder, one of reveals per bidder, and
   * one of closes (gas of each whole transaction).
   */
  auctionBatched: { upkeeps: number; commits: number[]; reveals: number[]; close: number };
};

/** Upkeeps in the batched auction. */
export const BATCHED_UPKEEPS = 10;

const KIND_OF: Record<Kind, TriggerKind> = {
  condition: TriggerKind.Condition,
  interval: TriggerKind.Interval,
  cron: TriggerKind.Cron,
  log: TriggerKind.Log,
};

async function receiptOf(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  return (await (await tx).wait())!;
}

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  return Number((await receiptOf(tx)).gasUsed);
}

function performGasOf(f: AutomationFixture, receipt: ContractTransactionReceipt): PerformGas {
  for (const log of receipt.logs) {
    const parsed = f.registry.interface.parseLog(log);
    if (parsed?.name === "UpkeepPerformed") {
      return { gasUsed: Number(receipt.gasUsed), targetGas: Number(parsed.args.targetGas) };
    }
  }
  throw new Error(`no UpkeepPerformed in ${receipt.hash}`);
}

/** One upkeep of each kind on the counter (logs: the test target's `Ping`; every minute; a 60 s interval). */
async function registerSet(f: AutomationFixture) {
  const counter = await f.counter.getAddress();
  const ids = {} as Record<Kind, bigint>;
  const gas = {} as Record<Kind, number>;
  for (const kind of KINDS) {
    const trigger = kind === "log" ? { trigger: logTrigger(pingFilter(f, await f.target.getAddress())) } : {};
    const reg = await registration(f, KIND_OF[kind], { target: counter, checkData: "0x", ...trigger });
    gas[kind] = await gasOf(f.registry.connect(f.owner).registerUpkeep(reg, { value: FUNDING }));
    ids[kind] = await f.registry.upkeepCount();
  }
  return { ids, gas };
}

/**
 * Registers an open-service set and a leased set of upkeeps (one of each kind) and one more
 * condition upkeep; auctions the next epoch's leases (keeper1 wins each leased upkeep against
 * keeper2 and keeper3; alone on the last); then, in the leased epoch, runs `rounds` rounds a
 * minute apart in which keeper1 performs each leased upkeep and keeper2 each open one; closes the
 * leases after the epoch.
 */
export async function measureAutomation(f: AutomationFixture, rounds: number): Promise<AutomationGas> {
  const open = await registerSet(f);
  const leased = await registerSet(f);
  const single = await register(f, TriggerKind.Condition, { target: await f.counter.getAddress(), checkData: "0x" });
  const batch: bigint[] = [];
  for (let i = 0; i < BATCHED_UPKEEPS; i++) {
    batch.push(await register(f, TriggerKind.Condition, { target: await f.counter.getAddress(), checkData: "0x" }));
  }
  const batched = async (keeper: Bid["keeper"], calls: string[]) => gasOf(f.registry.connect(keeper).multicall(calls));

  const holder = f.keeper1;
  const bids: Bid[] = [
    { keeper: holder, premium: 100n },
    { keeper: f.keeper2, premium: 300n },
    { keeper: f.keeper3, premium: 200n },
  ];
  const auction = await toNextEpoch();
  const epoch = auction + 1;
  const auction3 = { commits: [] as number[], reveals: [] as number[], close: 0 };
  const auction1 = { commits: [] as number[], reveals: [] as number[], close: 0 };
  for (const kind of KINDS) {
    for (const b of bids) {
      const gas = await gasOf(commitBid(f, leased.ids[kind], epoch, b));
      if (kind === "condition") auction3.commits.push(gas);
    }
  }
  auction1.commits.push(await gasOf(commitBid(f, single, epoch, bids[0]!)));
  const auctionBatched = { upkeeps: BATCHED_UPKEEPS, commits: [] as number[], reveals: [] as number[], close: 0 };
  const { leaseBond } = await f.registry.params();
  for (const b of bids) {
    await f.registry.connect(b.keeper).depositStake({ value: leaseBond * BigInt(BATCHED_UPKEEPS) });
  }
  for (const b of bids) {
    const calls = await Promise.all(
      batch.map(async (id) =>
        f.registry.interface.encodeFunctionData("commitLease", [
          id,
          epoch,
          await f.registry.computeLeaseCommitment(
            id,
            epoch,
            b.keeper.address,
            b.premium,
            leaseSalt(id, epoch, b.keeper.address),
          ),
        ]),
      ),
    );
    auctionBatched.commits.push(await batched(b.keeper, calls));
  }
  await time.increaseTo(epochStart(auction) + Number((await f.registry.params()).commitWindow));
  for (const kind of KINDS) {
    for (const b of bids) {
      const gas = await gasOf(revealBid(f, leased.ids[kind], epoch, b));
      if (kind === "condition") auction3.reveals.push(gas);
    }
  }
  auction1.reveals.push(await gasOf(revealBid(f, single, epoch, bids[0]!)));
  for (const b of bids) {
    const calls = batch.map((id) =>
      f.registry.interface.encodeFunctionData("revealLease", [
        id,
        epoch,
        b.premium,
        leaseSalt(id, epoch, b.keeper.address),
      ]),
    );
    auctionBatched.reveals.push(await batched(b.keeper, calls));
  }
  await time.increaseTo(epochStart(epoch));

  const performs = { leased: {} as Record<Kind, PerformGas[]>, open: {} as Record<Kind, PerformGas[]> };
  for (const kind of KINDS) {
    performs.leased[kind] = [];
    performs.open[kind] = [];
  }
  for (let r = 0; r < rounds; r++) {
    const minute = epochStart(epoch) + 60 * (r + 1);
    await time.setNextBlockTimestamp(minute);
    for (const [set, keeper, ids] of [
      ["leased", holder, leased.ids],
      ["open", f.keeper2, open.ids],
    ] as const) {
      const registry = f.registry.connect(keeper);
      const out = performs[set];
      out.condition.push(performGasOf(f, await receiptOf(registry.performCondition(ids.condition, "0x"))));
      out.interval.push(performGasOf(f, await receiptOf(registry.performTime(ids.interval, minute))));
      out.cron.push(performGasOf(f, await receiptOf(registry.performTime(ids.cron, minute))));
      const ref = await ping(f, BigInt(minute));
      out.log.push(performGasOf(f, await receiptOf(registry.performLog(ids.log, ref, "0x"))));
    }
  }
  // The lone bidder's lease earns too, so that both closes credit owed pay; so do the batched ones.
  await f.registry.connect(holder).performCondition(single, "0x");
  for (const id of batch) await f.registry.connect(holder).performCondition(id, "0x");

  await time.increaseTo(epochStart(epoch + 1));
  // The holder's credit slot is written by the first close; the measured closes find it warm.
  for (const kind of ["interval", "cron", "log"] as const) await f.registry.closeLease(leased.ids[kind], epoch);
  auction3.close = await gasOf(f.registry.closeLease(leased.ids.condition, epoch));
  auction1.close = await gasOf(f.registry.closeLease(single, epoch));
  auctionBatched.close = await batched(
    holder,
    batch.map((id) => f.registry.interface.encodeFunctionData("closeLease", [id, epoch])),
  );

  return { register: leased.gas, leased: performs.leased, open: performs.open, auction3, auction1, auctionBatched };
}

/** Gas of a perform beyond its target's: the transaction's `gasUsed` less the event's `targetGas`. */
export function overheadOf(p: PerformGas): number {
  return p.gasUsed - p.targetGas;
}

/** Gas of a whole auction: every commit and reveal and the close (for a batch, of all its upkeeps). */
export function auctionTotal(a: { commits: number[]; reveals: number[]; close: number }): number {
  return [...a.commits, ...a.reveals, a.close].reduce((x, y) => x + y, 0);
}
