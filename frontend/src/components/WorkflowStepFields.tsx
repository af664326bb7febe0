// One step of the workflow builder as a form: its module, its own input, the steps it depends on,
// the inputs it reads from them, its reward cap, and its own bond, windows and arbiter (empty: the
// settings every step shares). Also the settings fields themselves, shared by both places.
import { useState } from "react";
import { useBaton } from "../BatonContext.tsx";
import {
  stepField,
  stepLabel,
  WINDOWS,
  type StepForm,
  type StepSettings,
  type WorkflowErrors,
  type WorkflowForm,
} from "../lib/workflowForm.ts";
import { Field } from "./Field.tsx";
import { ModulePicker } from "./ModulePicker.tsx";
import { offeredModules } from "../lib/modules.ts";

/**
 * Bond, windows and arbiter: the settings every step shares (`placeholders` absent) or one step's
 * overrides of them (empty fields show the shared value as a placeholder).
 */
export function StepSettingsFields({
  values,
  placeholders,
  nameOf,
  errorOf,
  onChange,
  arbiterHint,
}: {
  values: Partial<StepSettings>;
  placeholders?: StepSettings;
  nameOf: (name: keyof StepSettings) => string;
  errorOf: (name: keyof StepSettings) => string | undefined;
  onChange: (name: keyof StepSettings, value: string) => void;
  arbiterHint?: string;
}) {
  return (
    <>
      <Field
        label="Bond per bid (ETH)"
        name={nameOf("bond")}
        value={values.bond ?? ""}
        placeholder={placeholders?.bond}
        error={errorOf("bond")}
        inputMode="decimal"
        onChange={(e) => onChange("bond", e.target.value)}
      />
      {WINDOWS.map((w) => (
        <Field
          key={w.name}
          label={w.label}
          name={nameOf(w.name)}
          value={values[w.name] ?? ""}
          placeholder={placeholders?.[w.name]}
          error={errorOf(w.name)}
          inputMode="numeric"
          onChange={(e) => onChange(w.name, e.target.value)}
        />
      ))}
      <Field
        label="Arbiter"
        name={nameOf("arbiter")}
        value={values.arbiter ?? ""}
        placeholder={placeholders?.arbiter}
        error={errorOf("arbiter")}
        spellCheck={false}
        hint={arbiterHint}
        onChange={(e) => onChange("arbiter", e.target.value)}
      />
    </>
  );
}

/** The fields of step `index`; `onChange` patches the step and clears the errors of the fields named. */
export function WorkflowStepFields({
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
  const offered = offeredModules(chain.wasmModules);
  const chosen = offered.find((m) => m.uri === step.moduleUri && m.sha256 === step.moduleSha256);
  const [custom, setCustom] = useState(offered.length === 0);
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
        hint="For people; stored in the step's spec, so the workflow page shows it"
        onChange={(e) => onChange({ name: e.target.value })}
      />
      {offered.length > 0 && (
        <ModulePicker
          modules={offered}
          name={k("module")}
          chosen={custom ? "" : (chosen?.name ?? "")}
          error={showUri ? undefined : (err("moduleUri") ?? err("moduleSha256"))}
          onPick={(m) => {
            setCustom(!m);
            if (m) onChange({ moduleUri: m.uri, moduleSha256: m.sha256 }, ["moduleUri", "moduleSha256"]);
          }}
        />
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
        <StepSettingsFields
          values={step.overrides}
          placeholders={defaults}
          nameOf={k}
          errorOf={err}
          onChange={setOverride}
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
