// dApp benchmark: the production build served by `vite preview` against a real node (the browser
// tests' stack), loaded in headless Chromium with a cold cache. Measures the jobs list's time to
// its first rows and what the page transfers, with 20 jobs in the market and again with 200, and
// the size of the build. Writes bench/results/frontend.json and the dApp section of
// docs/BENCHMARKS.md.
//
//   npm run bench:frontend            (BENCH_LOADS=5 page loads per figure by default)
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser } from "playwright-core";
import { encodeCall, preparePostJobs, send, type SigningClient } from "@baton/sdk";
import type { Hex } from "viem";
import { account } from "@baton/testkit/devnet";
import { sampleSpec, sampleTerms } from "@baton/testkit";
import { machine, median, table, writeResults, writeSection } from "@baton/testkit/bench";
import { startStack, type Stack } from "../e2e/stack.ts";

const LOADS = Number(process.env.BENCH_LOADS ?? 5);
const SIZES = [20, 200];
const INDEXED_JOBS = Number(process.env.BENCH_INDEXED_JOBS ?? 100_000);
const INDEXED_KEY = INDEXED_JOBS === 100_000 ? "jobs100k" : `jobs${INDEXED_JOBS}`;
const REQUESTER = 1;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];

/**
 * Posts `count` jobs quickly: batches of `perTx` in one `postJobs` each, `inFlight` transactions
 * sent together at consecutive nonces, each wave awaited before the next.
 */
async function postManyJobs(stack: Stack, count: number, perTx = 250, inFlight = 8) {
  const now = Number((await stack.net.publicClient.getBlock()).timestamp);
  const wallet = stack.net.wallet(REQUESTER);
  const from = account(REQUESTER).address;
  const terms = sampleTerms({
    requester: from,
    arbiter: stack.dep.arbiter,
    maxReward: 10n ** 12n,
    bond: 10n ** 12n,
    expiry: now + 30 * 86_400,
    ...stack.dep.params,
  });
  let nonce = await stack.net.publicClient.getTransactionCount({ address: from, blockTag: "pending" });
  for (let done = 0; done < count;) {
    const hashes: Hex[] = [];
    for (let i = 0; i < inFlight && done < count; i++) {
      const n = Math.min(perTx, count - done);
      const write = encodeCall(
        preparePostJobs({
          market: stack.dep.market,
          jobs: Array.from({ length: n }, () => ({ terms, spec: sampleSpec })),
        }),
      );
      hashes.push(
        await wallet.sendTransaction({
          account: account(REQUESTER),
          chain: stack.net.chain,
          ...write,
          nonce: nonce++,
          gas: 14_000_000n,
        } as never),
      );
      done += n;
    }
    for (const hash of hashes) {
      const receipt = await stack.net.publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
      if (receipt.status !== "success") throw new Error(`postJobs ${hash} reverted`);
    }
    if (done % 10_000 < perTx * inFlight) console.log(`posted ${done} of ${count} jobs`);
  }
}

/** The jobs the indexer at `url` has; 0 while it does not answer (busy catching up). */
async function indexedJobs(url: string): Promise<number> {
  const res = await fetch(`${url}/graphql`, {
    signal: AbortSignal.timeout(30_000),
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ jobs(limit: 1) { totalCount } }" }),
  });
  return ((await res.json()) as { data: { jobs: { totalCount: number } } }).data.jobs.totalCount;
}

const indexedSoFar = (url: string) =>
  indexedJobs(url).catch((error: unknown) => {
    console.warn(`indexer not answering yet: ${(error as Error).message}`);
    return 0;
  });

/** Posts `count` jobs (http.json, which the stack's wasm keeper leaves alone) in batches of 50. */
async function postJobs(stack: Stack, count: number) {
  const now = Number((await stack.net.publicClient.getBlock()).timestamp);
  for (let done = 0; done < count; done += 50) {
    const jobs = Array.from({ length: Math.min(50, count - done) }, () => ({
      terms: sampleTerms({
        requester: account(REQUESTER).address,
        arbiter: stack.dep.arbiter,
        maxReward: 10n ** 15n,
        bond: 10n ** 15n,
        expiry: now + 86_400,
        ...stack.dep.params,
      }),
      spec: sampleSpec,
    }));
    await send(
      stack.net.wallet(REQUESTER) as SigningClient,
      stack.net.publicClient,
      preparePostJobs({ market: stack.dep.market, jobs }),
    );
  }
}

