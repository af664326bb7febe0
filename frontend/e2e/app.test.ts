// Browser end-to-end: a person posts a job through the UI with the dev account, watches bids
// arrive and the keeper settle it, and withdraws the unused reward; invalid input shows its
// message and sends nothing. Chromium (Debian's) is driven through playwright-core.
import path from "node:path";
import { encodeSpec, JobState, jobMarketAbi, specHash, testTokenAbi, packTerms } from "@baton/sdk";
import type { Page } from "playwright-core";
import { beforeAll, expect, it } from "vitest";
import { keccak256, parseEther, parseEventLogs, parseUnits, stringToHex, toHex, zeroAddress } from "viem";
import { account } from "@baton/testkit/devnet";
import { browserSuite, REQUESTER, SHOTS } from "./browser.ts";
import type { Stack } from "./stack.ts";

browserSuite("dApp in Chromium against a real chain and keeper", "", (session) => {
  let stack: Stack;
  let page: Page;
  beforeAll(() => {
    ({ stack, page } = session);
  });

  const nonce = () => stack.net.publicClient.getTransactionCount({ address: account(REQUESTER).address });
  const jobCount = () =>
    stack.net.publicClient.readContract({ address: stack.dep.market, abi: jobMarketAbi, functionName: "jobCount" });

  it("shows the overview, the workers and the connected account", async () => {
    await page.getByText("Active workers").waitFor();
    await page.getByRole("link", { name: "Workers" }).click();
    await page.getByRole("heading", { name: "Your worker" }).waitFor();
    await page.getByRole("cell", { name: "wasm" }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "workers.png"), fullPage: true });
  });

  it("serves a favicon", async () => {
    const response = await fetch(`${stack.appUrl}favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/icon/);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it("starts the post form on a working module and a preset, and tells who can bid before posting", async () => {
    await page.getByRole("link", { name: "Post a job" }).first().click();
    await page.getByRole("heading", { name: "Post a job" }).waitFor();
    const picker = page.getByLabel("Module", { exact: true });
    expect(await picker.inputValue()).toBe("wordfreq");
    const offered = await picker.locator("option").allTextContents();
    expect(offered).toEqual(["Other…", "merge", "primes", "split", "wordfreq"]);
    const presets = page.getByRole("radiogroup", { name: "Window preset" });
    expect(await presets.getByRole("radio", { name: /Fast demo/ }).isChecked()).toBe(true);
    await page
      .getByLabel("Time estimate")
      .getByText(/^From posting to settlement: about 45 s \(bidding 10 s/)
      .waitFor();
    const before = page.getByRole("region", { name: "Before you post" });
    await before.getByText("1 of 1 registered worker can bid on these terms.").waitFor();
    await before.getByText(/No wasm \(wordfreq\) job paid in ETH has had a bid revealed here yet/).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "post-form.png"), fullPage: true });
    // Terms nobody can meet are flagged before any gas is spent.
    await page.getByLabel("Minimum stake (ETH)").fill("10");
    await before
      .getByText(/None of the 1 registered worker can bid on these terms \(1 with less than 10 ETH staked\)/)
      .waitFor();
    await before.screenshot({ path: path.join(SHOTS, "post-eligibility.png") });
    await page.getByRole("button", { name: "Reset" }).click();
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
    await page.getByRole("radio", { name: "Custom" }).waitFor();
    expect(await page.getByRole("radio", { name: "Custom" }).isChecked()).toBe(true);
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
    // One winner, no stale "leading" marks; clock times beside the blocks; nothing left to wait for.
    await expect.poll(() => timeline.locator(".badge-winner").count()).toBe(1);
    expect(await timeline.locator(".badge-leading").count()).toBe(0);
    expect(await timeline.getByText(/(ago|just now) · block \d+/).count()).toBeGreaterThanOrEqual(5);
    expect(await page.getByRole("region", { name: "Why is nothing happening?" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Settle" }).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "job-settled.png"), fullPage: true });

    // The unused tenth of the reward (0.05 - 0.04) is the requester's credit, shown in the header
    // and withdrawn from there.
    const funds = page.getByLabel("Your funds");
    await funds.getByText("0.01 ETH", { exact: true }).waitFor();
    await funds.getByRole("button", { name: "Withdraw…" }).click();
    await page.screenshot({ path: path.join(SHOTS, "header-withdraw.png") });
    await page
      .getByRole("group", { name: "Withdraw credits" })
      .getByRole("button", { name: "Withdraw 0.01 ETH" })
      .click();
    await page.getByText(/Withdraw 0\.01 ETH: Confirmed/).waitFor();
    await funds.getByText("none", { exact: true }).waitFor();
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
    // The default windows: long enough to look at the job and cancel it before bidding closes.
    await page.getByRole("radio", { name: /Normal/ }).check();
    await page.getByRole("button", { name: "Approve and post job" }).click();
    await page.getByText(/Approve 5 TUSD: Confirmed/).waitFor();
    await page
      .getByText(/Post job: Confirmed/)
      .last()
      .waitFor();
    await page.getByRole("heading", { name: "Job #2" }).waitFor();
    await page.getByText("5 TUSD", { exact: true }).waitFor();

    // No keeper bids in TUSD: the job page says what it waits for and who could bid.
    const why = page.getByRole("region", { name: "Why is nothing happening?" });
    await why.getByText(/No sealed bid yet; bidding closes in/).waitFor();
    await why.getByText("1 of 1 registered worker can bid on these terms.").waitFor();
    await why.getByText(/No wasm \(wordfreq\) job paid in TUSD has had a bid revealed here yet/).waitFor();
    // The module host lets browsers read it, and the module matches its hash: nothing to say.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await why.getByText(/wasm module/).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "job-why-no-bids.png"), fullPage: true });

    // So the requester may still cancel: it asks first, and only "Yes" sends.
    const noncesBefore = await nonce();
    await page.getByRole("button", { name: "Cancel job" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Cancel job" });
    await confirm.getByText(/its whole reward is credited back to you/).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "job-cancel-confirm.png"), fullPage: true });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await nonce()).toBe(noncesBefore);
    await confirm.getByRole("button", { name: "Yes, cancel job" }).click();
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

  it("lists the job as settled and as the account's own, read from the indexer", async () => {
    const fromIndexer: string[] = [];
    const seen = (request: { url: () => string }) => {
      if (request.url().startsWith(stack.indexerUrl!)) fromIndexer.push(request.url());
    };
    page.on("request", seen);
    await page.getByRole("link", { name: "Jobs", exact: true }).click();
    // The filter lives in the URL: the box is checked once the page has moved there.
    await page.getByLabel("Only my jobs").click();
    await expect.poll(() => page.getByLabel("Only my jobs").isChecked()).toBe(true);
    await page.getByRole("link", { name: "Job #1", exact: true }).waitFor();
    await page.getByLabel("Status").selectOption("Settled");
    await page.getByRole("link", { name: "Job #1", exact: true }).waitFor();
    page.off("request", seen);
    // The deployment config names an indexer: the filtered list came from its GraphQL API.
    expect(fromIndexer.length).toBeGreaterThan(0);
    expect(fromIndexer.every((u) => u.endsWith("/graphql"))).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, "jobs.png"), fullPage: true });
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("list").filter({ hasText: "settled" }).first().waitFor();
    // Every event reads as a sentence: no raw event names.
    const activity = (await page.locator(".activity").textContent()) ?? "";
    expect(activity).not.toMatch(/SettlementCallback|JobPosted|BidCommitted|ResultSubmitted/);
    await page.screenshot({ path: path.join(SHOTS, "overview.png"), fullPage: true });
    // A phone-sized window: navigation and wallet controls stay reachable.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("link", { name: "Jobs", exact: true }).click();
    // Exact: the Overview's activity list links "job #1" too, and may still be on screen.
    await page.waitForURL(/#\/jobs/);
    await page.getByRole("link", { name: "Job #1", exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, "jobs-mobile.png"), fullPage: true });
  });

  it("tells on the job page that a winner who never delivered was slashed and the round reopened", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    // Node account 3 bids far below the keeper, wins, and never submits: a no-show.
    const [requester, worker] = [4, 3];
    const { publicClient } = stack.net;
    const write = async (index: number, functionName: string, args: readonly unknown[], value = 0n) => {
      const hash = await stack.net.wallet(index).writeContract({
        account: account(index),
        chain: stack.net.chain,
        address: stack.dep.market,
        abi: jobMarketAbi,
        functionName,
        args,
        value,
      } as never);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe("success");
      return receipt;
    };
    const stateOf = async (jobId: bigint) =>
      Number(
        await publicClient.readContract({
          address: stack.dep.market,
          abi: jobMarketAbi,
          functionName: "jobState",
          args: [jobId],
        }),
      );
    const until = async (what: string, probe: () => Promise<boolean>, ms = 60_000) => {
      const start = Date.now();
      while (!(await probe())) {
        if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await write(worker, "register", [[stringToHex("wasm", { size: 32 })], "e2e://no-show"]);
    await write(worker, "depositStake", [], parseEther("1"));

    const now = Number((await publicClient.getBlock()).timestamp);
    const terms = {
      requester: account(requester).address,
      token: zeroAddress,
      maxReward: parseEther("0.05"),
      arbiter: stack.dep.arbiter,
      bond: parseEther("0.01"),
      minStake: 0n,
      minCompleted: 0,
      commitWindow: 8,
      revealWindow: 8,
      executionWindow: 8,
      challengeWindow: 5,
      expiry: now + 86_400,
      ...stack.dep.params,
      pricing: 0,
      callback: false,
    };
    const spec = {
      kind: "wasm",
      version: 1,
      module: { uri: stack.modules.url("wordfreq"), sha256: stack.modules.sha256("wordfreq") },
      input: { encoding: "utf8", data: "no show" },
    } as const;
    const posted = await write(
      requester,
      "postJob",
      [packTerms(terms), specHash(spec), toHex(encodeSpec(spec))],
      terms.maxReward,
    );
    const jobId = parseEventLogs({ abi: jobMarketAbi, logs: posted.logs, eventName: "JobPosted" })[0]!.args.jobId;
    const price = parseEther("0.001");
    const salt = keccak256(toHex("e2e no-show"));
    const commitment = await publicClient.readContract({
      address: stack.dep.market,
      abi: jobMarketAbi,
      functionName: "computeCommitment",
      args: [jobId, 0, account(worker).address, price, salt],
    });
    await write(worker, "commitBid", [jobId, packTerms(terms), commitment]);
    await until("the reveal window", async () => (await stateOf(jobId)) === JobState.Revealing);
    await write(worker, "revealBid", [jobId, packTerms(terms), price, salt]);
    // Past the execution window the no-show is slashed (by a keeper's housekeeping, or here) and the job reopens.
    await until(
      "the winner to miss its deadline",
      async () =>
        (await stateOf(jobId)) !== JobState.Revealing &&
        (await stateOf(jobId)) !== JobState.Awarding &&
        (await stateOf(jobId)) !== JobState.Assigned,
    );
    if ((await stateOf(jobId)) === JobState.Overdue) {
      await write(requester, "slashNoShow", [jobId, packTerms(terms)]).catch(() => undefined);
    }
    await until(
      "the round to reopen",
      async () =>
        (
          await publicClient.getContractEvents({
            address: stack.dep.market,
            abi: jobMarketAbi,
            eventName: "JobReopened",
            args: { jobId },
            fromBlock: posted.blockNumber,
          })
        ).length > 0,
    );

    await page.goto(`${stack.appUrl}#/jobs/${jobId}`);
    await page.getByRole("heading", { name: `Job #${jobId}` }).waitFor();
    const why = page.getByRole("region", { name: "Why is nothing happening?" });
    await why.getByText(/delivered no result in time and was slashed 0\.01 ETH\./).waitFor({ timeout: 30_000 });
    await why.getByText("The job was reopened for bids: round 2 started.").waitFor();
    await page.screenshot({ path: path.join(SHOTS, "job-why-slashed-reopened.png"), fullPage: true });
  });
});
