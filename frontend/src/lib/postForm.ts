// The post-a-job form as data: defaults per kind, and validation of every field with a message
// before any transaction. The spec is checked by the sdk's own schema (`parseSpec`), so the form
// accepts exactly what keepers accept.
import {
  canonicalBytes,
  defaultWindows,
  MAX_PAYLOAD_BYTES,
  MAX_WINDOW,
  parseSpec,
  Pricing,
  ZERO_ADDRESS,
  type JobSpecInput,
} from "@baton/sdk";
import { getAddress, isAddress, maxUint32, maxUint96, parseUnits, type Address } from "viem";
import type { ChainConfig } from "../config/runtime.ts";
import { inDays, isZeroAddress } from "./format.ts";
import { defaultModule } from "./modules.ts";

export const KINDS = [
  { kind: "wasm", label: "WebAssembly computation" },
  { kind: "http.json", label: "HTTP JSON fetch" },
  { kind: "contract.call", label: "Contract call" },
] as const;
export type Kind = (typeof KINDS)[number]["kind"];

export type PostFormValues = {
  kind: Kind;
  moduleUri: string;
  moduleSha256: string;
  inputEncoding: "utf8" | "base64" | "json";
  inputData: string;
  timeoutMs: string;
  url: string;
  jsonPath: string;
  callChainId: string;
  callTo: string;
  signature: string;
  args: string;
  reward: string;
  token: Address;
  bond: string;
  minStake: string;
  minCompleted: string;
  commitWindow: string;
  revealWindow: string;
  executionWindow: string;
  challengeWindow: string;
  expiryHours: string;
  pricing: "first" | "second";
  arbiter: string;
  /** The requester confirmed it wants an arbiter other than the deployment's default. */
  customArbiterOk: boolean;
};

export type FieldName = keyof PostFormValues | "spec";

export type WindowValues = {
  commitWindow: number;
  revealWindow: number;
  executionWindow: number;
  challengeWindow: number;
};

export type WindowPreset = { id: "fast" | "normal" | "cautious"; label: string; hint: string; windows: WindowValues };

/**
 * Window presets for a chain: a fast demo (seconds on a local chain, where keepers answer within a
 * block), the sdk's defaults, and a cautious set that leaves a day to challenge a result.
 */
export function windowPresets(chainId: number): WindowPreset[] {
  const normal = defaultWindows(chainId);
  const local = normal.commitWindow < 600;
  return [
    {
      id: "fast",
      label: "Fast demo",
      hint: local
        ? "settles in well under a minute on a local chain"
        : "short windows: only for keepers that answer within minutes",
      windows: local
        ? { commitWindow: 10, revealWindow: 10, executionWindow: 60, challengeWindow: 10 }
        : { commitWindow: 120, revealWindow: 120, executionWindow: 600, challengeWindow: 300 },
    },
    { id: "normal", label: "Normal", hint: "the deployment's defaults", windows: { ...normal } },
    {
      id: "cautious",
      label: "Cautious",
      hint: "more time to bid and a full day to check and dispute the result",
      windows: {
        commitWindow: normal.commitWindow * 5,
        revealWindow: normal.revealWindow * 5,
        executionWindow: normal.executionWindow * 4,
        challengeWindow: 86_400,
      },
    },
  ];
}

/** The preset whose windows the values are exactly, if any ("custom" otherwise). */
export function presetOf(
  values: Record<keyof WindowValues, string>,
  presets: readonly WindowPreset[],
): WindowPreset["id"] | "custom" {
  const found = presets.find((p) =>
    (Object.keys(p.windows) as (keyof WindowValues)[]).every((k) => values[k].trim() === String(p.windows[k])),
  );
  return found?.id ?? "custom";
}

/** The form's windows with a preset applied. */
export function applyPreset<T extends Record<keyof WindowValues, string>>(values: T, preset: WindowPreset): T {
  return {
    ...values,
    commitWindow: String(preset.windows.commitWindow),
    revealWindow: String(preset.windows.revealWindow),
    executionWindow: String(preset.windows.executionWindow),
    challengeWindow: String(preset.windows.challengeWindow),
  };
}

/** The preset a new form starts with: the fast demo on a local chain, the defaults elsewhere. */
export function defaultPreset(chainId: number): WindowPreset {
  const presets = windowPresets(chainId);
  return defaultWindows(chainId).commitWindow < 600 ? presets[0]! : presets[1]!;
}
export type FormErrors = Partial<Record<FieldName, string>>;

