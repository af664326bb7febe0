import {
  decodeSpec,
  encodeResult,
  encodeSpec,
  Status,
  workflowOrchestratorAbi,
  type JobSpecInput,
  type StepStatusName,
} from "@baton/sdk";
import { QueryClient } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { createConfig, mock } from "wagmi";
import { connect } from "wagmi/actions";
import {
  createPublicClient,
  decodeFunctionData,
  encodeAbiParameters,
  encodeEventTopics,
  encodeFunctionResult,
  erc20Abi,
  keccak256,
  numberToHex,
  pad,
  parseEther,
  toHex,
  zeroAddress,
  type AbiEvent,
  type Address,
  type Hex,
} from "viem";
import { Providers } from "../src/Boot.tsx";
import { parseRuntimeConfig, type ChainConfig } from "../src/config/runtime.ts";
import { checkWorkflow, emptyWorkflow, templateWorkflow, type WorkflowForm } from "../src/lib/workflowForm.ts";
import {
  canAdvance,
  layoutSteps,
  LIST_EVENTS,
  extendOrchestratorLogs,
  positions,
  STEP_STATUSES,
  workflowJobsOf,
  workflowsFromLogs,
} from "../src/lib/workflowModel.ts";
import { selectPage } from "../src/hooks/useJobList.ts";
import Workflow from "../src/pages/Workflow.tsx";
import WorkflowNew from "../src/pages/WorkflowNew.tsx";
import Workflows from "../src/pages/Workflows.tsx";
import { ARBITER, BOOK, FakeChain, REQUESTER, termsFor, TOKEN } from "./helpers/fakeChain.ts";
import { testChain } from "./helpers/render.tsx";

const ORCHESTRATOR: Address = "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9";
const MODULES = ["split", "wordfreq", "merge", "primes"].map((name, i) => ({
  name,
  uri: `https://modules.example/${name}.wasm`,
  sha256: String(i + 1).repeat(64),
}));

function config(orchestrator: boolean) {
  return {
    chains: [
      {
        chainId: 31337,
        name: "Test chain",
        rpcUrl: "http://127.0.0.1:1",
        addressBook: { ...BOOK, ...(orchestrator ? { workflowOrchestrator: ORCHESTRATOR } : {}) },
        wasmModules: MODULES,
      },
    ],
  };
}
const CHAIN = parseRuntimeConfig(config(true)).chains[0] as ChainConfig;

/** The app's providers on a FakeChain, with this file's configuration (modules and an orchestrator). */
async function renderPage(
  ui: React.ReactNode,
  fake: FakeChain,
  opts: { account?: Address; orchestrator?: boolean; queryClient?: QueryClient },
) {
  const wagmi = createConfig({
    chains: [testChain],
    connectors: opts.account ? [mock({ accounts: [opts.account], features: { reconnect: true } })] : [],
    transports: { [testChain.id]: fake.transport() },
    pollingInterval: 60_000,
  });
  if (opts.account) await connect(wagmi, { connector: wagmi.connectors[0]! });
  const queryClient =
    opts.queryClient ?? new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false } } });
  return render(
    <Providers
      runtime={parseRuntimeConfig(config(opts.orchestrator ?? true))}
      wagmi={wagmi}
      queryClient={queryClient}
      pollMs={60_000}
    >
      {ui}
    </Providers>,
  );
}

/**
 * A FakeChain on which REQUESTER holds plenty of the test token and has granted `allowance()` to
 * the orchestrator; `simulated` records the approvals and orchestrator calls simulated.
 */
