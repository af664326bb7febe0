// JobMarket events into `jobs`, `bids` and `workers`. Each handler applies the same change to a row
// that the event's transaction made to the contract's storage, so the rows equal what `getJob`,
// `getWorker` and `getUnbonding` return (see test/equality.test.ts). Decoding is the sdk's.
import { ponder, type Context } from "ponder:registry";
import { bid, job, worker } from "ponder:schema";
import { hexToString, zeroAddress, zeroHash, type Hex } from "viem";
import { jobDigest, pricingNames, Pricing, SlashReason, unpackTerms, type JobTerms } from "@baton/sdk";

/** The market stops counting a round's commits here (two flag bits share the byte). */
const COMMITS_MAX = 63;

type Row = typeof job.$inferSelect;
type Db = Context["db"];

/** The `JobTerms` of a row (its packed bytes, unpacked by the sdk). */
function termsOf(row: Row): JobTerms {
  return unpackTerms(row.terms);
}

/** The digest of a job whose standing result is `resultHash` (none: zero), as the market computes it. */
function digestOf(row: Row, resultHash: Hex | null): Hex {
  return jobDigest(row.id, termsOf(row), resultHash ?? zeroHash).toLowerCase() as Hex;
}

async function getJob(db: Db, id: bigint): Promise<Row> {
  const row = await db.find(job, { id });
  if (!row) throw new Error(`job ${id} has an event but no JobPosted`);
  return row;
}

const at = (event: { block: { number: bigint; timestamp: bigint } }) => ({
  updatedBlock: event.block.number,
  updatedAt: event.block.timestamp,
});

/** Applies `change` to a worker's row (which registration created). */
async function updateWorker(
  db: Db,
  address: Hex,
  block: bigint,
  change: (row: typeof worker.$inferSelect) => Partial<typeof worker.$inferInsert>,
) {
  await db.update(worker, { address }).set((row) => ({ ...change(row), updatedBlock: block }));
}

// ---------------------------------------------------------------- jobs

ponder.on("JobMarket:JobPosted", async ({ event, context }) => {
  const { jobId, terms: packed, specHash, spec, commitDeadline } = event.args;
  const terms = unpackTerms(packed);
  await context.db.insert(job).values({
    id: jobId,
    terms: packed,
    ...terms,
    pricing: pricingNames[terms.pricing]!,
    specHash,
    spec,
    status: "Auction",
    round: 0,
    commits: 0,
    deadline: commitDeadline,
    revealDeadline: commitDeadline + terms.revealWindow,
    winner: zeroAddress,
    price: 0n,
    secondPrice: 0n,
    digest: jobDigest(jobId, terms, zeroHash),
    bidCount: 0,
    postedBlock: event.block.number,
    postedAt: event.block.timestamp,
    postedTx: event.transaction.hash,
    ...at(event),
  });
});

ponder.on("JobMarket:BidCommitted", async ({ event, context }) => {
  const { jobId, bidder, round, commitment } = event.args;
  const row = await getJob(context.db, jobId);
  await context.db.update(job, { id: jobId }).set({
    commits: Math.min(row.commits + 1, COMMITS_MAX),
    bidCount: row.bidCount + 1,
    ...at(event),
  });
  await context.db.insert(bid).values({
    id: bidId(jobId, round, bidder),
    jobId,
    round,
    bidder,
    commitment,
    status: "Committed",
    won: false,
    committedBlock: event.block.number,
    committedAt: event.block.timestamp,
  });
  await updateWorker(context.db, bidder, event.block.number, (w) => ({
    locked: w.locked + row.bond,
    bidsCommitted: w.bidsCommitted + 1,
  }));
});

