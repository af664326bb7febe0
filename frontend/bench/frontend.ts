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
import { preparePostJobs, send, type SigningClient } from "@baton/sdk";
import { account } from "@baton/testkit/devnet";
import { sampleSpec, sampleTerms } from "@baton/testkit";
import { machine, median, table, writeResults, writeSection } from "@baton/testkit/bench";
import { startStack, type Stack } from "../e2e/stack.ts";

const LOADS = Number(process.env.BENCH_LOADS ?? 5);
const SIZES = [20, 200];
const REQUESTER = 1;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];

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

type Load = { firstRowsMs: number; bytes: number; requests: number; rpcRequests: number; rpcBytes: number };

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
    return {
      firstRowsMs,
      bytes: done.reduce((a, r) => a + r.bytes, 0),
      requests: done.length,
      rpcRequests: rpc.length,
      rpcBytes: rpc.reduce((a, r) => a + r.bytes, 0),
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

async function main() {
  const started = Date.now();
  const stack = await startStack();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    const scenarios: Record<string, Load & { loads: Load[] }> = {};
    let posted = 0;
    for (const size of SIZES) {
      await postJobs(stack, size - posted);
      posted = size;
      const loads: Load[] = [];
      for (let i = 0; i < LOADS; i++) loads.push(await loadJobs(browser, stack));
      const med = (k: keyof Load) => Math.round(median(loads.map((l) => l[k])));
      scenarios[`jobs${size}`] = {
        firstRowsMs: med("firstRowsMs"),
        bytes: med("bytes"),
        requests: med("requests"),
        rpcRequests: med("rpcRequests"),
        rpcBytes: med("rpcBytes"),
        loads,
      };
      console.log(`jobs${size}: first rows in ${med("firstRowsMs")} ms, ${kb(med("bytes"))} transferred`);
    }
    const results = {
      generatedAt: new Date().toISOString(),
      machine: {
        ...machine(["vite", "react", "viem", "wagmi", "playwright-core"], ["frontend/src", "sdk/src"]),
        chromium: browser.version(),
      } as Record<string, string | number>,
      method:
        "`vite preview` of a production build against a Hardhat node (one block a second) with a keeper; each load a " +
        "fresh browser context (cold cache) in headless Chromium, 1280×900, opening #/jobs; firstRowsMs from navigation " +
        "to the first job row; bytes are request and response headers and bodies of every request finished by then. " +
        "Each figure is the median of the loads.",
      loads: LOADS,
      scenarios,
      build: buildSize(path.join(stack.dir, "dist")),
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
            ["first rows, ms", ...names.map((k) => String(scenarios[k]!.firstRowsMs))],
            ["transferred", ...names.map((k) => kb(scenarios[k]!.bytes))],
            ["requests", ...names.map((k) => String(scenarios[k]!.requests))],
            ["of which JSON-RPC", ...names.map((k) => `${scenarios[k]!.rpcRequests} (${kb(scenarios[k]!.rpcBytes)})`)],
          ],
          [false, ...names.map(() => true)],
        ),
        "",
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
