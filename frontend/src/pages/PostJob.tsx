// Post a job: what should be done (the spec), the reward, who may bid, the windows and the
// arbiter; every problem is shown next to its field before anything is sent.
import { useState, type ChangeEvent, type FormEvent } from "react";
import { ZERO_ADDRESS } from "@baton/sdk";
import { AddressText } from "../components/bits.tsx";
import { Field } from "../components/Field.tsx";
import { JobSpecFields } from "../components/JobSpecFields.tsx";
import { useBaton } from "../BatonContext.tsx";
import { useAllowedTokens, useMarketPaused, useModuleCheck } from "../hooks/data.ts";
import { usePostJob } from "../hooks/usePostJob.ts";
import { ETH, type TokenInfo } from "../lib/format.ts";
import { RoundEstimate, WindowPresets } from "../components/WindowPresets.tsx";
import { useBidOutlook, WhyList } from "../components/WhyPanel.tsx";
import { moduleExplanation, type JobKind } from "../lib/why.ts";
import {
  applyPreset,
  defaultValues,
  namesCustomArbiter,
  specFromForm,
  validatePost,
  type FieldName,
  type FormErrors,
  type PostFormValues,
} from "../lib/postForm.ts";
import { navigate } from "../router.tsx";

export default function PostJob() {
  const { chain } = useBaton();
  const allowed = useAllowedTokens();
  const flow = usePostJob();
  const paused = useMarketPaused();
  const [values, setValues] = useState<PostFormValues>(() => defaultValues(chain));
  const [errors, setErrors] = useState<FormErrors>({});
  const tokens: TokenInfo[] = [ETH, ...(allowed.data ?? []).filter((t) => t.address !== ZERO_ADDRESS)];
  const token = tokens.find((t) => t.address.toLowerCase() === values.token.toLowerCase()) ?? ETH;
  const committee = chain.addressBook.committeeArbiter;
  const customArbiter = namesCustomArbiter(values, committee);

  const set =
    (name: keyof PostFormValues) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
      const value = e.target.value;
      // A confirmation of a custom arbiter holds for the address it was given for only.
      setValues((v) => ({ ...v, [name]: value, ...(name === "arbiter" ? { customArbiterOk: false } : {}) }));
      setErrors((errs) => ({
        ...errs,
        [name]: undefined,
        spec: undefined,
        ...(name === "arbiter" ? { customArbiterOk: undefined } : {}),
      }));
    };
  const field = (name: keyof PostFormValues) => ({
    name,
    value: values[name] as string,
    onChange: set(name),
    error: errors[name],
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = await flow.check(values, token);
    if (!checked.ok) return showErrors(checked.errors);
    setErrors({});
    try {
      const jobId = await flow.post(checked.value, token);
      if (jobId !== undefined) navigate(`#/jobs/${jobId}`);
    } catch (error) {
      showErrors({ spec: `Could not prepare the job: ${(error as Error).message.split("\n")[0]}` });
    }
  }

  function showErrors(found: FormErrors) {
    setErrors(found);
    // Move focus to the first field with a problem so keyboard and screen-reader users land on it.
    const first = Object.keys(found)[0] as FieldName | undefined;
    if (first) setTimeout(() => (document.querySelector(`[name="${first}"]`) as HTMLElement | null)?.focus(), 0);
  }

  const checked = validatePost(values, token.decimals);
  const terms = checked.ok ? checked.value.terms : undefined;
  const spec = specFromForm(values).spec as { kind?: string; module?: { sha256?: string } } | undefined;
  const kind: JobKind | undefined =
    values.kind === "wasm" ? { kind: "wasm", module: values.moduleSha256.trim() } : { kind: values.kind };
  const moduleName = chain.wasmModules.find((m) => m.sha256 === values.moduleSha256.trim())?.name;
  const outlook = useBidOutlook({
    req: terms
      ? { minStake: terms.minStake, minCompleted: terms.minCompleted, bond: terms.bond, kind: values.kind }
      : undefined,
    kind: spec?.kind ? kind : undefined,
    kindText: values.kind === "wasm" && moduleName ? `wasm (${moduleName})` : values.kind,
    token,
    reward: terms?.maxReward,
  });
  // The module is checked against its hash too, before anyone pays gas for a job nobody can run.
  const moduleCheck = useModuleCheck(
    values.kind === "wasm" ? values.moduleUri.trim() : undefined,
    values.kind === "wasm" ? values.moduleSha256.trim() : undefined,
  );
  const moduleNote = moduleCheck.data ? moduleExplanation(moduleCheck.data) : undefined;

  return (
    <section aria-labelledby="post-title">
      <h1 id="post-title">Post a job</h1>
      {paused.data === true && (
        <p className="banner" role="note" aria-label="Market paused">
          Governance has paused the market: new jobs wait until it resumes. Bids on open jobs, settlement and
          withdrawals go on.
        </p>
      )}
      <form onSubmit={(event) => void submit(event)} noValidate aria-label="Post a job">
        <JobSpecFields
          values={values}
          field={field}
          specError={errors.spec}
          onKind={(kind) => {
            setValues((v) => ({ ...v, kind }));
            setErrors({});
          }}
          onModule={(m) => setValues((v) => ({ ...v, moduleUri: m.uri, moduleSha256: m.sha256 }))}
        />

        <fieldset>
          <legend>Reward</legend>
          <Field label="Reward token" {...field("token")}>
            {tokens.map((t) => (
              <option key={t.address} value={t.address}>
                {t.symbol}
              </option>
            ))}
          </Field>
          <Field
            label={`Maximum reward (${token.symbol})`}
            {...field("reward")}
            inputMode="decimal"
            hint="Escrowed now; the winning bid is paid, the rest comes back"
          />
          <Field label="Pricing rule" {...field("pricing")}>
            <option value="first">First price: the winner is paid its own bid</option>
            <option value="second">Second price: the winner is paid the second-lowest bid</option>
          </Field>
          {token.address !== ZERO_ADDRESS && (
            <p className="hint">
              You will first approve the market to take the reward from your {token.symbol} balance.
            </p>
          )}
        </fieldset>

        <fieldset>
          <legend>Who may bid</legend>
          <Field
            label="Bond per bid (ETH)"
            {...field("bond")}
            inputMode="decimal"
            hint="Locked from each bidder's stake; the winner loses it for a no-show"
          />
          <Field label="Minimum stake (ETH)" {...field("minStake")} inputMode="decimal" />
          <Field label="Minimum completed jobs" {...field("minCompleted")} inputMode="numeric" />
        </fieldset>

        <div className="card why" role="region" aria-label="Before you post">
          <h2>Before you post</h2>
          {!terms ? (
            <p className="hint">Fill in the form to see who can bid and what such jobs were paid recently.</p>
          ) : outlook.loading ? (
            <p className="loading">Checking the registered workers and recent prices…</p>
          ) : (
            <WhyList
              items={[
                ...(outlook.eligibilityText
                  ? [
                      {
                        tone: outlook.eligibility?.eligible.length ? ("info" as const) : ("warning" as const),
                        text: outlook.eligibilityText,
                      },
                    ]
                  : []),
                ...(outlook.prices
                  ? [
                      {
                        tone: outlook.prices.tooLow ? ("warning" as const) : ("info" as const),
                        text: outlook.prices.text,
                      },
                    ]
                  : []),
                ...(moduleNote ? [moduleNote] : []),
              ]}
            />
          )}
        </div>

        <fieldset>
          <legend>Windows</legend>
          <WindowPresets
            chainId={chain.chainId}
            name="windowPreset"
            values={values}
            onApply={(p) => {
              setValues((v) => applyPreset(v, p));
              setErrors((errs) => ({
                ...errs,
                commitWindow: undefined,
                revealWindow: undefined,
                executionWindow: undefined,
                challengeWindow: undefined,
              }));
            }}
          />
          <Field label="Commit window (s)" {...field("commitWindow")} inputMode="numeric" />
          <Field label="Reveal window (s)" {...field("revealWindow")} inputMode="numeric" />
          <Field label="Execution window (s)" {...field("executionWindow")} inputMode="numeric" />
          <Field label="Challenge window (s)" {...field("challengeWindow")} inputMode="numeric" />
          <Field
            label="Expiry (hours from now)"
            {...field("expiryHours")}
            inputMode="decimal"
            hint="No new round starts after this"
          />
          <RoundEstimate values={values} />
        </fieldset>

        <fieldset>
          <legend>Disputes</legend>
          <Field
            label="Arbiter"
            {...field("arbiter")}
            spellCheck={false}
            hint="Rules on disputed results; the committee of this deployment by default"
          />
          {customArbiter && (
            <div className="banner arbiter-warning" role="note" aria-label="Custom arbiter">
              <p>
                <span className="badge arbiter-custom">Custom arbiter</span> This job will name an arbiter other than
                this deployment's committee (<AddressText address={committee} />
                ). Keepers that follow the default policy bid only under the committee, so they will not bid on it, and
                the arbiter you name alone decides its disputes.
              </p>
              <label className="check">
                <input
                  type="checkbox"
                  name="customArbiterOk"
                  checked={values.customArbiterOk}
                  aria-invalid={errors.customArbiterOk ? true : undefined}
                  aria-describedby={errors.customArbiterOk ? "custom-arbiter-error" : undefined}
                  onChange={(e) => {
                    const ok = e.target.checked;
                    setValues((v) => ({ ...v, customArbiterOk: ok }));
                    setErrors((errs) => ({ ...errs, customArbiterOk: undefined }));
                  }}
                />
                Post with this arbiter anyway
              </label>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setValues((v) => ({ ...v, arbiter: committee, customArbiterOk: false }));
                  setErrors((errs) => ({ ...errs, arbiter: undefined, customArbiterOk: undefined }));
                }}
              >
                Use the default arbiter
              </button>
              {errors.customArbiterOk && (
                <p id="custom-arbiter-error" className="error" role="alert">
                  {errors.customArbiterOk}
                </p>
              )}
            </div>
          )}
        </fieldset>

        <div className="actions">
          <button type="submit" disabled={flow.busy || flow.checking}>
            {flow.checking ? "Checking…" : token.address === ZERO_ADDRESS ? "Post job" : "Approve and post job"}
          </button>
          <button type="button" className="secondary" onClick={() => (setValues(defaultValues(chain)), setErrors({}))}>
            Reset
          </button>
        </div>
        {!flow.connected && <p className="hint">Connect a wallet to post; you can fill in the form first.</p>}
      </form>
    </section>
  );
}
