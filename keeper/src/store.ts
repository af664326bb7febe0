import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";

// The keeper's durable memory. Every decision that must survive a crash is written here before
// the action it guards: a bid's salt before its commit is signed, a signed transaction before it
// is broadcast. All writes use SQLite transactions with the WAL journal, so `kill -9` at any point
// leaves either the old or the new state.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  terms TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  spec BLOB NOT NULL,
  block_number INTEGER NOT NULL,
  decision TEXT,
  done INTEGER NOT NULL DEFAULT 0,
  result_hash TEXT,
  result_block INTEGER,
  due_at INTEGER DEFAULT 0,
  state INTEGER,
  winner TEXT
);
CREATE TABLE IF NOT EXISTS commits (
  job_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  bidder TEXT NOT NULL,
  revealed INTEGER NOT NULL DEFAULT 0,
  block_number INTEGER NOT NULL,
  PRIMARY KEY (job_id, round, bidder)
);
CREATE TABLE IF NOT EXISTS bids (
  job_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  price TEXT NOT NULL,
  salt TEXT NOT NULL,
  commitment TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, round)
);
CREATE TABLE IF NOT EXISTS executions (
  job_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  status TEXT NOT NULL,
  result BLOB,
  result_hash TEXT,
  error TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  PRIMARY KEY (job_id, round)
);
CREATE TABLE IF NOT EXISTS failures (
  job_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  spec_hash TEXT NOT NULL,
  error TEXT NOT NULL,
  failed_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, round)
);
CREATE INDEX IF NOT EXISTS failures_spec ON failures (spec_hash);
CREATE TABLE IF NOT EXISTS ready_steps (
  workflow_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  block_number INTEGER NOT NULL,
  PRIMARY KEY (workflow_id, step)
);
CREATE TABLE IF NOT EXISTS upkeeps (
  id TEXT PRIMARY KEY,
  kind INTEGER NOT NULL,
  filter TEXT,
  check_data TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  done INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS upkeep_logs (
  upkeep_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  block_hash TEXT NOT NULL,
  block_number INTEGER NOT NULL,
  log_index INTEGER NOT NULL,
  tx_hash TEXT NOT NULL,
  source TEXT NOT NULL,
  topics TEXT NOT NULL,
  data TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  PRIMARY KEY (upkeep_id, position, block_hash)
);
CREATE TABLE IF NOT EXISTS lease_bids (
  upkeep_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  premium TEXT NOT NULL,
  salt TEXT NOT NULL,
  commitment TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (upkeep_id, epoch)
);
CREATE TABLE IF NOT EXISTS automation_blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  job_id TEXT,
  to_addr TEXT NOT NULL,
  data TEXT NOT NULL,
  value TEXT NOT NULL DEFAULT '0',
  status TEXT NOT NULL,
  nonce INTEGER,
  error TEXT,
  block_number INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  batch_id INTEGER,
  not_after INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_status ON outbox (status);
CREATE TABLE IF NOT EXISTS attempts (
  hash TEXT PRIMARY KEY,
  outbox_id INTEGER NOT NULL REFERENCES outbox (id),
  nonce INTEGER NOT NULL,
  raw TEXT NOT NULL,
  max_fee TEXT NOT NULL,
  max_priority_fee TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  sent_block INTEGER
);
`;

/** `batched`: carried by a `batch` row's multicall transaction (`batchId`), which settles it. */
export type OutboxStatus = "queued" | "signed" | "sent" | "mined" | "reverted" | "skipped" | "batched";
export const OPEN_OUTBOX: OutboxStatus[] = ["queued", "signed", "sent"];

export type JobRow = {
  id: bigint;
  terms: string;
  specHash: `0x${string}`;
  spec: Uint8Array;
  blockNumber: bigint;
  decision: string | null;
  done: boolean;
  /**
   * The result hash standing on the job as the synced logs tell (its latest `ResultSubmitted`,
   * cleared by a `DisputeResolved` the worker lost); null when none stands.
   */
  resultHash: `0x${string}` | null;
};

/** An upkeep the keeper discovered from its `UpkeepRegistered` log. */
export type UpkeepRow = {
  id: bigint;
  /** The trigger kind, as the registry numbers it. */
  kind: number;
  /** A log upkeep's filter (the registry's `logFilterOf`), as JSON. */
  filter: string | null;
  checkData: `0x${string}`;
  blockNumber: bigint;
};

/** A log that matches a log upkeep's filter, as the keeper read it (Chainlink's `Log` fields). */
export type UpkeepLogRow = {
  upkeepId: bigint;
  /** The registry's cursor position of the log: `(blockNumber << 24 | logIndex) + 1`. */
  position: bigint;
  blockHash: `0x${string}`;
  blockNumber: bigint;
  logIndex: number;
  txHash: `0x${string}`;
  source: `0x${string}`;
  topics: `0x${string}`[];
  data: `0x${string}`;
  timestamp: number;
};

/** A sealed lease bid, stored before its commitment can reach the chain. */
export type LeaseBidRow = {
  upkeepId: bigint;
  epoch: number;
  premium: bigint;
  salt: `0x${string}`;
  commitment: `0x${string}`;
};

export type BidRow = { jobId: bigint; round: number; price: bigint; salt: `0x${string}`; commitment: `0x${string}` };

export type ExecutionRow = {
  jobId: bigint;
  round: number;
  status: "running" | "done" | "failed";
  result: Uint8Array | null;
  resultHash: `0x${string}` | null;
  error: string | null;
};

export type OutboxRow = {
  id: number;
  key: string;
  kind: string;
  jobId: bigint | null;
  to: `0x${string}`;
  data: `0x${string}`;
  value: bigint;
  status: OutboxStatus;
  nonce: number | null;
  error: string | null;
  /** The `batch` row whose transaction carries (or carried) this step; null when sent alone. */
  batchId: number | null;
  /** The last block timestamp at which the step can still succeed (its window's close); null: none. */
  notAfter: number | null;
};

export type AttemptRow = {
  hash: `0x${string}`;
  outboxId: number;
  nonce: number;
  raw: `0x${string}`;
  maxFee: bigint;
  maxPriorityFee: bigint;
  sentBlock: bigint | null;
};

export class Store {
  readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.exec(SCHEMA);
    this.migrate();
  }

  /** Brings a store written by an older keeper up to the current schema. */
  private migrate() {
    const columns = new Set(
      (this.db.prepare("PRAGMA table_info(jobs)").all() as { name: string }[]).map((c) => c.name),
    );
    // The job's standing result hash, which every call on a job with a result must pass back.
    if (!columns.has("result_hash")) this.db.exec("ALTER TABLE jobs ADD COLUMN result_hash TEXT");
    if (!columns.has("result_block")) this.db.exec("ALTER TABLE jobs ADD COLUMN result_block INTEGER");
    // The working set: when the job is next due (chain seconds; 0 at once, NULL on its next event),
    // and its state and winner as last read, which tell whether this keeper holds it.
    if (!columns.has("due_at")) this.db.exec("ALTER TABLE jobs ADD COLUMN due_at INTEGER DEFAULT 0");
    if (!columns.has("state")) this.db.exec("ALTER TABLE jobs ADD COLUMN state INTEGER");
    if (!columns.has("winner")) this.db.exec("ALTER TABLE jobs ADD COLUMN winner TEXT");
    // Only the jobs that are not done are ever looked up by due time.
    this.db.exec("CREATE INDEX IF NOT EXISTS jobs_due ON jobs (due_at) WHERE done = 0");
    const outbox = new Set(
      (this.db.prepare("PRAGMA table_info(outbox)").all() as { name: string }[]).map((c) => c.name),
    );
    // The multicall transaction that carries a step bundled with others.
    if (!outbox.has("batch_id")) this.db.exec("ALTER TABLE outbox ADD COLUMN batch_id INTEGER");
    // The last chain second at which a block may still carry the step (its window's close).
    if (!outbox.has("not_after")) this.db.exec("ALTER TABLE outbox ADD COLUMN not_after INTEGER");
  }

  close() {
    this.db.close();
  }

  /** Runs `fn` in one SQLite transaction. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ------------------------------------------------------------------ meta and cursor

  getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string) {
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(key, value);
  }

  /** Last block whose logs are fully applied, or undefined before the first sync. */
  cursor(): bigint | undefined {
    const v = this.getMeta("cursor");
    return v === undefined ? undefined : BigInt(v);
  }

  setCursor(block: bigint, hash: `0x${string}`) {
    this.setMeta("cursor", block.toString());
    this.db.prepare("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)").run(Number(block), hash);
    // Keep a bounded window of recent hashes for reorg detection.
    this.db.prepare("DELETE FROM blocks WHERE number < ?").run(Number(block) - 256);
  }

  blockHash(block: bigint): `0x${string}` | undefined {
    const row = this.db.prepare("SELECT hash FROM blocks WHERE number = ?").get(Number(block)) as
      { hash: `0x${string}` } | undefined;
    return row?.hash;
  }

  /** Recorded block hashes, newest first. */
  recentBlocks(): { number: bigint; hash: `0x${string}` }[] {
    const rows = this.db.prepare("SELECT number, hash FROM blocks ORDER BY number DESC").all() as {
      number: number;
      hash: `0x${string}`;
    }[];
    return rows.map((r) => ({ number: BigInt(r.number), hash: r.hash }));
  }

  /** Forgets everything learnt from blocks after `block` (a reorg replaced them). */
  rollbackTo(block: bigint, hash: `0x${string}` | undefined) {
    this.tx(() => {
      const n = Number(block);
      this.db.prepare("DELETE FROM jobs WHERE block_number > ? AND id NOT IN (SELECT job_id FROM bids)").run(n);
      this.db.prepare("DELETE FROM commits WHERE block_number > ?").run(n);
      // A result hash learnt (or cleared) in a replaced block is unknown again: the planner reads
      // nothing that needs it until the logs are synced again.
      this.db.prepare("UPDATE jobs SET result_hash = NULL, result_block = NULL WHERE result_block > ?").run(n);
      this.db.prepare("DELETE FROM blocks WHERE number > ?").run(n);
      // What the replaced blocks did to a job (a reopening, a settlement) is not known again until
      // the logs are read again: every job is read once more.
      this.db.prepare("UPDATE jobs SET due_at = 0 WHERE done = 0").run();
      this.setMeta("cursor", block.toString());
      if (hash) this.db.prepare("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)").run(n, hash);
    });
  }

  // ------------------------------------------------------------------ jobs and commits seen

  upsertJob(job: { id: bigint; terms: string; specHash: `0x${string}`; spec: Uint8Array; blockNumber: bigint }) {
    this.db
      .prepare(
        `INSERT INTO jobs (id, terms, spec_hash, spec, block_number, due_at) VALUES (?, ?, ?, ?, ?, 0)
         ON CONFLICT (id) DO UPDATE SET terms = excluded.terms, spec_hash = excluded.spec_hash,
         spec = excluded.spec, block_number = excluded.block_number, due_at = 0`,
      )
      .run(job.id.toString(), job.terms, job.specHash, Buffer.from(job.spec), Number(job.blockNumber));
  }

  /**
   * Records the result hash now standing on a job (`ResultSubmitted`), or null when a lost dispute
   * took it down (`DisputeResolved` against the worker), as of block `blockNumber`.
   */
  setResultHash(jobId: bigint, resultHash: `0x${string}` | null, blockNumber: bigint) {
    this.db
      .prepare("UPDATE jobs SET result_hash = ?, result_block = ? WHERE id = ?")
      .run(resultHash, Number(blockNumber), jobId.toString());
  }

  setDecision(jobId: bigint, decision: string) {
    this.db.prepare("UPDATE jobs SET decision = ? WHERE id = ?").run(decision, jobId.toString());
  }

  markDone(jobId: bigint) {
    this.db.prepare("UPDATE jobs SET done = 1, due_at = NULL WHERE id = ?").run(jobId.toString());
  }

  /** Every job that is not done, in id order (tests and tools; a pass reads `workingSet`). */
  activeJobs(): JobRow[] {
    const rows = this.db.prepare("SELECT * FROM jobs WHERE done = 0 ORDER BY CAST(id AS INTEGER)").all() as RawJob[];
    return rows.map(toJob);
  }

  /**
   * The jobs a pass reads, in id order: every job this keeper may hold (it has a bid on it, and
   * the job was last seen in `holdingStates` or won by `me`), which the capacity counts, and at
   * most `limit` of the others whose due time has come by chain time `now`, those due earliest
   * first (a synced event makes a job due at 0) and among them the newest, whose auctions are the
   * likeliest to be still open. Jobs due later, or only on their next event, are not read at all:
   * a pass's reads follow what is due, not the history.
   */
  workingSet(now: number, limit: number, holdingStates: readonly number[], me: string): JobRow[] {
    const held = this.db
      .prepare(
        `SELECT * FROM jobs WHERE done = 0 AND id IN (SELECT job_id FROM bids)
         AND (state IS NULL OR state IN (${holdingStates.map(() => "?").join(",")}) OR winner = ?)`,
      )
      .all(...holdingStates, me.toLowerCase()) as RawJob[];
    const due = this.db
      .prepare(
        `SELECT * FROM jobs WHERE done = 0 AND due_at <= ?
         ORDER BY due_at, CAST(id AS INTEGER) DESC LIMIT ?`,
      )
      .all(now, limit + held.length) as RawJob[];
    const seen = new Set(held.map((r) => r.id));
    const rows = [...held, ...due.filter((r) => !seen.has(r.id)).slice(0, limit)];
    return rows.map(toJob).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Records what a pass read of each job and when each is next due (chain seconds; null: on its
   * next event only), in one SQLite transaction.
   */
  observe(jobs: readonly { id: bigint; state: number; winner: string; dueAt: number | null }[]) {
    const stmt = this.db.prepare("UPDATE jobs SET state = ?, winner = ?, due_at = ? WHERE id = ? AND done = 0");
    this.tx(() => {
      for (const j of jobs) stmt.run(j.state, j.winner.toLowerCase(), j.dueAt, j.id.toString());
    });
  }

  /** Makes a job due at once: an event about it was synced. */
  wake(jobId: bigint) {
    this.db.prepare("UPDATE jobs SET due_at = 0 WHERE id = ? AND done = 0").run(jobId.toString());
  }

  /** How many jobs are due by chain time `now` (a gauge of the backlog a pass works through). */
  countDue(now: number): number {
    const row = this.db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE done = 0 AND due_at <= ?").get(now) as {
      n: number;
    };
    return row.n;
  }

  job(jobId: bigint): JobRow | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(jobId.toString()) as RawJob | undefined;
    return row && toJob(row);
  }

  countJobs(): { total: number; active: number } {
    const row = this.db.prepare("SELECT COUNT(*) AS total, SUM(done = 0) AS active FROM jobs").get() as {
      total: number;
      active: number | null;
    };
    return { total: row.total, active: row.active ?? 0 };
  }

  recordCommit(jobId: bigint, round: number, bidder: string, blockNumber: bigint) {
    this.db
      .prepare("INSERT OR IGNORE INTO commits (job_id, round, bidder, block_number) VALUES (?, ?, ?, ?)")
      .run(jobId.toString(), round, bidder.toLowerCase(), Number(blockNumber));
  }

  recordReveal(jobId: bigint, round: number, bidder: string) {
    this.db
      .prepare("UPDATE commits SET revealed = 1 WHERE job_id = ? AND round = ? AND bidder = ?")
      .run(jobId.toString(), round, bidder.toLowerCase());
  }

  /** Bidders of a job who committed in `round` and have not revealed or been forfeited. */
  unrevealed(jobId: bigint): { round: number; bidder: `0x${string}` }[] {
    return this.db
      .prepare("SELECT round, bidder FROM commits WHERE job_id = ? AND revealed = 0")
      .all(jobId.toString()) as { round: number; bidder: `0x${string}` }[];
  }

  // ------------------------------------------------------------------ own bids and executions

  /** Persists a bid (with its secret salt) before its commitment is sent. */
  saveBid(bid: BidRow) {
    this.db
      .prepare("INSERT INTO bids (job_id, round, price, salt, commitment, created_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run(bid.jobId.toString(), bid.round, bid.price.toString(), bid.salt, bid.commitment, Date.now());
  }

  bid(jobId: bigint, round: number): BidRow | undefined {
    const row = this.db.prepare("SELECT * FROM bids WHERE job_id = ? AND round = ?").get(jobId.toString(), round) as
      { job_id: string; round: number; price: string; salt: `0x${string}`; commitment: `0x${string}` } | undefined;
    return (
      row && {
        jobId: BigInt(row.job_id),
        round: row.round,
        price: BigInt(row.price),
        salt: row.salt,
        commitment: row.commitment,
      }
    );
  }

  startExecution(jobId: bigint, round: number) {
    this.db
      .prepare("INSERT OR REPLACE INTO executions (job_id, round, status, started_at) VALUES (?, ?, 'running', ?)")
      .run(jobId.toString(), round, Date.now());
  }

  finishExecution(
    jobId: bigint,
    round: number,
    outcome: { result: Uint8Array; resultHash: `0x${string}` } | { error: string },
  ) {
    if ("error" in outcome) {
      this.db
        .prepare("UPDATE executions SET status = 'failed', error = ?, finished_at = ? WHERE job_id = ? AND round = ?")
        .run(outcome.error, Date.now(), jobId.toString(), round);
    } else {
      this.db
        .prepare(
          "UPDATE executions SET status = 'done', result = ?, result_hash = ?, finished_at = ? WHERE job_id = ? AND round = ?",
        )
        .run(Buffer.from(outcome.result), outcome.resultHash, Date.now(), jobId.toString(), round);
    }
  }

  /**
   * Records that running the job's spec failed in a way that running it again cannot change (a
   * trap, a bad module, a limit): the keeper never bids on that job or that spec hash again.
   */
  recordDeterministicFailure(f: { jobId: bigint; round: number; specHash: `0x${string}`; error: string }) {
    this.db
      .prepare("INSERT OR IGNORE INTO failures (job_id, round, spec_hash, error, failed_at) VALUES (?, ?, ?, ?, ?)")
      .run(f.jobId.toString(), f.round, f.specHash.toLowerCase(), f.error, Date.now());
  }

  /** The first deterministic failure recorded for this job, or else for any job with this spec hash. */
  deterministicFailure(jobId: bigint, specHash: `0x${string}`): { jobId: bigint; error: string } | undefined {
    const row = this.db
      .prepare(
        `SELECT job_id, error FROM failures WHERE job_id = ? OR spec_hash = ?
         ORDER BY job_id = ? DESC, failed_at LIMIT 1`,
      )
      .get(jobId.toString(), specHash.toLowerCase(), jobId.toString()) as { job_id: string; error: string } | undefined;
    return row && { jobId: BigInt(row.job_id), error: row.error };
  }

  execution(jobId: bigint, round: number): ExecutionRow | undefined {
    const row = this.db
      .prepare("SELECT * FROM executions WHERE job_id = ? AND round = ?")
      .get(jobId.toString(), round) as
      | {
          job_id: string;
          round: number;
          status: ExecutionRow["status"];
          result: Buffer | null;
          result_hash: `0x${string}` | null;
          error: string | null;
        }
      | undefined;
    return (
      row && {
        jobId: BigInt(row.job_id),
        round: row.round,
        status: row.status,
        result: row.result ? new Uint8Array(row.result) : null,
        resultHash: row.result_hash,
        error: row.error,
      }
    );
  }

  /**
   * Forgets executions left `running` by a previous process: they were interrupted, nothing was
   * sent for them, and they are deterministic, so the planner simply runs them again.
   */
  clearInterruptedExecutions(): number {
    return this.db.prepare("DELETE FROM executions WHERE status = 'running'").run().changes;
  }

  // ------------------------------------------------------------------ workflow steps to advance

  /** Notes a step the orchestrator reported Ready (a `StepReady` log); checked on chain before acting. */
  addReadyStep(workflowId: bigint, step: number, blockNumber: bigint) {
    this.db
      .prepare("INSERT OR REPLACE INTO ready_steps (workflow_id, step, block_number) VALUES (?, ?, ?)")
      .run(workflowId.toString(), step, Number(blockNumber));
  }

  readySteps(): { workflowId: bigint; step: number }[] {
    const rows = this.db.prepare("SELECT workflow_id, step FROM ready_steps ORDER BY block_number").all() as {
      workflow_id: string;
      step: number;
    }[];
    return rows.map((r) => ({ workflowId: BigInt(r.workflow_id), step: r.step }));
  }

  removeReadyStep(workflowId: bigint, step: number) {
    this.db.prepare("DELETE FROM ready_steps WHERE workflow_id = ? AND step = ?").run(workflowId.toString(), step);
  }

  // ------------------------------------------------------------------ transaction outbox

  /** Queues a transaction under a unique key; returns false if that step was queued before. */
  enqueue(item: {
    key: string;
    kind: string;
    jobId?: bigint;
    to: `0x${string}`;
    data: `0x${string}`;
    value?: bigint;
    notAfter?: number;
  }): boolean {
    const now = Date.now();
    const res = this.db
      .prepare(
        `INSERT OR IGNORE INTO outbox (key, kind, job_id, to_addr, data, value, status, created_at, updated_at, not_after)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      )
      .run(
        item.key,
        item.kind,
        item.jobId?.toString() ?? null,
        item.to,
        item.data,
        (item.value ?? 0n).toString(),
        now,
        now,
        item.notAfter ?? null,
      );
    return res.changes === 1;
  }

  hasStep(key: string): boolean {
    return this.db.prepare("SELECT 1 FROM outbox WHERE key = ?").get(key) !== undefined;
  }

  outboxByStatus(statuses: OutboxStatus[]): OutboxRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM outbox WHERE status IN (${statuses.map(() => "?").join(",")}) ORDER BY id`)
      .all(...statuses) as RawOutbox[];
    return rows.map(toOutbox);
  }

  outboxItem(key: string): OutboxRow | undefined {
    const row = this.db.prepare("SELECT * FROM outbox WHERE key = ?").get(key) as RawOutbox | undefined;
    return row && toOutbox(row);
  }

  setOutboxStatus(
    id: number,
    status: OutboxStatus,
    extra: { error?: string; nonce?: number; blockNumber?: bigint } = {},
  ) {
    this.db
      .prepare(
        `UPDATE outbox SET status = ?, error = COALESCE(?, error), nonce = COALESCE(?, nonce),
         block_number = COALESCE(?, block_number), updated_at = ? WHERE id = ?`,
      )
      .run(
        status,
        extra.error ?? null,
        extra.nonce ?? null,
        extra.blockNumber === undefined ? null : Number(extra.blockNumber),
        Date.now(),
        id,
      );
  }

  /**
   * Queues one `batch` row carrying `members` (queued steps already simulated) in a multicall,
   * and marks them `batched`, in one SQLite transaction: before anything is signed.
   */
  bundle(members: readonly OutboxRow[], batch: { to: `0x${string}`; data: `0x${string}` }): OutboxRow {
    return this.tx(() => {
      const key = `batch:${members.map((m) => m.id).join(",")}`;
      this.enqueue({ key, kind: "batch", to: batch.to, data: batch.data });
      const row = this.outboxItem(key)!;
      const mark = this.db.prepare("UPDATE outbox SET status = 'batched', batch_id = ?, updated_at = ? WHERE id = ?");
      for (const m of members) mark.run(row.id, Date.now(), m.id);
      return row;
    });
  }

  /** The steps a `batch` row carries, in order. */
  batchMembers(batchId: number): OutboxRow[] {
    const rows = this.db
      .prepare("SELECT * FROM outbox WHERE batch_id = ? AND status = 'batched' ORDER BY id")
      .all(batchId) as RawOutbox[];
    return rows.map(toOutbox);
  }

  /**
   * Settles the steps of a mined batch: `mined` with it; after a revert, queued again to be sent
   * one by one (each keeps `batchId`, so it is not bundled again), as one failing step reverts all.
   */
  settleBatch(batchId: number, ok: boolean, blockNumber: bigint) {
    this.tx(() => {
      for (const m of this.batchMembers(batchId)) {
        if (ok) this.setOutboxStatus(m.id, "mined", { blockNumber });
        else this.setOutboxStatus(m.id, "queued", { error: "its batch reverted; sending it alone" });
      }
    });
  }

  /** Records a signed transaction before it is broadcast, so a crash cannot lose its hash. */
  saveAttempt(a: Omit<AttemptRow, "sentBlock">) {
    this.tx(() => {
      this.db
        .prepare(
          "INSERT INTO attempts (hash, outbox_id, nonce, raw, max_fee, max_priority_fee, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .run(a.hash, a.outboxId, a.nonce, a.raw, a.maxFee.toString(), a.maxPriorityFee.toString(), Date.now());
      this.setOutboxStatus(a.outboxId, "signed", { nonce: a.nonce });
    });
  }

  markAttemptSent(hash: `0x${string}`, block: bigint) {
    this.db.prepare("UPDATE attempts SET sent_block = COALESCE(sent_block, ?) WHERE hash = ?").run(Number(block), hash);
  }

  /**
   * Moves the block an attempt counts as sent in up to `block` (never back): a pass that took
   * several blocks to broadcast its transactions stamps them with the head after it, so that the
   * wait before a fee bump counts from the broadcast, not from the start of the pass.
   */
  restampSent(hashes: readonly `0x${string}`[], block: bigint) {
    const stmt = this.db.prepare("UPDATE attempts SET sent_block = MAX(COALESCE(sent_block, 0), ?) WHERE hash = ?");
    this.tx(() => {
      for (const hash of hashes) stmt.run(Number(block), hash);
    });
  }

  attempts(outboxId: number): AttemptRow[] {
    const rows = this.db.prepare("SELECT * FROM attempts WHERE outbox_id = ? ORDER BY signed_at").all(outboxId) as {
      hash: `0x${string}`;
      outbox_id: number;
      nonce: number;
      raw: `0x${string}`;
      max_fee: string;
      max_priority_fee: string;
      sent_block: number | null;
    }[];
    return rows.map((r) => ({
      hash: r.hash,
      outboxId: r.outbox_id,
      nonce: r.nonce,
      raw: r.raw,
      maxFee: BigInt(r.max_fee),
      maxPriorityFee: BigInt(r.max_priority_fee),
      sentBlock: r.sent_block === null ? null : BigInt(r.sent_block),
    }));
  }

  /** Highest nonce this keeper has signed, or -1. */
  maxNonce(): number {
    const row = this.db.prepare("SELECT MAX(nonce) AS n FROM attempts").get() as { n: number | null };
    return row.n ?? -1;
  }

  /** Counts of outbox items by status, for metrics and `status`. */
  outboxCounts(): Record<string, number> {
    const rows = this.db.prepare("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status").all() as {
      status: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Whether a step whose key starts with `prefix` is still on its way (queued, signed or sent). */
  hasOpenStep(prefix: string): boolean {
    return (
      this.db
        .prepare(`SELECT 1 FROM outbox WHERE key >= ? AND key < ? AND status IN ('queued', 'signed', 'sent') LIMIT 1`)
        .get(prefix, `${prefix}\uffff`) !== undefined
    );
  }

  // ------------------------------------------------------------------ automation

  /** Last block whose registry and trigger logs are applied, or undefined before the first sync. */
  automationCursor(): bigint | undefined {
    const v = this.getMeta("automation_cursor");
    return v === undefined ? undefined : BigInt(v);
  }

  /** Moves the automation cursor to `block`, recording the hashes of the newest blocks read. */
  setAutomationCursor(block: bigint, recent: readonly { number: bigint; hash: `0x${string}` }[]) {
    this.setMeta("automation_cursor", block.toString());
    const put = this.db.prepare("INSERT OR REPLACE INTO automation_blocks (number, hash) VALUES (?, ?)");
    for (const b of recent) put.run(Number(b.number), b.hash);
    this.db.prepare("DELETE FROM automation_blocks WHERE number < ?").run(Number(block) - 64);
  }

  /** Recorded automation block hashes, newest first. */
  automationBlocks(): { number: bigint; hash: `0x${string}` }[] {
    const rows = this.db.prepare("SELECT number, hash FROM automation_blocks ORDER BY number DESC").all() as {
      number: number;
      hash: `0x${string}`;
    }[];
    return rows.map((r) => ({ number: BigInt(r.number), hash: r.hash }));
  }

  /**
   * Forgets the upkeeps and trigger logs learnt from blocks after `block` (a reorg replaced them);
   * they are read again from the chain as it now is.
   */
  rollbackAutomation(block: bigint) {
    this.tx(() => {
      const n = Number(block);
      this.db.prepare("DELETE FROM upkeep_logs WHERE block_number > ?").run(n);
      this.db.prepare("DELETE FROM upkeeps WHERE block_number > ?").run(n);
      this.db.prepare("DELETE FROM automation_blocks WHERE number > ?").run(n);
      this.setMeta("automation_cursor", block.toString());
    });
  }

  addUpkeep(u: UpkeepRow) {
    this.db
      .prepare("INSERT OR IGNORE INTO upkeeps (id, kind, filter, check_data, block_number) VALUES (?, ?, ?, ?, ?)")
      .run(u.id.toString(), u.kind, u.filter, u.checkData, Number(u.blockNumber));
  }

  /** The upkeeps still served (not canceled with every lease of this keeper closed), by id. */
  upkeeps(): UpkeepRow[] {
    const rows = this.db.prepare("SELECT * FROM upkeeps WHERE done = 0 ORDER BY CAST(id AS INTEGER)").all() as {
      id: string;
      kind: number;
      filter: string | null;
      check_data: `0x${string}`;
      block_number: number;
    }[];
    return rows.map((r) => ({
      id: BigInt(r.id),
      kind: r.kind,
      filter: r.filter,
      checkData: r.check_data,
      blockNumber: BigInt(r.block_number),
    }));
  }

  markUpkeepDone(id: bigint) {
    this.db.prepare("UPDATE upkeeps SET done = 1 WHERE id = ?").run(id.toString());
  }

  addUpkeepLog(l: UpkeepLogRow) {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO upkeep_logs (upkeep_id, position, block_hash, block_number, log_index, tx_hash, source,
         topics, data, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        l.upkeepId.toString(),
        Number(l.position),
        l.blockHash,
        Number(l.blockNumber),
        l.logIndex,
        l.txHash,
        l.source,
        JSON.stringify(l.topics),
        l.data,
        l.timestamp,
      );
  }

  /** The pending trigger logs of an upkeep after the registry's cursor `after`, oldest first. */
  pendingUpkeepLogs(upkeepId: bigint, after: bigint, limit: number): UpkeepLogRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM upkeep_logs WHERE upkeep_id = ? AND position > ? AND status = 'pending'
         ORDER BY position LIMIT ?`,
      )
      .all(upkeepId.toString(), Number(after), limit) as {
      position: number;
      block_hash: `0x${string}`;
      block_number: number;
      log_index: number;
      tx_hash: `0x${string}`;
      source: `0x${string}`;
      topics: string;
      data: `0x${string}`;
      timestamp: number;
    }[];
    return rows.map((r) => ({
      upkeepId,
      position: BigInt(r.position),
      blockHash: r.block_hash,
      blockNumber: BigInt(r.block_number),
      logIndex: r.log_index,
      txHash: r.tx_hash,
      source: r.source,
      topics: JSON.parse(r.topics) as `0x${string}`[],
      data: r.data,
      timestamp: r.timestamp,
    }));
  }

  /** Marks a trigger log handled without a perform (`checkLog` said no, or it was performed). */
  setUpkeepLogStatus(upkeepId: bigint, position: bigint, status: "skipped" | "performed") {
    this.db
      .prepare("UPDATE upkeep_logs SET status = ? WHERE upkeep_id = ? AND position = ?")
      .run(status, upkeepId.toString(), Number(position));
  }

  /** Drops the trigger logs at or before the registry's cursor: they can never be performed again. */
  pruneUpkeepLogs(upkeepId: bigint, cursor: bigint) {
    this.db
      .prepare("DELETE FROM upkeep_logs WHERE upkeep_id = ? AND position <= ?")
      .run(upkeepId.toString(), Number(cursor));
  }

  saveLeaseBid(b: LeaseBidRow) {
    this.db
      .prepare(
        "INSERT INTO lease_bids (upkeep_id, epoch, premium, salt, commitment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(b.upkeepId.toString(), b.epoch, b.premium.toString(), b.salt, b.commitment, Date.now());
  }

  leaseBid(upkeepId: bigint, epoch: number): LeaseBidRow | undefined {
    const r = this.db
      .prepare("SELECT * FROM lease_bids WHERE upkeep_id = ? AND epoch = ?")
      .get(upkeepId.toString(), epoch) as
      { premium: string; salt: `0x${string}`; commitment: `0x${string}` } | undefined;
    return r && { upkeepId, epoch, premium: BigInt(r.premium), salt: r.salt, commitment: r.commitment };
  }

  /** The lease bids not yet seen through (won and not closed, or their auction not over). */
  openLeaseBids(): LeaseBidRow[] {
    const rows = this.db.prepare("SELECT * FROM lease_bids WHERE done = 0 ORDER BY epoch").all() as {
      upkeep_id: string;
      epoch: number;
      premium: string;
      salt: `0x${string}`;
      commitment: `0x${string}`;
    }[];
    return rows.map((r) => ({
      upkeepId: BigInt(r.upkeep_id),
      epoch: r.epoch,
      premium: BigInt(r.premium),
      salt: r.salt,
      commitment: r.commitment,
    }));
  }

  finishLeaseBid(upkeepId: bigint, epoch: number) {
    this.db.prepare("UPDATE lease_bids SET done = 1 WHERE upkeep_id = ? AND epoch = ?").run(upkeepId.toString(), epoch);
  }

  /** Lease bids placed for `epoch`. */
  countLeaseBids(epoch: number): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM lease_bids WHERE epoch = ?").get(epoch) as { n: number }).n;
  }

  /** Every step key ever queued, in order (tests use it to prove nothing is sent twice). */
  stepKeys(): string[] {
    return (this.db.prepare("SELECT key FROM outbox ORDER BY id").all() as { key: string }[]).map((r) => r.key);
  }
}

