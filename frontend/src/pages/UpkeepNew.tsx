// Register an upkeep: the target, what triggers it (a condition, an interval, a cron schedule or a
// log filter), its check data, and what it may cost. Every problem is shown next to its field
// before anything is sent; "Before you register" shows what the target's `checkUpkeep` returns
// right now (simulated from address(0), as keepers do) or when a time trigger next fires.
import { maxPerformCost } from "@baton/sdk";
import { useState, type ChangeEvent, type FormEvent } from "react";
import type { Address } from "viem";
import { WhyList } from "../components/WhyPanel.tsx";
import { Field, Radios } from "../components/Field.tsx";
import { NoRegistry } from "../components/upkeepBits.tsx";
import { useAutomationParams, useAutomationRegistry, useCheckSimulation, useGasPrice } from "../hooks/automation.ts";
import { useNow } from "../hooks/data.ts";
import { useRegisterUpkeep, type RegisterCheck } from "../hooks/useRegisterUpkeep.ts";
import { formatAmount } from "../lib/format.ts";
import { formatClock, formatRelative } from "../lib/time.ts";
import {
  CHECK_DATA_ENCODINGS,
  checkDataOf,
  defaultUpkeepValues,
  parseTopic0,
  takesCheckData,
  TOPIC_FIELDS,
  TRIGGER_KINDS,
  upcomingTicks,
  type UpkeepFieldName,
  type UpkeepFormErrors,
  type UpkeepFormValues,
} from "../lib/upkeepForm.ts";
import { describeCheck, gwei, performsLeft } from "../lib/upkeepModel.ts";
import type { Explanation } from "../lib/why.ts";
import { navigate } from "../router.tsx";

export default function UpkeepNew() {
  const registry = useAutomationRegistry();
  if (!registry) return <NoRegistry />;
  return <RegisterForm registry={registry} />;
}