type Load = {
  firstRowsMs: number;
  bytes: number;
  requests: number;
  rpcRequests: number;
  rpcBytes: number;
  indexerRequests: number;
  indexerBytes: number;
  /** What the page's data cost: JSON-RPC and indexer requests, the app's own files left out. */
  firstPageBytes: number;
};

/** One cold load of the jobs list: time until its first row shows, and everything transferred until then. */
async function loadJobs(browser: Browser, stack: Stack): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    const finished: Promise<{ url: string; bytes: number }>[] = [];
    page.on("requestfinished", (request) => {
      finished.push(
        request.sizes().then((s) => ({
          url: request.url(),
          bytes: s.requestBodySize + s.requestHeadersSize + s.responseBodySize + s.responseHeadersSize,
        })),
      );
    });
    const started = performance.now();
    await page.goto(`${stack.appUrl}#/jobs`);
    await page
      .getByRole("link", { name: /^Job #\d+$/ })
      .first()
      .waitFor({ timeout: 60_000 });
    const firstRowsMs = Math.round(performance.now() - started);
    const done = await Promise.all(finished.splice(0));
    const rpc = done.filter((r) => r.url.startsWith(stack.net.url));
    const indexer = stack.indexerUrl ? done.filter((r) => r.url.startsWith(stack.indexerUrl!)) : [];
    const sum = (rs: { bytes: number }[]) => rs.reduce((a, r) => a + r.bytes, 0);
    return {
      firstRowsMs,
      bytes: sum(done),
      requests: done.length,
      rpcRequests: rpc.length,
      rpcBytes: sum(rpc),
      indexerRequests: indexer.length,
      indexerBytes: sum(indexer),
      firstPageBytes: sum(rpc) + sum(indexer),
    };
  } finally {
    await context.close();
  }
}

/** The build's files by kind, raw and gzipped. */
function buildSize(dir: string) {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const file = path.join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else files.push(file);
    }
  };
  walk(dir);
  const of = (ext: string) => {
    const chosen = files.filter((f) => f.endsWith(ext));
    return {
      files: chosen.length,
      bytes: chosen.reduce((a, f) => a + statSync(f).size, 0),
      gzipBytes: chosen.reduce((a, f) => a + gzipSync(readFileSync(f)).length, 0),
    };
  };
  return { js: of(".js"), css: of(".css") };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** LOADS cold loads of the jobs list, summarised by their medians. */
async function measure(browser: Browser, stack: Stack): Promise<Load & { loads: Load[] }> {
  const loads: Load[] = [];
  for (let i = 0; i < LOADS; i++) loads.push(await loadJobs(browser, stack));
  const med = (k: keyof Load) => Math.round(median(loads.map((l) => l[k])));
  const keys = Object.keys(loads[0]!) as (keyof Load)[];
  return { ...(Object.fromEntries(keys.map((k) => [k, med(k)])) as Load), loads };
}