function tokenBudgetChain(allowance: () => bigint) {
  const fake = new FakeChain();
  const simulated: { to: string; functionName: string; args: readonly unknown[] }[] = [];
  const request = fake.request.bind(fake);
  fake.request = async (method, params = []) => {
    const p = params[0] as { to?: string; data?: Hex };
    if (method === "eth_call" && p.to?.toLowerCase() === TOKEN.toLowerCase() && p.data) {
      const { functionName, args = [] } = decodeFunctionData({ abi: erc20Abi, data: p.data });
      if (functionName === "approve") {
        simulated.push({ to: p.to.toLowerCase(), functionName, args });
        return encodeFunctionResult({ abi: erc20Abi, functionName, result: true });
      }
      if (functionName === "balanceOf")
        return encodeFunctionResult({ abi: erc20Abi, functionName, result: 10n ** 12n });
      if (functionName === "allowance")
        return encodeFunctionResult({ abi: erc20Abi, functionName, result: allowance() });
    }
    if (method === "eth_call" && p.to?.toLowerCase() === ORCHESTRATOR.toLowerCase() && p.data) {
      const { functionName, args = [] } = decodeFunctionData({ abi: workflowOrchestratorAbi, data: p.data });
      simulated.push({ to: p.to, functionName, args });
      return "0x";
    }
    return request(method, params);
  };
  return { fake, simulated };
}

// A simulation is an eth_call; reads before the submission may make some, none may follow it.
const WRITES = ["eth_call", "eth_estimateGas", "eth_sendTransaction", "eth_sendRawTransaction"];
const writes = (fake: FakeChain) => WRITES.reduce((n, m) => n + fake.count(m), 0);