function RegisterForm({ registry }: { registry: Address }) {
  const flow = useRegisterUpkeep(registry);
  const params = useAutomationParams();
  const gasPrice = useGasPrice();
  const now = useNow();
  const [values, setValues] = useState<UpkeepFormValues>(defaultUpkeepValues);
  const [errors, setErrors] = useState<UpkeepFormErrors>({});
  /** The simulation made when the form was sent, when it stopped the registration. */
  const [stopped, setStopped] = useState<RegisterCheck["simulation"]>();
  const [revertOk, setRevertOk] = useState(false);

  const set =
    (name: keyof UpkeepFormValues) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
      const value = e.target.value;
      setValues((v) => ({ ...v, [name]: value }));
      setErrors((errs) => ({ ...errs, [name]: undefined, form: undefined }));
      // A consent to a reverting checkUpkeep holds for the target and check data it was given for.
      if (name === "target" || name === "checkData") {
        setStopped(undefined);
        setRevertOk(false);
      }
    };
  const field = (name: keyof UpkeepFormValues) => ({
    name,
    value: values[name],
    onChange: set(name),
    error: errors[name],
  });

  // The live preview: the pure check, the simulated checkUpkeep, the next ticks and the cost.
  const checked = flow.validate(values);
  const registration = checked.ok ? checked.value.registration : undefined;
  const isCondition = values.kind === "condition";
  const target = /^0x[0-9a-fA-F]{40}$/.test(values.target.trim()) ? (values.target.trim() as Address) : undefined;
  const checkData = takesCheckData(values.kind) ? checkDataOf(values) : "0x";
  const simulation = useCheckSimulation(isCondition ? target : undefined, checkData, params.data?.checkGasLimit);
  const ticks = upcomingTicks(values, now);
  const cost =
    registration && params.data && gasPrice.data !== undefined
      ? maxPerformCost(
          { performGasLimit: registration.performGasLimit, maxGasPrice: registration.maxGasPrice },
          params.data,
          gasPrice.data,
          registration.maxPremium,
        )
      : undefined;
  const preview: Explanation[] = [];
  if (isCondition) {
    if (!target) preview.push({ tone: "info", text: "Enter the target to see what its checkUpkeep returns now." });
    else if (simulation.data) preview.push(describeCheck(simulation.data));
    else if (simulation.isLoading) preview.push({ tone: "info", text: "Simulating the target's checkUpkeep…" });
  } else if (values.kind === "log") {
    const topic0 = parseTopic0(values.topic0);
    preview.push({
      tone: "info",
      text: topic0
        ? `Every log of the emitter with topic 0 ${topic0} that matches the other topics calls for a perform, once each and in order, as the target's checkLog decides.`
        : "Enter the emitter and the event to watch.",
    });
  } else if (ticks.length) {
    preview.push({
      tone: "info",
      text: `Next ticks (UTC-aligned, the latest due one is performed): ${ticks
        .map((t) => `${formatClock(t, now)} (${formatRelative(t, now)})`)
        .join(", ")}.`,
    });
  }
  if (cost !== undefined && registration) {
    const left = performsLeft(registration.balance, cost);
    preview.push({
      tone: left === 0n ? "warning" : "info",
      text: `One perform costs up to ${formatAmount(cost)} at today's gas price (premium included), so the initial balance pays ${
        left === null ? "every perform" : `about ${left} performs`
      }.`,
    });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await flow.check(values);
    if (!result.ok) return showErrors(result.errors);
    setErrors({});
    if (result.simulation && !result.simulation.ok && !revertOk) {
      setStopped(result.simulation);
      return;
    }
    const id = await flow.register(result.value);
    if (id !== undefined) navigate(`#/upkeeps/${id}`);
  }

  function showErrors(found: UpkeepFormErrors) {
    setErrors(found);
    // Move focus to the first field with a problem so keyboard and screen-reader users land on it.
    const first = Object.keys(found)[0] as UpkeepFieldName | undefined;
    if (first) setTimeout(() => (document.querySelector(`[name="${first}"]`) as HTMLElement | null)?.focus(), 0);
  }

  return (
    <section aria-labelledby="upkeep-new-title">
      <h1 id="upkeep-new-title">Register an upkeep</h1>
      <form onSubmit={(event) => void submit(event)} noValidate aria-label="Register an upkeep">
        <fieldset>
          <legend>What to perform and when</legend>
          <Field
            label="Target contract"
            {...field("target")}
            spellCheck={false}
            hint="Its performUpkeep(performData) is called through the upkeep's forwarder"
          />
          <Radios
            label="Trigger"
            name="kind"
            options={TRIGGER_KINDS.map((k) => ({ value: k.kind, label: k.label }))}
            value={values.kind}
            onChange={(kind) => {
              setValues((v) => ({ ...v, kind }));
              setErrors({});
            }}
          />
          {values.kind === "interval" && (
            <Field
              label="Interval (s)"
              {...field("interval")}
              inputMode="numeric"
              hint="Ticks fall on multiples of the interval in Unix time"
            />
          )}
          {values.kind === "cron" && (
            <Field
              label="Cron expression"
              {...field("cron")}
              spellCheck={false}
              hint="Five fields in UTC: minute hour day-of-month month day-of-week, e.g. */5 * * * *"
            />
          )}
          {values.kind === "log" && (
            <>
              <Field
                label="Emitter"
                {...field("emitter")}
                spellCheck={false}
                hint="The contract whose events to watch"
              />
              <Field
                label="Topic 0"
                {...field("topic0")}
                spellCheck={false}
                hint="The event's signature, e.g. Ping(uint256,address,uint256), or its hash"
              />
              {TOPIC_FIELDS.map((f, i) => (
                <Field
                  key={f}
                  label={`Topic ${i + 1}`}
                  {...field(f)}
                  spellCheck={false}
                  hint="Optional: empty matches any value; a 32-byte word, an address or a number"
                />
              ))}
            </>
          )}
          {takesCheckData(values.kind) && (
            <>
              <Radios
                label="Check data encoding"
                name="checkDataEncoding"
                options={CHECK_DATA_ENCODINGS}
                value={values.checkDataEncoding}
                onChange={(checkDataEncoding) => {
                  setValues((v) => ({ ...v, checkDataEncoding }));
                  setErrors((errs) => ({ ...errs, checkData: undefined }));
                }}
              />
              <Field
                label="Check data"
                {...field("checkData")}
                spellCheck={false}
                hint={`Passed to the target's ${values.kind === "log" ? "checkLog" : "checkUpkeep"}; optional`}
              />
            </>
          )}
        </fieldset>

        <fieldset>
          <legend>What it may cost</legend>
          <Field
            label="Perform gas limit"
            {...field("performGasLimit")}
            inputMode="numeric"
            hint={`Gas the target gets for each perform${flow.maxPerformGas ? `, at most ${flow.maxPerformGas}` : ""}`}
          />
          <Field
            label="Gas price ceiling (gwei)"
            {...field("maxGasPrice")}
            inputMode="decimal"
            hint={`Keepers wait while the gas price is above it${
              gasPrice.data !== undefined ? `; now ${gwei(gasPrice.data)}` : ""
            }`}
          />
          <Field
            label="Maximum premium per perform (ETH)"
            {...field("maxPremium")}
            inputMode="decimal"
            hint="Paid to the keeper on top of gas: the lease auction's reserve price, and the price without a lease"
          />
          <Field
            label="Initial balance (ETH)"
            {...field("balance")}
            inputMode="decimal"
            hint="Sent with the registration; each perform is paid from it"
          />
        </fieldset>

        <div className="card why" role="region" aria-label="Before you register">
          <h2>Before you register</h2>
          {preview.length ? <WhyList items={preview} /> : <p className="hint">Fill in the form to see a preview.</p>}
        </div>

        {stopped && !stopped.ok && (
          <div className="banner" role="alert" aria-label="checkUpkeep reverts">
            <p>
              {describeCheck(stopped).text} Keepers would never see it as due. Check the target and the check data, or
              register it anyway if it only reverts outside a keeper's simulation.
            </p>
            <label className="check">
              <input type="checkbox" checked={revertOk} onChange={(e) => setRevertOk(e.target.checked)} />
              Register even though checkUpkeep reverts
            </label>
          </div>
        )}
        {errors.form && (
          <p className="error" role="alert">
            {errors.form}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={flow.busy || flow.checking}>
            {flow.checking ? "Checking…" : "Register upkeep"}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => (setValues(defaultUpkeepValues()), setErrors({}), setStopped(undefined))}
          >
            Reset
          </button>
        </div>
        {!flow.connected && <p className="hint">Connect a wallet to register; you can fill in the form first.</p>}
      </form>
    </section>
  );
}
