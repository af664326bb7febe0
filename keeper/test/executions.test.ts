import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { Executions, type ExecutableJob } from "../src/executions.js";
import type { Executor } from "../src/executors/index.js";
import { Metrics } from "../src/metrics.js";
import { Store } from "../src/store.js";

/** An executor whose runs end only when the test releases them, one by one. */
function heldExecutor() {
  const waiting: (() => void)[] = [];
  const executor: Executor = {
    kind: "wasm",
    execute: () => new Promise((resolve) => waiting.push(() => resolve({ output: "done" }))),
  };
  return { executor, waiting, started: () => waiting.length };
}

function job(id: bigint): ExecutableJob {
  return {
    id,
    terms: { executionWindow: 600 },
    chain: { revealDeadline: 1_000, now: 1_000 },
    spec: { ok: true, spec: { kind: "wasm" } } as unknown as ExecutableJob["spec"],
  };
}

describe("Executions", () => {
  it("runs at most maxExecutions at once, whatever the capacity; a waiting job starts when one ends", async () => {
    const store = new Store(":memory:");
    for (const id of [1n, 2n, 3n]) {
      store.upsertJob({ id, terms: "{}", specHash: "0x00", spec: new Uint8Array(), blockNumber: 1n });
    }
    const held = heldExecutor();
    const executions = new Executions(
      store,
      new Map([["wasm", held.executor]]),
      { maxExecutions: 2, executionRetry: { baseDelayMs: 10, maxDelayMs: 10, submitMarginSec: 0 } },
      new Metrics(),
      pino({ level: "silent" }),
      new AbortController().signal,
    );
    expect(executions.start(job(1n), 0)).toBe(true);
    expect(executions.start(job(2n), 0)).toBe(true);
    // A third won job waits: nothing recorded for it, so the next pass's plan asks again.
    expect(executions.start(job(3n), 0)).toBe(false);
    expect(store.execution(3n, 0)).toBeUndefined();
    // Asking again for a running one neither starts it twice nor counts it twice.
    expect(executions.start(job(1n), 0)).toBe(true);
    expect(executions.size).toBe(2);

    held.waiting.shift()!();
    for (let i = 0; i < 100 && executions.size > 1; i++) await new Promise((r) => setTimeout(r, 5));
    expect(store.execution(1n, 0)?.status).toBe("done");
    expect(executions.start(job(3n), 0)).toBe(true);
    expect(executions.size).toBe(2);
    for (const release of held.waiting.splice(0)) release();
    await executions.settle(1_000);
    expect(store.execution(3n, 0)?.status).toBe("done");
    store.close();
  });
});
