import { readFileSync } from "node:fs";
import path from "node:path";
import { marketEventNames, type MarketLog } from "@baton/sdk";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { parseEther, zeroAddress, type Address } from "viem";
import { App } from "../src/App.tsx";
import { AddressText } from "../src/components/bits.tsx";
import { withdrawables } from "../src/components/AccountFunds.tsx";
import { WalletButton } from "../src/components/WalletButton.tsx";
import { parseRuntimeConfig } from "../src/config/runtime.ts";
import { describeActivity } from "../src/lib/activity.ts";
import { ETH } from "../src/lib/format.ts";
import { labelOf } from "../src/lib/labels.ts";
import { ARBITER, FakeChain, MARKET, OTHER, REQUESTER, runtimeConfig, termsFor, WORKER } from "./helpers/fakeChain.ts";
import { renderWithChain } from "./helpers/render.tsx";

const ORCHESTRATOR: Address = "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9";
const TREASURY: Address = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

describe("the header's funds", () => {
  it("lists what can be withdrawn, from the market and the orchestrator", () => {
    const tusd = { address: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9" as Address, symbol: "TUSD", decimals: 6 };
    const list = withdrawables(
      [
        { token: zeroAddress, credit: parseEther("0.01") },
        { token: tusd.address, credit: 0n },
      ],
      [{ token: tusd.address, credit: 5_000_000n }],
      [ETH, tusd],
    );
    expect(list.map((w) => `${w.source} ${w.amount} ${w.token.symbol}`)).toEqual([
      "market 10000000000000000 ETH",
      "orchestrator 5000000 TUSD",
    ]);
  });

  it("shows the account's balance and credits, and withdraws them for a requester", async () => {
    const fake = new FakeChain();
    fake.balance = parseEther("9.5");
    fake.credits.set(`${REQUESTER.toLowerCase()}:${zeroAddress}`, parseEther("0.01"));
    await renderWithChain(<App />, fake, { account: REQUESTER });
    const funds = await screen.findByLabelText("Your funds");
    await within(funds).findByText("9.5 ETH");
    await within(funds).findByText("0.01 ETH");
    fireEvent.click(within(funds).getByRole("button", { name: "Withdraw…" }));
    const menu = screen.getByRole("group", { name: "Withdraw credits" });
    expect(within(menu).getByRole("button", { name: "Withdraw 0.01 ETH" })).toBeTruthy();
  });

  it("shows nothing to withdraw without credits, and no funds without a wallet", async () => {
    const { unmount } = await renderWithChain(<App />, new FakeChain(), { account: REQUESTER });
    const funds = await screen.findByLabelText("Your funds");
    await within(funds).findByText("none");
    expect(within(funds).queryByRole("button", { name: "Withdraw…" })).toBeNull();
    unmount();
    await renderWithChain(<App />, new FakeChain());
    await screen.findByRole("heading", { name: "Overview" });
    expect(screen.queryByLabelText("Your funds")).toBeNull();
  });
});

describe("address labels", () => {
  const chain = parseRuntimeConfig({
    chains: runtimeConfig.chains.map((c) => ({
      ...c,
      addressBook: { ...c.addressBook, workflowOrchestrator: ORCHESTRATOR },
      addressLabels: { [WORKER]: "keeper-a" },
    })),
  }).chains[0]!;

  it("names the account, the contracts, the treasury and configured keepers", () => {
    const known = { account: REQUESTER, treasury: TREASURY, chain };
    expect(labelOf(REQUESTER.toLowerCase(), known)).toBe("you");
    expect(labelOf(MARKET, known)).toBe("the market");
    expect(labelOf(ORCHESTRATOR, known)).toBe("the orchestrator");
    expect(labelOf(ARBITER, known)).toBe("the committee arbiter");
    expect(labelOf(TREASURY, known)).toBe("the treasury");
    expect(labelOf(WORKER.toUpperCase().replace("0X", "0x"), known)).toBe("keeper-a");
    expect(labelOf("0x000000000000000000000000000000000000dEaD", known)).toBeUndefined();
    expect(labelOf(WORKER, { ...known, account: WORKER })).toBe("you, keeper-a");
  });

  it("rejects labels that are not address → name", () => {
    const bad = (addressLabels: unknown) => () =>
      parseRuntimeConfig({ chains: runtimeConfig.chains.map((c) => ({ ...c, addressLabels })) });
    expect(bad({ nope: "x" })).toThrow(/addressLabels must map addresses to non-empty names \(nope\)/);
    expect(bad({ [WORKER]: " " })).toThrow(/addressLabels/);
    expect(bad([])).toThrow(/addressLabels must be an object/);
  });

  it("shows an address with its name and a copy button", async () => {
    const copied: string[] = [];
    Object.defineProperty(globalThis.navigator, "clipboard", {
      value: { writeText: async (text: string) => void copied.push(text) },
      configurable: true,
    });
    await renderWithChain(<AddressText address={WORKER} />, new FakeChain(), {
      account: REQUESTER,
      chain: { addressLabels: { [WORKER]: "keeper-a" } },
    });
    expect(screen.getByText("(keeper-a)")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: `Copy address ${WORKER}` }));
    await waitFor(() => expect(copied).toEqual([WORKER]));
    expect(await screen.findByText("Copied")).toBeTruthy();
  });

  it("names the treasury from the market's parameters", async () => {
    // FakeChain's getParams names OTHER as the treasury (it is also the timelock).
    await renderWithChain(<AddressText address={OTHER} />, new FakeChain());
    expect(await screen.findByText("(the treasury, governance)")).toBeTruthy();
  });
});

