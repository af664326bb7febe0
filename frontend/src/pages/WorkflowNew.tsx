// The workflow builder: steps running wasm modules from the configuration, each reading earlier
// steps' results; dependencies drawn in the graph or ticked per step; a budget and a failure
// policy. Every problem is shown next to its step and field before anything is sent.
import { MAX_WORKFLOW_RETRIES, ZERO_ADDRESS } from "@baton/sdk";
import { useMemo, useState, type FormEvent } from "react";
import type { Address } from "viem";
import { useBaton } from "../BatonContext.tsx";
import { Field } from "../components/Field.tsx";
import { RoundEstimate, WindowPresets } from "../components/WindowPresets.tsx";
import { applyPreset } from "../lib/postForm.ts";
import { WorkflowGraph, type GraphStep } from "../components/WorkflowGraph.tsx";
import { StepSettingsFields, WorkflowStepFields } from "../components/WorkflowStepFields.tsx";
import { NoOrchestrator } from "../components/workflowBits.tsx";
import { useAllowedTokens } from "../hooks/data.ts";
import { useCreateWorkflow } from "../hooks/useCreateWorkflow.ts";
import { useOrchestrator } from "../hooks/workflows.ts";
import { ETH, formatAmount, type TokenInfo } from "../lib/format.ts";
import {
  connectSteps,
  emptyStep,
  emptyWorkflow,
  errorList,
  removeStep,
  stepField,
  sumOfCaps,
  templateModules,
  templateWorkflow,
  WINDOWS,
  type StepForm,
  type StepSettings,
  type WorkflowErrors,
  type WorkflowForm,
} from "../lib/workflowForm.ts";
import { Link, navigate } from "../router.tsx";

export default function WorkflowNew() {
  const orchestrator = useOrchestrator();
  if (!orchestrator) return <NoOrchestrator />;
  return <Builder orchestrator={orchestrator} />;
}

