// The workflow builder as data: steps (wasm, a module from the configuration), their inputs from
// earlier steps, defaults shared by every step, and one check that turns the form into the
// `createWorkflow` arguments through the sdk's `buildWorkflow`, or into a message per field, each
// attached to its step, before any transaction.
import {
  buildWorkflow,
  MAX_WINDOW,
  MAX_WORKFLOW_RETRIES,
  ZERO_ADDRESS,
  WorkflowValidationError,
  type BuiltWorkflow,
  type JobSpecInput,
  type WorkflowIssue,
  type WorkflowStepDraft,
} from "@baton/sdk";
import { formatUnits, getAddress, isAddress, maxUint96, parseUnits, type Address } from "viem";
import type { ChainConfig, WasmModule } from "../config/runtime.ts";
import { inDays, isZeroAddress } from "./format.ts";
import { defaultModule } from "./modules.ts";
import { defaultPreset } from "./postForm.ts";

export type WindowName = "commitWindow" | "revealWindow" | "executionWindow" | "challengeWindow";
export const WINDOWS: readonly { name: WindowName; label: string }[] = [
  { name: "commitWindow", label: "Commit window (s)" },
  { name: "revealWindow", label: "Reveal window (s)" },
  { name: "executionWindow", label: "Execution window (s)" },
  { name: "challengeWindow", label: "Challenge window (s)" },
];

/** Settings every step uses unless it overrides them. */
export type StepSettings = Record<WindowName, string> & { bond: string; arbiter: string };

/** One input of a step: `name` reads the result of the step with key `step`, narrowed by `path`. */
export type InputForm = { name: string; step: string; path: string };

export type StepForm = {
  /** Stable identity while steps are added and removed (indices shift). */
  key: string;
  name: string;
  moduleUri: string;
  moduleSha256: string;
  /** The module's own input (UTF-8 text); the inputs follow it, one per line. */
  input: string;
  inputs: InputForm[];
  /** Keys of the earlier steps this one depends on. */
  dependsOn: string[];
  /** Reward cap, in the budget token. */
  reward: string;
  /** Overrides of the shared settings; empty means "use the default". */
  overrides: Partial<StepSettings>;
};

export type WorkflowForm = {
  steps: StepForm[];
  token: Address;
  /** Empty: the sum of the caps. */
  budget: string;
  retries: string;
  defaults: StepSettings;
};

/** Where a message belongs: a workflow field (`budget`, `defaults.bond`…) or `${stepKey}:${field}`. */
export type WorkflowErrors = Record<string, string>;
export const stepField = (key: string, field: string) => `${key}:${field}`;

let counter = 0;
export const newKey = () => `s${++counter}`;

export function defaultSettings(chain: ChainConfig): StepSettings {
  const w = defaultPreset(chain.chainId).windows;
  return {
    commitWindow: String(w.commitWindow),
    revealWindow: String(w.revealWindow),
    executionWindow: String(w.executionWindow),
    challengeWindow: String(w.challengeWindow),
    bond: "0.01",
    arbiter: chain.addressBook.committeeArbiter,
  };
}

export function emptyStep(chain: ChainConfig): StepForm {
  const mod = defaultModule(chain.wasmModules);
  return {
    key: newKey(),
    name: "",
    moduleUri: mod?.uri ?? "",
    moduleSha256: mod?.sha256 ?? "",
    input: "",
    inputs: [],
    dependsOn: [],
    reward: "0.01",
    overrides: {},
  };
}

export function emptyWorkflow(chain: ChainConfig): WorkflowForm {
  return { steps: [emptyStep(chain)], token: ZERO_ADDRESS, budget: "", retries: "0", defaults: defaultSettings(chain) };
}

/** The modules the "split → count ×2 → merge" template needs, or the names missing from the configuration. */
export function templateModules(modules: readonly WasmModule[]) {
  const find = (name: string) => modules.find((m) => m.name === name);
  const split = find("split");
  const wordfreq = find("wordfreq");
  const merge = find("merge");
  const missing = [split ? "" : "split", wordfreq ? "" : "wordfreq", merge ? "" : "merge"].filter(Boolean);
  return split && wordfreq && merge ? { ok: true as const, split, wordfreq, merge } : { ok: false as const, missing };
}

export const TEMPLATE_TEXT = "the quick brown fox jumps over the lazy dog and the dog sleeps while the fox runs";

/**
 * The diamond split → count ×2 → merge: `split` cuts a text in two, each `wordfreq` counts one
 * half (`$[0]`, `$[1]` of the split's result), and `merge` adds the two counts up.
 */
