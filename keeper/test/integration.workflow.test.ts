import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEther } from "viem";
import {
  buildWorkflow,
  createWorkflow,
  decodeResult,
  readWorkflow,
  withdrawFromOrchestrator,
  workflowOrchestratorAbi,
  ZERO_ADDRESS,
  type JobSpecInput,
  type SigningClient,
  type WorkflowStepDraft,
} from "@baton/sdk";
import { S } from "../src/plan.js";
import { account, type Deployment, type Devnet } from "@baton/testkit/devnet";
import {
  startKeeperNetwork,
  REQUESTER,
  runKeeper,
  waitFor,
  wasmSpec,
  type KeeperNetwork,
  type Market,
} from "./helpers/market.js";
import type { ModuleServer } from "@baton/testkit/modules";

// A workflow on a real node, run by real keepers: A splits a text in two, B and C count the words of
// one half each (reading A's result through the orchestrator's binding), D merges their counts.

const KEEPERS = [2, 3, 4];
const WINDOWS = { commitWindow: 10, revealWindow: 10, executionWindow: 40, challengeWindow: 3 };
const TEXT = "the quick brown fox jumps over the lazy dog and the dog sleeps while the fox runs far away";

let net: Devnet;
let dep: Deployment;
let baton: Market;
let modules: ModuleServer;
let network: KeeperNetwork | undefined;
const dir = mkdtempSync(path.join(tmpdir(), "keeper-wf-"));

function wordCounts(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const w of text.split(/\s+/).filter(Boolean)) counts[w] = (counts[w] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function step(spec: JobSpecInput, dependsOn: number[], maxReward: bigint): WorkflowStepDraft {
  // A bond within the reward: keepers skip jobs whose bond exceeds it.
  return { spec, dependsOn, maxReward, arbiter: dep.arbiter, bond: maxReward, windows: WINDOWS };
}

/** A wasm step reading workflow `inputs` after an empty own input. */
function consumer(module: string, inputs: Record<string, { step: number; path?: string }>): JobSpecInput {
  return { ...wasmSpec(modules, module, ""), inputs } as JobSpecInput;
}

beforeAll(async () => {
  network = await startKeeperNetwork(KEEPERS);
  ({ net, dep, baton, modules } = network);
});

afterAll(async () => {
  await network?.stop();
});

describe("a diamond workflow run by keepers", () => {
  it("runs A, then B and C on A's halves, then D on both, and completes with the exact refund", async () => {
    const keepers = KEEPERS.map((k) => runKeeper(baton.keeperConfig(dir, k, { capacity: 8 }), k));
    try {
      const requester = net.wallet(REQUESTER) as SigningClient;
      const workflow = buildWorkflow({
        steps: [
          step(wasmSpec(modules, "split", `2\n${TEXT}`), [], parseEther("0.05")),
          step(consumer("wordfreq", { text: { step: 0, path: "$[0]" } }), [0], parseEther("0.05")),
          step(consumer("wordfreq", { text: { step: 0, path: "$[1]" } }), [0], parseEther("0.05")),
          step(consumer("merge", { left: { step: 1 }, right: { step: 2 } }), [1, 2], parseEther("0.05")),
        ],
        budget: parseEther("0.25"),
      });
      const { workflowId } = await createWorkflow(requester, net.publicClient, {
        orchestrator: dep.orchestrator,
        workflow,
      });

      const read = () =>
        readWorkflow(net.publicClient, { orchestrator: dep.orchestrator, workflowId, fromBlock: dep.deploymentBlock });
      const done = await waitFor(
        async () => {
          const wf = await read();
          return wf.status === "Completed" ? wf : undefined;
        },
        Number(process.env.WF_TIMEOUT ?? 240_000),
        "the workflow to complete",
      );
      expect(done.steps.map((s) => s.status)).toEqual(["Settled", "Settled", "Settled", "Settled"]);
      for (const s of done.steps) expect(await baton.jobState(s.jobIds.at(-1)!)).toBe(S.Settled);

      // D's result, as submitted and settled, is the word count of the whole text.
      const events = await baton.events();
      const dJob = done.steps[3]!.jobIds.at(-1)!;
      const submitted = events.find(
        (l) => l.eventName === "ResultSubmitted" && (l.args as { jobId: bigint }).jobId === dJob,
      ) as unknown as { args: { result: `0x${string}`; resultHash: `0x${string}` } };
      expect(submitted.args.resultHash).toBe(done.steps[3]!.resultHash);
      const decoded = decodeResult(submitted.args.result, { expectedHash: submitted.args.resultHash });
      expect(decoded.ok && decoded.value).toEqual(wordCounts(TEXT));

      // Every unit not paid to a worker comes back to the requester.
      const refund = parseEther("0.25") - done.spent;
      expect(done.refunded).toBe(refund);
      const credit = await net.publicClient.readContract({
        address: dep.orchestrator,
        abi: workflowOrchestratorAbi,
        functionName: "creditOf",
        args: [account(REQUESTER).address, ZERO_ADDRESS],
      });
      expect(credit).toBe(refund);
      const before = await net.publicClient.getBalance({ address: account(REQUESTER).address });
      const hash = await withdrawFromOrchestrator(requester, net.publicClient, { orchestrator: dep.orchestrator });
      const receipt = await net.publicClient.getTransactionReceipt({ hash });
      const after = await net.publicClient.getBalance({ address: account(REQUESTER).address });
      expect(after - before + receipt.gasUsed * receipt.effectiveGasPrice).toBe(refund);
    } finally {
      await Promise.all(keepers.map((k) => k.stop()));
    }
  }, 300_000);

  it("does not bid on a job that claims workflow inputs but was not posted by the orchestrator", async () => {
    const keepers = KEEPERS.map((k) => runKeeper(baton.keeperConfig(dir, `forged-${k}`), k));
    try {
      const spec = consumer("wordfreq", { text: { step: 0 } });
      const { jobId } = await baton.post(await baton.terms({ ...WINDOWS, maxReward: parseEther("0.05") }), spec);
      await waitFor(
        async () => keepers.every((k) => k.keeper.store.job(jobId)?.decision?.includes("not a step of any workflow")),
        60_000,
        "every keeper to decide against the job",
      );
      expect(await baton.jobState(jobId)).toBe(S.Open);
    } finally {
      await Promise.all(keepers.map((k) => k.stop()));
    }
  }, 120_000);
});
