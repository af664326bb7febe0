// AutomationRegistry events into `upkeeps`, mirroring `getUpkeep` (less `owed` and `owedEpoch`),
// and `upkeep_performs`, one row per `UpkeepPerformed` with the target's revert data.
import { ponder, type Context } from "ponder:registry";
import { upkeep, upkeepPerform } from "ponder:schema";
import { TRIGGER_KIND_NAMES, type TriggerKindName, type UpkeepStatusName } from "@baton/sdk";

type Db = Context["db"];

/** The registry's `LOG_INDEX_BITS`: a log's position is `(blockNumber << 24 | logIndex) + 1`. */
const LOG_INDEX_BITS = 24n;

const status = (name: UpkeepStatusName) => name;

const performId = (tx: string, logIndex: number) => `${tx}:${logIndex}`;

async function getUpkeep(db: Db, id: bigint) {
  const row = await db.find(upkeep, { id });
  if (!row) throw new Error(`upkeep ${id} has an event but no UpkeepRegistered`);
  return row;
}

/** The cursor `registerUpkeep` starts from: nothing at or before the registration is performed. */
function initialCursor(kind: TriggerKindName, block: { number: bigint; timestamp: bigint }): bigint {
  if (kind === "condition") return 0n;
  if (kind === "log") return block.number << LOG_INDEX_BITS;
  return block.timestamp;
}

ponder.on("AutomationRegistry:UpkeepRegistered", async ({ event, context }) => {
  const a = event.args;
  const kind = TRIGGER_KIND_NAMES[a.kind];
  if (!kind) throw new Error(`upkeep ${a.upkeepId} has an unknown trigger kind ${a.kind}`);
  await context.db.insert(upkeep).values({
    id: a.upkeepId,
    owner: a.owner,
    target: a.target,
    forwarder: a.forwarder,
    kind,
    status: status("active"),
    performGasLimit: a.performGasLimit,
    maxGasPrice: BigInt(a.maxGasPrice),
    maxPremium: a.maxPremium,
    balance: a.balance,
    cursor: initialCursor(kind, event.block),
    checkData: a.checkData,
    trigger: a.trigger,
    withdrawableAt: 0,
    performCount: 0,
    failedPerformCount: 0,
    registeredBlock: event.block.number,
    registeredAt: event.block.timestamp,
    registeredTx: event.transaction.hash,
  });
});

ponder.on("AutomationRegistry:UpkeepFunded", async ({ event, context }) => {
  // The event carries the new balance.
  await context.db.update(upkeep, { id: event.args.upkeepId }).set({ balance: event.args.balance });
});

ponder.on("AutomationRegistry:UpkeepPaused", async ({ event, context }) => {
  const { upkeepId, paused } = event.args;
  await context.db.update(upkeep, { id: upkeepId }).set({ status: status(paused ? "paused" : "active") });
});

ponder.on("AutomationRegistry:UpkeepCanceled", async ({ event, context }) => {
  const { upkeepId, withdrawableAt } = event.args;
  await context.db.update(upkeep, { id: upkeepId }).set({ status: status("canceled"), withdrawableAt });
});

ponder.on("AutomationRegistry:UpkeepWithdrawn", async ({ event, context }) => {
  await context.db.update(upkeep, { id: event.args.upkeepId }).set({ balance: 0n });
});

ponder.on("AutomationRegistry:UpkeepPerformed", async ({ event, context }) => {
  const { upkeepId, keeper, success, trigger, targetGas, payment, premium } = event.args;
  const u = await getUpkeep(context.db, upkeepId);
  await context.db.update(upkeep, { id: upkeepId }).set({
    balance: u.balance - payment,
    cursor: trigger,
    performCount: u.performCount + 1,
    failedPerformCount: u.failedPerformCount + (success ? 0 : 1),
    lastPerformBlock: event.block.number,
    lastPerformAt: event.block.timestamp,
  });
  await context.db.insert(upkeepPerform).values({
    id: performId(event.transaction.hash, event.log.logIndex),
    upkeepId,
    keeper,
    success,
    trigger,
    targetGas,
    payment,
    premium,
    block: event.block.number,
    at: event.block.timestamp,
    tx: event.transaction.hash,
    logIndex: event.log.logIndex,
  });
});

ponder.on("AutomationRegistry:UpkeepTargetReverted", async ({ event, context }) => {
  // Emitted right after its perform's `UpkeepPerformed`, in the same transaction (a multicall
  // may hold several performs, each followed by its own).
  const id = performId(event.transaction.hash, event.log.logIndex - 1);
  const perform = await context.db.find(upkeepPerform, { id });
  if (!perform || perform.upkeepId !== event.args.upkeepId) {
    throw new Error(`UpkeepTargetReverted at ${event.transaction.hash}:${event.log.logIndex} follows no perform`);
  }
  await context.db.update(upkeepPerform, { id }).set({ revertReason: event.args.reason });
});

ponder.on("AutomationRegistry:LeaseBidRevealed", async ({ event, context }) => {
  const { upkeepId, epoch, bidder, premium, leading } = event.args;
  if (!leading) return;
  const u = await getUpkeep(context.db, upkeepId);
  // Reveals of an older epoch's auction cannot follow a newer one's (one auction runs at a time),
  // but the check keeps the row on the latest epoch whatever the order.
  if (u.leaseEpoch !== null && epoch < u.leaseEpoch) return;
  await context.db
    .update(upkeep, { id: upkeepId })
    .set({ leaseEpoch: epoch, leaseHolder: bidder, leasePremium: premium });
});

ponder.on("AutomationRegistry:LeaseBidForfeited", async ({ event, context }) => {
  // The forfeited part of the bond goes to the upkeep's balance.
  const { upkeepId, amount } = event.args;
  await context.db.update(upkeep, { id: upkeepId }).set((u) => ({ balance: u.balance + amount }));
});
