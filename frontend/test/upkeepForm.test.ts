import { automationRegistryAbi, MAX_CHECK_DATA_BYTES, TRIGGER_KIND } from "@baton/sdk";
import { describe, expect, it } from "vitest";
import { decodeAbiParameters, parseEther, parseGwei, stringToHex, toEventSelector, type Address } from "viem";
import {
  checkDataOf,
  cronMessage,
  defaultUpkeepValues,
  parseTopic,
  parseTopic0,
  upcomingTicks,
  validateUpkeep,
  type UpkeepFormValues,
} from "../src/lib/upkeepForm.ts";
import { CronError } from "@baton/sdk";

const REGISTRY: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const TARGET: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const form = (changes: Partial<UpkeepFormValues> = {}): UpkeepFormValues => ({
  ...defaultUpkeepValues(),
  target: TARGET,
  ...changes,
});
const errorsOf = (values: UpkeepFormValues, maxPerformGas?: number) => {
  const checked = validateUpkeep(values, REGISTRY, maxPerformGas ? { maxPerformGas } : {});
  return checked.ok ? {} : checked.errors;
};

describe("the register-an-upkeep form", () => {
  it("builds the registry's call for a condition upkeep from the defaults and a target", () => {
    const checked = validateUpkeep(form({ checkData: "batch-7" }), REGISTRY);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    const { call, registration } = checked.value;
    expect(call.address).toBe(REGISTRY);
    expect(call.abi).toBe(automationRegistryAbi);
    expect(call.functionName).toBe("registerUpkeep");
    expect(call.value).toBe(parseEther("0.05"));
    expect(call.args[0]).toMatchObject({
      target: TARGET,
      kind: TRIGGER_KIND.condition,
      trigger: "0x",
      checkData: stringToHex("batch-7"),
      performGasLimit: 200_000,
      maxGasPrice: Number(parseGwei("100")),
      maxPremium: parseEther("0.0001"),
    });
    expect(registration.trigger).toEqual({ kind: "condition" });
  });

  it("asks for a target address and for amounts it can read, each on its field", () => {
    expect(
      errorsOf(form({ target: "0x1234", performGasLimit: "lots", maxGasPrice: "-1", maxPremium: "", balance: "1e3" })),
    ).toEqual({
      target: "Enter the target contract's address: 0x followed by 40 hex digits.",
      performGasLimit: "Enter the gas limit as a whole number, such as 200000.",
      maxGasPrice: "Enter a gas price in gwei, such as 100 or 1.5.",
      maxPremium: "Enter an amount of ETH, such as 0.0001 (0 for no premium).",
      balance: "Enter an amount of ETH, such as 0.05.",
    });
  });

  it("shows the sdk's limits on the field they are about", () => {
    expect(errorsOf(form({ performGasLimit: "5000" }))).toEqual({
      performGasLimit: "The perform gas limit must be from 10000 to 5000000, got 5000.",
    });
    // The registry's own maximum, from its parameters.
    expect(errorsOf(form({ performGasLimit: "600000" }), 500_000)).toEqual({
      performGasLimit: "The perform gas limit must be from 10000 to 500000, got 600000.",
    });
    expect(errorsOf(form({ kind: "interval", interval: "2" }))).toEqual({
      interval: "An interval is a whole number of seconds from 5 to 31536000, got 2.",
    });
    expect(errorsOf(form({ balance: "0" }))).toEqual({
      balance: "An upkeep needs a balance to pay its performs.",
    });
    expect(errorsOf(form({ maxGasPrice: "0" }))).toHaveProperty("maxGasPrice");
    expect(
      errorsOf(form({ checkDataEncoding: "hex", checkData: `0x${"ab".repeat(MAX_CHECK_DATA_BYTES + 1)}` })),
    ).toHaveProperty("checkData");
  });

  it("takes check data as text or hex bytes, and refuses hex that is not bytes", () => {
    expect(checkDataOf({ checkDataEncoding: "text", checkData: "" })).toBe("0x");
    expect(checkDataOf({ checkDataEncoding: "text", checkData: "hi" })).toBe("0x6869");
    expect(checkDataOf({ checkDataEncoding: "hex", checkData: "0xABcd" })).toBe("0xabcd");
    expect(checkDataOf({ checkDataEncoding: "hex", checkData: "0xabc" })).toBeUndefined();
    expect(errorsOf(form({ checkDataEncoding: "hex", checkData: "hello" }))).toEqual({
      checkData: "Enter hex bytes (0x followed by pairs of hex digits), or choose text.",
    });
  });

  it("sends no check data for time triggers, whatever the field holds", () => {
    const checked = validateUpkeep(form({ kind: "interval", interval: "60", checkData: "ignored" }), REGISTRY);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value.call.args[0].checkData).toBe("0x");
    expect(checked.value.call.args[0].kind).toBe(TRIGGER_KIND.interval);
    expect(decodeAbiParameters([{ type: "uint256" }], checked.value.call.args[0].trigger)).toEqual([60n]);
  });

  it("shows a cron expression's problem with its field and character", () => {
    expect(errorsOf(form({ kind: "cron", cron: "*/5 25 * * *" }))).toEqual({
      cron: expect.stringMatching(
        /^This is not a cron expression the registry accepts: .* \(in the hour field, at character 5\)\.$/,
      ),
    });
    expect(errorsOf(form({ kind: "cron", cron: "0 0 30 2 *" })).cron).toMatch(/never/);
    expect(errorsOf(form({ kind: "cron", cron: "* * *" })).cron).toMatch(/at character \d+\)\.$/);
    expect(validateUpkeep(form({ kind: "cron", cron: "0 12 * * 1-5" }), REGISTRY).ok).toBe(true);
    expect(cronMessage(new CronError("CronInvalid", 0, 2, "a number out of range"))).toBe(
      "This is not a cron expression the registry accepts: a number out of range (in the minute field, at character 3).",
    );
  });

  it("reads a log filter: the emitter, topic 0 as a signature or a hash, and optional topics", () => {
    const signature = "Ping(uint256,address,uint256)";
    expect(parseTopic0(signature)).toBe(toEventSelector(signature));
    expect(parseTopic0(`event ${signature}`)).toBe(toEventSelector(signature));
    expect(parseTopic0(toEventSelector(signature).toUpperCase().replace("0X", "0x"))).toBe(toEventSelector(signature));
    expect(parseTopic0("Ping")).toBeUndefined();
    expect(parseTopic("")).toBeNull();
    expect(parseTopic("7")).toBe(`0x${"0".repeat(63)}7`);
    expect(parseTopic(TARGET)).toBe(`0x${"0".repeat(24)}${TARGET.slice(2).toLowerCase()}`);
    expect(parseTopic("seven")).toBeUndefined();

    const checked = validateUpkeep(
      form({ kind: "log", emitter: TARGET, topic0: signature, topic1: "", topic2: TARGET, checkData: "" }),
      REGISTRY,
    );
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value.registration.trigger).toEqual({
      kind: "log",
      filter: { emitter: TARGET, topic0: toEventSelector(signature), topics: [null, parseTopic(TARGET)] },
    });
    expect(checked.value.call.args[0].kind).toBe(TRIGGER_KIND.log);

    expect(errorsOf(form({ kind: "log", emitter: "nope", topic0: "Ping", topic3: "x" }))).toEqual({
      emitter: "Enter the address of the contract whose events trigger the upkeep.",
      topic0:
        "Enter the event's topic 0: a 32-byte hash (0x and 64 hex digits) or its signature, such as Ping(uint256,address,uint256).",
      topic3: "Leave it empty to match any value, or enter a 32-byte word, an address or a whole number.",
    });
  });

  it("lists the next ticks of time triggers as the registry schedules them", () => {
    const now = 1_700_000_030; // 22:13:50 UTC
    expect(upcomingTicks({ kind: "interval", interval: "60", cron: "" }, now)).toEqual([
      1_700_000_040, 1_700_000_100, 1_700_000_160,
    ]);
    const cron = upcomingTicks({ kind: "cron", interval: "", cron: "*/15 * * * *" }, now);
    expect(cron.map((t) => new Date(t * 1000).toISOString().slice(11, 16))).toEqual(["22:15", "22:30", "22:45"]);
    expect(upcomingTicks({ kind: "cron", interval: "", cron: "bad" }, now)).toEqual([]);
    expect(upcomingTicks({ kind: "condition", interval: "60", cron: "" }, now)).toEqual([]);
  });
});
