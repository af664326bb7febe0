// The workflow builder: steps running wasm modules from the configuration, each reading earlier
// steps' results; dependencies drawn in the graph or ticked per step; a budget and a failure
// policy. Every problem is shown next to its step and field before anything is sent.
import { workflowOrchestratorAbi } from "@baton/sdk";
import { useMemo, useState, type FormEvent } from "react";
import { useConnection } from "wagmi";
import { erc20Abi, parseEventLogs, zeroAddress, type Address } from "viem";
import { getBalance, getCode, readContract } from "viem/actions";
import { useBaton } from "../BatonContext.tsx";
import { Field } from "../components/Field.tsx";
import { WorkflowGraph, type GraphStep } from "../components/WorkflowGraph.tsx";
import { NoOrchestrator } from "../components/workflowBits.tsx";
import { useAllowedTokens } from "../hooks/data.ts";
import { useOrchestrator } from "../hooks/workflows.ts";
import { ETH, formatAmount, type TokenInfo } from "../lib/format.ts";
import {
  checkWorkflow,
  connectSteps,
  emptyStep,
  emptyWorkflow,
  errorList,
  removeStep,
  stepField,
  stepLabel,
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
import { useTransactor } from "../tx/TxProvider.tsx";

export default function WorkflowNew() {
  const orchestrator = useOrchestrator();
  if (!orchestrator) return <NoOrchestrator />;
  return <Builder orchestrator={orchestrator} />;
}

function Builder({ orchestrator }: { orchestrator: Address }) {
  const { chain, client } = useBaton();
  const { address, chainId: walletChainId } = useConnection();
  const allowed = useAllowedTokens();
  const { send, busy } = useTransactor();
  const [form, setForm] = useState<WorkflowForm>(() => emptyWorkflow(chain));
  const [errors, setErrors] = useState<WorkflowErrors>({});
  const [notice, setNotice] = useState<string>();
  const [checking, setChecking] = useState(false);
  const tokens: TokenInfo[] = [ETH, ...(allowed.data ?? []).filter((t) => t.address !== zeroAddress)];
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
    const checked = checkWorkflow(form, token.decimals);
    if (!checked.ok) return showErrors(checked.errors);
    if (!address) return showErrors({ steps: "Connect a wallet to create the workflow." });
    if (walletChainId !== chain.chainId) return showErrors({ steps: `Switch your wallet to ${chain.name} first.` });
    const { built } = checked;
    setChecking(true);
    try {
      const found: WorkflowErrors = {};
      for (const arbiter of checked.arbiters) {
        const code = await getCode(client, { address: arbiter });
        if (!code || code === "0x") {
          const owner = form.steps.find((s) => s.overrides.arbiter?.trim().toLowerCase() === arbiter.toLowerCase());
          found[owner ? stepField(owner.key, "arbiter") : "defaults.arbiter"] =
            "There is no contract at this arbiter address on this network.";
        }
      }
      const balance =
        built.token === zeroAddress
          ? await getBalance(client, { address })
          : await readContract(client, {
              address: built.token,
              abi: erc20Abi,
              functionName: "balanceOf",
              args: [address],
            });
      if (balance < built.budget) {
        found.budget = `Your balance of ${formatAmount(balance, token)} does not cover a budget of ${formatAmount(built.budget, token)}.`;
      }
      if (Object.keys(found).length) return showErrors(found);
    } catch (error) {
      return showErrors({ steps: `Could not check the chain: ${(error as Error).message.split("\n")[0]}` });
    } finally {
      setChecking(false);
    }
    setErrors({});
    if (built.token !== zeroAddress) {
      const allowance = await readContract(client, {
        address: built.token,
        abi: erc20Abi,
        functionName: "allowance",
        args: [address, orchestrator],
      });
      if (allowance < built.budget) {
        const approved = await send({
          label: `Approve ${formatAmount(built.budget, token)}`,
          address: built.token,
          abi: erc20Abi,
          functionName: "approve",
          args: [orchestrator, built.budget],
        });
        if (!approved) return;
      }
    }
    const receipt = await send({
      label: "Create workflow",
      address: orchestrator,
      abi: workflowOrchestratorAbi,
      functionName: "createWorkflow",
      args: [built.steps, built.dependencies, built.token, built.budget, built.maxRetries],
      value: built.token === zeroAddress ? built.budget : 0n,
    });
    if (!receipt) return;
    const created = parseEventLogs({
      abi: workflowOrchestratorAbi,
      logs: receipt.logs.filter((l) => l.address.toLowerCase() === orchestrator.toLowerCase()),
      eventName: "WorkflowCreated",
    })[0];
    if (created) navigate(`#/workflows/${created.args.workflowId}`);
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

      <form
        onSubmit={(event) =>
          // The chain checks report their own errors; this catches a failed allowance read.
          void submit(event).catch((error: unknown) =>
            showErrors({ steps: `Could not create the workflow: ${(error as Error).message.split("\n")[0]}` }),
          )
        }
        noValidate
        aria-label="New workflow"
      >
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
          <StepFields
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
          <Field
            label="Bond per bid (ETH)"
            name="defaults.bond"
            value={form.defaults.bond}
            error={err("defaults.bond")}
            inputMode="decimal"
            onChange={(e) => setDefault("bond", e.target.value)}
          />
          {WINDOWS.map((w) => (
            <Field
              key={w.name}
              label={w.label}
              name={`defaults.${w.name}`}
              value={form.defaults[w.name]}
              error={err(`defaults.${w.name}`)}
              inputMode="numeric"
              onChange={(e) => setDefault(w.name, e.target.value)}
            />
          ))}
          <Field
            label="Arbiter"
            name="defaults.arbiter"
            value={form.defaults.arbiter}
            error={err("defaults.arbiter")}
            spellCheck={false}
            hint="Rules on disputed results; the committee of this deployment by default"
            onChange={(e) => setDefault("arbiter", e.target.value)}
          />
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
            hint="0 to 10: how often a step whose job ends without a result is re-auctioned before the workflow fails"
            onChange={(e) => update((f) => ({ ...f, retries: e.target.value }), ["retries"])}
          />
          {token.address !== zeroAddress && (
            <p className="hint">You will first approve the orchestrator to take the budget from your balance.</p>
          )}
        </fieldset>
        {err("steps") && (
          <p className="error" role="alert">
            {err("steps")}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={busy || checking}>
            {checking ? "Checking…" : token.address === zeroAddress ? "Create workflow" : "Approve and create workflow"}
          </button>
        </div>
        {!address && <p className="hint">Connect a wallet to create it; you can build the workflow first.</p>}
      </form>
    </section>
  );

  function setDefault(name: keyof StepSettings, value: string) {
    update((f) => ({ ...f, defaults: { ...f.defaults, [name]: value } }), [`defaults.${name}`]);
  }
}

function StepFields({
  form,
  step,
  index,
  errors,
  defaults,
  tokenSymbol,
  onChange,
  onRemove,
}: {
  form: WorkflowForm;
  step: StepForm;
  index: number;
  errors: WorkflowErrors;
  defaults: StepSettings;
  tokenSymbol: string;
  onChange: (patch: Partial<StepForm>, clear?: string[]) => void;
  onRemove: (() => void) | undefined;
}) {
  const { chain } = useBaton();
  const k = (f: string) => stepField(step.key, f);
  const err = (f: string) => errors[k(f)];
  const earlier = form.steps.slice(0, index);
  const chosen = chain.wasmModules.find((m) => m.uri === step.moduleUri && m.sha256 === step.moduleSha256);
  const [custom, setCustom] = useState(chain.wasmModules.length === 0);
  const showUri = custom || !chosen;
  const overridden = (Object.keys(step.overrides) as (keyof StepSettings)[]).some((n) => step.overrides[n]?.trim());
  const hasSettingError = ["bond", "arbiter", ...WINDOWS.map((w) => w.name)].some((f) => err(f));
  const setOverride = (name: keyof StepSettings, value: string) =>
    onChange({ overrides: { ...step.overrides, [name]: value } }, [name]);
  const setInput = (j: number, patch: Partial<StepForm["inputs"][number]>) =>
    onChange({ inputs: step.inputs.map((x, n) => (n === j ? { ...x, ...patch } : x)) }, [
      `inputs.${j}.name`,
      `inputs.${j}.step`,
      `inputs.${j}.path`,
    ]);

  return (
    <fieldset className="wf-step">
      <legend>Step {index + 1}</legend>
      {err("spec") && (
        <p className="error" role="alert">
          {err("spec")}
        </p>
      )}
      <Field
        label="Name"
        name={k("name")}
        value={step.name}
        hint="For people only; not stored on chain"
        onChange={(e) => onChange({ name: e.target.value })}
      />
      {chain.wasmModules.length > 0 && (
        <Field
          label="Module"
          name={k("module")}
          value={custom ? "" : (chosen?.name ?? "")}
          error={showUri ? undefined : (err("moduleUri") ?? err("moduleSha256"))}
          onChange={(e) => {
            const m = chain.wasmModules.find((x) => x.name === e.target.value);
            setCustom(!m);
            if (m) onChange({ moduleUri: m.uri, moduleSha256: m.sha256 }, ["moduleUri", "moduleSha256"]);
          }}
        >
          <option value="">Other…</option>
          {chain.wasmModules.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </Field>
      )}
      {showUri && (
        <>
          <Field
            label="Module URI"
            name={k("moduleUri")}
            value={step.moduleUri}
            error={err("moduleUri")}
            onChange={(e) => onChange({ moduleUri: e.target.value }, ["moduleUri"])}
          />
          <Field
            label="Module SHA-256"
            name={k("moduleSha256")}
            value={step.moduleSha256}
            error={err("moduleSha256")}
            spellCheck={false}
            onChange={(e) => onChange({ moduleSha256: e.target.value }, ["moduleSha256"])}
          />
        </>
      )}
      <Field
        label="Input"
        name={k("input")}
        value={step.input}
        error={err("input")}
        multiline
        hint="The module's own input (text); the inputs below follow it, one per line"
        onChange={(e) => onChange({ input: e.target.value }, ["input"])}
      />

      <div className={`field${err("dependsOn") ? " has-error" : ""}`}>
        <fieldset className="plain" aria-describedby={err("dependsOn") ? `${step.key}-deps-error` : undefined}>
          <legend>Depends on</legend>
          {earlier.length === 0 ? (
            <p className="hint">Nothing: the first step starts at once.</p>
          ) : (
            earlier.map((p) => (
              <label key={p.key} className="check">
                <input
                  type="checkbox"
                  name={k("dependsOn")}
                  checked={step.dependsOn.includes(p.key)}
                  onChange={(e) =>
                    onChange(
                      {
                        dependsOn: e.target.checked
                          ? [...step.dependsOn, p.key]
                          : step.dependsOn.filter((d) => d !== p.key),
                      },
                      ["dependsOn", ...step.inputs.map((_, j) => `inputs.${j}.step`)],
                    )
                  }
                />
                {stepLabel(form, p.key)}
              </label>
            ))
          )}
        </fieldset>
        {err("dependsOn") && (
          <small id={`${step.key}-deps-error`} className="error" role="alert">
            {err("dependsOn")}
          </small>
        )}
      </div>

      <div className="wf-inputs">
        <h3>Inputs from earlier steps</h3>
        {step.inputs.length === 0 && <p className="hint">None.</p>}
        {step.inputs.map((input, j) => (
          <div className="wf-input-row" key={j} role="group" aria-label={`Input ${j + 1}`}>
            <Field
              label="Input name"
              name={k(`inputs.${j}.name`)}
              value={input.name}
              error={err(`inputs.${j}.name`)}
              spellCheck={false}
              onChange={(e) => setInput(j, { name: e.target.value })}
            />
            <Field
              label="Reads step"
              name={k(`inputs.${j}.step`)}
              value={input.step}
              error={err(`inputs.${j}.step`)}
              onChange={(e) => {
                const parent = e.target.value;
                // Reading a step's result means depending on it: tick it too.
                onChange(
                  {
                    inputs: step.inputs.map((x, n) => (n === j ? { ...x, step: parent } : x)),
                    dependsOn:
                      parent && !step.dependsOn.includes(parent) ? [...step.dependsOn, parent] : step.dependsOn,
                  },
                  [`inputs.${j}.step`, "dependsOn"],
                );
              }}
            >
              <option value="">Choose a step…</option>
              {earlier.map((p) => (
                <option key={p.key} value={p.key}>
                  {stepLabel(form, p.key)}
                </option>
              ))}
            </Field>
            <Field
              label="JSON path (optional)"
              name={k(`inputs.${j}.path`)}
              value={input.path}
              error={err(`inputs.${j}.path`)}
              spellCheck={false}
              placeholder="$[0]"
              onChange={(e) => setInput(j, { path: e.target.value })}
            />
            <button
              type="button"
              className="link"
              onClick={() => onChange({ inputs: step.inputs.filter((_, n) => n !== j) })}
            >
              Remove input {j + 1}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="secondary"
          disabled={earlier.length === 0}
          onClick={() => {
            // A new input reads the step just before, which this step then depends on.
            const parent = earlier.at(-1)!.key;
            onChange({
              inputs: [...step.inputs, { name: nextInputName(step), step: parent, path: "" }],
              dependsOn: step.dependsOn.includes(parent) ? step.dependsOn : [...step.dependsOn, parent],
            });
          }}
        >
          Add input
        </button>
      </div>

      <Field
        label={`Reward cap (${tokenSymbol})`}
        name={k("reward")}
        value={step.reward}
        error={err("reward")}
        inputMode="decimal"
        hint="The most this step's job may pay; the winning bid is paid, the rest stays in the budget"
        onChange={(e) => onChange({ reward: e.target.value }, ["reward"])}
      />
      <details open={overridden || hasSettingError}>
        <summary>Bond, windows and arbiter of this step</summary>
        <p className="hint">Empty fields use the settings for every step below.</p>
        <Field
          label="Bond per bid (ETH)"
          name={k("bond")}
          value={step.overrides.bond ?? ""}
          placeholder={defaults.bond}
          error={err("bond")}
          inputMode="decimal"
          onChange={(e) => setOverride("bond", e.target.value)}
        />
        {WINDOWS.map((w) => (
          <Field
            key={w.name}
            label={w.label}
            name={k(w.name)}
            value={step.overrides[w.name] ?? ""}
            placeholder={defaults[w.name]}
            error={err(w.name)}
            inputMode="numeric"
            onChange={(e) => setOverride(w.name, e.target.value)}
          />
        ))}
        <Field
          label="Arbiter"
          name={k("arbiter")}
          value={step.overrides.arbiter ?? ""}
          placeholder={defaults.arbiter}
          error={err("arbiter")}
          spellCheck={false}
          onChange={(e) => setOverride("arbiter", e.target.value)}
        />
      </details>
      {onRemove && (
        <div className="actions">
          <button type="button" className="secondary" onClick={onRemove}>
            Remove step {index + 1}
          </button>
        </div>
      )}
    </fieldset>
  );
}

function nextInputName(step: StepForm): string {
  const used = new Set(step.inputs.map((i) => i.name));
  for (const name of ["text", "a", "b", "c", "d", "e", "f", "g", "h"]) if (!used.has(name)) return name;
  return `in${step.inputs.length + 1}`;
}
