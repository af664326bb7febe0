// Browser end-to-end: a person posts a job through the UI with the dev account, watches bids
// arrive and the keeper settle it, and withdraws the unused reward; invalid input shows its
// message and sends nothing. Chromium (Debian's) is driven through playwright-core.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { jobMarketAbi, testTokenAbi } from "@baton/sdk";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseUnits, zeroAddress } from "viem";
import { account } from "../../keeper/test/helpers/devnet.ts";
import { FRONTEND, startStack, type Stack } from "./stack.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SHOTS = path.join(FRONTEND, "e2e", "screenshots");
const REQUESTER = 1;

const available = existsSync(CHROMIUM);
const required = process.env.CI === "true" || process.env.CI === "1";
if (!available && !required) {
  console.warn(
    `\n${"!".repeat(78)}\n!! Browser end-to-end tests SKIPPED: no Chromium at ${CHROMIUM}.\n` +
      `!! Install it with \`apt-get install -y chromium\` (CI=true makes this a failure).\n${"!".repeat(78)}\n`,
  );
}
const suite = available || required ? describe : describe.skip;
const title =
  available || required
    ? "dApp in Chromium against a real chain and keeper"
    : `SKIPPED: Chromium not found at ${CHROMIUM}`;

suite(title, () => {
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    if (!available) throw new Error(`CI requires the browser tests, but there is no Chromium at ${CHROMIUM}`);
    stack = await startStack();
    profile = mkdtempSync(path.join(tmpdir(), "baton-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    mkdirSync(SHOTS, { recursive: true });
    await page.goto(stack.appUrl);
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    // Connect node account 1 through the dev-account wallet (no extension).
    await page.getByRole("button", { name: "Connect wallet" }).click();
    await page.getByLabel("Dev account").selectOption(String(REQUESTER));
    await page.getByRole("button", { name: "Use dev account" }).click();
    await page.getByLabel(`Connected account ${account(REQUESTER).address}`).waitFor();
  });

  // A failing step leaves a screenshot and the page's notices behind, to see what the person saw.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== "fail" || !page) return;
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
    await page.screenshot({ path: path.join(SHOTS, `failure-${name}.png`), fullPage: true }).catch(() => undefined);
    const notices = await page
      .getByRole("region", { name: "Transactions" })
      .textContent()
      .catch(() => "");
    console.error(`page at ${page.url()}; notices: ${notices}\nkeeper log tail:\n${stack?.keeperLog().slice(-3000)}`);
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await stack?.stop();
  });

  const nonce = () => stack.net.publicClient.getTransactionCount({ address: account(REQUESTER).address });
  const jobCount = () =>
    stack.net.publicClient.readContract({ address: stack.dep.market, abi: jobMarketAbi, functionName: "jobCount" });

  it("shows the overview, the workers and the connected account", async () => {
    await expect(page.getByText("Active workers")).toBeTruthy();
    await page.getByRole("link", { name: "Workers" }).click();
    await page.getByRole("heading", { name: "Your worker" }).waitFor();
    await page.getByRole("cell", { name: "wasm" }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "workers.png"), fullPage: true });
  });

  it("shows the message of invalid input and sends nothing", async () => {
    const before = { nonce: await nonce(), jobs: await jobCount() };
    await page.getByRole("link", { name: "Post a job" }).first().click();
    await page.getByRole("heading", { name: "Post a job" }).waitFor();
    await page.getByLabel("Maximum reward (ETH)").fill("0");
    await page.getByLabel("Module SHA-256").fill("1234");
    await page.getByRole("button", { name: "Post job" }).click();
    await page.getByText("Reward must be more than zero.").waitFor();
    await page.getByText(/Module SHA-256 must be 64 lowercase hex characters/).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "post-invalid.png"), fullPage: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await nonce()).toBe(before.nonce);
    expect(await jobCount()).toBe(before.jobs);
    await page.getByRole("button", { name: "Reset" }).click();
  });

  it("posts a job, sees bids arrive, sees the keeper settle it, and withdraws the refund", async () => {
    await page.getByLabel("Module", { exact: true }).selectOption("wordfreq");
    await page.getByLabel("Input", { exact: true }).fill("to be or not to be");
    await page.getByLabel("Maximum reward (ETH)").fill("0.05");
    await page.getByLabel("Commit window (s)").fill("8");
    await page.getByLabel("Reveal window (s)").fill("8");
    await page.getByLabel("Execution window (s)").fill("40");
    await page.getByLabel("Challenge window (s)").fill("3");
    await page.getByRole("button", { name: "Post job" }).click();

    // The pipeline reports the transaction, and the app opens the new job.
    await page.getByText(/Post job: Confirmed/).waitFor();
    await page.getByRole("heading", { name: "Job #1" }).waitFor();
    expect(await jobCount()).toBe(1n);
    const timeline = page.getByRole("list", { name: "Timeline" });
    await timeline.getByText(/1 sealed bid/).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SHOTS, "job-bidding.png"), fullPage: true });
    await timeline.getByText(/Bid revealed/).waitFor({ timeout: 30_000 });
    await timeline.getByText(/asks 0\.04 ETH/).waitFor();
    await timeline.getByText("Result submitted").waitFor({ timeout: 60_000 });
    await timeline.getByText("Payload matches its hash.").waitFor();
    await expect(timeline.getByLabel("Result").textContent()).resolves.toMatch(/"be": 2/);
    await timeline.getByText(/^Settled/).waitFor({ timeout: 60_000 });
    await page.locator(".badge.state-Settled").waitFor();
    await page.screenshot({ path: path.join(SHOTS, "job-settled.png"), fullPage: true });

    // The unused tenth of the reward (0.05 - 0.04) is the requester's credit.
    const withdraw = page.getByRole("button", { name: "Withdraw ETH" });
    await withdraw.waitFor();
    await withdraw.click();
    await page.getByText(/Withdraw 0\.01 ETH: Confirmed/).waitFor();
    const credit = await stack.net.publicClient.readContract({
      address: stack.dep.market,
      abi: jobMarketAbi,
      functionName: "creditOf",
      args: [account(REQUESTER).address, zeroAddress],
    });
    expect(credit).toBe(0n);
  });

  it("approves a token reward, posts the job, cancels it and withdraws the refund", async () => {
    const requester = account(REQUESTER).address;
    const mint = await stack.net.wallet(0).writeContract({
      account: account(0),
      chain: stack.net.chain,
      address: stack.dep.token,
      abi: testTokenAbi,
      functionName: "mint",
      args: [requester, parseUnits("100", 6)],
    });
    await stack.net.publicClient.waitForTransactionReceipt({ hash: mint });
    await page.getByRole("link", { name: "Post a job" }).first().click();
    await page.getByRole("heading", { name: "Post a job" }).waitFor();
    await page.getByLabel("Reward token").selectOption({ label: "TUSD" });
    await page.getByLabel("Maximum reward (TUSD)").fill("5");
    await page.getByRole("button", { name: "Approve and post job" }).click();
    await page.getByText(/Approve 5 TUSD: Confirmed/).waitFor();
    await page
      .getByText(/Post job: Confirmed/)
      .last()
      .waitFor();
    await page.getByRole("heading", { name: "Job #2" }).waitFor();
    await page.getByText("5 TUSD", { exact: true }).waitFor();

    // No keeper bids in TUSD, so the requester may still cancel.
    await page.getByRole("button", { name: "Cancel job" }).click();
    await page.getByText(/Cancel job \(job #2\): Confirmed/).waitFor();
    await page.locator(".badge.state-Cancelled").waitFor();
    await page.getByRole("button", { name: "Withdraw TUSD" }).click();
    await page.getByText(/Withdraw 5 TUSD: Confirmed/).waitFor();
    const balance = await stack.net.publicClient.readContract({
      address: stack.dep.token,
      abi: testTokenAbi,
      functionName: "balanceOf",
      args: [requester],
    });
    expect(balance).toBe(parseUnits("100", 6));
  });

  it("lists the job as settled and as the account's own", async () => {
    await page.getByRole("link", { name: "Jobs", exact: true }).click();
    // The filter lives in the URL: the box is checked once the page has moved there.
    await page.getByLabel("Only my jobs").click();
    await expect.poll(() => page.getByLabel("Only my jobs").isChecked()).toBe(true);
    await page.getByRole("link", { name: "Job #1" }).waitFor();
    await page.getByLabel("Status").selectOption("Settled");
    await page.getByRole("link", { name: "Job #1" }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "jobs.png"), fullPage: true });
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("list").filter({ hasText: "settled" }).first().waitFor();
    await page.screenshot({ path: path.join(SHOTS, "overview.png"), fullPage: true });
    // A phone-sized window: navigation and wallet controls stay reachable.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("link", { name: "Jobs", exact: true }).click();
    await page.getByRole("link", { name: "Job #1" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, "jobs-mobile.png"), fullPage: true });
  });
});