export function defaultValues(chain: ChainConfig): PostFormValues {
  const windows = defaultPreset(chain.chainId).windows;
  const mod = defaultModule(chain.wasmModules);
  return {
    kind: "wasm",
    moduleUri: mod?.uri ?? "",
    moduleSha256: mod?.sha256 ?? "",
    inputEncoding: "utf8",
    inputData: "the quick brown fox jumps over the lazy dog",
    timeoutMs: "",
    url: "https://api.coinbase.com/v2/prices/ETH-USD/spot",
    jsonPath: "$.data.amount",
    callChainId: String(chain.chainId),
    callTo: chain.addressBook.jobMarket,
    signature: "function jobCount() view returns (uint256)",
    args: "[]",
    reward: "0.05",
    token: ZERO_ADDRESS,
    bond: "0.01",
    minStake: "0",
    minCompleted: "0",
    commitWindow: String(windows.commitWindow),
    revealWindow: String(windows.revealWindow),
    executionWindow: String(windows.executionWindow),
    challengeWindow: String(windows.challengeWindow),
    expiryHours: "24",
    pricing: "first",
    arbiter: chain.addressBook.committeeArbiter,
    customArbiterOk: false,
  };
}

/**
 * Whether the form names a well-formed arbiter other than `defaultArbiter` (the deployment's
 * committee): keepers that follow the default policy will not bid on such a job.
 */
export function namesCustomArbiter(v: PostFormValues, defaultArbiter: string): boolean {
  const arbiter = v.arbiter.trim();
  return isAddress(arbiter, { strict: false }) && arbiter.toLowerCase() !== defaultArbiter.toLowerCase();
}

/** The spec the form describes (not yet validated); `error` when a JSON field does not parse. */
export function specFromForm(v: PostFormValues): { spec?: unknown; errors: FormErrors } {
  const errors: FormErrors = {};
  const inputs: Record<string, unknown> = {};
  if (v.kind === "wasm") {
    let data: unknown = v.inputData;
    if (v.inputEncoding === "json") {
      try {
        data = JSON.parse(v.inputData);
      } catch {
        errors.inputData = "Input must be valid JSON.";
      }
    }
    const timeout = v.timeoutMs.trim();
    if (timeout && !/^[0-9]+$/.test(timeout)) errors.timeoutMs = "Time limit must be a whole number of milliseconds.";
    Object.assign(inputs, {
      kind: "wasm",
      version: 1,
      module: { uri: v.moduleUri.trim(), sha256: v.moduleSha256.trim() },
      input: { encoding: v.inputEncoding, data },
      ...(timeout && !errors.timeoutMs ? { limits: { timeoutMs: Number(timeout) } } : {}),
    });
  } else if (v.kind === "http.json") {
    Object.assign(inputs, { kind: "http.json", version: 1, url: v.url.trim(), method: "GET", path: v.jsonPath.trim() });
  } else {
    let args: unknown = [];
    try {
      args = JSON.parse(v.args || "[]");
      if (!Array.isArray(args)) errors.args = 'Arguments must be a JSON array, e.g. ["0x…", "100"].';
    } catch {
      errors.args = 'Arguments must be a JSON array, e.g. ["0x…", "100"].';
    }
    if (!/^[0-9]+$/.test(v.callChainId.trim())) errors.callChainId = "Chain id must be a positive whole number.";
    Object.assign(inputs, {
      kind: "contract.call",
      version: 1,
      chainId: Number(v.callChainId.trim()),
      to: v.callTo.trim(),
      signature: v.signature.trim(),
      args,
    });
  }
  return { spec: inputs, errors };
}

/** Where a schema issue path (`module.sha256`, `args[0]`) shows on the form. */
function fieldOfSpecPath(path: string): FieldName {
  if (path.startsWith("module.uri")) return "moduleUri";
  if (path.startsWith("module.sha256")) return "moduleSha256";
  if (path.startsWith("input")) return "inputData";
  if (path.startsWith("limits")) return "timeoutMs";
  if (path === "url") return "url";
  if (path === "path") return "jsonPath";
  if (path === "to") return "callTo";
  if (path === "signature") return "signature";
  if (path.startsWith("args")) return "args";
  if (path === "chainId") return "callChainId";
  return "spec";
}

const FIELD_LABEL: Partial<Record<FieldName, string>> = {
  moduleUri: "Module URI",
  moduleSha256: "Module SHA-256",
  inputData: "Input",
  timeoutMs: "Time limit",
  url: "URL",
  jsonPath: "JSON path",
  callTo: "Contract address",
  signature: "Function",
  args: "Arguments",
  callChainId: "Chain id",
};

function amount(
  text: string,
  decimals: number,
  field: string,
  opts: { positive: boolean },
): { value?: bigint; error?: string } {
  const t = text.trim();
  if (!t) return { error: `${field} is required.` };
  if (!/^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(t) && !/^\.[0-9]+$/.test(t))
    return { error: `${field} must be a number such as 0.05.` };
  const frac = t.split(".")[1] ?? "";
  if (frac.length > decimals) return { error: `${field} has more than ${decimals} decimals.` };
  const value = parseUnits(t, decimals);
  if (opts.positive && value === 0n) return { error: `${field} must be more than zero.` };
  if (value > maxUint96) return { error: `${field} is too large.` };
  return { value };
}