ponder.on("JobMarket:BidRevealed", async ({ event, context }) => {
  const { jobId, bidder, round, price, leading } = event.args;
  const row = await getJob(context.db, jobId);
  const secondPricing = row.pricing === pricingNames[Pricing.SecondPrice];
  const hadLeader = row.winner !== zeroAddress;
  let secondPrice = row.secondPrice;
  if (leading) {
    // The displaced leader's bond comes back, and its price becomes the second-lowest.
    if (hadLeader) {
      await updateWorker(context.db, row.winner, event.block.number, (w) => ({ locked: w.locked - row.bond }));
      if (secondPricing) secondPrice = row.price;
    }
  } else {
    await updateWorker(context.db, bidder, event.block.number, (w) => ({ locked: w.locked - row.bond }));
    if (secondPricing && (secondPrice === 0n || price < secondPrice)) secondPrice = price;
  }
  await context.db.update(job, { id: jobId }).set({
    ...(leading ? { winner: bidder, price } : {}),
    secondPrice,
    ...at(event),
  });
  await context.db.update(bid, { id: bidId(jobId, round, bidder) }).set({
    status: "Revealed",
    price,
    leading,
    revealedBlock: event.block.number,
    revealedAt: event.block.timestamp,
  });
  await updateWorker(context.db, bidder, event.block.number, (w) => ({ bidsRevealed: w.bidsRevealed + 1 }));
});

ponder.on("JobMarket:BidForfeited", async ({ event, context }) => {
  const { jobId, bidder, round, forfeited, caller } = event.args;
  const row = await getJob(context.db, jobId);
  await context.db
    .update(bid, { id: bidId(jobId, round, bidder) })
    .set({ status: "Forfeited", forfeited, forfeitedBy: caller });
  await updateWorker(context.db, bidder, event.block.number, (w) => ({
    locked: w.locked - row.bond,
    stake: w.stake - forfeited,
    penalties: w.penalties + 1,
    penalized: w.penalized + forfeited,
  }));
});

ponder.on("JobMarket:JobAssigned", async ({ event, context }) => {
  const { jobId, worker: assigned, price, executionDeadline } = event.args;
  const row = await getJob(context.db, jobId);
  await context.db.update(job, { id: jobId }).set({
    status: "Assigned",
    deadline: executionDeadline,
    winner: assigned,
    price,
    worker: assigned,
    assignedBlock: event.block.number,
    assignedAt: event.block.timestamp,
    ...at(event),
  });
  await context.db.update(bid, { id: bidId(jobId, row.round, assigned) }).set({ won: true });
  await updateWorker(context.db, assigned, event.block.number, (w) => ({ jobsWon: w.jobsWon + 1 }));
});

ponder.on("JobMarket:JobReopened", async ({ event, context }) => {
  const { jobId, round, commitDeadline, revealDeadline } = event.args;
  const row = await getJob(context.db, jobId);
  await context.db.update(job, { id: jobId }).set({
    status: "Auction",
    round,
    commits: 0,
    deadline: commitDeadline,
    revealDeadline,
    winner: zeroAddress,
    price: 0n,
    secondPrice: 0n,
    resultHash: null,
    digest: digestOf(row, null),
    ...at(event),
  });
});

ponder.on("JobMarket:ResultSubmitted", async ({ event, context }) => {
  const { jobId, resultHash, result, challengeDeadline } = event.args;
  const row = await getJob(context.db, jobId);
  await context.db.update(job, { id: jobId }).set({
    status: "Submitted",
    deadline: challengeDeadline,
    resultHash,
    result,
    digest: digestOf(row, resultHash),
    submittedBlock: event.block.number,
    submittedAt: event.block.timestamp,
    ...at(event),
  });
});

ponder.on("JobMarket:JobDisputed", async ({ event, context }) => {
  const { jobId, disputer, rulingDeadline } = event.args;
  await context.db.update(job, { id: jobId }).set({
    status: "Disputed",
    deadline: rulingDeadline,
    disputer,
    disputedBlock: event.block.number,
    disputedAt: event.block.timestamp,
    ...at(event),
  });
});

ponder.on("JobMarket:DisputeResolved", async ({ event, context }) => {
  const { jobId, workerWins } = event.args;
  if (workerWins) return; // JobSettled follows.
  // The rejected result no longer stands; the slash and a reopening or refund follow.
  const row = await getJob(context.db, jobId);
  await context.db.update(job, { id: jobId }).set({ resultHash: null, digest: digestOf(row, null), ...at(event) });
});