type RawJob = {
  id: string;
  terms: string;
  spec_hash: `0x${string}`;
  spec: Buffer;
  block_number: number;
  decision: string | null;
  done: number;
  result_hash: `0x${string}` | null;
};
type RawOutbox = {
  id: number;
  key: string;
  kind: string;
  job_id: string | null;
  to_addr: `0x${string}`;
  data: `0x${string}`;
  value: string;
  status: OutboxStatus;
  nonce: number | null;
  error: string | null;
  batch_id: number | null;
  not_after: number | null;
};

function toJob(r: RawJob): JobRow {
  return {
    id: BigInt(r.id),
    terms: r.terms,
    specHash: r.spec_hash,
    spec: new Uint8Array(r.spec),
    blockNumber: BigInt(r.block_number),
    decision: r.decision,
    done: r.done === 1,
    resultHash: r.result_hash ?? null,
  };
}

function toOutbox(r: RawOutbox): OutboxRow {
  return {
    id: r.id,
    key: r.key,
    kind: r.kind,
    jobId: r.job_id === null ? null : BigInt(r.job_id),
    to: r.to_addr,
    data: r.data,
    value: BigInt(r.value),
    status: r.status,
    nonce: r.nonce,
    error: r.error,
    batchId: r.batch_id ?? null,
    notAfter: r.not_after ?? null,
  };
}
