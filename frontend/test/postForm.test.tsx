import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { parseRuntimeConfig } from "../src/config/runtime.ts";
import { defaultValues, validatePost, type PostFormValues } from "../src/lib/postForm.ts";
import PostJob from "../src/pages/PostJob.tsx";
import { ARBITER, FakeChain, REQUESTER, runtimeConfig } from "./helpers/fakeChain.ts";

const CUSTOM_ARBITER = "0x2546BcD3c84621e976D8185a91A922aE77ECEc30";
import { renderWithChain } from "./helpers/render.tsx";

const chain = parseRuntimeConfig(runtimeConfig).chains[0]!;
const valid: PostFormValues = {
  ...defaultValues(chain),
  moduleUri: "https://m.example/a.wasm",
  moduleSha256: "c".repeat(64),
};
const errorsOf = (v: Partial<PostFormValues>, decimals = 18) => {
  const r = validatePost({ ...valid, ...v }, decimals);
  return r.ok ? {} : r.errors;
};

describe("post form validation", () => {
  it("accepts the defaults of every kind once a module is named", () => {
    for (const kind of ["wasm", "http.json", "contract.call"] as const) {
      const r = validatePost({ ...valid, kind }, 18);
      expect(r.ok, kind).toBe(true);
    }
    const r = validatePost(valid, 18);
    expect(r.ok && r.value.terms.maxReward).toBe(5n * 10n ** 16n);
  });

  it("reports spec problems from the sdk schema on their fields", () => {
    expect(errorsOf({ moduleSha256: "xyz" }).moduleSha256).toBe(
      "Module SHA-256 must be 64 lowercase hex characters (SHA-256 of the module bytes).",
    );
    expect(errorsOf({ moduleUri: "" }).moduleUri).toMatch(/^Module URI must be an http/);
    expect(errorsOf({ inputEncoding: "json", inputData: "{nope" }).inputData).toBe("Input must be valid JSON.");
    expect(errorsOf({ inputEncoding: "base64", inputData: "!!" }).inputData).toMatch(/base64/);
    expect(errorsOf({ kind: "http.json", url: "ftp://x" }).url).toMatch(/^URL must be an http/);
    expect(errorsOf({ kind: "http.json", jsonPath: "$..a" }).jsonPath).toMatch(/^JSON path invalid JSON path/);
    expect(errorsOf({ kind: "contract.call", callTo: "0x12" }).callTo).toBe(
      "Contract address must be a 20-byte hex address.",
    );
    expect(errorsOf({ kind: "contract.call", args: "[1]" }).args).toMatch(/takes 0 arguments, got 1/);
    expect(errorsOf({ kind: "contract.call", args: "{}" }).args).toMatch(/JSON array/);
    expect(errorsOf({ kind: "contract.call", signature: "jobCount" }).signature).toMatch(/human-readable function/);
  });

  it("checks amounts, windows, expiry and arbiter", () => {
    expect(errorsOf({ reward: "0" }).reward).toBe("Reward must be more than zero.");
    expect(errorsOf({ reward: "abc" }).reward).toBe("Reward must be a number such as 0.05.");
    expect(errorsOf({ reward: "1.1234567" }, 6).reward).toBe("Reward has more than 6 decimals.");
    expect(errorsOf({ bond: "" }).bond).toBe("Bond is required.");
    expect(errorsOf({ commitWindow: "0" }).commitWindow).toMatch(/between 1 and 2592000 seconds/);
    expect(errorsOf({ challengeWindow: "3000000" }).challengeWindow).toMatch(/30 days/);
    expect(errorsOf({ expiryHours: "0.01" }).expiryHours).toMatch(/one full round/);
    expect(errorsOf({ arbiter: "0x0000000000000000000000000000000000000000" }).arbiter).toMatch(/contract address/);
    expect(errorsOf({ minCompleted: "-1" }).minCompleted).toMatch(/whole number/);
  });
});

describe("custom arbiter", () => {
  const check = (v: Partial<PostFormValues>) => validatePost({ ...valid, ...v }, 18, { defaultArbiter: ARBITER });

  it("asks to confirm an arbiter other than the deployment's committee", () => {
    const r = check({ arbiter: CUSTOM_ARBITER });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.customArbiterOk).toMatch(/other than this deployment's committee/);
    expect(check({ arbiter: CUSTOM_ARBITER, customArbiterOk: true }).ok).toBe(true);
    expect(check({ arbiter: ARBITER.toLowerCase() }).ok).toBe(true);
    expect(check({}).ok).toBe(true);
  });
});