export function templateWorkflow(chain: ChainConfig, text = TEMPLATE_TEXT): WorkflowForm | undefined {
  const mods = templateModules(chain.wasmModules);
  if (!mods.ok) return undefined;
  const step = (name: string, mod: WasmModule, input: string, dependsOn: string[], inputs: InputForm[]) => ({
    key: newKey(),
    name,
    moduleUri: mod.uri,
    moduleSha256: mod.sha256,
    input,
    inputs,
    dependsOn,
    reward: "0.01",
    overrides: {},
  });
  const split = step("split", mods.split, `2\n${text}`, [], []);
  const left = step("count 1", mods.wordfreq, "", [split.key], [{ name: "text", step: split.key, path: "$[0]" }]);
  const right = step("count 2", mods.wordfreq, "", [split.key], [{ name: "text", step: split.key, path: "$[1]" }]);
  const merge = step(
    "merge",
    mods.merge,
    "",
    [left.key, right.key],
    [
      { name: "a", step: left.key, path: "" },
      { name: "b", step: right.key, path: "" },
    ],
  );
  return { ...emptyWorkflow(chain), steps: [split, left, right, merge] };
}

/** Removes a step and every reference to it (dependencies, inputs' parent). */
export function removeStep(form: WorkflowForm, key: string): WorkflowForm {
  return {
    ...form,
    steps: form.steps
      .filter((s) => s.key !== key)
      .map((s) => ({
        ...s,
        dependsOn: s.dependsOn.filter((d) => d !== key),
        inputs: s.inputs.map((i) => (i.step === key ? { ...i, step: "" } : i)),
      })),
  };
}

/** Adds the dependency `from → to` when `from` comes earlier; returns an explanation otherwise. */
export function connectSteps(form: WorkflowForm, from: string, to: string): { form: WorkflowForm; error?: string } {
  const a = form.steps.findIndex((s) => s.key === from);
  const b = form.steps.findIndex((s) => s.key === to);
  if (a < 0 || b < 0) return { form };
  if (a === b) return { form, error: "A step cannot depend on itself." };
  if (a > b) {
    return {
      form,
      error: `Step ${b + 1} comes before step ${a + 1}: draw dependencies from an earlier step to a later one.`,
    };
  }
  if (form.steps[b]!.dependsOn.includes(from)) return { form };
  return {
    form: {
      ...form,
      steps: form.steps.map((s) => (s.key === to ? { ...s, dependsOn: [...s.dependsOn, from] } : s)),
    },
  };
}

/** Step keys in the order they appear; a step's label for people is "Step n · name". */
export function stepLabel(form: WorkflowForm, key: string): string {
  const i = form.steps.findIndex((s) => s.key === key);
  if (i < 0) return "a removed step";
  const name = form.steps[i]!.name.trim();
  return `Step ${i + 1}${name ? ` (${name})` : ""}`;
}

const LABELS: Record<string, string> = {
  name: "Name",
  module: "Module",
  moduleUri: "Module URI",
  moduleSha256: "Module SHA-256",
  input: "Input",
  reward: "Reward cap",
  bond: "Bond",
  arbiter: "Arbiter",
  commitWindow: "Commit window",
  revealWindow: "Reveal window",
  executionWindow: "Execution window",
  challengeWindow: "Challenge window",
  expiry: "Expiry",
  dependsOn: "Dependencies",
  budget: "Budget",
  retries: "Retries",
  spec: "Spec",
};

const sentence = (label: string, message: string) => {
  const text = `${label} ${message}`.trim();
  return /[.!?]$/.test(text) ? text : `${text}.`;
};

function amount(text: string, decimals: number, label: string, positive: boolean): { value?: bigint; error?: string } {
  const t = text.trim();
  if (!t) return { error: `${label} is required.` };
  if (!/^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(t) && !/^\.[0-9]+$/.test(t)) {
    return { error: `${label} must be a number such as 0.05.` };
  }
  if ((t.split(".")[1] ?? "").length > decimals) return { error: `${label} has more than ${decimals} decimals.` };
  const value = parseUnits(t, decimals);
  if (positive && value === 0n) return { error: `${label} must be more than zero.` };
  if (value > maxUint96) return { error: `${label} is too large.` };
  return { value };
}

export type CheckedWorkflow =
  { ok: true; built: BuiltWorkflow; arbiters: Address[] } | { ok: false; errors: WorkflowErrors };

/**
 * Checks the whole form: amounts, windows and addresses as typed, input names and parents, then
 * every rule of the orchestrator and the spec schema through `buildWorkflow`. Each problem is keyed
 * to the field that causes it. Pure: no chain reads.
 */