export type ValidPost = {
  spec: JobSpecInput;
  terms: {
    token: Address;
    maxReward: bigint;
    bond: bigint;
    minStake: bigint;
    minCompleted: number;
    commitWindow: number;
    revealWindow: number;
    executionWindow: number;
    challengeWindow: number;
    expirySeconds: number;
    pricing: number;
    arbiter: Address;
  };
};

/**
 * Checks every field; the spec through the sdk's schema. Pure: no chain reads. With
 * `defaultArbiter`, an arbiter other than it must be confirmed (`customArbiterOk`).
 */
export function validatePost(
  v: PostFormValues,
  tokenDecimals: number,
  opts: { defaultArbiter?: string } = {},
): { ok: true; value: ValidPost } | { ok: false; errors: FormErrors } {
  const { spec, errors } = specFromForm(v);
  if (Object.keys(errors).length === 0) {
    const parsed = parseSpec(spec);
    if (!parsed.ok) {
      for (const issue of parsed.error.issues) {
        const field = fieldOfSpecPath(issue.path);
        const label = FIELD_LABEL[field];
        errors[field] ??= label
          ? `${label} ${issue.message}.`.replace(/\.\.$/, ".")
          : `${issue.path || "Spec"}: ${issue.message}`;
      }
    } else if (canonicalBytes(parsed.spec).length > MAX_PAYLOAD_BYTES) {
      errors.spec = `The spec is larger than the ${MAX_PAYLOAD_BYTES} bytes a job can carry inline.`;
    }
  }
  const reward = amount(v.reward, tokenDecimals, "Reward", { positive: true });
  if (reward.error) errors.reward = reward.error;
  const bond = amount(v.bond, 18, "Bond", { positive: true });
  if (bond.error) errors.bond = bond.error;
  const minStake = amount(v.minStake || "0", 18, "Minimum stake", { positive: false });
  if (minStake.error) errors.minStake = minStake.error;
  const minCompleted = v.minCompleted.trim() || "0";
  if (!/^[0-9]+$/.test(minCompleted) || BigInt(minCompleted) > maxUint32) {
    errors.minCompleted = "Minimum completed jobs must be a whole number.";
  }
  const windows = {} as Record<"commitWindow" | "revealWindow" | "executionWindow" | "challengeWindow", number>;
  for (const [key, label] of [
    ["commitWindow", "Commit window"],
    ["revealWindow", "Reveal window"],
    ["executionWindow", "Execution window"],
    ["challengeWindow", "Challenge window"],
  ] as const) {
    const t = v[key].trim();
    if (!/^[0-9]+$/.test(t) || Number(t) < 1 || Number(t) > MAX_WINDOW) {
      errors[key] = `${label} must be between 1 and ${MAX_WINDOW} seconds (${inDays(MAX_WINDOW)}).`;
    } else windows[key] = Number(t);
  }
  const hours = Number(v.expiryHours.trim());
  const round = (windows.commitWindow ?? 0) + (windows.revealWindow ?? 0) + (windows.executionWindow ?? 0);
  let expirySeconds = 0;
  if (!/^[0-9]+(\.[0-9]+)?$/.test(v.expiryHours.trim()) || !(hours > 0) || hours > 24 * 365) {
    errors.expiryHours = "Expiry must be a number of hours, more than 0 and at most a year.";
  } else {
    expirySeconds = Math.round(hours * 3600);
    // A margin over one round: the job is mined some seconds after the form is sent.
    if (expirySeconds < round + 60) {
      errors.expiryHours = `Expiry must leave room for one full round (commit + reveal + execution = ${round} s) plus a minute.`;
    }
  }
  if (!isAddress(v.arbiter.trim(), { strict: false }) || isZeroAddress(v.arbiter.trim())) {
    errors.arbiter = "Arbiter must be a contract address (0x followed by 40 hex digits).";
  } else if (opts.defaultArbiter && namesCustomArbiter(v, opts.defaultArbiter) && !v.customArbiterOk) {
    errors.customArbiterOk =
      "Confirm that you want an arbiter other than this deployment's committee, or use the default arbiter.";
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      spec: spec as JobSpecInput,
      terms: {
        token: v.token,
        maxReward: reward.value!,
        bond: bond.value!,
        minStake: minStake.value!,
        minCompleted: Number(minCompleted),
        ...windows,
        expirySeconds,
        pricing: v.pricing === "second" ? Pricing.SecondPrice : Pricing.FirstPrice,
        arbiter: getAddress(v.arbiter.trim()),
      },
    },
  };
}
