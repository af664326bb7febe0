import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { DEFAULT_PARAMS, DAY } from "./helpers/fixture";
import { StepStatus } from "./helpers/workflow";
import { Model, deployModelWorld, type Mutation, type World } from "./helpers/model";
import { Op, commandArb } from "./helpers/modelCommands";

// Model-based randomized test of the market, its registry, the committee arbiter and the workflow
// orchestrator together: random command sequences run against the contracts and a TypeScript
// model; each command predicts success or the exact custom error, and after every command the
// checks compare conservation, credits, stakes, jobs, workflows and orchestrator solvency.
//
// The contract test run executes a small number of sequences. `npm run fuzz` runs the same
// property at length (FUZZ_RUNS, default 10,000); FUZZ_SEED, FUZZ_PATH and FUZZ_REPLAY (all three
// printed on failure) replay the shrunk failure directly.
// FUZZ_MUTATION=fee-lost runs the property against a model that forgets the treasury's fee, which
// the checks must reject; FUZZ_STATS counts outcomes per command; FUZZ_DEBUG prints every sequence.

const CI_RUNS = 25;
const runs = Number(process.env.FUZZ_RUNS ?? CI_RUNS);
const maxCommands = Number(process.env.FUZZ_COMMANDS ?? 80);
const seed =
  process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
const path = process.env.FUZZ_PATH;
const replayPath = process.env.FUZZ_REPLAY;
const mutation = (process.env.FUZZ_MUTATION ?? "none") as Mutation;
/** With FUZZ_STATS set, prints how often each command succeeded or failed with each error. */
const stats = process.env.FUZZ_STATS ? new Map<string, number>() : undefined;

async function fresh(): Promise<{ m: Model; w: World }> {
  const w = await loadFixture(deployModelWorld);
  const m = new Model(w, { treasury: w.treasury.address, ...DEFAULT_PARAMS });
  return { m, w };
}

