import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeFunctionData, type Hex } from "viem";
import { jobMarketAbi } from "@baton/sdk";
import { S, TERMINAL } from "../src/plan.js";
import { OPEN_OUTBOX } from "../src/store.js";
import { account } from "@baton/testkit/devnet";
import { startKeeperNetwork, runKeeper, waitFor, wasmSpec, type KeeperNetwork } from "./helpers/market.js";
import { FAULT_KINDS, RpcProxy, seededRandom, type FaultKind, type FaultMode } from "./helpers/rpc-proxy.js";

// Keepers whose only JSON-RPC endpoint misbehaves: every request crosses a proxy that drops
// connections, answers late, fails with HTTP 5xx, lags behind the head and answers out of order,
// each in turn and then in a seeded random mix.
// Whatever it does, the chain must show every job settled, every step each keeper owes taken,
// and no step taken twice. RPC_FAULT_SEED=<n> draws a run's faults again (the keepers' timing,
// and so which requests they hit, still varies).

const KEEPERS = [2, 3];
// A commit window of 15 s: under 30% of requests dropped, delayed or failed, a keeper's commit can
// take several passes to get through (a failed broadcast waits for the next block), and the
// phases around a job posted at a phase's start must not decide whether it can be bid on at all.
const WINDOWS = { commitWindow: 15, revealWindow: 8, executionWindow: 30, challengeWindow: 3 };
/** How long the drop, delay, 5xx and reorder phases last; one job is posted as each begins. */
const PHASE_MS = 6_000;
/** The seeded mix at the end: a random mode every MIX_STEP_MS, for MIX_STEPS steps. */
const MIX_STEP_MS = 1_000;
const MIX_STEPS = 10;

const MODES: Record<FaultKind, FaultMode> = {
  drop: { kind: "drop", rate: 0.3 },
  delay: { kind: "delay", rate: 0.3, minMs: 100, maxMs: 800 },
  http5xx: { kind: "http5xx", rate: 0.3 },
  // A node lagging behind (as after a failover): an old head, and no newer block found.
  staleHead: { kind: "staleHead", rate: 1, lag: 4 },
  reorder: { kind: "reorder", holdMs: 150, maxHeld: 3 },
};
/** The mix's modes: a load balancer that sends most requests, not all, to the lagging node. */
const MIX_MODES: Record<FaultKind, FaultMode> = { ...MODES, staleHead: { kind: "staleHead", rate: 0.7, lag: 4 } };

const pause = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

