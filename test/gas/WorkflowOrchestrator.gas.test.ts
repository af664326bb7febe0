import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ContractTransactionResponse } from "ethers";
import { coverageRun } from "../helpers/coverage";
import { ETH, jobOf, packTerms } from "../helpers/fixture";
import {
  DIAMOND,
  bidAndSubmitAll,
  completeAll,
  deployOrchestrator,
  jobOfStep,
  resultHashOfJob,
  step,
} from "../helpers/workflow";

// Gas of the orchestrator's transitions, snapshotted like the market's (test/gas/snapshots.json):
// a transition that grows more than TOLERANCE fails; UPDATE_GAS_SNAPSHOT=1 accepts a change.
const SNAPSHOT_FILE = path.join(__dirname, "workflow-snapshots.json");
const TOLERANCE = 0.005;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  return Number((await (await tx).wait())!.gasUsed);
}

describe("WorkflowOrchestrator gas", function () {
  (coverageRun ? it.skip : it)(
    "records gas per workflow transition and fails when one grows more than 0.5% (skipped under coverage: instrumented gas)",
    async function () {
      const f = await loadFixture(deployOrchestrator);
      const P = ethers.parseEther;
      const gas: Record<string, number> = {};
      const create = async (deps: number[][], retries = 0) => {
        const steps = await Promise.all(deps.map((_, i) => step(f, `step-${i}`)));
        const budget = steps.reduce((sum, s) => sum + BigInt(s.maxReward), 0n);
        const tx = f.orchestrator
          .connect(f.requester)
          .createWorkflow(steps, deps, ETH, budget, retries, { value: budget });
        return { gas: await gasOf(tx), workflowId: await f.orchestrator.workflowCount() };
      };

      // Warm the accounts' slots (worker record, treasury and orchestrator credits) with one finished workflow.
      const warm = await create([[]]);
      await completeAll(f, [{ jobId: await jobOfStep(f, warm.workflowId, 0), price: P("0.5") }]);

      const diamond = await create(DIAMOND);
      gas.createDiamond = diamond.gas;
      const a = await jobOfStep(f, diamond.workflowId, 0);
      const [aTerms] = await bidAndSubmitAll(f, [{ jobId: a, price: P("0.5") }]);
      gas.settlePostingTwoDependents = await gasOf(f.market.settle(a, packTerms(aTerms), resultHashOfJob(a)));
      const b = await jobOfStep(f, diamond.workflowId, 1);
      const c = await jobOfStep(f, diamond.workflowId, 2);
      const terms = await bidAndSubmitAll(f, [
        { jobId: b, price: P("0.5") },
        { jobId: c, price: P("0.5") },
      ]);
      gas.settleWithDependentWaiting = await gasOf(f.market.settle(b, packTerms(terms[0]), resultHashOfJob(b)));
      gas.settlePostingOneDependent = await gasOf(f.market.settle(c, packTerms(terms[1]), resultHashOfJob(c)));
      const d = await jobOfStep(f, diamond.workflowId, 3);
      const [dTerms] = await bidAndSubmitAll(f, [{ jobId: d, price: P("0.5") }]);
      gas.settleCompletingWorkflow = await gasOf(f.market.settle(d, packTerms(dTerms), resultHashOfJob(d)));

      const retried = await create([[]], 1);
      const r = await jobOfStep(f, retried.workflowId, 0);
      await time.increaseTo((await jobOf(f, r)).revealDeadline);
      gas.advanceReauctioningUnfilledStep = await gasOf(f.orchestrator.advance(retried.workflowId, 0));

      const cancelled = await create(DIAMOND);
      gas.cancelWithOneOpenJob = await gasOf(f.orchestrator.connect(f.requester).cancel(cancelled.workflowId));
      gas.withdraw = await gasOf(f.orchestrator.connect(f.requester).withdraw(ETH));

      if (process.env.UPDATE_GAS_SNAPSHOT === "1" || !fs.existsSync(SNAPSHOT_FILE)) {
        fs.writeFileSync(SNAPSHOT_FILE, JSON.stringify(gas, null, 2) + "\n");
        return;
      }
      const recorded = JSON.parse(fs.readFileSync(SNAPSHOT_FILE, "utf8")) as Record<string, number>;
      for (const [name, used] of Object.entries(gas)) {
        expect(recorded[name], `${name} is missing from ${SNAPSHOT_FILE}`).to.not.equal(undefined);
        expect(used, `${name} grew from ${recorded[name]}`).to.be.at.most(Math.floor(recorded[name] * (1 + TOLERANCE)));
      }
    },
  );
});