describe("workflow builder", () => {
  it("shows every problem next to its step and field and sends nothing", async () => {
    const fake = new FakeChain();
    const user = userEvent.setup();
    await renderPage(<WorkflowNew />, fake, { account: REQUESTER });
    await screen.findByRole("heading", { name: "New workflow" });
    await user.click(screen.getByRole("button", { name: "Add step" }));

    const step1 = screen.getByRole("group", { name: "Step 1" });
    const step2 = screen.getByRole("group", { name: "Step 2" });
    await user.clear(within(step1).getByLabelText("Reward cap (ETH)"));
    await user.type(within(step1).getByLabelText("Reward cap (ETH)"), "0");
    // Step 2 reads step 1 under a bad name, then stops depending on it.
    await user.click(within(step2).getByRole("button", { name: "Add input" }));
    await user.clear(within(step2).getByLabelText("Input name"));
    await user.type(within(step2).getByLabelText("Input name"), "1st");
    await user.click(within(step2).getByRole("checkbox", { name: /Step 1/ }));
    await user.type(screen.getByLabelText("Budget (ETH)"), "0.001");
    await user.clear(screen.getByLabelText("Retries per failed step"));
    await user.type(screen.getByLabelText("Retries per failed step"), "11");
    await user.clear(screen.getByLabelText("Commit window (s)", { selector: '[name="defaults.commitWindow"]' }));
    const before = writes(fake);
    await user.click(screen.getByRole("button", { name: "Create workflow" }));

    expect(await within(step1).findByText("Reward cap must be more than zero.")).toBeTruthy();
    expect(within(step2).getByText(/Input name must be an identifier/)).toBeTruthy();
    expect(within(step2).getByText(/which this step does not depend on/)).toBeTruthy();
    const every = screen.getByRole("group", { name: "Every step" });
    expect(within(every).getByText("Commit window must be between 1 and 2592000 seconds (30 days).")).toBeTruthy();
    const budget = screen.getByRole("group", { name: "Budget" });
    expect(within(budget).getByText(/Budget of 0.001 is below the sum of the step caps/)).toBeTruthy();
    expect(within(budget).getByText("Retries must be a whole number from 0 to 10.")).toBeTruthy();
    // The summary names the step of each problem.
    const summary = screen.getByRole("alert", { name: /problems to fix/ });
    expect(within(summary).getAllByText("Step 1:").length).toBeGreaterThan(0);
    expect(within(summary).getAllByText("Step 2:").length).toBe(2);
    // The first field with a problem has the focus; an invalid field says so.
    const reward = within(step1).getByLabelText("Reward cap (ETH)");
    expect(reward.getAttribute("aria-invalid")).toBe("true");
    await new Promise((r) => setTimeout(r, 10));
    expect(document.activeElement).toBe(reward);
    await new Promise((r) => setTimeout(r, 200));
    expect(writes(fake)).toBe(before);
    expect(fake.count("eth_sendTransaction") + fake.count("eth_sendRawTransaction")).toBe(0);
  });

  it("reports the sdk's rules (a module hash, an input's JSON path) on the right field", () => {
    const form = templateWorkflow(CHAIN)!;
    const bad: WorkflowForm = {
      ...form,
      steps: form.steps.map((s, i) =>
        i === 1 ? { ...s, moduleSha256: "1234" } : i === 2 ? { ...s, inputs: [{ ...s.inputs[0]!, path: "[0" }] } : s,
      ),
    };
    const checked = checkWorkflow(bad, 18);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors[`${form.steps[1]!.key}:moduleSha256`]).toMatch(/^Module SHA-256 must be 64 lowercase hex/);
    expect(checked.errors[`${form.steps[2]!.key}:inputs.0.path`]).toMatch(/^JSON path /);
    expect(Object.keys(checked.errors)).toHaveLength(2);
  });

  it("fills a valid split → count ×2 → merge diamond from the template", async () => {
    const checked = checkWorkflow(templateWorkflow(CHAIN)!, 18);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    const { built } = checked;
    expect(built.dependencies).toEqual([[], [0], [0], [1, 2]]);
    expect(built.budget).toBe(parseEther("0.04"));
    expect(built.token).toBe(zeroAddress);
    // On a local chain the builder starts on the fast demo preset.
    expect(built.steps.every((s) => s.arbiter === ARBITER && s.commitWindow === 10)).toBe(true);
    const specs = built.steps.map((s) => decodeSpec(s.spec));
    const wasm = specs.map((d) => (d.ok && d.spec.kind === "wasm" ? d.spec : undefined));
    expect(wasm.map((s) => s?.module.uri.split("/").pop())).toEqual([
      "split.wasm",
      "wordfreq.wasm",
      "wordfreq.wasm",
      "merge.wasm",
    ]);
    expect(wasm[0]!.input).toEqual({ encoding: "utf8", data: expect.stringMatching(/^2\n/) });
    expect(wasm[1]!.inputs).toEqual({ text: { step: 0, path: "$[0]" } });
    expect(wasm[2]!.inputs).toEqual({ text: { step: 0, path: "$[1]" } });
    expect(wasm[3]!.inputs).toEqual({ a: { step: 1 }, b: { step: 2 } });

    // The same through the page: the template fills four steps and the graph shows them.
    await renderPage(<WorkflowNew />, new FakeChain(), { account: REQUESTER });
    await userEvent.click(await screen.findByRole("button", { name: /Template: split/ }));
    expect(screen.getAllByRole("group", { name: /^Step \d$/ })).toHaveLength(4);
    expect(screen.getByText(/the sum of their caps is/).textContent).toContain("0.04 ETH");
    const step4 = screen.getByRole("group", { name: "Step 4" });
    expect(within(step4).getByRole("checkbox", { name: "Step 2 (count 1)" })).toHaveProperty("checked", true);
    expect(within(step4).getByRole("checkbox", { name: "Step 1 (split)" })).toHaveProperty("checked", false);
  });

  it("approves a token budget for the orchestrator first, and creates nothing when the approval fails", async () => {
    const { fake, simulated } = tokenBudgetChain(() => 0n);
    const user = userEvent.setup();
    await renderPage(<WorkflowNew />, fake, { account: REQUESTER });
    await screen.findByRole("option", { name: "TUSD" });
    await user.selectOptions(screen.getByLabelText("Budget token"), "TUSD");
    await user.click(screen.getByRole("button", { name: "Approve and create workflow" }));

    // The default step's cap of 0.01 in a 6-decimal token is the budget the orchestrator may take;
    // the wallet cannot send here, so the approval fails and nothing else is simulated.
    await waitFor(() => expect(simulated).toHaveLength(1));
    const submit = screen.getByRole("button", { name: "Approve and create workflow" });
    await waitFor(() => expect(submit).toHaveProperty("disabled", false), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(simulated).toEqual([{ to: TOKEN.toLowerCase(), functionName: "approve", args: [ORCHESTRATOR, 10_000n] }]);
  });

  it("says so when the allowance cannot be read, and sends nothing", async () => {
    const { fake, simulated } = tokenBudgetChain(() => {
      // A JSON-RPC "invalid params" error: not one the transport retries.
      throw Object.assign(new Error("missing trie node"), { code: -32602 });
    });
    const user = userEvent.setup();
    await renderPage(<WorkflowNew />, fake, { account: REQUESTER });
    await screen.findByRole("option", { name: "TUSD" });
    await user.selectOptions(screen.getByLabelText("Budget token"), "TUSD");
    await user.click(screen.getByRole("button", { name: "Approve and create workflow" }));
    const alerts = await screen.findAllByText(/^Could not create the workflow: /, undefined, { timeout: 10_000 });
    expect(alerts.length).toBeGreaterThan(0);
    expect(simulated).toEqual([]);
  });

  it("starts with one step and explains a deployment without an orchestrator", async () => {
    expect(emptyWorkflow(CHAIN).steps).toHaveLength(1);
    await renderPage(<WorkflowNew />, new FakeChain(), { orchestrator: false });
    expect(await screen.findByRole("heading", { name: "Workflows aren't available on Test chain" })).toBeTruthy();
    expect(screen.getByText(/no workflow orchestrator/)).toBeTruthy();
  });
});

