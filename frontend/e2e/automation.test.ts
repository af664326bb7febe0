// Browser end-to-end for automation: a person registers a condition upkeep on a test target
// through the form (a mistake first: its message appears on its field and nothing is sent), sees
// what the target's checkUpkeep returns before sending, lands on the upkeep's page, watches the
// keeper perform it, reads why it is not performing afterwards, and pauses and cancels it as its
// owner. Chromium via playwright-core, against a real chain and keeper staked in the registry.
import path from "node:path";
import { automationRegistryAbi, automationTestTargetAbi } from "@baton/sdk";
import type { Page } from "playwright-core";
import { beforeAll, expect, it } from "vitest";
import { getAddress, stringToHex, zeroAddress, type Address } from "viem";
import { artifact } from "@baton/testkit/artifacts";
import { account, AUTOMATION_PARAMS } from "@baton/testkit/devnet";
import { browserSuite, REQUESTER, SHOTS } from "./browser.ts";
import { type Stack } from "./stack.ts";

browserSuite(
  "automation in Chromium against a real chain and keeper",
  "auto-",
  (session) => {
    let stack: Stack;
    let page: Page;
    let target: Address;
    const client = () => stack.net.publicClient;
    const nonce = () => client().getTransactionCount({ address: account(REQUESTER).address });
    const upkeepCount = () =>
      client().readContract({ address: stack.dep.automation, abi: automationRegistryAbi, functionName: "upkeepCount" });
    /** Sends a call to the test target from account 0 (not the page's account). */
    const setNeeded = async (needed: boolean) => {
      const hash = await stack.net.wallet(0).writeContract({
        account: account(0),
        chain: stack.net.chain,
        address: target,
        abi: automationTestTargetAbi,
        functionName: "setNeeded",
        args: [needed],
      });
      await client().waitForTransactionReceipt({ hash });
    };

    beforeAll(async () => {
      ({ stack, page } = session);
      const { abi, bytecode } = artifact("mocks/AutomationTargets.sol", "AutomationTestTarget");
      const hash = await stack.net
        .wallet(0)
        .deployContract({ abi, bytecode, account: account(0), chain: stack.net.chain });
      target = getAddress((await client().waitForTransactionReceipt({ hash })).contractAddress!);
    });

    it("opens the register form from the upkeeps list and refuses a mistake without sending anything", async () => {
      await page.getByRole("link", { name: "Upkeeps", exact: true }).click();
      await page.getByRole("heading", { name: "Upkeeps", exact: true }).waitFor();
      await page.getByText("No upkeeps yet.").waitFor();
      await page.getByRole("link", { name: "Register upkeep" }).click();
      await page.getByRole("heading", { name: "Register an upkeep" }).waitFor();

      const before = { nonce: await nonce(), upkeeps: await upkeepCount() };
      await page.getByLabel("Target contract").fill(target);
      await page.getByLabel("Check data", { exact: true }).fill("e2e");
      await page.getByLabel("Perform gas limit").fill("5000");
      await page.getByRole("button", { name: "Register upkeep" }).click();
      await page.getByText("The perform gas limit must be from 10000 to 5000000, got 5000.").waitFor();
      await new Promise((r) => setTimeout(r, 1500));
      expect(await nonce()).toBe(before.nonce);
      expect(await upkeepCount()).toBe(before.upkeeps);
      await page.getByLabel("Perform gas limit").fill("200000");
    });

    it("shows what the target's checkUpkeep returns before anything is sent", async () => {
      const preview = page.getByRole("region", { name: "Before you register" });
      // The target says no perform is needed yet…
      await preview.getByText("checkUpkeep returned needed = false (performData 0x653265)", { exact: false }).waitFor();
      await preview.getByText(/One perform costs up to .* ETH at today's gas price .*about \d+ performs/).waitFor();
      // …and once it needs one, the preview follows (the simulation is refreshed while the form is open).
      await setNeeded(true);
      await preview
        .getByText("checkUpkeep returned needed = true: a keeper would perform now with performData 0x653265.")
        .waitFor();
      await page.screenshot({ path: path.join(SHOTS, "upkeep-register.png"), fullPage: true });
    });

    it("registers the upkeep through the wallet and lands on its page", async () => {
      await page.getByRole("button", { name: "Register upkeep" }).click();
      await page.getByText(/Register upkeep \(0\.05 ETH\): Confirmed/).waitFor();
      await page.getByRole("heading", { name: "Upkeep #1" }).waitFor();
      expect(await upkeepCount()).toBe(1n);
      const upkeep = await client().readContract({
        address: stack.dep.automation,
        abi: automationRegistryAbi,
        functionName: "getUpkeep",
        args: [1n],
      });
      expect(upkeep.owner).toBe(account(REQUESTER).address);
      expect(upkeep.target).toBe(target);
      expect(
        await client().readContract({
          address: stack.dep.automation,
          abi: automationRegistryAbi,
          functionName: "checkDataOf",
          args: [1n],
        }),
      ).toBe(stringToHex("e2e"));
      await page.locator(".badge.upkeep-active").waitFor();
      await page.getByText(/^about \d+ \(up to .* each at .* gwei\)$/).waitFor();
    });

    it("shows the keeper's perform in the history and why it is not performing afterwards", async () => {
      const history = page.getByRole("table", { name: "Perform history" });
      await history.getByText("Succeeded").waitFor({ timeout: 60_000 });
      await history.getByText("(e2e keeper)").waitFor();
      expect(
        await client().readContract({ address: target, abi: automationTestTargetAbi, functionName: "performs" }),
      ).toBe(1n);
      // The target's perform switched its condition off: nothing is due now. While nobody holds this
      // epoch's lease (a keeper that bids can hold one only from the epoch after its bid), the open
      // service is noted.
      const why = page.getByRole("region", { name: "Why is it not performing?" });
      await why.getByText(/^Not needed: the target's checkUpkeep, simulated just now, returns false/).waitFor();
      const epoch = Math.floor(Number((await client().getBlock()).timestamp) / AUTOMATION_PARAMS.epoch);
      const lease = await client().readContract({
        address: stack.dep.automation,
        abi: automationRegistryAbi,
        functionName: "getLease",
        args: [1n, epoch],
      });
      if (lease.holder === zeroAddress) {
        await page.getByText("none (open service)").waitFor();
        await why
          .getByText(/No keeper holds this epoch's lease: any keeper staked in the registry may perform it/)
          .waitFor();
      }
      await page.getByText(/^last performed in block \d+$/).waitFor();
      await page.screenshot({ path: path.join(SHOTS, "upkeep.png"), fullPage: true });
    });

    it("pauses it, and the panel says why it is not performing", async () => {
      await page.getByRole("button", { name: "Pause" }).click();
      await page.getByText(/Pause upkeep #1: Confirmed/).waitFor();
      await page.locator(".badge.upkeep-paused").waitFor();
      const why = page.getByRole("region", { name: "Why is it not performing?" });
      await why.getByText("The owner paused it: performs are refused until it is resumed.").waitFor();
      // Paused performs are refused even when the target needs one.
      await setNeeded(true);
      await new Promise((r) => setTimeout(r, 3000));
      const history = page.getByRole("table", { name: "Perform history" });
      expect(await history.getByText("Succeeded").count()).toBe(1);
    });

    it("cancels it after asking, and counts down to the withdrawal", async () => {
      const cancel = async () => {
        await page.getByRole("button", { name: "Cancel upkeep", exact: true }).click();
        await page
          .getByRole("alertdialog", { name: "Cancel upkeep" })
          .getByText(/Nothing will be performed again/)
          .waitFor();
        await page.getByRole("button", { name: "Yes, cancel it" }).click();
      };
      const confirmed = page.getByText(/Cancel upkeep #1: Confirmed/);
      const refused = page.getByText(/Sealed bids on the next lease of upkeep #1 can still be revealed; cancel after /);
      await cancel();
      await confirmed.or(refused).waitFor();
      if (await refused.isVisible()) {
        // The keeper keeps bidding for the next epoch's lease. While its sealed bid can still be
        // revealed the registry refuses to cancel (the bidder is bound to it), and the page says
        // until when; once this epoch's reveal window has ended, the same cancel goes through.
        const { epoch, commitWindow, revealWindow } = AUTOMATION_PARAMS;
        const t = Number((await client().getBlock()).timestamp);
        const revealEnds = t - (t % epoch) + commitWindow + revealWindow;
        while (Number((await client().getBlock()).timestamp) < revealEnds) await new Promise((r) => setTimeout(r, 500));
        await cancel();
      }
      await confirmed.waitFor();
      await page.locator(".badge.upkeep-canceled").waitFor();
      await page.getByText(/^Withdrawable in 9 min|^Withdrawable in 10 min/).waitFor();

      await page.getByRole("link", { name: "Upkeeps", exact: true }).click();
      const row = page.getByRole("row", { name: /Upkeep #1/ });
      await row.getByText("(yours)").waitFor();
      await row.getByText("Canceled").waitFor();
      await row.getByText(/Condition/).waitFor();
      await page.screenshot({ path: path.join(SHOTS, "upkeeps.png"), fullPage: true });
    });
  },
  { automation: true },
);