describe("Market and orchestrator model", function () {
  it(`agrees with the model over ${runs} random command sequences`, async function () {
    this.timeout(0);
    console.log(`      model fuzz: ${runs} sequences of up to ${maxCommands} commands, FUZZ_SEED=${seed}`);
    let failedLog: string[] = [];
    const property = fc.asyncProperty(
      fc.commands([commandArb], { maxCommands, size: "max", replayPath }),
      async (commands) => {
        const { m, w } = await fresh();
        m.mutation = mutation;
        try {
          await fc.asyncModelRun(() => ({ model: m, real: w }), commands);
        } catch (error) {
          failedLog = m.log;
          throw error;
        } finally {
          if (process.env.FUZZ_DEBUG) console.log(m.log.map((l) => `        ${l}`).join("\n") + "\n        --");
          for (const line of stats ? m.log : []) {
            const key = line.replace(/\(.*\)(.*?) ->/, " ->").replace(/^(\w+).* -> /, "$1 -> ");
            stats!.set(key, (stats!.get(key) ?? 0) + 1);
          }
        }
      },
    );
    const out = await fc.check(property, { numRuns: runs, seed, path });
    if (stats)
      console.log(
        [...stats.entries()]
          .sort()
          .map(([k, n]) => `        ${n}\t${k}`)
          .join("\n"),
      );
    if (out.failed) {
      const shrunk = out.counterexample ? String(out.counterexample[0]) : "(none)";
      console.log(
        [
          `      model fuzz FAILED: FUZZ_SEED=${out.seed} FUZZ_PATH=${out.counterexamplePath}` +
            ` FUZZ_REPLAY=${/replayPath="([^"]*)"/.exec(shrunk)?.[1] ?? ""}`,
          `      after ${out.numRuns} runs and ${out.numShrinks} shrinks; shrunk commands:`,
          ...shrunk.split(/(?<=\)),(?=\w)/).map((c) => `        ${c}`),
          `      transactions of the last failing run:`,
          ...failedLog.slice(-20).map((l) => `        ${l}`),
        ].join("\n"),
      );
      throw out.errorInstance ?? new Error("model fuzz failed");
    }
  });

  it("catches a model that loses a credit", async function () {
    const { m, w } = await fresh();
    m.mutation = "fee-lost";
    const script = [
      new Op("post", {
        req: 0,
        tok: 0,
        reward: 4,
        bond: 2,
        second: false,
        cw: 0,
        rw: 0,
        ew: 0,
        ch: 0,
        extra: 0,
        minStake: false,
        minCompleted: 0,
        badParam: 0,
      }),
      new Op("commit", { job: 0, worker: 0, k: 8 }),
      new Op("wait", { seconds: 600 }),
      new Op("reveal", { bid: 0, bad: false }),
      new Op("wait", { seconds: 600 }),
      new Op("submit", { job: 0, byWinner: true }),
    ];
    for (const op of script) await op.run(m, w);
    await expect(new Op("accept", { job: 0, byRequester: true }).run(m, w)).to.be.rejectedWith(
      /conservation of token 0/,
    );
  });

  it("regression: a workflow job reclaimed by a stranger after expiry leaves no surplus to sweep", async function () {
    const { m, w } = await fresh();
    const script = [
      new Op("wfCreate", { req: 0, tok: 0, shape: 0, seed: 0, slow: 0, exp: 0, retries: 0, extra: 0, short: false }),
      new Op("wait", { seconds: 8 * DAY }),
      new Op("reclaim", { job: 0, byRequester: false, ripen: false }),
      new Op("wfSweep", { tok: 0 }),
      new Op("wfAdvance", { pick: 0 }),
      new Op("wfWithdraw", { who: 0, tok: 0, to: 0, funded: true }),
    ];
    for (const op of script) await op.run(m, w);
    expect(m.log.find((l) => l.startsWith("wfSweep"))).to.match(/WorkflowNoSurplus/);
  });

  it("settles the root of a wide fan-out with a successful callback, then posts the rest", async function () {
    const { m, w } = await fresh();
    const script = [
      new Op("wfCreate", { req: 0, tok: 1, shape: 4, seed: 1, slow: 0, exp: 2, retries: 0, extra: 0, short: false }),
      new Op("commit", { job: 0, worker: 0, k: 2 }),
      new Op("reveal", { bid: 0, bad: false, ripen: true }),
      new Op("submit", { job: 0, byWinner: true, ripen: true }),
      new Op("settle", { job: 0, ripen: true }),
    ];
    for (const op of script) await op.run(m, w);
    const steps = m.workflows[0].steps;
    const ready = steps.filter((s) => s.status === StepStatus.Ready).length;
    const posted = steps.filter((s) => s.status === StepStatus.Posted).length;
    expect(posted, "dependents posted by the callback").to.be.greaterThan(0);
    expect(ready, "dependents left Ready for lack of callback gas").to.be.greaterThan(0);
    expect(ready + posted).to.equal(steps.length - 1);
    for (let i = 0; i < ready; i++) await new Op("wfAdvance", { pick: 0 }).run(m, w);
    expect(steps.filter((s) => s.status === StepStatus.Posted).length).to.equal(steps.length - 1);
  });

  it("replays a dispute lost by the worker on a workflow step", async function () {
    const { m, w } = await fresh();
    const script = [
      new Op("wfCreate", { req: 0, tok: 0, shape: 1, seed: 0, slow: 0, exp: 2, retries: 1, extra: 1, short: false }),
      new Op("commit", { job: 0, worker: 1, k: 3 }),
      new Op("wait", { seconds: 600 }),
      new Op("reveal", { bid: 0, bad: false }),
      new Op("wait", { seconds: 600 }),
      new Op("submit", { job: 0, byWinner: true }),
      new Op("dispute", { job: 0, who: 0, badValue: false }),
      new Op("vote", { job: 0, member: 0, forWorker: false }),
      new Op("vote", { job: 0, member: 1, forWorker: false }),
      new Op("resolve", { job: 0 }),
      new Op("wait", { seconds: DAY }),
      new Op("wfAdvance", { pick: 0 }),
      new Op("wfSweep", { tok: 0 }),
    ];
    for (const op of script) await op.run(m, w);
  });
});