// ---------------------------------------------------------------- reading workflows

const orchEvent = (name: string) =>
  workflowOrchestratorAbi.find((i) => i.type === "event" && i.name === name) as AbiEvent;

const spec = (name: string, inputs?: Record<string, { step: number }>) =>
  toHex(
    encodeSpec({
      kind: "wasm",
      version: 1,
      module: { uri: `https://modules.example/${name}.wasm`, sha256: "1".repeat(64) },
      input: { encoding: "utf8", data: "" },
      ...(inputs ? { inputs } : {}),
    } as JobSpecInput),
  );

/** A FakeChain that also answers for an orchestrator holding `logs` (a diamond workflow #1). */
function orchestratorChain(events: [name: string, args: Record<string, unknown>][]) {
  const fake = new FakeChain();
  const logs: { topics: Hex[]; data: Hex; block: bigint }[] = [];
  for (const [name, args] of events) {
    const abi = orchEvent(name);
    const topics = encodeEventTopics({ abi: [abi], eventName: name, args } as never) as Hex[];
    const data = encodeAbiParameters(
      abi.inputs.filter((i) => !i.indexed),
      abi.inputs.filter((i) => !i.indexed).map((i) => args[i.name!]),
    );
    logs.push({ topics, data, block: fake.head });
    fake.head += 1n;
  }
  const request = fake.request.bind(fake);
  fake.request = async (method, params = []) => {
    const p = params[0] as { address?: string; to?: string; data?: Hex; topics?: (Hex | Hex[] | null)[] };
    if (method === "eth_getLogs" && p.address?.toLowerCase() === ORCHESTRATOR.toLowerCase()) {
      fake.calls.push(method);
      const want = p.topics ?? [];
      const range = params[0] as { fromBlock: Hex; toBlock: Hex };
      return logs
        .filter((l) => l.block >= BigInt(range.fromBlock) && l.block <= BigInt(range.toBlock))
        .filter((l) =>
          want.every((t, i) => t === null || (Array.isArray(t) ? t.includes(l.topics[i]!) : t === l.topics[i])),
        )
        .map((l, i) => ({
          address: ORCHESTRATOR,
          topics: l.topics,
          data: l.data,
          blockNumber: numberToHex(l.block),
          blockHash: pad(numberToHex(l.block), { size: 32 }),
          logIndex: numberToHex(i),
          transactionHash: pad(numberToHex(1000 + i), { size: 32 }),
          transactionIndex: "0x0",
          removed: false,
        }));
    }
    if (method === "eth_call" && p.to?.toLowerCase() === ORCHESTRATOR.toLowerCase()) {
      fake.calls.push(method);
      const { functionName } = decodeFunctionData({ abi: workflowOrchestratorAbi, data: p.data! });
      const result =
        functionName === "workflowCount"
          ? 1n
          : functionName === "creditOf"
            ? 0n
            : functionName === "getWorkflow"
              ? {
                  requester: REQUESTER,
                  token: zeroAddress,
                  status: 1,
                  stepCount: 4,
                  settledCount: 1,
                  maxRetries: 1,
                  balance: parseEther("0.03"),
                  budget: parseEther("0.04"),
                }
              : undefined;
      return encodeFunctionResult({ abi: workflowOrchestratorAbi, functionName, result } as never);
    }
    return request(method, params);
  };
  return fake;
}