const seed = Number(process.env.RPC_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
let network: KeeperNetwork | undefined;
let proxy: RpcProxy | undefined;
const dir = mkdtempSync(path.join(tmpdir(), "keeper-rpcfaults-"));

beforeAll(async () => {
  network = await startKeeperNetwork(KEEPERS);
  proxy = await RpcProxy.start(network.net.url, seed);
});

afterAll(async () => {
  await proxy?.close();
  await network?.stop();
});

/** A keeper's transaction to the market, as the chain recorded it. */
type SentStep = { fn: string; jobId: bigint; args: readonly unknown[]; block: bigint; index: number };

describe("keepers behind a faulty RPC endpoint", () => {
  // About 80 s on two cores: the phases take 60 s, the last job settles some 20 s later.
  it("settle every job, lose no step and send none twice", async () => {
    const { net, dep, baton, modules } = network!;
    const rpc = proxy!;
    const random = seededRandom(seed ^ 0x5eed);
    console.log(`rpc faults seed ${seed} (RPC_FAULT_SEED=${seed} draws the same faults)`);
    const started = Date.now();

    // HTTP only, through the proxy: no wsUrl, so every request the keepers make can be hit.
    const keepers = KEEPERS.map((k) => runKeeper(baton.keeperConfig(dir, k, { rpcUrls: [rpc.url], capacity: 10 }), k));
    const jobs: bigint[] = [];
    /** Posts a job through the node itself; returns when it is mined. */
    const post = async () => {
      const terms = await baton.terms(WINDOWS);
      const spec = wasmSpec(modules, "wordfreq", `job ${jobs.length}: to be or not to be`);
      jobs.push((await baton.post(terms, spec)).jobId);
      return Date.now();
    };
    try {
      // The fault modes in turn, a job posted as each begins.
      await rpc.setMode(MODES.drop);
      await post();
      await pause(PHASE_MS);
      await rpc.setMode(MODES.delay);
      await post();
      await pause(PHASE_MS);
      await rpc.setMode(MODES.http5xx);
      const posted = await post();
      // The lagging node takes over from just before that job's reveal window opens until after it
      // closes: the keepers must reveal through it (and learn of no new job meanwhile).
      await pause(posted + (WINDOWS.commitWindow - 3) * 1000 - Date.now());
      await rpc.setMode(MODES.staleHead);
      await pause((WINDOWS.revealWindow + 6) * 1000);
      await rpc.setMode(MODES.reorder);
      await post();
      await pause(PHASE_MS);
      // Then a seeded mix: a different random mode each second, one more job early in it.
      let previous: FaultKind = "reorder";
      for (let step = 0; step < MIX_STEPS; step++) {
        const choices = FAULT_KINDS.filter((k) => k !== previous);
        previous = choices[Math.floor(random() * choices.length)];
        await rpc.setMode(MIX_MODES[previous]);
        if (step === 1) await post();
        await pause(MIX_STEP_MS);
      }
      await rpc.setMode({ kind: "pass" });
      console.log(`faults injected in ${Date.now() - started} ms:`, JSON.stringify(rpc.stats));

      // Every job settles (with these windows and honest keepers nothing else is prescribed).
      await waitFor(
        async () => {
          const states = await Promise.all(jobs.map((j) => baton.jobState(j)));
          // A job left unfilled or ended otherwise will not settle any more: fail now, not at the timeout.
          if (states.some((s) => s === S.Unfilled || (TERMINAL.has(s) && s !== S.Settled)))
            throw new Error(`a job can no longer settle: states ${states.join(", ")}`);
          return states.every((s) => s === S.Settled);
        },
        90_000,
        "every job to settle",
      );
      // Let the keepers finish what they still have on their way, so that a late duplicate shows.
      await waitFor(
        async () => keepers.every((k) => k.keeper.store.outboxByStatus(OPEN_OUTBOX).length === 0),
        30_000,
        "the keepers' transactions to be mined",
      );
      await pause(3_000);
    } finally {
      await Promise.all(keepers.map((k) => k.stop()));
    }
    console.log(`run took ${Date.now() - started} ms`);

    // The proxy really misbehaved, in every way.
    for (const kind of FAULT_KINDS) expect(rpc.stats.faults[kind], `${kind} faults injected`).toBeGreaterThan(0);

    // What the chain recorded: events, and every transaction each keeper sent to the market.
    const events = (await baton.events()) as unknown as {
      eventName: string;
      args: { jobId: bigint; bidder?: string; worker?: string; round?: number };
      blockNumber: bigint;
      transactionIndex: number;
    }[];
    const of = (name: string, jobId: bigint) => events.filter((e) => e.eventName === name && e.args.jobId === jobId);
    const sent = new Map<string, SentStep[]>(KEEPERS.map((k) => [account(k).address.toLowerCase(), []]));
    const head = await net.publicClient.getBlockNumber({ cacheTime: 0 });
    for (let b = dep.deploymentBlock; b <= head; b++) {
      const block = await net.publicClient.getBlock({ blockNumber: b, includeTransactions: true });
      for (const tx of block.transactions) {
        const mine = sent.get(tx.from.toLowerCase());
        if (!mine || tx.to?.toLowerCase() !== dep.market.toLowerCase()) continue;
        const d = decodeFunctionData({ abi: jobMarketAbi, data: tx.input as Hex });
        const args = d.args ?? [];
        mine.push({
          fn: d.functionName,
          jobId: args[0] as bigint,
          args,
          block: b,
          index: tx.transactionIndex!,
        });
      }
    }
    /** The job's round when the transaction ran: 0, or the latest reopening before it in the chain. */
    const roundAt = (s: SentStep) =>
      of("JobReopened", s.jobId)
        .filter((e) => e.blockNumber < s.block || (e.blockNumber === s.block && e.transactionIndex < s.index))
        .reduce((r, e) => Math.max(r, Number(e.args.round)), 0);
    const stepKey = (s: SentStep) =>
      s.fn === "forfeitUnrevealed"
        ? `${s.fn}:${s.jobId}:${String(s.args[3])}:${String(s.args[4]).toLowerCase()}`
        : `${s.fn}:${s.jobId}:${roundAt(s)}`;

    for (const [i, k] of KEEPERS.entries()) {
      const address = account(k).address.toLowerCase();
      const keys = sent.get(address)!.map(stepKey);
      // At most once per (job, round, keeper): a step is never signed again under a new nonce.
      expect(new Set(keys).size, `keeper ${k} sent a step twice: ${keys.join(" ")}`).toBe(keys.length);
      // The chain had no reorg, so the keeper must not have seen one in its RPC's faults.
      const reorgs = (await keepers[i].keeper.metrics.reorgs.get()).values[0]?.value ?? 0;
      expect(reorgs, `keeper ${k} reorgs`).toBe(0);
      for (const jobId of jobs) {
        // Both keepers bid on every job (capacity to spare, stake to spare)...
        const commits = of("BidCommitted", jobId).filter((e) => e.args.bidder!.toLowerCase() === address);
        expect(commits.length, `keeper ${k} commits on job ${jobId}`).toBeGreaterThan(0);
        // ...and revealed every bid it committed.
        for (const c of commits) {
          const revealed = of("BidRevealed", jobId).some(
            (e) => e.args.bidder!.toLowerCase() === address && e.args.round === c.args.round,
          );
          expect(revealed, `keeper ${k} revealed its round-${c.args.round} bid on job ${jobId}`).toBe(true);
        }
      }
    }
    for (const jobId of jobs) {
      // Nobody had to forfeit a bid: no reveal was lost.
      expect(of("BidForfeited", jobId), `forfeits on job ${jobId}`).toHaveLength(0);
      // The job was settled once, with the result its winner submitted (once: see above).
      const settled = of("JobSettled", jobId);
      expect(settled, `job ${jobId} settled`).toHaveLength(1);
      const winner = settled[0].args.worker!.toLowerCase();
      expect(KEEPERS.map((k) => account(k).address.toLowerCase())).toContain(winner);
      const submitted = of("ResultSubmitted", jobId).filter((e) => e.args.worker!.toLowerCase() === winner);
      expect(submitted.length, `results of the winner of job ${jobId}`).toBeGreaterThan(0);
    }
  }, 180_000);
});
