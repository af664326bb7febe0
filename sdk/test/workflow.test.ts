import { bytesToHex, encodePacked, keccak256, stringToBytes, stringToHex, zeroAddress, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import {
  BatonError,
  MAX_PAYLOAD_BYTES,
  MAX_WORKFLOW_EDGES,
  MAX_WORKFLOW_RETRIES,
  MAX_WORKFLOW_SPEC_BYTES,
  MAX_WORKFLOW_STEPS,
  Pricing,
  WorkflowValidationError,
  bindInputs,
  buildWorkflow,
  composeWasmInput,
  decodeSpec,
  encodeSpec,
  parseSpec,
  reduceWorkflow,
  type Address,
  type BuiltWorkflow,
  type JobSpecInput,
  type WorkflowDraft,
  type WorkflowIssue,
  type WorkflowState,
  type WorkflowStepDraft,
} from "../src/index.js";

const SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const ARBITER: Address = "0x00000000000000000000000000000000000000A1";
const TOKEN: Address = "0x00000000000000000000000000000000000000B2";
const REQUESTER: Address = "0x00000000000000000000000000000000000000C3";
const windows = { commitWindow: 60, revealWindow: 60, executionWindow: 300, challengeWindow: 120 };
/** commit + reveal + execution of `windows`. */
const ROUND = 420;
const MAX_WINDOW = 30 * 86_400;

type WasmInputs = Record<string, { step: number; path?: string }>;

function wasmSpec(data: string, inputs?: WasmInputs): JobSpecInput {
  return {
    kind: "wasm",
    version: 1,
    module: { uri: "ipfs://bafkreiwordfreq", sha256: SHA },
    input: { encoding: "utf8", data },
    ...(inputs ? { inputs } : {}),
  };
}

const httpJson = {
  kind: "http.json",
  version: 1,
  url: "https://api.example.com/v1/price?pair=ETH-USD",
  method: "GET",
  path: "$.data.price",
} as const satisfies JobSpecInput;

const contractCall = {
  kind: "contract.call",
  version: 1,
  chainId: 1,
  to: "0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419",
  signature: "function latestAnswer() view returns (int256)",
  args: [],
} as const satisfies JobSpecInput;

function step(overrides: Partial<WorkflowStepDraft> = {}): WorkflowStepDraft {
  return { spec: wasmSpec("step"), maxReward: 10n, arbiter: ARBITER, bond: 1n, windows, ...overrides };
}

/** A: split; B and C: one half each of A's result; D: merges B and C. */
const diamond: WorkflowStepDraft[] = [
  step({ name: "split", spec: wasmSpec("a b c d"), maxReward: 100n, bond: 10n }),
  step({ name: "left", spec: wasmSpec("", { part: { step: 0, path: "$[0]" } }), dependsOn: [0], maxReward: 200n }),
  step({ name: "right", spec: wasmSpec("", { part: { step: 0, path: "$[1]" } }), dependsOn: [0], maxReward: 300n }),
  step({
    name: "merge",
    spec: wasmSpec("merge", { left: { step: 1 }, right: { step: 2 } }),
    dependsOn: [1, 2],
    maxReward: 400n,
  }),
];

/** The issues `buildWorkflow` reports for `draft` (failing the test if it accepts the draft). */
function issuesOf(draft: WorkflowDraft): WorkflowIssue[] {
  try {
    buildWorkflow(draft);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowValidationError);
    expect(error).toBeInstanceOf(BatonError);
    return (error as WorkflowValidationError).issues;
  }
  throw new Error("expected the workflow to be rejected");
}

/** Steps 0..count-1, each depending on every earlier step. */
function fullyConnected(count: number): WorkflowStepDraft[] {
  return Array.from({ length: count }, (_, i) => step({ dependsOn: Array.from({ length: i }, (_, d) => d) }));
}