const step = (s: Hex) => ({
  spec: s,
  maxReward: parseEther("0.01"),
  arbiter: ARBITER,
  bond: parseEther("0.01"),
  minStake: 0n,
  minCompleted: 0,
  commitWindow: 60,
  revealWindow: 60,
  executionWindow: 300,
  challengeWindow: 120,
  expiryWindow: 1680,
  pricing: 0,
});
const RESULT: Hex = keccak256("0x1234");
const OTHER_WORKER: Address = "0x90f79Bf6Eb2c4f870365e785982e1f87e6c7e15B";

function diamond() {
  const fake = orchestratorChain([
    [
      "WorkflowCreated",
      {
        workflowId: 1n,
        requester: REQUESTER,
        token: zeroAddress,
        budget: parseEther("0.04"),
        steps: [
          step(spec("split")),
          step(spec("wordfreq", { text: { step: 0 } })),
          step(spec("wordfreq", { text: { step: 0 } })),
          step(spec("merge", { a: { step: 1 }, b: { step: 2 } })),
        ],
        dependencies: [[], [0], [0], [1, 2]],
        maxRetries: 1,
      },
    ],
    ["StepPosted", { workflowId: 1n, step: 0, jobId: 1n, attempt: 1, specHash: RESULT }],
    ["StepSettled", { workflowId: 1n, step: 0, jobId: 1n, resultHash: RESULT, price: parseEther("0.008") }],
    ["StepPosted", { workflowId: 1n, step: 1, jobId: 2n, attempt: 1, specHash: RESULT }],
    ["StepReady", { workflowId: 1n, step: 2, reason: "0x" }],
  ]);
  // The market side: job 1 settled, job 2 still open for bids.
  fake.postJob(termsFor(ORCHESTRATOR), { state: 11, record: { status: Status.Settled } });
  fake.postJob(termsFor(ORCHESTRATOR), { state: 1 });
  return fake;
}

