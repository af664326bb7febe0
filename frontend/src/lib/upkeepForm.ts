// The register-an-upkeep form as data: defaults, and validation of every field with a message
// before any transaction. The limits are the registry's, checked by the sdk's own
// `prepareRegisterUpkeep` (and `parseCron` for cron expressions), so the form accepts exactly what
// the contract accepts; each sdk error lands on the field it is about.
import {
  checkDataFromText,
  CRON_FIELD_NAMES,
  CRON_WHOLE_EXPRESSION,
  CronError,
  nextCronTick,
  parseCron,
  prepareRegisterUpkeep,
  UpkeepValidationError,
  type Trigger,
  type TriggerKindName,
  type UpkeepRegistration,
} from "@baton/sdk";
import { getAddress, isAddress, numberToHex, pad, parseUnits, toEventSelector, type Address, type Hex } from "viem";

export const TRIGGER_KINDS: { kind: TriggerKindName; label: string }[] = [
  { kind: "condition", label: "Condition: the target's checkUpkeep says when" },
  { kind: "interval", label: "Interval: every so many seconds" },
  { kind: "cron", label: "Cron: a UTC schedule" },
  { kind: "log", label: "Log: when a contract emits an event" },
];

/** How the check data field is read. */
export const CHECK_DATA_ENCODINGS = [
  { value: "text", label: "Text (UTF-8)" },
  { value: "hex", label: "Hex bytes" },
] as const;

export type UpkeepFormValues = {
  target: string;
  kind: TriggerKindName;
  /** Seconds between ticks (interval). */
  interval: string;
  /** Five-field UTC cron expression (cron). */
  cron: string;
  /** Log filter (log): the emitter, topic0 (a hash or an event signature) and up to three topics. */
  emitter: string;
  topic0: string;
  topic1: string;
  topic2: string;
  topic3: string;
  /** How `checkData` is typed: text (UTF-8) or hex bytes. */
  checkDataEncoding: (typeof CHECK_DATA_ENCODINGS)[number]["value"];
  checkData: string;
  performGasLimit: string;
  /** Gas price ceiling in gwei. */
  maxGasPrice: string;
  /** Highest premium per perform, in ETH. */
  maxPremium: string;
  /** Initial balance, in ETH. */
  balance: string;
};

export type UpkeepFieldName = keyof UpkeepFormValues | "form";
export type UpkeepFormErrors = Partial<Record<UpkeepFieldName, string>>;

export const TOPIC_FIELDS = ["topic1", "topic2", "topic3"] as const;

export function defaultUpkeepValues(): UpkeepFormValues {
  return {
    target: "",
    kind: "condition",
    interval: "60",
    cron: "*/5 * * * *",
    emitter: "",
    topic0: "",
    topic1: "",
    topic2: "",
    topic3: "",
    checkDataEncoding: "text",
    checkData: "",
    performGasLimit: "200000",
    maxGasPrice: "100",
    maxPremium: "0.0001",
    balance: "0.05",
  };
}

/** Whether the kind's target receives check data (time triggers receive their tick instead). */
export const takesCheckData = (kind: TriggerKindName) => kind === "condition" || kind === "log";

/** The form's labels, for messages that name a field. */
const LABELS: Record<keyof UpkeepFormValues, string> = {
  target: "Target",
  kind: "Trigger",
  interval: "The interval",
  cron: "The cron expression",
  emitter: "The emitter",
  topic0: "Topic 0",
  topic1: "Topic 1",
  topic2: "Topic 2",
  topic3: "Topic 3",
  checkDataEncoding: "Check data",
  checkData: "Check data",
  performGasLimit: "The perform gas limit",
  maxGasPrice: "The gas price ceiling",
  maxPremium: "The maximum premium",
  balance: "The initial balance",
};

/** The form field an sdk validation error is about. */
const SDK_FIELDS: Record<string, keyof UpkeepFormValues> = {
  "trigger.seconds": "interval",
  "trigger.filter.topics": "topic1",
  performGasLimit: "performGasLimit",
  checkData: "checkData",
  maxGasPrice: "maxGasPrice",
  maxPremium: "maxPremium",
  balance: "balance",
};

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