ponder.on("JobMarket:WorkerSlashed", async ({ event, context }) => {
  const { jobId, worker: slashed, reason, amount } = event.args;
  const row = await getJob(context.db, jobId);
  await updateWorker(context.db, slashed, event.block.number, (w) => ({
    locked: w.locked - row.bond,
    stake: w.stake - amount,
    noShows: w.noShows + (reason === SlashReason.DisputeLost ? 0 : 1),
    disputesLost: w.disputesLost + (reason === SlashReason.DisputeLost ? 1 : 0),
    penalties: w.penalties + 1,
    penalized: w.penalized + amount,
  }));
});

ponder.on("JobMarket:JobSettled", async ({ event, context }) => {
  const { jobId, worker: paid, price, fee, refund } = event.args;
  const row = await getJob(context.db, jobId);
  await context.db.update(job, { id: jobId }).set({
    status: "Settled",
    winner: zeroAddress,
    price: 0n,
    worker: paid,
    paidPrice: price,
    fee,
    refund,
    endedBlock: event.block.number,
    endedAt: event.block.timestamp,
    ...at(event),
  });
  // Reputation counts only completions that cost their requester something (see WorkerRegistry).
  const counts = fee !== 0n && paid.toLowerCase() !== row.requester.toLowerCase();
  await updateWorker(context.db, paid, event.block.number, (w) => ({
    locked: w.locked - row.bond,
    completed: w.completed + (counts ? 1 : 0),
    jobsSettled: w.jobsSettled + 1,
  }));
});

ponder.on("JobMarket:JobCancelled", async ({ event, context }) => {
  await context.db.update(job, { id: event.args.jobId }).set({
    status: "Cancelled",
    endedBlock: event.block.number,
    endedAt: event.block.timestamp,
    ...at(event),
  });
});

ponder.on("JobMarket:JobRefunded", async ({ event, context }) => {
  await context.db.update(job, { id: event.args.jobId }).set({
    status: "Refunded",
    winner: zeroAddress,
    price: 0n,
    endedBlock: event.block.number,
    endedAt: event.block.timestamp,
    ...at(event),
  });
});

// ---------------------------------------------------------------- workers

ponder.on("JobMarket:WorkerRegistered", async ({ event, context }) => {
  const { worker: address, capabilities, metadataURI } = event.args;
  const tags = capabilities.map((tag) => hexToString(tag, { size: 32 }).replace(/\0+$/, ""));
  await context.db
    .insert(worker)
    .values({
      address,
      registered: true,
      capabilities: tags,
      metadataURI,
      stake: 0n,
      locked: 0n,
      completed: 0,
      noShows: 0,
      disputesLost: 0,
      unbondingAmount: 0n,
      unbondingReadyAt: 0,
      bidsCommitted: 0,
      bidsRevealed: 0,
      jobsWon: 0,
      jobsSettled: 0,
      penalties: 0,
      penalized: 0n,
      registeredBlock: event.block.number,
      updatedBlock: event.block.number,
    })
    .onConflictDoUpdate({ capabilities: tags, metadataURI, updatedBlock: event.block.number });
});

ponder.on("JobMarket:StakeDeposited", async ({ event, context }) => {
  const { worker: address, totalStake } = event.args;
  await updateWorker(context.db, address, event.block.number, () => ({ stake: totalStake }));
});

ponder.on("JobMarket:UnbondingStarted", async ({ event, context }) => {
  const { worker: address, amount, totalUnbonding, readyAt } = event.args;
  await updateWorker(context.db, address, event.block.number, (w) => ({
    stake: w.stake - amount,
    unbondingAmount: totalUnbonding,
    unbondingReadyAt: readyAt,
  }));
});

ponder.on("JobMarket:StakeWithdrawn", async ({ event, context }) => {
  await updateWorker(context.db, event.args.worker, event.block.number, () => ({
    unbondingAmount: 0n,
    unbondingReadyAt: 0,
  }));
});

function bidId(jobId: bigint, round: number, bidder: Hex): string {
  return `${jobId}:${round}:${bidder.toLowerCase()}`;
}
