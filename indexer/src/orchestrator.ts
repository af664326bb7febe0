// WorkflowOrchestrator events into `workflows` and `workflow_steps`, mirroring `getWorkflow` and
// `getStep`, and each step's job in `jobs` tagged with its workflow and step.
import { ponder, type Context } from "ponder:registry";
import { job, workflow, workflowStep } from "ponder:schema";
import { keccak256 } from "viem";
import { stepStatusNames, workflowStatusNames } from "@baton/sdk";

type Db = Context["db"];
type StepRow = typeof workflowStep.$inferSelect;

const ACTIVE = workflowStatusNames[1];

const stepId = (workflowId: bigint, step: number) => `${workflowId}:${step}`;

async function getWorkflow(db: Db, id: bigint) {
  const row = await db.find(workflow, { id });
  if (!row) throw new Error(`workflow ${id} has an event but no WorkflowCreated`);
  return row;
}

async function getStep(db: Db, workflowId: bigint, step: number): Promise<StepRow> {
  const row = await db.find(workflowStep, { id: stepId(workflowId, step) });
  if (!row) throw new Error(`workflow ${workflowId} has no step ${step}`);
  return row;
}

const status = (name: (typeof stepStatusNames)[number]) => name;

ponder.on("WorkflowOrchestrator:WorkflowCreated", async ({ event, context }) => {
  const { workflowId, requester, token, budget, steps, dependencies, maxRetries } = event.args;
  await context.db.insert(workflow).values({
    id: workflowId,
    requester,
    token,
    status: ACTIVE,
    stepCount: steps.length,
    settledCount: 0,
    maxRetries,
    balance: budget,
    budget,
    refunded: 0n,
    createdBlock: event.block.number,
    createdAt: event.block.timestamp,
  });
  const dependents = steps.map(() => 0);
  dependencies.forEach((deps, i) => deps.forEach((d) => (dependents[d]! |= 1 << i)));
  await context.db.insert(workflowStep).values(
    steps.map((s, i) => ({
      id: stepId(workflowId, i),
      workflowId,
      step: i,
      status: status("Waiting"),
      attempts: 0,
      pendingDependencies: dependencies[i]!.length,
      dependencies: dependencies[i]!.reduce((map, d) => map | (1 << d), 0),
      dependents: dependents[i]!,
      jobId: 0n,
      specHash: keccak256(s.spec),
      spec: s.spec,
      maxReward: s.maxReward,
      bond: s.bond,
    })),
  );
});

ponder.on("WorkflowOrchestrator:StepPosted", async ({ event, context }) => {
  const { workflowId, step, jobId, attempt, specHash } = event.args;
  const s = await getStep(context.db, workflowId, step);
  await context.db
    .update(workflowStep, { id: s.id })
    .set({ status: status("Posted"), attempts: attempt, jobId, postedSpecHash: specHash });
  // The cap moves from the workflow's balance into the market's escrow.
  await context.db.update(workflow, { id: workflowId }).set((w) => ({ balance: w.balance - s.maxReward }));
  await context.db.update(job, { id: jobId }).set({ workflowId, step });
});

ponder.on("WorkflowOrchestrator:StepReady", async ({ event, context }) => {
  const { workflowId, step } = event.args;
  await context.db.update(workflowStep, { id: stepId(workflowId, step) }).set({ status: status("Ready") });
});

ponder.on("WorkflowOrchestrator:StepSettled", async ({ event, context }) => {
  const { workflowId, step, resultHash, price } = event.args;
  const s = await getStep(context.db, workflowId, step);
  const wf = await getWorkflow(context.db, workflowId);
  await context.db.update(workflowStep, { id: s.id }).set({ status: status("Settled"), resultHash, price });
  const settledCount = wf.settledCount + 1;
  const active = wf.status === ACTIVE;
  // An ended workflow's late settlement goes to the requester (`LateRefund`), not the balance.
  await context.db.update(workflow, { id: workflowId }).set({
    settledCount,
    ...(active ? { balance: wf.balance + s.maxReward - price } : {}),
  });
  if (!active || settledCount === wf.stepCount) return;
  for (let child = 0; child < wf.stepCount; child++) {
    if ((s.dependents & (1 << child)) === 0) continue;
    await context.db
      .update(workflowStep, { id: stepId(workflowId, child) })
      .set((c) => ({ pendingDependencies: c.pendingDependencies - 1 }));
  }
});

ponder.on("WorkflowOrchestrator:StepFailed", async ({ event, context }) => {
  const { workflowId, step, retrying } = event.args;
  const s = await getStep(context.db, workflowId, step);
  const wf = await getWorkflow(context.db, workflowId);
  if (wf.status !== ACTIVE) {
    await context.db.update(workflowStep, { id: s.id }).set({ status: status("Cancelled") });
    return;
  }
  // The cap came back; a retry posts again (StepPosted or StepReady follows).
  await context.db.update(workflow, { id: workflowId }).set({ balance: wf.balance + s.maxReward });
  if (!retrying) await context.db.update(workflowStep, { id: s.id }).set({ status: status("Failed") });
});

ponder.on("WorkflowOrchestrator:StepCancelled", async ({ event, context }) => {
  const { workflowId, step } = event.args;
  const s = await getStep(context.db, workflowId, step);
  await context.db.update(workflowStep, { id: s.id }).set({ status: status("Cancelled") });
  await context.db.update(workflow, { id: workflowId }).set((w) => ({ balance: w.balance + s.maxReward }));
});

async function end(
  db: Db,
  event: { block: { number: bigint; timestamp: bigint } },
  workflowId: bigint,
  name: (typeof workflowStatusNames)[number],
  refund: bigint,
) {
  await db.update(workflow, { id: workflowId }).set((w) => ({
    status: name,
    balance: 0n,
    refunded: w.refunded + refund,
    endedBlock: event.block.number,
    endedAt: event.block.timestamp,
  }));
}

ponder.on("WorkflowOrchestrator:WorkflowCompleted", async ({ event, context }) => {
  await end(context.db, event, event.args.workflowId, "Completed", event.args.refund);
});

ponder.on("WorkflowOrchestrator:WorkflowFailed", async ({ event, context }) => {
  await end(context.db, event, event.args.workflowId, "Failed", event.args.refund);
});

ponder.on("WorkflowOrchestrator:WorkflowCancelled", async ({ event, context }) => {
  await end(context.db, event, event.args.workflowId, "Cancelled", event.args.refund);
});

ponder.on("WorkflowOrchestrator:LateRefund", async ({ event, context }) => {
  const { workflowId, amount } = event.args;
  await context.db.update(workflow, { id: workflowId }).set((w) => ({ refunded: w.refunded + amount }));
});