describe("workflow status and graph", () => {
  it("lays out a DAG in columns by depth and offers advance only where it can help", () => {
    expect(layoutSteps([[], [0], [0], [1, 2]])).toEqual([
      { column: 0, row: 0 },
      { column: 1, row: 0 },
      { column: 1, row: 1 },
      { column: 2, row: 0 },
    ]);
    const at = positions([[], [0], [0], [1, 2]]);
    expect(at[0]!.y).toBe(at[3]!.y); // single nodes centred against the two in the middle
    expect(at[1]!.x).toBe(at[2]!.x);
    expect(canAdvance("Ready", undefined, "Active")).toBe(true);
    expect(canAdvance("Posted", 1, "Active")).toBe(false); // Open: still running
    expect(canAdvance("Posted", 4, "Active")).toBe(true); // Unfilled: retry or fail
    expect(canAdvance("Posted", 11, "Active")).toBe(true); // Settled, callback missed
    expect(canAdvance("Ready", undefined, "Cancelled")).toBe(false);
    expect(canAdvance("Waiting", undefined, "Active")).toBe(false);
  });

  it("shows each step's status in the graph, the table and the legend, with its job and price", async () => {
    const fake = diamond();
    await renderPage(<Workflow id={1n} />, fake, { account: REQUESTER });
    await screen.findByRole("heading", { name: "Workflow #1" });
    const table = screen.getByRole("table", { name: "Steps" });
    const rows = within(table).getAllByRole("row").slice(1);
    const statusOf = (i: number) => rows[i]!.querySelector(".wf-status")!.textContent as StepStatusName;
    expect([0, 1, 2, 3].map(statusOf)).toEqual(["Settled", "Posted", "Ready", "Waiting"]);
    expect(within(rows[0]!).getByRole("link", { name: "Job #1" }).getAttribute("href")).toBe("#/jobs/1");
    expect(rows[0]!.textContent).toContain("0.008 ETH");
    expect(rows[0]!.textContent).toContain(RESULT.slice(0, 10));
    expect(within(rows[1]!).getByRole("link", { name: "Job #2" })).toBeTruthy();
    // Advance is offered on the ready step, not on the running or waiting ones.
    expect(screen.getAllByRole("button", { name: /^Advance step/ }).map((b) => b.textContent)).toEqual([
      "Advance step 3",
    ]);
    // Cancelling is destructive: red, and it asks first, saying what comes back.
    const cancel = screen.getByRole("button", { name: "Cancel workflow" });
    expect(cancel.className).toBe("danger");
    fireEvent.click(cancel);
    const dialog = screen.getByRole("alertdialog", { name: "Cancel workflow" });
    expect(dialog.textContent).toMatch(/the budget of every step not yet bid on is credited back to you/);
    fireEvent.click(within(dialog).getByRole("button", { name: "Go back" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(fake.count("eth_sendTransaction") + fake.count("eth_sendRawTransaction")).toBe(0);
    // Budget: spent, held.
    expect(screen.getByText("Spent").nextElementSibling!.textContent).toBe("0.008 ETH");
    expect(screen.getByText("Held for the steps").nextElementSibling!.textContent).toBe("0.03 ETH");
    // Every status is in the legend, in words.
    const legend = screen.getByRole("list", { name: "Step statuses" });
    for (const s of STEP_STATUSES) expect(within(legend).getByText(s)).toBeTruthy();
    // The graph's nodes carry the status in words and as a colour class.
    const graph = screen.getByRole("group", { name: "Workflow #1 graph" });
    const nodes = [...graph.querySelectorAll(".wf-node")];
    expect(nodes.map((n) => n.querySelector(".wf-node-status")?.textContent)).toEqual([
      "Settled",
      "Posted",
      "Ready",
      "Waiting",
    ]);
    expect(nodes[0]!.classList.contains("status-Settled")).toBe(true);
    expect(nodes[3]!.textContent).toContain("merge");
    // The timeline tells the story.
    const timeline = screen.getByRole("list", { name: "Timeline" });
    expect(within(timeline).getByText("Step 1 settled (job #1)")).toBeTruthy();
    expect(within(timeline).getByText("Step 3 is ready")).toBeTruthy();
  });

  it("shows the step names from the specs and the final output once the terminal step settles", async () => {
    const named = (name: string, module: string, inputs?: Record<string, { step: number }>) =>
      toHex(
        encodeSpec({
          kind: "wasm",
          version: 1,
          name,
          module: { uri: `https://modules.example/${module}.wasm`, sha256: "1".repeat(64) },
          input: { encoding: "utf8", data: "" },
          ...(inputs ? { inputs } : {}),
        } as JobSpecInput),
      );
    const output = encodeResult({ fox: 2, the: 4 });
    const outputHash = keccak256(output);
    const fake = orchestratorChain([
      [
        "WorkflowCreated",
        {
          workflowId: 1n,
          requester: REQUESTER,
          token: zeroAddress,
          budget: parseEther("0.02"),
          steps: [step(named("cut the text", "split")), step(named("add it up", "merge", { a: { step: 0 } }))],
          dependencies: [[], [0]],
          maxRetries: 0,
        },
      ],
      ["StepPosted", { workflowId: 1n, step: 0, jobId: 1n, attempt: 1, specHash: RESULT }],
      ["StepSettled", { workflowId: 1n, step: 0, jobId: 1n, resultHash: RESULT, price: parseEther("0.008") }],
      ["StepPosted", { workflowId: 1n, step: 1, jobId: 2n, attempt: 1, specHash: RESULT }],
      ["StepSettled", { workflowId: 1n, step: 1, jobId: 2n, resultHash: outputHash, price: parseEther("0.008") }],
      ["WorkflowCompleted", { workflowId: 1n, refund: parseEther("0.004") }],
    ]);
    fake.postJob(termsFor(ORCHESTRATOR), { state: 11, record: { status: Status.Settled } });
    fake.postJob(termsFor(ORCHESTRATOR), { state: 11, record: { status: Status.Settled } });
    fake.addLog("ResultSubmitted", { jobId: 2n, worker: OTHER_WORKER }, [outputHash, toHex(output), 0]);
    await renderPage(<Workflow id={1n} />, fake, { account: REQUESTER });
    const table = await screen.findByRole("table", { name: "Steps" });
    expect(within(table).getByRole("rowheader", { name: /^Step 1: cut the text/ })).toBeTruthy();
    expect(within(table).getByRole("rowheader", { name: /^Step 2: add it up/ })).toBeTruthy();
    const timeline = screen.getByRole("list", { name: "Timeline" });
    expect(within(timeline).getByText("Step 2: add it up settled (job #2)")).toBeTruthy();
    const final = screen.getByRole("region", { name: "Final output" });
    await within(final).findByText("Matches the result hash the orchestrator recorded.");
    expect(JSON.parse(within(final).getByLabelText("Output of Step 2: add it up").textContent!)).toEqual({
      fox: 2,
      the: 4,
    });
    // Only the terminal step is the output: the split's result is an intermediate one.
    expect(within(final).queryByText(/cut the text/)).toBeNull();
  });

  it("counts the jobs a workflow posted for its creator among the creator's jobs", () => {
    const logs = [
      { eventName: "WorkflowCreated", args: { workflowId: 1n, requester: REQUESTER }, blockNumber: 1n, logIndex: 0 },
      { eventName: "WorkflowCreated", args: { workflowId: 2n, requester: OTHER_WORKER }, blockNumber: 1n, logIndex: 1 },
      { eventName: "StepPosted", args: { workflowId: 1n, jobId: 3n }, blockNumber: 2n, logIndex: 0 },
      { eventName: "StepPosted", args: { workflowId: 2n, jobId: 4n }, blockNumber: 2n, logIndex: 1 },
    ];
    const mine = workflowJobsOf(logs, REQUESTER.toLowerCase());
    expect([...mine]).toEqual([3n]);
    expect(workflowJobsOf(logs, undefined).size).toBe(0);
    const job = (id: bigint, requester: Address) =>
      ({
        id,
        requester,
        token: zeroAddress,
        terms: termsFor(requester),
        specHash: "0x",
        spec: "0x",
        blockNumber: id,
        transactionHash: "0x",
      }) as const;
    const jobs = [job(1n, REQUESTER), job(2n, OTHER_WORKER), job(3n, ORCHESTRATOR), job(4n, ORCHESTRATOR)];
    const page = selectPage(jobs, undefined, { mine: true, account: REQUESTER, workflowJobs: mine, page: 0 });
    expect(page.rows.map((r) => r.posted.id)).toEqual([3n, 1n]);
    const without = selectPage(jobs, undefined, { mine: true, account: REQUESTER, page: 0 });
    expect(without.rows.map((r) => r.posted.id)).toEqual([1n]);
  });

  it("lists workflows with status, settled steps and budget", async () => {
    const fake = diamond();
    await renderPage(<Workflows />, fake, { account: REQUESTER });
    const link = await screen.findByRole("link", { name: "Workflow #1" });
    const row = link.closest("tr")!;
    expect(row.textContent).toContain("Active");
    expect(row.textContent).toContain("1 / 4");
    expect(row.textContent).toContain("0.04 ETH");
    expect(row.textContent).toContain("you");
    // One log query for the whole list (one window), plus workflowCount.
    expect(fake.count("eth_getLogs")).toBeLessThanOrEqual(3);
  });

  it("reads the orchestrator's logs once, then only new blocks", async () => {
    const fake = diamond();
    const client = createPublicClient({ chain: testChain, transport: fake.transport() });
    const params = { orchestrator: ORCHESTRATOR, fromBlock: 1n, eventNames: LIST_EVENTS };
    const first = await extendOrchestratorLogs(client, params);
    expect(first.logs.map((l) => l.eventName)).toEqual(["WorkflowCreated", "StepSettled"]);
    const calls = fake.count("eth_getLogs");
    const again = await extendOrchestratorLogs(client, params, first);
    expect(again.logs).toHaveLength(2);
    expect(fake.count("eth_getLogs")).toBe(calls); // no new block: no log query
    fake.head += 5n;
    expect((await extendOrchestratorLogs(client, params, again)).logs).toHaveLength(2);
    expect(fake.count("eth_getLogs")).toBe(calls + 1);
    // A chain that went back below what was read (a restarted node) is read again from the start.
    fake.head = 2n;
    const restarted = await extendOrchestratorLogs(client, params, first);
    expect(restarted.toBlock).toBe(2n);
    expect(fake.count("eth_getLogs")).toBe(calls + 2);
  });

  it("keeps the logs read in the query, so a refresh of the list reads only new blocks", async () => {
    const fake = diamond();
    const from: bigint[] = [];
    const request = fake.request.bind(fake);
    fake.request = async (method, params = []) => {
      if (method === "eth_getLogs") from.push(BigInt((params[0] as { fromBlock: Hex }).fromBlock));
      return request(method, params);
    };
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false } } });
    await renderPage(<Workflows />, fake, { account: REQUESTER, queryClient });
    await screen.findByRole("link", { name: "Workflow #1" });
    const head = fake.head;
    const reads = from.length;
    fake.head += 3n;
    await queryClient.refetchQueries({ queryKey: ["workflows"] });
    expect(from.slice(reads)).toEqual([head + 1n]);
  });

  it("summarises list events newest first", () => {
    const created = (id: bigint) => ({
      eventName: "WorkflowCreated",
      blockNumber: id,
      logIndex: 0,
      args: {
        workflowId: id,
        requester: REQUESTER,
        token: zeroAddress,
        budget: 10n,
        steps: [{ spec: spec("split"), maxReward: 10n }],
        dependencies: [[]],
        maxRetries: 0,
      },
    });
    const list = workflowsFromLogs([
      created(1n),
      created(2n),
      { eventName: "StepSettled", blockNumber: 3n, logIndex: 0, args: { workflowId: 1n, step: 0, price: 4n } },
      { eventName: "WorkflowCompleted", blockNumber: 3n, logIndex: 1, args: { workflowId: 1n, refund: 6n } },
    ]);
    expect(list.map((w) => [w.id, w.status, w.settled, w.spent, w.refunded])).toEqual([
      [2n, "Active", 0, 0n, 0n],
      [1n, "Completed", 1, 4n, 6n],
    ]);
  });
});