describe("buildWorkflow", () => {
  it("turns a diamond into the exact createWorkflow arguments, with defaults filled in", () => {
    const built = buildWorkflow({ steps: diamond });
    const expiryWindow = 4 * ROUND;
    const expected: BuiltWorkflow = {
      steps: diamond.map((s) => ({
        spec: bytesToHex(encodeSpec(s.spec)),
        maxReward: s.maxReward,
        arbiter: ARBITER,
        bond: s.bond,
        minStake: 0n,
        minCompleted: 0,
        commitWindow: 60,
        revealWindow: 60,
        executionWindow: 300,
        challengeWindow: 120,
        expiryWindow,
        pricing: Pricing.FirstPrice,
      })),
      dependencies: [[], [0], [0], [1, 2]],
      token: zeroAddress,
      budget: 1000n,
      maxRetries: 0,
      required: 1000n,
    };
    expect(built).toEqual(expected);
    expect(built.steps.map((s) => s.maxReward)).toEqual([100n, 200n, 300n, 400n]);
    expect(built.steps[0]!.bond).toBe(10n);
    // The bytes are the canonical spec keepers decode back and hash to the template hash.
    for (const [i, s] of built.steps.entries()) {
      const decoded = decodeSpec(s.spec);
      expect(decoded.ok).toBe(true);
      if (decoded.ok) expect(decoded.hash).toBe(keccak256(encodeSpec(diamond[i]!.spec)));
    }
  });

  it("passes explicit settings through and encodes specs canonically whatever the key order", () => {
    const shuffled = {
      version: 1,
      input: { data: "x", encoding: "utf8" },
      module: { sha256: SHA, uri: "ipfs://bafkreiwordfreq" },
      kind: "wasm",
    } as const satisfies JobSpecInput;
    const built = buildWorkflow({
      steps: [
        step({ spec: shuffled }),
        step({
          spec: contractCall,
          dependsOn: [0],
          minStake: 5n,
          minCompleted: 3,
          expiryWindow: ROUND,
          pricing: Pricing.SecondPrice,
        }),
      ],
      token: TOKEN,
      budget: 50n,
      maxRetries: MAX_WORKFLOW_RETRIES,
    });
    expect(built.steps[0]!.spec).toBe(bytesToHex(encodeSpec(wasmSpec("x"))));
    // Addresses in a contract.call spec are checksummed, as encodeSpec does.
    expect(built.steps[1]!.spec).toBe(bytesToHex(encodeSpec(contractCall)));
    expect(new TextDecoder().decode(encodeSpec(contractCall))).toContain(
      '"to":"0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419"',
    );
    expect(built.steps[1]).toMatchObject({
      minStake: 5n,
      minCompleted: 3,
      expiryWindow: ROUND,
      pricing: Pricing.SecondPrice,
    });
    expect(built).toMatchObject({ token: TOKEN, budget: 50n, required: 20n, maxRetries: 10 });
  });

  it("accepts every limit exactly", () => {
    const steps = Array.from({ length: MAX_WORKFLOW_STEPS }, () => step());
    expect(buildWorkflow({ steps }).steps).toHaveLength(MAX_WORKFLOW_STEPS);
    // 12 fully connected steps have 66 edges; drop two from the last step to get 64.
    const edges = fullyConnected(12);
    edges[11] = step({ dependsOn: [0, 1, 2, 3, 4, 5, 6, 7, 8] });
    const built = buildWorkflow({ steps: edges });
    expect(built.dependencies.flat()).toHaveLength(MAX_WORKFLOW_EDGES);
    const wide = { commitWindow: MAX_WINDOW, revealWindow: 1, executionWindow: 1, challengeWindow: MAX_WINDOW };
    expect(buildWorkflow({ steps: [step({ windows: wide })] }).steps[0]!.expiryWindow).toBe(4 * (MAX_WINDOW + 2));
    expect(buildWorkflow({ steps: [step({ expiryWindow: ROUND })] }).steps[0]!.expiryWindow).toBe(ROUND);
    expect(buildWorkflow({ steps: diamond, budget: 1000n }).budget).toBe(1000n);
    expect(buildWorkflow({ steps: diamond, maxRetries: 10 }).maxRetries).toBe(10);
  });

  it("rejects an empty workflow and one of 33 steps", () => {
    expect(issuesOf({ steps: [] })).toEqual([{ field: "steps", message: "a workflow needs at least one step" }]);
    const steps = Array.from({ length: MAX_WORKFLOW_STEPS + 1 }, () => step());
    expect(issuesOf({ steps })).toEqual([{ field: "steps", message: "at most 32 steps (got 33)" }]);
  });

  it("rejects more than 64 dependency edges in all", () => {
    expect(issuesOf({ steps: fullyConnected(12) })).toEqual([
      { field: "dependsOn", message: "at most 64 dependencies in all (got 66)" },
    ]);
  });

  it("rejects self, forward, duplicate and non-index dependencies on the step that names them", () => {
    expect(issuesOf({ steps: [step(), step({ dependsOn: [1] })] })).toEqual([
      { step: 1, field: "dependsOn", message: "a step cannot depend on itself" },
    ]);
    expect(issuesOf({ steps: [step({ dependsOn: [1] }), step()] })).toEqual([
      { step: 0, field: "dependsOn", message: "step 1 comes later; dependencies must be earlier steps" },
    ]);
    expect(issuesOf({ steps: [step(), step({ dependsOn: [0, 0] })] })).toEqual([
      { step: 1, field: "dependsOn", message: "step 0 is named twice" },
    ]);
    expect(issuesOf({ steps: [step(), step({ dependsOn: [-1, 0.5] })] })).toEqual([
      { step: 1, field: "dependsOn", message: "-1 is not a step index" },
      { step: 1, field: "dependsOn", message: "0.5 is not a step index" },
    ]);
  });

  it("rejects an invalid spec with the schema's field path", () => {
    const badModule = { ...wasmSpec("x"), module: { uri: "ipfs://bafkreiwordfreq", sha256: "ABC" } } as JobSpecInput;
    expect(issuesOf({ steps: [step(), step({ spec: badModule })] })).toEqual([
      {
        step: 1,
        field: "spec.module.sha256",
        message: "must be 64 lowercase hex characters (SHA-256 of the module bytes)",
      },
    ]);
    const badPath = wasmSpec("x", { part: { step: 0, path: "$..x" } });
    expect(issuesOf({ steps: [step(), step({ spec: badPath, dependsOn: [0] })] })).toEqual([
      { step: 1, field: "spec.inputs.part.path", message: expect.stringContaining("invalid JSON path") },
    ]);
  });

  it("rejects a spec over the market's inline limit as an issue of its step", () => {
    const size = encodeSpec(wasmSpec("")).length + MAX_PAYLOAD_BYTES;
    const big = wasmSpec("x".repeat(MAX_PAYLOAD_BYTES));
    expect(issuesOf({ steps: [step(), step({ spec: big }), step({ maxReward: 0n })] })).toEqual([
      { step: 1, field: "spec", message: `is ${size} bytes; at most ${MAX_PAYLOAD_BYTES}` },
      { step: 2, field: "maxReward", message: "must be more than zero" },
    ]);
  });

  it("rejects an input that reads a step outside the step's dependencies", () => {
    const steps = [
      step(),
      step(),
      step({ spec: wasmSpec("x", { ok: { step: 0 }, other: { step: 1 } }), dependsOn: [0] }),
    ];
    expect(issuesOf({ steps })).toEqual([
      {
        step: 2,
        field: "spec.inputs.other",
        message: "reads step 1, which is not among this step's dependencies",
      },
    ]);
    expect(issuesOf({ steps: [step({ spec: wasmSpec("x", { self: { step: 0 } }) })] })).toEqual([
      { step: 0, field: "spec.inputs.self", message: "reads step 0, which is not among this step's dependencies" },
    ]);
  });

  it("rejects a zero reward, a zero bond and a zero-address arbiter", () => {
    expect(issuesOf({ steps: [step({ maxReward: 0n })], budget: 0n })).toEqual([
      { step: 0, field: "maxReward", message: "must be more than zero" },
    ]);
    expect(issuesOf({ steps: [step(), step({ bond: 0n })] })).toEqual([
      { step: 1, field: "bond", message: "must be more than zero" },
    ]);
    expect(issuesOf({ steps: [step({ arbiter: zeroAddress })] })).toEqual([
      { step: 0, field: "arbiter", message: "must be an arbiter contract" },
    ]);
  });

  it("rejects zero, fractional and over-30-day windows", () => {
    const message = `must be 1 to ${MAX_WINDOW} seconds`;
    expect(issuesOf({ steps: [step({ windows: { ...windows, commitWindow: 0 } })] })).toEqual([
      { step: 0, field: "windows.commitWindow", message },
    ]);
    expect(issuesOf({ steps: [step({ windows: { ...windows, challengeWindow: MAX_WINDOW + 1 } })] })).toEqual([
      { step: 0, field: "windows.challengeWindow", message },
    ]);
    expect(
      issuesOf({ steps: [step(), step({ windows: { ...windows, revealWindow: 1.5, executionWindow: -1 } })] }),
    ).toEqual([
      { step: 1, field: "windows.revealWindow", message },
      { step: 1, field: "windows.executionWindow", message },
    ]);
  });

  it("rejects an expiry window shorter than one round", () => {
    expect(issuesOf({ steps: [step({ expiryWindow: ROUND - 1 })] })).toEqual([
      {
        step: 0,
        field: "expiryWindow",
        message: `must be at least one round (commit + reveal + execution = ${ROUND} seconds)`,
      },
    ]);
  });

  it("rejects a budget below the sum of the caps", () => {
    expect(issuesOf({ steps: diamond, budget: 999n })).toEqual([
      { field: "budget", message: "is 999, below the sum of the step caps (1000)" },
    ]);
  });

  it("rejects retries outside 0..10", () => {
    const issue = { field: "maxRetries", message: "must be an integer from 0 to 10" };
    expect(issuesOf({ steps: diamond, maxRetries: MAX_WORKFLOW_RETRIES + 1 })).toEqual([issue]);
    expect(issuesOf({ steps: diamond, maxRetries: -1 })).toEqual([issue]);
    expect(issuesOf({ steps: diamond, maxRetries: 1.5 })).toEqual([issue]);
  });

  it("rejects specs over 24575 bytes in all, and accepts exactly that", () => {
    const overhead = encodeSpec(wasmSpec("")).length;
    const first = 12_000;
    const second = MAX_WORKFLOW_SPEC_BYTES - 2 * overhead - first;
    const fits = [step({ spec: wasmSpec("x".repeat(first)) }), step({ spec: wasmSpec("y".repeat(second)) })];
    const built = buildWorkflow({ steps: fits });
    expect(built.steps.reduce((n, s) => n + (s.spec.length - 2) / 2, 0)).toBe(MAX_WORKFLOW_SPEC_BYTES);
    const over = [fits[0]!, step({ spec: wasmSpec("y".repeat(second + 1)) })];
    expect(issuesOf({ steps: over })).toEqual([
      { field: "spec", message: "specs total 24576 bytes; a workflow holds at most 24575" },
    ]);
  });

  it("lists every problem at once, in a message that names each step and field", () => {
    const draft: WorkflowDraft = {
      steps: [
        step({ bond: 0n, arbiter: zeroAddress }),
        step({ dependsOn: [1], expiryWindow: 10 }),
        step({ spec: { ...httpJson, url: "ftp://example.com" } as JobSpecInput, maxReward: 0n }),
      ],
      budget: 5n,
      maxRetries: 11,
    };
    const issues = issuesOf(draft);
    expect(issues).toEqual([
      { field: "maxRetries", message: "must be an integer from 0 to 10" },
      { step: 0, field: "bond", message: "must be more than zero" },
      { step: 0, field: "arbiter", message: "must be an arbiter contract" },
      { step: 1, field: "dependsOn", message: "a step cannot depend on itself" },
      { step: 1, field: "expiryWindow", message: expect.stringContaining("must be at least one round") },
      { step: 2, field: "spec.url", message: expect.stringContaining("must be an http:// or https:// URL") },
      { step: 2, field: "maxReward", message: "must be more than zero" },
      { field: "budget", message: "is 5, below the sum of the step caps (20)" },
    ]);
    let message = "";
    try {
      buildWorkflow(draft);
    } catch (error) {
      message = (error as Error).message;
      expect((error as Error).name).toBe("WorkflowValidationError");
    }
    expect(message).toMatch(/^invalid workflow: maxRetries: must be an integer from 0 to 10; step 0: bond: /);
    expect(message).toContain("; step 1: dependsOn: a step cannot depend on itself; ");
    expect(message).toContain("; budget: is 5, below the sum of the step caps (20)");
  });
});