function Builder({ orchestrator }: { orchestrator: Address }) {
  const { chain } = useBaton();
  const allowed = useAllowedTokens();
  const flow = useCreateWorkflow(orchestrator);
  const [form, setForm] = useState<WorkflowForm>(() => emptyWorkflow(chain));
  const [errors, setErrors] = useState<WorkflowErrors>({});
  const [notice, setNotice] = useState<string>();
  const tokens: TokenInfo[] = [ETH, ...(allowed.data ?? []).filter((t) => t.address !== ZERO_ADDRESS)];
  const token = tokens.find((t) => t.address.toLowerCase() === form.token.toLowerCase()) ?? ETH;
  const template = templateModules(chain.wasmModules);

  const update = (change: (f: WorkflowForm) => WorkflowForm, clear?: string[]) => {
    setForm(change);
    if (clear) setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !clear.includes(k))));
  };
  const updateStep = (key: string, patch: Partial<StepForm>, clear: string[] = []) =>
    update(
      (f) => ({ ...f, steps: f.steps.map((s) => (s.key === key ? { ...s, ...patch } : s)) }),
      clear.map((c) => stepField(key, c)),
    );

  const graphSteps: GraphStep[] = useMemo(
    () =>
      form.steps.map((s, i) => ({
        id: s.key,
        title: `Step ${i + 1}${s.name.trim() ? ` · ${s.name.trim()}` : ""}`,
        subtitle: chain.wasmModules.find((m) => m.uri === s.moduleUri)?.name ?? "custom module",
        dependsOn: s.dependsOn,
      })),
    [form.steps, chain.wasmModules],
  );

  function showErrors(found: WorkflowErrors) {
    setErrors(found);
    const first = errorList(form, found)[0]?.key;
    if (first) setTimeout(() => (document.querySelector(`[name="${first}"]`) as HTMLElement | null)?.focus(), 0);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(undefined);
    const checked = await flow.check(form, token);
    if (!checked.ok) return showErrors(checked.errors);
    setErrors({});
    try {
      const workflowId = await flow.create(checked.built, token);
      if (workflowId !== undefined) navigate(`#/workflows/${workflowId}`);
    } catch (error) {
      // The transactions report their own failures; this is a read before them (the allowance).
      showErrors({ steps: `Could not create the workflow: ${(error as Error).message.split("\n")[0]}` });
    }
  }

  const problems = errorList(form, errors);
  const caps = sumOfCaps(form, token.decimals);
  const err = (key: string) => errors[key];

  return (
    <section aria-labelledby="wf-new-title">
      <div className="title-row">
        <h1 id="wf-new-title">New workflow</h1>
        <Link to="#/workflows">All workflows</Link>
      </div>
      <p className="hint">
        Each step is a wasm job. A step runs once every step it depends on has settled, and reads their results as
        inputs: its module gets its own input, then each input in name order, one per line.
      </p>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          onClick={() => update((f) => ({ ...f, steps: [...f.steps, emptyStep(chain)] }))}
        >
          Add step
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!template.ok}
          onClick={() => {
            const t = templateWorkflow(chain);
            if (!t) return;
            setForm(t);
            setErrors({});
            setNotice(undefined);
          }}
        >
          Template: split → count ×2 → merge
        </button>
        <button type="button" className="secondary" onClick={() => (setForm(emptyWorkflow(chain)), setErrors({}))}>
          Reset
        </button>
      </div>
      {!template.ok && (
        <p className="hint">The template needs the modules {template.missing.join(", ")} in the configuration.</p>
      )}

      <form onSubmit={(event) => void submit(event)} noValidate aria-label="New workflow">
        {problems.length > 0 && (
          <div className="error-summary" role="alert" aria-labelledby="wf-problems">
            <h2 id="wf-problems">
              {problems.length === 1 ? "1 problem" : `${problems.length} problems`} to fix before the workflow is
              created
            </h2>
            <ul>
              {problems.map((p) => (
                <li key={p.key}>
                  <strong>{p.where}:</strong> {p.message}
                </li>
              ))}
            </ul>
          </div>
        )}

        <div className="card">
          <h2>Graph</h2>
          <p className="hint" id="wf-graph-hint">
            Drag from the right edge of a step to a later step to make the later one depend on it, or tick “Depends on”
            in a step below.
          </p>
          <WorkflowGraph
            steps={graphSteps}
            label="Workflow graph: drag from a step to a later step to add a dependency"
            onConnect={(from, to) => {
              const r = connectSteps(form, from, to);
              setForm(r.form);
              setNotice(r.error);
            }}
          />
          {notice && (
            <p className="error" role="alert">
              {notice}
            </p>
          )}
        </div>

        {form.steps.map((step, i) => (
          <WorkflowStepFields
            key={step.key}
            form={form}
            step={step}
            index={i}
            errors={errors}
            defaults={form.defaults}
            tokenSymbol={token.symbol}
            onChange={(patch, clear) => updateStep(step.key, patch, clear)}
            onRemove={form.steps.length > 1 ? () => update((f) => removeStep(f, step.key)) : undefined}
          />
        ))}

        <fieldset>
          <legend>Every step</legend>
          <p className="hint">Used by each step unless it sets its own.</p>
          <WindowPresets
            chainId={chain.chainId}
            name="windowPreset"
            values={form.defaults}
            onApply={(p) =>
              update(
                (f) => ({ ...f, defaults: applyPreset(f.defaults, p) }),
                WINDOWS.map((w) => `defaults.${w.name}`),
              )
            }
          />
          <StepSettingsFields
            values={form.defaults}
            nameOf={(name) => `defaults.${name}`}
            errorOf={(name) => err(`defaults.${name}`)}
            onChange={setDefault}
            arbiterHint="Rules on disputed results; the committee of this deployment by default"
          />
          <p className="hint">
            Each step is one job; a step starts when the steps it depends on have settled. Per step:
          </p>
          <RoundEstimate values={form.defaults} />
        </fieldset>

        <fieldset>
          <legend>Budget</legend>
          <Field
            label="Budget token"
            name="token"
            value={form.token}
            onChange={(e) => update((f) => ({ ...f, token: e.target.value as Address }), ["budget"])}
          >
            {tokens.map((t) => (
              <option key={t.address} value={t.address}>
                {t.symbol}
              </option>
            ))}
          </Field>
          <p className="budget-summary" aria-live="polite">
            {form.steps.length} {form.steps.length === 1 ? "step" : "steps"}; the sum of their caps is{" "}
            <strong>{formatAmount(caps, token)}</strong>. Whatever the steps do not spend comes back to you.
          </p>
          <Field
            label={`Budget (${token.symbol})`}
            name="budget"
            value={form.budget}
            error={err("budget")}
            inputMode="decimal"
            placeholder={formatAmount(caps, token).replace(/ .*$/, "")}
            hint="At least the sum of the caps; leave empty to use exactly that"
            onChange={(e) => update((f) => ({ ...f, budget: e.target.value }), ["budget"])}
          />
          <Field
            label="Retries per failed step"
            name="retries"
            value={form.retries}
            error={err("retries")}
            inputMode="numeric"
            hint={`0 to ${MAX_WORKFLOW_RETRIES}: how often a step whose job ends without a result is re-auctioned before the workflow fails`}
            onChange={(e) => update((f) => ({ ...f, retries: e.target.value }), ["retries"])}
          />
          {token.address !== ZERO_ADDRESS && (
            <p className="hint">You will first approve the orchestrator to take the budget from your balance.</p>
          )}
        </fieldset>
        {err("steps") && (
          <p className="error" role="alert">
            {err("steps")}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={flow.busy || flow.checking}>
            {flow.checking
              ? "Checking…"
              : token.address === ZERO_ADDRESS
                ? "Create workflow"
                : "Approve and create workflow"}
          </button>
        </div>
        {!flow.connected && <p className="hint">Connect a wallet to create it; you can build the workflow first.</p>}
      </form>
    </section>
  );

  function setDefault(name: keyof StepSettings, value: string) {
    update((f) => ({ ...f, defaults: { ...f.defaults, [name]: value } }), [`defaults.${name}`]);
  }
}
