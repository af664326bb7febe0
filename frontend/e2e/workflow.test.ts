// Browser end-to-end for workflows: a person builds the split → count ×2 → merge diamond in the
// builder (a mistake first: its message appears on the right step and nothing is sent), creates
// it, watches the real keeper run every step until the workflow completes, reads the merged
// result on the last step's job, and withdraws the unspent budget. Chromium via playwright-core.
import path from "node:path";
import { workflowOrchestratorAbi } from "@baton/sdk";
import type { Page } from "playwright-core";
import { beforeAll, expect, it } from "vitest";
import { zeroAddress } from "viem";
import { account } from "@baton/testkit/devnet";
import { browserSuite, REQUESTER, SHOTS } from "./browser.ts";
import type { Stack } from "./stack.ts";

browserSuite("workflows in Chromium against a real chain and keeper", "wf-", (session) => {
  let stack: Stack;
  let page: Page;
  beforeAll(() => {
    ({ stack, page } = session);
  });

  const client = () => stack.net.publicClient;
  const nonce = () => client().getTransactionCount({ address: account(REQUESTER).address });
  const workflowCount = () =>
    client().readContract({
      address: stack.dep.orchestrator,
      abi: workflowOrchestratorAbi,
      functionName: "workflowCount",
    });

  it("builds the diamond from the template and shows a mistake on its step without sending anything", async () => {
    await page.getByRole("link", { name: "Workflows", exact: true }).click();
    await page.getByRole("heading", { name: "Workflows", exact: true }).waitFor();
    await page.getByText("No workflows yet.").waitFor();
    await page.getByRole("link", { name: "New workflow" }).click();
    await page.getByRole("heading", { name: "New workflow" }).waitFor();
    // A new step starts on a working module (never a test-only one), and the windows on a preset.
    const picker = page.getByRole("group", { name: "Step 1", exact: true }).getByLabel("Module", { exact: true });
    expect(await picker.inputValue()).toBe("wordfreq");
    const offered = await picker.locator("option").allTextContents();
    expect(offered).not.toContain("hog");
    expect(offered).not.toContain("spin");
    const presets = page.getByRole("radiogroup", { name: "Window preset" });
    expect(await presets.getByRole("radio", { name: /Fast demo/ }).isChecked()).toBe(true);
    await page.getByRole("button", { name: /Template: split/ }).click();
    for (const n of [1, 2, 3, 4]) await page.getByRole("group", { name: `Step ${n}`, exact: true }).waitFor();

    const before = { nonce: await nonce(), workflows: await workflowCount() };
    const step3 = page.getByRole("group", { name: "Step 3", exact: true });
    await step3.getByLabel("Reward cap (ETH)").fill("0");
    await page.getByRole("button", { name: "Create workflow" }).click();
    await step3.getByText("Reward cap must be more than zero.").waitFor();
    await page.getByRole("alert").filter({ hasText: "1 problem to fix" }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "workflow-invalid.png"), fullPage: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await nonce()).toBe(before.nonce);
    expect(await workflowCount()).toBe(before.workflows);
    await step3.getByLabel("Reward cap (ETH)").fill("0.01");
  });

  it("creates the workflow and watches the keeper run every step to completion", async () => {
    // Short windows for every step, as on a local chain with a fast keeper.
    const every = page.getByRole("group", { name: "Every step" });
    for (const [label, value] of [
      ["Commit window (s)", "8"],
      ["Reveal window (s)", "8"],
      ["Execution window (s)", "40"],
      ["Challenge window (s)", "3"],
    ] as const) {
      await every.getByLabel(label).fill(value);
    }
    expect(await every.getByRole("radio", { name: "Custom" }).isChecked()).toBe(true);
    await page
      .getByText(/the sum of their caps is/)
      .filter({ hasText: "0.04 ETH" })
      .waitFor();
    await page.screenshot({ path: path.join(SHOTS, "workflow-builder.png"), fullPage: true });
    await page.getByRole("button", { name: "Create workflow" }).click();
    await page.getByText(/Create workflow: Confirmed/).waitFor();
    await page.getByRole("heading", { name: "Workflow #1" }).waitFor();
    expect(await workflowCount()).toBe(1n);

    const table = page.getByRole("table", { name: "Steps" });
    const status = (step: number) => table.getByRole("row").nth(step).locator(".wf-status");
    // The root is posted at once; the keeper bids, runs split and settles it; its two dependents follow.
    await expect.poll(() => status(1).textContent(), { timeout: 10_000 }).toMatch(/Posted|Settled/);
    await page.getByRole("group", { name: "Workflow #1 graph" }).getByText("Posted").first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, "workflow-running.png"), fullPage: true });
    await expect.poll(() => status(1).textContent(), { timeout: 90_000, interval: 1000 }).toBe("Settled");
    await expect.poll(() => status(2).textContent(), { timeout: 10_000 }).toMatch(/Posted|Settled/);
    await expect.poll(() => status(3).textContent(), { timeout: 10_000 }).toMatch(/Posted|Settled/);
    await page.screenshot({ path: path.join(SHOTS, "workflow-step1-settled.png"), fullPage: true });
    await page.locator(".badge.wf-Completed").waitFor({ timeout: 200_000 });
    for (const n of [1, 2, 3, 4]) expect(await status(n).textContent()).toBe("Settled");
    await page.getByText("4 of 4 steps settled").waitFor();
    await page.getByRole("list", { name: "Timeline" }).getByText("Workflow completed").waitFor();
    await page.screenshot({ path: path.join(SHOTS, "workflow-completed.png"), fullPage: true });

    // The names given in the builder come back from the chain (they live in the steps' specs).
    for (const name of ["Step 1: split", "Step 2: count 1", "Step 3: count 2", "Step 4: merge"]) {
      await table.getByRole("rowheader", { name: new RegExp(`^${name}`) }).waitFor();
    }
    // The workflow's output: the merge step's result, checked against the recorded hash.
    const output = page.getByRole("region", { name: "Final output" });
    await output.getByText("Matches the result hash the orchestrator recorded.").waitFor({ timeout: 20_000 });
    const merged = (await output.getByLabel("Output of Step 4: merge").textContent()) ?? "";
    expect(merged).toMatch(/"the": 4/);
    expect(merged).toMatch(/"fox": 2/);
    await output.screenshot({ path: path.join(SHOTS, "workflow-output.png") });
    // A production build logs no warning or error while the workflow runs (React Flow's own
    // warnings exist in development builds only: test/graphWarnings.test.tsx covers those).
    expect(session.messages).toEqual([]);

    const view = await client().readContract({
      address: stack.dep.orchestrator,
      abi: workflowOrchestratorAbi,
      functionName: "getWorkflow",
      args: [1n],
    });
    expect(view.status).toBe(2); // Completed
    expect(view.settledCount).toBe(4);
  }, 300_000);

  it("withdraws the unspent budget", async () => {
    const credit = () =>
      client().readContract({
        address: stack.dep.orchestrator,
        abi: workflowOrchestratorAbi,
        functionName: "creditOf",
        args: [account(REQUESTER).address, zeroAddress],
      });
    expect(await credit()).toBeGreaterThan(0n);
    await page.getByRole("button", { name: /^Withdraw refund/ }).click();
    await page.getByText(/Withdraw refund of .* ETH: Confirmed/).waitFor();
    expect(await credit()).toBe(0n);
  });

  it("shows the merged counts on the last step's job", async () => {
    const last = page.getByRole("table", { name: "Steps" }).getByRole("row").nth(4);
    await last.getByRole("link", { name: /^Job #/ }).click();
    await page.getByRole("heading", { name: /^Job #\d+$/ }).waitFor();
    const timeline = page.getByRole("list", { name: "Timeline" });
    await timeline.getByText("Payload matches its hash.").waitFor();
    // "the quick brown fox jumps over the lazy dog and the dog sleeps while the fox runs", counted in halves.
    const result = (await timeline.getByLabel("Result").textContent()) ?? "";
    expect(result).toMatch(/"the": 4/);
    expect(result).toMatch(/"fox": 2/);
    expect(result).toMatch(/"dog": 2/);
  });

  it("lists the workflow as completed and as the account's own", async () => {
    await page.getByRole("link", { name: "Workflows", exact: true }).click();
    await page.getByLabel("Only my workflows").click();
    await expect.poll(() => page.getByLabel("Only my workflows").isChecked()).toBe(true);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "Workflow #1" }) });
    await row.getByText("Completed").waitFor();
    await row.getByText("4 / 4").waitFor();
    await page.screenshot({ path: path.join(SHOTS, "workflows.png"), fullPage: true });
  });

  it("counts the jobs the workflow posted among the account's own jobs", async () => {
    await page.getByRole("link", { name: "Jobs", exact: true }).click();
    await page.getByLabel("Only my jobs").click();
    await expect.poll(() => page.getByLabel("Only my jobs").isChecked()).toBe(true);
    // The orchestrator is their requester on the market; the workflow is this account's.
    for (const n of [1, 2, 3, 4]) await page.getByRole("link", { name: `Job #${n}`, exact: true }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "jobs-mine-workflow.png"), fullPage: true });
  });
});