describe("bindInputs", () => {
  const template = keccak256(stringToHex("template"));
  const a = keccak256(stringToHex("result of step 0"));
  const b = keccak256(stringToHex("result of step 2"));

  it("is the template hash for a step without parents", () => {
    expect(bindInputs(template, [])).toBe(template);
  });

  it("is keccak256(abi.encodePacked(templateHash, parentResultHashes...))", () => {
    expect(bindInputs(template, [a])).toBe(keccak256(encodePacked(["bytes32", "bytes32"], [template, a])));
    expect(bindInputs(template, [a, b])).toBe(
      keccak256(encodePacked(["bytes32", "bytes32", "bytes32"], [template, a, b])),
    );
  });

  it("depends on the order of the parents", () => {
    expect(bindInputs(template, [a, b])).not.toBe(bindInputs(template, [b, a]));
    expect(bindInputs(template, [b, a])).toBe(
      keccak256(encodePacked(["bytes32", "bytes32", "bytes32"], [template, b, a])),
    );
  });
});

describe("composeWasmInput", () => {
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const own = stringToBytes("own input");

  it("passes the own input through unchanged when there are no values", () => {
    expect(composeWasmInput(own, {})).toEqual(own);
    const binary = new Uint8Array([0xff, 0x00, 0x0a]);
    expect(composeWasmInput(binary, {})).toEqual(binary);
    expect(composeWasmInput(new Uint8Array(), {})).toEqual(new Uint8Array());
  });

  it("appends each value after the own input, in name order, one per line", () => {
    expect(text(composeWasmInput(own, { b: "second", a: "first", c: "third" }))).toBe(
      "own input\nfirst\nsecond\nthird",
    );
  });

  it("writes strings as their raw text and everything else as canonical JSON", () => {
    const values = {
      words: 'two "quoted"\nlines',
      counts: { the: 2, a: 1, nested: { z: [1, "x"], y: null } },
      n: 42,
      flag: true,
      none: null,
      list: ["b", "a"],
    };
    expect(text(composeWasmInput(own, values))).toBe(
      [
        "own input",
        '{"a":1,"nested":{"y":null,"z":[1,"x"]},"the":2}',
        "true",
        '["b","a"]',
        "42",
        "null",
        'two "quoted"\nlines',
      ].join("\n"),
    );
  });

  it("writes numbers of any finite value, as results carry them", () => {
    expect(text(composeWasmInput(own, { price: 1234.56, quote: { bid: 0.5, ask: 1e21 } }))).toBe(
      'own input\n1234.56\n{"ask":1e+21,"bid":0.5}',
    );
  });

  it("leaves no leading newline when the own input is empty", () => {
    expect(text(composeWasmInput(new Uint8Array(), { b: { k: 1 }, a: "x" }))).toBe('x\n{"k":1}');
    expect(text(composeWasmInput(new Uint8Array(), { only: "" }))).toBe("");
    expect(text(composeWasmInput(own, { a: "", b: "" }))).toBe("own input\n\n");
  });

  it("keeps non-text own input bytes as they are", () => {
    const binary = new Uint8Array([0xff, 0x00]);
    expect(composeWasmInput(binary, { a: "x" })).toEqual(new Uint8Array([0xff, 0x00, 0x0a, 0x78]));
  });
});

