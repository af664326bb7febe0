import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Store } from "../src/store.js";

const TO = "0x00000000000000000000000000000000000000aa" as const;

describe("Store", () => {
  it("keeps upkeeps, their trigger logs and lease bids, and forgets what a reorg replaced", () => {
    const s = new Store(":memory:");
    s.addUpkeep({ id: 1n, kind: 3, filter: "{}", checkData: "0x", blockNumber: 10n });
    s.addUpkeep({ id: 2n, kind: 0, filter: null, checkData: "0xab", blockNumber: 20n });
    const log = (block: bigint, index: number) => ({
      upkeepId: 1n,
      position: ((block << 24n) | BigInt(index)) + 1n,
      blockHash: `0x${block.toString(16).padStart(64, "0")}` as const,
      blockNumber: block,
      logIndex: index,
      txHash: `0x${"ee".repeat(32)}` as const,
      source: TO,
      topics: [`0x${"11".repeat(32)}` as const],
      data: "0x" as const,
      timestamp: 1_000,
    });
    s.tx(() => {
      for (const l of [log(11n, 0), log(11n, 3), log(21n, 1)]) s.addUpkeepLog(l);
      s.setAutomationCursor(21n, [{ number: 21n, hash: `0x${"21".repeat(32)}` }]);
    });
    // Pending logs come in order, after the registry's cursor; a performed position is pruned.
    expect(s.pendingUpkeepLogs(1n, 0n, 10).map((l) => l.logIndex)).toEqual([0, 3, 1]);
    s.pruneUpkeepLogs(1n, log(11n, 0).position);
    expect(s.pendingUpkeepLogs(1n, 0n, 10).map((l) => l.position)).toEqual([
      log(11n, 3).position,
      log(21n, 1).position,
    ]);
    s.setUpkeepLogStatus(1n, log(11n, 3).position, "skipped");
    expect(s.pendingUpkeepLogs(1n, 0n, 1)[0]!.position).toBe(log(21n, 1).position);
    // A reorg back to block 15 forgets upkeep 2 and the log of block 21, to be read again.
    s.rollbackAutomation(15n);
    expect(s.automationCursor()).toBe(15n);
    expect(s.upkeeps().map((u) => u.id)).toEqual([1n]);
    expect(s.pendingUpkeepLogs(1n, 0n, 10)).toEqual([]);
    expect(s.automationBlocks()).toEqual([]);

    s.saveLeaseBid({
      upkeepId: 1n,
      epoch: 5,
      premium: 7n,
      salt: `0x${"5a".repeat(32)}`,
      commitment: `0x${"c0".repeat(32)}`,
    });
    expect(s.leaseBid(1n, 5)).toMatchObject({ premium: 7n });
    expect(s.countLeaseBids(5)).toBe(1);
    // A bid is stored once: a second one for the same epoch would be a second commitment.
    expect(() =>
      s.saveLeaseBid({
        upkeepId: 1n,
        epoch: 5,
        premium: 8n,
        salt: `0x${"5b".repeat(32)}`,
        commitment: `0x${"c1".repeat(32)}`,
      }),
    ).toThrow(/UNIQUE/);
    s.finishLeaseBid(1n, 5);
    expect(s.openLeaseBids()).toEqual([]);
    s.markUpkeepDone(1n);
    expect(s.upkeeps()).toEqual([]);
  });

  it("tells whether a step with a key prefix is still on its way", () => {
    const s = new Store(":memory:");
    s.enqueue({ key: "perform:1:block:10", kind: "perform", to: TO, data: "0x" });
    expect(s.hasOpenStep("perform:1:")).toBe(true);
    expect(s.hasOpenStep("perform:11:")).toBe(false);
    s.setOutboxStatus(s.outboxItem("perform:1:block:10")!.id, "mined");
    expect(s.hasOpenStep("perform:1:")).toBe(false);
  });

  it("queues each step at most once, across restarts", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "keeper-store-")), "k.db");
    const a = new Store(file);
    expect(a.enqueue({ key: "commit:1:0", kind: "commit", jobId: 1n, to: TO, data: "0x01" })).toBe(true);
    expect(a.enqueue({ key: "commit:1:0", kind: "commit", jobId: 1n, to: TO, data: "0x02" })).toBe(false);
    a.close();
    const b = new Store(file);
    expect(b.hasStep("commit:1:0")).toBe(true);
    expect(b.enqueue({ key: "commit:1:0", kind: "commit", jobId: 1n, to: TO, data: "0x03" })).toBe(false);
    expect(b.stepKeys()).toEqual(["commit:1:0"]);
    b.close();
  });

  it("remembers deterministic failures by job and by spec hash, across restarts", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "keeper-store-")), "k.db");
    const spec = `0x${"5a".repeat(32)}` as const;
    const other = `0x${"5b".repeat(32)}` as const;
    const a = new Store(file);
    expect(a.deterministicFailure(1n, spec)).toBeUndefined();
    a.recordDeterministicFailure({ jobId: 1n, round: 0, specHash: spec, error: "TRAP: unreachable" });
    a.close();
    const b = new Store(file);
    expect(b.deterministicFailure(1n, other)).toEqual({ jobId: 1n, error: "TRAP: unreachable" });
    expect(b.deterministicFailure(2n, spec.toUpperCase().replace("0X", "0x") as `0x${string}`)).toEqual({
      jobId: 1n,
      error: "TRAP: unreachable",
    });
    expect(b.deterministicFailure(2n, other)).toBeUndefined();
    // A job's own failure comes first.
    b.recordDeterministicFailure({ jobId: 2n, round: 1, specHash: spec, error: "MEMORY: out of memory" });
    expect(b.deterministicFailure(2n, spec)).toEqual({ jobId: 2n, error: "MEMORY: out of memory" });
    b.close();
  });

  it("keeps the workflow steps reported Ready until they are dealt with", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "keeper-store-")), "k.db");
    const a = new Store(file);
    a.addReadyStep(3n, 1, 10n);
    a.addReadyStep(2n, 0, 9n);
    a.addReadyStep(3n, 1, 11n);
    a.close();
    const b = new Store(file);
    expect(b.readySteps()).toEqual([
      { workflowId: 2n, step: 0 },
      { workflowId: 3n, step: 1 },
    ]);
    b.removeReadyStep(2n, 0);
    expect(b.readySteps()).toEqual([{ workflowId: 3n, step: 1 }]);
    b.close();
  });

  it("keeps a bid's salt and a signed transaction durable before anything is sent", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "keeper-store-")), "k.db");
    const a = new Store(file);
    const salt = `0x${"ab".repeat(32)}` as const;
    a.tx(() => {
      a.saveBid({ jobId: 7n, round: 0, price: 5n, salt, commitment: `0x${"cd".repeat(32)}` });
      a.enqueue({ key: "commit:7:0", kind: "commit", jobId: 7n, to: TO, data: "0x" });
    });
    const item = a.outboxItem("commit:7:0")!;
    a.saveAttempt({
      hash: `0x${"ef".repeat(32)}`,
      outboxId: item.id,
      nonce: 3,
      raw: "0x02",
      maxFee: 10n,
      maxPriorityFee: 1n,
    });
    a.close();
    const b = new Store(file);
    expect(b.bid(7n, 0)).toMatchObject({ price: 5n, salt });
    expect(b.outboxItem("commit:7:0")).toMatchObject({ status: "signed", nonce: 3 });
    expect(b.attempts(item.id)).toHaveLength(1);
    expect(b.maxNonce()).toBe(3);
    b.close();
  });

  it("rolls back what it learnt from blocks replaced by a reorg, but keeps jobs it bid on", () => {
    const s = new Store(":memory:");
    s.upsertJob({ id: 1n, terms: "{}", specHash: "0x00", spec: new Uint8Array(), blockNumber: 10n });
    s.upsertJob({ id: 2n, terms: "{}", specHash: "0x00", spec: new Uint8Array(), blockNumber: 20n });
    s.upsertJob({ id: 3n, terms: "{}", specHash: "0x00", spec: new Uint8Array(), blockNumber: 21n });
    s.saveBid({ jobId: 3n, round: 0, price: 1n, salt: "0x01", commitment: "0x02" });
    s.recordCommit(2n, 0, TO, 20n);
    s.setCursor(20n, "0xaaa");
    s.setCursor(21n, "0xbbb");
    s.rollbackTo(15n, "0x15");
    expect(s.activeJobs().map((j) => j.id)).toEqual([1n, 3n]);
    expect(s.unrevealed(2n)).toEqual([]);
    expect(s.cursor()).toBe(15n);
    expect(s.blockHash(20n)).toBeUndefined();
  });

  it("keeps each job's standing result hash, and forgets one learnt in a replaced block", () => {
    const s = new Store(":memory:");
    s.upsertJob({ id: 1n, terms: "{}", specHash: "0x00", spec: new Uint8Array(), blockNumber: 10n });
    s.upsertJob({ id: 2n, terms: "{}", specHash: "0x00", spec: new Uint8Array(), blockNumber: 10n });
    expect(s.job(1n)?.resultHash).toBeNull();
    s.setResultHash(1n, "0xaa", 12n);
    s.setResultHash(2n, "0xbb", 18n);
    expect(s.activeJobs().map((j) => j.resultHash)).toEqual(["0xaa", "0xbb"]);
    // A lost dispute takes the result down.
    s.setResultHash(1n, null, 13n);
    expect(s.job(1n)?.resultHash).toBeNull();
    s.setResultHash(1n, "0xcc", 14n);
    s.rollbackTo(15n, "0x15");
    expect(s.job(1n)?.resultHash).toBe("0xcc");
    expect(s.job(2n)?.resultHash).toBeNull();
  });

  it("reads only the jobs that are due or held: the working set does not grow with history", () => {
    const s = new Store(":memory:");
    const add = (id: bigint) =>
      s.upsertJob({ id, terms: "{}", specHash: "0x00", spec: new Uint8Array(), blockNumber: 1n });
    for (let id = 1n; id <= 6n; id++) add(id);
    const OPEN = [1, 2];
    // Newly synced jobs are all due at once, the newest first and at most `limit` of them.
    expect(s.workingSet(1000, 4, OPEN, TO).map((j) => j.id)).toEqual([3n, 4n, 5n, 6n]);
    // After a pass: 1 is Unfilled with nothing ahead, 2 due at 1,100, 3 bid on and revealing, 4 won
    // by this keeper, 5 lost to another bidder, 6 due again next pass.
    s.saveBid({ jobId: 3n, round: 0, price: 1n, salt: "0x01", commitment: "0x02" });
    s.saveBid({ jobId: 4n, round: 0, price: 1n, salt: "0x01", commitment: "0x02" });
    s.saveBid({ jobId: 5n, round: 0, price: 1n, salt: "0x01", commitment: "0x02" });
    s.observe([
      { id: 1n, state: 4, winner: "0x00", dueAt: null },
      { id: 2n, state: 1, winner: "0x00", dueAt: 1100 },
      { id: 3n, state: 2, winner: "0x00", dueAt: 5000 },
      { id: 4n, state: 5, winner: TO.toUpperCase().replace("0X", "0x"), dueAt: 5000 },
      { id: 5n, state: 5, winner: "0x00000000000000000000000000000000000000bb", dueAt: 5000 },
      { id: 6n, state: 1, winner: "0x00", dueAt: 1000 },
    ]);
    expect(s.workingSet(1050, 4, OPEN, TO).map((j) => j.id)).toEqual([3n, 4n, 6n]);
    // The earliest due first: with room for one, 6 (due at 1,000) before 2 (due at 1,100).
    expect(s.workingSet(1100, 1, OPEN, TO).map((j) => j.id)).toEqual([3n, 4n, 6n]);
    expect(s.workingSet(1100, 2, OPEN, TO).map((j) => j.id)).toEqual([2n, 3n, 4n, 6n]);
    expect(s.countDue(1100)).toBe(2);
    // An event wakes a job; a job that is done stays done.
    s.wake(1n);
    s.markDone(6n);
    s.wake(6n);
    expect(s.workingSet(1050, 4, OPEN, TO).map((j) => j.id)).toEqual([1n, 3n, 4n]);
    // A reorg makes every job due again: what the replaced blocks did is unknown until resynced.
    s.rollbackTo(1n, undefined);
    expect(s.workingSet(1050, 10, OPEN, TO).map((j) => j.id)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  it("adds the result hash to a store an older keeper wrote", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "store-migrate-"));
    const file = path.join(dir, "old.db");
    const old = new Database(file);
    old.exec(`CREATE TABLE jobs (id TEXT PRIMARY KEY, terms TEXT NOT NULL, spec_hash TEXT NOT NULL,
      spec BLOB NOT NULL, block_number INTEGER NOT NULL, decision TEXT, done INTEGER NOT NULL DEFAULT 0)`);
    old.prepare("INSERT INTO jobs (id, terms, spec_hash, spec, block_number) VALUES ('5', '{}', '0x00', x'', 3)").run();
    old.close();
    const s = new Store(file);
    expect(s.job(5n)).toMatchObject({ id: 5n, resultHash: null });
    // The older keeper's jobs join the working set, due at once.
    expect(s.workingSet(0, 10, [1, 2], TO).map((j) => j.id)).toEqual([5n]);
    s.setResultHash(5n, "0xdd", 4n);
    expect(s.job(5n)?.resultHash).toBe("0xdd");
    s.close();
  });

  it("keeps an older keeper's queued steps, with no window, and records a window for new ones", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "store-migrate-"));
    const file = path.join(dir, "old.db");
    const old = new Database(file);
    old.exec(`CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL, job_id TEXT, to_addr TEXT NOT NULL, data TEXT NOT NULL, value TEXT NOT NULL DEFAULT '0',
      status TEXT NOT NULL, nonce INTEGER, error TEXT, block_number INTEGER, created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL)`);
    old
      .prepare(
        `INSERT INTO outbox (key, kind, to_addr, data, status, created_at, updated_at)
         VALUES ('settle:1', 'settle', '${TO}', '0x', 'queued', 1, 1)`,
      )
      .run();
    old.close();
    const s = new Store(file);
    expect(s.outboxItem("settle:1")).toMatchObject({ status: "queued", batchId: null, notAfter: null });
    s.enqueue({ key: "commit:2", kind: "commit", jobId: 2n, to: TO, data: "0x", notAfter: 1_700 });
    expect(s.outboxItem("commit:2")?.notAfter).toBe(1_700);
    s.close();
  });

  it("forgets executions a crash interrupted, and keeps finished ones", () => {
    const s = new Store(":memory:");
    s.startExecution(1n, 0);
    s.startExecution(2n, 0);
    s.finishExecution(2n, 0, { result: new Uint8Array([1]), resultHash: "0x01" });
    expect(s.clearInterruptedExecutions()).toBe(1);
    expect(s.execution(1n, 0)).toBeUndefined();
    expect(s.execution(2n, 0)?.status).toBe("done");
  });
});
