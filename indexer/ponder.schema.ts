// The indexer's tables. Every row is derived from the contracts' events alone; the chain stays the
// source of truth (test/equality.test.ts and test/upkeeps.test.ts check each row against the
// contracts' views).
//
// Jobs mirror `JobMarket.getJob` (stored `status`, `round`, `commits`, deadlines, the live
// `winner` and `price`, `secondPrice`, `digest`) plus what the events carry that the chain does
// not store: the unpacked terms, the spec, the result, who was paid what, and when each step
// happened. The derived state (`jobState`) depends on the clock: compute it from a row with the
// sdk's `deriveJobState(row, now)`.
import { index, onchainTable, relations } from "ponder";

export const job = onchainTable(
  "jobs",
  (t) => ({
    id: t.bigint().primaryKey(),
    // The terms, as posted (packed) and unpacked field by field.
    terms: t.hex().notNull(),
    requester: t.hex().notNull(),
    token: t.hex().notNull(),
    maxReward: t.bigint().notNull(),
    arbiter: t.hex().notNull(),
    bond: t.bigint().notNull(),
    minStake: t.bigint().notNull(),
    minCompleted: t.integer().notNull(),
    commitWindow: t.integer().notNull(),
    revealWindow: t.integer().notNull(),
    executionWindow: t.integer().notNull(),
    challengeWindow: t.integer().notNull(),
    expiry: t.integer().notNull(),
    feeBps: t.integer().notNull(),
    forfeitBps: t.integer().notNull(),
    slashBountyBps: t.integer().notNull(),
    disputeBond: t.bigint().notNull(),
    rulingTimeout: t.integer().notNull(),
    /** `FirstPrice` or `SecondPrice`. */
    pricing: t.text().notNull(),
    callback: t.boolean().notNull(),
    specHash: t.hex().notNull(),
    /** The spec bytes as posted: canonical JSON (UTF-8) or a URI. */
    spec: t.hex().notNull(),
    // What `getJob` returns.
    /** The stored `Status` name: Auction, Assigned, Submitted, Disputed, Settled, Cancelled, Refunded. */
    status: t.text().notNull(),
    round: t.integer().notNull(),
    /** Sealed bids of the current round (the market stops counting at 63). */
    commits: t.integer().notNull(),
    deadline: t.integer().notNull(),
    revealDeadline: t.integer().notNull(),
    /** The leading bidder, then the assigned worker; the zero address when none or once it ended. */
    winner: t.hex().notNull(),
    price: t.bigint().notNull(),
    secondPrice: t.bigint().notNull(),
    digest: t.hex().notNull(),
    // From the events.
    /** The result that stands (submitted, disputed or settled); null otherwise. */
    resultHash: t.hex(),
    /** The last submitted result (bytes, or a URI). */
    result: t.hex(),
    /** Every sealed bid over every round. */
    bidCount: t.integer().notNull(),
    /** The last assigned worker (kept after settlement, unlike `winner`). */
    worker: t.hex(),
    disputer: t.hex(),
    paidPrice: t.bigint(),
    fee: t.bigint(),
    refund: t.bigint(),
    /** The workflow and step the job runs, when the orchestrator posted it. */
    workflowId: t.bigint(),
    step: t.integer(),
    postedBlock: t.bigint().notNull(),
    postedAt: t.bigint().notNull(),
    postedTx: t.hex().notNull(),
    assignedBlock: t.bigint(),
    assignedAt: t.bigint(),
    submittedBlock: t.bigint(),
    submittedAt: t.bigint(),
    disputedBlock: t.bigint(),
    disputedAt: t.bigint(),
    /** When the job settled, was cancelled or refunded. */
    endedBlock: t.bigint(),
    endedAt: t.bigint(),
    updatedBlock: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({
    // Lists: newest first (the primary key serves `id desc`), by status, by requester, by worker.
    statusIdx: index().on(table.status, table.id),
    requesterIdx: index().on(table.requester, table.id),
    workerIdx: index().on(table.worker, table.id),
    workflowIdx: index().on(table.workflowId, table.step),
  }),
);

/** One sealed bid: a bidder's commitment in one round of one job. */
export const bid = onchainTable(
  "bids",
  (t) => ({
    /** `<jobId>:<round>:<bidder, lowercase>`. */
    id: t.text().primaryKey(),
    jobId: t.bigint().notNull(),
    round: t.integer().notNull(),
    bidder: t.hex().notNull(),
    /** The full commitment from `BidCommitted` (the market stores its low 192 bits while sealed). */
    commitment: t.hex().notNull(),
    /** `Committed` (sealed), `Revealed` or `Forfeited`. */
    status: t.text().notNull(),
    price: t.bigint(),
    /** Whether the bid led the auction when it was revealed. */
    leading: t.boolean(),
    /** Whether the bid won its round (its bidder was assigned the job). */
    won: t.boolean().notNull(),
    forfeited: t.bigint(),
    forfeitedBy: t.hex(),
    committedBlock: t.bigint().notNull(),
    committedAt: t.bigint().notNull(),
    revealedBlock: t.bigint(),
    revealedAt: t.bigint(),
  }),
  (table) => ({
    jobIdx: index().on(table.jobId, table.round),
    bidderIdx: index().on(table.bidder, table.jobId),
  }),
);

/** A worker: `getWorker` and `getUnbonding`, with counts of what it did. */
export const worker = onchainTable(
  "workers",
  (t) => ({
    address: t.hex().primaryKey(),
    registered: t.boolean().notNull(),
    /** Capability tags, decoded from their bytes32 form (e.g. `wasm`). */
    capabilities: t.text().array().notNull(),
    metadataURI: t.text().notNull(),
    stake: t.bigint().notNull(),
    locked: t.bigint().notNull(),
    completed: t.integer().notNull(),
    noShows: t.integer().notNull(),
    disputesLost: t.integer().notNull(),
    unbondingAmount: t.bigint().notNull(),
    unbondingReadyAt: t.integer().notNull(),
    bidsCommitted: t.integer().notNull(),
    bidsRevealed: t.integer().notNull(),
    jobsWon: t.integer().notNull(),
    jobsSettled: t.integer().notNull(),
    /** Slashes and forfeits, and the wei they took from the stake. */
    penalties: t.integer().notNull(),
    penalized: t.bigint().notNull(),
    registeredBlock: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
  }),
  (table) => ({
    stakeIdx: index().on(table.stake),
  }),
);

/** A workflow: `getWorkflow`, with its refund and when it ended. */
export const workflow = onchainTable(
  "workflows",
  (t) => ({
    id: t.bigint().primaryKey(),
    requester: t.hex().notNull(),
    token: t.hex().notNull(),
    /** `Active`, `Completed`, `Failed` or `Cancelled`. */
    status: t.text().notNull(),
    stepCount: t.integer().notNull(),
    settledCount: t.integer().notNull(),
    maxRetries: t.integer().notNull(),
    balance: t.bigint().notNull(),
    budget: t.bigint().notNull(),
    /** Credited to the requester when it ended, plus late refunds. */
    refunded: t.bigint().notNull(),
    createdBlock: t.bigint().notNull(),
    createdAt: t.bigint().notNull(),
    endedBlock: t.bigint(),
    endedAt: t.bigint(),
  }),
  (table) => ({
    requesterIdx: index().on(table.requester, table.id),
    statusIdx: index().on(table.status, table.id),
  }),
);

/** A workflow step: `getStep`, with its inputs from `WorkflowCreated`. */
export const workflowStep = onchainTable(
  "workflow_steps",
  (t) => ({
    /** `<workflowId>:<step>`. */
    id: t.text().primaryKey(),
    workflowId: t.bigint().notNull(),
    step: t.integer().notNull(),
    /** `Waiting`, `Ready`, `Posted`, `Settled`, `Failed` or `Cancelled`. */
    status: t.text().notNull(),
    attempts: t.integer().notNull(),
    pendingDependencies: t.integer().notNull(),
    /** Bitmaps: bit i is step i. */
    dependencies: t.integer().notNull(),
    dependents: t.integer().notNull(),
    /** The current (or last) job; 0 before the first posting, as `getStep` says. */
    jobId: t.bigint().notNull(),
    resultHash: t.hex(),
    price: t.bigint(),
    /** keccak256 of the spec template. */
    specHash: t.hex().notNull(),
    spec: t.hex().notNull(),
    maxReward: t.bigint().notNull(),
    bond: t.bigint().notNull(),
    /** The spec hash the current job was posted with (binding the parents' results). */
    postedSpecHash: t.hex(),
  }),
  (table) => ({
    workflowIdx: index().on(table.workflowId, table.step),
  }),
);

/**
 * An automation upkeep: `getUpkeep` (less `owed` and `owedEpoch`, which performs under a lease move
 * without an event of their own), with its check data, counts of its performs and the lease of the
 * latest epoch auctioned.
 */
export const upkeep = onchainTable(
  "upkeeps",
  (t) => ({
    id: t.bigint().primaryKey(),
    owner: t.hex().notNull(),
    target: t.hex().notNull(),
    /** The target's only caller for this upkeep. */
    forwarder: t.hex().notNull(),
    /** `condition`, `interval`, `cron` or `log` (the sdk's `TRIGGER_KIND_NAMES`). */
    kind: t.text().notNull(),
    /** `active`, `paused` or `canceled` (the sdk's `UPKEEP_STATUS_NAMES`). */
    status: t.text().notNull(),
    performGasLimit: t.integer().notNull(),
    maxGasPrice: t.bigint().notNull(),
    maxPremium: t.bigint().notNull(),
    /** Wei left to pay performs: funded, less payments, plus forfeited lease bonds; 0 once withdrawn. */
    balance: t.bigint().notNull(),
    /**
     * Last performed: block (condition), tick (interval, cron; at registration the registration
     * time) or log position `(block << 24 | logIndex) + 1` (log; at registration `block << 24`).
     */
    cursor: t.bigint().notNull(),
    checkData: t.hex().notNull(),
    /** The stored trigger word: interval seconds, packed cron spec, or `emitter | topicMask << 160`. */
    trigger: t.bigint().notNull(),
    /** When a canceled upkeep's balance may be withdrawn; 0 until canceled. */
    withdrawableAt: t.integer().notNull(),
    /** Performs, and those whose target reverted (charged all the same). */
    performCount: t.integer().notNull(),
    failedPerformCount: t.integer().notNull(),
    lastPerformBlock: t.bigint(),
    lastPerformAt: t.bigint(),
    /** The latest epoch whose lease auction has a leading reveal, its holder and premium per perform. */
    leaseEpoch: t.integer(),
    leaseHolder: t.hex(),
    leasePremium: t.bigint(),
    registeredBlock: t.bigint().notNull(),
    registeredAt: t.bigint().notNull(),
    registeredTx: t.hex().notNull(),
  }),
  (table) => ({
    ownerIdx: index().on(table.owner, table.id),
    targetIdx: index().on(table.target, table.id),
    statusIdx: index().on(table.status, table.id),
  }),
);

/** One perform: an `UpkeepPerformed` event, with the target's revert data when it failed. */
export const upkeepPerform = onchainTable(
  "upkeep_performs",
  (t) => ({
    /** `<tx hash>:<log index>` of the `UpkeepPerformed` event. */
    id: t.text().primaryKey(),
    upkeepId: t.bigint().notNull(),
    keeper: t.hex().notNull(),
    /** Whether the target's `performUpkeep` returned without reverting. */
    success: t.boolean().notNull(),
    /** What was performed: the block, the tick or the log position (the upkeep's new cursor). */
    trigger: t.bigint().notNull(),
    targetGas: t.bigint().notNull(),
    /** Wei taken from the upkeep's balance and credited to the keeper, premium included. */
    payment: t.bigint().notNull(),
    premium: t.bigint().notNull(),
    /** The target's revert data (truncated to 256 bytes by the registry), from `UpkeepTargetReverted`. */
    revertReason: t.hex(),
    block: t.bigint().notNull(),
    at: t.bigint().notNull(),
    tx: t.hex().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    upkeepIdx: index().on(table.upkeepId, table.block),
    keeperIdx: index().on(table.keeper, table.block),
  }),
);

export const jobRelations = relations(job, ({ many }) => ({ bids: many(bid) }));
export const bidRelations = relations(bid, ({ one }) => ({
  job: one(job, { fields: [bid.jobId], references: [job.id] }),
}));
export const workflowRelations = relations(workflow, ({ many }) => ({ steps: many(workflowStep) }));
export const workflowStepRelations = relations(workflowStep, ({ one }) => ({
  workflow: one(workflow, { fields: [workflowStep.workflowId], references: [workflow.id] }),
}));
export const upkeepRelations = relations(upkeep, ({ many }) => ({ performs: many(upkeepPerform) }));
export const upkeepPerformRelations = relations(upkeepPerform, ({ one }) => ({
  upkeep: one(upkeep, { fields: [upkeepPerform.upkeepId], references: [upkeep.id] }),
}));