type Logs = Parameters<typeof reduceWorkflow>[1];

/** Decoded logs, one block apart per group, with log indices counted within each block. */
function logs(...blocks: [eventName: string, args: Record<string, unknown>][][]): Logs {
  return blocks.flatMap((events, b) =>
    events.map(([eventName, args], logIndex) => ({ eventName, args, blockNumber: 100n + BigInt(b), logIndex })),
  );
}

const hash = (label: string): Hex => keccak256(stringToHex(label));
const statuses = (state: WorkflowState) => state.steps.map((s) => s.status);

describe("reduceWorkflow", () => {
  const id = 7n;
  const built = buildWorkflow({ steps: diamond, maxRetries: 1, budget: 1200n });
  const created = {
    workflowId: id,
    requester: REQUESTER,
    token: zeroAddress,
    budget: 1200n,
    steps: built.steps,
    // As given by the requester: the order of a step's dependencies carries no meaning.
    dependencies: [[], [0], [0], [2, 1]],
    maxRetries: 1,
  };
  const posted = (step: number, jobId: bigint, attempt: number) => ({
    workflowId: id,
    step,
    jobId,
    attempt,
    specHash: hash(`spec ${step} ${jobId}`),
  });
  const settled = (step: number, jobId: bigint, price: bigint) => ({
    workflowId: id,
    step,
    jobId,
    resultHash: hash(`result ${jobId}`),
    price,
  });

  // created → A posted → A settled, B and C posted → B settled → C fails and is re-auctioned →
  // C settled, D posted → D settled, workflow completed.
  const run = logs(
    [
      ["WorkflowCreated", created],
      ["StepPosted", posted(0, 1n, 1)],
    ],
    [
      ["StepSettled", settled(0, 1n, 80n)],
      ["StepPosted", posted(1, 2n, 1)],
      ["StepPosted", posted(2, 3n, 1)],
    ],
    [["StepSettled", settled(1, 2n, 150n)]],
    [
      ["StepFailed", { workflowId: id, step: 2, jobId: 3n, attempt: 1, retrying: true }],
      ["StepPosted", posted(2, 4n, 2)],
    ],
    [
      ["StepSettled", settled(2, 4n, 300n)],
      ["StepPosted", posted(3, 5n, 1)],
    ],
    [
      ["StepSettled", settled(3, 5n, 400n)],
      ["WorkflowCompleted", { workflowId: id, refund: 270n }],
    ],
  );

  it("reads the workflow and its graph from WorkflowCreated", () => {
    const state = reduceWorkflow(id, run.slice(0, 1));
    expect(state).toMatchObject({
      workflowId: id,
      requester: REQUESTER,
      token: zeroAddress,
      budget: 1200n,
      maxRetries: 1,
      status: "Active",
      refunded: 0n,
      spent: 0n,
      createdBlock: 100n,
    });
    expect(state.steps.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(state.steps.map((s) => s.dependsOn)).toEqual([[], [0], [0], [1, 2]]);
    expect(state.steps.map((s) => s.dependents)).toEqual([[1, 2], [3], [3], []]);
    expect(state.steps.map((s) => s.maxReward)).toEqual([100n, 200n, 300n, 400n]);
    expect(statuses(state)).toEqual(["Waiting", "Waiting", "Waiting", "Waiting"]);
    expect(state.steps.map((s) => s.specBytes)).toEqual(built.steps.map((s) => s.spec));
    const decoded = decodeSpec(built.steps[3]!.spec);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(state.steps[3]!.spec).toEqual(decoded.spec);
    expect(state.steps[3]!.spec).toMatchObject({ kind: "wasm", inputs: { left: { step: 1 }, right: { step: 2 } } });
  });

  it("follows each step through posting, settlement, a retry and completion", () => {
    const at = (count: number) => reduceWorkflow(id, run.slice(0, count));
    expect(statuses(at(2))).toEqual(["Posted", "Waiting", "Waiting", "Waiting"]);
    expect(statuses(at(5))).toEqual(["Settled", "Posted", "Posted", "Waiting"]);
    expect(statuses(at(6))).toEqual(["Settled", "Settled", "Posted", "Waiting"]);
    const retrying = at(7);
    expect(statuses(retrying)).toEqual(["Settled", "Settled", "Ready", "Waiting"]);
    expect(retrying.status).toBe("Active");
    expect(retrying.spent).toBe(230n);
    expect(statuses(at(8))).toEqual(["Settled", "Settled", "Posted", "Waiting"]);
    expect(statuses(at(10))).toEqual(["Settled", "Settled", "Settled", "Posted"]);

    const state = reduceWorkflow(id, run);
    expect(state.status).toBe("Completed");
    expect(statuses(state)).toEqual(["Settled", "Settled", "Settled", "Settled"]);
    expect(state.steps.map((s) => s.jobIds)).toEqual([[1n], [2n], [3n, 4n], [5n]]);
    expect(state.steps.map((s) => s.attempts)).toEqual([1, 1, 2, 1]);
    expect(state.steps.map((s) => s.price)).toEqual([80n, 150n, 300n, 400n]);
    expect(state.steps.map((s) => s.resultHash)).toEqual([1n, 2n, 4n, 5n].map((j) => hash(`result ${j}`)));
    expect(state.spent).toBe(930n);
    expect(state.refunded).toBe(270n);
    expect(state.events.map((e) => e.name)).toEqual(run.map((l) => l.eventName));
    expect(state.events[7]).toEqual({ name: "StepPosted", blockNumber: 103n, logIndex: 1, args: posted(2, 4n, 2) });
  });

  it("marks a step Ready when its posting waits for advance", () => {
    const state = reduceWorkflow(
      id,
      logs(
        [
          ["WorkflowCreated", created],
          ["StepPosted", posted(0, 1n, 1)],
        ],
        [
          ["StepSettled", settled(0, 1n, 100n)],
          ["StepPosted", posted(1, 2n, 1)],
          ["StepReady", { workflowId: id, step: 2, reason: "0x" }],
        ],
      ),
    );
    expect(statuses(state)).toEqual(["Settled", "Posted", "Ready", "Waiting"]);
  });

  it("fails a step with no retries left and the workflow with it", () => {
    const state = reduceWorkflow(
      id,
      logs(
        [
          ["WorkflowCreated", { ...created, maxRetries: 0 }],
          ["StepPosted", posted(0, 1n, 1)],
        ],
        [
          ["StepFailed", { workflowId: id, step: 0, jobId: 1n, attempt: 1, retrying: false }],
          ["WorkflowFailed", { workflowId: id, step: 0, refund: 1200n }],
        ],
      ),
    );
    expect(state.status).toBe("Failed");
    expect(state.maxRetries).toBe(0);
    expect(statuses(state)).toEqual(["Failed", "Waiting", "Waiting", "Waiting"]);
    expect(state.refunded).toBe(1200n);
    expect(state.spent).toBe(0n);
  });

  describe("a cancelled workflow", () => {
    // A and B run side by side, C needs both. A settles, the requester cancels while B's job has a
    // bid (so it stays with the market), and B's job later ends: its cap comes back as a late refund.
    const steps = buildWorkflow({
      steps: [step({ maxReward: 100n }), step({ maxReward: 200n }), step({ maxReward: 300n, dependsOn: [0, 1] })],
    }).steps;
    const start = logs(
      [
        ["WorkflowCreated", { ...created, budget: 600n, steps, dependencies: [[], [], [1, 0]], maxRetries: 2 }],
        ["StepPosted", posted(0, 11n, 1)],
        ["StepPosted", posted(1, 12n, 1)],
      ],
      [["StepSettled", settled(0, 11n, 90n)]],
      [["WorkflowCancelled", { workflowId: id, refund: 310n }]],
    );
    const late = (events: [string, Record<string, unknown>][]) =>
      start.concat(events.map(([eventName, args], logIndex) => ({ eventName, args, blockNumber: 110n, logIndex })));

    it("counts a late refund of a job that ended without a result", () => {
      const state = reduceWorkflow(
        id,
        late([
          ["StepFailed", { workflowId: id, step: 1, jobId: 12n, attempt: 1, retrying: false }],
          ["LateRefund", { workflowId: id, step: 1, amount: 200n }],
        ]),
      );
      expect(state.status).toBe("Cancelled");
      expect(statuses(state)).toEqual(["Settled", "Cancelled", "Waiting"]);
      expect(state.steps.map((s) => s.dependents)).toEqual([[2], [2], []]);
      expect(state.steps.map((s) => s.jobIds)).toEqual([[11n], [12n], []]);
      expect(state.steps.map((s) => s.attempts)).toEqual([1, 1, 0]);
      expect(state.spent).toBe(90n);
      expect(state.refunded).toBe(510n);
      expect(state.events.map((e) => e.name).slice(-3)).toEqual(["WorkflowCancelled", "StepFailed", "LateRefund"]);
    });

    it("counts a late settlement's price and its unspent cap", () => {
      const before = reduceWorkflow(id, start);
      expect(before.status).toBe("Cancelled");
      expect(before.refunded).toBe(310n);
      const state = reduceWorkflow(
        id,
        late([
          ["StepSettled", settled(1, 12n, 150n)],
          ["LateRefund", { workflowId: id, step: 1, amount: 50n }],
        ]),
      );
      expect(state.status).toBe("Cancelled");
      expect(statuses(state)).toEqual(["Settled", "Settled", "Waiting"]);
      expect(state.spent).toBe(240n);
      expect(state.refunded).toBe(360n);
      expect(state.spent + state.refunded).toBe(600n);
    });
  });

  it("leaves the spec undefined when a step's bytes are not a valid spec", () => {
    const state = reduceWorkflow(
      id,
      logs([["WorkflowCreated", { ...created, steps: [{ ...built.steps[0]!, spec: "0x1234" }], dependencies: [[]] }]]),
    );
    expect(state.steps[0]).toMatchObject({ spec: undefined, specBytes: "0x1234", status: "Waiting" });
  });

  it("throws BatonError without a WorkflowCreated event", () => {
    expect(() => reduceWorkflow(id, [])).toThrow(BatonError);
    expect(() => reduceWorkflow(id, run.slice(1))).toThrow("no WorkflowCreated event for workflow 7");
  });
});

describe("workflow inputs in the spec schema", () => {
  it("accepts wasm inputs with and without a JSON path", () => {
    const spec = wasmSpec("x", {
      whole: { step: 0 },
      first: { step: 1, path: "$[0]" },
      deep: { step: 2, path: "$.a.b" },
    });
    const parsed = parseSpec(spec);
    expect(parsed.ok).toBe(true);
    if (parsed.ok && parsed.spec.kind === "wasm") {
      expect(parsed.spec.inputs).toEqual({
        whole: { step: 0 },
        first: { step: 1, path: "$[0]" },
        deep: { step: 2, path: "$.a.b" },
      });
    }
  });

  it("rejects a malformed path and unknown fields in an input", () => {
    for (const path of ["$..x", "items[", "$.0abc", "$[01]"]) {
      const parsed = parseSpec(wasmSpec("x", { part: { step: 0, path } }));
      expect(parsed.ok, path).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error.issues, path).toEqual([
          { path: "inputs.part.path", message: expect.stringContaining("invalid JSON path") },
        ]);
      }
    }
    const extra = parseSpec({ ...wasmSpec("x"), inputs: { part: { step: 0, from: "A" } } });
    expect(extra.ok).toBe(false);
  });

  it("rejects inputs on http.json and contract.call specs", () => {
    for (const spec of [httpJson, contractCall]) {
      expect(parseSpec(spec).ok).toBe(true);
      const withInputs = { ...spec, inputs: { x: { step: 0 } } } as unknown as JobSpecInput;
      const parsed = parseSpec(withInputs);
      expect(parsed.ok, spec.kind).toBe(false);
      if (!parsed.ok) expect(parsed.error.issues).toEqual([{ path: "", message: 'unknown field "inputs"' }]);
      expect(() => encodeSpec(withInputs)).toThrow('unknown field "inputs"');
    }
  });

  it("rejects inputs on a non-wasm step of a workflow", () => {
    const steps = [step(), step({ spec: { ...httpJson, inputs: { x: { step: 0 } } } as JobSpecInput, dependsOn: [0] })];
    expect(issuesOf({ steps })).toEqual([{ step: 1, field: "spec", message: expect.stringContaining("inputs") }]);
  });
});