describe("activity sentences", () => {
  const sample: Record<string, unknown> = {
    jobId: 7n,
    requester: REQUESTER,
    bidder: WORKER,
    worker: WORKER,
    disputer: OTHER,
    account: REQUESTER,
    token: zeroAddress,
    newOwner: OTHER,
    previousOwner: REQUESTER,
    round: 1,
    price: 5n,
    amount: parseEther("1"),
    leading: true,
    allowed: true,
    success: false,
    workerWins: true,
    byTimeout: true,
    reason: 0,
  };

  it("gives every market event a sentence, never its raw name", () => {
    for (const eventName of marketEventNames) {
      const segments = describeActivity({ eventName, args: sample } as unknown as MarketLog);
      const text = segments.map((s) => (typeof s === "string" ? s : "job" in s ? `job #${s.job}` : "0x…")).join("");
      expect(text, eventName).not.toContain(eventName);
      expect(text.length, eventName).toBeGreaterThan(10);
    }
  });

  it("says what a settlement callback did", () => {
    const log = (success: boolean) =>
      ({ eventName: "SettlementCallback", args: { jobId: 3n, success } }) as unknown as MarketLog;
    expect(describeActivity(log(true))).toEqual([{ job: 3n }, ": the requester's contract was told of the settlement"]);
    expect(describeActivity(log(false))[1]).toMatch(/failed to handle the settlement \(the payment stands\)/);
  });

  it("shows the activity on the overview as sentences with block times", async () => {
    const fake = new FakeChain();
    const id = fake.postJob(termsFor(REQUESTER));
    fake.addLog("SettlementCallback", { jobId: id }, [true]);
    await renderWithChain(<App />, fake);
    const line = await screen.findByText(/the requester's contract was told of the settlement/);
    await waitFor(() =>
      expect(line.closest("li")!.textContent).toMatch(
        /^job #1: the requester's contract was told of the settlement · .* · just now · block 11$/,
      ),
    );
  });
});

describe("wallet menu", () => {
  it("draws no divider above the dev account when no browser wallet is listed", async () => {
    await renderWithChain(<WalletButton />, new FakeChain());
    fireEvent.click(screen.getByRole("button", { name: "Connect wallet" }));
    expect(screen.getByRole("group", { name: "Wallets" })).toBeTruthy();
    // The divider belongs to `.menu > * + .dev`: only a dev section that follows a wallet gets it.
    const css = readFileSync(path.join(process.cwd(), "src", "styles.css"), "utf8");
    expect(css).toMatch(/\.menu > \* \+ \.dev \{\s*border-top/);
    expect(css).not.toMatch(/\.menu \.dev \{[^}]*border-top/);
  });
});