export function checkWorkflow(form: WorkflowForm, tokenDecimals: number): CheckedWorkflow {
  const errors: WorkflowErrors = {};
  const add = (key: string, message: string) => (errors[key] ??= message);
  const index = new Map(form.steps.map((s, i) => [s.key, i]));

  // Shared settings.
  const shared: Partial<Record<keyof StepSettings, unknown>> = {};
  const parseSetting = (name: keyof StepSettings, text: string, where: string) => {
    if (name === "bond") {
      const r = amount(text, 18, "Bond", true);
      if (r.error) add(where, r.error);
      return r.value;
    }
    if (name === "arbiter") {
      const t = text.trim();
      if (!isAddress(t, { strict: false }) || isZeroAddress(t)) {
        add(where, "Arbiter must be a contract address (0x followed by 40 hex digits).");
        return undefined;
      }
      return getAddress(t);
    }
    const t = text.trim();
    if (!/^[0-9]+$/.test(t) || Number(t) < 1 || Number(t) > MAX_WINDOW) {
      add(where, `${LABELS[name]} must be between 1 and ${MAX_WINDOW} seconds (${inDays(MAX_WINDOW)}).`);
      return undefined;
    }
    return Number(t);
  };
  for (const name of Object.keys(form.defaults) as (keyof StepSettings)[]) {
    shared[name] = parseSetting(name, form.defaults[name], `defaults.${name}`);
  }

  // Steps: typed values first; a field that does not parse gets a placeholder so that
  // buildWorkflow still checks everything else, and its own issue for that field is dropped.
  const drafts: WorkflowStepDraft[] = form.steps.map((s, i) => {
    const field = (f: string) => stepField(s.key, f);
    const setting = <T>(name: keyof StepSettings, fallback: T): T => {
      const override = s.overrides[name]?.trim();
      const value = override ? parseSetting(name, override, field(name)) : shared[name];
      return (value ?? fallback) as T;
    };
    const reward = amount(s.reward, tokenDecimals, "Reward cap", true);
    if (reward.error) add(field("reward"), reward.error);

    const inputs: Record<string, { step: number; path?: string }> = {};
    s.inputs.forEach((input, j) => {
      const at = (f: string) => field(`inputs.${j}.${f}`);
      const name = input.name.trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
        add(at("name"), "Input name must be an identifier: a letter or _, then letters, digits or _ (at most 64).");
      } else if (name in inputs) add(at("name"), `Input name “${name}” is used twice in this step.`);
      const parent = index.get(input.step);
      if (parent === undefined) add(at("step"), "Choose the step whose result this input reads.");
      else if (parent >= i) add(at("step"), `${stepLabel(form, input.step)} does not come before this step.`);
      else if (!s.dependsOn.includes(input.step)) {
        add(
          at("step"),
          `This input reads ${stepLabel(form, input.step)}, which this step does not depend on: tick it under “Depends on”.`,
        );
      }
      if (name && parent !== undefined) {
        inputs[name] = { step: parent, ...(input.path.trim() ? { path: input.path.trim() } : {}) };
      }
    });

    // The step's name goes into its spec (hashed and emitted with the workflow), so the workflow
    // page can show it from the chain.
    const name = s.name.trim();
    const spec = {
      kind: "wasm",
      version: 1,
      ...(name ? { name } : {}),
      module: { uri: s.moduleUri.trim(), sha256: s.moduleSha256.trim() },
      input: { encoding: "utf8", data: s.input },
      ...(s.inputs.length ? { inputs } : {}),
    } as JobSpecInput;
    return {
      name: s.name,
      spec,
      dependsOn: s.dependsOn.map((d) => index.get(d)).filter((d): d is number => d !== undefined),
      maxReward: reward.value ?? 1n,
      bond: setting("bond", 1n),
      arbiter: setting("arbiter", "0x0000000000000000000000000000000000000001" as Address),
      windows: {
        commitWindow: setting("commitWindow", 60),
        revealWindow: setting("revealWindow", 60),
        executionWindow: setting("executionWindow", 60),
        challengeWindow: setting("challengeWindow", 60),
      },
    };
  });

  const retries = form.retries.trim() || "0";
  if (!/^[0-9]+$/.test(retries) || Number(retries) > MAX_WORKFLOW_RETRIES) {
    add("retries", `Retries must be a whole number from 0 to ${MAX_WORKFLOW_RETRIES}.`);
  }
  let budget: bigint | undefined;
  if (form.budget.trim()) {
    const b = amount(form.budget, tokenDecimals, "Budget", true);
    if (b.error) add("budget", b.error);
    budget = b.value;
    const caps = sumOfCaps(form, tokenDecimals);
    if (budget !== undefined && budget < caps) {
      add(
        "budget",
        `Budget of ${formatUnits(budget, tokenDecimals)} is below the sum of the step caps (${formatUnits(caps, tokenDecimals)}); leave it empty to use exactly that.`,
      );
    }
  }

  try {
    const built = buildWorkflow({
      steps: drafts,
      token: form.token,
      ...(budget !== undefined ? { budget } : {}),
      maxRetries: errors.retries ? 0 : Number(retries),
    });
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    const arbiters = [...new Set(built.steps.map((s) => s.arbiter))];
    return { ok: true, built, arbiters };
  } catch (error) {
    if (!(error instanceof WorkflowValidationError)) throw error;
    for (const issue of error.issues) {
      const [key, message] = placeIssue(form, issue);
      // A field that did not parse already has its message; the placeholder's issue is noise.
      if (!(key in errors)) errors[key] = message;
    }
    return { ok: false, errors };
  }
}

