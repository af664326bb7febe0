import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { encodeEventTopics } from "viem";
import { automationRegistryAbi, jobMarketAbi, parseAddressBook } from "@baton/sdk";
import { ROOT } from "@baton/testkit/devnet";
import { childProcesses, freePort, isEsbuildService } from "@baton/testkit/process";
import { waitFor } from "./helpers/market.js";

// `npm run dev` as a newcomer runs it, on free ports in a temporary directory: it says it is
// compiling, the whole stack comes up, deployments/31337.json is written, no esbuild service
// outlives seeding, a demo job settles through the keepers and the launcher says so, the indexer
// serves it, the web app is served, and one SIGINT stops every process the launcher started.

const dir = mkdtempSync(path.join(tmpdir(), "baton-dev-"));
const deploymentId = `dev-smoke-${process.pid}`;
let launcher: ChildProcess | undefined;
// The launcher writes deployments/31337.json as `npm run deploy` does: keep a developer's copy.
const bookFile = path.join(ROOT, "deployments", "31337.json");
const savedBook = existsSync(bookFile) ? readFileSync(bookFile) : undefined;

/** Every live descendant of `pid`, from the process table. */
function descendants(pid: number): number[] {
  const table = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of table) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

afterAll(() => {
  if (launcher?.exitCode === null) launcher.kill("SIGKILL");
  if (savedBook) writeFileSync(bookFile, savedBook);
  else rmSync(bookFile, { force: true });
  rmSync(dir, { recursive: true, force: true });
  rmSync(path.join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
});

describe("npm run dev", () => {
  it("brings up the stack, settles a demo job, serves the web app, and stops every child on SIGINT", async () => {
    const rpcPort = await freePort();
    const webPort = await freePort();
    const indexerPort = await freePort();
    const child = spawn(process.execPath, [path.join(ROOT, "scripts", "dev.mjs")], {
      cwd: ROOT,
      env: {
        ...process.env,
        BATON_STATE_DIR: dir,
        BATON_RPC_PORT: String(rpcPort),
        BATON_WEB_PORT: String(webPort),
        BATON_INDEXER_PORT: String(indexerPort),
        BATON_DEPLOYMENT_ID: deploymentId,
        // Without tsx's transform cache every process that loads TypeScript starts an esbuild
        // service, as on a fresh clone, so the check below sees them end.
        TSX_DISABLE_CACHE: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    launcher = child;
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));

    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the launcher exited (${child.exitCode}):\n${out}`);
        return out.includes("Baton is running.");
      },
      300_000,
      "the launcher's summary",
    );
    const rpcUrl = `http://127.0.0.1:${rpcPort}`;
    const webUrl = `http://127.0.0.1:${webPort}/`;
    expect(out).toContain(rpcUrl);
    expect(out).toContain(webUrl);
    const indexerUrl = `http://127.0.0.1:${indexerPort}`;
    expect(out).toContain(`${indexerUrl}/graphql`);
    expect(out).toMatch(/1\/10 compiling the contracts \(the first start takes about two minutes/);
    expect(out).toMatch(/1\/10 .*10\/10/s);

    // The address book is where `npm run deploy` puts it, and is the launcher's.
    const written = parseAddressBook(JSON.parse(readFileSync(bookFile, "utf8")));
    expect(written.chainId).toBe(31337);

    // Seeding is over: no esbuild service of the launcher or its keepers is left running.
    const pids = JSON.parse(readFileSync(path.join(dir, "state", "pids.json"), "utf8")) as Record<string, number>;
    const esbuildLeft = () =>
      [child.pid!, pids["keeper-a"]!, pids["keeper-b"]!, pids["keeper-c"]!].flatMap((pid) =>
        childProcesses(pid).filter((p) => isEsbuildService(p.command)),
      );
    await waitFor(async () => esbuildLeft().length === 0, 10_000, "the esbuild services to end");

    // A demo job settles through the keepers.
    const book = JSON.parse(readFileSync(path.join(dir, "state", "addresses.json"), "utf8")) as { jobMarket: string };
    expect(written.jobMarket).toBe(book.jobMarket);
    const [jobSettled] = encodeEventTopics({ abi: jobMarketAbi, eventName: "JobSettled" });
    await waitFor(
      async () => {
        const logs = (await rpc(rpcUrl, "eth_getLogs", [
          { address: book.jobMarket, fromBlock: "0x0", toBlock: "latest", topics: [jobSettled] },
        ])) as unknown[];
        return logs.length > 0;
      },
      240_000,
      "a demo job to settle",
    );
    // …and the launcher says so, naming the winning keeper and the price.
    await waitFor(
      async () => /\[dev\] job \d+ settled: keeper-[abc] won at [\d.]+ ETH \(/.test(out),
      30_000,
      "the launcher's line for the settled job",
    );

    // The three demo upkeeps (a condition, an interval and a log trigger) perform.
    const automation = (
      JSON.parse(readFileSync(path.join(dir, "state", "addresses.json"), "utf8")) as {
        automationRegistry: string;
      }
    ).automationRegistry;
    expect(out).toMatch(/upkeep #1 +condition: Chainlink UpkeepCounter/);
    expect(out).toMatch(/upkeep #3 +log: /);
    const [performedTopic] = encodeEventTopics({ abi: automationRegistryAbi, eventName: "UpkeepPerformed" });
    await waitFor(
      async () => {
        const logs = (await rpc(rpcUrl, "eth_getLogs", [
          { address: automation, fromBlock: "0x0", toBlock: "latest", topics: [performedTopic] },
        ])) as { topics: string[] }[];
        const performed = new Set(logs.map((l) => BigInt(l.topics[1]!)));
        return [1n, 2n, 3n].every((id) => performed.has(id));
      },
      180_000,
      "each demo upkeep to perform",
    );

    // The indexer has the settled job.
    await waitFor(
      async () => {
        const res = await fetch(`${indexerUrl}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: '{ jobs(where: { status: "Settled" }) { items { id } } }' }),
        });
        const body = (await res.json()) as { data?: { jobs: { items: unknown[] } } };
        return (body.data?.jobs.items.length ?? 0) > 0;
      },
      30_000,
      "the indexer to serve the settled job",
    );

    // The web app and its configuration are served.
    const page = await fetch(webUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="root"');
    const config = (await (await fetch(`${webUrl}baton.config.json`)).json()) as {
      chains: { chainId: number; rpcUrl: string; indexerUrl: string; addressBook: { jobMarket: string } }[];
    };
    expect(config.chains[0]).toMatchObject({
      chainId: 31337,
      rpcUrl,
      indexerUrl,
      addressBook: { jobMarket: book.jobMarket },
    });

    // One SIGINT stops everything the launcher started.
    expect(Object.keys(pids).sort()).toEqual(["indexer", "keeper-a", "keeper-b", "keeper-c", "node", "web"]);
    const started = descendants(child.pid!);
    for (const pid of Object.values(pids)) expect(started).toContain(pid);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    expect(out).toContain("stopped");
    await waitFor(async () => started.every((pid) => !alive(pid)), 10_000, "every child process to exit");
  }, 600_000);
});