async function main() {
  const started = Date.now();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const scenarios: Record<string, Load & { loads: Load[] }> = {};
  let stack = await startStack({ indexer: false });
  try {
    // Without an indexer, the app pages through the node alone.
    let posted = 0;
    for (const size of SIZES) {
      await postJobs(stack, size - posted);
      posted = size;
      scenarios[`jobs${size}`] = await measure(browser, stack);
      console.log(
        `jobs${size}: first rows in ${scenarios[`jobs${size}`]!.firstRowsMs} ms, ${kb(scenarios[`jobs${size}`]!.firstPageBytes)} of data`,
      );
    }
    await stack.stop();
    // Through the indexer, with INDEXED_JOBS jobs in the market.
    stack = await startStack({ indexer: true });
    await postManyJobs(stack, INDEXED_JOBS);
    const url = stack.indexerUrl!;
    const deadline = Date.now() + 600_000;
    while ((await indexedSoFar(url)) < INDEXED_JOBS) {
      if (Date.now() > deadline) throw new Error(`the indexer did not reach ${INDEXED_JOBS} jobs in 10 minutes`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    scenarios[INDEXED_KEY] = await measure(browser, stack);
    console.log(
      `${INDEXED_KEY}: first rows in ${scenarios[INDEXED_KEY]!.firstRowsMs} ms, ${kb(scenarios[INDEXED_KEY]!.firstPageBytes)} of data`,
    );
    const build = buildSize(path.join(stack.dir, "dist"));
    const results = {
      generatedAt: new Date().toISOString(),
      machine: {
        ...machine(["vite", "react", "viem", "wagmi", "playwright-core"], ["frontend/src", "sdk/src"]),
        chromium: browser.version(),
      } as Record<string, string | number>,
      method:
        "`vite preview` of a production build against a Hardhat node (one block a second) with a keeper; each load a " +
        "fresh browser context (cold cache) in headless Chromium, 1280×900, opening #/jobs; firstRowsMs from navigation " +
        "to the first job row; bytes are request and response headers and bodies of every request finished by then, " +
        "the page's data (`firstPageBytes`) those of its JSON-RPC and indexer requests. The smaller markets are read " +
        "through the node alone; the largest through the indexer (PGlite), as the deployment config names it. " +
        "Each figure is the median of the loads.",
      loads: LOADS,
      scenarios,
      // The issue's key: the first page through the indexer with 100,000 jobs in the market.
      jobs100k: {
        firstPageBytes: scenarios[INDEXED_KEY]!.firstPageBytes,
        firstRowsMs: scenarios[INDEXED_KEY]!.firstRowsMs,
        jobs: INDEXED_JOBS,
      },
      build,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    console.log(`wrote ${writeResults("frontend", results)}`);

    const m = results.machine;
    const names = Object.keys(scenarios);
    writeSection(
      "frontend",
      "The dApp in a browser",
      [
        `Measured ${results.generatedAt.slice(0, 10)} at commit \`${m.commit}\` on ${m.cpu} (${m.cores} cores, ` +
          `${m.memoryGiB} GiB), ${m.os}; Node ${m.node}, Chromium ${m.chromium}, Vite ${m.vite}, React ${m.react}, ` +
          `viem ${m.viem}, wagmi ${m.wagmi}. ${results.method}`,
        "",
        table(
          ["jobs list, cold load", ...names.map((k) => k.replace("jobs", "") + " jobs in the market")],
          [
            ["read through", ...names.map((k) => (k === INDEXED_KEY ? "the indexer" : "the node"))],
            ["first rows, ms", ...names.map((k) => String(scenarios[k]!.firstRowsMs))],
            ["the page's data (`firstPageBytes`)", ...names.map((k) => kb(scenarios[k]!.firstPageBytes))],
            ["transferred, app files included", ...names.map((k) => kb(scenarios[k]!.bytes))],
            ["requests", ...names.map((k) => String(scenarios[k]!.requests))],
            ["of which JSON-RPC", ...names.map((k) => `${scenarios[k]!.rpcRequests} (${kb(scenarios[k]!.rpcBytes)})`)],
            [
              "of which indexer",
              ...names.map((k) => `${scenarios[k]!.indexerRequests} (${kb(scenarios[k]!.indexerBytes)})`),
            ],
          ],
          [false, ...names.map(() => true)],
        ),
        "",
        `\`jobs100k\` (through the indexer, ${INDEXED_JOBS.toLocaleString("en-US")} jobs): the page's data ${kb(results.jobs100k.firstPageBytes)} ` +
          `(limit 200 KiB), first rows in ${results.jobs100k.firstRowsMs} ms (limit 1,000 ms). ` +
          `Each figure is the median of ${LOADS} loads. The build: JavaScript ${kb(results.build.js.bytes)} ` +
          `(${kb(results.build.js.gzipBytes)} gzipped) in ${results.build.js.files} files, CSS ${kb(results.build.css.bytes)} ` +
          `(${kb(results.build.css.gzipBytes)} gzipped).`,
      ].join("\n"),
    );
    console.log(
      JSON.stringify(
        { ...results, scenarios: Object.fromEntries(names.map((k) => [k, { ...scenarios[k], loads: undefined }])) },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