describe("post form", () => {
  it("says when the market is paused for new jobs, and only then", async () => {
    const fake = new FakeChain();
    fake.paused = true;
    const { unmount } = await renderWithChain(<PostJob />, fake, { account: REQUESTER });
    const note = await screen.findByRole("note", { name: "Market paused" });
    expect(note.textContent).toMatch(
      /new jobs wait until it resumes\. Bids on open jobs, settlement and withdrawals go on/,
    );
    unmount();
    await renderWithChain(<PostJob />, new FakeChain(), { account: REQUESTER });
    await waitFor(() => expect(screen.getByRole("button", { name: "Post job" })).toBeTruthy());
    expect(screen.queryByRole("note", { name: "Market paused" })).toBeNull();
  });

  it("shows each problem next to its field and sends nothing", async () => {
    const fake = new FakeChain();
    await renderWithChain(<PostJob />, fake, { account: REQUESTER });
    const user = userEvent.setup();
    await user.clear(screen.getByLabelText("Module SHA-256"));
    await user.type(screen.getByLabelText("Module SHA-256"), "not-a-hash");
    await user.clear(screen.getByLabelText("Maximum reward (ETH)"));
    await user.type(screen.getByLabelText("Maximum reward (ETH)"), "0");
    await user.click(screen.getByRole("button", { name: "Post job" }));
    expect(await screen.findByText("Reward must be more than zero.")).toBeTruthy();
    expect(screen.getByText(/Module SHA-256 must be 64 lowercase hex characters/)).toBeTruthy();
    expect(screen.getByLabelText("Maximum reward (ETH)").getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement?.getAttribute("name")).toBe("moduleUri"));
    expect(fake.calls.filter((c) => /send|estimate/.test(c))).toEqual([]);
  });

  it("refuses a reward the account cannot pay, before any transaction", async () => {
    const fake = new FakeChain();
    fake.balance = 10n ** 15n;
    await renderWithChain(<PostJob />, fake, { account: REQUESTER });
    fireEvent.change(screen.getByLabelText("Module URI"), { target: { value: "https://m.example/a.wasm" } });
    fireEvent.change(screen.getByLabelText("Module SHA-256"), { target: { value: "d".repeat(64) } });
    fireEvent.click(screen.getByRole("button", { name: "Post job" }));
    expect(await screen.findByText(/does not cover a reward of 0.05 ETH/)).toBeTruthy();
    expect(fake.calls.filter((c) => /send|estimate/.test(c))).toEqual([]);
  });

  it("warns about a custom arbiter and posts nothing until it is confirmed", async () => {
    const fake = new FakeChain();
    await renderWithChain(<PostJob />, fake, { account: REQUESTER });
    fireEvent.change(screen.getByLabelText("Module URI"), { target: { value: "https://m.example/a.wasm" } });
    fireEvent.change(screen.getByLabelText("Module SHA-256"), { target: { value: "d".repeat(64) } });
    expect(screen.queryByRole("note", { name: "Custom arbiter" })).toBeNull();
    fireEvent.change(screen.getByLabelText("Arbiter"), { target: { value: CUSTOM_ARBITER } });
    const note = screen.getByRole("note", { name: "Custom arbiter" });
    expect(note.textContent).toMatch(/Keepers that follow the default policy .* will not bid on it/);
    fireEvent.click(screen.getByRole("button", { name: "Post job" }));
    expect(
      await screen.findByText(/Confirm that you want an arbiter other than this deployment's committee/),
    ).toBeTruthy();
    await waitFor(() => expect(document.activeElement?.getAttribute("name")).toBe("customArbiterOk"));
    expect(fake.calls.filter((c) => /getCode|send|estimate/.test(c))).toEqual([]);

    // Once confirmed, the form goes on to the chain checks (FakeChain has no code at that address).
    fireEvent.click(screen.getByLabelText("Post with this arbiter anyway"));
    fireEvent.click(screen.getByRole("button", { name: "Post job" }));
    expect(await screen.findByText("There is no contract at this arbiter address on this network.")).toBeTruthy();
    expect(fake.calls.filter((c) => /send|estimate/.test(c))).toEqual([]);

    fireEvent.click(screen.getByRole("button", { name: "Use the default arbiter" }));
    expect((screen.getByLabelText("Arbiter") as HTMLInputElement).value).toBe(ARBITER);
    expect(screen.queryByRole("note", { name: "Custom arbiter" })).toBeNull();
  });

  it("forgets the confirmation when the arbiter changes", async () => {
    await renderWithChain(<PostJob />, new FakeChain(), { account: REQUESTER });
    fireEvent.change(screen.getByLabelText("Arbiter"), { target: { value: CUSTOM_ARBITER } });
    fireEvent.click(screen.getByLabelText("Post with this arbiter anyway"));
    expect((screen.getByLabelText("Post with this arbiter anyway") as HTMLInputElement).checked).toBe(true);
    fireEvent.change(screen.getByLabelText("Arbiter"), { target: { value: CUSTOM_ARBITER.toLowerCase() } });
    expect((screen.getByLabelText("Post with this arbiter anyway") as HTMLInputElement).checked).toBe(false);
  });

  it("switches templates by kind", async () => {
    await renderWithChain(<PostJob />, new FakeChain());
    fireEvent.click(screen.getByLabelText("HTTP JSON fetch"));
    expect((screen.getByLabelText("JSON path") as HTMLInputElement).value).toBe("$.data.amount");
    fireEvent.click(screen.getByLabelText("Contract call"));
    expect((screen.getByLabelText("Function") as HTMLInputElement).value).toMatch(/jobCount/);
    expect(screen.queryByLabelText("JSON path")).toBeNull();
  });
});