/** The field an sdk issue belongs to, and its sentence. */
export function placeIssue(form: WorkflowForm, issue: WorkflowIssue): [string, string] {
  const { field, message } = issue;
  if (issue.step === undefined) {
    if (field === "budget") return ["budget", sentence("Budget", message)];
    if (field === "maxRetries") return ["retries", sentence("Retries", message)];
    return ["steps", sentence("The workflow:", message)];
  }
  const step = form.steps[issue.step];
  if (!step) return ["steps", sentence(`Step ${issue.step + 1}:`, message)];
  const at = (f: string) => stepField(step.key, f);
  const windowMatch = /^windows\.(\w+)$/.exec(field);
  if (windowMatch) {
    const name = windowMatch[1] as WindowName;
    return [step.overrides[name]?.trim() ? at(name) : `defaults.${name}`, sentence(LABELS[name] ?? name, message)];
  }
  if (field === "maxReward") return [at("reward"), sentence("Reward cap", message)];
  if (field === "bond" || field === "arbiter") {
    return [step.overrides[field]?.trim() ? at(field) : `defaults.${field}`, sentence(LABELS[field]!, message)];
  }
  if (field === "expiryWindow") return [at("commitWindow"), sentence("One round", message)];
  if (field === "dependsOn") return [at("dependsOn"), sentence("Dependencies:", message)];
  if (field === "spec.name") return [at("name"), sentence("Name", message)];
  if (field === "spec.module.uri") return [at("moduleUri"), sentence("Module URI", message)];
  if (field === "spec.module.sha256") return [at("moduleSha256"), sentence("Module SHA-256", message)];
  if (field.startsWith("spec.input.") || field === "spec.input") return [at("input"), sentence("Input", message)];
  const input = /^spec\.inputs\.([^.]+)(?:\.(step|path))?$/.exec(field);
  if (input) {
    const j = step.inputs.findIndex((x) => x.name.trim() === input[1]);
    if (j >= 0) {
      const part = input[2] === "path" ? "path" : "step";
      return [at(`inputs.${j}.${part}`), sentence(part === "path" ? "JSON path" : "Input", message)];
    }
  }
  return [at("spec"), sentence(field === "spec" ? "The spec" : `${field}:`, message)];
}

/** Sum of the caps as typed (unparseable caps count as zero), for the budget summary. */
export function sumOfCaps(form: WorkflowForm, decimals: number): bigint {
  return form.steps.reduce((sum, s) => sum + (amount(s.reward, decimals, "", false).value ?? 0n), 0n);
}

/** The errors in the order of the form: each step's, then the shared settings', then the budget's. */
export function errorList(
  form: WorkflowForm,
  errors: WorkflowErrors,
): { key: string; where: string; message: string }[] {
  const out: { key: string; where: string; message: string }[] = [];
  for (const [key, message] of Object.entries(errors)) {
    const [stepKey, field] = key.includes(":") ? key.split(":") : [undefined, key];
    const where = stepKey ? stepLabel(form, stepKey) : field!.startsWith("defaults.") ? "Every step" : "Workflow";
    out.push({ key, where, message });
  }
  const order = (key: string) => {
    if (key.includes(":")) return form.steps.findIndex((s) => s.key === key.split(":")[0]);
    return form.steps.length + (key.startsWith("defaults.") ? 0 : 1);
  };
  return out.sort((a, b) => order(a.key) - order(b.key));
}
