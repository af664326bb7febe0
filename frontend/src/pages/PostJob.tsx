import { buildTerms, decodeMarketLogs, encodeSpec, jobMarketAbi, keccak256Spec } from "../lib/sdkExtras.ts";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { useConnection } from "wagmi";
import { erc20Abi, toHex, zeroAddress, type Address } from "viem";
import { getBalance, getCode, readContract } from "viem/actions";
import { AddressText } from "../components/bits.tsx";
import { Field } from "../components/Field.tsx";
import { useBaton } from "../BatonContext.tsx";
import { useAllowedTokens } from "../hooks/data.ts";
import { ETH, formatAmount, formatDuration, type TokenInfo } from "../lib/format.ts";
import {
  defaultValues,
  KINDS,
  namesCustomArbiter,
  validatePost,
  type FieldName,
  type FormErrors,
  type PostFormValues,
  type ValidPost,
} from "../lib/postForm.ts";
import { navigate } from "../router.tsx";
import { useTransactor } from "../tx/TxProvider.tsx";

export default function PostJob() {
  const { chain, client } = useBaton();
  const { address, chainId: walletChainId } = useConnection();
  const allowed = useAllowedTokens();
  const { send, busy } = useTransactor();
  const [values, setValues] = useState<PostFormValues>(() => defaultValues(chain));
  const [errors, setErrors] = useState<FormErrors>({});
  const [checking, setChecking] = useState(false);
  const tokens: TokenInfo[] = [ETH, ...(allowed.data ?? []).filter((t) => t.address !== zeroAddress)];
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
    const checked = validatePost(values, token.decimals, { defaultArbiter: committee });
    if (!checked.ok) return showErrors(checked.errors);
    if (!address) return showErrors({ spec: "Connect a wallet to post a job." });
    if (walletChainId !== chain.chainId) return showErrors({ spec: `Switch your wallet to ${chain.name} first.` });
    const t = checked.value.terms;
    // Checks that need the chain, still before any transaction.
    setChecking(true);
    try {
      const found: FormErrors = {};
      const code = await getCode(client, { address: t.arbiter });
      if (!code || code === "0x") found.arbiter = "There is no contract at this arbiter address on this network.";
      const balance =
        t.token === zeroAddress
          ? await getBalance(client, { address })
          : await readContract(client, { address: t.token, abi: erc20Abi, functionName: "balanceOf", args: [address] });
      if (balance < t.maxReward) {
        found.reward = `Your balance of ${formatAmount(balance, token)} does not cover a reward of ${formatAmount(t.maxReward, token)}.`;
      }
      if (Object.keys(found).length) return showErrors(found);
    } catch (error) {
      return showErrors({ spec: `Could not check the chain: ${(error as Error).message.split("\n")[0]}` });
    } finally {
      setChecking(false);
    }
    setErrors({});
    try {
      await post(checked.value);
    } catch (error) {
      showErrors({ spec: `Could not prepare the job: ${(error as Error).message.split("\n")[0]}` });
    }
  }

  async function post({ spec, terms: t }: ValidPost) {
    if (!address) return;
    const now = Math.floor(Date.now() / 1000);
    const terms = await buildTerms(client, chain.addressBook, {
      requester: address,
      token: t.token,
      maxReward: t.maxReward,
      bond: t.bond,
      minStake: t.minStake,
      minCompleted: t.minCompleted,
      commitWindow: t.commitWindow,
      revealWindow: t.revealWindow,
      executionWindow: t.executionWindow,
      challengeWindow: t.challengeWindow,
      expiry: now + t.expirySeconds,
      pricing: t.pricing,
      arbiter: t.arbiter,
    });
    if (t.token !== zeroAddress) {
      const allowance = await readContract(client, {
        address: t.token,
        abi: erc20Abi,
        functionName: "allowance",
        args: [address, chain.addressBook.jobMarket],
      });
      if (allowance < t.maxReward) {
        const approved = await send({
          label: `Approve ${formatAmount(t.maxReward, token)}`,
          address: t.token,
          abi: erc20Abi,
          functionName: "approve",
          args: [chain.addressBook.jobMarket, t.maxReward],
        });
        if (!approved) return;
      }
    }
    const bytes = encodeSpec(spec);
    const receipt = await send({
      label: "Post job",
      address: chain.addressBook.jobMarket,
      abi: jobMarketAbi,
      functionName: "postJob",
      args: [terms, keccak256Spec(bytes), toHex(bytes)],
      value: t.token === zeroAddress ? t.maxReward : 0n,
    });
    if (!receipt) return;
    const posted = decodeMarketLogs(
      receipt.logs.filter((l) => l.address.toLowerCase() === chain.addressBook.jobMarket.toLowerCase()),
      "JobPosted",
    )[0];
    if (posted) navigate(`#/jobs/${posted.args.jobId}`);
  }

  function showErrors(found: FormErrors) {
    setErrors(found);
    // Move focus to the first field with a problem so keyboard and screen-reader users land on it.
    const first = Object.keys(found)[0] as FieldName | undefined;
    if (first) setTimeout(() => (document.querySelector(`[name="${first}"]`) as HTMLElement | null)?.focus(), 0);
  }

  const round =
    Number(values.commitWindow) +
    Number(values.revealWindow) +
    Number(values.executionWindow) +
    Number(values.challengeWindow);

  return (
    <section aria-labelledby="post-title">
      <h1 id="post-title">Post a job</h1>
      <form onSubmit={(event) => void submit(event)} noValidate aria-label="Post a job">
        <fieldset>
          <legend>What should be done</legend>
          <div className="radios" role="radiogroup" aria-label="Kind">
            {KINDS.map((k) => (
              <label key={k.kind} className="check">
                <input
                  type="radio"
                  name="kind"
                  value={k.kind}
                  checked={values.kind === k.kind}
                  onChange={() => {
                    setValues((v) => ({ ...v, kind: k.kind }));
                    setErrors({});
                  }}
                />
                {k.label}
              </label>
            ))}
          </div>
          {values.kind === "wasm" && (
            <>
              {chain.wasmModules.length > 0 && (
                <Field
                  label="Module"
                  name="module"
                  value={chain.wasmModules.find((m) => m.uri === values.moduleUri)?.name ?? ""}
                  onChange={(e) => {
                    const m = chain.wasmModules.find((x) => x.name === e.target.value);
                    if (m) setValues((v) => ({ ...v, moduleUri: m.uri, moduleSha256: m.sha256 }));
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
              <Field
                label="Module URI"
                {...field("moduleUri")}
                hint="http(s)://, ipfs://, data: or file: URI of the .wasm file"
              />
              <Field
                label="Module SHA-256"
                {...field("moduleSha256")}
                hint="64 lowercase hex characters"
                spellCheck={false}
              />
              <Field label="Input encoding" {...field("inputEncoding")}>
                <option value="utf8">Text (UTF-8)</option>
                <option value="json">JSON</option>
                <option value="base64">Base64</option>
              </Field>
              <Field label="Input" {...field("inputData")} multiline />
              <Field
                label="Time limit (ms)"
                {...field("timeoutMs")}
                inputMode="numeric"
                hint="Optional; keepers apply their own limit otherwise"
              />
            </>
          )}
          {values.kind === "http.json" && (
            <>
              <Field label="URL" {...field("url")} type="url" />
              <Field label="JSON path" {...field("jsonPath")} hint="For example $.data.amount" />
            </>
          )}
          {values.kind === "contract.call" && (
            <>
              <Field label="Chain id" {...field("callChainId")} inputMode="numeric" />
              <Field label="Contract address" {...field("callTo")} spellCheck={false} />
              <Field
                label="Function"
                {...field("signature")}
                hint='Human-readable, e.g. "function balanceOf(address) view returns (uint256)"'
              />
              <Field
                label="Arguments"
                {...field("args")}
                hint='A JSON array; integers as decimal strings, e.g. ["0x…", "100"]'
              />
            </>
          )}
          {errors.spec && (
            <p className="error" role="alert">
              {errors.spec}
            </p>
          )}
        </fieldset>

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
          {token.address !== zeroAddress && (
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

        <fieldset>
          <legend>Windows</legend>
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
          {Number.isFinite(round) && round > 0 && (
            <p className="hint">One round from posting to settlement takes about {formatDuration(round)}.</p>
          )}
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
          <button type="submit" disabled={busy || checking}>
            {checking ? "Checking…" : token.address === zeroAddress ? "Post job" : "Approve and post job"}
          </button>
          <button type="button" className="secondary" onClick={() => (setValues(defaultValues(chain)), setErrors({}))}>
            Reset
          </button>
        </div>
        {!address && <p className="hint">Connect a wallet to post; you can fill in the form first.</p>}
      </form>
    </section>
  );
}

export type { Address };