/** An amount typed in `decimals` units (ETH: 18, gwei: 9), or undefined when it is not one. */
function parseAmount(text: string, decimals: number): bigint | undefined {
  const t = text.trim();
  if (!new RegExp(`^(0|[1-9][0-9]*)(\\.[0-9]{1,${decimals}})?$`).test(t)) return undefined;
  return parseUnits(t, decimals);
}

/** Topic 0 as typed: a 32-byte hash, or an event signature such as `Ping(uint256,address,uint256)`. */
export function parseTopic0(text: string): Hex | undefined {
  const t = text.trim();
  if (HEX32.test(t)) return t.toLowerCase() as Hex;
  if (/^(event\s+)?[A-Za-z_$][A-Za-z0-9_$]*\(.*\)$/.test(t)) {
    try {
      return toEventSelector(t.replace(/^event\s+/, ""));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A further topic as typed: empty (any value), a 32-byte word, or an address (left-padded). */
export function parseTopic(text: string): Hex | null | undefined {
  const t = text.trim();
  if (t === "") return null;
  if (HEX32.test(t)) return t.toLowerCase() as Hex;
  if (isAddress(t, { strict: false })) return pad(t.toLowerCase() as Hex, { size: 32 });
  if (/^(0|[1-9][0-9]*)$/.test(t) && BigInt(t) < 1n << 256n) return numberToHex(BigInt(t), { size: 32 });
  return undefined;
}

/** The check data as typed, in bytes; undefined when hex was chosen and it is not hex bytes. */
export function checkDataOf(values: Pick<UpkeepFormValues, "checkDataEncoding" | "checkData">): Hex | undefined {
  if (values.checkDataEncoding === "text") return values.checkData === "" ? "0x" : checkDataFromText(values.checkData);
  const t = values.checkData.trim();
  if (t === "" || t === "0x") return "0x";
  return /^0x([0-9a-fA-F]{2})*$/.test(t) ? (t.toLowerCase() as Hex) : undefined;
}

/** A cron error in words, with the field and the character it is about. */
export function cronMessage(error: CronError): string {
  const where =
    error.field === CRON_WHOLE_EXPRESSION
      ? `at character ${error.position + 1}`
      : `in the ${CRON_FIELD_NAMES[error.field]} field, at character ${error.position + 1}`;
  return `This is not a cron expression the registry accepts: ${error.reason} (${where}).`;
}

export type ValidUpkeep = {
  registration: UpkeepRegistration;
  /** The registry's call, as the sdk builds it. */
  call: ReturnType<typeof prepareRegisterUpkeep>;
};

export type UpkeepCheck = { ok: true; value: ValidUpkeep } | { ok: false; errors: UpkeepFormErrors };

/**
 * Every problem of the form, keyed to its field, or the registration and the registry's call.
 * `maxPerformGas` is the registry's limit (its parameters), the sdk's default without it.
 */
export function validateUpkeep(
  values: UpkeepFormValues,
  registry: Address,
  options: { maxPerformGas?: number } = {},
): UpkeepCheck {
  const errors: UpkeepFormErrors = {};
  const target = values.target.trim();
  if (!isAddress(target, { strict: false })) {
    errors.target = "Enter the target contract's address: 0x followed by 40 hex digits.";
  }

  let trigger: Trigger | undefined;
  switch (values.kind) {
    case "condition":
      trigger = { kind: "condition" };
      break;
    case "interval": {
      const t = values.interval.trim();
      if (!/^[0-9]+$/.test(t)) errors.interval = "Enter the interval as a whole number of seconds, such as 60.";
      else trigger = { kind: "interval", seconds: Number(t) };
      break;
    }
    case "cron":
      trigger = { kind: "cron", expression: values.cron.trim() };
      break;
    case "log": {
      const emitter = values.emitter.trim();
      if (!isAddress(emitter, { strict: false })) {
        errors.emitter = "Enter the address of the contract whose events trigger the upkeep.";
      }
      const topic0 = parseTopic0(values.topic0);
      if (!topic0) {
        errors.topic0 =
          "Enter the event's topic 0: a 32-byte hash (0x and 64 hex digits) or its signature, such as Ping(uint256,address,uint256).";
      }
      const topics = TOPIC_FIELDS.map((f) => {
        const topic = parseTopic(values[f]);
        if (topic === undefined) {
          errors[f] = "Leave it empty to match any value, or enter a 32-byte word, an address or a whole number.";
        }
        return topic ?? null;
      });
      // The registry matches topics by position: drop trailing "any" topics only.
      while (topics.length && topics.at(-1) === null) topics.pop();
      if (!errors.emitter && topic0) {
        trigger = { kind: "log", filter: { emitter: getAddress(emitter), topic0, topics } };
      }
      break;
    }
  }

  const checkData = takesCheckData(values.kind) ? checkDataOf(values) : "0x";
  if (checkData === undefined) {
    errors.checkData = "Enter hex bytes (0x followed by pairs of hex digits), or choose text.";
  }
  const gas = values.performGasLimit.trim();
  if (!/^[0-9]+$/.test(gas)) errors.performGasLimit = "Enter the gas limit as a whole number, such as 200000.";
  const maxGasPrice = parseAmount(values.maxGasPrice, 9);
  if (maxGasPrice === undefined) errors.maxGasPrice = "Enter a gas price in gwei, such as 100 or 1.5.";
  const maxPremium = parseAmount(values.maxPremium, 18);
  if (maxPremium === undefined) errors.maxPremium = "Enter an amount of ETH, such as 0.0001 (0 for no premium).";
  const balance = parseAmount(values.balance, 18);
  if (balance === undefined) errors.balance = "Enter an amount of ETH, such as 0.05.";
  if (Object.keys(errors).length || !trigger) return { ok: false, errors };

  const registration: UpkeepRegistration = {
    target: getAddress(target),
    trigger,
    checkData: checkData!,
    performGasLimit: Number(gas),
    maxGasPrice: maxGasPrice!,
    maxPremium: maxPremium!,
    balance: balance!,
  };
  try {
    return {
      ok: true,
      value: { registration, call: prepareRegisterUpkeep(registry, registration, options.maxPerformGas) },
    };
  } catch (error) {
    if (error instanceof CronError) return { ok: false, errors: { cron: cronMessage(error) } };
    if (error instanceof UpkeepValidationError) {
      const field = SDK_FIELDS[error.field] ?? "form";
      const detail = error.message.slice(error.field.length + 2);
      // "must be from …" reads after the field's name; the sdk's other messages are sentences.
      const text =
        field !== "form" && detail.startsWith("must")
          ? `${LABELS[field as keyof UpkeepFormValues]} ${detail}.`
          : `${detail[0]!.toUpperCase()}${detail.slice(1)}.`;
      return { ok: false, errors: { [field]: text } };
    }
    throw error;
  }
}

/**
 * The next `count` ticks of a time trigger after `now` (Unix seconds), as the registry schedules
 * them: interval ticks on multiples of the interval, cron ticks on matching UTC minutes. Empty for
 * other kinds and for an invalid trigger.
 */
export function upcomingTicks(values: Pick<UpkeepFormValues, "kind" | "interval" | "cron">, now: number, count = 3) {
  const ticks: number[] = [];
  if (values.kind === "interval") {
    const seconds = Number(values.interval.trim());
    if (!Number.isSafeInteger(seconds) || seconds <= 0) return ticks;
    let t = now - (now % seconds);
    while (ticks.length < count) ticks.push((t += seconds));
  } else if (values.kind === "cron") {
    let spec: bigint;
    try {
      spec = parseCron(values.cron.trim());
    } catch {
      return ticks;
    }
    let t: bigint | null = BigInt(now);
    while (ticks.length < count && (t = nextCronTick(spec, t)) !== null) ticks.push(Number(t));
  }
  return ticks;
}
