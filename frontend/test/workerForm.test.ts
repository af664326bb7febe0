import { describe, expect, it } from "vitest";
import { parseEther, stringToHex } from "viem";
import { capabilityName, capabilityTags, checkDeposit, checkRegistration, checkUnbond } from "../src/lib/workerForm.ts";

describe("worker forms", () => {
  it("checks a registration: a capability at least, metadata within the registry's limit", () => {
    expect(checkRegistration([], "")).toEqual({ caps: "Choose at least one capability." });
    expect(checkRegistration(["wasm"], "x".repeat(257))).toEqual({
      metadata: "The metadata URI may be at most 256 bytes.",
    });
    expect(checkRegistration(["wasm"], "x".repeat(256))).toEqual({});
  });

  it("round-trips capability tags", () => {
    const tags = capabilityTags(["wasm", "http.json"]);
    expect(tags[0]).toBe(stringToHex("wasm", { size: 32 }));
    expect(tags.map(capabilityName)).toEqual(["wasm", "http.json"]);
  });

  it("checks stake amounts: above zero, at most 18 decimals, an unbond within the free stake", () => {
    expect(checkDeposit("0.5")).toEqual({ value: parseEther("0.5") });
    expect(checkDeposit("0")).toHaveProperty("error");
    expect(checkDeposit("1e3")).toHaveProperty("error");
    expect(checkUnbond("2", parseEther("1"))).toEqual({ error: "At most 1 ETH of your stake is free." });
    expect(checkUnbond("1", parseEther("1"))).toEqual({ value: parseEther("1") });
  });
});
