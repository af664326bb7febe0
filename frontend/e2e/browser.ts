// The browser side of the end-to-end suites: Debian's Chromium through playwright-core, a real
// stack (stack.ts), and the page connected with the dev-account wallet.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe } from "vitest";
import { account } from "@baton/testkit/devnet";
import { FRONTEND, startStack, type Stack, type StackOptions } from "./stack.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
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
export const SHOTS = path.join(FRONTEND, "e2e", "screenshots");
/** The node account the page connects as. */
export const REQUESTER = 1;

const available = existsSync(CHROMIUM);
const required = process.env.CI === "true" || process.env.CI === "1";

/** `messages`: the page's console warnings and errors, in order (tests assert on what they expect). */
export type Session = { stack: Stack; page: Page; messages: string[] };

/**
 * A describe block for browser tests. Without Chromium it is skipped, loudly and with the reason in
 * its name, unless CI=true, where it fails. Its body gets a session that is ready in its tests:
 * the stack (started with `stackOptions`), and a page on the app connected as REQUESTER through the
 * dev account. A failing test leaves a screenshot (named with `shotPrefix`), the page's notices and
 * the keeper's log tail.
 */
export function browserSuite(
  title: string,
  shotPrefix: string,
  body: (session: Session) => void,
  stackOptions: StackOptions = {},
) {
  if (!available && !required) {
    console.warn(
      `\n${"!".repeat(78)}\n!! Browser end-to-end tests SKIPPED (${title}): no Chromium at ${CHROMIUM}.\n` +
        `!! Install it with \`apt-get install -y chromium\` (CI=true makes this a failure).\n${"!".repeat(78)}\n`,
    );
    describe.skip(`SKIPPED: Chromium not found at ${CHROMIUM}`, () => body({} as Session));
    return;
  }
  describe(title, () => {
    const session = { messages: [] } as unknown as Session;
    let context: BrowserContext | undefined;
    let profile: string | undefined;

    beforeAll(async () => {
      if (!available) throw new Error(`CI requires the browser tests, but there is no Chromium at ${CHROMIUM}`);
      session.stack = await startStack(stackOptions);
      profile = mkdtempSync(path.join(tmpdir(), "baton-chromium-"));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: FLAGS,
        viewport: { width: 1280, height: 900 },
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(20_000);
      page.on("console", (m) => {
        if (m.type() === "warning" || m.type() === "error") session.messages.push(`${m.type()}: ${m.text()}`);
      });
      session.page = page;
      mkdirSync(SHOTS, { recursive: true });
      await page.goto(session.stack.appUrl);
      await page.getByRole("heading", { name: "Overview" }).waitFor();
      // Connect node account REQUESTER through the dev-account wallet (no extension).
      await page.getByRole("button", { name: "Connect wallet" }).click();
      await page.getByLabel("Dev account").selectOption(String(REQUESTER));
      await page.getByRole("button", { name: "Use dev account" }).click();
      await page.getByLabel(`Connected account ${account(REQUESTER).address}`).waitFor();
    });

    // A failing step leaves a screenshot and the page's notices behind, to see what the person saw.
    afterEach(async (ctx) => {
      const { page, stack } = session;
      if (ctx.task.result?.state !== "fail" || !page) return;
      const name = ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
      await page
        .screenshot({ path: path.join(SHOTS, `failure-${shotPrefix}${name}.png`), fullPage: true })
        .catch(() => undefined);
      const notices = await page
        .getByRole("region", { name: "Transactions" })
        .textContent()
        .catch(() => "");
      console.error(`page at ${page.url()}; notices: ${notices}\nkeeper log tail:\n${stack?.keeperLog().slice(-3000)}`);
    });

    afterAll(async () => {
      await context?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
      await session.stack?.stop();
    });

    body(session);
  });
}
